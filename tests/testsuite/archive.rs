//! The archive a reader browses and a machine reads: date archives with
//! their neighbours, place pages and feeds, the news metadata of story and
//! version pages, the Google News sitemap, the host configuration, and a
//! site served below a path whose every link leads to a file.
//!
//! The fixture `tests/fixtures/archive/` is built with its configuration:
//! base URL `https://wire.example/archiv/`, two stories a listing page.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::support::{Built, build, fixture};

const BASE: &str = "https://wire.example/archiv/";

fn site() -> &'static Built {
    static SITE: OnceLock<Built> = OnceLock::new();
    SITE.get_or_init(|| {
        let config = fixture("archive").join("depesche.toml");
        let built = build(&fixture("archive"), &["--config", config.to_str().unwrap()]);
        assert_eq!(built.code(), 0, "{}", built.stderr());
        built
    })
}

/// The values of every `attribute="..."` in `html`, unescaped.
fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

/// The story URLs a listing page lists, in order.
fn listed(html: &str) -> Vec<String> {
    let list = &html[html.find("<ol class=\"stories\">").expect("a list of stories")..];
    let list = &list[..list.find("</ol>").unwrap()];
    list.split("<h2><a href=\"").skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_string()).collect()
}

/// The link of the element with `rel="<rel>"`, if the page has one.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("rel=\"{rel}\""))?;
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    attribute_values(tag, "href").into_iter().next()
}

/// The link whose text is `text`.
fn link_to(html: &str, text: &str) -> Option<String> {
    let at = html.find(&format!(">{text}</a>"))?;
    let tag_start = html[..at].rfind("<a ").unwrap();
    attribute_values(&html[tag_start..at], "href").into_iter().next()
}

fn story(slug_start: &str) -> String {
    let stories = [
        "2023/12/30/bundestag-beschliesst-haushalt-fuer-2024/",
        "2024/01/02/aktien-frankfurt-eroeffnung-dax-startet-schwach-ins-jahr/",
        "2024/01/02/eu-kommission-legt-regeln-fuer-plattformen-vor/",
        "2024/01/02/bahn-gdl-kuendigt-streik-im-fernverkehr-an/",
        "2024/01/05/nato-aussenminister-beraten-ueber-hilfe-fuer-die-ukraine/",
        "2024/02/08/hamburger-hafen-schlaegt-weniger-container-um/",
        "2024/02/08/airbus-meldet-rekord-bei-auslieferungen/",
        "2024/02/10/ifo-geschaeftsklima-hellt-sich-ueberraschend-auf/",
    ];
    let path = stories.iter().find(|p| p[11..].starts_with(slug_start)).unwrap_or_else(|| panic!("{slug_start}"));
    format!("{BASE}{path}")
}

fn page(url: &str) -> String {
    let path = url.strip_prefix(BASE).unwrap_or_else(|| panic!("{url} is not below {BASE}"));
    site().read(&format!("{path}index.html"))
}

/// The URLs of a paged listing's pages, from its first page along the
/// `rel="next"` links (to older stories).
fn pages_from(first: &str) -> Vec<String> {
    let mut urls = vec![first.to_string()];
    while let Some(next) = rel_link(&page(urls.last().unwrap()), "next") {
        assert!(!urls.contains(&next), "the pages lead around in a circle: {urls:?} then {next}");
        urls.push(next);
    }
    urls
}

/// Every story of a paged listing, page after page.
fn listed_on_all_pages(first: &str) -> Vec<String> {
    pages_from(first).iter().flat_map(|url| listed(&page(url))).collect()
}

#[test]
fn a_day_lists_its_stories_newest_first_with_time_place_and_revisions() {
    let day = page(&format!("{BASE}2024/01/02/"));
    assert_eq!(listed(&day), [story("bahn"), story("eu-kommission"), story("aktien")]);
    assert!(day.contains("<h1>Meldungen vom 2. Januar 2024</h1>"), "{day}");
    assert!(day.contains("<time datetime=\"2024-01-02T18:45:00+01:00\">2. Januar 2024, 18:45 Uhr</time>"));
    assert!(day.contains("FRANKFURT, BERLIN"), "both places of the dateline");
    assert!(day.contains("2 Fassungen") && day.contains("1 Fassung<"), "revision counts");
    // The neighbouring days with stories, across a year's end and a gap.
    assert_eq!(link_to(&day, "← 30. Dezember 2023").as_deref(), Some(&*format!("{BASE}2023/12/30/")));
    assert_eq!(link_to(&day, "5. Januar 2024 →").as_deref(), Some(&*format!("{BASE}2024/01/05/")));
    let first = page(&format!("{BASE}2023/12/30/"));
    assert!(!first.contains("← "), "the first day has no earlier one");
    let last = page(&format!("{BASE}2024/02/10/"));
    assert!(link_to(&last, "8. Februar 2024 →").is_none() && !last.contains(" →</a>"));
    // A story page's date leads to its day.
    let story_page = page(&story("eu-kommission"));
    assert!(story_page.contains(&format!("<a href=\"{BASE}2024/01/02/\" title=\"Alle Meldungen dieses Tages\">")));
}

