//! Choosing what a lost byte stood for.
//!
//! Letters: the case rules of German first (`ß` never starts a word and never
//! follows a capital inside a mixed-case word; capitals stand at a word start
//! or inside an all-capitals word), then the words of the same file, of the
//! folder, of the built-in list, and last letter statistics. Quotes and
//! dashes: from their position. A choice made among several candidates is a
//! guess and is reported as one.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Range;

use super::codec::utf8_char;
use super::lexicon::{Lexicon, builtin};
use super::scan::{Kind, Unit};

/// What repair knows while it resolves one file.
pub(crate) struct Context<'a> {
    pub lexicon: &'a Lexicon,
    /// Clean words of the file being repaired.
    pub local: &'a HashMap<String, u32>,
    /// Whether the file shows mojibake beyond doubt somewhere. Without it a
    /// lone `Ă` or `Ã` may be a real letter (`SÃO PAULO`) and is only
    /// replaced when that spells a known word.
    pub evidence: bool,
}

/// The character chosen for a unit, and whether it was certain.
pub(crate) type Choice = Option<(char, bool)>;

/// Choose the letters of every word of a token that lost a byte.
pub(crate) fn resolve_letters(units: &[Unit], ctx: &Context, choices: &mut [Choice]) {
    for word in words(units) {
        if units[word.clone()].iter().any(|u| matches!(u.kind, Kind::LostLetter { .. })) {
            resolve_word(units, word, ctx, choices);
        }
    }
}

/// Ranges of consecutive letter units.
fn words(units: &[Unit]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let start = i;
        while i < units.len() && units[i].is_letter() {
            i += 1;
        }
        if i > start {
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

/// Which letters case rules allow at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Upper,
    Lower,
    /// Inside an all-capitals word: `GIEßEN` keeps its `ß`.
    Caps,
}

fn resolve_word(units: &[Unit], word: Range<usize>, ctx: &Context, choices: &mut [Choice]) {
    let letters = &units[word.clone()];
    let all_caps = is_all_caps(letters);
    let slots: Vec<(usize, u8, Vec<char>)> = letters
        .iter()
        .enumerate()
        .filter_map(|(pos, u)| match u.kind {
            Kind::LostLetter { lead } => {
                let case = match (all_caps, pos) {
                    (true, 0) | (false, 0) => Case::Upper,
                    (true, _) => Case::Caps,
                    (false, _) => Case::Lower,
                };
                Some((pos, lead, candidates(lead, case)))
            }
            _ => None,
        })
        .collect();
    // A word of lost letters only has nothing to judge by.
    if slots.len() == letters.len() || slots.iter().any(|(_, _, c)| c.is_empty()) {
        return;
    }
    let certain = slots.iter().all(|(_, _, c)| c.len() == 1);
    let Some((picked, score)) = best_spelling(letters, &slots, ctx) else {
        return;
    };
    let known = score.learned > 0 || score.builtin;
    let slavic = slots.iter().any(|&(_, lead, _)| lead != 0xC3);
    if (slavic && !known && score.affix < 5) || (!ctx.evidence && !known) {
        return;
    }
    for ((pos, _, _), ch) in slots.iter().zip(picked) {
        choices[word.start + pos] = Some((ch, certain));
    }
}

/// Known letters all capitals (a lone `ß` allowed), at least one of them.
fn is_all_caps(letters: &[Unit]) -> bool {
    let known: Vec<char> = letters.iter().filter_map(Unit::known).collect();
    known.iter().any(|c| c.is_uppercase()) && known.iter().all(|&c| c.is_uppercase() || c == 'ß')
}

/// The letters a lead byte followed by a lost 0x80–0x9F byte can be, most
/// likely first.
fn candidates(lead: u8, case: Case) -> Vec<char> {
    let mut out: Vec<char> = (0x80..=0x9F)
        .filter_map(|b| utf8_char(&[lead, b]))
        .filter(|&c| match case {
            Case::Upper => c.is_uppercase(),
            Case::Lower => c.is_lowercase(),
            Case::Caps => c.is_uppercase() || c == 'ß',
        })
        .collect();
    out.sort_by(|a, b| prior(*b).total_cmp(&prior(*a)));
    out
}

/// Log prior of a letter in German text, before context.
fn prior(c: char) -> f64 {
    match c {
        'Ü' | 'ß' => 0.0,
        'Ä' => -0.3,
        'Ö' => -0.5,
        'É' => -3.0,
        _ => -6.0,
    }
}

/// How well a spelling is supported, compared field by field.
#[derive(Debug, Clone, Copy, Default)]
struct Score {
    /// Clean occurrences in this file (weighted) and the folder.
    learned: u64,
    builtin: bool,
    /// Longest known word that is a prefix or suffix covering the lost letters.
    affix: usize,
    /// Letter statistics and priors.
    stats: f64,
}

impl Score {
    fn cmp(&self, other: &Score) -> Ordering {
        self.learned
            .cmp(&other.learned)
            .then(self.builtin.cmp(&other.builtin))
            .then(self.affix.cmp(&other.affix))
            .then(self.stats.total_cmp(&other.stats))
    }
}

/// Try every combination of candidates (the few likeliest per slot when a
/// word lost many letters) and keep the best supported spelling.
fn best_spelling(letters: &[Unit], slots: &[(usize, u8, Vec<char>)], ctx: &Context) -> Option<(Vec<char>, Score)> {
    let combos: usize = slots.iter().map(|(_, _, c)| c.len()).product();
    let width = if combos <= 1024 { usize::MAX } else { 3 };
    let options: Vec<&[char]> = slots.iter().map(|(_, _, c)| &c[..c.len().min(width)]).collect();
    let mut best: Option<(Vec<char>, Score)> = None;
    let mut pick = vec![0usize; slots.len()];
    loop {
        let chosen: Vec<char> = pick.iter().zip(&options).map(|(&i, o)| o[i]).collect();
        let score = score_spelling(letters, slots, &chosen, ctx);
        if best.as_ref().is_none_or(|(_, s)| score.cmp(s) == Ordering::Greater) {
            best = Some((chosen, score));
        }
        if !advance(&mut pick, &options) {
            return best;
        }
    }
}

/// Next combination, odometer style; false when all were tried.
fn advance(pick: &mut [usize], options: &[&[char]]) -> bool {
    for (i, p) in pick.iter_mut().enumerate() {
        *p += 1;
        if *p < options[i].len() {
            return true;
        }
        *p = 0;
    }
    false
}

fn score_spelling(letters: &[Unit], slots: &[(usize, u8, Vec<char>)], chosen: &[char], ctx: &Context) -> Score {
    let mut chars: Vec<char> = letters.iter().map(|u| u.known().unwrap_or('?')).collect();
    for ((pos, _, _), &ch) in slots.iter().zip(chosen) {
        chars[*pos] = ch;
    }
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase()).collect();
    let word: String = lower.iter().collect();
    let first = slots.first().map_or(0, |s| s.0);
    let last = slots.last().map_or(0, |s| s.0);
    Score {
        learned: u64::from(ctx.local.get(&word).copied().unwrap_or(0)) * 1000 + u64::from(ctx.lexicon.count(&word)),
        builtin: ctx.lexicon.in_builtin(&word),
        affix: affix_len(&lower, first, last, ctx.lexicon),
        stats: builtin().ngram.log_prob(&word) + chosen.iter().map(|&c| prior(c)).sum::<f64>(),
    }
}

