//! What repair knows about German words: the words that decoded cleanly in
//! the input folder, a built-in word list, and letter statistics drawn from
//! that list for words no list holds.
//!
//! A lexicon only ever learns from text that needed no guess, so a wrong
//! guess can never teach itself.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use rayon::prelude::*;

use super::scan::{Kind, Unit, family_of, next_lead_image, scan_token};

/// The built-in word lists, composed by hand for depesche (see
/// `LEXICON.md`, checked by `bench/lexicon_check.py` and
/// `tests/repair_lexicon.rs`): common word forms of German business and
/// political news, and the names wire text carries most (places of
/// datelines, people, parties).
const BUILTIN_WORDS: &str = include_str!("lexicon-de.txt");
const BUILTIN_NAMES: &str = include_str!("lexicon-names-de.txt");

/// Word statistics used to choose between candidates where bytes were lost.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Lower-cased word → how often it was seen decoded cleanly; only words
    /// with a letter beyond ASCII, the only ones repair asks about (every
    /// spelling it weighs holds a lost letter, and lost letters are never ASCII).
    counts: FastMap<String, u32>,
    /// Whether any word was seen decoded cleanly, ASCII ones included.
    learned_any: bool,
    /// Non-ASCII letters of those words: a lost letter is only tried as a
    /// rare one (`é`, `č`) when some known word holds it.
    letters: BTreeSet<char>,
    /// Whether the built-in word list is consulted as well.
    builtin: bool,
}

impl Lexicon {
    /// The built-in German fallback.
    pub fn builtin() -> Lexicon {
        Lexicon { builtin: true, ..Lexicon::default() }
    }

    /// Learn the words of `text` that decoded cleanly: words without
    /// mojibake, and words whose mojibake was read back with certainty.
    pub fn learn(&mut self, text: &str) {
        self.learned_any |= for_clean_words(text, |word| match self.counts.get_mut(word) {
            Some(count) => *count += 1,
            None => {
                self.letters.extend(word.chars().filter(|c| !c.is_ascii()));
                self.counts.insert(word.to_owned(), 1);
            }
        });
    }

    /// The lexicon for repairing `texts`, a folder: the built-in list plus
    /// the words learned from all of them, as [`Lexicon::learned_from`] —
    /// but only when some text needs repair ([`super::needs_repair`]).
    /// Otherwise repair never consults the lexicon, and the built-in one
    /// alone gives the same results without the cost of learning.
    pub fn for_folder(texts: &[&str]) -> Lexicon {
        match super::any_needs_repair(texts) {
            true => Lexicon::learned_from(texts),
            false => Lexicon::builtin(),
        }
    }

    /// The built-in list plus the words that decoded cleanly in `texts`.
    /// Counts add up, so the result does not depend on how the texts are
    /// shared out between threads.
    pub fn learned_from(texts: &[&str]) -> Lexicon {
        // A few parts per thread balance the load; fewer parts, fewer merges.
        let chunk = texts.len().div_ceil(rayon::current_num_threads() * 4).max(1);
        let parts: Vec<Lexicon> = texts
            .par_chunks(chunk)
            .map(|chunk| {
                let mut lexicon = Lexicon::default();
                chunk.iter().for_each(|text| lexicon.learn(text));
                lexicon
            })
            .collect();
        let mut lexicon = Lexicon::builtin();
        for part in parts {
            lexicon.merge(part);
        }
        lexicon
    }

    /// Add the counts of another lexicon (order independent).
    pub fn merge(&mut self, other: Lexicon) {
        self.builtin |= other.builtin;
        self.learned_any |= other.learned_any;
        self.letters.extend(other.letters);
        for (word, count) in other.counts {
            *self.counts.entry(word).or_default() += count;
        }
    }

    /// How often the lower-cased `word` was learned.
    pub(crate) fn count(&self, word: &str) -> u32 {
        self.counts.get(word).copied().unwrap_or(0)
    }

    /// Whether the lower-cased `word` is in the built-in list (when used).
    pub(crate) fn in_builtin(&self, word: &str) -> bool {
        self.builtin && builtin().words.contains(word)
    }

    /// Whether some known word holds the lower-cased letter `c`.
    pub(crate) fn may_hold(&self, c: char) -> bool {
        self.letters.contains(&c) || (self.builtin && builtin().letters.contains(&c))
    }

    /// Whether nothing was learned.
    pub(crate) fn is_empty(&self) -> bool {
        !self.learned_any
    }

    /// Whether the lower-cased `word` is known at all.
    pub(crate) fn knows(&self, word: &str) -> bool {
        self.count(word) > 0 || self.in_builtin(word)
    }
}

