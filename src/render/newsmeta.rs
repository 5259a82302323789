//! What search engines, aggregators and newsrooms read of a story besides
//! its page: schema.org `NewsArticle` JSON-LD, OpenGraph times, the RFC 5829
//! version links, and the story as IPTC ninjs 3.1 JSON (`story.json`).
//!
//! Every value comes from the story's [`StoryHistory`], the same times the
//! feeds give: `datePublished`/`firstCreated` is the first version,
//! `dateModified` the latest significant one. JSON embedded in a page is
//! escaped so that no input can end the `<script>` element it stands in.

use anyhow::Result;
use serde::Serialize;

use super::history::StoryHistory;
use super::views::TimeView;
use crate::config::Config;
use crate::paths;
use crate::plan::Period;
use crate::stories::Story;

/// The version links of RFC 5829 for a page of a story, absolute URLs.
#[derive(Debug, Clone, Serialize)]
pub struct VersionLinks {
    /// The page with the story's history: the story page.
    pub history: String,
    /// The latest version's own page.
    pub latest: String,
    pub predecessor: Option<String>,
    pub successor: Option<String>,
}

impl VersionLinks {
    /// The links of version `n`'s page (the story page shows the latest
    /// version, so it has the latest version's links).
    pub fn of(config: &Config, story: &Story, n: usize) -> VersionLinks {
        let version = |n: usize| config.url(&paths::version_dir(&story.path, n));
        let latest = story.latest().n;
        VersionLinks {
            history: config.url(&story.path),
            latest: version(latest),
            predecessor: (n > 1).then(|| version(n - 1)),
            successor: (n < latest).then(|| version(n + 1)),
        }
    }
}

/// What a story page shows besides its view: its links to the day archive,
/// its places and its JSON twin, its OpenGraph times and JSON-LD.
#[derive(Debug, Clone, Serialize)]
pub struct StoryMeta {
    /// The day archive of the story's first version.
    pub day_url: String,
    /// The story's places with their pages.
    pub places: Vec<PlaceLink>,
    /// `story.json`, the story as ninjs.
    pub json_url: String,
    pub links: VersionLinks,
    /// The first version's time (`datePublished`, `article:published_time`).
    pub published: TimeView,
    /// The latest significant version's (`dateModified`, `article:modified_time`).
    pub modified: TimeView,
    /// The `NewsArticle` JSON-LD, escaped for a `<script>` element, as a
    /// safe string.
    pub json_ld: minijinja::Value,
}

/// A dateline place with its page.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceLink {
    pub name: String,
    pub url: String,
}

impl StoryMeta {
    pub fn new(config: &Config, history: &StoryHistory) -> StoryMeta {
        let story = history.story;
        let places = history
            .view
            .latest
            .places
            .iter()
            .filter(|place| place.chars().any(char::is_alphanumeric))
            .map(|place| PlaceLink {
                name: crate::plan::place_name(place.trim()),
                url: config.url(&paths::place_dir(&crate::slug::slugify(place.trim()))),
            })
            .collect();
        StoryMeta {
            day_url: config.url(&Period::day_of(story).dir()),
            places,
            json_url: config.url(&paths::story_json_file(&story.path)),
            links: VersionLinks::of(config, story, story.latest().n),
            published: TimeView::new(story.published()),
            modified: TimeView::new(story.significant_update()),
            json_ld: minijinja::Value::from_safe_string(script_json(&news_article(config, history))),
        }
    }
}

/// The dateline as a `NewsArticle` names it: `BRÜSSEL (dpa-AFX)`, without
/// the dash before the text.
fn dateline_text(history: &StoryHistory) -> Option<String> {
    let raw = history.view.latest.dateline?;
    Some(raw.trim_end().trim_end_matches(['-', '–', '—']).trim_end().to_string())
}