#[test]
fn months_and_years_are_paged_and_lead_to_their_neighbours() {
    // Two stories a page, counted from the oldest: the four stories of
    // January on the first page and older page 1.
    let january = page(&format!("{BASE}2024/01/"));
    let older = page(&format!("{BASE}2024/01/seite/1/"));
    assert!(!site().public().join("2024/01/seite/2").exists());
    assert_eq!(pages_from(&format!("{BASE}2024/01/")), [format!("{BASE}2024/01/"), format!("{BASE}2024/01/seite/1/")]);
    let all = listed_on_all_pages(&format!("{BASE}2024/01/"));
    assert_eq!(all, [story("nato"), story("bahn"), story("eu-kommission"), story("aktien")].map(String::from));
    assert_eq!(rel_link(&older, "prev").as_deref(), Some(&*format!("{BASE}2024/01/")));
    assert!(rel_link(&older, "next").is_none(), "older page 1 holds the oldest stories");
    assert!(january.contains("4 Meldungen") && !older.contains("4 Meldungen"), "the count is on the first page");
    assert!(older.contains("Seite 1 der älteren Meldungen"));
    assert_eq!(link_to(&january, "← Dezember 2023").as_deref(), Some(&*format!("{BASE}2023/12/")));
    assert_eq!(link_to(&january, "Februar 2024 →").as_deref(), Some(&*format!("{BASE}2024/02/")));
    let year = page(&format!("{BASE}2024/"));
    // Seven stories: three on the first page, two on each older page.
    assert_eq!(listed(&year), [story("ifo"), story("airbus"), story("hamburger")]);
    let year_pages = pages_from(&format!("{BASE}2024/"));
    assert_eq!(year_pages, ["2024/", "2024/seite/2/", "2024/seite/1/"].map(|p| format!("{BASE}{p}")));
    assert_eq!(listed_on_all_pages(&format!("{BASE}2024/")).len(), 7);
    assert_eq!(link_to(&year, "← 2023").as_deref(), Some(&*format!("{BASE}2023/")));
    assert!(year.contains("7 Meldungen"), "the year's count");
    let dates = site().read("datum/index.html");
    for (url, label) in [("2024/", "2024"), ("2024/02/", "Februar 2024"), ("2023/12/", "Dezember 2023")] {
        assert_eq!(link_to(&dates, label).as_deref(), Some(&*format!("{BASE}{url}")), "{label}");
    }
}

#[test]
fn places_have_pages_counts_and_feeds_with_the_entries_of_atom_xml() {
    let places = site().read("ort/index.html");
    for (slug, name, count) in [("berlin", "Berlin", 3), ("bruessel", "Brüssel", 2), ("hamburg", "Hamburg", 2)] {
        let at = places.find(&format!("<a href=\"{BASE}ort/{slug}/\">{name}</a>")).unwrap_or_else(|| panic!("{name}"));
        assert!(
            places[at..]
                .starts_with(&format!("<a href=\"{BASE}ort/{slug}/\">{name}</a> <span class=\"meta\">({count})"))
        );
    }
    // BRÜSSEL and BRUESSEL are one place, named as the umlaut spells it.
    let brussels = page(&format!("{BASE}ort/bruessel/"));
    assert_eq!(listed(&brussels), [story("nato"), story("eu-kommission")]);
    // Berlin: three stories (FRANKFURT/BERLIN among them), fewer than two
    // pages' worth, so all on its first page.
    assert_eq!(pages_from(&format!("{BASE}ort/berlin/")).len(), 1);
    let listed_berlin = listed(&page(&format!("{BASE}ort/berlin/")));
    assert_eq!(listed_berlin, [story("ifo"), story("bahn"), story("bundestag")].map(String::from));
    let atom = feed_rs::parser::parse(site().read("atom.xml").as_bytes()).unwrap();
    let by_link: BTreeMap<String, &feed_rs::model::Entry> =
        atom.entries.iter().map(|e| (e.links[0].href.clone(), e)).collect();
    for slug in ["berlin", "bruessel", "frankfurt", "hamburg"] {
        let xml = site().read(&format!("ort/{slug}/atom.xml"));
        let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
        assert!(!feed.entries.is_empty(), "{slug}");
        let page_urls = listed(&page(&format!("{BASE}ort/{slug}/")));
        for (entry, url) in feed.entries.iter().zip(&page_urls) {
            assert_eq!(&entry.links[0].href, url, "the feed lists the page's stories in its order");
            let in_atom = by_link[url];
            assert_eq!(entry.id, in_atom.id, "{slug}: the same entry id as atom.xml");
            assert_eq!((entry.published, entry.updated), (in_atom.published, in_atom.updated));
            assert_eq!(entry.title.as_ref().unwrap().content, in_atom.title.as_ref().unwrap().content);
        }
        let html = page(&format!("{BASE}ort/{slug}/"));
        assert!(html.contains(&format!("value=\"{BASE}ort/{slug}/atom.xml\"")), "{slug}: its feed address to copy");
        let discovery = "type=\"application/atom+xml\" title=\"Ticker-Archiv – ";
        assert!(html.contains(discovery) && html.contains(&format!("href=\"{BASE}ort/{slug}/atom.xml\">")));
    }
}

