//! HTML pages and the sitemap, each rendered from its template: a story's
//! page, version pages and diff pages from its [`StoryHistory`], the index
//! pages, the 404 page and the sitemap from what the plan lists.
//!
//! A page function renders exactly one document from data it is handed; it
//! never compares versions, never decides which stories a page holds (the
//! plan does) and never writes.

use anyhow::{Context, Result};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::Templates;
use super::history::StoryHistory;
use super::views::{ArticleView, ListItem, SiteView, VersionView};
use crate::config::Config;
use crate::diff::VersionDiff;
use crate::paths;
use crate::stories::Story;

/// The page of one story.
pub fn story_page(templates: &Templates, site: &SiteView, history: &StoryHistory) -> Result<String> {
    let body = history.latest_body();
    templates.render("story.html", context! { site => Serde(site), story => Serde(&history.view), body })
}

/// The permanent page of version `n` (1-based) of a story.
pub fn version_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    history: &StoryHistory,
    n: usize,
) -> Result<String> {
    let story = history.story;
    let neighbours = context! {
        previous => n.checked_sub(2).map(|i| config.url(&paths::version_dir(&story.path, story.versions[i].n))),
        next => story.versions.get(n).map(|v| config.url(&paths::version_dir(&story.path, v.n))),
    };
    templates.render(
        "version.html",
        context! {
            site => Serde(site),
            story => Serde(&history.view),
            version => Serde(history.version(n)),
            article => Serde(ArticleView::new(history.article(n))),
            neighbours,
            body => history.body(n),
        },
    )
}

/// What the diff template sees.
#[derive(Serialize)]
struct DiffPageView<'h, 'a> {
    url: String,
    old: &'h VersionView<'a>,
    new: &'h VersionView<'a>,
    diff: &'h VersionDiff,
    /// First against latest, across versions in between.
    spans_versions: bool,
}

/// The diff page from version `old` to version `new` of a story.
pub fn diff_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    history: &StoryHistory,
    old: usize,
    new: usize,
) -> Result<String> {
    let diff = history.diff(old, new).with_context(|| format!("no diff from version {old} to {new} was computed"))?;
    let page = DiffPageView {
        url: config.url(&paths::diff_dir(&history.story.path, old, new)),
        old: history.version(old),
        new: history.version(new),
        diff,
        spans_versions: new - old > 1,
    };
    templates.render("diff.html", context! { site => Serde(site), story => Serde(&history.view), page => Serde(page) })
}

/// Index page `number` of `total`, listing `stories` (newest first).
pub fn index_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    stories: &[Story],
    number: usize,
    total: usize,
) -> Result<String> {
    let items: Vec<ListItem> = stories.iter().map(|story| ListItem::new(story, config)).collect();
    let pager = context! {
        number,
        total,
        previous => (number > 1).then(|| config.url(&paths::index_dir(number - 1))),
        next => (number < total).then(|| config.url(&paths::index_dir(number + 1))),
    };
    templates.render("index.html", context! { site => Serde(site), stories => Serde(&items), pager })
}

/// The page shown for unknown URLs.
pub fn not_found_page(templates: &Templates, site: &SiteView) -> Result<String> {
    templates.render("404.html", context! { site => Serde(site) })
}

/// One URL of the sitemap.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SitemapEntry {
    pub url: String,
    /// W3C datetime (RFC 3339).
    pub lastmod: Option<String>,
}

/// `sitemap.xml` listing the `index_pages` index pages and every story
/// (`stories` newest first, as on the index pages).
pub fn sitemap(templates: &Templates, config: &Config, stories: &[Story], index_pages: usize) -> Result<String> {
    templates.render("sitemap.xml", context! { entries => Serde(sitemap_entries(config, stories, index_pages)) })
}

/// The sitemap entries of index pages and stories, in site order.
fn sitemap_entries(config: &Config, stories: &[Story], index_pages: usize) -> Vec<SitemapEntry> {
    let newest = stories.first().map(|story| story.updated().to_rfc3339());
    let index =
        (1..=index_pages).map(|n| SitemapEntry { url: config.url(&paths::index_dir(n)), lastmod: newest.clone() });
    let stories = stories
        .iter()
        .map(|story| SitemapEntry { url: config.url(&story.path), lastmod: Some(story.updated().to_rfc3339()) });
    index.chain(stories).collect()
}
