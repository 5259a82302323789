//! What the previous build read and wrote, so the next build redoes only
//! what changed.
//!
//! The cache lives beside the output folder (`.<output>.depesche-cache/`):
//! a manifest, the pack of every file's original bytes and repaired text
//! (see [`crate::store`]) and the pack of every story's feed content. The
//! manifest records, per input file, its size and modification time, what
//! reading it produced (its head and warnings and where its profile lies in
//! the texts pack, or why it was rejected) and the story the last grouping
//! put it in, and per output file the digest of its inputs (see
//! [`crate::plan`]) and the digest of its bytes.
//! A story's files are recorded together, under the story's folder and its
//! [`crate::plan::Plan::story_key`], and decoded only for a story whose key
//! changed: an archive's rebuild touches few of its stories. A build
//! re-reads only files whose size or time changed, re-renders only
//! documents whose digest changed and rewrites only files whose bytes
//! changed.
//!
//! The cache is an optimisation, never a source of truth: any doubt (another
//! depesche binary, other reading settings, a damaged or missing manifest,
//! `--clean`) and the build starts from nothing. The manifest is replaced
//! atomically and only after the site was committed, so a build killed at
//! any point leaves a manifest that describes a site at least as old as the
//! one in place; what it misses is rendered again.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::store::TextRef;
use crate::stories::Filed;

/// Bumped whenever the manifest's layout changes.
const FORMAT: u32 = 7;

/// The cache folder for the output folder `target`.
pub fn folder_for(target: &Path) -> Result<PathBuf> {
    let name = target.file_name().with_context(|| format!("output folder {} has no name", target.display()))?;
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(parent.join(format!(".{}.depesche-cache", name.to_string_lossy())))
}

/// What one build leaves for the next.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    format: u32,
    /// The program that made the manifest.
    pub program: Program,
    /// Digest of the program and the settings that decide what reading a
    /// file gives: a manifest of another is not used.
    pub reading: u64,
    /// Bytes of the texts pack that hold records of this manifest.
    pub texts_len: u64,
    /// Every file read by the build, by its path relative to the input folder.
    pub inputs: BTreeMap<String, CachedInput>,
    /// Bytes of the contents pack that hold records of this manifest.
    pub contents_len: u64,
    /// Feed content by (story digest, version number or 0 for the story's
    /// entry content).
    pub contents: BTreeMap<(u64, usize), TextRef>,
    /// Every file of the site the build wrote that is not one story's, by
    /// its site path.
    pub outputs: BTreeMap<String, CachedOutput>,
    /// The files of every story the build wrote, by the story's folder.
    pub story_outputs: BTreeMap<String, StoryOutputs>,
}

/// One input file as the last build found and read it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedInput {
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub modified: i128,
    /// Content key of the bytes (duplicates are judged by it).
    pub key: (usize, u64, u64),
    /// Whether the decoded text holds anything repair would look at: such
    /// files are repaired with the whole folder's words, so they are read
    /// again whenever the folder changes.
    pub needs_repair: bool,
    pub outcome: CachedOutcome,
}

impl CachedInput {
    /// The file as grouping takes it, unless it was rejected.
    pub fn filed(&self) -> Option<&Filed> {
        match &self.outcome {
            CachedOutcome::Published { filed, .. } => Some(filed),
            CachedOutcome::Rejected { .. } => None,
        }
    }
}

/// What reading a file gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum CachedOutcome {
    Published {
        /// The file without its profile, which is in the texts pack at
        /// `profile` (grouping reads few of an archive's profiles).
        filed: Box<Filed>,
        profile: TextRef,
        /// (line, message) of each warning, except those that depend on the
        /// time of the build (those are judged anew).
        warnings: Vec<(Option<usize>, String)>,
        repairs: usize,
        guesses: usize,
    },
    Rejected {
        line: Option<usize>,
        error: String,
    },
}

