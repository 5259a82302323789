//! The feeds: Atom (`atom_syndication`), RSS 2.0 (`rss`) and JSON Feed 1.1.
//!
//! One entry per story, newest first. Ids and guids are fixed by a story's
//! first version and never change; an entry's `updated` is the story's
//! latest significant revision (repeats and cosmetic changes do not make a
//! reader look again). No clock reaches a feed: its `updated` time is the
//! newest entry's, so the same input gives the same bytes. The per-version
//! feed and the monthly archives (RFC 5005) live in `archive.rs` and reuse
//! the Atom document built here.
//!
//! A story's feed content is rendered from its [`StoryHistory`], once, and
//! handed to every feed and archive that carries the story. Which stories a
//! feed holds is the plan's decision, never this module's; nothing here
//! writes.

use anyhow::{Context, Result};
use atom_syndication as atom;
use chrono::{DateTime, FixedOffset};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::Templates;
use super::history::StoryHistory;
use super::views::SiteView;
use crate::config::Config;
use crate::stories::Story;

/// A story with its content rendered, as feeds need it.
pub struct FeedItem<'a> {
    pub story: &'a Story,
    pub url: String,
    /// The latest version's body as HTML, followed by the list of the
    /// story's versions with links to their diffs ([`feed_content_html`]).
    pub content_html: String,
}

/// A story's content in the feeds: the latest text, then the list of its
/// versions with links to their diffs.
pub fn feed_content_html(templates: &Templates, history: &StoryHistory) -> Result<String> {
    Ok(history.latest_body().to_string() + &changes_html(templates, history)?)
}

/// The list of a story's versions with links to their diffs, as HTML for
/// feed content (empty for a story with one version).
fn changes_html(templates: &Templates, history: &StoryHistory) -> Result<String> {
    if history.story.versions.len() < 2 {
        return Ok(String::new());
    }
    templates.render("changes.html", context! { story => history.view_value.clone() })
}

/// A version's content in `changes.xml`: its text, then links to its diff
/// and to the story.
pub fn version_entry_html(templates: &Templates, config: &Config, history: &StoryHistory, n: usize) -> Result<String> {
    let context = context! {
        story_url => config.url(&history.story.path),
        version => Serde(history.version(n)),
        body => history.body_value(n),
    };
    templates.render("version-entry.html", context)
}

/// The feeds' own time: the newest entry's update, or the Unix epoch for an
/// empty archive (never the build time).
fn feed_updated(items: &[FeedItem]) -> DateTime<FixedOffset> {
    items.iter().map(|item| item.story.significant_update()).max().unwrap_or_default()
}

/// What sets one of the site's Atom documents apart from the others.
pub struct AtomDocument {
    pub title: String,
    /// Its own URL: also its `id`, since every document is one resource.
    pub self_url: String,
    /// Links besides `self` and `alternate`, such as RFC 5005's `prev-archive`.
    pub links: Vec<atom::Link>,
    /// An RFC 5005 archive document (`<fh:archive/>`), which never changes
    /// once its month is over.
    pub archive: bool,
}

/// RFC 5005 (Feed Paging and Archiving) namespace.
const FEED_HISTORY_NS: &str = "http://purl.org/syndication/history/1.0";

/// `atom.xml`: the newest stories, with a `prev-archive` link to the newest
/// monthly archive so that a subscriber can walk back through all of them.
pub fn atom_feed(
    config: &Config,
    site: &SiteView,
    items: Vec<FeedItem>,
    prev_archive: Option<&str>,
) -> Result<Vec<u8>> {
    let document = AtomDocument {
        title: config.title.clone(),
        self_url: site.atom_url.clone(),
        links: prev_archive.map(|href| link("prev-archive", href, "application/atom+xml")).into_iter().collect(),
        archive: false,
    };
    let updated = feed_updated(&items);
    atom_document(config, document, items.into_iter().map(atom_entry).collect(), updated)
}

/// Any of the site's Atom documents, from its entries.
pub fn atom_document(
    config: &Config,
    document: AtomDocument,
    entries: Vec<atom::Entry>,
    updated: DateTime<FixedOffset>,
) -> Result<Vec<u8>> {
    let author = atom::Person { name: config.author.clone(), ..Default::default() };
    let mut links = vec![
        link("self", &document.self_url, "application/atom+xml"),
        link("alternate", &config.base_url, "text/html"),
    ];
    links.extend(document.links);
    // An archive never changes once its month is over: nobody subscribes to it.
    if let Some(hub) = config.websub_hub.as_deref().filter(|_| !document.archive) {
        links.push(atom::Link { rel: "hub".into(), href: hub.into(), ..Default::default() });
    }
    let mut feed = atom::Feed {
        title: atom::Text::plain(&document.title),
        subtitle: Some(atom::Text::plain(&config.description)),
        id: document.self_url,
        updated,
        authors: vec![author],
        links,
        lang: Some(config.language.clone()),
        generator: Some(atom::Generator { value: "depesche".into(), ..Default::default() }),
        entries,
        ..Default::default()
    };
    if document.archive {
        mark_as_archive(&mut feed);
    }
    write_atom(feed)
}

