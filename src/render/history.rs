//! A story's history, computed once: its view, every version's rendered
//! text, the diffs of the version pairs that get a diff page and which
//! versions read like the one before.
//!
//! [`StoryHistory`] is built once per story and handed to every renderer
//! that shows the story (its page, its version and diff pages, its feed
//! content), so no renderer compares versions or renders an article's text
//! again. It must never decide which documents exist (that is the plan's
//! `diff_pairs`) nor write anything.

use anyhow::Result;
use minijinja::context;
use minijinja::value::Serde;

use super::Templates;
use super::views::{ArticleView, StoryView, VersionView};
use crate::config::Config;
use crate::diff::{VersionDiff, diff_versions, same_text};
use crate::parse::Article;
use crate::plan::diff_pairs;
use crate::stories::Story;

/// Everything the pages and feed entries of one story show, computed once.
pub struct StoryHistory<'a> {
    pub story: &'a Story,
    pub view: StoryView<'a>,
    /// Each version's text as HTML, `bodies[n - 1]` for version `n`.
    bodies: Vec<String>,
    /// The diff of each pair of [`diff_pairs`], in that order.
    diffs: Vec<((usize, usize), VersionDiff)>,
}

impl<'a> StoryHistory<'a> {
    pub fn new(templates: &Templates, config: &Config, story: &'a Story) -> Result<StoryHistory<'a>> {
        let same_as_previous = same_as_previous(story);
        let bodies = story.versions.iter().map(|v| article_html(templates, &v.article)).collect::<Result<_>>()?;
        let diffs = diff_pairs(story)
            .into_iter()
            .map(|(old, new)| {
                let (older, newer) = (&story.versions[old - 1], &story.versions[new - 1]);
                ((old, new), diff_versions(&older.article, &newer.article))
            })
            .collect();
        Ok(StoryHistory { story, view: StoryView::new(story, config, &same_as_previous), bodies, diffs })
    }

    /// The view of version `n` (from 1).
    pub fn version(&self, n: usize) -> &VersionView<'a> {
        &self.view.versions[n - 1]
    }

    /// The text of version `n` as HTML.
    pub fn body(&self, n: usize) -> &str {
        &self.bodies[n - 1]
    }

    /// The text of the latest version as HTML.
    pub fn latest_body(&self) -> &str {
        self.bodies.last().expect("a story has at least one version")
    }

    /// The diff from version `old` to `new`, a pair of the plan's `diff_pairs`.
    pub fn diff(&self, old: usize, new: usize) -> Option<&VersionDiff> {
        self.diffs.iter().find(|(pair, _)| *pair == (old, new)).map(|(_, diff)| diff)
    }
}

/// For each version, whether it reads word for word like the one before it
/// (never for the first).
fn same_as_previous(story: &Story) -> Vec<bool> {
    let later = story.versions.windows(2).map(|w| same_text(&w[0].article, &w[1].article));
    std::iter::once(false).chain(later).collect()
}

/// The body of one article as HTML (dateline, paragraphs, sub-headings,
/// trailer), shared by pages and feed content.
pub fn article_html(templates: &Templates, article: &Article) -> Result<String> {
    templates.render("article.html", context! { article => Serde(ArticleView::new(article)) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_article;
    use crate::source::Original;
    use crate::stories::{Filed, fingerprint, group};

    fn story_of(texts: &[&str]) -> Story {
        let files = texts
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let note = if i == 0 { String::new() } else { "(Wiederholung)".to_string() };
                let text = format!("Titel\n01.02.2024 - 1{i}:00:00{note}\nBERLIN (dpa) - {body}");
                let article = parse_article(&text).unwrap().article;
                let original = Original::new(text.clone().into_bytes());
                Filed { source: format!("{i}.txt"), original, fingerprint: fingerprint(&[&text]), article }
            })
            .collect();
        group(files, "example.org").remove(0)
    }

    #[test]
    fn computed_once_for_every_page_of_the_story() {
        let templates = Templates::load(None).unwrap();
        let story = story_of(&["Ein Satz über das Thema.", "Ein Satz über das Thema.", "Ein Satz über ein Thema."]);
        let history = StoryHistory::new(&templates, &Config::embedded(), &story).unwrap();
        assert_eq!(history.view.versions.iter().map(|v| v.unchanged).collect::<Vec<_>>(), [false, true, false]);
        assert!(!history.view.all_same_text);
        assert!(history.diff(1, 2).unwrap().is_unchanged());
        assert!(!history.diff(1, 3).unwrap().is_unchanged());
        assert!(history.diff(1, 1).is_none());
        assert_eq!(history.latest_body(), history.body(3));
        assert!(history.body(3).contains("ein Thema"));
    }
}
