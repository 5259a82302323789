//! Stage 6: turn the plan's documents into bytes: HTML pages from templates
//! and the feeds (Atom, RSS 2.0, JSON Feed).
//!
//! Rendering never parses, never decides which documents exist (the plan
//! does) and never writes: [`Renderer`] returns the bytes of one document,
//! so the caller can write them and drop them before rendering the next.
//! Modules depend on each other one way only: `templates` and `views` at
//! the bottom, `history` on them, `newsmeta` (JSON-LD, ninjs) on `history`,
//! `compiled` (the default story, version and diff pages written out in
//! Rust) on `newsmeta`, `pages` on `compiled`, `feeds` on `history`,
//! `archive` and `listings` (date and place archives, subscribe pages) on
//! `feeds`; `host` (the static hosts' configuration) on `templates` alone.

pub mod archive;
pub mod compiled;
pub mod feeds;
pub mod history;
pub mod host;
pub mod listings;
pub mod newsmeta;
pub mod pages;
pub mod search;
pub mod templates;
pub mod views;

use std::borrow::Cow;

use anyhow::{Result, bail};

use crate::config::Config;
use crate::plan::{Document, Plan};
use crate::stories::{Story, StoryTexts};
use archive::{ChangeItem, archive_feed, changes_feed};
use feeds::{FeedItem, atom_feed, feed_content_html, json_feed, rss_feed, version_entry_html};
use history::StoryHistory;
pub use templates::Templates;
use views::SiteView;

/// What the feeds carry of one story, rendered from its history once, in the
/// same pass as its pages.
#[derive(Debug, Clone, Default)]
pub struct FeedContent {
    /// The story's entry content ([`feed_content_html`]).
    pub story_html: String,
    /// (n, content) of its versions that `changes.xml` holds.
    pub version_html: Vec<(usize, String)>,
}

/// Where the site's documents find the feed content of the plan's stories,
/// kept aside after the stories' pass (on disk for a large archive), so the
/// feeds and archives never render a story again.
pub trait FeedContents: Sync {
    /// The entry content of the plan's story `story`.
    fn story_html(&self, story: usize) -> Result<String>;
    /// The content of version `n` of story `story`, one of `changes.xml`'s.
    fn version_html(&self, story: usize, n: usize) -> Result<String>;
}

/// Renders the documents of a plan.
pub struct Renderer<'a> {
    templates: &'a Templates,
    config: &'a Config,
    site: SiteView,
}

