//! HTML pages and the sitemap, each rendered from its template: a story's
//! page, version pages and diff pages from its [`StoryHistory`], the index
//! pages, the 404 page and the sitemaps from what the plan lists. A diff
//! page's compared text is marked up here ([`diff_html`]) and handed to the
//! template whole.
//!
//! A page function renders exactly one document from data it is handed; it
//! never compares versions, never decides which stories a page holds (the
//! plan does) and never writes.

use std::sync::Arc;

use anyhow::{Context, Result};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::history::StoryHistory;
use super::newsmeta::{StoryMeta, VersionLinks};
use super::views::{ListItem, SiteView, VersionView};
use super::{Templates, compiled};
use crate::config::Config;
use crate::diff::{Change, Segment, VersionDiff};
use crate::paths;
use crate::plan::{Paging, Plan, SitemapUrls};
use crate::stories::Story;

/// The page of one story, with its news metadata ([`StoryMeta`]).
pub fn story_page(templates: &Templates, site: &SiteView, config: &Config, history: &StoryHistory) -> Result<Vec<u8>> {
    let meta = StoryMeta::new(config, history);
    if compiled::writes(templates, "story.html") {
        return Ok(compiled::story_page(site, history, &meta));
    }
    let body = history.latest_body_value();
    templates.render_page(
        "story.html",
        context! { site => site.value(), story => history.view_value.clone(), meta => Serde(meta), body },
    )
}

/// The permanent page of version `n` (1-based) of a story.
pub fn version_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    history: &StoryHistory,
    n: usize,
) -> Result<Vec<u8>> {
    let story = history.story;
    let previous = n.checked_sub(2).map(|i| config.url(&paths::version_dir(&story.path, story.versions[i].n)));
    let next = story.versions.get(n).map(|v| config.url(&paths::version_dir(&story.path, v.n)));
    let links = VersionLinks::of(config, story, n);
    if compiled::writes(templates, "version.html") {
        return Ok(compiled::version_page(site, history, n, &links, previous.as_deref(), next.as_deref()));
    }
    let neighbours = context! { previous, next };
    templates.render_page(
        "version.html",
        context! {
            site => site.value(),
            story => history.view_value.clone(),
            version => Serde(history.version(n)),
            article => history.article_value(n),
            neighbours,
            links => Serde(links),
            body => history.body_value(n),
        },
    )
}

/// What the diff template sees.
#[derive(Serialize)]
struct DiffPageView<'h, 'a> {
    url: String,
    old: &'h VersionView<'a>,
    new: &'h VersionView<'a>,
    /// A [`DiffValue`].
    diff: minijinja::Value,
    /// [`diff_html`] of `diff`, a safe string.
    diff_html: minijinja::Value,
    /// First against latest, across versions in between.
    spans_versions: bool,
}

/// A diff as the diff template sees it (`page.diff`): the counts of words
/// inserted and deleted at once, the runs of words (`headline`, `blocks`)
/// made into template values only when a template asks for them. The
/// default template shows the counts and `page.diff_html`; making every
/// run of every diff page a template value anyway took 150 ms of a build
/// of 50,000 articles.
#[derive(Debug)]
struct DiffValue(Arc<VersionDiff>);

impl minijinja::value::Object for DiffValue {
    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        match key.as_str()? {
            "headline" => Some(minijinja::Value::from(Serde(&self.0.headline))),
            "blocks" => Some(minijinja::Value::from(Serde(&self.0.blocks))),
            "inserted" => Some(minijinja::Value::from(self.0.inserted)),
            "deleted" => Some(minijinja::Value::from(self.0.deleted)),
            _ => None,
        }
    }

    /// The fields in the struct's order, as a value made from it has them.
    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Str(&["headline", "blocks", "inserted", "deleted"])
    }
}

/// Marks an inserted run of words, before and after it: the cue shows the
/// change where `<ins>` has no style (a reader's view, a text browser, a
/// copy), the hidden words tell a screen reader.
const INSERTED: [&str; 2] = [
    r#"<ins><span class="cue" aria-hidden="true">[+ </span><span class="visually-hidden">eingefügt: </span>"#,
    r#"<span class="visually-hidden"> (Ende eingefügt)</span><span class="cue" aria-hidden="true"> +]</span></ins>"#,
];

