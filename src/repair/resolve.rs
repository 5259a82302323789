//! Choosing what a lost byte stood for.
//!
//! Letters: the case rules of German first (`ß` never starts a word and never
//! follows a capital inside a mixed-case word; capitals stand at a word start
//! or inside an all-capitals word), then the words of the same file, of the
//! folder, of the built-in list, and last letter statistics. Quotes and
//! dashes: from their position. A choice made among several candidates is a
//! guess and is reported as one.

use std::cell::OnceCell;
use std::cmp::Ordering;
use std::ops::Range;
use std::sync::OnceLock;

use super::codec::utf8_char;
use super::lexicon::{FastMap, Lexicon, builtin, for_clean_words};
use super::scan::{Kind, Unit};

/// What repair knows while it resolves one file.
pub(crate) struct Context<'a> {
    pub lexicon: &'a Lexicon,
    /// The file being repaired, whose own clean words outrank the folder's.
    pub text: &'a str,
    /// Its clean words, counted only when a choice needs them.
    pub local: OnceCell<FastMap<String, u32>>,
    /// Whether the file shows mojibake beyond doubt somewhere. Without it a
    /// lone `Ă` or `Ã` may be a real letter (`SÃO PAULO`) and is only
    /// replaced when that spells a known word.
    pub evidence: bool,
}

impl<'a> Context<'a> {
    pub(crate) fn new(lexicon: &'a Lexicon, text: &'a str, evidence: bool) -> Context<'a> {
        Context { lexicon, text, local: OnceCell::new(), evidence }
    }

    fn local_count(&self, word: &str) -> u32 {
        let local = self.local.get_or_init(|| {
            let mut words = FastMap::default();
            for_clean_words(self.text, |w| match words.get_mut(w) {
                Some(count) => *count += 1,
                None => {
                    words.insert(w.to_owned(), 1);
                }
            });
            words
        });
        local.get(word).copied().unwrap_or(0)
    }
}

/// What a lead byte (0xC3–0xC5) followed by a lost 0x80–0x9F byte can be,
/// in a case.
fn candidates(lead: u8, case: Case) -> &'static Candidates {
    static ALL: OnceLock<Vec<Candidates>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        [0xC3, 0xC4, 0xC5]
            .into_iter()
            .flat_map(|lead| [Case::Upper, Case::Lower, Case::Caps].map(|case| Candidates::new(lead, case)))
            .collect()
    });
    &all[usize::from(lead.clamp(0xC3, 0xC5) - 0xC3) * 3 + case as usize]
}

/// The character chosen for a unit, and whether it was certain.
pub(crate) type Choice = Option<(char, bool)>;

/// Choose the letters of every word of a token that lost a byte.
pub(crate) fn resolve_letters(units: &[Unit], ctx: &Context, choices: &mut [Choice]) {
    let mut i = 0;
    while i < units.len() {
        let start = i;
        while i < units.len() && units[i].is_letter() {
            i += 1;
        }
        if i == start {
            i += 1;
        } else if units[start..i].iter().any(|u| matches!(u.kind, Kind::LostLetter { .. })) {
            resolve_word(units, start..i, ctx, choices);
        }
    }
}

/// Which letters case rules allow at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Upper,
    Lower,
    /// Inside an all-capitals word: `GIEßEN` keeps its `ß`.
    Caps,
}

/// The letters a lost letter can be.
#[derive(Debug)]
pub(crate) struct Candidates {
    /// German letters, weighed by every means down to letter statistics.
    likely: Vec<char>,
    /// Other letters of the lead (`É`, `Ç`, `č`): taken only where they
    /// spell a known word, since statistics drawn from German cannot judge them.
    rare: Vec<char>,
    /// Whether there is one letter only.
    single: bool,
}

