//! What templates see: plain, serialisable views of the site and its stories,
//! with every URL absolute and every time already formatted in German.
//!
//! Views are data only: they never render a template and never compare
//! versions (whether a version reads like the one before it is computed
//! once per story by `history` and handed in). Every URL comes from `paths`.

use anyhow::Result;
use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use serde::Serialize;

use super::templates::Templates;
use crate::config::Config;
use crate::parse::{Article, Block, Revision};
use crate::paths;
use crate::plan::Paging;
use crate::stories::{Story, Version};

/// The `pager` of page `number` of a listing cut by `paging` (what
/// `pager.html` shows): its number (0 for the first page, older pages
/// counted from the oldest) and links to the pages with newer (`previous`)
/// and older (`next`) stories, whose folders `dir_of` gives.
pub fn pager(number: usize, paging: Paging, dir_of: impl Fn(usize) -> String, config: &Config) -> minijinja::Value {
    minijinja::context! {
        number,
        previous => paging.newer(number).map(|page| config.url(&dir_of(page))),
        next => paging.older(number).map(|page| config.url(&dir_of(page))),
    }
}

/// Site-wide values every page gets.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub language: String,
    pub author: String,
    pub atom_url: String,
    pub rss_url: String,
    pub json_url: String,
    /// `changes.xml`, every version as an entry of its own.
    pub changes_url: String,
    /// `datum/`, the date archives.
    pub dates_url: String,
    /// `ort/`, the dateline places.
    pub places_url: String,
    /// `abonnieren/`, the feeds explained.
    pub subscribe_url: String,
    /// The search page; empty when the site has none.
    pub search_url: String,
    /// `stil.css`, with its template's digest as a query, so that a browser
    /// fetches it again exactly when it changed. From the host's root, not
    /// absolute: a copy of the site served elsewhere (`depesche serve`, a
    /// test server) is styled by its own stylesheet.
    pub stylesheet_url: String,
    /// The parts of every page that depend on the site alone, rendered once
    /// from their templates with the fields above (`site-head.html`: the
    /// feed and stylesheet links; `site-header.html`: the page header;
    /// `site-footer.html`: the footer), as safe strings that `base.html`
    /// puts in place. Rendered on every page, they cost about 4 µs of each
    /// (a page with an empty body: 6.0 µs, against 1.7 µs with them ready).
    pub head: minijinja::Value,
    pub header: minijinja::Value,
    pub footer: minijinja::Value,
    /// The fields above as the templates see them, made once: every page
    /// gets them.
    #[serde(skip)]
    value: minijinja::Value,
}

impl SiteView {
    pub fn new(config: &Config, templates: &Templates) -> Result<SiteView> {
        let stylesheet_version = crate::cache::bytes_digest(templates.source("stil.css").as_bytes());
        let mut site = SiteView {
            title: config.title.clone(),
            description: config.description.clone(),
            base_url: config.base_url.clone(),
            language: config.language.clone(),
            author: config.author.clone(),
            atom_url: config.url(paths::ATOM),
            rss_url: config.url(paths::RSS),
            json_url: config.url(paths::JSON),
            changes_url: config.url(paths::CHANGES),
            dates_url: config.url(paths::DATES_DIR),
            places_url: config.url(paths::PLACES_DIR),
            subscribe_url: config.url(paths::SUBSCRIBE_DIR),
            search_url: if config.search { config.url(paths::SEARCH_DIR) } else { String::new() },
            stylesheet_url: format!("{}{}?v={:08x}", config.base_path(), paths::STYLESHEET, stylesheet_version >> 32),
            head: minijinja::Value::UNDEFINED,
            header: minijinja::Value::UNDEFINED,
            footer: minijinja::Value::UNDEFINED,
            value: minijinja::Value::UNDEFINED,
        };
        let fields = minijinja::Value::from(minijinja::value::Serde(&site));
        let fragment = |name: &str| -> Result<minijinja::Value> {
            let html = templates.render(name, minijinja::context! { site => fields.clone() })?;
            Ok(minijinja::Value::from_safe_string(html))
        };
        site.head = fragment("site-head.html")?;
        site.header = fragment("site-header.html")?;
        site.footer = fragment("site-footer.html")?;
        site.value = minijinja::Value::from(minijinja::value::Serde(&site));
        Ok(site)
    }

