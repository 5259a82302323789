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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::cache::{CachedInput, CachedOutcome, CachedOutput, Manifest, StoryOutputs};
use crate::config::Config;
use crate::decode::decode;
use crate::output::Output;
use crate::parse::{Article, parse_article, parse_stored_article};
use crate::plan::{Document, Plan, Planned};
use crate::progress::{Progress, Silent};
use crate::render::search::SearchRecord;
use crate::render::{FeedContents, Renderer, Templates};
use crate::repair::{Lexicon, Repaired, needs_repair, repair};
use crate::report::{Rejection, Summary, Warning};
use crate::source::{Ignored, Inventory, SourceFile, Stamp, discover};
use crate::store::{Store, TextRef};
use crate::stories::{
    Digests, Earlier, Filed, Reach, Story, StoryTexts, Version, fingerprint, group_after, newest_first,
    profiles_needed, story_numbers,
};

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
    key: (usize, u64, u64),
    stamp: Stamp,
}

/// Read, repair, parse and group every article under `input`.
///
/// With a `store`, each file's original bytes and repaired text are kept
/// there for rendering; without one (`check`, `list`) they are dropped once
/// the file is parsed.
pub fn load(input: &Path, config: &Config, now: DateTime<Utc>, store: Option<&Store>) -> Result<Loaded> {
    load_reporting(input, config, now, store, &Silent)
}

/// [`load`], telling `progress` how it goes.
pub fn load_reporting(
    input: &Path,
    config: &Config,
    now: DateTime<Utc>,
    store: Option<&Store>,
    progress: &dyn Progress,
) -> Result<Loaded> {
    let mut stages = Stages::new(progress);
    let inventory = find_files(input, config)?;
    stages.done("find files");
    Ok(load_found(inventory, config, now, store, None, progress)?.0)
}

/// Every file under `input`, sorted into articles, rejected and ignored.
fn find_files(input: &Path, config: &Config) -> Result<Inventory> {
    discover(input, config.max_file_size).with_context(|| format!("cannot read input folder {}", input.display()))
}

/// Read, repair, parse and group the files `inventory` found, reusing what
/// `previous` recorded for files whose stamp did not change; also returns
/// what this build records for each file it read.
///
/// Files are read, decoded, parsed and put in the store in one parallel
/// pass, so only what grouping needs stays in memory. Only files that need
/// repair wait for the words of the whole folder, which the pass gathers
/// from the store afterwards.
fn load_found(
    inventory: Inventory,
    config: &Config,
    now: DateTime<Utc>,
    store: Option<&Store>,
    mut previous: Option<PreviousInputs>,
    progress: &dyn Progress,
) -> Result<(Loaded, Records)> {
    let mut stages = Stages::new(progress);
    let temporary;
    let store = match store {
        Some(store) => store,
        None => {
            temporary = Store::temporary()?;
            &temporary
        }
    };
    let mut loaded = Loaded { ignored: inventory.ignored, rejected: inventory.rejected, ..Default::default() };
    progress.reading(inventory.files.len());
    let files = read_files(inventory.files, config.max_file_size, previous.as_mut(), store, progress)?;
    stages.done("read, decode and parse");
    let files = drop_duplicates(files, &mut loaded.rejected);
    let results = repair_damaged(files, store)?;
    stages.done("repair");
    for (rel, cached) in &results {
        match &cached.outcome {
            CachedOutcome::Published { warnings, repairs, guesses, .. } => {
                loaded
                    .warnings
                    .extend(warnings.iter().map(|(line, message)| Warning::new(rel, *line, message.clone())));
                loaded.repairs += repairs;
                loaded.guesses += guesses;
            }
            CachedOutcome::Rejected { line, error } => loaded.rejected.push(Rejection::new(rel, *line, error.clone())),
        }
    }
    let mut records: BTreeMap<String, CachedInput> = results.into_iter().collect();
    let filed: Vec<&Filed> = records.values().filter_map(CachedInput::filed).collect();
    loaded.warnings.extend(future_warnings(&filed, now));
    loaded.warnings.sort_by(|a, b| a.source.cmp(&b.source));
    let earlier = previous.map(|previous| changes(&previous, &records, &filed));
    // A rebuild reads the profiles it expects to need; in the rare case
    // that its grouping does not settle within them, all after the changes.
    let mut grouping = None;
    for reach in [Reach::Settling, Reach::All] {
        let filed: Vec<&Filed> = records.values().filter_map(CachedInput::filed).collect();
        let needed = earlier.as_ref().map(|earlier| profiles_needed(&filed, earlier, reach));
        let unloaded: BTreeSet<String> =
            needed.iter().flatten().filter(|file| !file.has_profile()).map(|file| file.source.clone()).collect();
        load_profiles(&mut records, &unloaded, store)?;
        let filed: Vec<&Filed> = records.values().filter_map(CachedInput::filed).collect();
        grouping = group_after(&filed, config.host(), earlier.as_ref(), reach);
        if grouping.is_some() {
            break;
        }
    }
    let grouping = grouping.expect("grouping with every profile decides every file");
    loaded.stories = grouping.stories;
    record_grouping(&mut records, &loaded.stories);
    progress.grouped(loaded.stories.len());
    progress.decided(grouping.decided, loaded.stories.iter().map(|story| story.versions.len()).sum());
    newest_first(&mut loaded.stories);
    stages.done("group");
    loaded.rejected.sort_by(|a, b| a.source.cmp(&b.source));
    Ok((loaded, records))
}

