//! A story's history, computed once: its view, every version's rendered
//! text, the diffs of the version pairs that get a diff page and which
//! versions read like the one before.
//!
//! [`StoryHistory`] is built once per story and handed to every renderer
//! that shows the story (its page, its version and diff pages, its feed
//! content), so no renderer compares versions or renders an article's text
//! again. It must never decide which documents exist (that is the plan's
//! `diff_pairs`) nor write anything.

use std::sync::Arc;

use anyhow::Result;
use minijinja::context;
use minijinja::value::Serde;

use super::Templates;
use super::views::{ArticleView, StoryView, VersionView, body_html};
use crate::config::Config;
use crate::diff::{VersionDiff, VersionWords, diff_split, same_words};
use crate::parse::Article;
use crate::plan::diff_pairs;
use crate::stories::{Story, StoryTexts};

/// Everything the pages and feed entries of one story show, computed once.
pub struct StoryHistory<'a> {
    pub story: &'a Story,
    /// The versions' full texts, read back for this story alone.
    pub texts: &'a StoryTexts,
    pub view: StoryView<'a>,
    /// [`Self::view`] as the templates see it, made once for every page
    /// and feed content of the story (each shows the whole history).
    pub view_value: minijinja::Value,
    /// Each version's text as HTML, `bodies[n - 1]` for version `n`, as a
    /// safe string: a page puts it in without escaping and without a copy.
    bodies: Vec<minijinja::Value>,
    /// The diff of each pair of [`diff_pairs`], in that order (shared
    /// with the diff page's template value, [`DiffValue`]).
    diffs: Vec<((usize, usize), Arc<VersionDiff>)>,
}

impl<'a> StoryHistory<'a> {
    /// The history of `story`, whose versions read `texts`.
    pub fn new(
        templates: &Templates,
        config: &Config,
        story: &'a Story,
        texts: &'a StoryTexts,
    ) -> Result<StoryHistory<'a>> {
        let articles = &texts.articles;
        // Most stories have one version, with nothing to compare: their
        // words are never split.
        let words = match articles.len() {
            1 => Vec::new(),
            _ => VersionWords::of_versions(articles),
        };
        let same_as_previous = same_as_previous(&words, articles.len());
        // The default `article.html` puts in the markup made by depesche:
        // rendering it, and making every paragraph a template value for it,
        // would only copy it.
        let default_markup = templates.are_defaults(&["article.html"]);
        let bodies = articles
            .iter()
            .map(|article| match default_markup {
                true => Ok(minijinja::Value::from_safe_string(body_html(&ArticleView::new(article)))),
                false => Ok(minijinja::Value::from_safe_string(article_html(templates, &article_value(article))?)),
            })
            .collect::<Result<_>>()?;
        let diffs = diff_pairs(story)
            .into_iter()
            .map(|(old, new)| ((old, new), Arc::new(diff_split(&words[old - 1], &words[new - 1]))))
            .collect();
        drop(words);
        let latest = articles.last().expect("a story has at least one version");
        let view = StoryView::new(story, latest, config, &same_as_previous);
        let view_value = minijinja::Value::from(minijinja::value::Serde(&view));
        Ok(StoryHistory { story, texts, view, view_value, bodies, diffs })
    }

    /// The full text of version `n` (from 1) as the templates see it.
    pub fn article_value(&self, n: usize) -> minijinja::Value {
        article_value(&self.texts.articles[n - 1])
    }

    /// The view of version `n` (from 1).
    pub fn version(&self, n: usize) -> &VersionView<'a> {
        &self.view.versions[n - 1]
    }

    /// The text of version `n` as HTML.
    pub fn body(&self, n: usize) -> &str {
        self.bodies[n - 1].as_str().expect("a body is a string")
    }

    /// [`Self::body`], a safe string for the templates.
    pub fn body_value(&self, n: usize) -> minijinja::Value {
        self.bodies[n - 1].clone()
    }

    /// The text of the latest version as HTML.
    pub fn latest_body(&self) -> &str {
        self.bodies.last().and_then(minijinja::Value::as_str).expect("a story has at least one version")
    }

    /// [`Self::latest_body`], a safe string for the templates.
    pub fn latest_body_value(&self) -> minijinja::Value {
        self.bodies.last().expect("a story has at least one version").clone()
    }

    /// The diff from version `old` to `new`, a pair of the plan's `diff_pairs`.
    pub fn diff(&self, old: usize, new: usize) -> Option<&Arc<VersionDiff>> {
        self.diffs.iter().find(|(pair, _)| *pair == (old, new)).map(|(_, diff)| diff)
    }
}

/// For each of `versions` versions, whether it reads word for word like the
/// one before it (never for the first), from the versions' `words` (none
/// for a story of one version).
fn same_as_previous(words: &[VersionWords], versions: usize) -> Vec<bool> {
    let later = words.windows(2).map(|w| same_words(&w[0], &w[1]));
    let flags: Vec<bool> = std::iter::once(false).chain(later).collect();
    debug_assert_eq!(flags.len(), versions, "every version of a story has its words");
    flags
}

/// `article` as the templates see it, its markup ([`body_html`]) included.
fn article_value(article: &Article) -> minijinja::Value {
    minijinja::Value::from(Serde(ArticleView::with_html(article)))
}

/// The body of one article as HTML (dateline, paragraphs, sub-headings,
/// trailer) from `article.html`, shared by pages and feed content.
pub fn article_html(templates: &Templates, article: &minijinja::Value) -> Result<String> {
    templates.render("article.html", context! { article => article.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_article;
    use crate::stories::{Filed, group};

    fn story_of(texts: &[&str]) -> Story {
        let files: Vec<Filed> = texts
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let note = if i == 0 { String::new() } else { "(Wiederholung)".to_string() };
                let text = format!("Titel\n01.02.2024 - 1{i}:00:00{note}\nBERLIN (dpa) - {body}");
                Filed::from_text(&format!("{i}.txt"), &text)
            })
            .collect();
        group(&files, "example.org").remove(0)
    }

    fn texts_of(texts: &[&str]) -> StoryTexts {
        let articles = texts
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let note = if i == 0 { String::new() } else { "(Wiederholung)".to_string() };
                let text = format!("Titel\n01.02.2024 - 1{i}:00:00{note}\nBERLIN (dpa) - {body}");
                parse_article(&text).unwrap().article
            })
            .collect();
        StoryTexts { articles, originals: Vec::new() }
    }

    #[test]
    fn computed_once_for_every_page_of_the_story() {
        let templates = Templates::load(None).unwrap();
        let bodies = ["Ein Satz über das Thema.", "Ein Satz über das Thema.", "Ein Satz über ein Thema."];
        let (story, texts) = (story_of(&bodies), texts_of(&bodies));
        let history = StoryHistory::new(&templates, &Config::embedded(), &story, &texts).unwrap();
        assert_eq!(history.view.versions.iter().map(|v| v.unchanged).collect::<Vec<_>>(), [false, true, false]);
        assert!(!history.view.all_same_text);
        assert!(history.diff(1, 2).unwrap().is_unchanged());
        assert!(!history.diff(1, 3).unwrap().is_unchanged());
        assert!(history.diff(1, 1).is_none());
        assert_eq!(history.latest_body(), history.body(3));
        assert!(history.body(3).contains("ein Thema"));
    }
}