    /// The site as the templates see it.
    pub fn value(&self) -> minijinja::Value {
        self.value.clone()
    }
}

/// A point in time, machine- and human-readable.
#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    /// RFC 3339 with offset, for `<time datetime>`.
    pub iso: String,
    /// `28. Oktober 2024, 14:57 Uhr`.
    pub display: String,
    /// `28.10.2024, 14:57`.
    pub short: String,
}

pub const MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

impl TimeView {
    pub fn new(time: DateTime<FixedOffset>) -> TimeView {
        let local = time.naive_local();
        let (year, month, day) = (local.year(), local.month(), local.day());
        let (hour, minute) = (local.hour(), local.minute());
        let (display, short) = match u32::try_from(year) {
            Ok(year @ 1000..=9999) => written_out(year, month, day, hour, minute),
            _ => formatted(year, month, day, hour, minute),
        };
        TimeView { iso: time.to_rfc3339(), display, short }
    }
}

/// [`TimeView`]'s `display` and `short` of a year of four digits, written
/// digit by digit: an archive shows tens of thousands of times, and
/// `format!` with its padding took two thousand instructions each.
fn written_out(year: u32, month: u32, day: u32, hour: u32, minute: u32) -> (String, String) {
    let month_name = MONTHS[month as usize - 1];
    let mut display = String::with_capacity(28);
    if day >= 10 {
        push_digit(&mut display, day / 10);
    }
    push_digit(&mut display, day % 10);
    display.push_str(". ");
    display.push_str(month_name);
    display.push(' ');
    push_four_digits(&mut display, year);
    display.push_str(", ");
    push_clock(&mut display, hour, minute);
    display.push_str(" Uhr");
    // As `%d.%m.%Y, %H:%M` gives it, without parsing a format string for
    // each of an archive's times.
    let mut short = String::with_capacity(17);
    push_two_digits(&mut short, day);
    short.push('.');
    push_two_digits(&mut short, month);
    short.push('.');
    push_four_digits(&mut short, year);
    short.push_str(", ");
    push_clock(&mut short, hour, minute);
    (display, short)
}

/// `display` and `short` of any other year (the wire has none).
fn formatted(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> (String, String) {
    let month_name = MONTHS[month as usize - 1];
    let display = format!("{day}. {month_name} {year}, {hour:02}:{minute:02} Uhr");
    let short = format!("{day:02}.{month:02}.{year:04}, {hour:02}:{minute:02}");
    (display, short)
}

fn push_digit(text: &mut String, digit: u32) {
    text.push(char::from(b'0' + digit as u8));
}

fn push_two_digits(text: &mut String, number: u32) {
    push_digit(text, number / 10);
    push_digit(text, number % 10);
}

fn push_four_digits(text: &mut String, number: u32) {
    push_two_digits(text, number / 100);
    push_two_digits(text, number % 100);
}

/// `HH:MM`.
fn push_clock(text: &mut String, hour: u32, minute: u32) {
    push_two_digits(text, hour);
    text.push(':');
    push_two_digits(text, minute);
}

/// One article's text, as the article template renders it.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView<'a> {
    pub headline: &'a str,
    pub dateline: Option<&'a str>,
    pub places: Vec<&'a str>,
    pub blocks: &'a [Block],
    pub trailer: &'a [String],
    pub revision: Option<RevisionView<'a>>,
    pub time: TimeView,
    /// The text with the default markup ([`ArticleView::with_html`]), a
    /// safe string; only for `article.html`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<minijinja::Value>,
}

/// A revision note with its German label.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionView<'a> {
    pub raw: &'a str,
    pub text: &'a str,
    pub kind: &'static str,
    pub label: &'static str,
    pub is_correction: bool,
}