/// Record in each file's record its story number in `stories` (in grouping
/// order), for the next build, and let go of every profile: rendering and
/// the manifest need none, and the texts pack keeps them.
fn record_grouping(records: &mut Records, stories: &[Story]) {
    let numbers = story_numbers(stories);
    // On both cores: giving back an archive's profiles is tens of
    // thousands of frees.
    records.par_iter_mut().for_each(|(source, cached)| {
        if let CachedOutcome::Published { filed, .. } = &mut cached.outcome {
            filed.story = numbers.get(source.as_str()).copied();
            filed.drop_profile();
        }
    });
}

/// Read back from `store` the profiles of the files `sources` (reused from
/// the previous build, which keeps profiles out of the manifest).
fn load_profiles(records: &mut BTreeMap<String, CachedInput>, sources: &BTreeSet<String>, store: &Store) -> Result<()> {
    records.par_iter_mut().filter(|(source, _)| sources.contains(*source)).try_for_each(|(source, cached)| {
        if let CachedOutcome::Published { filed, profile, .. } = &mut cached.outcome {
            let stored = store.read(*profile)?;
            filed
                .load_profile(&stored.original)
                .with_context(|| format!("the cached profile of {source} is damaged"))?;
        }
        Ok(())
    })
}

/// What a build records about its inputs for the next one, by path.
pub type Records = BTreeMap<String, CachedInput>;

/// The previous build's records of its inputs, each moved into this build's
/// records when its file is unchanged: an archive's records are tens of
/// megabytes, held once rather than twice.
struct PreviousInputs {
    /// In path order.
    entries: Vec<PreviousInput>,
}

/// One input of the previous build.
struct PreviousInput {
    path: String,
    /// The file's time and story number if the last grouping grouped it
    /// (read by [`changes`] after the record was taken).
    grouped: Option<Grouped>,
    /// The record, until this build takes it.
    record: Option<CachedInput>,
}

impl PreviousInputs {
    /// The records `inputs` of the previous build.
    fn new(inputs: Records) -> PreviousInputs {
        let entries = inputs
            .into_iter()
            .map(|(path, record)| PreviousInput { path, grouped: grouped(&record), record: Some(record) })
            .collect();
        PreviousInputs { entries }
    }

    /// The place of the unchanged record of `file`, if it has one and its
    /// size and time are those recorded.
    fn unchanged(&self, file: &SourceFile) -> Option<usize> {
        let at = self.entries.binary_search_by(|entry| entry.path.as_str().cmp(&file.rel)).ok()?;
        let record = self.entries[at].record.as_ref()?;
        (file.found.size == record.size && file.found.modified == record.modified).then_some(at)
    }
}

/// A file's time and its story number in the grouping that grouped it.
type Grouped = (DateTime<chrono::FixedOffset>, usize);

/// The time and story number of the file `input` if its grouping is
/// recorded in it.
fn grouped(input: &CachedInput) -> Option<Grouped> {
    input.filed().and_then(|file| Some((file.head.timestamp, file.story?)))
}

/// What changed since `previous` among the files grouped now or before:
/// the files that are not the same grouped file as before (added,
/// changed, removed, or newly a duplicate or rejected), their earliest
/// and latest times (then and now), and the stories they were in before.
/// A file carries its earlier story number only while its record is kept
/// unchanged from `previous` (see [`Filed::story`]); both maps are walked
/// once, in order.
fn changes(previous: &PreviousInputs, records: &Records, filed: &[&Filed]) -> Earlier {
    let before = previous.entries.iter().map(|entry| (&entry.path, entry.grouped));
    let gone =
        beside(before, records).filter_map(|(_, before, now)| before.filter(|_| now.and_then(grouped).is_none()));
    let (old_times, lost): (Vec<_>, Vec<usize>) = gone.unzip();
    let new_times = filed.iter().filter(|file| file.story.is_none()).map(|file| file.head.timestamp);
    let times: Vec<DateTime<chrono::FixedOffset>> = old_times.into_iter().chain(new_times).collect();
    Earlier { changed_from: times.iter().min().copied(), changed_until: times.iter().max().copied(), lost }
}

/// A warning for each file whose time lies after `now` (judged anew by every
/// build, never cached).
fn future_warnings(filed: &[&Filed], now: DateTime<Utc>) -> Vec<Warning> {
    filed
        .iter()
        .filter(|file| file.head.timestamp > now)
        .map(|file| {
            let message = format!("timestamp {} is in the future", file.head.timestamp.to_rfc3339());
            Warning::new(&file.source, None, message)
        })
        .collect()
}

/// One file as the reading pass left it.
enum ReadFile {
    /// Recorded by the previous build and unchanged since.
    Cached(SourceFile, CachedInput),
    /// Read, and parsed already (it needed no repair). A rejected file's
    /// text is kept: its words count when some other file needs repair.
    Parsed(Box<Parsed>),
    /// Read, waiting for the folder's words to be repaired.
    Damaged(Decoded),
    /// Could not be read or decoded.
    Failed(String, String),
}

/// A file read and parsed in the reading pass.
struct Parsed {
    rel: String,
    cached: CachedInput,
    rejected_text: Option<String>,
}

impl ReadFile {
    fn key(&self) -> Option<(usize, u64, u64)> {
        match self {
            ReadFile::Cached(_, cached) => Some(cached.key),
            ReadFile::Parsed(parsed) => Some(parsed.cached.key),
            ReadFile::Damaged(decoded) => Some(decoded.key),
            ReadFile::Failed(..) => None,
        }
    }

    fn rel(&self) -> &str {
        match self {
            ReadFile::Cached(file, _) => &file.rel,
            ReadFile::Failed(rel, _) => rel,
            ReadFile::Parsed(parsed) => &parsed.rel,
            ReadFile::Damaged(decoded) => &decoded.file.rel,
        }
    }
}