/// `feed` as `atom_syndication` writes it, written faster (see
/// [`take_html_contents`]).
fn write_atom(mut feed: atom::Feed) -> Result<Vec<u8>> {
    let contents = take_html_contents(&mut feed.entries);
    let frame = feed.write_to(Vec::with_capacity(2048 * (feed.entries.len() + 1)))?;
    put_html_contents(&frame, &contents)
}

/// An entry's HTML content as `atom_syndication` writes it once its text
/// is taken out: only an element the crate writes can hold a `<`, every
/// text in the document is escaped.
const EMPTY_HTML_CONTENT: &[u8] = b"<content type=\"html\"></content>";

/// Where an HTML content goes in [`EMPTY_HTML_CONTENT`]: after its start tag.
const HTML_CONTENT_AT: usize = EMPTY_HTML_CONTENT.len() - b"</content>".len();

/// The HTML content of `entries` in their order, each left empty in its
/// entry; the document is written without it and [`put_html_contents`]
/// puts it in. So it is escaped by [`write_escaped_as`], which skips to the
/// next character to escape with a vector search, and not a byte at a time
/// by the XML writer: an HTML text has a markup character every few dozen
/// bytes, and the archive documents are megabytes of it. (Escaped as the
/// writer does: the same five characters, the same entities.)
fn take_html_contents(entries: &mut [atom::Entry]) -> Vec<String> {
    // Without a text, the writer writes an HTML content with no other
    // attribute as it writes one with an empty text.
    let html_content = |entry: &mut atom::Entry| {
        let content = entry.content.as_mut().filter(|c| {
            c.content_type.as_deref() == Some("html") && c.base.is_none() && c.lang.is_none() && c.src.is_none()
        })?;
        Some(content.value.take().unwrap_or_default())
    };
    entries.iter_mut().filter_map(html_content).collect()
}

/// `frame` with `contents`, escaped, in its empty HTML contents, in order.
fn put_html_contents(frame: &[u8], contents: &[String]) -> Result<Vec<u8>> {
    let text: usize = contents.iter().map(String::len).sum();
    let mut document = String::with_capacity(frame.len() + text + text / 4);
    let frame = std::str::from_utf8(frame)?;
    let mut rest = frame;
    for content in contents {
        let at = memchr::memmem::find(rest.as_bytes(), EMPTY_HTML_CONTENT)
            .context("an Atom entry's content is missing from the written document")?;
        document.push_str(&rest[..at + HTML_CONTENT_AT]);
        super::templates::write_escaped_as(&mut document, content, "&apos;")?;
        rest = &rest[at + HTML_CONTENT_AT..];
    }
    if memchr::memmem::find(rest.as_bytes(), EMPTY_HTML_CONTENT).is_some() {
        anyhow::bail!("the written Atom document has more empty contents than its entries");
    }
    document.push_str(rest);
    Ok(document.into_bytes())
}

/// Add `<fh:archive/>` (RFC 5005 section 4) and its namespace.
fn mark_as_archive(feed: &mut atom::Feed) {
    feed.namespaces.insert("fh".into(), FEED_HISTORY_NS.into());
    let archive = atom::extension::Extension { name: "fh:archive".into(), ..Default::default() };
    feed.extensions.entry("fh".into()).or_default().insert("archive".into(), vec![archive]);
}

/// One story as an Atom entry: the same id for ever, `published` at the
/// first version, `updated` at the latest significant one. The item's
/// content moves into the entry (an archive document holds megabytes).
pub fn atom_entry(item: FeedItem) -> atom::Entry {
    let story = item.story;
    let latest = &story.latest().head;
    atom::Entry {
        title: atom::Text::plain(&latest.headline),
        id: story.id.clone(),
        updated: story.significant_update(),
        published: Some(story.published()),
        links: vec![link("alternate", &item.url, "text/html")],
        // As HTML, escaped: a text summary holding a literal `<script>` is shown
        // as markup by some readers (the W3C feed validator warns about it).
        summary: Some(html_summary(latest)),
        content: Some(html_content(item.content_html)),
        ..Default::default()
    }
}

/// An entry's summary: the teaser, escaped and declared as HTML.
pub fn html_summary(head: &crate::parse::ArticleHead) -> atom::Text {
    atom::Text::html(escape_html(&head.teaser))
}

/// An entry's content: rendered HTML, declared as such.
pub fn html_content(html: String) -> atom::Content {
    atom::Content { content_type: Some("html".into()), value: Some(html), ..Default::default() }
}

pub fn link(rel: &str, href: &str, mime_type: &str) -> atom::Link {
    atom::Link { rel: rel.into(), href: href.into(), mime_type: Some(mime_type.into()), ..Default::default() }
}

