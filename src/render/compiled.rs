//! The default templates of the pages written most often, a story's page,
//! its version pages and its diff pages (`story.html`, `version.html` and
//! `diff.html` in `base.html`), written out in Rust: the bytes minijinja
//! renders from them, without interpreting them. A build of 50,000 articles
//! rendered these 106,000 pages from the templates in 1.5 s of processor
//! time (version pages 0.6 s, story pages 0.55 s, diff pages 0.35 s), 9 %
//! of the build's 17 s, and spent 0.35 to 0.4 s more making their values
//! for the templates (timed per page in two builds).
//!
//! A page is written here only while the user overrides neither its
//! template nor `base.html` ([`writes`]); a user's template is rendered as
//! before. The templates stay the reference: `tests/testsuite/templates.rs`
//! builds the fixtures once as they are and once with copies of the default
//! templates as the user's own, and compares every page byte for byte, so a
//! change to one of these templates fails there until it is made here too.

use std::fmt::Write;

use super::Templates;
use super::history::StoryHistory;
use super::newsmeta::{StoryMeta, VersionLinks};
use super::templates::write_escaped;
use super::views::{SiteView, TimeView, VersionView};
use crate::diff::VersionDiff;

/// Whether the function of this module that writes the pages of `template`
/// may stand for it and `base.html`.
pub fn writes(templates: &Templates, template: &str) -> bool {
    templates.are_defaults(&["base.html", template])
}

/// A page being written: markup as it is, text escaped as the templates'
/// formatter escapes it.
struct Page(String);

impl Page {
    fn markup(&mut self, markup: &str) -> &mut Page {
        self.0.push_str(markup);
        self
    }

    fn text(&mut self, text: &str) -> &mut Page {
        write_escaped(&mut self.0, text).expect("a String takes any text");
        self
    }

    fn number(&mut self, number: usize) -> &mut Page {
        write!(self.0, "{number}").expect("a String takes any text");
        self
    }
}

