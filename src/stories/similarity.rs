//! What the grouping compares: a compact profile of each file (its text as
//! 3-word phrases, its headline words without series markers, its places)
//! and the similarity measures between two profiles.
//!
//! Profiles are plain sorted vectors, so every measure is deterministic and
//! independent of hashing order. A long text keeps a consistent sample of its
//! phrases and words (a [`Sketch`]), not all of them, so a profile stays
//! small however long the article: an archive of a year keeps every profile
//! in memory. Nothing here decides whether two files belong together; that
//! is `group`'s job.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset};

use crate::parse::{Article, Block, RunChars, char_at, for_each_run};

/// Words per phrase ("shingle"). Three words are specific enough that
/// unrelated texts rarely share a phrase, yet short enough that one edited
/// word only breaks the three phrases around it.
const SHINGLE_WORDS: usize = 3;

/// Words a paragraph needs before it counts as a passage of its own: a
/// quoted statement or a paragraph of facts is longer, a sub-heading or a
/// stock phrase (`Die Aktie legte um 2 Prozent zu.`) shorter.
const PARAGRAPH_MIN_WORDS: usize = 12;

/// Series markers a wire puts before a headline when it re-sends or
/// rewrites a story. They say nothing about which story it is, so they are
/// dropped before headlines are compared. Market-report prefixes such as
/// `Aktien Frankfurt Schluss:` are kept: they tell the reports apart.
const SERIES_MARKERS: &[&str] = &["wdh", "wiederholung", "roundup", "korrektur", "berichtigung", "eilmeldung", "eil"];

/// One file as the grouping sees it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    pub time: DateTime<FixedOffset>,
    /// Whether the file carries a revision note (only those continue a story).
    pub has_note: bool,
    /// The body's 3-word phrases.
    pub shingles: Sketch,
    /// The body's names, nouns and figures.
    pub vocabulary: Sketch,
    /// Hashes of the body's whole paragraphs of at least
    /// `PARAGRAPH_MIN_WORDS` words, as lowercased words (so punctuation,
    /// case, spacing and line breaks do not count), sorted, unique.
    pub paragraphs: Vec<u64>,
    /// Hashes of the lowercased headline words without series markers
    /// ([`headline_keys`]), sorted, unique: only equal words count, and a
    /// number takes a fifth of the memory of a word.
    pub headline_words: Vec<u64>,
    /// Dateline places, uppercase, sorted, unique.
    pub places: Vec<String>,
    /// The series label before the headline's colon (`aktien frankfurt
    /// schluss`), if it has one.
    pub label: Option<String>,
}

impl Profile {
    /// A profile that knows only a file's time and whether it carries a
    /// note: what grouping reads of files out of its reach.
    pub fn unread(time: DateTime<FixedOffset>, has_note: bool) -> Profile {
        Profile {
            time,
            has_note,
            shingles: Sketch::default(),
            vocabulary: Sketch::default(),
            paragraphs: Vec::new(),
            headline_words: Vec::new(),
            places: Vec::new(),
            label: None,
        }
    }

    /// The profile of `article`.
    pub fn of(article: &Article) -> Profile {
        let mut places: Vec<String> =
            article.dateline.iter().flat_map(|d| d.places.iter().map(|p| p.to_uppercase())).collect();
        places.sort();
        places.dedup();
        // The body's words and vocabulary, and which words make each
        // paragraph (no word spans two blocks).
        let mut body_words = WordHashes::default();
        let mut body_vocabulary = Vec::new();
        let mut paragraph_words = Vec::new();
        for block in &article.blocks {
            let first = body_words.len();
            body_words.extend_with_vocabulary(block.text(), &mut body_vocabulary);
            if matches!(block, Block::Paragraph(_)) {
                paragraph_words.push(first..body_words.len());
            }
        }
        let mut profile = Profile {
            time: article.timestamp,
            has_note: article.revision.is_some(),
            shingles: Sketch::of(shingles(&body_words)),
            vocabulary: Sketch::of(body_vocabulary),
            paragraphs: paragraphs(&body_words, &paragraph_words),
            headline_words: headline_keys(&article.headline),
            label: series_label(&article.headline),
            places,
        };
        // Kept for every file of an archive: no spare capacity.
        profile.paragraphs.shrink_to_fit();
        profile.headline_words.shrink_to_fit();
        profile.places.shrink_to_fit();
        profile
    }
}

/// Lowercased words: runs of letters and digits. `19.254,12` gives three
/// words, which keeps the figures of a report in its phrases.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut lower = Vec::new();
    for_each_word(text, |word| {
        lower.clear();
        push_lowercase(&mut lower, word);
        words.push(String::from_utf8_lossy(&lower).into_owned());
    });
    words
}

/// The words of a text (as [`words`] splits them) as the hashes of their
/// lowercase spelling ([`lowercase_hash`]), for its phrases and paragraphs:
/// each word is hashed once, and a phrase's hash is made of its words'.
#[derive(Default)]
struct WordHashes(Vec<u64>);