/// Every file in the order of `files`: reused from `previous` when its
/// stamp did not change, else read, decoded and (when it needs no repair)
/// parsed into `store`. Files needing repair are repaired with the whole
/// folder's words: when any does and anything changed, every file is read.
fn read_files(
    files: Vec<SourceFile>,
    max_file_size: u64,
    previous: Option<&mut PreviousInputs>,
    store: &Store,
    progress: &dyn Progress,
) -> Result<Vec<ReadFile>> {
    let cached: Vec<Option<CachedInput>> = match previous {
        Some(previous) => unchanged_records(&files, previous),
        None => files.iter().map(|_| None).collect(),
    };
    let read = |file: SourceFile| read_file(file, max_file_size, store);
    // In rayon's pieces: one file at a time to either core raised the peak
    // by 2 to 4 MB at 10,000 files.
    let mut read_files: Vec<ReadFile> = files
        .into_par_iter()
        .zip(cached)
        .map(|(file, cached)| {
            progress.file_read();
            match cached {
                Some(cached) => Ok(ReadFile::Cached(file, cached)),
                None => read(file),
            }
        })
        .collect::<Result<_>>()?;
    // A new file needing repair is repaired with the words of every file:
    // read the cached ones too, as if there were no cache.
    if read_files.iter().any(|f| matches!(f, ReadFile::Damaged(_))) {
        read_files = read_files
            .into_par_iter()
            .map(|file| match file {
                ReadFile::Cached(file, _) => read(file),
                other => Ok(other),
            })
            .collect::<Result<_>>()?;
    }
    Ok(read_files)
}

/// The record of each of `files` taken from `previous` if the file is
/// unchanged, unless a file changed and some unchanged file needs repair:
/// then every file is read again (see [`CachedInput::needs_repair`]).
fn unchanged_records(files: &[SourceFile], previous: &mut PreviousInputs) -> Vec<Option<CachedInput>> {
    let shared = &*previous;
    let places: Vec<Option<usize>> = files.par_iter().map(|file| shared.unchanged(file)).collect();
    let unchanged = places.iter().flatten().count();
    let changed = unchanged < files.len() || unchanged < previous.entries.len();
    let record = |at: &usize| previous.entries[*at].record.as_ref().expect("an unchanged file has its record");
    if changed && places.iter().flatten().any(|at| record(at).needs_repair) {
        return files.iter().map(|_| None).collect();
    }
    places.into_iter().map(|at| at.and_then(|at| previous.entries[at].record.take())).collect()
}

/// Read one file; parse it at once unless it needs repair.
fn read_file(file: SourceFile, max_file_size: u64, store: &Store) -> Result<ReadFile> {
    let (bytes, stamp) = match crate::source::read_stamped(&file, max_file_size) {
        Ok(read) => read,
        Err(error) => return Ok(ReadFile::Failed(file.rel, error)),
    };
    let text = match decode_text(&bytes) {
        Ok(text) => text,
        Err(error) => return Ok(ReadFile::Failed(file.rel, error)),
    };
    let decoded = Decoded { key: crate::source::content_key(&bytes), file, text, original: bytes, stamp };
    if needs_repair(&decoded.text) {
        return Ok(ReadFile::Damaged(decoded));
    }
    let (rel, cached, text) = parse_file(decoded, None, store)?;
    let rejected_text = cached.filed().is_none().then_some(text);
    Ok(ReadFile::Parsed(Box::new(Parsed { rel, cached, rejected_text })))
}

/// Files in order with duplicates (the same bytes as an earlier file)
/// rejected: those ready, and those waiting for repair.
fn drop_duplicates(files: Vec<ReadFile>, rejected: &mut Vec<Rejection>) -> Ready {
    let mut first_with: rustc_hash::FxHashMap<(usize, u64, u64), usize> = rustc_hash::FxHashMap::default();
    first_with.reserve(files.len());
    let mut duplicate = vec![false; files.len()];
    for (index, file) in files.iter().enumerate() {
        let Some(key) = file.key() else { continue };
        if let Some(&first) = first_with.get(&key) {
            let message = format!("duplicate: the same bytes as {}", files[first].rel());
            rejected.push(Rejection::new(file.rel(), None, message));
            duplicate[index] = true;
        } else {
            first_with.insert(key, index);
        }
    }
    let (mut ready, mut damaged) = (Vec::with_capacity(files.len()), Vec::new());
    let mut rejected_texts = Vec::new();
    for (file, duplicate) in files.into_iter().zip(duplicate) {
        if duplicate {
            continue;
        }
        match file {
            ReadFile::Cached(file, cached) => ready.push((file.rel, cached)),
            ReadFile::Parsed(parsed) => {
                rejected_texts.extend(parsed.rejected_text);
                ready.push((parsed.rel, parsed.cached));
            }
            ReadFile::Damaged(decoded) => damaged.push(decoded),
            ReadFile::Failed(rel, error) => rejected.push(Rejection::new(&rel, None, error)),
        }
    }
    Ready { ready, damaged, rejected_texts }
}

/// The files after the reading pass, duplicates dropped.
struct Ready {
    /// Parsed or reused files: (path, result, record).
    ready: Vec<(String, CachedInput)>,
    /// Files waiting for repair.
    damaged: Vec<Decoded>,
    /// Texts of rejected clean files: not in the store, yet their words count.
    rejected_texts: Vec<String>,
}