/// One file of the site as the last build wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedOutput {
    /// The document's input digest from the plan.
    pub digest: u64,
    /// Digest of the bytes written.
    pub bytes: u64,
}

/// The files of one story's folder as the last build wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryOutputs {
    /// The story's key in the plan: while it stays the same, so do the
    /// story's files.
    pub key: u64,
    /// The files as (path within the story's folder, output), encoded, so a
    /// build decodes them only for the stories it renders again.
    #[serde(with = "serde_bytes")]
    files: Vec<u8>,
}

impl StoryOutputs {
    /// The record of a story with key `key` whose folder holds `files`
    /// (paths within the folder).
    pub fn new(key: u64, files: &[(&str, CachedOutput)]) -> StoryOutputs {
        StoryOutputs { key, files: postcard::to_allocvec(files).expect("a list of files encodes") }
    }

    /// The story's files as (path within its folder, output).
    pub fn files(&self) -> Result<Vec<(String, CachedOutput)>> {
        postcard::from_bytes(&self.files)
            .context("the cache's record of a story's files is damaged; build with --clean")
    }
}

impl Manifest {
    /// An empty manifest for a build by `program` whose reading digest is
    /// `reading`.
    pub fn new(program: Program, reading: u64) -> Manifest {
        Manifest { format: FORMAT, program, reading, ..Manifest::default() }
    }

    /// Whether `folder` holds a manifest (usable or not).
    pub fn exists(folder: &Path) -> bool {
        folder.join("manifest").is_file()
    }

    /// The program that wrote the manifest in `folder` (from its head
    /// alone), if there is one of this format.
    fn recorded_program(folder: &Path) -> Option<Program> {
        use std::io::Read;
        let mut file = std::fs::File::open(folder.join("manifest")).ok()?;
        let mut len = [0; 8];
        file.read_exact(&mut len).ok()?;
        let len = usize::try_from(u64::from_le_bytes(len)).ok().filter(|&len| len <= MAX_HEAD)?;
        let mut head = vec![0; len];
        file.read_exact(&mut head).ok()?;
        decode_head(&head).map(|head| head.program)
    }

    /// The manifest in `folder`, if there is one made by this program with
    /// the same reading settings (whose digest `reading` computes from the
    /// program's, while the manifest is decoded); `None` means: build from
    /// nothing.
    ///
    /// Each part is read into a buffer of the core that decodes it, reused
    /// for the next: an archive's manifest is tens of megabytes (39 MB at
    /// 50,000 articles), and reading it whole into fresh memory took 39 ms
    /// before decoding could begin. All parts are read through one handle,
    /// so a manifest replaced meanwhile is not read in part.
    pub fn load(folder: &Path, reading: impl FnOnce(u64) -> u64 + Send) -> Option<Manifest> {
        let mut file = std::fs::File::open(folder.join("manifest")).ok()?;
        let spans = part_spans(&mut file)?;
        let file = std::sync::Mutex::new(file);
        let head = decode_head(read_span(&file, *spans.first()?, &mut Vec::new())?)?;
        let running = || {
            let program = Program::running_as(&head.program);
            (program, reading(program.digest))
        };
        let decode = || {
            spans[1..]
                .par_iter()
                .map_init(Vec::new, |buffer, &span| decode_part(read_span(&file, span, buffer)?))
                .collect::<Option<Vec<DecodedPart>>>()
        };
        let ((program, reading), decoded) = rayon::join(running, decode);
        if head.reading != reading {
            return None;
        }
        let decoded = decoded?;
        let mut manifest = Manifest::new(program, reading);
        (manifest.texts_len, manifest.contents_len) = (head.texts_len, head.contents_len);
        let (mut inputs, mut outputs, mut story_outputs) = (Vec::new(), Vec::new(), Vec::new());
        for part in decoded {
            match part {
                DecodedPart::Inputs(part) => inputs.extend(part),
                DecodedPart::Outputs(part) => outputs.extend(part),
                DecodedPart::StoryOutputs(part) => story_outputs.extend(part),
                DecodedPart::Contents(contents) => manifest.contents = contents.into_iter().collect(),
            }
        }
        // Written in key order: collected without sorting.
        let ((inputs, story_outputs), outputs) = rayon::join(
            || (inputs.into_iter().collect(), story_outputs.into_iter().collect()),
            || outputs.into_iter().collect(),
        );
        (manifest.inputs, manifest.outputs, manifest.story_outputs) = (inputs, outputs, story_outputs);
        Some(manifest)
    }