/// schema.org `NewsArticle` of a story page: headline, first and latest
/// significant time, dateline, author, publisher, and every correction
/// with its note and time.
pub fn news_article<'a>(config: &'a Config, history: &'a StoryHistory) -> NewsArticle<'a> {
    let story = history.story;
    let url = config.url(&story.path);
    let correction = story
        .versions
        .iter()
        .filter(|v| v.is_correction())
        .map(|v| CorrectionComment {
            kind: "CorrectionComment",
            date_published: v.head.timestamp.to_rfc3339(),
            text: v.head.revision.as_ref().map_or("", |r| r.text.as_str()),
            url: config.url(&paths::version_dir(&story.path, v.n)),
        })
        .collect();
    NewsArticle {
        context: "https://schema.org",
        id: url.clone(),
        kind: "NewsArticle",
        author: Organization { kind: "Organization", name: &config.author, url: None },
        correction,
        date_modified: story.significant_update().to_rfc3339(),
        date_published: story.published().to_rfc3339(),
        dateline: dateline_text(history),
        description: &story.latest().head.teaser,
        headline: history.view.latest.headline,
        in_language: &config.language,
        main_entity_of_page: url.clone(),
        publisher: Organization { kind: "Organization", name: &config.title, url: Some(&config.base_url) },
        url,
    }
}

// The `NewsArticle` as it is written. Fields stand in the order of their
// names' bytes, the order `serde_json` gave the `json!` maps this replaced:
// written straight from these, no map of values is built for every story.

#[derive(Serialize)]
pub struct NewsArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    author: Organization<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    correction: Vec<CorrectionComment<'a>>,
    #[serde(rename = "dateModified")]
    date_modified: String,
    #[serde(rename = "datePublished")]
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    dateline: Option<String>,
    description: &'a str,
    headline: &'a str,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    #[serde(rename = "mainEntityOfPage")]
    main_entity_of_page: String,
    publisher: Organization<'a>,
    url: String,
}

#[derive(Serialize)]
struct Organization<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct CorrectionComment<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "datePublished")]
    date_published: String,
    text: &'a str,
    url: String,
}