/// The JSON-LD of a page.
fn json_ld(html: &str) -> serde_json::Value {
    let open = "<script type=\"application/ld+json\">";
    let start = html.find(open).expect("JSON-LD") + open.len();
    let json = &html[start..start + html[start..].find("</script>").unwrap()];
    serde_json::from_str(json).unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}\n{json}"))
}

fn meta_property(html: &str, property: &str) -> String {
    let at = html.find(&format!("<meta property=\"{property}\" content=\"")).unwrap_or_else(|| panic!("{property}"));
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    attribute_values(tag, "content").remove(0)
}

#[test]
fn json_ld_and_opengraph_give_the_times_of_the_feed() {
    let atom = feed_rs::parser::parse(site().read("atom.xml").as_bytes()).unwrap();
    assert_eq!(atom.entries.len(), 8);
    for entry in &atom.entries {
        let url = &entry.links[0].href;
        let html = page(url);
        let ld = json_ld(&html);
        assert_eq!(ld["@type"], "NewsArticle");
        assert_eq!(ld["url"], url.as_str());
        assert_eq!(ld["headline"], entry.title.as_ref().unwrap().content.as_str());
        let time = |value: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap();
        assert_eq!(time(&ld["datePublished"]), entry.published.unwrap(), "{url}");
        assert_eq!(time(&ld["dateModified"]), entry.updated.unwrap(), "{url}");
        assert_eq!(ld["author"]["name"], "dpa-AFX");
        assert_eq!(ld["publisher"]["name"], "Ticker-Archiv");
        assert_eq!(meta_property(&html, "article:published_time"), ld["datePublished"].as_str().unwrap());
        assert_eq!(meta_property(&html, "article:modified_time"), ld["dateModified"].as_str().unwrap());
        // The visible time between the headline and the text is the same.
        let article = &html[html.find("<h1>").unwrap()..];
        let visible = &article[..article.find("<p><span class=\"dateline\">").unwrap_or(article.len())];
        assert!(visible.contains(&format!("<time datetime=\"{}\">", ld["datePublished"].as_str().unwrap())), "{url}");
    }
    let eu = json_ld(&page(&story("eu-kommission")));
    assert_eq!(eu["dateline"], "BRÜSSEL (dpa-AFX)");
    let correction = &eu["correction"][0];
    assert_eq!(correction["@type"], "CorrectionComment");
    assert_eq!(correction["text"], "Berichtigung: Im zweiten Absatz muss es 2025 heißen, nicht 2024");
    assert_eq!(correction["datePublished"], "2024-01-02T16:00:00+01:00");
    // A repeat is no significant version: modified stays at the first.
    let nato = json_ld(&page(&story("nato")));
    assert_eq!(nato["dateModified"], "2024-01-05T10:00:00+01:00");
    assert!(nato.get("correction").is_none());
}