impl Candidates {
    fn new(lead: u8, case: Case) -> Candidates {
        let fits = |c: char| match case {
            Case::Upper => c.is_uppercase(),
            Case::Lower => c.is_lowercase(),
            Case::Caps => c.is_uppercase() || c == 'ß',
        };
        let all: Vec<char> = (0x80..=0x9F).filter_map(|b| utf8_char(&[lead, b])).filter(|&c| fits(c)).collect();
        let (mut likely, rare): (Vec<char>, Vec<char>) = all.iter().partition(|&&c| is_german(c));
        likely.sort_by(|a, b| prior(*b).total_cmp(&prior(*a)));
        Candidates { likely, rare, single: all.len() == 1 }
    }
}

fn resolve_word(units: &[Unit], word: Range<usize>, ctx: &Context, choices: &mut [Choice]) {
    let letters = &units[word.clone()];
    let all_caps = is_all_caps(letters);
    let slots: Vec<(usize, &Candidates)> = letters
        .iter()
        .enumerate()
        .filter_map(|(pos, u)| match u.kind {
            Kind::LostLetter { lead } => Some((pos, candidates(lead, case_at(all_caps, pos)))),
            _ => None,
        })
        .collect();
    // A word of lost letters only has nothing to judge by; a "word" longer
    // than any German compound is not text, and weighing it would only cost.
    if slots.len() == letters.len() || letters.len() > MAX_WORD {
        return;
    }
    let certain = slots.iter().all(|(_, c)| c.single);
    if certain {
        // Case rules left one letter each (`ß` after a lowercase letter):
        // nothing to weigh.
        for (pos, c) in &slots {
            choices[word.start + pos] = c.likely.first().or(c.rare.first()).map(|&ch| (ch, true));
        }
        return;
    }
    let speller = Speller::new(letters, &slots, ctx);
    let Some((picked, known)) = speller.best() else {
        return;
    };
    if !known && !ctx.evidence {
        return;
    }
    for ((pos, _), ch) in slots.iter().zip(picked) {
        choices[word.start + pos] = Some((ch, certain));
    }
}

fn case_at(all_caps: bool, pos: usize) -> Case {
    match (all_caps, pos) {
        (_, 0) => Case::Upper,
        (true, _) => Case::Caps,
        (false, _) => Case::Lower,
    }
}

/// Known letters all capitals (a lone `ß` allowed), at least one of them.
fn is_all_caps(letters: &[Unit]) -> bool {
    let mut upper = false;
    for c in letters.iter().filter_map(Unit::known) {
        if c.is_lowercase() && c != 'ß' {
            return false;
        }
        upper |= c.is_uppercase();
    }
    upper
}

fn lower(c: char) -> char {
    match c.is_ascii() {
        true => c.to_ascii_lowercase(),
        false => c.to_lowercase().next().unwrap_or(c),
    }
}

/// Log prior of a German letter, before context: `Ü` leads (über-).
fn prior(c: char) -> f64 {
    match c {
        'Ü' | 'ß' => 0.0,
        'Ä' => -0.3,
        _ => -0.5,
    }
}

/// Longest word whose lost letters are weighed.
const MAX_WORD: usize = 80;

/// Most combinations tried for one word; beyond, each lost letter keeps
/// only its likeliest candidate.
const MAX_COMBINATIONS: usize = 1024;

/// A candidate spelling of a damaged word.
struct Spelling {
    chosen: Vec<char>,
    /// Lower-cased word.
    word: String,
    /// Clean occurrences in the folder (the file's own, weighted, in a tie).
    learned: u64,
    builtin: bool,
}

impl Spelling {
    fn known(&self) -> bool {
        self.learned > 0 || self.builtin
    }
}

/// Spells and weighs candidate words for one damaged word.
struct Speller<'a> {
    /// The word's letters, lower-cased; lost ones are overwritten per spelling.
    template: Vec<char>,
    slots: &'a [(usize, &'a Candidates)],
    ctx: &'a Context<'a>,
}