/// Repair and parse the files that need it, with the words of the whole
/// folder: the texts in the store and the damaged texts themselves.
fn repair_damaged(files: Ready, store: &Store) -> Result<Vec<(String, CachedInput)>> {
    let Ready { mut ready, damaged, rejected_texts, .. } = files;
    if damaged.is_empty() {
        return Ok(ready);
    }
    let stored: Vec<String> = ready
        .par_iter()
        .filter_map(|(_, cached)| cached.filed())
        .map(|filed| store.read(filed.text).map(|stored| stored.into_text()))
        .collect::<Result<_>>()?;
    let mut texts: Vec<&str> = stored.iter().chain(&rejected_texts).map(String::as_str).collect();
    texts.extend(damaged.iter().map(|d| d.text.as_str()));
    let lexicon = Lexicon::learned_from(&texts);
    let repaired: Vec<(String, CachedInput)> = damaged
        .into_par_iter()
        .map(|decoded| parse_file(decoded, Some(&lexicon), store).map(|(rel, cached, _)| (rel, cached)))
        .collect::<Result<_>>()?;
    ready.extend(repaired);
    ready.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(ready)
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

/// The built-in lexicon plus the words that decoded cleanly in `texts`.
/// Merging counts is order-independent, so the result does not depend on
/// thread timing.
pub fn lexicon_of(texts: &[&str]) -> Lexicon {
    Lexicon::learned_from(texts)
}

/// A file's content key and decoded text.
type KeyedText = ((usize, u64, u64), String);

/// The decoded text of every article file the build would read under `input`.
pub fn folder_texts(input: &Path, config: &Config) -> Result<Vec<String>> {
    let inventory = discover(input, config.max_file_size)
        .with_context(|| format!("cannot read input folder {}", input.display()))?;
    let read: Vec<Option<KeyedText>> = inventory
        .files
        .into_par_iter()
        .map(|file| {
            let bytes = crate::source::read(&file, config.max_file_size).ok()?;
            Some((crate::source::content_key(&bytes), decode_text(&bytes).ok()?))
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    Ok(read.into_iter().flatten().filter(|(key, _)| seen.insert(*key)).map(|(_, text)| text).collect())
}

/// Repair (with `lexicon`; without one the text needs no repair) and parse
/// one decoded file, keep its texts in `store`, and say what a later build
/// may reuse. Also hands back the decoded text.
fn parse_file(decoded: Decoded, lexicon: Option<&Lexicon>, store: &Store) -> Result<(String, CachedInput, String)> {
    let source = decoded.file.rel.clone();
    let repaired = match lexicon {
        Some(lexicon) => repair(&decoded.text, lexicon),
        None => Repaired { text: decoded.text.clone(), repairs: Vec::new() },
    };
    let guesses = repaired.repairs.iter().filter(|r| !r.certain).count();
    let mut warnings = Vec::new();
    let outcome = match parse_article(&repaired.text) {
        // A rejected file's guesses would only bury its one real error.
        Err(error) => Err(Rejection::new(&source, Some(error.line), error.message)),
        Ok(parsed) => {
            warnings = guess_warnings(&source, &repaired.repairs);
            warnings
                .extend(parsed.warnings.into_iter().map(|(line, message)| Warning::new(&source, Some(line), message)));
            let written = parsed.article.written_time.to_string();
            let raw_headline = decoded.text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
            let fingerprint = fingerprint(&[&written, raw_headline]);
            let text = store.append(&decoded.original, &repaired.text)?;
            let digests =
                Digests { text: crate::cache::bytes_digest(repaired.text.as_bytes()), original: decoded.key.1 };
            Ok(Filed::new(source.clone(), fingerprint, &parsed.article, text, digests))
        }
    };
    let outcome = match outcome {
        Ok(filed) => CachedOutcome::Published {
            profile: store.append(&filed.encoded_profile().expect("a file just parsed has its profile"), "")?,
            filed: Box::new(filed),
            warnings: warnings.into_iter().map(|w| (w.line, w.message)).collect(),
            repairs: repaired.repairs.len(),
            guesses,
        },
        Err(rejection) => CachedOutcome::Rejected { line: rejection.line, error: rejection.error },
    };
    let cached = CachedInput {
        size: decoded.stamp.size,
        modified: decoded.stamp.modified,
        key: decoded.key,
        needs_repair: lexicon.is_some(),
        outcome,
    };
    Ok((source, cached, decoded.text))
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
    /// Ignore the cache of earlier builds: read, render and write everything.
    pub clean: bool,
}

/// The result of a build: what was read and how many pages were written.
#[derive(Debug)]
pub struct Built {
    pub loaded: Loaded,
    pub pages: usize,
    /// The previous build's manifest and this one's, kept only to be freed
    /// with the rest (see [`release_with_process`]).
    #[expect(dead_code, reason = "held only to be freed, or not, with the rest")]
    manifests: Vec<Manifest>,
}

impl Built {
    pub fn summary(&self) -> Summary {
        Summary { pages: self.pages, ..self.loaded.summary() }
    }
}

/// For a run that ends now: leave `value`'s memory to the operating system,
/// which takes it back at once when the process exits, where freeing an
/// archive's stories and manifests piece by piece kept the main thread busy
/// (about 0.14 s of CPU after one new article at 50,000). A long-running
/// caller (`serve`) drops what it built instead.
pub fn release_with_process<T>(value: T) {
    std::mem::forget(value);
}

/// Build the whole site into `options.output`: load → plan → render each
/// document of the plan → write. With the cache of an earlier build (see
/// [`crate::cache`]) only changed files are read, only documents whose
/// inputs changed are rendered and only files whose bytes changed are
/// written; the result is the same site, byte for byte.
pub fn build(options: &BuildOptions) -> Result<Built> {
    build_reporting(options, &Silent)
}

/// [`build`], telling `progress` how it goes.
pub fn build_reporting(options: &BuildOptions, progress: &dyn Progress) -> Result<Built> {
    let mut stages = Stages::new(progress);
    let cache_dir = crate::cache::folder_for(&options.output)?;
    // Before anything is allocated, and held until the build returns: see
    // `crate::memory`. (A manifest found unusable later, which is rare, makes
    // a full build without it.)
    let full_build = options.clean || !crate::cache::Manifest::exists(&cache_dir);
    let purge = full_build.then(crate::memory::FullBuildPurge::start);
    let templates = Templates::load(options.template_dir.as_deref())?;
    // Reading the manifest and looking at every input file are the two
    // waits of an archive's rebuild: they run side by side.
    let (mut previous, inventory) = rayon::join(
        || {
            (!options.clean)
                .then(|| Manifest::load(&cache_dir, |program| reading_digest(program, &options.config)))
                .flatten()
        },
        || find_files(&options.input, &options.config),
    );
    // Found while the manifest was read, if there was one.
    let recorded_program = previous.as_ref().map(|previous| previous.program);
    if previous.as_ref().is_some_and(Manifest::mostly_garbage) {
        previous = None; // start the packs anew rather than let them grow
    }
    let output = match previous.is_some() {
        true => Output::begin_update(&options.output, &options.input)?,
        false => None,
    };
    let output = match output {
        Some(output) => output,
        None => {
            previous = None;
            Output::begin(&options.output, &options.input)?
        }
    };
    std::fs::create_dir_all(&cache_dir).with_context(|| format!("cannot create {}", cache_dir.display()))?;
    let texts = Store::open(&cache_dir.join("texts.pack"), previous.as_ref().map_or(0, |p| p.texts_len))?;
    let contents = Store::open(&cache_dir.join("contents.pack"), previous.as_ref().map_or(0, |p| p.contents_len))?;
    stages.done("open and find files");
    let previous_inputs = previous.as_mut().map(|previous| PreviousInputs::new(std::mem::take(&mut previous.inputs)));
    let load = || load_found(inventory?, &options.config, options.now, Some(&texts), previous_inputs, progress);
    // The program is needed only for the new manifest: when no manifest
    // was read, it is recognised (or hashed, tens of megabytes) while the
    // files are read, not before.
    let ((loaded, inputs), program) = match recorded_program {
        Some(program) => (load()?, program),
        None => {
            let (loaded, program) = rayon::join(load, || crate::cache::running_program(&cache_dir));
            (loaded?, program)
        }
    };
    let reading = reading_digest(program.digest, &options.config);
    stages.done("read and group");
    let plan = Plan::new(&loaded.stories, &options.config, &templates.sources());
    stages.done("plan");
    let renderer = Renderer::new(&templates, &options.config)?;
    let (documents, pages) = plan.document_count();
    progress.writing(documents);
    let site = Site {
        output: &output,
        renderer: &renderer,
        plan: &plan,
        texts: &texts,
        contents: &contents,
        progress,
        purge: purge.as_ref(),
    };
    let mut written = site.write(previous.as_ref())?;
    stages.done("render and write");
    written.outputs.extend(site.write_search_shards(previous.as_ref())?);
    stages.done("search index");
    for path in &written.gone {
        output.remove(path)?;
    }
    if let Some(previous) = &previous {
        for path in no_longer_written(&previous.outputs, &written.outputs) {
            output.remove(path)?;
        }
        for folder in no_longer_written(&previous.story_outputs, &written.story_outputs) {
            for (name, _) in previous.story_outputs[folder].files()? {
                output.remove(&format!("{folder}{name}"))?;
            }
        }
    }
    texts.sync()?;
    contents.sync()?;
    // Until the new manifest is saved, a killed build leaves none: the next
    // build then starts from nothing instead of trusting a stale one.
    crate::cache::Manifest::discard(&cache_dir)?;
    output.commit()?;
    let mut manifest = Manifest::new(program, reading);
    manifest.texts_len = texts.len();
    manifest.inputs = inputs;
    manifest.contents_len = contents.len();
    manifest.contents = written.contents;
    manifest.outputs = written.outputs;
    manifest.story_outputs = written.story_outputs;
    manifest.save(&cache_dir)?;
    crate::websub::record_changed(&cache_dir, &changed_feeds(previous.as_ref(), &manifest))?;
    stages.done("commit");
    drop(plan);
    Ok(Built { loaded, pages, manifests: previous.into_iter().chain([manifest]).collect() })
}

/// The paths of `before` that are not in `now`.
fn no_longer_written<'a, V, W>(before: &'a BTreeMap<String, V>, now: &BTreeMap<String, W>) -> Vec<&'a String> {
    beside(before, now).filter(|(_, _, now)| now.is_none()).map(|(path, _, _)| path).collect()
}

/// Each entry of `before` with the entry of `now` under the same key, if
/// any, in one walk through both (sorted) maps: an archive's maps hold tens
/// of thousands of keys, each a search in the other map otherwise.
fn beside<'a, 'b, V, W>(
    before: impl IntoIterator<Item = (&'a String, V)>,
    now: &'b BTreeMap<String, W>,
) -> impl Iterator<Item = (&'a String, V, Option<&'b W>)> {
    let mut now = now.iter().peekable();
    before.into_iter().map(move |(key, value)| {
        while now.next_if(|(later, _)| *later < key).is_some() {}
        let same = now.peek().filter(|(same, _)| *same == key).map(|(_, found)| *found);
        (key, value, same)
    })
}

/// The subscribed feeds whose bytes differ from the previous build's (all
/// of them without one), for WebSub (see [`crate::websub`]).
fn changed_feeds(previous: Option<&Manifest>, now: &Manifest) -> Vec<&'static str> {
    let bytes = |manifest: &Manifest, feed: &str| manifest.outputs.get(feed).map(|output| output.bytes);
    let changed = |feed: &&str| bytes(now, feed).is_some() && previous.and_then(|p| bytes(p, feed)) != bytes(now, feed);
    crate::websub::SUBSCRIBED_FEEDS.iter().copied().filter(changed).collect()
}

/// Digest of what decides the result of reading a file: the program (whose
/// digest is `program`) and the size limit. A cache made under another is
/// not used.
fn reading_digest(program: u64, config: &Config) -> u64 {
    program ^ config.max_file_size.rotate_left(17)
}

/// What a build wrote, for the manifest.
struct Written {
    /// The files that are not one story's, by path.
    outputs: BTreeMap<String, CachedOutput>,
    /// The files of each story, by the story's folder.
    story_outputs: BTreeMap<String, StoryOutputs>,
    contents: BTreeMap<(u64, usize), TextRef>,
    /// Files of stories written again that their stories no longer have
    /// (a story's folder no longer in the site is found by its record).
    gone: Vec<String>,
}

/// Everything rendering and writing the site needs.
struct Site<'a> {
    output: &'a Output,
    renderer: &'a Renderer<'a>,
    plan: &'a Plan<'a>,
    /// Every version's original and repaired text.
    texts: &'a Store,
    /// Every story's feed content.
    contents: &'a Store,
    progress: &'a dyn Progress,
    /// The full build's purge of freed memory, if this is one.
    purge: Option<&'a crate::memory::FullBuildPurge>,
}