impl WordHashes {
    /// Adds the words of `text`.
    #[cfg(test)]
    fn extend(&mut self, text: &str) {
        self.extend_with_vocabulary(text, &mut Vec::new());
    }

    /// Adds the words of `text`, and to `vocabulary` the hashes of what the
    /// text is about (in any order, repeated as they occur; [`Sketch::of`]
    /// sorts them out): its capitalised words of four letters or more
    /// (German capitalises nouns and names, so these are the subject
    /// matter; short sentence openers like `Der` and `Die` are too short to
    /// count) and its figures (`2,3`, `19.508`, `600.000`, any number of
    /// three digits or more). A rewrite keeps them even where it changes
    /// every phrase.
    ///
    /// One pass over the text: a vocabulary token is a run of letters,
    /// digits, commas and full stops, and its words are its pieces between
    /// the stops. A subject word within a token is one of its words, and
    /// its hash that word's.
    fn extend_with_vocabulary(&mut self, text: &str, vocabulary: &mut Vec<u64>) {
        let bytes = text.as_bytes();
        self.0.reserve(bytes.len() / 6);
        let token = &*TOKEN;
        let mut at = 0;
        while at < bytes.len() {
            let (starts, width) = token.at(bytes, at);
            if !starts {
                at += width;
                continue;
            }
            let token_start = at;
            // A figure keeps its separators; words around a comma or a
            // full stop without a space are two words.
            let figure = bytes[at].is_ascii_digit();
            let mut piece = Piece::at(at);
            while at < bytes.len() {
                match bytes[at] {
                    b',' | b'.' => {
                        self.end_piece(text, &piece, at, figure, vocabulary);
                        at += 1;
                        piece = Piece::at(at);
                    }
                    byte @ 0..=0x7F if token.ascii_part(byte) => {
                        piece.hash = fnv_step(piece.hash, byte.to_ascii_lowercase());
                        at += 1;
                    }
                    lead @ (0xC2 | 0xC3) if token.latin1_part(lead, bytes[at + 1]) => {
                        let second = latin1_lowercase_second(lead, bytes[at + 1]);
                        piece.hash = fnv_step(fnv_step(piece.hash, lead), second);
                        at += 2;
                    }
                    0..=0x7F | 0xC2 | 0xC3 => break,
                    _ => {
                        let (c, width) = char_at(bytes, at);
                        if !is_word_char(c) {
                            break;
                        }
                        piece.latin1 = false;
                        at += width;
                    }
                }
            }
            self.end_piece(text, &piece, at, figure, vocabulary);
            if figure {
                let trimmed = trim_stops(&text[token_start..at]);
                if is_figure(trimmed) {
                    vocabulary.push(lowercase_hash(trimmed));
                }
            }
        }
    }