/// A safe string of the site's or a page's (made by depesche).
fn safe(value: &minijinja::Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The blocks of a page that `base.html` puts in place.
struct Blocks<T, D, H, M> {
    title: T,
    description: D,
    head: H,
    main: M,
}

/// `base.html` around `blocks`, in a buffer of `size` bytes to start with.
fn base<T, D, H, M>(site: &SiteView, size: usize, blocks: Blocks<T, D, H, M>) -> Vec<u8>
where
    T: FnOnce(&mut Page),
    D: FnOnce(&mut Page),
    H: FnOnce(&mut Page),
    M: FnOnce(&mut Page),
{
    let Blocks { title, description, head, main } = blocks;
    let mut page = Page(String::with_capacity(size));
    page.markup("<!DOCTYPE html>\n<html lang=\"")
        .text(&site.language)
        .markup("\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.markup("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    title(&mut page);
    page.markup("</title>\n<meta name=\"description\" content=\"");
    description(&mut page);
    page.markup("\">\n");
    head(&mut page);
    page.markup("\n").markup(safe(&site.head)).markup("\n</head>\n<body>\n").markup(safe(&site.header));
    page.markup("\n<main class=\"wrap\">\n");
    main(&mut page);
    page.markup("\n</main>\n").markup(safe(&site.footer)).markup("\n</body>\n</html>");
    page.0.into_bytes()
}

/// The site's description, the description block of most pages.
fn site_description(site: &SiteView) -> impl FnOnce(&mut Page) + '_ {
    |page: &mut Page| {
        page.text(&site.description);
    }
}

/// A correction's notice with its `note` and `time`, as `story.html`,
/// `version.html` and `diff.html` show it.
fn correction_notice(page: &mut Page, note: &str, time: &TimeView) {
    page.markup("\n<p class=\"correction\"><strong>Diese Meldung wurde berichtigt.</strong> ");
    page.markup("Hinweis der Redaktion: „").text(note).markup("“ (<time datetime=\"").text(&time.iso).markup("\">");
    page.text(&time.short).markup(" Uhr</time>)</p>");
}

/// A `<link rel>` of the head, on a line of its own after the one before.
fn head_link(page: &mut Page, rel: &str, url: &str) {
    page.markup("\n<link rel=\"").markup(rel).markup("\" href=\"").text(url).markup("\">");
}

/// [`head_link`] if there is a `url` (a template's `{% if url %}`: an
/// empty one counts as none).
fn optional_head_link(page: &mut Page, rel: &str, url: Option<&str>) {
    if let Some(url) = url.filter(|url| !url.is_empty()) {
        head_link(page, rel, url);
    }
}

/// The page of the story of `history`, as `story.html` renders it with
/// `meta` and the latest version's text.
pub fn story_page(site: &SiteView, history: &StoryHistory, meta: &StoryMeta) -> Vec<u8> {
    let story = &history.view;
    let body = history.latest_body();
    let title = |page: &mut Page| {
        page.text(story.latest.headline).markup(" – ").text(&site.title);
    };
    let description = |page: &mut Page| {
        page.text(&story.teaser);
    };
    let head = |page: &mut Page| {
        page.markup("<link rel=\"canonical\" href=\"").text(&story.url).markup("\">\n");
        page.markup("<link rel=\"alternate\" type=\"application/json\" title=\"Diese Meldung als ninjs (JSON)\" ");
        page.markup("href=\"").text(&meta.json_url).markup("\">");
        head_link(page, "version-history", &meta.links.history);
        head_link(page, "latest-version", &meta.links.latest);
        optional_head_link(page, "predecessor-version", meta.links.predecessor.as_deref());
        let property = |page: &mut Page, property: &str, content: &str| {
            page.markup("\n<meta property=\"").markup(property).markup("\" content=\"").text(content).markup("\">");
        };
        property(page, "og:type", "article");
        property(page, "og:title", story.latest.headline);
        property(page, "og:description", &story.teaser);
        property(page, "og:url", &story.url);
        property(page, "og:site_name", &site.title);
        property(page, "og:locale", "de_DE");
        property(page, "article:published_time", &meta.published.iso);
        property(page, "article:modified_time", &meta.modified.iso);
        page.markup("\n<script type=\"application/ld+json\">").markup(safe(&meta.json_ld)).markup("</script>");
    };
    let main = |page: &mut Page| {
        page.markup("\n<article>");
        for correction in &story.corrections {
            correction_notice(page, correction.revision.as_ref().map_or("", |r| r.text), &correction.time);
        }
        page.markup("\n<h1>").text(story.latest.headline).markup("</h1>\n<p class=\"meta\">\n<a href=\"");
        page.text(&meta.day_url).markup("\" title=\"Alle Meldungen dieses Tages\"><time datetime=\"");
        page.text(&meta.published.iso).markup("\">").text(&meta.published.display).markup("</time></a>");
        if meta.modified.iso != meta.published.iso {
            page.markup(" · aktualisiert <time datetime=\"").text(&meta.modified.iso).markup("\">");
            page.text(&meta.modified.display).markup("</time>");
        }
        for (i, place) in meta.places.iter().enumerate() {
            page.markup(if i == 0 { " · " } else { ", " });
            page.markup("<a href=\"").text(&place.url).markup("\">").text(&place.name).markup("</a>");
        }
        if let Some(revision) = &story.latest.revision {
            page.markup(" · <span class=\"note\">").text(revision.text).markup("</span>");
        }
        page.markup("\n</p>\n").markup(body).markup("\n</article>\n");
        page.markup("<section class=\"history\" aria-labelledby=\"fassungen\">\n<h2 id=\"fassungen\">Fassungen</h2>");
        if story.versions.len() > 1 && story.all_same_text {
            page.markup("\n<p>Diese Meldung wurde unverändert wiederholt; der Text aller Fassungen ist gleich.</p>");
        }
        page.markup("\n<ol>");
        for version in &story.versions {
            history_entry(page, version);
        }
        page.markup("\n</ol>");
        if let Some(full_diff_url) = story.full_diff_url.as_deref().filter(|url| !url.is_empty()) {
            page.markup("\n<p><a href=\"")
                .text(full_diff_url)
                .markup("\">Alle Änderungen seit der ersten Fassung</a></p>");
        }
        page.markup("\n</section>\n");
    };
    let size = body.len() + 4096 + 640 * story.versions.len();
    base(site, size, Blocks { title, description, head, main })
}

/// A version's line in a story page's list of versions.
fn history_entry(page: &mut Page, version: &VersionView) {
    page.markup("\n<li><time datetime=\"").text(&version.time.iso).markup("\">").text(&version.time.short);
    page.markup(" Uhr</time>");
    if let Some(revision) = &version.revision {
        match revision.is_correction {
            true => page.markup(" – <strong class=\"note\">").text(revision.raw).markup("</strong>"),
            false => page.markup(" – <span class=\"note\">").text(revision.raw).markup("</span>"),
        };
    }
    page.markup("\n – <a href=\"").text(&version.url).markup("\">").text(version.headline).markup("</a>");
    if version.unchanged {
        page.markup(" (Text unverändert)");
    } else if let Some(diff_url) = version.diff_url.as_deref().filter(|url| !url.is_empty()) {
        page.markup(" (<a href=\"").text(diff_url).markup("\">Änderungen zu Fassung ").number(version.n - 1);
        page.markup("</a>)");
    }
    page.markup("\n (<a href=\"").text(&version.source_url).markup("\">Originaltext</a>)</li>");
}

/// The page of version `n` of the story of `history`, as `version.html`
/// renders it with `links` and the `previous` and `next` versions' pages.
pub fn version_page(
    site: &SiteView,
    history: &StoryHistory,
    n: usize,
    links: &VersionLinks,
    previous: Option<&str>,
    next: Option<&str>,
) -> Vec<u8> {
    let version = history.version(n);
    let article = &history.texts.articles[n - 1];
    let body = history.body(n);
    let title = |page: &mut Page| {
        page.text(version.headline).markup(" (Fassung ").number(n).markup(") – ").text(&site.title);
    };
    let head = |page: &mut Page| {
        page.markup("<link rel=\"canonical\" href=\"").text(&version.url).markup("\">");
        head_link(page, "version-history", &links.history);
        head_link(page, "latest-version", &links.latest);
        optional_head_link(page, "predecessor-version", links.predecessor.as_deref());
        optional_head_link(page, "successor-version", links.successor.as_deref());
    };
    let main = |page: &mut Page| {
        page.markup("\n<p class=\"meta\"><a href=\"").text(&history.view.url);
        page.markup("\">Zur Meldung mit der neuesten Fassung</a> · Fassung ").number(n);
        page.markup(" von ").number(history.view.versions.len()).markup("</p>\n<article>\n<h1>");
        page.text(version.headline).markup("</h1>\n<p class=\"meta\">\n<time datetime=\"").text(&version.time.iso);
        page.markup("\">").text(&version.time.display).markup("</time>");
        let places = article.dateline.as_ref().map_or(&[][..], |dateline| dateline.places.as_slice());
        if !places.is_empty() {
            page.markup(" · ").text(&places.join(", "));
        }
        if let Some(revision) = &version.revision {
            page.markup(" · <span class=\"note\">").text(revision.raw).markup("</span>");
        }
        page.markup("\n</p>");
        if let Some(revision) = version.revision.as_ref().filter(|revision| revision.is_correction) {
            correction_notice(page, revision.text, &version.time);
        }
        if version.unchanged {
            page.markup("\n<p class=\"muted\">Wortgleich mit Fassung ").number(n - 1);
            page.markup(": Die Meldung wurde unverändert wiederholt.</p>");
        }
        page.markup("\n").markup(body).markup("\n</article>\n<nav class=\"pager\" aria-label=\"Fassungen\">\n<span>");
        if let Some(previous) = previous.filter(|url| !url.is_empty()) {
            page.markup("<a href=\"").text(previous).markup("\" rel=\"prev\">← Fassung ").number(n - 1).markup("</a>");
        }
        page.markup("</span>\n<span>");
        if let Some(diff_url) = version.diff_url.as_deref().filter(|url| !url.is_empty()) {
            page.markup("<a href=\"").text(diff_url).markup("\">Änderungen zu Fassung ").number(n - 1).markup("</a>");
        }
        page.markup("</span>\n<span>");
        if let Some(next) = next.filter(|url| !url.is_empty()) {
            page.markup("<a href=\"").text(next).markup("\" rel=\"next\">Fassung ").number(n + 1).markup(" →</a>");
        }
        page.markup("</span>\n</nav>\n<p class=\"muted\"><a href=\"").text(&version.source_url);
        page.markup("\">Originaltext dieser Fassung</a> (die Datei, wie sie geliefert wurde)</p>\n");
    };
    let description = site_description(site);
    base(site, body.len() + 4096, Blocks { title, description, head, main })
}

/// How a diff page explains its marks, as `diff.html` has it.
const DIFF_LEGEND: &str = concat!(
    "\n<p class=\"legend\">So sind Änderungen markiert: <ins><span class=\"cue\" aria-hidden=\"true\">[+ </span>",
    "<span class=\"visually-hidden\">eingefügt: </span>eingefügter Text<span class=\"cue\" aria-hidden=\"true\"> +]",
    "</span></ins> und <del><span class=\"cue\" aria-hidden=\"true\">[− </span><span class=\"visually-hidden\">",
    "gestrichen: </span>gestrichener Text<span class=\"cue\" aria-hidden=\"true\"> −]</span></del>. ",
    "Vorlesende Programme sagen „eingefügt“ und „gestrichen“ an.\n",
);

/// The diff page from version `old` to `new` of the story of `history`,
/// as `diff.html` renders it with the page's `url`, `diff` and its markup
/// `diff_html`.
pub fn diff_page(
    site: &SiteView,
    history: &StoryHistory,
    (old, new): (usize, usize),
    url: &str,
    diff: &VersionDiff,
    diff_html: &str,
) -> Vec<u8> {
    let (old_view, new_view) = (history.version(old), history.version(new));
    let title = |page: &mut Page| {
        page.markup("Änderungen von Fassung ").number(old).markup(" zu ").number(new).markup(": ");
        page.text(new_view.headline).markup(" – ").text(&site.title);
    };
    let head = |page: &mut Page| {
        page.markup("<link rel=\"canonical\" href=\"")
            .text(url)
            .markup("\">\n<meta name=\"robots\" content=\"noindex\">");
    };
    let main = |page: &mut Page| {
        page.markup("\n<p class=\"meta\"><a href=\"").text(&history.view.url);
        page.markup("\">Zur Meldung mit der neuesten Fassung</a></p>\n<h1>Änderungen von Fassung ").number(old);
        page.markup(" zu Fassung ").number(new).markup("</h1>\n<p class=\"meta\">\n");
        diff_side(page, old_view);
        page.markup("\n→ ");
        diff_side(page, new_view);
        match new - old {
            1 => {}
            2 => {
                page.markup(" (über die Fassung dazwischen hinweg)");
            }
            apart => {
                page.markup(" (über die ").number(apart - 1).markup(" Fassungen dazwischen hinweg)");
            }
        }
        page.markup("\n</p>");
        if let Some(revision) = new_view.revision.as_ref().filter(|revision| revision.is_correction) {
            correction_notice(page, revision.text, &new_view.time);
        }
        page.markup(DIFF_LEGEND);
        if diff.inserted == 0 && diff.deleted == 0 {
            page.markup(
                "Der Text ist Wort für Wort unverändert; geänderte Leerzeichen und Zeilenumbrüche zählen nicht.",
            );
        } else {
            let words = |count: usize| if count == 1 { " Wort" } else { " Wörter" };
            page.number(diff.inserted).markup(words(diff.inserted)).markup(" eingefügt, ");
            page.number(diff.deleted).markup(words(diff.deleted)).markup(" gestrichen.");
        }
        page.markup("</p>\n<article class=\"diff\">").markup(diff_html).markup("\n</article>\n");
    };
    let description = site_description(site);
    base(site, diff_html.len() + 4096, Blocks { title, description, head, main })
}

/// One version's link, time and note in a diff page's heading.
fn diff_side(page: &mut Page, version: &VersionView) {
    page.markup("<a href=\"").text(&version.url).markup("\">Fassung ").number(version.n);
    page.markup("</a> vom <time datetime=\"").text(&version.time.iso).markup("\">").text(&version.time.display);
    page.markup("</time>");
    if let Some(revision) = &version.revision {
        page.markup(" <span class=\"note\">").text(revision.raw).markup("</span>");
    }
}