    /// Whether most of either pack is records no file or story uses any
    /// more: then the build starts the packs anew instead.
    pub fn mostly_garbage(&self) -> bool {
        let live_texts: u64 = self
            .inputs
            .values()
            .filter_map(|input| match &input.outcome {
                CachedOutcome::Published { filed, profile, .. } => {
                    Some(u64::from(filed.text.len) + u64::from(profile.len))
                }
                CachedOutcome::Rejected { .. } => None,
            })
            .sum();
        let live_contents: u64 = self.contents.values().map(|at| u64::from(at.len)).sum();
        self.texts_len > 2 * live_texts + (1 << 20) || self.contents_len > 2 * live_contents + (1 << 20)
    }

    /// Remove the manifest in `folder`, if any.
    pub fn discard(folder: &Path) -> Result<()> {
        match std::fs::remove_file(folder.join("manifest")) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(error).with_context(|| format!("cannot remove the manifest in {}", folder.display()))
            }
            _ => Ok(()),
        }
    }

    /// Write the manifest into `folder`, replacing the old one atomically.
    pub fn save(&self, folder: &Path) -> Result<()> {
        std::fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
        let temporary = folder.join("manifest.new");
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(&temporary).with_context(|| format!("cannot write {}", temporary.display()))?,
        );
        // As many parts at a time as there are cores, so the encoded parts
        // held at once stay a few megabytes. Each buffer is reserved at a
        // generous size: grown by doubling, they were copied and faulted in
        // again.
        for parts in self.parts().chunks(rayon::current_num_threads().max(1)) {
            let encoded: Vec<Vec<u8>> = parts
                .par_iter()
                .map(|part| postcard::to_extend(part, Vec::with_capacity(part.size_bound())))
                .collect::<Result<_, _>>()?;
            for part in &encoded {
                file.write_all(&(part.len() as u64).to_le_bytes())?;
                file.write_all(part)?;
            }
        }
        file.flush().with_context(|| format!("cannot write {}", temporary.display()))?;
        drop(file);
        std::fs::rename(&temporary, folder.join("manifest"))
            .with_context(|| format!("cannot replace the manifest in {}", folder.display()))
    }

    /// The manifest in parts that encode and decode on all cores: an
    /// archive's manifest is tens of megabytes, read and written by every
    /// build.
    fn parts(&self) -> Vec<Part<'_>> {
        let head = Head {
            format: FORMAT,
            program: self.program,
            reading: self.reading,
            texts_len: self.texts_len,
            contents_len: self.contents_len,
        };
        let mut parts = vec![Part::Head(head)];
        let inputs: Vec<(&String, &CachedInput)> = self.inputs.iter().collect();
        parts.extend(inputs.chunks(PART_ENTRIES).map(|chunk| Part::Inputs(borrowed(chunk))));
        let outputs: Vec<(&String, &CachedOutput)> = self.outputs.iter().collect();
        parts.extend(outputs.chunks(4 * PART_ENTRIES).map(|chunk| Part::Outputs(front_coded(chunk))));
        let story_outputs: Vec<(&String, &StoryOutputs)> = self.story_outputs.iter().collect();
        parts.extend(story_outputs.chunks(4 * PART_ENTRIES).map(|chunk| Part::StoryOutputs(borrowed(chunk))));
        parts.push(Part::Contents(self.contents.iter().map(|(k, v)| (*k, *v)).collect()));
        parts
    }
}