/// `rss.xml`.
pub fn rss_feed(config: &Config, site: &SiteView, items: &[FeedItem]) -> Result<String> {
    let self_link = rss::extension::atom::Link {
        rel: "self".into(),
        href: site.rss_url.clone(),
        mime_type: Some("application/rss+xml".into()),
        ..Default::default()
    };
    let hub_link = config.websub_hub.as_ref().map(|hub| rss::extension::atom::Link {
        rel: "hub".into(),
        href: hub.clone(),
        ..Default::default()
    });
    let channel = rss::Channel {
        title: config.title.clone(),
        link: config.base_url.clone(),
        description: config.description.clone(),
        language: Some(config.language.clone()),
        generator: Some("depesche".into()),
        last_build_date: Some(rfc822(feed_updated(items))),
        atom_ext: Some(rss::extension::atom::AtomExtension {
            links: vec![self_link].into_iter().chain(hub_link).collect(),
        }),
        items: items.iter().map(|item| rss_item(config, item)).collect(),
        ..Default::default()
    };
    let bytes = channel.write_to(Vec::new())?;
    // RSS never says whether a title is text or HTML, so readers guess. The RSS
    // Best Practices Profile asks for `&` and `<` as hexadecimal references,
    // which every reader takes as the character. The swap is safe everywhere in
    // the document: in XML text and attributes both forms are the same
    // character, and inside CDATA they stand in HTML, where they are too.
    Ok(String::from_utf8(bytes)?.replace("&lt;", "&#x3C;").replace("&amp;", "&#x26;"))
}

/// RFC 822 date with a two-digit day and the numeric offset: `Mon, 28 Oct 2024 14:57:43 +0100`.
fn rfc822(time: DateTime<FixedOffset>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S %z").to_string()
}

fn rss_item(config: &Config, item: &FeedItem) -> rss::Item {
    let latest = &item.story.latest().head;
    let creator =
        rss::extension::dublincore::DublinCoreExtension { creators: vec![config.author.clone()], ..Default::default() };
    rss::Item {
        title: Some(latest.headline.clone()),
        link: Some(item.url.clone()),
        // RSS readers show the description as HTML: the teaser is text, so escape it.
        description: Some(escape_html(&latest.teaser)),
        guid: Some(rss::Guid { value: item.url.clone(), permalink: true }),
        pub_date: Some(rfc822(item.story.published())),
        content: Some(item.content_html.to_string()),
        dublin_core_ext: Some(creator),
        ..Default::default()
    }
}

/// Text as HTML: `&`, `<` and `>` as entities.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    description: &'a str,
    language: &'a str,
    authors: [JsonAuthor<'a>; 1],
    /// The WebSub hub, when the site has one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<JsonHub<'a>>,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonHub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    summary: String,
    content_html: &'a str,
    date_published: String,
    date_modified: String,
}

/// `feed.json` (JSON Feed 1.1).
pub fn json_feed(config: &Config, site: &SiteView, items: &[FeedItem]) -> Result<String> {
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &config.title,
        home_page_url: &config.base_url,
        feed_url: &site.json_url,
        description: &config.description,
        language: &config.language,
        authors: [JsonAuthor { name: &config.author }],
        hubs: config.websub_hub.iter().map(|url| JsonHub { kind: "WebSub", url }).collect(),
        items: items.iter().map(json_item).collect(),
    };
    let mut text = serde_json::to_string_pretty(&feed)?;
    text.push('\n');
    Ok(text)
}

fn json_item<'a>(item: &'a FeedItem) -> JsonItem<'a> {
    let story = item.story;
    let latest = &story.latest().head;
    JsonItem {
        id: &story.id,
        url: &item.url,
        title: &latest.headline,
        summary: latest.teaser.clone(),
        content_html: &item.content_html,
        date_published: story.published().to_rfc3339(),
        date_modified: story.significant_update().to_rfc3339(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, content: Option<atom::Content>) -> atom::Entry {
        atom::Entry { title: atom::Text::plain(id), id: id.into(), content, ..Default::default() }
    }

    #[test]
    fn contents_put_in_are_what_the_writer_writes() {
        let markup = "<p class=\"a\">Tom's &amp; <b>„fett“</b> > </p>\n<content type=\"html\"></content>";
        let other = |kind: &str, value: Option<&str>| atom::Content {
            content_type: Some(kind.into()),
            value: value.map(String::from),
            ..Default::default()
        };
        let entries = vec![
            entry("a", Some(html_content(markup.into()))),
            entry("b", None),
            entry("c", Some(html_content(String::new()))),
            entry("d", Some(other("html", None))),
            entry("e", Some(other("text", Some(markup)))),
            entry("f", Some(atom::Content { lang: Some("de".into()), ..html_content(markup.into()) })),
            entry("g <&>", Some(html_content("'\"<>&".repeat(3)))),
        ];
        let feed = atom::Feed { title: atom::Text::plain("T <&>"), entries, ..Default::default() };
        let by_the_crate = feed.write_to(Vec::new()).unwrap();
        assert_eq!(String::from_utf8(write_atom(feed).unwrap()).unwrap(), String::from_utf8(by_the_crate).unwrap());
    }
}
