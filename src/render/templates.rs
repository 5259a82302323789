//! The template environment: defaults embedded from `templates/`, each
//! overridable by a file of the same name in the user's template folder.
//!
//! Autoescaping is on for every `.html` and `.xml` template, so nothing an
//! article contains can become markup.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use minijinja::Environment;

/// The default templates, compiled into the binary.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("site-head.html", include_str!("../../templates/site-head.html")),
    ("site-header.html", include_str!("../../templates/site-header.html")),
    ("site-footer.html", include_str!("../../templates/site-footer.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("story.html", include_str!("../../templates/story.html")),
    ("article.html", include_str!("../../templates/article.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
    ("sitemap-index.xml", include_str!("../../templates/sitemap-index.xml")),
    ("version.html", include_str!("../../templates/version.html")),
    ("diff.html", include_str!("../../templates/diff.html")),
    ("changes.html", include_str!("../../templates/changes.html")),
    ("version-entry.html", include_str!("../../templates/version-entry.html")),
    ("story-list.html", include_str!("../../templates/story-list.html")),
    ("pager.html", include_str!("../../templates/pager.html")),
    ("period.html", include_str!("../../templates/period.html")),
    ("dates.html", include_str!("../../templates/dates.html")),
    ("place.html", include_str!("../../templates/place.html")),
    ("places.html", include_str!("../../templates/places.html")),
    ("subscribe.html", include_str!("../../templates/subscribe.html")),
    ("subscribe-feed.html", include_str!("../../templates/subscribe-feed.html")),
    ("subscribe-steps.html", include_str!("../../templates/subscribe-steps.html")),
    ("feed-name.html", include_str!("../../templates/feed-name.html")),
    ("feed-about.html", include_str!("../../templates/feed-about.html")),
    ("news-sitemap.xml", include_str!("../../templates/news-sitemap.xml")),
    ("_headers", include_str!("../../templates/_headers")),
    ("_redirects", include_str!("../../templates/_redirects")),
    ("search.html", include_str!("../../templates/search.html")),
    ("search.js", include_str!("../../templates/search.js")),
    ("stil.css", include_str!("../../templates/stil.css")),
];

/// Templates ready to render, defaults plus the user's overrides.
pub struct Templates {
    env: Environment<'static>,
    overridden: Vec<String>,
    /// (name, source) of every template in use, defaults and overrides.
    sources: Vec<(&'static str, String)>,
    /// The templates not overridden by a file of the user's.
    defaults: Vec<&'static str>,
    sizes: RenderedSizes,
}

impl Templates {
    /// Load the defaults and the overrides found in `override_dir`, if it exists.
    pub fn load(override_dir: Option<&Path>) -> Result<Templates> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(html_formatter);
        let mut overridden = Vec::new();
        let mut defaults = Vec::new();
        let mut sources = Vec::new();
        for (name, default_source) in DEFAULT_TEMPLATES {
            let user_file = override_dir.map(|dir| dir.join(name)).filter(|path| path.is_file());
            let source = match &user_file {
                Some(path) => {
                    overridden.push(path.display().to_string());
                    read_template(path)?
                }
                None => {
                    defaults.push(*name);
                    default_source.to_string()
                }
            };
            sources.push((*name, source.clone()));
            env.add_template_owned(*name, source).with_context(|| template_error(name, user_file.as_deref()))?;
        }
        Ok(Templates { env, overridden, sources, defaults, sizes: RenderedSizes::new() })
    }

    /// Whether none of `names` is overridden by a file of the user's (a
    /// copy of a default counts as overridden).
    pub fn are_defaults(&self, names: &[&str]) -> bool {
        names.iter().all(|name| self.defaults.contains(name))
    }

    /// Files of the user's that replace a default.
    pub fn overridden(&self) -> &[String] {
        &self.overridden
    }

    /// (name, source) of every template in use, for the plan's digests.
    pub fn sources(&self) -> Vec<(&str, &str)> {
        self.sources.iter().map(|(name, source)| (*name, source.as_str())).collect()
    }

    /// The source of template `name` in use (empty if there is none).
    pub fn source(&self, name: &str) -> &str {
        self.sources.iter().find(|(known, _)| *known == name).map_or("", |(_, source)| source.as_str())
    }

    /// Render template `name` with `context`: a fragment that goes into
    /// another document (an article's body, a feed entry's content).
    pub fn render(&self, name: &str, context: minijinja::Value) -> Result<String> {
        let bytes = self.render_page(name, context)?;
        simdutf8::basic::from_utf8(&bytes).with_context(|| format!("template {name} rendered no UTF-8"))?;
        // SAFETY: the bytes were checked to be UTF-8 just above.
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    }

    /// Render template `name` with `context`: a document, as the bytes that
    /// are written. The output buffer starts at the largest size the
    /// template rendered to so far in this run (see [`RenderedSizes`]).
    pub fn render_page(&self, name: &str, context: minijinja::Value) -> Result<Vec<u8>> {
        let template = self.env.get_template(name)?;
        let size = self.sizes.of(name);
        let mut bytes = Vec::with_capacity(size.map_or(0, |s| s.load(Ordering::Relaxed)));
        template.render_captured_to(context, &mut bytes).with_context(|| format!("cannot render template {name}"))?;
        if let Some(size) = size {
            size.fetch_max(bytes.len().min(RenderedSizes::MAX), Ordering::Relaxed);
        }
        Ok(bytes)
    }
}

/// The largest output of each default template's name so far, so a page is
/// rendered into a buffer of its final size instead of one grown by
/// doubling from minijinja's guess (the size of the template's source), which
/// copied every page two or three times over. Only the buffer's capacity
/// depends on it, never the bytes.
struct RenderedSizes(Vec<AtomicUsize>);

impl RenderedSizes {
    /// No buffer starts larger than this, whatever a template rendered once.
    const MAX: usize = 1 << 20;

    fn new() -> RenderedSizes {
        RenderedSizes(DEFAULT_TEMPLATES.iter().map(|_| AtomicUsize::new(0)).collect())
    }

    fn of(&self, name: &str) -> Option<&AtomicUsize> {
        DEFAULT_TEMPLATES.iter().position(|(known, _)| *known == name).map(|i| &self.0[i])
    }
}

/// Escape `&`, `<`, `>`, `"` and `'` in HTML and XML templates. Unlike
/// minijinja's default escaper this leaves `/` alone, so URLs stay readable
/// in the page source; `/` is not special in text or quoted attributes.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let escaping = matches!(state.auto_escape(), minijinja::AutoEscape::Html);
    match value.as_str() {
        Some(text) if escaping && !value.is_safe() => write_escaped(out, text)
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The five are ASCII, which never occurs inside a UTF-8 sequence, so no
/// character needs decoding; runs without any are skipped with `memchr`'s
/// vector search (every paragraph of every page passes here).
pub(super) fn write_escaped(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    write_escaped_as(out, text, "&#39;")
}

/// [`write_escaped`] with `apostrophe` for `'`: XML's `&apos;` is what
/// the feed crates write, HTML 4 does not know it.
pub(super) fn write_escaped_as(out: &mut impl std::fmt::Write, text: &str, apostrophe: &str) -> std::fmt::Result {
    let bytes = text.as_bytes();
    // The next `&`, `<` or `>`, and the next quote, from `start` on: each
    // searched again only once it is passed.
    let next =
        |from: usize, found: fn(&[u8]) -> Option<usize>| found(&bytes[from..]).map_or(bytes.len(), |at| from + at);
    let markup = |rest: &[u8]| memchr::memchr3(b'&', b'<', b'>', rest);
    let quote = |rest: &[u8]| memchr::memchr2(b'"', b'\'', rest);
    let (mut next_markup, mut next_quote) = (next(0, markup), next(0, quote));
    let mut start = 0;
    loop {
        let index = next_markup.min(next_quote);
        if index == bytes.len() {
            return out.write_str(&text[start..]);
        }
        let escaped = match bytes[index] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => apostrophe,
        };
        out.write_str(&text[start..index])?;
        out.write_str(escaped)?;
        start = index + 1;
        if next_markup == index {
            next_markup = next(start, markup);
        } else {
            next_quote = next(start, quote);
        }
    }
}

fn read_template(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read template {}", path.display()))
}

fn template_error(name: &str, user_file: Option<&Path>) -> String {
    let origin = user_file.map_or_else(|| format!("built-in {name}"), |p| PathBuf::from(p).display().to_string());
    format!("template {origin} does not compile")
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn article_text_cannot_become_markup() {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        env.add_template("t.html", "<p title=\"{{ x }}\">{{ x }}</p>{{ url }}").unwrap();
        let html = env
            .get_template("t.html")
            .unwrap()
            .render(context! { x => "Straße</p><script>\"'&ä", url => "https://a.example/b" })
            .unwrap();
        assert_eq!(
            html,
            "<p title=\"Straße&lt;/p&gt;&lt;script&gt;&quot;&#39;&amp;ä\">Straße&lt;/p&gt;&lt;script&gt;&quot;&#39;&amp;ä</p>https://a.example/b"
        );
    }

    #[test]
    fn escaping_replaces_exactly_the_five_characters() {
        let by_hand = |text: &str| {
            text.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect::<String>()
        };
        // Every order and neighbourhood of the five, quotes and markup
        // alternating and in runs, at the start, the end and alone.
        let pieces = ["&", "<", ">", "\"", "'", "ä", "a b", "„Zitat“", ""];
        let mut texts = vec![String::new(), "ohne alles".repeat(20)];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(format!("{a}{b}x{c}{a}"));
                }
            }
        }
        for text in texts {
            let mut escaped = String::new();
            write_escaped(&mut escaped, &text).unwrap();
            assert_eq!(escaped, by_hand(&text), "{text:?}");
        }
    }
}