#[test]
fn story_and_version_pages_carry_the_version_links_of_rfc_5829() {
    let ifo = story("ifo");
    let html = page(&ifo);
    assert_eq!(rel_link(&html, "version-history"), Some(ifo.clone()));
    assert_eq!(rel_link(&html, "latest-version"), Some(format!("{ifo}v/2/")));
    assert_eq!(rel_link(&html, "predecessor-version"), Some(format!("{ifo}v/1/")));
    assert_eq!(rel_link(&html, "canonical"), Some(ifo.clone()));
    let first = page(&format!("{ifo}v/1/"));
    assert_eq!(rel_link(&first, "canonical"), Some(format!("{ifo}v/1/")), "a version page is its own");
    assert_eq!(rel_link(&first, "successor-version"), Some(format!("{ifo}v/2/")));
    assert_eq!(rel_link(&first, "predecessor-version"), None);
    let second = page(&format!("{ifo}v/2/"));
    assert_eq!(rel_link(&second, "predecessor-version"), Some(format!("{ifo}v/1/")));
    assert_eq!(rel_link(&second, "latest-version"), Some(format!("{ifo}v/2/")));
    // Version pages stay out of the sitemaps.
    for file in site().files().iter().filter(|f| f.starts_with("sitemap")) {
        assert!(!site().read(file).contains("/v/"), "{file} lists a version page");
    }
    let alternate = format!(
        "<link rel=\"alternate\" type=\"application/json\" title=\"Diese Meldung als ninjs (JSON)\" href=\"{ifo}story.json\">"
    );
    assert!(html.contains(&alternate));
}

#[test]
fn the_news_sitemap_holds_the_stories_of_the_last_two_days() {
    let xml = site().read("news-sitemap.xml");
    let document = roxmltree::Document::parse(&xml).unwrap();
    let news = "http://www.google.com/schemas/sitemap-news/0.9";
    let urls: Vec<(String, String, String)> = document
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .map(|url| {
            let text = |name: (&str, &str)| {
                url.descendants().find(|n| n.has_tag_name(name)).and_then(|n| n.text()).unwrap().to_string()
            };
            (
                text(("http://www.sitemaps.org/schemas/sitemap/0.9", "loc")),
                text((news, "publication_date")),
                text((news, "title")),
            )
        })
        .collect();
    // The newest story is of 10 February, 10:00: Airbus (8 February, 10:00)
    // is two days older and still in, the port (9:59) a minute too old.
    assert_eq!(
        urls,
        [
            (
                story("ifo"),
                "2024-02-10T10:00:00+01:00".into(),
                "Ifo: Geschäftsklima hellt sich überraschend auf".into()
            ),
            (story("airbus"), "2024-02-08T10:00:00+01:00".into(), "Airbus meldet Rekord bei Auslieferungen".into()),
        ]
    );
    for name in ["name", "language"] {
        assert!(document.descendants().any(|n| n.has_tag_name((news, name))), "news:{name}");
    }
    assert!(xml.contains("<news:name>Ticker-Archiv</news:name><news:language>de</news:language>"));
}

#[test]
fn below_a_path_every_link_of_every_page_leads_to_a_file() {
    let built = site();
    let mut checked = 0;
    for file in built.files().iter().filter(|f| f.ends_with(".html")) {
        let html = built.read(file);
        for url in attribute_values(&html, "href").into_iter().chain(attribute_values(&html, "value")) {
            // Absolute, or from the host's root (the stylesheet).
            let url = if url.starts_with('/') { format!("https://wire.example{url}") } else { url };
            if !url.starts_with("https://wire.example/") {
                continue;
            }
            let path = url.strip_prefix(BASE).unwrap_or_else(|| panic!("{file}: {url} leaves the base path"));
            let target =
                if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() };
            let target = target.split(['#', '?']).next().unwrap();
            assert!(built.public().join(target).is_file(), "{file}: {url} leads to no file");
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} links checked");
    // Every page's header leads to the archives and the subscribe page.
    let home = built.read("index.html");
    for (text, path) in [("Nach Datum", "datum/"), ("Nach Ort", "ort/"), ("Abonnieren", "abonnieren/")] {
        assert_eq!(link_to(&home, text), Some(format!("{BASE}{path}")));
    }
}