impl<'a> Speller<'a> {
    fn new(letters: &[Unit], slots: &'a [(usize, &'a Candidates)], ctx: &'a Context<'a>) -> Speller<'a> {
        let template = letters.iter().map(|u| u.known().map_or('?', lower)).collect();
        Speller { template, slots, ctx }
    }

    /// The best spelling and whether it is a known word. A known word wins:
    /// the folder's, then the built-in list's; German letters first, rare
    /// ones only where no German spelling is known. Where none is known,
    /// prefixes and suffixes of known words and then letter statistics
    /// decide among German letters.
    fn best(&self) -> Option<(Vec<char>, bool)> {
        let mut spellings = self.german()?;
        if !spellings.iter().any(Spelling::known) {
            spellings.extend(self.rare(&spellings[0].chosen));
        }
        if spellings.iter().any(Spelling::known) {
            // Where the folder knows more than one spelling, the file's own
            // words decide (counting them costs a pass over the file).
            if spellings.iter().filter(|s| s.learned > 0).count() > 1 {
                for s in spellings.iter_mut().filter(|s| s.learned > 0) {
                    s.learned += u64::from(self.ctx.local_count(&s.word)) * 1000;
                }
            }
            let best = first_max_by_key(spellings.iter().filter(|s| s.known()), |s| (s.learned, s.builtin))?;
            return Some((best.chosen.clone(), true));
        }
        let german = spellings.iter().filter(|s| s.chosen.iter().all(|&c| is_german(c)));
        let best = first_max_by_key(german, |s| (self.affix_len(&s.word), Stat(self.stats(s))))?;
        Some((best.chosen.clone(), false))
    }

    /// Every combination of candidates: German letters where a slot has
    /// them, else its rare ones.
    fn german(&self) -> Option<Vec<Spelling>> {
        let own = |c: &Candidates| if c.likely.is_empty() { self.rare_known(c) } else { c.likely.clone() };
        // A word of many lost letters has more combinations than fit in a usize:
        // saturate, so the cap below applies instead of an overflow.
        let combos = self.slots.iter().map(|(_, c)| own(c).len().max(1)).fold(1, usize::saturating_mul);
        let options: Vec<Vec<char>> = self
            .slots
            .iter()
            .map(|(_, c)| match combos > MAX_COMBINATIONS {
                true => own(c).into_iter().take(1).collect(),
                false => own(c),
            })
            .collect();
        if options.iter().any(Vec::is_empty) {
            return None;
        }
        let mut spellings = Vec::new();
        let mut pick = vec![0usize; self.slots.len()];
        loop {
            spellings.push(self.spell(pick.iter().zip(&options).map(|(&i, o)| o[i]).collect()));
            if !advance(&mut pick, &options) {
                return Some(spellings);
            }
        }
    }

    /// The rare letters of a slot that some known word holds.
    fn rare_known(&self, candidates: &Candidates) -> Vec<char> {
        candidates.rare.iter().copied().filter(|&c| self.ctx.lexicon.may_hold(lower(c))).collect()
    }

    /// Each rare letter in place of a German one in `base`.
    fn rare(&self, base: &[char]) -> Vec<Spelling> {
        let mut out = Vec::new();
        for (i, (_, candidates)) in self.slots.iter().enumerate().filter(|(_, (_, c))| !c.likely.is_empty()) {
            for rare in self.rare_known(candidates) {
                let mut chosen = base.to_vec();
                chosen[i] = rare;
                out.push(self.spell(chosen));
            }
        }
        out
    }

    fn spell(&self, chosen: Vec<char>) -> Spelling {
        let mut word = String::with_capacity(self.template.len() + 4);
        let mut slots = self.slots.iter().zip(&chosen).peekable();
        for (pos, &c) in self.template.iter().enumerate() {
            match slots.next_if(|((p, _), _)| *p == pos) {
                Some((_, &lost)) => word.push(lower(lost)),
                None => word.push(c),
            }
        }
        let lexicon = self.ctx.lexicon;
        // A caller that learned nothing still has the file's own words.
        let learned = match lexicon.is_empty() {
            true => u64::from(self.ctx.local_count(&word)) * 1000,
            false => u64::from(lexicon.count(&word)),
        };
        let builtin = lexicon.in_builtin(&word);
        Spelling { chosen, word, learned, builtin }
    }

    /// Length in letters of the longest known word (four letters or more)
    /// that starts the word and reaches past the last lost letter, or ends it
    /// and starts at or before the first: compounds like `Übernahmeangebot`
    /// are known by their head.
    fn affix_len(&self, word: &str) -> usize {
        let (first, last) = (self.slots[0].0, self.slots[self.slots.len() - 1].0);
        let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).chain([word.len()]).collect();
        let n = bounds.len() - 1;
        let lexicon = self.ctx.lexicon;
        let prefix = ((last + 1).max(4)..n).rev().find(|&end| lexicon.knows(&word[..bounds[end]])).unwrap_or(0);
        let suffix = (1..=first.min(n.saturating_sub(4)))
            .find(|&start| lexicon.knows(&word[bounds[start]..]))
            .map_or(0, |start| n - start);
        prefix.max(suffix)
    }

    /// Letter statistics around the lost letters, plus their priors.
    fn stats(&self, s: &Spelling) -> f64 {
        let positions: Vec<usize> = self.slots.iter().map(|(pos, _)| *pos).collect();
        builtin().ngram.log_prob_around(&s.word, &positions) + s.chosen.iter().map(|&c| prior(c)).sum::<f64>()
    }
}

