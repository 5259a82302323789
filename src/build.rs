//! The pipeline, stage after stage: find files → decode → repair → parse →
//! group → plan → render → write. `load` runs the reading half (used by
//! `check` and `list` too); `build` adds planning, rendering and writing.
//!
//! Each file is read once: the bytes that are decoded, checked and hashed
//! are the ones kept as the version's original, so nothing after `load`
//! reads the input folder again.
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
use crate::output::Output;
use crate::parse::parse_article;
use crate::plan::Plan;
use crate::render::{FeedContents, Renderer, Templates};
use crate::repair::{Lexicon, repair};
use crate::report::{Rejection, Summary, Warning};
use crate::source::{Ignored, SourceFile, discover};
use crate::store::{Store, TextRef};
use crate::stories::{Digests, Filed, Story, StoryTexts, fingerprint, fnv, group, newest_first};

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
    /// The bytes `text` was decoded from: read once, never again, and
    /// stored with the repaired text for rendering.
    original: Vec<u8>,
    /// Digest of the bytes (see [`crate::source::content_key`]).
    original_digest: u64,
}

/// Read, repair, parse and group every article under `input`.
///
/// With a `store`, each file's original bytes and repaired text are kept
/// there for rendering; without one (`check`, `list`) they are dropped once
/// the file is parsed.
pub fn load(input: &Path, config: &Config, now: DateTime<Utc>, store: Option<&Store>) -> Result<Loaded> {
    let mut stages = Stages::new();
    let inventory = discover(input, config.max_file_size)
        .with_context(|| format!("cannot read input folder {}", input.display()))?;
    stages.done("find files");
    let mut loaded = Loaded { ignored: inventory.ignored, rejected: inventory.rejected, ..Default::default() };
    let decoded = read_and_decode(inventory.files, config.max_file_size, &mut loaded.rejected);
    stages.done("read and decode");
    let lexicon = folder_lexicon(&decoded);
    stages.done("lexicon");
    let results: Vec<FileResult> =
        decoded.into_par_iter().map(|d| parse_file(d, &lexicon, now, store)).collect::<Result<_>>()?;
    stages.done("repair and parse");
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
    stages.done("group");
    loaded.rejected.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(loaded)
}

/// A file's content key, decoded text and bytes, or why it cannot be read.
type ReadResult = Result<((usize, u64, u64), String, Vec<u8>), String>;

