//! The pipeline, stage after stage: find files → decode → repair → parse →
//! group → render → write. `load` runs the reading half (used by `check` and
//! `list` too); `build` adds rendering and writing.
//!
//! Files are processed in parallel, but every result is collected in the
//! sorted order of the file list, so nothing depends on thread timing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::config::Config;
use crate::decode::decode;
use crate::parse::parse_article;
use crate::render::Templates;
use crate::render::archive::{ChangeItem, FEED_CHANGES, archive_feed, archive_months, changes_feed, newest_versions};
use crate::render::feeds::{FeedItem, atom_feed, json_feed, rss_feed};
use crate::render::history::{
    diff_page, diff_page_path, diff_pairs, feed_content_html, version_entry_html, version_page, version_page_path,
};
use crate::render::pages::{index_pages, not_found_page, sitemap, sitemap_entries, story_page};
use crate::render::views::{FEED_ATOM, FEED_JSON, FEED_RSS, ListItem, SiteView, source_path};
use crate::repair::{Lexicon, repair};
use crate::report::{Rejection, Summary, Warning};
use crate::source::{Ignored, SourceFile, discover};
use crate::stories::{Filed, Story, fingerprint, group, newest_first};

/// Everything read from the input folder.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Newest first.
    pub stories: Vec<Story>,
    pub rejected: Vec<Rejection>,
    pub ignored: Vec<Ignored>,
    pub warnings: Vec<Warning>,
    pub repairs: usize,
    pub guesses: usize,
}

impl Loaded {
    /// The counts of this load (pages are added by `build`).
    pub fn summary(&self) -> Summary {
        Summary {
            articles: self.stories.iter().map(|s| s.versions.len()).sum(),
            stories: self.stories.len(),
            pages: 0,
            rejected: self.rejected.len(),
            ignored: self.ignored.len(),
            warnings: self.warnings.len(),
            repairs: self.repairs,
            guesses: self.guesses,
        }
    }
}

/// One file after decoding, before repair.
struct Decoded {
    file: SourceFile,
    text: String,
}

/// Read, repair, parse and group every article under `input`.
pub fn load(input: &Path, config: &Config, now: DateTime<Utc>) -> Result<Loaded> {
    let inventory = discover(input, config.max_file_size)
        .with_context(|| format!("cannot read input folder {}", input.display()))?;
    let mut loaded = Loaded { ignored: inventory.ignored, rejected: inventory.rejected, ..Default::default() };
    let decoded = read_and_decode(inventory.files, config.max_file_size, &mut loaded.rejected);
    let lexicon = folder_lexicon(&decoded);
    let results: Vec<FileResult> = decoded.into_par_iter().map(|d| parse_file(d, &lexicon, now)).collect();
    let mut filed = Vec::new();
    for result in results {
        loaded.warnings.extend(result.warnings);
        loaded.repairs += result.repairs;
        loaded.guesses += result.guesses;
        match result.outcome {
            Ok(file) => filed.push(file),
            Err(rejection) => loaded.rejected.push(rejection),
        }
    }
    loaded.stories = group(filed, config.host());
    newest_first(&mut loaded.stories);
    loaded.rejected.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(loaded)
}

/// A file's content key and decoded text, or why it cannot be read.
type ReadResult = Result<((usize, u64, u64), String), String>;

/// Read and decode every file; unreadable, binary and duplicate files are rejected.
fn read_and_decode(files: Vec<SourceFile>, max_file_size: u64, rejected: &mut Vec<Rejection>) -> Vec<Decoded> {
    let read: Vec<(SourceFile, ReadResult)> = files
        .into_par_iter()
        .map(|file| {
            let result = crate::source::read(&file, max_file_size)
                .and_then(|bytes| decode_text(&bytes).map(|text| (crate::source::content_key(&bytes), text)));
            (file, result)
        })
        .collect();
    let mut seen: BTreeMap<(usize, u64, u64), String> = BTreeMap::new();
    let mut decoded = Vec::new();
    for (file, result) in read {
        match result {
            Err(error) => rejected.push(Rejection::new(&file.rel, None, error)),
            Ok((hash, _)) if seen.contains_key(&hash) => {
                let first = &seen[&hash];
                rejected.push(Rejection::new(&file.rel, None, format!("duplicate: the same bytes as {first}")));
            }
            Ok((hash, text)) => {
                seen.insert(hash, file.rel.clone());
                decoded.push(Decoded { file, text });
            }
        }
    }
    decoded
}

/// Decoded text, or why the bytes are not a text article.
fn decode_text(bytes: &[u8]) -> Result<String, String> {
    let text = decode(bytes).text;
    // Only a NUL is judged before repair: other control characters may be
    // mojibake that repair turns back into letters; parsing judges those.
    match text.contains('\0').then(|| crate::parse::binary_reason(&text)).flatten() {
        Some((_, reason)) => Err(reason),
        None => Ok(text),
    }
}