#[test]
fn the_subscribe_page_explains_each_feed_with_its_address() {
    let html = site().read("abonnieren/index.html");
    for feed in ["atom.xml", "rss.xml", "feed.json", "changes.xml"] {
        assert!(html.contains(&format!("readonly value=\"{BASE}{feed}\"")), "{feed}");
    }
    assert!(html.contains("Feedreader") && html.contains("So geht’s"));
    assert!(!html.contains("xml-stylesheet") && !html.contains("<script"), "no stylesheet or script relied on");
    // And a page of its own for each feed.
    for (page_name, feed, name) in [
        ("atom", "atom.xml", "Neueste Meldungen (Atom)"),
        ("rss", "rss.xml", "Neueste Meldungen (RSS)"),
        ("json-feed", "feed.json", "Neueste Meldungen (JSON Feed)"),
        ("alle-fassungen", "changes.xml", "Alle Fassungen (Atom)"),
    ] {
        let own = page(&format!("{BASE}abonnieren/{page_name}/"));
        assert!(own.contains(&format!("<h1>{name} abonnieren</h1>")), "{page_name}");
        assert!(own.contains(&format!("readonly value=\"{BASE}{feed}\"")), "{page_name}");
        assert!(own.contains("Feed hinzufügen"), "{page_name}: how to subscribe");
        assert!(html.contains(&format!("<a href=\"{BASE}abonnieren/{page_name}/\">Seite dieses Feeds</a>")));
    }
}

#[test]
fn host_configuration_names_the_paths_below_the_base() {
    let headers = site().read("_headers");
    for rule in [
        "/archiv/atom.xml\n  Content-Type: application/atom+xml; charset=utf-8",
        "/archiv/feed.json\n  Content-Type: application/feed+json; charset=utf-8",
        "/archiv/rss.xml\n  Content-Type: application/rss+xml; charset=utf-8",
        "/archiv/ort/:ort/atom.xml\n  Content-Type: application/atom+xml",
        "/archiv/:year/:month/:day/:slug/story.json\n  Content-Type: application/json",
    ] {
        assert!(headers.contains(rule), "{rule}");
    }
    assert!(site().read("_redirects").contains("/archiv/*  /archiv/404.html  404"));
}

/// IPTC's schema, in the copy of `shared/` beside the project.
fn ninjs_schema() -> std::path::PathBuf {
    crate::support::project_dir().join("../shared/schemas/ninjs-schema_3.1.json")
}

#[test]
fn every_story_json_validates_against_iptc_ninjs_3_1() {
    use crate::external::{assert_passes, helper, python, python_modules, ready, sites};
    let schema = ninjs_schema();
    let mut missing: Vec<String> = python_modules(&["jsonschema"]).into_iter().collect();
    if !schema.is_file() {
        missing.push(format!("{} is not there", schema.display()));
    }
    if !ready("ninjs schema check", missing) {
        return;
    }
    let mut command = std::process::Command::new(python());
    command.arg(helper("check_ninjs.py")).arg(&schema);
    let mut files = 0;
    for site in sites() {
        for file in site.files(|path| path.ends_with("/story.json")) {
            command.arg(file);
            files += 1;
        }
    }
    assert!(files > 10, "{files} story.json files");
    let said = assert_passes("check_ninjs.py (jsonschema)", &mut command);
    assert!(said.contains(", 0 problems"), "{said}");
}

#[test]
fn a_story_json_is_the_story_in_ninjs() {
    let url = story("eu-kommission");
    let path = url.strip_prefix(BASE).unwrap();
    let json: serde_json::Value = serde_json::from_str(&site().read(&format!("{path}story.json"))).unwrap();
    let atom = feed_rs::parser::parse(site().read("atom.xml").as_bytes()).unwrap();
    let entry = atom.entries.iter().find(|e| e.links[0].href == url).unwrap();
    assert_eq!(json["uri"], entry.id.as_str(), "uri is the story id");
    assert_eq!(json["version"], "2");
    assert_eq!(json["firstCreated"], "2024-01-02T14:30:00+01:00");
    assert_eq!(json["versionCreated"], "2024-01-02T16:00:00+01:00");
    assert_eq!(json["headlines"][0]["value"], "EU-Kommission legt Regeln für Plattformen vor");
    assert_eq!(json["located"], "BRÜSSEL");
    assert_eq!(json["language"], "de");
    let body = json["bodies"][0]["value"].as_str().unwrap();
    assert_eq!(json["bodies"][0]["contentType"], "text/html");
    assert!(body.starts_with("<p><span class=\"dateline\">BRÜSSEL (dpa-AFX) -</span>") && body.contains("2025"));
    let versions = json["associations"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["versionCreated"], "2024-01-02T16:00:00+01:00");
    assert_eq!(
        versions[1]["descriptions"][0]["value"],
        "(Berichtigung: Im zweiten Absatz muss es 2025 heißen, nicht 2024)"
    );
    assert!(!site().read(&format!("{path}story.json")).contains("edNote"));
}