/// Read and decode every file; unreadable, binary and duplicate files are rejected.
fn read_and_decode(files: Vec<SourceFile>, max_file_size: u64, rejected: &mut Vec<Rejection>) -> Vec<Decoded> {
    let read: Vec<(SourceFile, ReadResult)> = files
        .into_par_iter()
        .map(|file| {
            let result = crate::source::read(&file, max_file_size).and_then(|bytes| {
                let text = decode_text(&bytes)?;
                Ok((crate::source::content_key(&bytes), text, bytes))
            });
            (file, result)
        })
        .collect();
    let mut seen: BTreeMap<(usize, u64, u64), String> = BTreeMap::new();
    let mut decoded = Vec::new();
    for (file, result) in read {
        match result {
            Err(error) => rejected.push(Rejection::new(&file.rel, None, error)),
            Ok((hash, ..)) if seen.contains_key(&hash) => {
                let first = &seen[&hash];
                rejected.push(Rejection::new(&file.rel, None, format!("duplicate: the same bytes as {first}")));
            }
            Ok((hash, text, original)) => {
                seen.insert(hash, file.rel.clone());
                decoded.push(Decoded { file, text, original, original_digest: hash.1 });
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

fn parse_file(decoded: Decoded, lexicon: &Lexicon, now: DateTime<Utc>, store: Option<&Store>) -> Result<FileResult> {
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
            let fingerprint = fingerprint(&[&written, raw_headline]);
            let text = match store {
                Some(store) => store.append(&decoded.original, &repaired.text)?,
                None => TextRef::default(),
            };
            let digests = Digests { text: fnv(repaired.text.as_bytes()), original: decoded.original_digest };
            Ok(Filed::new(source, fingerprint, &parsed.article, text, digests))
        }
    };
    Ok(FileResult { outcome, warnings, repairs: repaired.repairs.len(), guesses })
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

/// Build the whole site into `options.output`: load → plan → render each
/// document of the plan → write.
pub fn build(options: &BuildOptions) -> Result<Built> {
    let mut stages = Stages::new();
    let templates = Templates::load(options.template_dir.as_deref())?;
    let store = Store::temporary()?;
    let loaded = load(&options.input, &options.config, options.now, Some(&store))?;
    stages.done("read and group");
    let plan = Plan::new(&loaded.stories, &options.config, &templates.sources());
    stages.done("plan");
    let output = Output::begin(&options.output, &options.input)?;
    write_site(&output, &Renderer::new(&templates, &options.config), &plan, &store)?;
    stages.done("render and write");
    let pages = output.pages();
    output.commit()?;
    stages.done("commit");
    Ok(Built { loaded, pages })
}

/// Render every document of the plan and write it as soon as it is
/// rendered: the stories' documents in parallel, each story's history
/// computed once, its feed content put aside in a pack; then the site's
/// documents, the feeds and archives reading that content back.
fn write_site(output: &Output, renderer: &Renderer, plan: &Plan, store: &Store) -> Result<()> {
    let pack = Store::temporary()?;
    let kept: Vec<KeptContent> = (0..plan.stories().len())
        .into_par_iter()
        .map(|story| write_story(output, renderer, plan, story, store, &pack))
        .collect::<Result<_>>()?;
    let contents = KeptContents { pack, kept };
    let documents = plan.site_documents();
    documents.par_iter().try_for_each(|planned| {
        output.write(&planned.path, renderer.site_document(plan, &contents, &planned.document)?.as_bytes())
    })
}

/// Write the documents of story `story` and put its feed content aside.
fn write_story(
    output: &Output,
    renderer: &Renderer,
    plan: &Plan,
    story: usize,
    store: &Store,
    pack: &Store,
) -> Result<KeptContent> {
    let texts = story_texts(store, &plan.stories()[story])?;
    let history = renderer.history(&plan.stories()[story], &texts)?;
    for planned in plan.story_documents(story) {
        output.write(&planned.path, &renderer.story_document(&history, &planned.document)?)?;
    }
    let content = renderer.feed_content(&history, &plan.changes_of(story))?;
    Ok(KeptContent {
        story_html: pack.append(content.story_html.as_bytes(), &content.story_html)?,
        version_html: content.version_html,
    })
}

/// A story's feed content as put aside: its entry content in the pack, the
/// few versions `changes.xml` holds in memory.
struct KeptContent {
    story_html: TextRef,
    version_html: Vec<(usize, String)>,
}

/// The feed content of every story of the plan, `kept[i]` for story `i`.
struct KeptContents {
    pack: Store,
    kept: Vec<KeptContent>,
}

impl FeedContents for KeptContents {
    fn story_html(&self, story: usize) -> Result<String> {
        Ok(self.pack.read(self.kept[story].story_html)?.text)
    }

    fn version_html(&self, story: usize, n: usize) -> Result<String> {
        let found = self.kept[story].version_html.iter().find(|(m, _)| *m == n);
        found.map(|(_, html)| html.clone()).with_context(|| format!("version {n} has no feed content"))
    }
}

/// Per-stage wall times, printed to standard error when the environment
/// variable `DEPESCHE_TIMINGS` is set.
struct Stages {
    start: std::time::Instant,
    enabled: bool,
}

impl Stages {
    fn new() -> Stages {
        Stages { start: std::time::Instant::now(), enabled: std::env::var_os("DEPESCHE_TIMINGS").is_some() }
    }

    fn done(&mut self, stage: &str) {
        if self.enabled {
            eprintln!("timing: {stage}: {:.3} s", self.start.elapsed().as_secs_f64());
        }
        self.start = std::time::Instant::now();
    }
}

/// The full texts of `story`'s versions, read back from `store` and parsed
/// again (parsing is deterministic: the same text gives the same article).
fn story_texts(store: &Store, story: &Story) -> Result<StoryTexts> {
    let mut texts = StoryTexts::default();
    for version in &story.versions {
        let stored = store.read(version.text)?;
        let parsed = parse_article(&stored.text)
            .map_err(|error| anyhow::anyhow!("{}: stored text no longer parses: {}", version.source, error.message))?;
        texts.articles.push(parsed.article);
        texts.originals.push(stored.original);
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repair::Repair;

    fn guess(line: usize) -> Repair {
        Repair { line, before: "BRĂSSEL".into(), after: "BRÜSSEL".into(), certain: false }
    }

    #[test]
    fn the_published_original_is_the_bytes_that_were_read_and_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap();
        let article = "Titel\n01.02.2024 - 10:00:00\nBERLIN (dpa-AFX) - Ein Satz.\n";
        std::fs::write(input.join("a.txt"), article).unwrap();
        let config = Config::embedded();
        let store = Store::temporary().unwrap();
        let loaded = load(&input, &config, chrono::Utc::now(), Some(&store)).unwrap();
        // The file changes after it was read: its new bytes were never parsed.
        std::fs::write(input.join("a.txt"), "Anderer Titel\n").unwrap();
        let templates = Templates::load(None).unwrap();
        let plan = Plan::new(&loaded.stories, &config, &templates.sources());
        let target = dir.path().join("public");
        let output = Output::begin(&target, &input).unwrap();
        write_site(&output, &Renderer::new(&templates, &config), &plan, &store).unwrap();
        output.commit().unwrap();
        let source = target.join(crate::paths::source_file(&loaded.stories[0].path, 1));
        assert_eq!(std::fs::read_to_string(source).unwrap(), article);
        for planned in plan.documents() {
            assert!(target.join(&planned.path).is_file(), "{} was planned and written", planned.path);
        }
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