impl Site<'_> {
    /// Render and write every document of the plan that `previous` does not
    /// already hold: the stories' documents in parallel, each story's
    /// history computed once and its feed content put aside in the contents
    /// pack; then the site's documents, the feeds and archives reading that
    /// content back.
    fn write(&self, previous: Option<&Manifest>) -> Result<Written> {
        // One story at a time to either core: in larger pieces, one core was
        // left writing the last of them while the other waited.
        let stories: Vec<StoryWritten> = crate::memory::FullBuildPurge::relaxed(self.purge, || {
            (0..self.plan.stories().len())
                .into_par_iter()
                .with_max_len(1)
                .map(|story| self.write_story(story, previous))
                .collect::<Result<_>>()
        })?;
        // Looked up once for each of the site's documents: hashed, not
        // searched in the manifest's sorted map.
        let before: Option<Before> =
            previous.map(|p| p.outputs.iter().map(|(path, output)| (path.as_str(), *output)).collect());
        let before = before.as_ref();
        let mut story_outputs = Vec::with_capacity(stories.len());
        let mut contents = Vec::new();
        let mut kept = Vec::with_capacity(stories.len());
        let mut gone = Vec::new();
        for (story, written) in self.plan.stories().iter().zip(stories) {
            story_outputs.push((story.path.clone(), written.outputs));
            contents.extend(written.contents.iter().copied());
            kept.push(written.contents);
            gone.extend(written.gone);
        }
        let feed_contents = KeptContents { pack: self.contents, kept };
        let mut site_documents: Vec<&Planned> = self
            .plan
            .site_documents()
            .iter()
            .filter(|planned| !matches!(planned.document, Document::SearchShard { .. }))
            .collect();
        site_documents.sort_by_cached_key(|planned| std::cmp::Reverse(self.plan.render_weight(&planned.document)));
        let site_documents = from_both_ends(&site_documents, |planned| {
            let before = before.and_then(|b| b.get(planned.path.as_str()));
            let written = self.write_document(
                planned,
                before,
                || self.renderer.site_document(self.plan, &feed_contents, &planned.document),
                |bytes| self.output.write(&planned.path, bytes),
            )?;
            Ok((planned.path.clone(), written))
        })?;
        // Sorted first, the maps are built in one pass: inserted one by one,
        // an archive's paths cost a search each.
        story_outputs.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        contents.par_sort_unstable_by_key(|(key, _)| *key);
        Ok(Written {
            outputs: site_documents.into_iter().collect(),
            story_outputs: story_outputs.into_iter().collect(),
            contents: contents.into_iter().collect(),
            gone,
        })
    }

    /// Write every search shard that changed, one after the other, so a
    /// build holds one month's index at a time.
    fn write_search_shards(&self, previous: Option<&Manifest>) -> Result<Vec<(String, CachedOutput)>> {
        let mut outputs = Vec::new();
        for planned in self.plan.site_documents() {
            if let Document::SearchShard { index } = planned.document {
                outputs.extend(self.write_search_shard(planned, index, previous)?);
            }
        }
        Ok(outputs)
    }

    /// Write search shard `index` unless `previous` wrote it from the same
    /// inputs. A shard is a Pagefind bundle of many files, all recorded
    /// with the shard's digest; a changed shard is indexed again whole (its
    /// file names are content hashes), and its old files, not written
    /// again, are removed with the rest.
    fn write_search_shard(
        &self,
        planned: &Planned,
        index: usize,
        previous: Option<&Manifest>,
    ) -> Result<Vec<(String, CachedOutput)>> {
        let shard = &self.plan.search_shards()[index];
        let dir = shard.dir();
        let before: Vec<(String, CachedOutput)> = previous
            .map(|p| {
                let files = p.outputs.range(dir.clone()..).take_while(|(path, _)| path.starts_with(&dir));
                files.map(|(path, output)| (path.clone(), *output)).collect()
            })
            .unwrap_or_default();
        let entry_kept = before.iter().any(|(path, _)| *path == planned.path);
        if entry_kept && before.iter().all(|(_, output)| output.digest == planned.digest) {
            return Ok(before);
        }
        let stories = self.plan.stories();
        let records: Vec<SearchRecord> = shard
            .stories
            .par_iter()
            .map(|&story| {
                let story = &stories[story];
                let (article, _) = stored_version(self.texts, story.latest())?;
                Ok(SearchRecord::of(story, &article))
            })
            .collect::<Result<_>>()?;
        let files = crate::render::search::shard_files(self.plan.language(), records)?;
        let before: BTreeMap<String, CachedOutput> = before.into_iter().collect();
        files
            .into_iter()
            .map(|(name, bytes)| {
                let path = format!("{dir}{name}");
                let written = CachedOutput { digest: planned.digest, bytes: crate::cache::bytes_digest(&bytes) };
                if before.get(&path).is_none_or(|b| b.bytes != written.bytes) {
                    self.output.write(&path, &bytes)?;
                }
                Ok((path, written))
            })
            .collect()
    }

    /// Write the documents of story `story` that changed and put its feed
    /// content aside (or find it put aside by an earlier build). A story
    /// whose key is the one the previous build recorded for its folder keeps
    /// its files as they are, without planning them.
    fn write_story(&self, story: usize, previous: Option<&Manifest>) -> Result<StoryWritten> {
        let folder = &self.plan.stories()[story].path;
        let key = self.plan.story_key(story);
        let changes = self.plan.changes_of(story);
        let content_keys: Vec<(u64, usize)> =
            std::iter::once((key, 0)).chain(changes.iter().map(|&n| (key, n))).collect();
        let kept_content: Option<Vec<((u64, usize), TextRef)>> =
            content_keys.iter().map(|k| Some((*k, *previous?.contents.get(k)?))).collect();
        let recorded = previous.and_then(|p| p.story_outputs.get(folder));
        if let Some(contents) = &kept_content
            && let Some(recorded) = recorded.filter(|r| r.key == key)
        {
            (0..self.plan.story_document_count(story)).for_each(|_| self.progress.document_written());
            return Ok(StoryWritten { outputs: recorded.clone(), contents: contents.clone(), gone: Vec::new() });
        }
        let before: rustc_hash::FxHashMap<String, CachedOutput> =
            recorded.map(StoryOutputs::files).transpose()?.unwrap_or_default().into_iter().collect();
        let documents = self.plan.story_documents(story);
        let texts = story_texts(self.texts, &self.plan.stories()[story])?;
        let history = self.renderer.history(&self.plan.stories()[story], &texts)?;
        // Opened when the first of its files is written: a rebuild writes
        // none of most stories'.
        let mut opened: Option<crate::output::OpenFolder> = None;
        let files: Vec<(&str, CachedOutput)> = documents
            .iter()
            .map(|planned| {
                let name = &planned.path[folder.len()..];
                let written = self.write_document(
                    planned,
                    before.get(name),
                    || self.renderer.story_document(&history, &planned.document),
                    |bytes| {
                        let open = match &mut opened {
                            Some(open) => open,
                            None => opened.insert(self.output.open_folder(folder)?),
                        };
                        open.write(name, bytes)
                    },
                )?;
                Ok((name, written))
            })
            .collect::<Result<_>>()?;
        drop(opened);
        let now: rustc_hash::FxHashSet<&str> = files.iter().map(|(name, _)| *name).collect();
        let gone = before.keys().filter(|name| !now.contains(name.as_str())).map(|name| format!("{folder}{name}"));
        let gone = gone.collect();
        let outputs = StoryOutputs::new(key, &files);
        let contents = match kept_content {
            Some(contents) => contents,
            None => {
                let content = self.renderer.feed_content(&history, &changes)?;
                // Kept as the record's bytes, read back without a copy.
                let put_aside = |html: &str| self.contents.append(html.as_bytes(), html);
                let mut contents = vec![((key, 0), put_aside(&content.story_html)?)];
                for (n, html) in &content.version_html {
                    contents.push(((key, *n), put_aside(html)?));
                }
                contents
            }
        };
        Ok(StoryWritten { outputs, contents, gone })
    }

    /// Write one document unless the previous build (`before`) wrote it with the same inputs,
    /// or with the same bytes: `render` is called only when needed, and `write` with its bytes.
    fn write_document<B: AsRef<[u8]>>(
        &self,
        planned: &Planned,
        before: Option<&CachedOutput>,
        render: impl FnOnce() -> Result<B>,
        write: impl FnOnce(&[u8]) -> Result<()>,
    ) -> Result<CachedOutput> {
        self.progress.document_written();
        if let Some(before) = before.filter(|b| b.digest == planned.digest) {
            return Ok(*before);
        }
        let rendered = render()?;
        let bytes = rendered.as_ref();
        let written = CachedOutput { digest: planned.digest, bytes: crate::cache::bytes_digest(bytes) };
        if before.is_none_or(|b| b.bytes != written.bytes) {
            write(bytes)?;
        }
        Ok(written)
    }
}

