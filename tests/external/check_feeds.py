#!/usr/bin/env python3
"""Read a built depesche site's XML feeds with Python's feedparser, as a feed reader would.

Usage: check_feeds.py SITE_DIR...

Every XML feed of each site (atom.xml, rss.xml, and changes.xml,
archive/**/*.xml and ort/*/atom.xml where they exist) must parse with bozo
== 0, a place feed's entries must have atom.xml's ids, and every entry
must have an id, a title, a link into the site and a date. For the main feeds
(atom.xml, rss.xml) each entry is also compared with what a reader sees
elsewhere, so that nothing here trusts depesche's own idea of a story:

- the title is the story page's <h1>;
- the summary and the content, read as text, stand in the story page's
  <article> (a literal "<script>" in an article must stay text, not vanish);
- the dates are the instants written in the original files (v/N/source.txt,
  linked from the story page), converted from Europe/Berlin with Python's
  own zoneinfo: published is version 1's, updated (Atom) one of the versions'
  and not before published.

Prints one line per problem and exits 1 if there was any.
"""

import calendar
import html
import re
import sys
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag
from zoneinfo import ZoneInfo

import feedparser

BERLIN = ZoneInfo("Europe/Berlin")
TIMESTAMP = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*[-\u2013]\s*(\d{1,2}):(\d{2}):(\d{2})")
SOURCE_LINK = re.compile(r"/v/(\d+)/source\.txt$")
EXPECTED_VERSION = {"atom.xml": "atom10", "rss.xml": "rss20"}

problems = []


def problem(where, message):
    problems.append(f"{where}: {message}")


def squash(text):
    """Whitespace folded, so that layout in HTML does not matter."""
    return " ".join(text.split())


class PageText(HTMLParser):
    """A story page as a reader sees it: the <h1>, the text of the <article>,
    its body (the paragraphs and sub-headings of the article text, which carry
    no class but the trailer's) and every link on the page."""

    BODY_CLASSES = (None, "trailer")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.h1, self.article, self.body, self.links = [], [], [], []
        self._in_h1 = self._in_article = 0
        self._block = None

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self._in_h1 += 1
        elif tag == "article":
            self._in_article += 1
        elif tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)
        if tag in ("p", "h1", "h2", "li", "br"):
            self.article.append(" ")
        if tag in ("p", "h2") and self._in_article and dict(attrs).get("class") in self.BODY_CLASSES:
            self._block = tag
            self.body.append("")

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 -= 1
        elif tag == "article":
            self._in_article -= 1
        if tag == self._block:
            self._block = None

    def handle_data(self, data):
        if self._in_h1:
            self.h1.append(data)
        if self._in_article:
            self.article.append(data)
        if self._block:
            self.body[-1] += data


class BlockText(HTMLParser):
    """The text of each block (paragraph, heading) of an HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = [""]

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "h1", "h2", "h3", "li", "div", "br"):
            self.blocks.append("")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, [])

    def handle_data(self, data):
        self.blocks[-1] += data


def as_text(detail):
    """What a reader shows of a feedparser text construct, as plain text."""
    if detail.get("type") in ("text/html", "application/xhtml+xml"):
        parser = BlockText()
        parser.feed(detail["value"])
        return squash(" ".join(parser.blocks))
    return squash(detail["value"])


def blocks_of(detail):
    parser = BlockText()
    parser.feed(detail["value"])
    return [squash(block) for block in parser.blocks if block.strip()]


def source_instant(path):
    """The instant written on line 2 of an original article file, read with zoneinfo."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="replace")
    elif raw[:200].count(b"\x00") > 20:
        text = raw.decode("utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be", errors="replace")
    else:
        text = raw.decode("latin-1")
    for line in text.lstrip("\ufeff").splitlines()[:6]:
        match = TIMESTAMP.match(line)
        if match:
            day, month, year, hour, minute, second = map(int, match.groups())
            # fold=0: the repeated autumn hour is its first (summer-time) occurrence, and
            # a time in the spring gap is read with the offset before the gap (+01:00).
            local = datetime(year, month, day, hour, minute, second, tzinfo=BERLIN, fold=0)
            return int(local.timestamp())
    return None