impl<'a> ArticleView<'a> {
    pub fn new(article: &'a Article) -> ArticleView<'a> {
        let dateline = article.dateline.as_ref();
        ArticleView {
            headline: &article.headline,
            dateline: dateline.map(|d| d.raw.trim_end()),
            places: dateline.map(|d| d.places.iter().map(String::as_str).collect()).unwrap_or_default(),
            blocks: &article.blocks,
            trailer: &article.trailer,
            revision: article.revision.as_ref().map(RevisionView::new),
            time: TimeView::new(article.timestamp),
            html: None,
        }
    }

    /// The view of `article` with its text as HTML in the default markup
    /// (what `article.html` puts in): a line for each block, the first
    /// paragraph after the dateline, sub-headings as `<h2>`, the trailer
    /// last. Made here rather than by a template's loop over the blocks,
    /// which took a thirtieth of a build's processor time; a template of
    /// other markup still has `blocks`, `dateline` and `trailer`.
    pub fn with_html(article: &'a Article) -> ArticleView<'a> {
        let mut view = ArticleView::new(article);
        view.html = Some(minijinja::Value::from_safe_string(body_html(&view)));
        view
    }
}

/// [`ArticleView::with_html`]'s markup of `view`: what the default
/// `article.html` renders.
pub fn body_html(view: &ArticleView) -> String {
    let text_len: usize = view.blocks.iter().map(|block| block.text().len() + 16).sum();
    let mut html = String::with_capacity(text_len + 64);
    // A line of `parts`: markup as it is, text escaped, in turn.
    let mut line = |parts: &[&str]| {
        html.push('\n');
        for (i, part) in parts.iter().enumerate() {
            match i % 2 {
                0 => html.push_str(part),
                _ => super::templates::write_escaped(&mut html, part).expect("a String takes any text"),
            }
        }
    };
    let dateline = view.dateline.filter(|dateline| !dateline.is_empty());
    for (i, block) in view.blocks.iter().enumerate() {
        match (block, dateline) {
            (Block::Subheading(text), _) => line(&["<h2>", text, "</h2>"]),
            (Block::Paragraph(text), Some(dateline)) if i == 0 => {
                line(&["<p><span class=\"dateline\">", dateline, "</span> ", text, "</p>"])
            }
            (Block::Paragraph(text), _) => line(&["<p>", text, "</p>"]),
        }
    }
    if !view.trailer.is_empty() {
        line(&["<p class=\"trailer\">", &view.trailer.join(" "), "</p>"]);
    }
    html
}

impl<'a> RevisionView<'a> {
    pub fn new(revision: &'a Revision) -> RevisionView<'a> {
        RevisionView {
            raw: &revision.raw,
            text: &revision.text,
            kind: kind_name(revision.kind),
            label: revision.kind.label(),
            is_correction: revision.kind == crate::parse::RevisionKind::Correction,
        }
    }
}

fn kind_name(kind: crate::parse::RevisionKind) -> &'static str {
    use crate::parse::RevisionKind::*;
    match kind {
        NewDetails => "new-details",
        Repeat => "repeat",
        Correction => "correction",
        Update => "update",
        Cosmetic => "cosmetic",
        Other => "other",
    }
}

/// A version in a story's history.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView<'a> {
    pub n: usize,
    pub headline: &'a str,
    pub time: TimeView,
    pub revision: Option<RevisionView<'a>>,
    pub source_url: String,
    /// The version's own page.
    pub url: String,
    /// The diff page against the version before it (none for the first).
    pub diff_url: Option<String>,
    /// Word for word the same text as the version before it (a repeat).
    pub unchanged: bool,
}

/// A story page's data.
#[derive(Debug, Clone, Serialize)]
pub struct StoryView<'a> {
    pub id: &'a str,
    pub url: String,
    pub path: &'a str,
    pub latest: ArticleView<'a>,
    pub published: TimeView,
    pub updated: TimeView,
    pub versions: Vec<VersionView<'a>>,
    pub teaser: String,
    /// The corrections among the versions, oldest first, shown prominently.
    pub corrections: Vec<VersionView<'a>>,
    /// The diff page of the first against the latest version, when there are
    /// versions between them (with two versions it is `versions[1].diff_url`).
    pub full_diff_url: Option<String>,
    /// Every version reads the same (repeats only): the page shows one text.
    pub all_same_text: bool,
}