/// JSON for a `<script>` element: `<`, `>` and `&` as `\u` escapes (so
/// neither `</script>` nor `<!--` can appear), and U+2028/U+2029 too.
pub fn script_json(value: &impl Serialize) -> String {
    let text = serde_json::to_string(value).expect("JSON values serialise");
    // Most stories' JSON holds none of the five: found by vector searches
    // and kept as it is, not copied character by character.
    let bytes = text.as_bytes();
    if memchr::memchr3(b'<', b'>', b'&', bytes).is_none()
        && memchr::memmem::find(bytes, "\u{2028}".as_bytes()).is_none()
        && memchr::memmem::find(bytes, "\u{2029}".as_bytes()).is_none()
    {
        return text;
    }
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("\\u003c"),
            '>' => escaped.push_str("\\u003e"),
            '&' => escaped.push_str("\\u0026"),
            '\u{2028}' => escaped.push_str("\\u2028"),
            '\u{2029}' => escaped.push_str("\\u2029"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The story as an IPTC ninjs 3.1 news object: `uri` the story id, the
/// latest version's number, times, headline, place and text (as HTML), and
/// every version as an association (`rel` `version`) with its own id, time,
/// headline and revision note. The schema admits no property of our own at
/// the top level, so the history lives in `associations`, and notes are
/// `descriptions` with the role `revision-note`, never an `edNote` (which
/// is for staff, not for publishing).
pub fn ninjs(config: &Config, history: &StoryHistory) -> Result<Vec<u8>> {
    let story = history.story;
    let latest = story.latest();
    let associations = story
        .versions
        .iter()
        .map(|v| NinjsVersion {
            descriptions: v.head.revision.as_ref().map(|revision| [Text::plain("revision-note", &revision.raw)]),
            headlines: [Headline { role: None, value: &v.head.headline }],
            name: format!("Fassung {}", v.n),
            rel: "version",
            renditions: [
                Rendition::of(config.url(&paths::version_dir(&story.path, v.n)), "text/html", "html"),
                Rendition::of(config.url(&paths::source_file(&story.path, v.n)), "text/plain", "original"),
            ],
            kind: "text",
            uri: super::archive::version_id(config.host(), v),
            version: v.n.to_string(),
            version_created: v.head.timestamp.to_rfc3339(),
        })
        .collect();
    let places: Vec<&str> = latest
        .head
        .dateline
        .iter()
        .flat_map(|dateline| dateline.places.iter().map(|p| p.trim()))
        .filter(|p| p.chars().any(char::is_alphanumeric))
        .collect();
    let item = NinjsItem {
        associations,
        bodies: [Text { content_type: "text/html", role: "main", value: json_string(history.latest_body().trim())? }],
        by: &config.author,
        copyright_holder: &config.author,
        descriptions: [Text::plain("summary", &latest.head.teaser)],
        first_created: story.published().to_rfc3339(),
        headlines: [Headline { role: Some("main"), value: &latest.head.headline }],
        language: &config.language,
        located: (!places.is_empty()).then(|| places.join("/")),
        places: (!places.is_empty()).then(|| places.iter().map(|&name| Place { name, rel: "located" }).collect()),
        pub_status: "usable",
        renditions: [Rendition::of(config.url(&story.path), "text/html", "html")],
        representation_type: "full",
        standard: Standard {
            name: "ninjs",
            schema: "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json",
            version: "3.1",
        },
        kind: "text",
        uri: &story.id,
        version: latest.n.to_string(),
        version_created: latest.head.timestamp.to_rfc3339(),
    };
    // Room for the body, which is most of it, and the rest: written into a
    // buffer grown from nothing, a story's JSON was copied several times.
    let mut json = Vec::with_capacity(2 * history.latest_body().len() + 4096);
    serde_json::to_writer_pretty(&mut json, &item)?;
    json.push(b'\n');
    Ok(json)
}

// The ninjs object as it is written. Fields stand in the order of their
// names' bytes, the order `serde_json` gave the `json!` maps this replaced:
// written straight from these, no map of values is built for every story.

#[derive(Serialize)]
struct NinjsItem<'a> {
    associations: Vec<NinjsVersion<'a>>,
    bodies: [Text<Box<serde_json::value::RawValue>>; 1],
    by: &'a str,
    #[serde(rename = "copyrightHolder")]
    copyright_holder: &'a str,
    descriptions: [Text<&'a str>; 1],
    #[serde(rename = "firstCreated")]
    first_created: String,
    headlines: [Headline<'a>; 1],
    language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    located: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    places: Option<Vec<Place<'a>>>,
    #[serde(rename = "pubStatus")]
    pub_status: &'static str,
    renditions: [Rendition; 1],
    #[serde(rename = "representationType")]
    representation_type: &'static str,
    standard: Standard,
    #[serde(rename = "type")]
    kind: &'static str,
    uri: &'a str,
    version: String,
    #[serde(rename = "versionCreated")]
    version_created: String,
}

#[derive(Serialize)]
struct NinjsVersion<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    descriptions: Option<[Text<&'a str>; 1]>,
    headlines: [Headline<'a>; 1],
    name: String,
    rel: &'static str,
    renditions: [Rendition; 2],
    #[serde(rename = "type")]
    kind: &'static str,
    uri: String,
    version: String,
    #[serde(rename = "versionCreated")]
    version_created: String,
}

/// A text of a ninjs object: its value a string, or (the story's body,
/// most of the document) a string escaped already ([`json_string`]).
#[derive(Serialize)]
struct Text<V> {
    #[serde(rename = "contentType")]
    content_type: &'static str,
    role: &'static str,
    value: V,
}

impl<'a> Text<&'a str> {
    fn plain(role: &'static str, value: &'a str) -> Text<&'a str> {
        Text { content_type: "text/plain", role, value }
    }
}

/// `text` as a JSON string, escaped exactly as `serde_json` escapes it (`"`,
/// `\` and the control characters; `\b`, `\t`, `\n`, `\f`, `\r` by
/// name, the others as `\u00XX`), the bytes that need none found eight at a
/// time and copied in runs.
fn json_string(text: &str) -> Result<Box<serde_json::value::RawValue>> {
    let bytes = text.as_bytes();
    let mut json = String::with_capacity(text.len() + text.len() / 16 + 2);
    json.push('"');
    let mut from = 0;
    while let Some(at) = next_json_escape(bytes, from) {
        json.push_str(&text[from..at]);
        match bytes[at] {
            b'"' => json.push_str("\\\""),
            b'\\' => json.push_str("\\\\"),
            b'\x08' => json.push_str("\\b"),
            b'\t' => json.push_str("\\t"),
            b'\n' => json.push_str("\\n"),
            b'\x0c' => json.push_str("\\f"),
            b'\r' => json.push_str("\\r"),
            control => {
                use std::fmt::Write;
                write!(json, "\\u{control:04x}").expect("writing to a String");
            }
        }
        from = at + 1;
    }
    json.push_str(&text[from..]);
    json.push('"');
    Ok(serde_json::value::RawValue::from_string(json)?)
}

/// The first byte from `from` on that a JSON string must escape: `"`, `\`
/// or one below 0x20. Eight bytes at a time: a byte's high bit is set in
/// `found` where it is one of them, and the lowest one set is exact (a
/// borrow only reaches bytes above a byte that was found).
fn next_json_escape(bytes: &[u8], mut from: usize) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    const HIGHS: u64 = ONES * 0x80;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    while let Some(eight) = bytes.get(from..from + 8) {
        let x = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
        let found =
            (x.wrapping_sub(ONES * 0x20) & !x & HIGHS) | zero_byte(x ^ (ONES * 0x22)) | zero_byte(x ^ (ONES * 0x5C));
        if found != 0 {
            return Some(from + (found.trailing_zeros() / 8) as usize);
        }
        from += 8;
    }
    bytes[from..].iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\').map(|at| from + at)
}

#[derive(Serialize)]
struct Headline<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    value: &'a str,
}

#[derive(Serialize)]
struct Rendition {
    #[serde(rename = "contentType")]
    content_type: &'static str,
    href: String,
    name: &'static str,
}

impl Rendition {
    fn of(href: String, content_type: &'static str, name: &'static str) -> Rendition {
        Rendition { content_type, href, name }
    }
}

#[derive(Serialize)]
struct Place<'a> {
    name: &'a str,
    rel: &'static str,
}

