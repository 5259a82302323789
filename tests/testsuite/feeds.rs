//! The feeds parse with an independent parser (feed-rs), are well-formed
//! XML, and carry the right times, ids and links.

use chrono::{DateTime, Utc};
use feed_rs::model::FeedType;

use crate::support::{Built, assert_well_formed, build, project_dir};

const STORY_URL: &str =
    "https://depesche.example.org/2024/10/28/nato-russische-verluste-bei-mehr-als-600-000-soldaten/";

fn sample() -> Built {
    let built = build(&project_dir().join("seeds"), &[]);
    assert_eq!(built.code(), 0, "{}", built.stderr());
    built
}

fn parse(built: &Built, name: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(built.read(name).as_bytes()).unwrap_or_else(|e| panic!("feed-rs cannot parse {name}: {e}"))
}

fn sample_instant() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-10-28T14:57:43+01:00").unwrap().with_timezone(&Utc)
}

#[test]
fn every_feed_parses_with_feed_rs_and_has_the_story() {
    let built = sample();
    for (name, kind) in [("atom.xml", FeedType::Atom), ("rss.xml", FeedType::RSS2), ("feed.json", FeedType::JSON)] {
        let feed = parse(&built, name);
        assert_eq!(feed.feed_type, kind, "{name}");
        assert_eq!(feed.entries.len(), 1, "{name}");
        let entry = &feed.entries[0];
        assert_eq!(
            entry.title.as_ref().unwrap().content,
            "Nato: Russische Verluste bei mehr als 600.000 Soldaten",
            "{name}"
        );
        assert_eq!(entry.published, Some(sample_instant()), "{name}: published");
        assert_eq!(entry.links[0].href, STORY_URL, "{name}: link");
        let content = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap_or_default();
        assert!(content.contains("<span class=\"dateline\">"), "{name}: full HTML content expected");
        assert!(content.contains("Rutte sieht erhebliche Eskalation"), "{name}");
    }
}

#[test]
fn xml_feeds_and_sitemap_are_well_formed() {
    let built = sample();
    for name in ["atom.xml", "rss.xml", "sitemap.xml"] {
        assert_well_formed(name, &built.read(name));
    }
}

#[test]
fn atom_has_a_tag_id_times_with_offset_language_and_links() {
    let built = sample();
    let atom = built.read("atom.xml");
    assert!(atom.contains("xml:lang=\"de\""));
    assert!(atom.contains("<published>2024-10-28T14:57:43+01:00</published>"));
    assert!(atom.contains("<updated>2024-10-28T14:57:43+01:00</updated>"));
    assert!(atom.contains("<link href=\"https://depesche.example.org/atom.xml\" rel=\"self\""));
    let feed = parse(&built, "atom.xml");
    assert!(feed.entries[0].id.starts_with("tag:depesche.example.org,2024-10-28:"), "{}", feed.entries[0].id);
}

#[test]
fn rss_has_permalink_guid_rfc822_date_content_and_self_link() {
    let built = sample();
    let rss = built.read("rss.xml");
    assert!(
        rss.contains(&format!("<guid>{STORY_URL}</guid>"))
            || rss.contains(&format!("<guid isPermaLink=\"true\">{STORY_URL}</guid>")),
        "{rss}"
    );
    assert!(rss.contains("<pubDate>Mon, 28 Oct 2024 14:57:43 +0100</pubDate>"));
    assert!(rss.contains("<content:encoded>"));
    assert!(rss.contains("<atom:link href=\"https://depesche.example.org/rss.xml\" rel=\"self\""));
    assert!(rss.contains("<language>de</language>"));
}

#[test]
fn json_feed_is_version_1_1() {
    let built = sample();
    let json: serde_json::Value = serde_json::from_str(&built.read("feed.json")).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], "https://depesche.example.org/feed.json");
    assert_eq!(json["language"], "de");
    let item = &json["items"][0];
    assert_eq!(item["url"], STORY_URL);
    assert_eq!(item["date_published"], "2024-10-28T14:57:43+01:00");
    assert_eq!(item["date_modified"], "2024-10-28T14:57:43+01:00");
}

#[test]
fn summer_time_entries_carry_plus_two() {
    let built = build(&crate::support::fixture("mixed"), &[]);
    let atom = built.read("atom.xml");
    assert!(atom.contains("<published>2024-07-02T09:05:00+02:00</published>"), "{atom}");
    let rss = built.read("rss.xml");
    assert!(rss.contains("<pubDate>Tue, 02 Jul 2024 09:05:00 +0200</pubDate>"));
}

/// Regression: RSS readers take the description as HTML, and feedparser
/// dropped a literal `<script>` of an article's teaser as markup. The teaser is
/// now HTML-escaped, and `&` and `<` are hexadecimal references, as the RSS
/// Best Practices Profile asks (the W3C feed validator warned about both).
#[test]
fn markup_in_a_teaser_stays_text_in_rss_and_atom() {
    let built = build(&crate::support::fixture("mixed"), &[]);
    let rss = built.read("rss.xml");
    assert!(!rss.contains("<script>"), "{rss}");
    assert!(rss.contains("gestartet. &#x3C;script&gt;alert(1)&#x3C;/script&gt; bleibt Text."), "{rss}");
    assert!(rss.contains("<title>Aktien Frankfurt Eröffnung: Dax mit Gewinnen &#x3C;Escaped &#x26; "), "{rss}");
    let atom = built.read("atom.xml");
    assert!(
        atom.contains(
            "<summary type=\"html\">Der Dax ist mit Gewinnen in den Handel gestartet. &amp;lt;script&amp;gt;"
        )
    );
    let feed = parse(&built, "rss.xml");
    let summary = feed.entries[0].summary.as_ref().unwrap();
    assert!(summary.content.contains("&#x3C;script&gt;alert(1)"), "{summary:?}");
}