impl<'a> StoryView<'a> {
    /// The view of `story` whose latest version's text is `latest`;
    /// `same_as_previous[i]` tells whether version `i + 1` reads word for
    /// word like the version before it.
    pub fn new(story: &'a Story, latest: &'a Article, config: &Config, same_as_previous: &[bool]) -> StoryView<'a> {
        let versions: Vec<VersionView> =
            story.versions.iter().map(|v| version_view(story, v, config, same_as_previous[v.n - 1])).collect();
        let corrections =
            story.versions.iter().filter(|v| v.is_correction()).map(|v| versions[v.n - 1].clone()).collect();
        StoryView {
            id: &story.id,
            url: config.url(&story.path),
            path: &story.path,
            latest: ArticleView::new(latest),
            published: TimeView::new(story.published()),
            updated: TimeView::new(story.updated()),
            versions,
            teaser: story.latest().head.teaser.clone(),
            corrections,
            full_diff_url: (story.versions.len() > 2)
                .then(|| config.url(&paths::diff_dir(&story.path, 1, story.latest().n))),
            all_same_text: same_as_previous.iter().skip(1).all(|&same| same),
        }
    }
}

/// A version in a story's history; `unchanged` when it reads like the one before.
fn version_view<'a>(story: &Story, version: &'a Version, config: &Config, unchanged: bool) -> VersionView<'a> {
    let previous = version.n.checked_sub(2).and_then(|i| story.versions.get(i));
    VersionView {
        n: version.n,
        headline: &version.head.headline,
        time: TimeView::new(version.head.timestamp),
        revision: version.head.revision.as_ref().map(RevisionView::new),
        source_url: config.url(&paths::source_file(&story.path, version.n)),
        url: config.url(&paths::version_dir(&story.path, version.n)),
        diff_url: previous.map(|p| config.url(&paths::diff_dir(&story.path, p.n, version.n))),
        unchanged: previous.is_some() && unchanged,
    }
}

/// One line of the index: the story's own strings borrowed, since a story
/// is listed on several pages (the index, its day, its places).
#[derive(Debug, Clone, Serialize)]
pub struct ListItem<'a> {
    pub url: String,
    pub headline: &'a str,
    pub places: &'a [String],
    pub published: TimeView,
    pub updated: TimeView,
    pub version_count: usize,
    pub revision: Option<&'a str>,
    pub teaser: &'a str,
}