/// Entries per part of the manifest (four times as many outputs, which are
/// smaller).
const PART_ENTRIES: usize = 2048;

/// The first part of a manifest: whether the rest may be used.
#[derive(Debug, Serialize, Deserialize)]
struct Head {
    format: u32,
    program: Program,
    reading: u64,
    texts_len: u64,
    contents_len: u64,
}

/// One part of the manifest as written (borrowed) and as read (owned).
#[derive(Debug, Serialize, Deserialize)]
enum Part<'a> {
    Head(Head),
    Inputs(Vec<(Cow<'a, str>, Cow<'a, CachedInput>)>),
    /// Each path as the bytes it shares with the one before and the rest:
    /// a story's files share its folder, so this is a third of the size.
    Outputs(#[serde(borrow)] Vec<(usize, &'a str, CachedOutput)>),
    Contents(Vec<((u64, usize), TextRef)>),
    StoryOutputs(Vec<(Cow<'a, str>, Cow<'a, StoryOutputs>)>),
}

impl Part<'_> {
    /// More bytes than the part encodes to, most of the time (only pages
    /// written to are ever touched).
    fn size_bound(&self) -> usize {
        match self {
            Part::Head(_) => 64,
            Part::Inputs(inputs) => 1024 * inputs.len(),
            Part::Outputs(outputs) => 128 * outputs.len(),
            Part::Contents(contents) => 64 * contents.len(),
            Part::StoryOutputs(stories) => {
                stories.iter().map(|(path, story)| 32 + path.len() + story.files.len()).sum()
            }
        }
    }
}

/// Borrowed entries of a map, for a part.
fn borrowed<'a, V: Clone>(chunk: &[(&'a String, &'a V)]) -> Vec<(Cow<'a, str>, Cow<'a, V>)> {
    chunk.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(*v))).collect()
}

/// Entries with their paths front-coded (see [`Part::Outputs`]).
fn front_coded<'a>(chunk: &[(&'a String, &'a CachedOutput)]) -> Vec<(usize, &'a str, CachedOutput)> {
    let mut before = "";
    let mut coded = Vec::with_capacity(chunk.len());
    for (path, output) in chunk {
        let mut shared = path.bytes().zip(before.bytes()).take_while(|(a, b)| a == b).count();
        while !path.is_char_boundary(shared) {
            shared -= 1;
        }
        coded.push((shared, &path[shared..], **output));
        before = path;
    }
    coded
}

/// The entries of a front-coded part (`None` when damaged).
fn front_decoded(part: Vec<(usize, &str, CachedOutput)>) -> Option<Vec<(String, CachedOutput)>> {
    let mut entries = Vec::with_capacity(part.len());
    let mut before = String::new();
    for (shared, rest, output) in part {
        let mut path = String::with_capacity(shared + rest.len());
        path.push_str(before.get(..shared)?);
        path.push_str(rest);
        before.clone_from(&path);
        entries.push((path, output));
    }
    Some(entries)
}

/// A part of the manifest after [`Manifest::load`] decoded it, owning what
/// it holds (its buffer is read into again for the next part).
enum DecodedPart {
    Inputs(Vec<(String, CachedInput)>),
    Outputs(Vec<(String, CachedOutput)>),
    StoryOutputs(Vec<(String, StoryOutputs)>),
    Contents(Vec<((u64, usize), TextRef)>),
}

/// The part encoded in `bytes` (`None` when damaged, or when it is a
/// second head).
fn decode_part(bytes: &[u8]) -> Option<DecodedPart> {
    Some(match postcard::from_bytes::<Part>(bytes).ok()? {
        Part::Head(_) => return None,
        Part::Inputs(entries) => DecodedPart::Inputs(owned(entries)),
        Part::Outputs(entries) => DecodedPart::Outputs(front_decoded(entries)?),
        Part::StoryOutputs(entries) => DecodedPart::StoryOutputs(owned(entries)),
        Part::Contents(contents) => DecodedPart::Contents(contents),
    })
}