/// Length of the longest known word (four letters or more) that starts the
/// word and reaches past `last`, or ends it and starts at or before `first`:
/// compounds like `Übernahmeangebot` are known by their head `übernahme`.
fn affix_len(lower: &[char], first: usize, last: usize, lexicon: &Lexicon) -> usize {
    let n = lower.len();
    let prefixes = (last + 1).max(4)..n;
    let suffixes = 1..=first.min(n.saturating_sub(4));
    let prefix = prefixes.rev().find(|&end| lexicon.knows(&lower[..end].iter().collect::<String>())).unwrap_or(0);
    let suffix = suffixes
        .filter(|&start| lexicon.knows(&lower[start..].iter().collect::<String>()))
        .map(|start| n - start)
        .max()
        .unwrap_or(0);
    prefix.max(suffix)
}

/// Where quotes stand open in the line repaired so far.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Quotes {
    double: bool,
    single: bool,
}

impl Quotes {
    /// The quote state after reading `line`.
    pub(crate) fn after(line: &str) -> Quotes {
        let mut q = Quotes::default();
        for c in line.chars() {
            match c {
                '„' => q.double = true,
                '‚' => q.single = true,
                '“' => q = Quotes::default(),
                '‘' => q.single = false,
                _ => {}
            }
        }
        q
    }
}