/// Call `f` with every lower-cased word of `text` that needs no guess and
/// holds a letter beyond ASCII; returns whether `text` holds any word that
/// needs no guess, ASCII ones included. Repair only asks about words holding
/// a lost letter, which is never ASCII, so ASCII words are skipped.
pub(crate) fn for_clean_words(text: &str, mut f: impl FnMut(&str)) -> bool {
    let mut lowered = String::new();
    let mut f = |word: &str| f(lower_into(word, &mut lowered));
    let mut any = false;
    let bytes = text.as_bytes();
    let mut units = Vec::new();
    // Text before `done` is learned. Only lines holding a lead image can
    // hold mojibake, and in them only the tokens holding one.
    let mut done = 0;
    while let Some(first) = next_lead_image(bytes, done) {
        let line_start = memchr::memrchr(b'\n', &bytes[..first]).map_or(0, |p| p + 1);
        let line_end = memchr::memchr(b'\n', &bytes[first..]).map_or(bytes.len(), |p| first + p);
        let line = &text[line_start..line_end];
        plain_words(&text[done..line_start], &mut any, &mut f);
        // Decided per line, as repair does, and only where readings differ.
        let mut family = None;
        let (line_bytes, mut at, mut done_in_line) = (line.as_bytes(), first - line_start, 0);
        loop {
            let start = line_bytes[..at].iter().rposition(|&b| is_separator(b)).map_or(0, |p| p + 1);
            let end = line_bytes[at..].iter().position(|&b| is_separator(b)).map_or(line.len(), |p| at + p);
            plain_words(&line[done_in_line..start], &mut any, &mut f);
            units.clear();
            if scan_token(&line[start..end], &mut || *family.get_or_insert_with(|| family_of(line)), &mut units) {
                clean_words_of_units(&units, &mut |word: &str| {
                    any = true;
                    if !word.is_ascii() {
                        f(word);
                    }
                });
            }
            done_in_line = end;
            match next_lead_image(line_bytes, end) {
                Some(next) => at = next,
                None => break,
            }
        }
        plain_words(&line[done_in_line..], &mut any, &mut f);
        done = line_end;
    }
    plain_words(&text[done..], &mut any, &mut f);
    any
}

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t')
}

/// Call `f` with the learnable runs of letters of `text` (which holds no
/// mojibake) that hold a letter beyond ASCII: those of
/// `text.split(|c| !c.is_alphabetic())`, found from their non-ASCII letters.
/// Sets `any` when `text` holds a learnable word of any kind.
fn plain_words(text: &str, any: &mut bool, f: &mut impl FnMut(&str)) {
    if !*any {
        *any = has_learnable_word(text);
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(p) = next_non_ascii(bytes, i) {
        let c = text[p..].chars().next().unwrap_or(' ');
        if !c.is_alphabetic() {
            i = p + c.len_utf8();
            continue;
        }
        // What lies between `i` and `p` is ASCII.
        let start = bytes[i..p].iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(i, |q| i + q + 1);
        let end = text[p..].char_indices().find(|&(_, c)| !c.is_alphabetic()).map_or(text.len(), |(q, _)| p + q);
        let word = &text[start..end];
        if learnable(word.chars().count()) {
            f(word);
        }
        i = end;
    }
}

/// Whether `text` holds a run of letters of learnable length.
fn has_learnable_word(text: &str) -> bool {
    let mut chars = 0;
    for c in text.chars() {
        if c.is_alphabetic() {
            chars += 1;
        } else if learnable(chars) {
            return true;
        } else {
            chars = 0;
        }
    }
    learnable(chars)
}

/// The first byte at or after `from` that is not ASCII, eight at a time.
fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        if word & HIGH != 0 {
            return Some(i + (word & HIGH).trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    bytes[i..].iter().position(|b| !b.is_ascii()).map(|p| i + p)
}

/// `word` lower-cased into `buf`, which is returned.
fn lower_into<'b>(word: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    match word.is_ascii() {
        true => {
            buf.push_str(word);
            buf.make_ascii_lowercase();
        }
        // `str::to_lowercase` knows the final sigma that `char`'s does not;
        // it is the only letter whose lower case depends on its neighbours.
        false if word.contains('Σ') => buf.push_str(&word.to_lowercase()),
        false => {
            for c in word.chars() {
                match c {
                    'A'..='Z' => buf.push(c.to_ascii_lowercase()),
                    // Latin-1 capitals lie 0x20 below their small letters;
                    // the small ones (and `ß`, `ÿ`) are their own lower case.
                    'À'..='Ö' | 'Ø'..='Þ' => buf.push(char::from_u32(c as u32 + 0x20).unwrap_or(c)),
                    '\0'..='\u{BF}' | 'ß'..='ÿ' => buf.push(c),
                    _ => buf.extend(c.to_lowercase()),
                }
            }
        }
    }
    buf
}