def iso(seconds):
    return datetime.fromtimestamp(seconds, ZoneInfo("UTC")).isoformat()


def parsed_seconds(entry, key):
    value = entry.get(f"{key}_parsed")
    return calendar.timegm(value) if value else None


class Site:
    def __init__(self, root):
        self.root = root
        self.base = None
        self.pages = {}

    def local(self, url):
        """The file behind a URL of the site, or None for a URL outside it."""
        url = urldefrag(url)[0]
        if not self.base or not url.startswith(self.base):
            return None
        rel = url[len(self.base) :]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        return self.root / rel

    def page(self, url):
        """Text and versions of the story page at `url`, read once."""
        if url not in self.pages:
            path = self.local(url)
            parser = PageText()
            parser.feed(path.read_text(encoding="utf-8"))
            versions = {}
            for href in parser.links:
                match = SOURCE_LINK.search(href)
                if match and self.local(href):
                    versions[int(match.group(1))] = self.local(href)
            self.pages[url] = {
                "h1": squash("".join(parser.h1)),
                "article": squash("".join(parser.article)),
                "body": [squash(block) for block in parser.body if block.strip()],
                "versions": [versions[n] for n in sorted(versions)],
            }
        return self.pages[url]


def check_entry(site, name, feed, index, entry):
    where = f"{site.root}/{name}: entry {index + 1}"
    entry_id = entry.get("id", "")
    title = entry.get("title", "")
    link = entry.get("link", "")
    if not entry_id:
        problem(where, "has no id (atom:id / guid)")
    if not title.strip():
        problem(where, "has no title")
    if not link:
        problem(where, "has no link")
        return None
    path = site.local(link)
    if path is None or not path.is_file():
        problem(where, f"link {link} does not lead to a file of the site")
        return None
    published, updated = parsed_seconds(entry, "published"), parsed_seconds(entry, "updated")
    if published is None and updated is None:
        problem(where, "has no date feedparser can read")
    if name not in EXPECTED_VERSION:
        return entry_id, updated or published
    if feed.version == "rss20" and entry_id != link:
        problem(where, f"guid {entry_id} is not the permalink {link}")
    if feed.version == "atom10" and not entry_id.startswith("tag:"):
        problem(where, f"id {entry_id} is not a tag: URI")

    page = site.page(link)
    if title != page["h1"]:
        problem(where, f"title {title!r} is not the story page's <h1> {page['h1']!r}")
    summary = entry.get("summary_detail")
    if summary is None:
        problem(where, "has no summary")
    else:
        text = as_text(summary).removesuffix("…").strip()
        if not text or text not in page["article"]:
            problem(where, f"summary as a reader shows it ({summary['type']}) is not the story's text: {text!r}")
    contents = entry.get("content") or []
    if not contents:
        problem(where, "has no full content")
    else:
        content = " ".join(blocks_of(contents[0]))
        if not page["body"]:
            problem(where, f"the story page {link} shows no article text")
        for block in page["body"]:
            if block not in content:
                problem(where, f"the full content lacks the story page's paragraph {block!r}")

    instants = [source_instant(path) for path in page["versions"]]
    if not instants or None in instants:
        problem(where, f"story page {link} links no readable original files: {page['versions']}")
        return entry_id, updated or published
    if published != instants[0]:
        problem(where, f"published {iso(published) if published else None} is not version 1's time {iso(instants[0])}")
    # A story's update is one of its versions' times (an unchanged repeat need
    # not count as one), never before the story began.
    if feed.version == "atom10" and (updated not in instants or updated < published):
        problem(where, f"updated {iso(updated) if updated else None} is none of the versions' times {list(map(iso, instants))}")
    return entry_id, updated or published