/// Marks a deleted run of words, as [`INSERTED`] an inserted one.
const DELETED: [&str; 2] = [
    r#"<del><span class="cue" aria-hidden="true">[− </span><span class="visually-hidden">gestrichen: </span>"#,
    r#"<span class="visually-hidden"> (Ende gestrichen)</span><span class="cue" aria-hidden="true"> −]</span></del>"#,
];

/// The compared text of `diff` as HTML, a line for each block: the
/// headline as `<h2>`, sub-headings as `<h3>`, paragraphs as `<p>`, the runs
/// of words separated by a space and the changed ones marked ([`INSERTED`],
/// [`DELETED`]). Made here rather than in the template: a template's loop
/// over every run of words of every diff page was a twentieth of a build
/// (`page.diff` keeps the runs for a template of other markup).
fn diff_html(diff: &VersionDiff) -> String {
    let text_len: usize = diff.blocks.iter().flat_map(|b| &b.segments).map(|s| s.text.len() + 200).sum();
    let mut html = String::with_capacity(text_len + 1024);
    diff_block_html(&mut html, "h2", &diff.headline);
    for block in &diff.blocks {
        let tag = if block.kind == "subheading" { "h3" } else { "p" };
        diff_block_html(&mut html, tag, &block.segments);
    }
    html
}

/// One block of [`diff_html`]: a line break, then the block in `tag`.
fn diff_block_html(html: &mut String, tag: &str, segments: &[Segment]) {
    html.push_str("\n<");
    html.push_str(tag);
    html.push('>');
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            html.push(' ');
        }
        let [before, after] = match segment.change {
            Change::Equal => ["", ""],
            Change::Insert => INSERTED,
            Change::Delete => DELETED,
        };
        html.push_str(before);
        super::templates::write_escaped(html, &segment.text).expect("a String takes any text");
        html.push_str(after);
    }
    html.push_str("</");
    html.push_str(tag);
    html.push('>');
}

/// The diff page from version `old` to version `new` of a story.
pub fn diff_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    history: &StoryHistory,
    old: usize,
    new: usize,
) -> Result<Vec<u8>> {
    let diff = history.diff(old, new).with_context(|| format!("no diff from version {old} to {new} was computed"))?;
    let url = config.url(&paths::diff_dir(&history.story.path, old, new));
    if compiled::writes(templates, "diff.html") {
        return Ok(compiled::diff_page(site, history, (old, new), &url, diff, &diff_html(diff)));
    }
    let page = DiffPageView {
        url,
        old: history.version(old),
        new: history.version(new),
        diff: minijinja::Value::from_object(DiffValue(Arc::clone(diff))),
        diff_html: minijinja::Value::from_safe_string(diff_html(diff)),
        spans_versions: new - old > 1,
    };
    templates.render_page(
        "diff.html",
        context! { site => site.value(), story => history.view_value.clone(), page => Serde(page) },
    )
}

/// Index page `number` of those `paging` cuts, listing `stories` (newest
/// first).
pub fn index_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    stories: &[Story],
    number: usize,
    paging: Paging,
) -> Result<Vec<u8>> {
    let items: Vec<ListItem> = stories.iter().map(|story| ListItem::new(story, config)).collect();
    let pager = super::views::pager(number, paging, paths::index_dir, config);
    templates.render_page("index.html", context! { site => site.value(), stories => Serde(&items), pager })
}

/// The page shown for unknown URLs.
pub fn not_found_page(templates: &Templates, site: &SiteView) -> Result<Vec<u8>> {
    templates.render_page("404.html", context! { site => site.value() })
}

/// One URL of a sitemap, or one sitemap of the sitemap index.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SitemapEntry {
    pub url: String,
    /// W3C datetime (RFC 3339, with offset): the latest significant version,
    /// never the time of the build.
    pub lastmod: Option<String>,
}