fn is_german(c: char) -> bool {
    matches!(c, 'Ä' | 'Ö' | 'Ü' | 'ß')
}

/// An `f64` ordered totally, for use in keys.
struct Stat(f64);

impl PartialEq for Stat {
    fn eq(&self, other: &Stat) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Stat {}

impl PartialOrd for Stat {
    fn partial_cmp(&self, other: &Stat) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Stat {
    fn cmp(&self, other: &Stat) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The first item with the greatest key: the likeliest-first order of
/// candidates breaks ties.
fn first_max_by_key<'s, K: Ord>(
    items: impl Iterator<Item = &'s Spelling>,
    key: impl Fn(&Spelling) -> K,
) -> Option<&'s Spelling> {
    let mut best: Option<(&Spelling, K)> = None;
    for item in items {
        let k = key(item);
        if best.as_ref().is_none_or(|(_, b)| k > *b) {
            best = Some((item, k));
        }
    }
    best.map(|(item, _)| item)
}

/// Next combination, odometer style; false when all were tried.
fn advance(pick: &mut [usize], options: &[Vec<char>]) -> bool {
    for (i, p) in pick.iter_mut().enumerate() {
        *p += 1;
        if *p < options[i].len() {
            return true;
        }
        *p = 0;
    }
    false
}

/// Where quotes stand open in the line repaired so far.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Quotes {
    double: bool,
    single: bool,
}

impl Quotes {
    /// The quote state after reading `line`.
    #[cfg(test)]
    pub(crate) fn after(line: &str) -> Quotes {
        let mut q = Quotes::default();
        q.read(line);
        q
    }

    /// Update the state with more of the line.
    pub(crate) fn read(&mut self, more: &str) {
        // All four quotes are three-byte signs starting 0xE2.
        for i in memchr::memchr_iter(0xE2, more.as_bytes()) {
            match more[i..].chars().next() {
                Some('„') => self.double = true,
                Some('‚') => self.single = true,
                Some('“') => *self = Quotes::default(),
                Some('‘') => self.single = false,
                _ => {}
            }
        }
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
    // A closing quote before a word opens the next quotation (`“„Doch`).
    let opens = space_before || prev.is_some_and(|p| "([{/–—-:„‚»«“‘".contains(p));
    let word_after = next.is_some_and(|n| n.is_alphanumeric() || "…(.'\"€$".contains(n));
    // A closing quote closes the outer quotation too (`‘“`).
    let word_before = prev.is_some_and(|p| p.is_alphanumeric() || ".,!?…)'\"%‘“".contains(p));
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
        let mut units = Vec::new();
        assert!(scan_token(token, &mut || Family::Unknown, &mut units));
        let ctx = Context::new(lexicon, token, evidence);
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