/// The entries of a part, owned.
fn owned<V: Clone>(entries: Vec<(Cow<'_, str>, Cow<'_, V>)>) -> Vec<(String, V)> {
    entries.into_iter().map(|(key, value)| (key.into_owned(), value.into_owned())).collect()
}

/// Where each part of the manifest `file` lies (offset and length of its
/// bytes, after its length), or `None` when the file is cut short.
fn part_spans(file: &mut std::fs::File) -> Option<Vec<(u64, usize)>> {
    use std::io::{Read, Seek, SeekFrom};
    let size = file.metadata().ok()?.len();
    let mut spans = Vec::new();
    let mut at = 0;
    while at < size {
        let mut len = [0; 8];
        file.seek(SeekFrom::Start(at)).ok()?;
        file.read_exact(&mut len).ok()?;
        let len = u64::from_le_bytes(len);
        let start = at.checked_add(8)?;
        at = start.checked_add(len).filter(|&end| end <= size)?;
        spans.push((start, usize::try_from(len).ok()?));
    }
    Some(spans)
}

/// The bytes of the span `(offset, len)` of `file`, read into `buffer`
/// (the cores take turns at the handle: reading is a copy, decoding the
/// work).
fn read_span<'b>(
    file: &std::sync::Mutex<std::fs::File>,
    (offset, len): (u64, usize),
    buffer: &'b mut Vec<u8>,
) -> Option<&'b [u8]> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file.lock().ok()?;
    file.seek(SeekFrom::Start(offset)).ok()?;
    buffer.clear();
    buffer.reserve(len);
    (&mut *file).take(len as u64).read_to_end(buffer).ok()?;
    (buffer.len() == len).then_some(buffer.as_slice())
}

/// A depesche program: the digest of its file's bytes and the stamp the
/// file had when they were read. A manifest written by another build of
/// depesche is never trusted, whatever its version number says; a build
/// tells by the digest.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub digest: u64,
    stamp: Option<ProgramStamp>,
}

/// What tells a program file replaced or changed in place: its device and
/// inode, size, and modification and change times (the change time, which
/// no program can set back, moves with every write).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct ProgramStamp {
    device: u64,
    inode: u64,
    size: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

impl ProgramStamp {
    /// The running program file's stamp (`None` where the platform has no
    /// change time, or the file is gone).
    fn of_running() -> Option<ProgramStamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let metadata = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
            Some(ProgramStamp {
                device: metadata.dev(),
                inode: metadata.ino(),
                size: metadata.size(),
                modified: (metadata.mtime(), metadata.mtime_nsec()),
                changed: (metadata.ctime(), metadata.ctime_nsec()),
            })
        }
        #[cfg(not(unix))]
        None
    }
}

/// The running program, found once per process (stamp and digest belong
/// together: a program file replaced later is another program's).
static RUNNING: std::sync::OnceLock<Program> = std::sync::OnceLock::new();

impl Program {
    /// The running program, its file hashed.
    pub fn running() -> Program {
        Program::running_as(&Program::default())
    }

    /// The running program, with `recorded`'s digest if its file's stamp is
    /// the one `recorded` was hashed at: the program is tens of megabytes,
    /// and hashing it was a tenth of an archive's rebuild.
    fn running_as(recorded: &Program) -> Program {
        *RUNNING.get_or_init(|| Program::recognised(recorded, ProgramStamp::of_running(), hash_running_program))
    }

    /// The program whose file has the stamp `stamp` now: `recorded` when it
    /// has that stamp, else hashed by `hash` (the stamp taken first, so a
    /// file replaced while it is hashed is hashed again next time).
    fn recognised(recorded: &Program, stamp: Option<ProgramStamp>, hash: impl FnOnce() -> u64) -> Program {
        match stamp {
            Some(_) if stamp == recorded.stamp => *recorded,
            _ => Program { digest: hash(), stamp },
        }
    }
}