#[derive(Serialize)]
struct Standard {
    name: &'static str,
    schema: &'static str,
    version: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn script_json_without_anything_to_escape_is_the_plain_json() {
        let value = json!({ "headline": "Dax steigt – Anleger „zuversichtlich“ \u{2027}", "n": 2 });
        assert_eq!(script_json(&value), serde_json::to_string(&value).unwrap());
        for special in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            let value = json!({ "headline": format!("Dax {special} steigt") });
            assert_ne!(script_json(&value), serde_json::to_string(&value).unwrap(), "{special:?} is escaped");
        }
    }

    #[test]
    fn a_body_is_escaped_as_serde_json_escapes_it() {
        let mut texts: Vec<String> = ["", "a", "\"", "\\", "<p>Grüße „so“</p>\n<p>zwei</p>", "\u{7f}\u{2028}€"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Every byte below 0x80 at every place of two blocks of eight, so
        // each escape is found in the block, in the rest and across both.
        for byte in 0u8..0x80 {
            for at in 0..20 {
                let mut text = "abcdefghijklmnopqrst".to_string();
                text.replace_range(at..at + 1, &char::from(byte).to_string());
                texts.push(text);
            }
        }
        for text in &texts {
            let ours = json_string(text).unwrap();
            assert_eq!(ours.get(), serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn script_json_cannot_end_its_element() {
        let value = json!({ "headline": "</script><script>alert(1)</script><!-- & \u{2028}" });
        let text = script_json(&value);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "{text}");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value, "the escapes read back as the same JSON");
    }
}
