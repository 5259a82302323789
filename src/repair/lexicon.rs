//! What repair knows about German words: the words that decoded cleanly in
//! the input folder, a built-in word list, and letter statistics drawn from
//! that list for words no list holds.
//!
//! A lexicon only ever learns from text that needed no guess, so a wrong
//! guess can never teach itself.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::scan::{Family, Kind, Unit, family_of, lead_image_at, scan_token};

/// The built-in word list, composed for depesche: common word forms of
/// German business and political news, with the place names of datelines.
const BUILTIN_WORDS: &str = include_str!("lexicon-de.txt");

/// Word statistics used to choose between candidates where bytes were lost.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Lower-cased word → how often it was seen decoded cleanly.
    counts: HashMap<String, u32>,
    /// Whether the built-in word list is consulted as well.
    builtin: bool,
}

impl Lexicon {
    /// The built-in German fallback.
    pub fn builtin() -> Lexicon {
        Lexicon { counts: HashMap::new(), builtin: true }
    }

    /// Learn the words of `text` that decoded cleanly: words without
    /// mojibake, and words whose mojibake was read back with certainty.
    pub fn learn(&mut self, text: &str) {
        for_clean_words(text, |word| *self.counts.entry(word).or_default() += 1);
    }

    /// Add the counts of another lexicon (order independent).
    pub fn merge(&mut self, other: Lexicon) {
        self.builtin |= other.builtin;
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

    /// Whether the lower-cased `word` is known at all.
    pub(crate) fn knows(&self, word: &str) -> bool {
        self.count(word) > 0 || self.in_builtin(word)
    }
}

/// Call `f` with every lower-cased word of `text` that needs no guess.
pub(crate) fn for_clean_words(text: &str, mut f: impl FnMut(String)) {
    for line in text.split('\n') {
        // Decided per line, as repair does, and only for damaged lines.
        let mut family = None;
        for token in line.split([' ', '\t']) {
            let bytes = token.as_bytes();
            if !(0..bytes.len()).any(|i| lead_image_at(bytes, i)) {
                token
                    .split(|c: char| !c.is_alphabetic())
                    .filter(|w| learnable(w.chars().count()))
                    .for_each(|w| f(w.to_lowercase()));
                continue;
            }
            let family: Family = *family.get_or_insert_with(|| family_of(line));
            if let Some(units) = scan_token(token, family) {
                clean_words_of_units(&units, &mut f);
            }
        }
    }
}

fn learnable(len: usize) -> bool {
    (2..=40).contains(&len)
}

/// Words of a scanned token that hold no lost byte and touch none.
fn clean_words_of_units(units: &[Unit], f: &mut impl FnMut(String)) {
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
        let text: String = word.iter().filter_map(Unit::known).collect();
        f(text.to_lowercase());
    }
}

/// The built-in word list and the letter statistics drawn from it.
pub(crate) struct Builtin {
    words: HashSet<String>,
    pub(crate) ngram: Ngram,
}

pub(crate) fn builtin() -> &'static Builtin {
    static BUILTIN: OnceLock<Builtin> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let words: HashSet<String> = BUILTIN_WORDS
            .lines()
            .filter(|line| !line.starts_with('#'))
            .flat_map(str::split_whitespace)
            .map(str::to_lowercase)
            .collect();
        let ngram = Ngram::train(words.iter().map(String::as_str));
        Builtin { words, ngram }
    })
}

/// Letter 4-gram counts over lower-cased words with `^` marking both ends,
/// scored with "stupid backoff": cheap, and good enough to tell `^übe` from
/// `^äbe` or `ieße` from `ieüe`.
pub(crate) struct Ngram {
    counts: HashMap<u32, u32>,
    total: u32,
}

const ORDER: usize = 4;
const BACKOFF: f64 = 0.4;

impl Ngram {
    fn train<'a>(words: impl Iterator<Item = &'a str>) -> Ngram {
        let mut ngram = Ngram { counts: HashMap::new(), total: 0 };
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
    pub(crate) fn log_prob(&self, word: &str) -> f64 {
        let seq = symbols(word);
        (1..seq.len()).map(|i| self.log_p(&seq[i.saturating_sub(ORDER - 1)..i], seq[i])).sum()
    }

    fn log_p(&self, context: &[u8], sym: u8) -> f64 {
        let total = f64::from(self.total.max(1));
        for k in (0..=context.len()).rev() {
            let ctx = &context[context.len() - k..];
            let mut gram = ctx.to_vec();
            gram.push(sym);
            let num = self.get(&gram);
            if num == 0 {
                continue;
            }
            let den = if k == 0 { total } else { f64::from(self.get(ctx)) };
            let penalty = (context.len() - k) as f64 * BACKOFF.ln();
            return (f64::from(num) / den.max(1.0)).ln() + penalty;
        }
        (0.5 / total).ln() + context.len() as f64 * BACKOFF.ln()
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
        assert_eq!(lexicon.count("soldaten"), 1);
        assert_eq!(lexicon.count("brßssel"), 0);
        assert!(!lexicon.counts.keys().any(|w| w.contains('ă')));
        assert!(!lexicon.counts.contains_key("erungen"));
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