/// Words that decoded cleanly anywhere in the folder, plus the built-in
/// lexicon, learned only when some file needs repair.
fn folder_lexicon(decoded: &[Decoded]) -> Lexicon {
    let texts: Vec<&str> = decoded.iter().map(|d| d.text.as_str()).collect();
    Lexicon::for_folder(&texts)
}

/// The built-in lexicon plus the words that decoded cleanly in `texts`.
/// Merging counts is order-independent, so the result does not depend on
/// thread timing.
pub fn lexicon_of(texts: &[&str]) -> Lexicon {
    Lexicon::learned_from(texts)
}

/// The decoded text of every article file the build would read under `input`.
pub fn folder_texts(input: &Path, config: &Config) -> Result<Vec<String>> {
    let inventory = discover(input, config.max_file_size)
        .with_context(|| format!("cannot read input folder {}", input.display()))?;
    let mut rejected = Vec::new();
    Ok(read_and_decode(inventory.files, config.max_file_size, &mut rejected).into_iter().map(|d| d.text).collect())
}

/// What became of one file.
struct FileResult {
    outcome: Result<Filed, Rejection>,
    warnings: Vec<Warning>,
    repairs: usize,
    guesses: usize,
}

fn parse_file(decoded: Decoded, lexicon: &Lexicon, now: DateTime<Utc>) -> FileResult {
    let source = decoded.file.rel.clone();
    let repaired = repair(&decoded.text, lexicon);
    let guesses = repaired.repairs.iter().filter(|r| !r.certain).count();
    let mut warnings = Vec::new();
    let outcome = match parse_article(&repaired.text) {
        // A rejected file's guesses would only bury its one real error.
        Err(error) => Err(Rejection::new(&source, Some(error.line), error.message)),
        Ok(parsed) => {
            warnings = guess_warnings(&source, &repaired.repairs);
            warnings
                .extend(parsed.warnings.into_iter().map(|(line, message)| Warning::new(&source, Some(line), message)));
            if parsed.article.timestamp > now {
                warnings.push(Warning::new(
                    &source,
                    None,
                    format!("timestamp {} is in the future", parsed.article.timestamp.to_rfc3339()),
                ));
            }
            let written = parsed.article.written_time.to_string();
            let raw_headline = decoded.text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
            Ok(Filed {
                fingerprint: fingerprint(&[&written, raw_headline]),
                source,
                path: decoded.file.path,
                article: parsed.article,
            })
        }
    };
    FileResult { outcome, warnings, repairs: repaired.repairs.len(), guesses }
}

/// Guessed repairs listed one by one, per file, before they are summed up.
const GUESS_WARNINGS_PER_FILE: usize = 20;

/// A warning for each guessed repair of a file, the first
/// `GUESS_WARNINGS_PER_FILE` of them one by one and the rest as one line, so
/// a badly damaged file cannot flood the report (`fix --explain` lists all).
fn guess_warnings(source: &str, repairs: &[crate::repair::Repair]) -> Vec<Warning> {
    let guesses: Vec<&crate::repair::Repair> = repairs.iter().filter(|r| !r.certain).collect();
    let mut warnings: Vec<Warning> = guesses
        .iter()
        .take(GUESS_WARNINGS_PER_FILE)
        .map(|r| Warning::new(source, Some(r.line), format!("guessed repair {} → {}", r.before, r.after)))
        .collect();
    if let Some(rest) = guesses.get(GUESS_WARNINGS_PER_FILE..).filter(|rest| !rest.is_empty()) {
        let message = format!("{} more guessed repairs; `depesche fix --explain` lists them all", rest.len());
        warnings.push(Warning::new(source, Some(rest[0].line), message));
    }
    warnings
}

/// Options of `depesche build`.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub input: PathBuf,
    pub output: PathBuf,
    pub config: Config,
    /// Folder whose templates override the defaults.
    pub template_dir: Option<PathBuf>,
    pub now: DateTime<Utc>,
}

/// The result of a build: what was read and how many pages were written.
#[derive(Debug)]
pub struct Built {
    pub loaded: Loaded,
    pub pages: usize,
}

impl Built {
    pub fn summary(&self) -> Summary {
        Summary { pages: self.pages, ..self.loaded.summary() }
    }
}

/// Build the whole site into `options.output`.
pub fn build(options: &BuildOptions) -> Result<Built> {
    let templates = Templates::load(options.template_dir.as_deref())?;
    let loaded = load(&options.input, &options.config, options.now)?;
    let output = crate::output::Output::begin(&options.output, &options.input)?;
    write_site(&output, &templates, &options.config, &loaded.stories)?;
    let pages = output.pages();
    output.commit()?;
    Ok(Built { loaded, pages })
}