def check_feed(site, path):
    name = path.relative_to(site.root).as_posix()
    where = f"{site.root}/{name}"
    feed = feedparser.parse(path.read_bytes())
    if feed.bozo:
        problem(where, f"feedparser reports a broken feed (bozo): {feed.bozo_exception!r}")
    expected = EXPECTED_VERSION.get(name)
    if expected and feed.version != expected:
        problem(where, f"feedparser reads it as {feed.version!r}, expected {expected!r}")
    if not feed.version:
        problem(where, "feedparser does not recognise it as a feed")
    if not feed.feed.get("title"):
        problem(where, "the feed has no title")
    self_links = [link.href for link in feed.feed.get("links", []) if link.get("rel") == "self"]
    if site.base and self_links != [site.base + name]:
        problem(where, f"self link {self_links} is not {site.base + name}")
    if name in EXPECTED_VERSION and not feed.entries:
        problem(where, "has no entries")

    ids, times = set(), []
    for index, entry in enumerate(feed.entries):
        checked = check_entry(site, name, feed, index, entry)
        if checked:
            entry_id, time = checked
            if entry_id in ids:
                problem(where, f"entry {index + 1}: id {entry_id} is used twice")
            ids.add(entry_id)
            times.append(time)
    if name == "atom.xml" and times and None not in times:
        if times != sorted(times, reverse=True):
            problem(where, "entries are not newest first")
        feed_time = parsed_seconds(feed.feed, "updated")
        if feed_time != max(times):
            problem(where, f"feed date {iso(feed_time) if feed_time else None} is not the newest entry's {iso(max(times))}")
    return feed


def check_site(root):
    site = Site(root)
    atom = root / "atom.xml"
    if not atom.is_file():
        problem(str(root), "has no atom.xml")
        return
    home = feedparser.parse(atom.read_bytes()).feed.get("link", "")
    site.base = home if home.endswith("/") else None
    if site.base is None:
        problem(f"{root}/atom.xml", f"the site's address {home!r} is not a folder URL")
    feeds = [root / "atom.xml", root / "rss.xml"]
    feeds += [path for path in [root / "changes.xml"] if path.is_file()]
    feeds += sorted((root / "archive").rglob("*.xml")) if (root / "archive").is_dir() else []
    places = sorted((root / "ort").glob("*/atom.xml")) if (root / "ort").is_dir() else []
    feeds += places
    read = {}
    for path in feeds:
        if not path.is_file():
            problem(str(root), f"has no {path.name}")
            continue
        name = path.relative_to(root).as_posix()
        read[name] = check_feed(site, path)
        print(f"read {path} with feedparser {feedparser.__version__}: {len(read[name].entries)} entries")
    # A place feed's entries are atom.xml's: the same id for the same story.
    atom_ids = {e.get("link"): e.get("id") for e in read["atom.xml"].entries} if "atom.xml" in read else {}
    for path in places:
        name = path.relative_to(root).as_posix()
        for entry in read[name].entries:
            link = entry.get("link")
            if link in atom_ids and entry.get("id") != atom_ids[link]:
                problem(f"{root}/{name}", f"entry {link} has id {entry.get('id')}, atom.xml has {atom_ids[link]}")
    # RSS has no update time per item: its order and date must be Atom's.
    if "atom.xml" in read and "rss.xml" in read:
        atom, rss = read["atom.xml"], read["rss.xml"]
        if [e.get("link") for e in rss.entries] != [e.get("link") for e in atom.entries]:
            problem(f"{root}/rss.xml", "items are not in the order of atom.xml's entries")
        rss_time, atom_time = parsed_seconds(rss.feed, "updated"), parsed_seconds(atom.feed, "updated")
        if rss_time != atom_time:
            problem(f"{root}/rss.xml", f"lastBuildDate {rss_time and iso(rss_time)} is not atom.xml's {atom_time and iso(atom_time)}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for root in sys.argv[1:]:
        check_site(Path(root))
    for line in problems:
        print(f"problem: {line}")
    print(f"{len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