    /// Adds the word `piece` that ends at byte `end` (none if it is
    /// empty), and to `vocabulary` if it is a subject word or a figure of
    /// its own in a token that is not a figure.
    fn end_piece(&mut self, text: &str, piece: &Piece, end: usize, figure: bool, vocabulary: &mut Vec<u64>) {
        if end == piece.start {
            return;
        }
        let word = &text[piece.start..end];
        let hash = match piece.latin1 {
            true => fnv_step(piece.hash, b' '),
            false => lowercase_hash(word),
        };
        self.0.push(hash);
        if !figure && is_vocabulary_word(word) {
            vocabulary.push(hash);
        }
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// The hash of the phrase of words `range`: its words' hashes, in order,
    /// folded as `FxHash` folds words.
    fn phrase_hash(&self, range: std::ops::Range<usize>) -> u64 {
        self.0[range].iter().fold(FNV_OFFSET, |hash, &word| (hash.rotate_left(5) ^ word).wrapping_mul(PHRASE_FOLD))
    }
}

/// A word being read by [`WordHashes::extend_with_vocabulary`]: where it
/// starts and the FNV hash of its bytes lowercased so far, as long as it is
/// ASCII and Latin-1 (`latin1`); a word with any other character is hashed
/// again whole by [`lowercase_hash`], which lowercases it the standard
/// library's way.
struct Piece {
    start: usize,
    hash: u64,
    latin1: bool,
}

impl Piece {
    fn at(start: usize) -> Piece {
        Piece { start, hash: FNV_OFFSET, latin1: true }
    }
}

/// The characters of a vocabulary token: letters, digits, commas and full
/// stops.
static TOKEN: LazyLock<RunChars> = LazyLock::new(|| RunChars::new(|c| is_word_char(c) || c == ',' || c == '.'));

/// [`WordHashes::extend_with_vocabulary`] the plain way, token by token and
/// then piece by piece with `str::split`: what the one pass must give.
#[cfg(test)]
fn vocabulary_in_two_passes(text: &str) -> (Vec<u64>, Vec<u64>) {
    let (mut words, mut vocabulary) = (Vec::new(), Vec::new());
    for_each_run(text, &TOKEN, |token| {
        let figure = token.as_bytes()[0].is_ascii_digit();
        if figure {
            let trimmed = trim_stops(token);
            if is_figure(trimmed) {
                vocabulary.push(lowercase_hash(trimmed));
            }
        }
        for word in token.split([',', '.']).filter(|piece| !piece.is_empty()) {
            let hash = lowercase_hash(word);
            words.push(hash);
            if !figure && is_vocabulary_word(word) {
                vocabulary.push(hash);
            }
        }
    });
    (words, vocabulary)
}

/// The multiplier of [`WordHashes::phrase_hash`] (`FxHash`'s).
const PHRASE_FOLD: u64 = 0x517c_c1b7_2722_0a95;

/// [`fnv_word`] of `word` lowercased (as [`push_lowercase`] lowercases it),
/// without writing the lowercase word anywhere.
fn lowercase_hash(word: &str) -> u64 {
    let mut hash = FNV_OFFSET;
    match latin1_lowercase(word, |byte| hash = fnv_step(hash, byte)) {
        true => fnv_step(hash, b' '),
        false => fnv_word(FNV_OFFSET, word.to_lowercase().as_bytes()),
    }
}

/// Calls `f` with every run of letters and digits in `text`.
fn for_each_word(text: &str, f: impl FnMut(&str)) {
    static WORD: LazyLock<RunChars> = LazyLock::new(|| RunChars::new(is_word_char));
    for_each_run(text, &WORD, f);
}

/// `char::is_alphanumeric`, with the Latin-1 letters (after ASCII most of a
/// German text) answered without the Unicode tables: U+00C0 to U+00FF are
/// letters but for `×` and `÷`.
fn is_word_char(c: char) -> bool {
    match u32::from(c) {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0xC0..=0xFF => c != '×' && c != '÷',
        _ => c.is_alphanumeric(),
    }
}

/// Appends `word` lowercased as `str::to_lowercase` does it, without an
/// allocation of its own. ASCII and the Latin-1 letters (`Ä` is `C3 84`,
/// `ä` is `C3 A4`), most of German text, lowercase byte by byte; a word with
/// anything else takes the standard library's way (a capital sigma, for one,
/// lowercases by its place in the word).
fn push_lowercase(buffer: &mut Vec<u8>, word: &str) {
    let from = buffer.len();
    if !latin1_lowercase(word, |byte| buffer.push(byte)) {
        buffer.truncate(from);
        buffer.extend_from_slice(word.to_lowercase().as_bytes());
    }
}

/// Calls `f` with each byte of `word` lowercased, as long as `word` is
/// ASCII and Latin-1 letters; `false` at the first character that is not
/// (which the caller lowercases the standard library's way).
fn latin1_lowercase(word: &str, mut f: impl FnMut(u8)) -> bool {
    let bytes = word.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            byte @ 0..=0x7F => {
                f(byte.to_ascii_lowercase());
                at += 1;
            }
            lead @ (0xC2 | 0xC3) => {
                f(lead);
                f(latin1_lowercase_second(lead, bytes[at + 1]));
                at += 2;
            }
            _ => return false,
        }
    }
    true
}

/// The second byte of a character from U+0080 to U+00FF (first byte `lead`,
/// `C2` or `C3`) lowercased. U+0080 to U+00BF: no letter with a case but
/// `µ`, its own lowercase. U+00C0 to U+00DE are capitals but for `×`
/// (U+00D7); their lowercase is 0x20 further, U+00DF to U+00FF lowercase
/// already.
fn latin1_lowercase_second(lead: u8, next: u8) -> u8 {
    let capital = lead == 0xC3 && matches!(next, 0x80..=0x9E) && next != 0x97;
    if capital { next + 0x20 } else { next }
}

/// The vocabulary of `text`, as [`WordHashes::extend_with_vocabulary`]
/// finds it.
#[cfg(test)]
fn vocabulary(text: &str) -> Vec<u64> {
    let mut vocabulary = Vec::new();
    WordHashes::default().extend_with_vocabulary(text, &mut vocabulary);
    vocabulary
}

/// Whether a word (no stops in it) of a token that does not begin with a
/// digit is vocabulary: a subject word, or a figure of its own
/// (`Ende.2023`). Its first byte tells which test can pass.
fn is_vocabulary_word(word: &str) -> bool {
    match word.as_bytes().first() {
        Some(first) if first.is_ascii_digit() => is_figure(word),
        Some(first) if first.is_ascii_lowercase() => false,
        Some(_) => is_subject_word(word),
        None => false,
    }
}