/// Render every document and write it as soon as it is rendered.
fn write_site(output: &crate::output::Output, templates: &Templates, config: &Config, stories: &[Story]) -> Result<()> {
    let site = SiteView::new(config);
    stories.par_iter().try_for_each(|story| write_story(output, templates, &site, config, story))?;
    let items: Vec<ListItem> = stories.iter().map(|s| ListItem::new(s, config)).collect();
    for (path, html) in index_pages(templates, &site, config, &items)? {
        output.write(&path, html.as_bytes())?;
    }
    output.write("404.html", not_found_page(templates, &site)?.as_bytes())?;
    let story_dates = stories.iter().map(|s| (config.url(&s.path), s.updated().to_rfc3339()));
    output.write("sitemap.xml", sitemap(templates, &sitemap_entries(config, &items, story_dates))?.as_bytes())?;
    write_feeds(output, templates, &site, config, stories)
}

fn write_story(
    output: &crate::output::Output,
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    story: &Story,
) -> Result<()> {
    let html = story_page(templates, site, config, story)?;
    output.write(&format!("{}index.html", story.path), html.as_bytes())?;
    for version in &story.versions {
        output.copy(&source_path(story, version), &version.path)?;
        let page = version_page(templates, site, config, story, version.n)?;
        output.write(&version_page_path(story, version.n), page.as_bytes())?;
    }
    for (old, new) in diff_pairs(story) {
        let page = diff_page(templates, site, config, story, old, new)?;
        output.write(&diff_page_path(story, old, new), page.as_bytes())?;
    }
    Ok(())
}

fn write_feeds(
    output: &crate::output::Output,
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    stories: &[Story],
) -> Result<()> {
    let months = archive_months(stories);
    let newest_archive = months.last().map(|month| config.url(&month.path()));
    let items = feed_items(templates, config, stories.iter().take(config.feed_length))?;
    output.write(FEED_ATOM, atom_feed(config, site, &items, newest_archive.as_deref())?.as_bytes())?;
    output.write(FEED_RSS, rss_feed(config, site, &items)?.as_bytes())?;
    output.write(FEED_JSON, json_feed(config, site, &items)?.as_bytes())?;
    drop(items);
    write_changes_feed(output, templates, site, config, stories)?;
    for index in 0..months.len() {
        let items = feed_items(templates, config, months[index].stories.iter().copied())?;
        output.write(&months[index].path(), archive_feed(config, site, &months, index, &items)?.as_bytes())?;
    }
    Ok(())
}

/// Stories with their feed content rendered.
fn feed_items<'a>(
    templates: &Templates,
    config: &Config,
    stories: impl Iterator<Item = &'a Story>,
) -> Result<Vec<FeedItem<'a>>> {
    stories
        .map(|story| {
            let content_html = feed_content_html(templates, config, story)?;
            Ok(FeedItem { story, url: config.url(&story.path), content_html })
        })
        .collect()
}

/// `changes.xml`: the `feed_length` newest versions of all stories.
fn write_changes_feed(
    output: &crate::output::Output,
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    stories: &[Story],
) -> Result<()> {
    let items = newest_versions(stories, config.feed_length)
        .into_iter()
        .map(|(story, version)| {
            let content_html = version_entry_html(templates, config, story, version.n)?;
            Ok(ChangeItem { story, version, content_html })
        })
        .collect::<Result<Vec<_>>>()?;
    output.write(FEED_CHANGES, changes_feed(config, site, &items)?.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repair::Repair;

    fn guess(line: usize) -> Repair {
        Repair { line, before: "BRĂSSEL".into(), after: "BRÜSSEL".into(), certain: false }
    }

    #[test]
    fn guessed_repairs_are_listed_up_to_a_limit_then_summed_up() {
        let certain = Repair { certain: true, ..guess(1) };
        let few = guess_warnings("a.txt", &[certain.clone(), guess(2), guess(3)]);
        assert_eq!(few.len(), 2);
        assert_eq!(few[0].to_string(), "a.txt:2: warning: guessed repair BRĂSSEL → BRÜSSEL");
        let many: Vec<Repair> = (1..=GUESS_WARNINGS_PER_FILE + 5).map(guess).collect();
        let warnings = guess_warnings("a.txt", &many);
        assert_eq!(warnings.len(), GUESS_WARNINGS_PER_FILE + 1);
        let last = warnings.last().unwrap().to_string();
        assert!(
            last.starts_with(&format!("a.txt:{}: warning: 5 more guessed repairs", GUESS_WARNINGS_PER_FILE + 1)),
            "{last}"
        );
    }
}