/// `work` done for each of `items` (heaviest first) on all cores, half of
/// them taking the heaviest item left and half the lightest, one at a
/// time. So the heaviest (the archive documents, megabytes each) are not
/// all held at once, as they were when every core began with one, and no
/// core is left with a large one at the end while the others wait, as when
/// they came in one piece of the list. The results come in no set order.
fn from_both_ends<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> Result<R> + Sync) -> Result<Vec<R>> {
    let left = std::sync::Mutex::new(0..items.len());
    let worker = |heaviest: bool| -> Result<Vec<R>> {
        let mut done = Vec::new();
        loop {
            let next = {
                let mut left = left.lock().expect("work list poisoned");
                if heaviest { left.next() } else { left.next_back() }
            };
            let Some(item) = next else { return Ok(done) };
            done.push(work(&items[item])?);
        }
    };
    let workers = rayon::current_num_threads().max(1);
    let done: Vec<Vec<R>> =
        (0..workers).into_par_iter().with_max_len(1).map(|w| worker(w % 2 == 0)).collect::<Result<_>>()?;
    Ok(done.into_iter().flatten().collect())
}

/// The previous build's files by site path, for lookups only.
type Before<'a> = rustc_hash::FxHashMap<&'a str, CachedOutput>;

/// What writing one story gave: its files and where its feed content lies.
struct StoryWritten {
    outputs: StoryOutputs,
    /// Files the story's folder held and no longer holds.
    gone: Vec<String>,
    /// (story digest, 0) for its entry content, (story digest, n) for the
    /// versions `changes.xml` holds.
    contents: Vec<((u64, usize), TextRef)>,
}

