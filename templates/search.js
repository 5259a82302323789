// The search page's script: reads the query from the address, runs it
// with Pagefind's modular interface over the newest months' indexes and
// shows each result's headline, date and place. Rendered as is into
// suche/suche.js.
"use strict";
(() => {
  const form = document.querySelector("form.search");
  const field = document.getElementById("q");
  const status = document.getElementById("suchstatus");
  const older = document.getElementById("aeltere");
  const everything = document.getElementById("alle");
  const shards = JSON.parse(document.getElementById("suchindex").textContent);
  const firstBatch = Number(form.dataset.batch);
  // Every path is taken from this page's own address, so the site works
  // below any base path and on any host.
  const here = new URL(".", location.href);
  const siteRoot = new URL("..", here).pathname;
  const bundle = (shard) => new URL(shard.path, here).pathname;
  let searched = 0;
  let instance = null;
  let term = "";

  // The next months to search, newest first, until they hold `stories`
  // stories (at least one month; all that are left when `stories` is 0).
  const nextBatch = (stories) => {
    const batch = [];
    let held = 0;
    while (searched < shards.length && (batch.length === 0 || stories === 0 || held < stories)) {
      const shard = shards[searched++];
      batch.push(shard);
      held += shard.stories;
    }
    return batch;
  };
  // Each further batch holds twice the stories of the one before, so the
  // whole archive is a few presses away.
  let batchStories = firstBatch;

  const element = (name, className, text) => {
    const node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const resultTemplate = (result) => {
    const item = element("li");
    const meta = element("p", "meta");
    const time = element("time", "", result.meta.datum || "");
    time.dateTime = result.meta.zeit || "";
    meta.append(time);
    if (result.meta.ort) meta.append(" · " + result.meta.ort);
    const heading = element("h2");
    const link = element("a", "", result.meta.title || result.url);
    link.href = result.url;
    heading.append(link);
    const excerpt = element("p");
    // Pagefind's excerpt: the text escaped by Pagefind, the hits in <mark>.
    excerpt.innerHTML = result.excerpt;
    item.append(meta, heading, excerpt);
    return item;
  };

  const placeholderTemplate = () => '<li class="muted" aria-hidden="true">…</li>';

  const searchedMonths = () => {
    const first = shards[0].month;
    const last = shards[searched - 1].month;
    return first === last ? first : `${last} bis ${first}`;
  };

  const showResults = (response) => {
    const count = response.results.length;
    const found = count === 1 ? "1 Treffer" : `${count} Treffer`;
    status.textContent = term ? `${found} für „${term}“ in den Meldungen von ${searchedMonths()}.` : "";
    const more = searched < shards.length && term;
    if (more) older.textContent = `Auch in älteren Meldungen suchen (ab ${shards[searched].month})`;
    older.hidden = !more;
    everything.hidden = !more;
  };

  const start = () => {
    const first = nextBatch(batchStories);
    instance = new PagefindModularUI.Instance({
      bundlePath: bundle(first[0]),
      mergeIndex: first.slice(1).map((shard) => ({ bundlePath: bundle(shard), baseUrl: siteRoot })),
      baseUrl: siteRoot,
      excerptLength: 30,
    });
    instance.add(new PagefindModularUI.ResultList({ containerElement: "#treffer", resultTemplate, placeholderTemplate }));
    instance.on("loading", () => { status.textContent = "Suche läuft …"; });
    instance.on("results", showResults);
  };

  const search = (value) => {
    term = value.trim();
    const address = term ? `?q=${encodeURIComponent(term)}` : location.pathname;
    history.replaceState(null, "", address);
    if (!shards.length) {
      status.textContent = "Noch keine Meldungen.";
      return;
    }
    if (!instance) start();
    instance.triggerSearch(term);
  };

  // Add the months of `batch` to the search and run it again.
  const extend = async (batch) => {
    older.hidden = true;
    everything.hidden = true;
    status.textContent = "Suche läuft …";
    for (const shard of batch) {
      await instance.__pagefind__.mergeIndex(bundle(shard), { baseUrl: siteRoot });
    }
    instance.triggerSearch(term);
  };
  older.addEventListener("click", () => {
    batchStories *= 2;
    extend(nextBatch(batchStories));
  });
  everything.addEventListener("click", () => extend(nextBatch(0)));

  let pending = null;
  field.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(() => search(field.value), 300);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(pending);
    search(field.value);
  });

  const asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    field.value = asked;
    search(asked);
  }
})();