/// `token` without the commas and full stops it begins or ends with.
fn trim_stops(token: &str) -> &str {
    let stop = |b: &u8| *b == b',' || *b == b'.';
    let bytes = token.as_bytes();
    let start = bytes.iter().position(|b| !stop(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !stop(b)).map_or(start, |last| last + 1);
    &token[start..end]
}

fn is_subject_word(token: &str) -> bool {
    let capital = match token.as_bytes().first() {
        Some(first) if first.is_ascii() => first.is_ascii_uppercase(),
        _ => token.chars().next().is_some_and(char::is_uppercase),
    };
    capital && token.len() >= 4 && (token.is_ascii() || token.chars().count() >= 4)
}

fn is_figure(token: &str) -> bool {
    let digits = token.bytes().filter(u8::is_ascii_digit).count();
    token.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        && (digits >= 3 || (digits >= 2 && token.len() > digits))
}

/// The hashes of every run of `SHINGLE_WORDS` words (in text order,
/// repeated as they occur; [`Sketch::of`] sorts them out); a text shorter
/// than that is one phrase.
fn shingles(words: &WordHashes) -> Vec<u64> {
    let count = words.len();
    if count < SHINGLE_WORDS {
        if count == 0 { Vec::new() } else { vec![words.phrase_hash(0..count)] }
    } else {
        (0..=count - SHINGLE_WORDS).map(|first| words.phrase_hash(first..first + SHINGLE_WORDS)).collect()
    }
}

/// Sorted, unique hashes of the paragraphs long enough to be a passage,
/// each given as its range of `words`.
fn paragraphs(words: &WordHashes, paragraphs: &[std::ops::Range<usize>]) -> Vec<u64> {
    let mut hashes: Vec<u64> = paragraphs
        .iter()
        .filter(|range| range.len() >= PARAGRAPH_MIN_WORDS)
        .map(|range| words.phrase_hash(range.clone()))
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a continued over `word` and a space: a phrase's hash is this over
/// its words, stable across machines and runs.
fn fnv_word(hash: u64, word: &[u8]) -> u64 {
    fnv_step(word.iter().fold(hash, |hash, &byte| fnv_step(hash, byte)), b' ')
}

/// One byte into an FNV-1a hash.
fn fnv_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
}

/// The headline without leading series markers (`WDH/ROUNDUP 2:`), as words.
pub fn headline_words(headline: &str) -> Vec<String> {
    let mut all = words(headline);
    let mut start = 0;
    while start < all.len() && is_series_marker(&all, start) {
        start += 1;
    }
    let mut kept = all.split_off(start);
    kept.sort();
    kept.dedup();
    kept
}

/// The words of [`headline_words`] as hashes, sorted, unique (what a
/// [`Profile`] keeps).
pub fn headline_keys(headline: &str) -> Vec<u64> {
    let mut keys: Vec<u64> =
        headline_words(headline).iter().map(|word| fnv_word(FNV_OFFSET, word.as_bytes())).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The label a headline opens with, before its first colon, once series
/// markers are taken off: `KORREKTUR: Aktien Frankfurt Schluss: Dax legt zu`
/// gives `aktien frankfurt schluss`, `ROUNDUP 2/Nato: Rutte warnt` gives
/// `nato`. A headline without a colon after its markers has no label.
pub fn series_label(headline: &str) -> Option<String> {
    let mut parts: Vec<&str> = headline.split(':').collect();
    while let Some(first) = parts.first().copied() {
        let pieces: Vec<&str> = first.split('/').collect();
        let kept = pieces.iter().position(|piece| !is_marker_text(piece)).unwrap_or(pieces.len());
        if kept == pieces.len() {
            parts.remove(0);
            continue;
        }
        let rest = &first[pieces[..kept].iter().map(|p| p.len() + 1).sum::<usize>()..];
        parts[0] = rest;
        break;
    }
    let label = words(parts.first()?);
    (parts.len() >= 2 && !label.is_empty()).then(|| label.join(" "))
}

/// A piece of a headline made only of series markers (`WDH`, `ROUNDUP 2`).
fn is_marker_text(piece: &str) -> bool {
    let words = words(piece);
    !words.is_empty() && (0..words.len()).all(|i| is_series_marker(&words, i))
}

/// A marker word, or the number after one (`ROUNDUP 2`).
fn is_series_marker(words: &[String], i: usize) -> bool {
    let marker = |w: &String| SERIES_MARKERS.contains(&w.as_str());
    marker(&words[i]) || (i > 0 && words[i].chars().all(|c| c.is_ascii_digit()) && marker(&words[i - 1]))
}

/// A text's features a profile keeps: when a text has at most
/// `SKETCH_FULL` distinct features, all of them; otherwise only those whose
/// mixed hash lies below a threshold, halved until at most `SKETCH_FULL`
/// remain. The threshold depends on the hash alone, so two sketches sampled
/// at different levels compare on the larger level's sample of both: a
/// consistent sample of the same features, whose overlap estimates the full
/// overlap (exactly, for texts short enough to be kept whole).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    /// Halvings of the threshold: 0 keeps every feature.
    pub level: u8,
    /// Mixed 32-bit feature hashes below `threshold(level)`, sorted, unique.
    pub values: Vec<u32>,
}

/// Most features a sketch keeps; texts with more are sampled. Wire articles
/// of 200 to 900 words keep 64 to 128 phrases: enough to estimate overlap
/// to a few per cent, small enough for an archive of years.
const SKETCH_FULL: usize = 128;

impl Sketch {
    /// The sketch of a set of feature hashes (any order, duplicates allowed):
    /// the distinct values below the threshold of the lowest level that keeps
    /// at most `SKETCH_FULL` of them, sorted.
    ///
    /// Only the values a level keeps are sorted, not all: sorting was most of
    /// the work, and a long text keeps a fraction of its values. Counted with
    /// repeats, the values below a threshold are at least the distinct ones,
    /// so the lowest level whose count fits is at or above the sketch's
    /// level; the levels below it are tried from there down (a level fits
    /// when the level below it keeps too many distinct values).
    pub fn of(hashes: Vec<u64>) -> Sketch {
        let values: Vec<u32> = hashes.into_iter().map(mix).collect();
        let mut level = fitting_level(&values);
        loop {
            let wider = level.saturating_sub(1);
            let mut kept = distinct_below(&values, wider);
            if kept.len() <= SKETCH_FULL && wider > 0 {
                level = wider;
                continue;
            }
            if kept.len() <= SKETCH_FULL {
                level = 0;
            } else {
                kept.truncate(kept.partition_point(|&v| v < threshold(level)));
            }
            // Kept for every file of an archive: give back what sampling dropped.
            kept.shrink_to_fit();
            return Sketch { level, values: kept };
        }
    }

    /// The values this sketch keeps at `level` (at least its own): a prefix,
    /// since values are sorted.
    pub fn at_level(&self, level: u8) -> &[u32] {
        let level = level.max(self.level);
        &self.values[..self.values.partition_point(|&v| v < threshold(level))]
    }
}

/// The distinct `values` that `level` keeps (all at level 0), sorted.
fn distinct_below(values: &[u32], level: u8) -> Vec<u32> {
    let mut kept: Vec<u32> = match level {
        0 => values.to_vec(),
        _ => values.iter().copied().filter(|&v| v < threshold(level)).collect(),
    };
    kept.sort_unstable();
    kept.dedup();
    kept
}

/// The lowest level at which at most `SKETCH_FULL` of `values`, counted
/// with repeats, lie below the threshold (32 at most, which keeps value 0
/// only). A value lies below the threshold of level `l` from 1 on when it
/// has at least `l` leading zero bits: one pass counts them for all levels.
fn fitting_level(values: &[u32]) -> u8 {
    if values.len() <= SKETCH_FULL {
        return 0;
    }
    let mut with_zeros = [0usize; 33];
    for value in values {
        with_zeros[value.leading_zeros() as usize] += 1;
    }
    let mut below = values.len();
    for level in 1..=32u8 {
        below -= with_zeros[usize::from(level) - 1];
        if below <= SKETCH_FULL {
            return level;
        }
    }
    32
}

/// Values below this are kept at `level` (level 0 keeps all).
fn threshold(level: u8) -> u32 {
    if level == 0 { u32::MAX } else { (1u64 << (32 - u32::from(level.min(32)))) as u32 }
}

/// A feature hash spread over 32 bits (the splitmix64 finaliser, high half),
/// so that sampling by value picks features at random, not by their spelling.
pub(super) fn mix(hash: u64) -> u32 {
    let mut z = hash.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((z ^ (z >> 31)) >> 32) as u32
}

/// Share of the shorter text's phrases found in the other text (the overlap
/// coefficient), on the common sample of the two sketches. A revision that
/// adds paragraphs keeps all of its original's phrases, so growth does not
/// lower the score the way Jaccard would.
pub fn text_overlap(a: &Sketch, b: &Sketch) -> f64 {
    let level = a.level.max(b.level);
    let (a, b) = (a.at_level(level), b.at_level(level));
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return 0.0;
    }
    common_values(a, b) as f64 / smaller as f64
}