fn learnable(len: usize) -> bool {
    (2..=40).contains(&len)
}

/// Words of a scanned token that hold no lost byte and touch none.
fn clean_words_of_units(units: &[Unit], f: &mut impl FnMut(&str)) {
    let mut text = String::new();
    let mut i = 0;
    while i < units.len() {
        if !units[i].is_letter() {
            i += 1;
            continue;
        }
        let start = i;
        while i < units.len() && units[i].is_letter() {
            i += 1;
        }
        let word = &units[start..i];
        let touches_lost = start > 0 && units[start - 1].is_lost() || units.get(i).is_some_and(Unit::is_lost);
        let guessed = word.iter().any(|u| u.is_lost() || matches!(u.kind, Kind::Decoded { certain: false, .. }));
        if touches_lost || guessed || !learnable(word.len()) {
            continue;
        }
        text.clear();
        text.extend(word.iter().filter_map(Unit::known));
        f(&text);
    }
}

/// The built-in word list and the letter statistics drawn from it.
pub(crate) struct Builtin {
    words: HashSet<String, BuildHasherDefault<FastHasher>>,
    letters: BTreeSet<char>,
    pub(crate) ngram: Ngram,
}

pub(crate) fn builtin() -> &'static Builtin {
    static BUILTIN: OnceLock<Builtin> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let words: HashSet<String, BuildHasherDefault<FastHasher>> = BUILTIN_WORDS
            .lines()
            .chain(BUILTIN_NAMES.lines())
            .filter(|line| !line.starts_with('#'))
            .flat_map(str::split_whitespace)
            .map(str::to_lowercase)
            .collect();
        let letters = words.iter().flat_map(|w| w.chars()).filter(|c| !c.is_ascii()).collect();
        let ngram = Ngram::train(words.iter().map(String::as_str));
        Builtin { words, letters, ngram }
    })
}

/// A hash map keyed by what repair looks up often; see [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The multiply-rotate hash of rustc (FxHash). Look-ups of short words and
/// n-gram keys dominate lost-letter repair; SipHash's resistance to chosen
/// keys buys nothing for local files.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher {
    hash: u64,
}

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Letter 4-gram counts over lower-cased words with `^` marking both ends,
/// scored with "stupid backoff": cheap, and good enough to tell `^übe` from
/// `^äbe` or `ieße` from `ieüe`.
pub(crate) struct Ngram {
    counts: FastMap<u32, u32>,
    total: u32,
}

const ORDER: usize = 4;
const BACKOFF: f64 = 0.4;

impl Ngram {
    fn train<'a>(words: impl Iterator<Item = &'a str>) -> Ngram {
        let mut ngram = Ngram { counts: FastMap::default(), total: 0 };
        for word in words {
            let seq = symbols(word);
            for i in 1..seq.len() {
                ngram.total += 1;
                for k in 1..=ORDER.min(i + 1) {
                    *ngram.counts.entry(key(&seq[i + 1 - k..=i])).or_default() += 1;
                }
            }
        }
        ngram
    }

    /// Log-probability of a lower-cased word.
    #[cfg(test)]
    pub(crate) fn log_prob(&self, word: &str) -> f64 {
        let seq = symbols(word);
        (1..seq.len()).map(|i| self.log_p(&seq[i.saturating_sub(ORDER - 1)..=i])).sum()
    }

    /// Log-probability of the letters of a lower-cased word that depend on
    /// the letters at `positions`: all that differs between spellings of one
    /// word that differ only there.
    pub(crate) fn log_prob_around(&self, word: &str, positions: &[usize]) -> f64 {
        let seq = symbols(word);
        // Letter `p` is symbol `p + 1`, after the boundary.
        (1..seq.len())
            .filter(|&i| positions.iter().any(|&p| (p + 1..p + 1 + ORDER).contains(&i)))
            .map(|i| self.log_p(&seq[i.saturating_sub(ORDER - 1)..=i]))
            .sum()
    }

    /// Log-probability of the last symbol of `gram` after the others,
    /// backing off to shorter contexts.
    fn log_p(&self, gram: &[u8]) -> f64 {
        let total = f64::from(self.total.max(1));
        let context_len = gram.len() - 1;
        for k in (0..=context_len).rev() {
            let tail = &gram[context_len - k..];
            let num = self.get(tail);
            if num == 0 {
                continue;
            }
            let den = match k {
                0 => total,
                _ => f64::from(self.get(&tail[..k])),
            };
            let penalty = (context_len - k) as f64 * BACKOFF.ln();
            return (f64::from(num) / den.max(1.0)).ln() + penalty;
        }
        (0.5 / total).ln() + context_len as f64 * BACKOFF.ln()
    }

    fn get(&self, gram: &[u8]) -> u32 {
        self.counts.get(&key(gram)).copied().unwrap_or(0)
    }
}