impl<'a> Renderer<'a> {
    /// A renderer with `templates`; fails if the templates of the parts
    /// every page shares do not render.
    pub fn new(templates: &'a Templates, config: &'a Config) -> Result<Renderer<'a>> {
        Ok(Renderer { templates, config, site: SiteView::new(config, templates)? })
    }

    /// The history of `story` with its versions' `texts`, for its documents
    /// and its feed content.
    pub fn history<'s>(&self, story: &'s Story, texts: &'s StoryTexts) -> Result<StoryHistory<'s>> {
        StoryHistory::new(self.templates, self.config, story, texts)
    }

    /// One of the documents of the story whose `history` is given.
    pub fn story_document<'h>(&self, history: &'h StoryHistory, document: &Document) -> Result<Cow<'h, [u8]>> {
        let (templates, site, config) = (self.templates, &self.site, self.config);
        let html = match *document {
            Document::Story { .. } => pages::story_page(templates, site, config, history)?,
            Document::Version { n, .. } => pages::version_page(templates, site, config, history, n)?,
            Document::Diff { old, new, .. } => pages::diff_page(templates, site, config, history, old, new)?,
            Document::Source { n, .. } => return Ok(Cow::Borrowed(&history.texts.originals[n - 1])),
            Document::StoryJson { .. } => newsmeta::ninjs(config, history)?,
            other => bail!("{other:?} is not a story's document"),
        };
        Ok(Cow::Owned(html))
    }

    /// What the feeds carry of the story: its entry content, and the content
    /// of its versions `changes` (numbers) that `changes.xml` holds.
    pub fn feed_content(&self, history: &StoryHistory, changes: &[usize]) -> Result<FeedContent> {
        let version_html = changes
            .iter()
            .map(|&n| Ok((n, version_entry_html(self.templates, self.config, history, n)?)))
            .collect::<Result<_>>()?;
        Ok(FeedContent { story_html: feed_content_html(self.templates, history)?, version_html })
    }

    /// One of the site's documents (not a story's), with the stories' feed
    /// content from `contents`. As bytes: the Atom documents are written as
    /// bytes, an archive's megabytes never checked for UTF-8 again.
    pub fn site_document(&self, plan: &Plan, contents: &dyn FeedContents, document: &Document) -> Result<Vec<u8>> {
        let (templates, site, config) = (self.templates, &self.site, self.config);
        let stories = plan.stories();
        let feed_items = |indexes: &mut dyn Iterator<Item = usize>| feed_items(config, stories, contents, indexes);
        let text = |text: Result<String>| text.map(String::into_bytes);
        match *document {
            Document::Index { page } => {
                pages::index_page(templates, site, config, plan.index_page(page), page, plan.index_paging())
            }
            Document::NotFound => pages::not_found_page(templates, site),
            Document::Sitemap => pages::sitemap_index(templates, config, plan),
            Document::SitemapPart { index } => pages::sitemap(templates, config, plan, index),
            Document::Atom => {
                let newest_archive = plan.archives().last().map(|part| config.url(&part.path()));
                let items = feed_items(&mut plan.feed_stories())?;
                atom_feed(config, site, items, newest_archive.as_deref())
            }
            Document::Rss => text(rss_feed(config, site, &feed_items(&mut plan.feed_stories())?)),
            Document::Json => text(json_feed(config, site, &feed_items(&mut plan.feed_stories())?)),
            Document::Changes => changes_feed(config, site, &change_items(plan, contents)?),
            Document::Archive { index } => {
                let items = feed_items(&mut plan.archives()[index].stories.iter().copied())?;
                archive_feed(config, site, plan.archives(), index, items)
            }
            Document::Search => search::search_page(templates, site, plan),
            Document::Stylesheet => templates.render_page("stil.css", minijinja::context! {}),
            Document::SearchScript => templates.render_page("search.js", minijinja::context! {}),
            Document::SearchUi { file } => search_ui_file(file),
            Document::SearchShard { .. } => bail!("{document:?} is many files, see search::shard_files"),
            Document::Period { index, page } => listings::period_page(templates, site, config, plan, index, page),
            Document::Dates => listings::dates_page(templates, site, config, plan),
            Document::Place { index, page } => listings::place_page(templates, site, config, plan, index, page),
            Document::PlaceFeed { index } => {
                let items = feed_items(&mut plan.place_feed(index).iter().copied())?;
                listings::place_feed(config, plan, index, items)
            }
            Document::Places => listings::places_page(templates, site, config, plan),
            Document::NewsSitemap => listings::news_sitemap(templates, config, plan),
            Document::Subscribe => listings::subscribe_page(templates, site, config),
            Document::SubscribeFeed { feed } => listings::subscribe_feed_page(templates, site, config, feed),
            Document::HostHeaders => host::headers(templates, config),
            Document::HostRedirects => host::redirects(templates, config),
            Document::Story { .. }
            | Document::Version { .. }
            | Document::Diff { .. }
            | Document::Source { .. }
            | Document::StoryJson { .. } => {
                bail!("{document:?} is a story's document")
            }
        }
    }
}

/// Pagefind's interface file `file` of [`crate::paths::SEARCH_UI_FILES`],
/// taken from the crate once per run.
fn search_ui_file(file: usize) -> Result<Vec<u8>> {
    static FILES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    let files = match FILES.get() {
        Some(files) => files,
        None => {
            let built = search::ui_files()?;
            FILES.get_or_init(|| built)
        }
    };
    let name = crate::paths::SEARCH_UI_FILES[file];
    let (_, bytes) =
        files.iter().find(|(n, _)| n == name).ok_or_else(|| anyhow::anyhow!("Pagefind wrote no {name}"))?;
    Ok(bytes.clone())
}

/// The plan's stories `indexes` with their feed content, for a feed.
fn feed_items<'p>(
    config: &Config,
    stories: &'p [Story],
    contents: &dyn FeedContents,
    indexes: &mut dyn Iterator<Item = usize>,
) -> Result<Vec<FeedItem<'p>>> {
    indexes
        .map(|i| {
            let content_html = contents.story_html(i)?;
            Ok(FeedItem { story: &stories[i], url: config.url(&stories[i].path), content_html })
        })
        .collect()
}

/// The versions of `changes.xml` with their content.
fn change_items<'p>(plan: &Plan<'p>, contents: &dyn FeedContents) -> Result<Vec<ChangeItem<'p>>> {
    let stories = plan.stories();
    plan.changes()
        .iter()
        .map(|&(story, n)| {
            let content_html = contents.version_html(story, n)?;
            Ok(ChangeItem { story: &stories[story], version: &stories[story].versions[n - 1], content_html })
        })
        .collect()
}