/// The sign a lone `â` stood for, from the characters around it: an opening
/// quote before a word, a closing one after it, a dash between spaces or
/// digits, an apostrophe in `Moody’s`. `None` keeps the `â` (`Château`).
pub(crate) fn resolve_punct(
    prev: Option<char>,
    next: Option<char>,
    rest_of_word: &str,
    quotes: Quotes,
    evidence: bool,
) -> Option<char> {
    let space_before = prev.is_none_or(char::is_whitespace);
    let space_after = next.is_none_or(char::is_whitespace);
    let opens = space_before || prev.is_some_and(|p| "([{/–—-:„‚»«".contains(p));
    let word_after = next.is_some_and(|n| n.is_alphanumeric() || "…(.'\"€$".contains(n));
    let word_before = prev.is_some_and(|p| p.is_alphanumeric() || ".,!?…)'\"%".contains(p));
    let ends = space_after || next.is_some_and(|n| ".,;:!?)]}…-–".contains(n));
    let digits = prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
    let letters = prev.is_some_and(char::is_alphabetic) && next.is_some_and(char::is_alphabetic);
    if (space_before && space_after) || digits {
        Some('–')
    } else if letters {
        apostrophe(rest_of_word)
    } else if opens && word_after {
        // French `âge` opens a word too; only a damaged file lets `â` go there.
        let lower_after = next.is_some_and(char::is_lowercase);
        (evidence || !lower_after).then_some(if quotes.double && !quotes.single { '‚' } else { '„' })
    } else if word_before && ends {
        Some(if quotes.single { '‘' } else { '“' })
    } else {
        None
    }
}

/// `’` where a lone `â` stands before an English or colloquial ending.
fn apostrophe(rest_of_word: &str) -> Option<char> {
    matches!(rest_of_word, "s" | "t" | "ll" | "re" | "ve" | "d" | "m").then_some('’')
}

#[cfg(test)]
mod tests {
    use super::super::scan::{Family, scan_token};
    use super::*;

    fn fix(token: &str, lexicon: &Lexicon, evidence: bool) -> String {
        let units = scan_token(token, Family::Unknown).unwrap();
        let local = HashMap::new();
        let ctx = Context { lexicon, local: &local, evidence };
        let mut choices = vec![None; units.len()];
        resolve_letters(&units, &ctx, &mut choices);
        units
            .iter()
            .zip(&choices)
            .map(|(u, c)| match (c, u.kind) {
                (Some((ch, _)), _) => ch.to_string(),
                (None, Kind::Decoded { ch, .. }) => ch.to_string(),
                (None, _) => token[u.start..u.end].to_string(),
            })
            .collect()
    }

    #[test]
    fn sharp_s_after_lowercase_capital_at_start() {
        let lex = Lexicon::builtin();
        assert_eq!(fix("ĂuĂerungen", &lex, true), "Äußerungen");
        assert_eq!(fix("Ă€uĂerte", &lex, true), "äußerte");
        assert_eq!(fix("StraĂe", &lex, true), "Straße");
    }

    #[test]
    fn capitals_in_all_caps_words() {
        let lex = Lexicon::builtin();
        assert_eq!(fix("BRĂSSEL", &lex, true), "BRÜSSEL");
        assert_eq!(fix("KĂLN", &lex, true), "KÖLN");
        assert_eq!(fix("GIEĂEN", &lex, true), "GIEßEN");
        assert_eq!(fix("MĂNCHEN", &lex, true), "MÜNCHEN");
    }

    #[test]
    fn word_start_capitals() {
        let lex = Lexicon::builtin();
        assert_eq!(fix("Ăbernahme", &lex, true), "Übernahme");
        assert_eq!(fix("Ăl", &lex, true), "Öl");
        assert_eq!(fix("Ărger", &lex, true), "Ärger");
        assert_eq!(fix("Ăsterreich", &lex, true), "Österreich");
    }

    #[test]
    fn folder_words_decide() {
        let mut lex = Lexicon::builtin();
        lex.learn("Vučić");
        assert_eq!(fix("VuÄiÄ", &lex, true), "Vučić");
    }

    #[test]
    fn real_letters_stay_without_evidence() {
        let lex = Lexicon::builtin();
        assert_eq!(fix("SÃO", &lex, false), "SÃO");
        assert_eq!(fix("BĂSESCU", &lex, false), "BĂSESCU");
        assert_eq!(fix("BRĂSSEL", &lex, false), "BRÜSSEL");
    }

    #[test]
    fn punctuation_from_position() {
        let q = Quotes::default();
        assert_eq!(resolve_punct(None, Some('E'), "", q, false), Some('„'));
        assert_eq!(resolve_punct(Some('g'), Some('.'), "", q, false), Some('“'));
        assert_eq!(resolve_punct(Some(' '), Some(' '), "", q, false), Some('–'));
        assert_eq!(resolve_punct(Some('1'), Some('2'), "", q, false), Some('–'));
        assert_eq!(resolve_punct(Some('y'), Some('s'), "s", q, false), Some('’'));
        assert_eq!(resolve_punct(Some('h'), Some('t'), "teau", q, true), None);
        assert_eq!(resolve_punct(None, Some('g'), "", q, false), None);
        let open = Quotes::after("Er sagte: „Wir nennen das ");
        assert_eq!(resolve_punct(None, Some('N'), "", open, true), Some('‚'));
        let nested = Quotes::after("„Wir nennen das ‚Nein");
        assert_eq!(resolve_punct(Some('n'), None, "", nested, true), Some('‘'));
    }
}