/// `^word^` as small symbols: 0 is the boundary, 1–26 a–z, then `äöüß`, and
/// one symbol for every other letter.
fn symbols(word: &str) -> Vec<u8> {
    let mut seq = vec![0];
    seq.extend(word.chars().map(|c| match c {
        'a'..='z' => c as u8 - b'a' + 1,
        'ä' => 27,
        'ö' => 28,
        'ü' => 29,
        'ß' => 30,
        _ => 31,
    }));
    seq.push(0);
    seq
}

fn key(gram: &[u8]) -> u32 {
    gram.iter().fold(gram.len() as u32, |acc, &s| (acc << 5) | u32::from(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_clean_and_certain_words_only() {
        let mut lexicon = Lexicon::default();
        lexicon.learn("BrĂŒssel und BRĂSSEL, ĂuĂerungen: getöteten Soldaten");
        assert_eq!(lexicon.count("brüssel"), 1);
        assert_eq!(lexicon.count("getöteten"), 1);
        // Counted, but not kept: repair never asks about an ASCII word.
        assert_eq!(lexicon.count("soldaten"), 0);
        assert!(lexicon.learned_any);
        let mut ascii = Lexicon::default();
        ascii.learn("nur ASCII hier");
        assert!(!ascii.is_empty() && ascii.counts.is_empty());
        let mut nothing = Lexicon::default();
        nothing.learn("a 1 - Ă");
        assert!(nothing.is_empty());
        assert_eq!(lexicon.count("brßssel"), 0);
        assert!(!lexicon.counts.keys().any(|w| w.contains('ă')));
        assert!(!lexicon.counts.contains_key("erungen"));
    }

    #[test]
    fn words_of_clean_text_as_split_finds_them() {
        let text = "Die Märkte, ΟΔΥΣΣΕΥΣ und Erdoğan: 5x-Übel\tim\nJAHR İstanbul ŒUVRE a bb";
        for text in [text, "ÖÜ", "xÖ yÜz", "a 1 ö ẞ", "", "abc", "a", "x–y „Übel“ –", "Ŀa Öö é"] {
            let mut found = Vec::new();
            let any = for_clean_words(text, |w| found.push(w.to_string()));
            let all: Vec<&str> =
                text.split(|c: char| !c.is_alphabetic()).filter(|w| learnable(w.chars().count())).collect();
            let expected: Vec<String> = all.iter().filter(|w| !w.is_ascii()).map(|w| w.to_lowercase()).collect();
            assert_eq!(found, expected, "{text:?}");
            assert_eq!(any, !all.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn lower_case_as_std() {
        let mut buf = String::new();
        for c in '\0'..='\u{24F}' {
            let word = format!("{c}Ab{c}");
            assert_eq!(lower_into(&word, &mut buf), word.to_lowercase(), "{c:?}");
        }
    }

    #[test]
    fn folder_lexicon_learns_only_when_needed() {
        let clean = ["Ärger in München über Äußerungen", "nichts"];
        assert!(Lexicon::for_folder(&clean).is_empty());
        let damaged = ["Ärger in München", "BRĂSSEL und Brüssel"];
        let (lazy, eager) = (Lexicon::for_folder(&damaged), Lexicon::learned_from(&damaged));
        assert_eq!(lazy.counts, eager.counts);
        assert_eq!(lazy.count("münchen"), 1);
        assert!(lazy.builtin && eager.builtin);
    }

    #[test]
    fn merge_is_order_independent() {
        let (mut a, mut b) = (Lexicon::default(), Lexicon::builtin());
        a.learn("Köln Köln");
        b.learn("Köln Bonn");
        let mut ab = a.clone();
        ab.merge(b.clone());
        b.merge(a);
        assert_eq!(ab.counts, b.counts);
        assert!(ab.may_hold('ö'));
        assert_eq!(ab.count("köln"), 3);
        assert!(ab.builtin && b.builtin);
    }

    #[test]
    fn letter_statistics_prefer_german_spellings() {
        let ngram = &builtin().ngram;
        assert!(ngram.log_prob("übernahme") > ngram.log_prob("äbernahme"));
        assert!(ngram.log_prob("gießen") > ngram.log_prob("gieüen"));
        assert!(ngram.log_prob("münchen") > ngram.log_prob("mänchen"));
    }
}