/// How much of the text two files share: the mean of the phrase overlap
/// (the same wording) and the vocabulary overlap (the same names, nouns and
/// figures). A light revision keeps both; a rewrite keeps the vocabulary; a
/// different story keeps neither, and a daily report of a series keeps its
/// template, which `group` measures as the look-alike level.
pub fn text_similarity(a: &Profile, b: &Profile) -> f64 {
    (text_overlap(&a.shingles, &b.shingles) + text_overlap(&a.vocabulary, &b.vocabulary)) / 2.0
}

/// Shared words divided by all words of the two headlines (Jaccard).
pub fn headline_similarity(a: &[u64], b: &[u64]) -> f64 {
    let union = a.len() + b.len() - common_count(a, b);
    if union == 0 { 0.0 } else { common_count(a, b) as f64 / union as f64 }
}

/// Both files name their places and have none in common.
pub fn places_disjoint(a: &[String], b: &[String]) -> bool {
    !a.is_empty() && !b.is_empty() && common_count(a, b) == 0
}

/// [`common_count`] of two sketches' values, four at a time: each block of
/// four values of `a` is compared with a block of `b` in every rotation, and
/// the block whose last value is smaller (both when equal) moves on. A value
/// of a block can only equal one in a block that is still ahead of the other
/// side, so every shared value is counted once. Grouping compares thousands
/// of sketches for every day of wire; this is the most frequent loop.
#[cfg(target_arch = "x86_64")]
fn common_values(a: &[u32], b: &[u32]) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_castsi128_ps, _mm_cmpeq_epi32, _mm_loadu_si128, _mm_movemask_ps, _mm_or_si128, _mm_shuffle_epi32,
    };
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i + 4 <= a.len() && j + 4 <= b.len() {
        // SAFETY: SSE2 is part of every x86_64 processor; the two unaligned
        // loads read `a[i..i + 4]` and `b[j..j + 4]`, in bounds by the loop's
        // condition.
        let equal_lanes = unsafe {
            let block_a = _mm_loadu_si128(a.as_ptr().add(i).cast::<__m128i>());
            let block_b = _mm_loadu_si128(b.as_ptr().add(j).cast::<__m128i>());
            let rotated_1 = _mm_shuffle_epi32::<0b00_11_10_01>(block_b);
            let rotated_2 = _mm_shuffle_epi32::<0b01_00_11_10>(block_b);
            let rotated_3 = _mm_shuffle_epi32::<0b10_01_00_11>(block_b);
            let equal = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi32(block_a, block_b), _mm_cmpeq_epi32(block_a, rotated_1)),
                _mm_or_si128(_mm_cmpeq_epi32(block_a, rotated_2), _mm_cmpeq_epi32(block_a, rotated_3)),
            );
            _mm_movemask_ps(_mm_castsi128_ps(equal))
        };
        common += equal_lanes.count_ones() as usize;
        let (last_a, last_b) = (a[i + 3], b[j + 3]);
        i += 4 * usize::from(last_a <= last_b);
        j += 4 * usize::from(last_b <= last_a);
    }
    common + common_count(&a[i..], &b[j..])
}