/// The feed content of every story of the plan, `kept[i]` for story `i`.
struct KeptContents<'a> {
    pack: &'a Store,
    kept: Vec<Vec<((u64, usize), TextRef)>>,
}

impl FeedContents for KeptContents<'_> {
    fn story_html(&self, story: usize) -> Result<String> {
        Ok(self.pack.read(self.kept[story][0].1)?.into_text())
    }

    fn version_html(&self, story: usize, n: usize) -> Result<String> {
        let found = self.kept[story].iter().skip(1).find(|((_, m), _)| *m == n);
        let (_, at) = found.with_context(|| format!("version {n} has no feed content"))?;
        Ok(self.pack.read(*at)?.into_text())
    }
}

/// Per-stage wall times, handed to a [`Progress`] (which prints them with
/// `-v`).
struct Stages<'a> {
    start: std::time::Instant,
    progress: &'a dyn Progress,
}

impl Stages<'_> {
    fn new(progress: &dyn Progress) -> Stages<'_> {
        Stages { start: std::time::Instant::now(), progress }
    }

    fn done(&mut self, stage: &str) {
        self.progress.stage_done(stage, self.start.elapsed().as_secs_f64());
        self.start = std::time::Instant::now();
    }
}

/// The full texts of `story`'s versions, read back from `store` and parsed
/// again (parsing is deterministic: the same text gives the same article).
fn story_texts(store: &Store, story: &Story) -> Result<StoryTexts> {
    let mut texts = StoryTexts::default();
    for version in &story.versions {
        let (article, original) = stored_version(store, version)?;
        texts.articles.push(article);
        texts.originals.push(original);
    }
    Ok(texts)
}