/// The running program for a build without a usable manifest (a first or
/// a `--clean` build): recognised by the stamp a manifest in `folder`
/// recorded, if its file has that stamp still, else hashed.
pub fn running_program(folder: &Path) -> Program {
    Program::running_as(&Manifest::recorded_program(folder).unwrap_or_default())
}

/// The head of a manifest of this format, from its first part.
fn decode_head(part: &[u8]) -> Option<Head> {
    match postcard::from_bytes::<Part>(part).ok()? {
        Part::Head(head) if head.format == FORMAT => Some(head),
        _ => None,
    }
}

/// A manifest's head is a few dozen bytes; a longer one is not read.
const MAX_HEAD: usize = 4096;

/// [`file_digest`] of the running program (0 when it cannot be read).
fn hash_running_program() -> u64 {
    std::env::current_exe().and_then(file_digest).unwrap_or_default()
}

/// [`bytes_digest`] of a file's bytes, read a piece at a time: the program
/// is tens of megabytes, hashed by every build.
fn file_digest(path: PathBuf) -> std::io::Result<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut digest = StreamDigest::default();
    let mut buffer = vec![0; 1 << 20];
    loop {
        match file.read(&mut buffer)? {
            0 => return Ok(digest.finish()),
            n => digest.update(&buffer[..n]),
        }
    }
}

/// [`bytes_digest`] over bytes that come in pieces.
#[derive(Default)]
struct StreamDigest {
    lanes: Lanes,
    /// Bytes of an unfinished block of [`LANES`] words.
    pending: Vec<u8>,
}