#[cfg(not(target_arch = "x86_64"))]
fn common_values(a: &[u32], b: &[u32]) -> usize {
    common_count(a, b)
}

/// Number of items two sorted, unique slices share (one merge pass).
fn common_count<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    // Without branches on the comparison: the order of hashed values is
    // random, so a branch would be mispredicted half the time.
    while i < a.len() && j < b.len() {
        let (x, y) = (&a[i], &b[j]);
        common += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    common
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random numbers from `state` (xorshift64), the same on every run.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// The block merge counts what the plain merge counts: sketches of every
    /// length from 0 to 40 against each other, sharing none, some or all of
    /// their values, with runs of shared values that straddle the blocks.
    #[test]
    fn shared_values_are_counted_four_at_a_time_as_one_at_a_time() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for len_a in 0..40 {
            for len_b in 0..40 {
                for shared_percent in [0, 10, 50, 90, 100] {
                    let pool: Vec<u32> = (0..len_a + len_b).map(|_| (next() % 200) as u32).collect();
                    let mut a: Vec<u32> = pool[..len_a].to_vec();
                    let mut b: Vec<u32> = pool[len_a..].to_vec();
                    for value in &a {
                        if next() % 100 < shared_percent {
                            b.push(*value);
                        }
                    }
                    for list in [&mut a, &mut b] {
                        list.sort_unstable();
                        list.dedup();
                    }
                    assert_eq!(common_values(&a, &b), common_count(&a, &b), "{a:?} {b:?}");
                    assert_eq!(common_values(&b, &a), common_count(&a, &b), "{b:?} {a:?}");
                }
            }
        }
    }

    #[test]
    fn one_pass_finds_the_words_and_vocabulary_of_two() {
        // Pieces that begin, end and split tokens, from ASCII to characters
        // beyond Latin-1, put side by side in many orders, with and without
        // spaces between them.
        let pieces = [
            "Dax",
            "steigt",
            "19.254,12",
            "2,3",
            "Ende.2023",
            "…",
            "ä",
            "ÄÖÜ",
            "ẞ",
            "Σ",
            "Łódź",
            "KRAKÓW",
            "µ²",
            "Æ×Ø",
            "÷",
            "«",
            "»",
            "\u{a0}",
            "Straße",
            "ΑΘΗΝΑ",
            ",",
            ".",
            " ",
            "\n",
            "-",
            "–",
            "„",
            "“",
            "ª",
            "¼",
            "100",
            "1.000.000",
            "Müller-Lüdenscheidt",
            "ǅ",
            "İstanbul",
            "x",
            "Ab",
            "ABCD",
            "Öl",
            "Äpfel",
            "ÄÖÜß",
            "中文",
            "🙂",
            "..",
            ",.",
            "2.",
            ".5",
            "§",
            "°C",
            "Ünd",
        ];
        let mut seed: u64 = 7;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        for _ in 0..200 {
            let mut text = String::new();
            for _ in 0..next(40) {
                text.push_str(pieces[next(pieces.len())]);
                if next(3) == 0 {
                    text.push(' ');
                }
            }
            let mut words = WordHashes::default();
            let mut vocabulary = Vec::new();
            words.extend_with_vocabulary(&text, &mut vocabulary);
            let (expected_words, mut expected_vocabulary) = vocabulary_in_two_passes(&text);
            vocabulary.sort_unstable();
            expected_vocabulary.sort_unstable();
            assert_eq!(words.0, expected_words, "{text:?}");
            assert_eq!(vocabulary, expected_vocabulary, "{text:?}");
        }
    }

    #[test]
    fn series_markers_are_dropped_from_headlines() {
        let plain = headline_words("Nato: Russische Verluste");
        assert_eq!(plain, ["nato", "russische", "verluste"]);
        for marked in [
            "WDH/ROUNDUP: Nato: Russische Verluste",
            "ROUNDUP 2/Nato: Russische Verluste",
            "KORREKTUR: Nato: Russische Verluste",
        ] {
            assert_eq!(headline_words(marked), plain, "{marked}");
        }
        assert_eq!(headline_words("Aktien Frankfurt Schluss: Dax"), ["aktien", "dax", "frankfurt", "schluss"]);
        assert_eq!(headline_words("2000 Stellen fallen weg"), ["2000", "fallen", "stellen", "weg"]);
    }

    #[test]
    fn series_labels_ignore_markers() {
        assert_eq!(series_label("Aktien Frankfurt Schluss: Dax legt zu").as_deref(), Some("aktien frankfurt schluss"));
        assert_eq!(
            series_label("KORREKTUR: Aktien Frankfurt Schluss: Dax legt zu").as_deref(),
            Some("aktien frankfurt schluss")
        );
        assert_eq!(series_label("WDH/ROUNDUP 2/Nato: Rutte warnt").as_deref(), Some("nato"));
        assert_eq!(series_label("ROUNDUP: Ampel zerbricht"), None);
        assert_eq!(series_label("Lufthansa streicht Flüge"), None);
    }

    #[test]
    fn words_are_split_and_lowercased_as_str_does_it() {
        let latin1: String = ('\u{80}'..='\u{ff}').filter(|c| c.is_alphanumeric()).collect();
        let text = format!("ÄRGER um 19.254,12 Euro: ΟΔΟΣ Straße—GROßE x2 Ünd\u{a0}élan İSTANBUL {latin1} ǅ");
        let text = text.as_str();
        let expected: Vec<String> =
            text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
        assert_eq!(words(text), expected);
        assert_eq!(expected[6], "οδος", "a final sigma is lowercased as a word's end");
        // Each word hashed as its lowercase spelling and a space (FNV-1a).
        let slow = |word: &str| {
            let bytes: Vec<u8> = word.bytes().chain(std::iter::once(b' ')).collect();
            bytes.iter().fold(FNV_OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
        };
        let mut hashes = WordHashes::default();
        hashes.extend(text);
        let expected_hashes: Vec<u64> = expected.iter().map(|word| slow(word)).collect();
        assert_eq!(hashes.0, expected_hashes);
        let more = "ÀÖØÞ ßÿ ×÷ µ ÆØÅ Ё ẞ İ";
        for word in [text, more].iter().flat_map(|t| t.split(|c: char| !c.is_alphanumeric())).filter(|w| !w.is_empty())
        {
            assert_eq!(lowercase_hash(word), slow(&word.to_lowercase()), "{word}");
        }
        // A phrase is its words in order; a short text is one phrase.
        let phrase = hashes.phrase_hash(2..5);
        assert_ne!(phrase, hashes.phrase_hash(3..6));
        let mut swapped = WordHashes(vec![hashes.0[3], hashes.0[2], hashes.0[4]]);
        assert_ne!(phrase, swapped.phrase_hash(0..3));
        swapped.0.swap(0, 1);
        assert_eq!(phrase, swapped.phrase_hash(0..3));
        let mut short = WordHashes::default();
        short.extend("Dax steigt");
        assert_eq!(shingles(&short), vec![short.phrase_hash(0..2)]);
    }

    #[test]
    fn word_characters_are_the_alphanumeric_ones() {
        for c in ('\0'..='\u{3000}').chain(['\u{1E9E}', '\u{FB01}', '\u{FFFD}', '\u{1F600}']) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn vocabulary_is_the_capitalised_words_and_figures() {
        // The definition, spelled out with the standard library.
        let reference = |text: &str| {
            let mut hashes: Vec<u64> = text
                .split(|c: char| !(c.is_alphanumeric() || c == ',' || c == '.'))
                .flat_map(|token| {
                    token.split(|c: char| (c == ',' || c == '.') && !token.starts_with(|d: char| d.is_ascii_digit()))
                })
                .map(|token| token.trim_matches(|c| c == ',' || c == '.'))
                .filter(|token| {
                    let digits = token.chars().filter(char::is_ascii_digit).count();
                    let figure = token.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.')
                        && (digits >= 3 || (digits >= 2 && token.len() > digits));
                    figure || (token.chars().next().is_some_and(char::is_uppercase) && token.chars().count() >= 4)
                })
                .map(|token| fnv_word(FNV_OFFSET, token.to_lowercase().as_bytes()))
                .collect();
            hashes.sort_unstable();
            hashes.dedup();
            hashes
        };
        let text = "Die Übernahme von Škoda.Werk,Größe: 19.254,12 Punkte, 2,3 Prozent, 600.000 Soldaten, \
                    Öl am 1.1. ÄÖÜ Ωmega ΣΟΦΙΑ Dax-Chef, Straße.Ende 42 7,5 .123. ,Bank,";
        let mut found = vocabulary(text);
        found.sort_unstable();
        found.dedup();
        assert_eq!(found, reference(text));
        assert_eq!(found.len(), 19);
    }

    #[test]
    fn growth_keeps_full_overlap() {
        let sketch = |text: &str| {
            let mut words = WordHashes::default();
            words.extend(text);
            Sketch::of(shingles(&words))
        };
        let short = sketch("Die Nato schätzt die Verluste auf 600.000 Soldaten.");
        let long = sketch("Die Nato schätzt die Verluste auf 600.000 Soldaten. Rutte sagte mehr.");
        assert_eq!(text_overlap(&short, &long), 1.0);
        let other = sketch("Der Dax schloss am Dienstag höher bei 19.000 Punkten.");
        assert_eq!(text_overlap(&short, &other), 0.0);
    }

    #[test]
    fn sketches_are_what_sorting_every_value_gives() {
        // The definition: every distinct value, sorted, cut level by level.
        let reference = |hashes: &[u64]| {
            let mut values: Vec<u32> = hashes.iter().map(|&h| mix(h)).collect();
            values.sort_unstable();
            values.dedup();
            let mut level = 0;
            while values.len() > SKETCH_FULL {
                level += 1;
                values.truncate(values.partition_point(|&v| v < threshold(level)));
            }
            (level, values)
        };
        let mut random = xorshift(0x2545_f491_4f6c_dd1d);
        for round in 0..400 {
            let len = [0, 1, 100, 128, 129, 130, 300, 900, 2000][round % 9];
            // Few distinct hashes, repeated (a vocabulary), or all distinct.
            let distinct = [1, 3, 60, 127, 128, 129, 200, usize::MAX][round % 8].min(len.max(1));
            let pool: Vec<u64> = (0..distinct).map(|_| random()).collect();
            let hashes: Vec<u64> = (0..len).map(|i| pool[(random() as usize + i) % pool.len()]).collect();
            let sketch = Sketch::of(hashes.clone());
            assert_eq!((sketch.level, sketch.values), reference(&hashes), "{len} of {distinct}");
        }
    }

    #[test]
    fn long_texts_are_sampled_consistently() {
        let all: Vec<u64> = (0..2000u64).map(|i| i * 7919).collect();
        let whole = Sketch::of(all.clone());
        assert!(whole.level > 0 && whole.values.len() <= SKETCH_FULL && whole.values.len() > SKETCH_FULL / 4);
        let half = Sketch::of(all[..1000].to_vec());
        let estimate = text_overlap(&half, &whole);
        assert_eq!(estimate, 1.0, "a sample of a subset is a subset of the sample");
        let other = Sketch::of((5000..7000u64).map(|i| i * 7919).collect());
        assert_eq!(text_overlap(&other, &whole), 0.0);
        let short = Sketch::of(all[..100].to_vec());
        assert_eq!((short.level, short.values.len()), (0, 100), "short texts are kept whole");
        let mixed = Sketch::of([&all[..1000], &(5000..6000u64).map(|i| i * 7919).collect::<Vec<_>>()[..]].concat());
        let estimate = text_overlap(&mixed, &whole);
        assert!((estimate - 0.5).abs() < 0.1, "{estimate}");
    }

    #[test]
    fn only_paragraphs_of_twelve_words_or_more_are_passages() {
        let profile = |body: &str| {
            let text = format!("Bayer senkt Prognose\n12.11.2024 - 16:05:00\nLEVERKUSEN (dpa-AFX) - {body}");
            Profile::of(&crate::parse::parse_article(&text).unwrap().article)
        };
        let short = "Die Bayer-Aktie verlor am Dienstag nachbörslich zuletzt rund vier Prozent.";
        let quote = "\"Unser Umbau zahlt sich aus, aber er braucht Zeit\", sagte Bill Anderson.";
        assert!(profile(short).paragraphs.is_empty(), "eleven words are a stock phrase");
        assert_eq!(profile(&format!("{short}\n{quote}")).paragraphs.len(), 1, "twelve words are a passage");
        let retyped = "Unser Umbau zahlt sich aus - aber er braucht Zeit, sagte Bill  Anderson.";
        assert_eq!(profile(quote).paragraphs, profile(retyped).paragraphs, "punctuation does not count");
    }

    #[test]
    fn places_are_disjoint_only_when_both_are_known() {
        let berlin = vec!["BERLIN".to_string()];
        let both = vec!["BERLIN".to_string(), "FRANKFURT".to_string()];
        assert!(!places_disjoint(&berlin, &both));
        assert!(!places_disjoint(&berlin, &[]));
        assert!(places_disjoint(&berlin, &["PARIS".to_string()]));
    }
}
