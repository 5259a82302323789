//! HTML pages and the sitemap, each rendered from its template.

use anyhow::Result;
use minijinja::context;
use minijinja::value::Serde;

use super::Templates;
use super::views::{ArticleView, ListItem, SiteView, StoryView};
use crate::config::Config;
use crate::parse::Article;
use crate::stories::Story;

/// Site path of index page `number` (1-based): `index.html`, `seite/2/index.html`, ...
pub fn index_path(number: usize) -> String {
    if number == 1 { "index.html".into() } else { format!("seite/{number}/index.html") }
}

/// The body of one article as HTML (dateline, paragraphs, sub-headings,
/// trailer), shared by pages and feed content.
pub fn article_html(templates: &Templates, article: &Article) -> Result<String> {
    templates.render("article.html", context! { article => Serde(ArticleView::new(article)) })
}

/// The page of one story.
pub fn story_page(templates: &Templates, site: &SiteView, config: &Config, story: &Story) -> Result<String> {
    let view = StoryView::new(story, config);
    let body = article_html(templates, &story.latest().article)?;
    templates.render("story.html", context! { site => Serde(site), story => Serde(view), body })
}

/// All index pages, newest first, `page_size` stories each, as (site path, HTML).
pub fn index_pages(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    items: &[ListItem],
) -> Result<Vec<(String, String)>> {
    let chunks: Vec<&[ListItem]> = if items.is_empty() { vec![&[]] } else { items.chunks(config.page_size).collect() };
    let total = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let number = i + 1;
            let pager = context! {
                number,
                total,
                previous => (number > 1).then(|| config.url(&index_dir(number - 1))),
                next => (number < total).then(|| config.url(&index_dir(number + 1))),
            };
            let html =
                templates.render("index.html", context! { site => Serde(site), stories => Serde(chunk), pager })?;
            Ok((index_path(number), html))
        })
        .collect()
}

/// The folder URL of an index page (`""` for the first, `seite/2/`).
fn index_dir(number: usize) -> String {
    index_path(number).trim_end_matches("index.html").to_string()
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

/// `sitemap.xml` listing the index pages and every story.
pub fn sitemap(templates: &Templates, entries: &[SitemapEntry]) -> Result<String> {
    templates.render("sitemap.xml", context! { entries => Serde(entries) })
}

/// The sitemap entries of index pages and stories, in site order.
pub fn sitemap_entries(
    config: &Config,
    items: &[ListItem],
    stories_updated: impl Iterator<Item = (String, String)>,
) -> Vec<SitemapEntry> {
    let pages = if items.is_empty() { 1 } else { items.len().div_ceil(config.page_size) };
    let newest = items.first().map(|item| item.updated.iso.clone());
    let index = (1..=pages).map(|n| SitemapEntry { url: config.url(&index_dir(n)), lastmod: newest.clone() });
    let stories = stories_updated.map(|(url, lastmod)| SitemapEntry { url, lastmod: Some(lastmod) });
    index.chain(stories).collect()
}