/// The sitemap [`Plan::sitemaps`]`[index]`.
pub fn sitemap(templates: &Templates, config: &Config, plan: &Plan, index: usize) -> Result<Vec<u8>> {
    templates.render_page("sitemap.xml", context! { entries => Serde(sitemap_entries(config, plan, index)) })
}

/// `sitemap.xml`: every sitemap of the plan with the newest `lastmod` of its
/// entries.
pub fn sitemap_index(templates: &Templates, config: &Config, plan: &Plan) -> Result<Vec<u8>> {
    let sitemaps: Vec<SitemapEntry> = (0..plan.sitemaps().len())
        .map(|i| SitemapEntry {
            url: config.url(&plan.sitemaps()[i].path),
            lastmod: plan.sitemap_lastmod(i).map(|time| time.to_rfc3339()),
        })
        .collect();
    templates.render_page("sitemap-index.xml", context! { sitemaps => Serde(sitemaps) })
}

/// The entries of sitemap `index`: index pages with the time of the newest
/// significant update, or story pages with their latest significant version's.
fn sitemap_entries(config: &Config, plan: &Plan, index: usize) -> Vec<SitemapEntry> {
    match &plan.sitemaps()[index].urls {
        SitemapUrls::IndexPages(pages) => pages
            .clone()
            .map(|n| SitemapEntry {
                url: config.url(&paths::index_dir(n)),
                lastmod: plan.index_page_lastmod(n).map(|time| time.to_rfc3339()),
            })
            .collect(),
        SitemapUrls::Stories(stories) => stories
            .iter()
            .map(|&i| {
                let story = &plan.stories()[i];
                SitemapEntry { url: config.url(&story.path), lastmod: Some(story.significant_update().to_rfc3339()) }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::DiffBlock;

    fn run(change: Change, text: &str) -> Segment {
        Segment { change, text: text.into() }
    }

    fn sample_diff() -> VersionDiff {
        VersionDiff {
            headline: vec![run(Change::Equal, "Titel"), run(Change::Insert, "<neu>")],
            blocks: vec![
                DiffBlock { kind: "paragraph", segments: vec![run(Change::Equal, "A & B")], unchanged: true },
                DiffBlock {
                    kind: "subheading",
                    segments: vec![run(Change::Delete, "alt"), run(Change::Equal, "„Zitat“")],
                    unchanged: false,
                },
            ],
            inserted: 1,
            deleted: 1,
        }
    }

    #[test]
    fn a_diff_is_marked_up_block_by_block() {
        let diff = sample_diff();
        let [ins, ins_end] = INSERTED;
        let [del, del_end] = DELETED;
        let expected =
            format!("\n<h2>Titel {ins}&lt;neu&gt;{ins_end}</h2>\n<p>A &amp; B</p>\n<h3>{del}alt{del_end} „Zitat“</h3>");
        assert_eq!(diff_html(&diff), expected);
    }

    /// A template of its own markup sees the same diff in `page.diff` as
    /// when every run of words was made a template value up front.
    #[test]
    fn a_template_sees_the_whole_diff() {
        let template = "{{ d.inserted }}/{{ d.deleted }}:{% for s in d.headline %}[{{ s.change }} {{ s.text }}]{% endfor %}\
                        {% for b in d.blocks %}<{{ b.kind }} {{ b.unchanged }}>{% for s in b.segments %}[{{ s.change }} {{ s.text }}]{% endfor %}{% endfor %}\
                        {{ d | tojson }}{% for key in d %} {{ key }}{% endfor %}";
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_template("t", template).unwrap();
        let render = |d: minijinja::Value| env.get_template("t").unwrap().render(context! { d }).unwrap();
        let diff = sample_diff();
        let lazily = render(minijinja::Value::from_object(DiffValue(Arc::new(diff.clone()))));
        let up_front = render(minijinja::Value::from(Serde(&diff)));
        assert_eq!(lazily, up_front);
        assert!(lazily.starts_with("1/1:[equal Titel][insert <neu>]<paragraph True>[equal A & B]"), "{lazily}");
    }
}