impl StreamDigest {
    fn update(&mut self, mut bytes: &[u8]) {
        if !self.pending.is_empty() {
            let take = (BLOCK - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() < BLOCK {
                return;
            }
            self.lanes.blocks(&std::mem::take(&mut self.pending));
        }
        let whole = bytes.len() - bytes.len() % BLOCK;
        self.lanes.blocks(&bytes[..whole]);
        self.pending.extend_from_slice(&bytes[whole..]);
    }

    fn finish(self) -> u64 {
        self.lanes.finish(&self.pending, FNV_OFFSET)
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// Words a digest mixes in parallel: independent chains of multiplications
/// keep the processor's multipliers busy (one chain waits three cycles for
/// each product). Every page the build writes and every file it reads is
/// digested.
const LANES: usize = 4;
const BLOCK: usize = 8 * LANES;

/// The state of a digest: word `i` of each block of [`BLOCK`] bytes is
/// mixed into lane `i`.
#[derive(Clone, Copy)]
struct Lanes {
    lanes: [u64; LANES],
    len: u64,
}

impl Default for Lanes {
    fn default() -> Lanes {
        Lanes { lanes: std::array::from_fn(|lane| FNV_OFFSET ^ lane as u64), len: 0 }
    }
}

impl Lanes {
    /// Mix whole blocks (`bytes.len()` a multiple of [`BLOCK`]).
    fn blocks(&mut self, bytes: &[u8]) {
        self.len += bytes.len() as u64;
        for block in bytes.chunks_exact(BLOCK) {
            for (lane, word) in self.lanes.iter_mut().zip(block.chunks_exact(8)) {
                *lane = mix_word(*lane, u64::from_le_bytes(word.try_into().expect("eight bytes")));
            }
        }
    }

    /// The digest, once `rest` (less than a block) is mixed in: its whole
    /// words into the lanes, the lanes folded into `seed`, then its last
    /// bytes and the length.
    fn finish(mut self, rest: &[u8], seed: u64) -> u64 {
        self.len += rest.len() as u64;
        let mut words = rest.chunks_exact(8);
        for (lane, word) in self.lanes.iter_mut().zip(&mut words) {
            *lane = mix_word(*lane, u64::from_le_bytes(word.try_into().expect("eight bytes")));
        }
        let mut hash = self.lanes.iter().fold(seed, |hash, &lane| mix_word(hash, avalanche(lane)));
        for &byte in words.remainder() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
        }
        avalanche(hash ^ self.len)
    }
}

/// One 8-byte word into a lane (FNV-style, with the high bits shifted down
/// so they reach the low ones).
fn mix_word(hash: u64, word: u64) -> u64 {
    let hash = (hash ^ word).wrapping_mul(FNV_PRIME);
    hash ^ (hash >> 29)
}

/// Every bit of `hash` spread over all of them (the finaliser of
/// MurmurHash3): a lane's last words and the last bytes are mixed by a
/// step or two only, and the top bit of a product by an odd number changes
/// the top bit alone.
fn avalanche(mut hash: u64) -> u64 {
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

/// Digest of a file's bytes as written (64-bit words in [`LANES`] FNV-style
/// lanes, folded at the end).
pub fn bytes_digest(bytes: &[u8]) -> u64 {
    bytes_digests(bytes, &[FNV_OFFSET])[0]
}

/// Digests of `bytes` folded from each of `seeds`, for one pass over them.
/// The folds share the lanes, so two seeds are not a 128-bit digest: bytes
/// that collide in the lanes collide in every fold (see
/// `source::content_key`).
pub fn bytes_digests<const N: usize>(bytes: &[u8], seeds: &[u64; N]) -> [u64; N] {
    let mut lanes = Lanes::default();
    let whole = bytes.len() - bytes.len() % BLOCK;
    lanes.blocks(&bytes[..whole]);
    seeds.map(|seed| lanes.finish(&bytes[whole..], seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_is_used_only_by_the_same_reading_settings() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::new(Program::default(), 7);
        manifest.outputs.insert("index.html".into(), CachedOutput { digest: 1, bytes: 2 });
        // Paths are stored as what they share with the one before.
        let paths = ["2024/01/02/a/index.html", "2024/01/02/ä/index.html", "2024/01/02/äb/v/1/index.html", "ort/é/"];
        for (n, path) in paths.iter().enumerate() {
            manifest.outputs.insert(path.to_string(), CachedOutput { digest: n as u64, bytes: u64::MAX - n as u64 });
        }
        manifest.inputs.insert(
            "a.txt".into(),
            CachedInput {
                size: 3,
                modified: -5,
                key: (3, 4, 5),
                needs_repair: false,
                outcome: CachedOutcome::Rejected { line: Some(2), error: "kaputt".into() },
            },
        );
        let story_files = [
            ("index.html", CachedOutput { digest: 8, bytes: 9 }),
            ("v/1/source.txt", CachedOutput { digest: 1, bytes: 0 }),
        ];
        manifest.story_outputs.insert("2024/01/02/ä/".into(), StoryOutputs::new(77, &story_files));
        manifest.save(dir.path()).unwrap();
        let loaded = Manifest::load(dir.path(), |_| 7).unwrap();
        assert_eq!(loaded.outputs, manifest.outputs);
        assert_eq!(loaded.story_outputs, manifest.story_outputs);
        let files = loaded.story_outputs["2024/01/02/ä/"].files().unwrap();
        assert_eq!(files, story_files.map(|(path, output)| (path.to_string(), output)));
        assert_eq!(loaded.inputs["a.txt"].modified, -5);
        assert!(Manifest::load(dir.path(), |_| 8).is_none(), "other settings start from nothing");
        std::fs::write(dir.path().join("manifest"), b"\xff\xff damaged").unwrap();
        assert!(Manifest::load(dir.path(), |_| 7).is_none(), "a damaged manifest starts from nothing");
    }

    #[test]
    fn the_program_is_hashed_again_only_when_its_file_changed() {
        let stamp = ProgramStamp { device: 1, inode: 2, size: 3, modified: (4, 5), changed: (6, 7) };
        let recorded = Program { digest: 42, stamp: Some(stamp) };
        let unhashed = || panic!("hashed although the stamp is the same");
        assert_eq!(Program::recognised(&recorded, Some(stamp), unhashed), recorded);
        let others = [
            ProgramStamp { inode: 9, ..stamp },
            ProgramStamp { size: 9, ..stamp },
            ProgramStamp { modified: (4, 9), ..stamp },
            ProgramStamp { changed: (6, 8), ..stamp },
        ];
        for other in others {
            assert_eq!(Program::recognised(&recorded, Some(other), || 43), Program { digest: 43, stamp: Some(other) });
        }
        let unstamped = Program { digest: 42, stamp: None };
        assert_eq!(Program::recognised(&unstamped, None, || 43).digest, 43, "no stamp, no trust");
        // The manifest keeps the program, and the running one is this test's.
        let dir = tempfile::tempdir().unwrap();
        Manifest::new(recorded, 7).save(dir.path()).unwrap();
        assert!(Manifest::load(dir.path(), |program| program ^ 7).is_none(), "another program's manifest");
        let running = Program::running();
        assert_eq!(running.digest, hash_running_program());
        assert!(cfg!(not(unix)) || running.stamp.is_some());
        // `running_program` takes what `recorded_program` reads and hands it
        // to `Program::running_as`, whose choice `recognised` is tested above
        // (the running program is found once per process, so its choice
        // cannot be tested again here).
        assert_eq!(Manifest::recorded_program(dir.path()), Some(recorded), "read from the manifest's head");
        assert_eq!(Manifest::recorded_program(&dir.path().join("none")), None, "no manifest");
        Manifest::new(running, running.digest ^ 7).save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path(), |program| program ^ 7).unwrap().program, running);
        assert_eq!(Manifest::recorded_program(dir.path()), Some(running));
    }

    #[test]
    fn a_digest_read_in_pieces_is_the_digest_of_the_whole() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for cuts in [vec![], vec![3], vec![8, 16], vec![31, 32, 33, 65], vec![1, 2, 3, 999], vec![500, 997]] {
            let mut digest = StreamDigest::default();
            let mut at = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                digest.update(&bytes[at..cut]);
                at = cut;
            }
            assert_eq!(digest.finish(), bytes_digest(&bytes));
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("program"), &bytes[..995]).unwrap();
        assert_eq!(file_digest(dir.path().join("program")).unwrap(), bytes_digest(&bytes[..995]));
    }

    /// Every bit of every byte counts, in whole blocks, in the words after
    /// them and in the bytes after the last word; so does the length.
    #[test]
    fn a_digest_changes_with_any_bit_and_with_the_length() {
        for len in [0, 1, 7, 8, 9, 31, 32, 33, 40, 71, 100] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            let mut seen = std::collections::HashSet::new();
            assert!(seen.insert(bytes_digest(&bytes)));
            for at in 0..len {
                for bit in 0..8 {
                    let mut flipped = bytes.clone();
                    flipped[at] ^= 1 << bit;
                    assert!(seen.insert(bytes_digest(&flipped)), "byte {at} bit {bit} of {len}");
                }
            }
            assert_ne!(bytes_digest(&bytes), bytes_digest(&[bytes.as_slice(), &[0]].concat()));
        }
        let [first, second] = bytes_digests(b"Dax", &[1, 2]);
        assert_ne!(first, second, "two seeds, two digests");
    }

    #[test]
    fn the_cache_sits_beside_the_output() {
        assert_eq!(folder_for(Path::new("site/public")).unwrap(), Path::new("site/.public.depesche-cache"));
        assert_eq!(folder_for(Path::new("public")).unwrap(), Path::new("./.public.depesche-cache"));
    }
}