impl<'a> ListItem<'a> {
    pub fn new(story: &'a Story, config: &Config) -> ListItem<'a> {
        let latest = &story.latest().head;
        ListItem {
            url: config.url(&story.path),
            headline: &latest.headline,
            places: latest.dateline.as_ref().map_or(&[], |d| d.places.as_slice()),
            published: TimeView::new(story.published()),
            updated: TimeView::new(story.updated()),
            version_count: story.versions.len(),
            revision: latest.revision.as_ref().map(|r| r.text.as_str()),
            teaser: &latest.teaser,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loop `article.html` had before depesche made the default markup:
    /// what [`ArticleView::with_html`] must give, byte for byte.
    const ARTICLE_LOOP: &str = r#"{%- for block in article.blocks -%}
{%- if block.kind == "subheading" %}
<h2>{{ block.text }}</h2>
{%- elif loop.first and article.dateline %}
<p><span class="dateline">{{ article.dateline }}</span> {{ block.text }}</p>
{%- else %}
<p>{{ block.text }}</p>
{%- endif -%}
{%- endfor %}
{%- if article.trailer %}
<p class="trailer">{{ article.trailer | join(" ") }}</p>
{%- endif %}
"#;

    #[test]
    fn the_default_article_markup_is_what_the_loop_template_renders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("article.html"), ARTICLE_LOOP).unwrap();
        let looping = Templates::load(Some(dir.path())).unwrap();
        let text = "Titel <b>\n28.10.2024 - 14:57:43\nBRÜSSEL (dpa-AFX) - Erster Absatz mit \"Zitat\" & 'Apostroph' <i>.\n\
                    Zweiter Absatz.\nZwischentitel\nDritter Absatz, länger als eine Zeile, mit 600.000 Soldaten.\n/ajx/he\n";
        let article = crate::parse::parse_article(text).expect("the article parses").article;
        let subheading = Block::Subheading("Zwischen <titel> & 'so'".into());
        let paragraph = Block::Paragraph("Absatz \"eins\"".into());
        let first_subheading = [subheading.clone(), paragraph.clone()];
        let trailer = ["/ajx".to_string(), "<he>".to_string()];
        let mut views = vec![ArticleView::new(&article)];
        let mut no_dateline = ArticleView::new(&article);
        no_dateline.dateline = None;
        views.push(no_dateline);
        let mut empty_dateline = ArticleView::new(&article);
        empty_dateline.dateline = Some("");
        views.push(empty_dateline);
        let mut heading_first = ArticleView::new(&article);
        heading_first.blocks = &first_subheading;
        heading_first.trailer = &trailer;
        views.push(heading_first);
        let mut nothing = ArticleView::new(&article);
        nothing.blocks = &[];
        nothing.trailer = &[];
        views.push(nothing);
        assert!(article.dateline.is_some() && !article.trailer.is_empty(), "{article:?}");
        assert!(article.blocks.iter().any(|block| matches!(block, Block::Subheading(_))), "{:?}", article.blocks);
        for view in views {
            let from_loop = looping
                .render(
                    "article.html",
                    minijinja::context! { article => minijinja::Value::from(minijinja::value::Serde(&view)) },
                )
                .unwrap();
            assert_eq!(body_html(&view), from_loop);
        }
    }

    /// Times written digit by digit read as the format strings write them,
    /// on every month, day, hour and minute, across years of four digits.
    #[test]
    fn times_written_out_are_the_formatted_times() {
        for (year, month, day, hour, minute) in
            (0..4000u32).map(|i| (1000 + i * 9 % 9000, i % 12 + 1, i * 7 % 28 + 1 + i % 4, i % 24, i * 13 % 60))
        {
            let expected = formatted(year as i32, month, day.min(31), hour, minute);
            assert_eq!(written_out(year, month, day.min(31), hour, minute), expected);
        }
        let time = DateTime::parse_from_rfc3339("2024-12-31T23:59:59+01:00").unwrap();
        assert_eq!(TimeView::new(time).display, time.format("%-d. Dezember %Y, %H:%M Uhr").to_string());
        for day in 1..=31 {
            let time = DateTime::parse_from_rfc3339(&format!("2023-03-{day:02}T07:05:00+01:00")).unwrap();
            assert_eq!(TimeView::new(time).display, time.format("%-d. März %Y, %H:%M Uhr").to_string());
        }
    }

    #[test]
    fn german_time_display() {
        let time = DateTime::parse_from_rfc3339("2024-03-05T09:07:00+01:00").unwrap();
        let view = TimeView::new(time);
        assert_eq!(view.display, "5. März 2024, 09:07 Uhr");
        assert_eq!(view.short, "05.03.2024, 09:07");
        for time in ["2024-12-31T23:59:59+01:00", "0987-01-01T00:00:00+00:00", "2026-11-29T07:40:00-05:00"] {
            let time = DateTime::parse_from_rfc3339(time).unwrap();
            assert_eq!(TimeView::new(time).short, time.format("%d.%m.%Y, %H:%M").to_string());
        }
    }
}
