//! A story's history as pages: one permanent page per version
//! (`<story>/v/N/`), one diff page per pair of versions a reader compares
//! (`<story>/diff/M-N/`), and the list of changes that feeds carry.
//!
//! Like the rest of rendering, every function returns the text of one
//! document and never writes; the caller writes it and drops it.

use anyhow::Result;
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::Templates;
use super::pages::article_html;
use super::views::{ArticleView, SiteView, StoryView, VersionView, diff_path, version_path, version_view};
use crate::config::Config;
use crate::diff::{VersionDiff, diff_versions};
use crate::stories::Story;

/// The pairs of versions that get a diff page: each version against the one
/// before it, and the first against the latest when versions lie between.
pub fn diff_pairs(story: &Story) -> Vec<(usize, usize)> {
    let latest = story.versions.len();
    let mut pairs: Vec<(usize, usize)> = (1..latest).map(|n| (n, n + 1)).collect();
    if latest > 2 {
        pairs.push((1, latest));
    }
    pairs
}

/// Site path of version `n`'s page file.
pub fn version_page_path(story: &Story, n: usize) -> String {
    format!("{}index.html", version_path(story, n))
}

/// Site path of a diff page file.
pub fn diff_page_path(story: &Story, old: usize, new: usize) -> String {
    format!("{}index.html", diff_path(story, old, new))
}

/// The permanent page of version `n` (1-based) of `story`.
pub fn version_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    story: &Story,
    n: usize,
) -> Result<String> {
    let version = &story.versions[n - 1];
    let view = StoryView::new(story, config);
    let body = article_html(templates, &version.article)?;
    let article = ArticleView::new(&version.article);
    let neighbours = context! {
        previous => n.checked_sub(2).map(|i| config.url(&version_path(story, story.versions[i].n))),
        next => story.versions.get(n).map(|v| config.url(&version_path(story, v.n))),
    };
    templates.render(
        "version.html",
        context! {
            site => Serde(site),
            story => Serde(&view),
            version => Serde(version_view(story, version, config)),
            article => Serde(article),
            neighbours,
            body,
        },
    )
}

/// What the diff template sees.
#[derive(Serialize)]
struct DiffPageView<'a> {
    url: String,
    old: VersionView<'a>,
    new: VersionView<'a>,
    diff: VersionDiff,
    /// First against latest, across versions in between.
    spans_versions: bool,
}

/// The diff page from version `old` to version `new` of `story`.
pub fn diff_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    story: &Story,
    old: usize,
    new: usize,
) -> Result<String> {
    let (older, newer) = (&story.versions[old - 1], &story.versions[new - 1]);
    let page = DiffPageView {
        url: config.url(&diff_path(story, old, new)),
        old: version_view(story, older, config),
        new: version_view(story, newer, config),
        diff: diff_versions(&older.article, &newer.article),
        spans_versions: new - old > 1,
    };
    let view = StoryView::new(story, config);
    templates.render("diff.html", context! { site => Serde(site), story => Serde(&view), page => Serde(page) })
}

/// A story's content in the feeds: the latest text, then the list of its
/// versions with links to their diffs.
pub fn feed_content_html(templates: &Templates, config: &Config, story: &Story) -> Result<String> {
    Ok(article_html(templates, &story.latest().article)? + &changes_html(templates, config, story)?)
}

/// A version's content in `changes.xml`: its text, then links to its diff
/// and to the story.
pub fn version_entry_html(templates: &Templates, config: &Config, story: &Story, n: usize) -> Result<String> {
    let version = &story.versions[n - 1];
    let body = article_html(templates, &version.article)?;
    let context = context! {
        story_url => config.url(&story.path),
        version => Serde(version_view(story, version, config)),
        body,
    };
    templates.render("version-entry.html", context)
}

/// The list of a story's versions with links to their diffs, as HTML for
/// feed content (empty for a story with one version).
pub fn changes_html(templates: &Templates, config: &Config, story: &Story) -> Result<String> {
    if story.versions.len() < 2 {
        return Ok(String::new());
    }
    templates.render("changes.html", context! { story => Serde(StoryView::new(story, config)) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_article;
    use crate::stories::{Filed, fingerprint, group};

    fn story_of(count: usize) -> Story {
        let files = (0..count)
            .map(|i| {
                let note = if i == 0 { String::new() } else { "(neu: Details)".to_string() };
                let text = format!(
                    "Titel\n01.02.2024 - 1{i}:00:00{note}\nBERLIN (dpa) - Ein Satz über das Thema. Nummer {i}."
                );
                let article = parse_article(&text).unwrap().article;
                Filed { source: format!("{i}.txt"), path: "x".into(), fingerprint: fingerprint(&[&text]), article }
            })
            .collect();
        group(files, "example.org").remove(0)
    }

    #[test]
    fn consecutive_pairs_and_first_against_latest() {
        assert_eq!(diff_pairs(&story_of(1)), []);
        assert_eq!(diff_pairs(&story_of(2)), [(1, 2)]);
        assert_eq!(diff_pairs(&story_of(4)), [(1, 2), (2, 3), (3, 4), (1, 4)]);
    }
}