/// A version's text read back from `store` and parsed again, and its
/// original bytes.
fn stored_version(store: &Store, version: &Version) -> Result<(Article, Vec<u8>)> {
    let stored = store.read(version.text)?;
    let parsed = parse_stored_article(stored.text())
        .map_err(|error| anyhow::anyhow!("{}: stored text no longer parses: {}", version.source, error.message))?;
    Ok((parsed.article, stored.original))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repair::Repair;

    fn guess(line: usize) -> Repair {
        Repair { line, before: "BRĂSSEL".into(), after: "BRÜSSEL".into(), certain: false }
    }

    #[test]
    fn work_from_both_ends_does_every_item_once() {
        for len in [0, 1, 2, 3, 10, 101] {
            let items: Vec<usize> = (0..len).collect();
            let mut done = from_both_ends(&items, |&item| Ok(item * 2)).unwrap();
            done.sort_unstable();
            assert_eq!(done, items.iter().map(|i| i * 2).collect::<Vec<_>>(), "{len} items");
        }
        let items: Vec<usize> = (0..50).collect();
        let failed = from_both_ends(&items, |&item| if item == 17 { anyhow::bail!("item 17") } else { Ok(item) });
        assert_eq!(failed.unwrap_err().to_string(), "item 17");
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
        let (renderer, contents) = (Renderer::new(&templates, &config).unwrap(), Store::temporary().unwrap());
        let site = Site {
            output: &output,
            renderer: &renderer,
            plan: &plan,
            texts: &store,
            contents: &contents,
            progress: &Silent,
            purge: None,
        };
        site.write(None).unwrap();
        site.write_search_shards(None).unwrap();
        output.commit().unwrap();
        let source = target.join(crate::paths::source_file(&loaded.stories[0].path, 1));
        assert_eq!(std::fs::read_to_string(source).unwrap(), article);
        for planned in plan.documents() {
            assert!(target.join(&planned.path).is_file(), "{} was planned and written", planned.path);
        }
    }

    #[test]
    fn paths_no_longer_written_are_found_in_one_walk() {
        let map = |paths: &[&str]| paths.iter().map(|p| (p.to_string(), ())).collect::<BTreeMap<String, ()>>();
        let before = map(&["a", "b/1", "b/2", "c", "e"]);
        let now = map(&["a0", "b/2", "c", "d", "e", "f"]);
        assert_eq!(no_longer_written(&before, &now), ["a", "b/1"]);
        assert_eq!(no_longer_written(&before, &map(&[])).len(), 5);
        assert!(no_longer_written(&map(&[]), &now).is_empty());
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
