//! Stage 2b: repair mojibake in decoded text, span by span.
//!
//! Text that went through a broken pipeline shows UTF-8 bytes read as a
//! single-byte code page: `Ã¤` (Windows-1252, ISO-8859-1/-15) or, in the
//! sample, `Ă€` (ISO-8859-16) with the bytes 0x80–0x9F lost on the way, so
//! that `BRÜSSEL` reads `BRĂSSEL`. Repair reads each damaged run back to the
//! bytes it stood for ([`scan`]), chooses lost characters from context
//! ([`resolve`]) and records every change as a [`Repair`], certain or guessed.
//!
//! It must never damage clean text: only runs that start with a character
//! that reads a UTF-8 lead byte are looked at, a run is replaced only when it
//! decodes to a plausible character, and a lone lead that could be a real
//! letter stays unless the file shows damage or the repair spells a known
//! word. Whole files are never re-decoded, so intact text in a damaged file
//! stays as it is.

mod codec;
mod lexicon;
mod resolve;
mod scan;

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

pub use lexicon::Lexicon;

use crate::decode::to_nfc;
use resolve::{Choice, Context, Quotes, resolve_letters, resolve_punct};
use scan::{Family, Kind, Unit, family_of, next_lead_image, scan_token};

/// One change made to the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// 1-based line number in the decoded text.
    pub line: usize,
    pub before: String,
    pub after: String,
    /// False when the byte that decided the character was lost and it was guessed.
    pub certain: bool,
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = if self.certain { "certain" } else { "guess" };
        write!(f, "{}: {} → {} ({how})", self.line, self.before, self.after)
    }
}

/// Repaired text and the list of repairs made.
#[derive(Debug, Clone)]
pub struct Repaired {
    pub text: String,
    pub repairs: Vec<Repair>,
}

/// How often repair reads its own output again: text encoded wrongly twice
/// (`ÃƒÂ¤`) comes back one layer per pass.
const MAX_PASSES: usize = 3;

/// Repair the mojibake in `text`, choosing lost characters with `lexicon`.
/// The result is Unicode NFC; clean NFC text comes back unchanged.
pub fn repair(text: &str, lexicon: &Lexicon) -> Repaired {
    let mut current = Cow::Borrowed(text);
    let mut repairs: Vec<Repair> = Vec::new();
    for _ in 0..MAX_PASSES {
        let Some(pass) = repair_pass(&current, lexicon) else {
            break;
        };
        compose(&mut repairs, pass.repairs);
        current = Cow::Owned(pass.text);
    }
    Repaired { text: to_nfc(current).into_owned(), repairs }
}

/// Fold the repairs of a later pass into those of earlier ones, so a token
/// repaired in two layers is reported once, from the input to the result.
fn compose(repairs: &mut Vec<Repair>, later: Vec<Repair>) {
    if repairs.is_empty() {
        *repairs = later;
        return;
    }
    for next in later {
        match repairs.iter_mut().find(|r| r.line == next.line && r.after == next.before) {
            Some(earlier) => {
                earlier.after = next.after;
                earlier.certain &= next.certain;
            }
            None => repairs.push(next),
        }
    }
}

/// A token (whitespace-separated run) that holds mojibake: its bytes in the
/// text and its units in the pass's shared buffer.
struct Damaged {
    range: Range<usize>,
    units: Range<usize>,
}

/// One pass over the text; `None` when there was nothing to repair.
fn repair_pass(text: &str, lexicon: &Lexicon) -> Option<Repaired> {
    let (damaged, units) = damaged_tokens(text);
    if damaged.is_empty() {
        return None;
    }
    let evidence = damaged.iter().any(|t| shows_damage(&units[t.units.clone()]));
    let ctx = Context::new(lexicon, text, evidence);
    let pass = rewrite(text, &damaged, &units, &ctx);
    (pass.text != text).then_some(pass)
}

/// Whether repair would find anything to look at in `text`: some token
/// that scans as mojibake. Clean text (pure ASCII, or UTF-8 whose lead
/// images all stand for themselves, such as the `Ä` of `Ärger`) says no
/// after a byte search, so whatever repair needs for a choice (the folder's
/// words) is only worth gathering when some text says yes.
pub fn needs_repair(text: &str) -> bool {
    let mut units = Vec::new();
    let mut found = false;
    for_damaged_tokens(text, &mut units, |_| {
        found = true;
        false
    });
    found
}

/// Whether some of `texts` needs repair, looked at in parallel.
pub fn any_needs_repair(texts: &[&str]) -> bool {
    use rayon::prelude::*;
    texts.par_iter().any(|text| needs_repair(text))
}

/// Which of `texts` need repair, looked at in parallel. [`repair`] gives
/// back a text that needs none unchanged when it is NFC, as decoded text
/// always is, so such a text can be used as it is.
pub fn which_need_repair(texts: &[&str]) -> Vec<bool> {
    use rayon::prelude::*;
    texts.par_iter().map(|text| needs_repair(text)).collect()
}

/// Every token that holds a lead image and scans as mojibake, in order, and
/// the units of all of them.
fn damaged_tokens(text: &str) -> (Vec<Damaged>, Vec<Unit>) {
    // Clean text allocates nothing; damaged text makes room for a damaged
    // token every 30 bytes or so at its first one, without regrowing.
    let (mut damaged, mut units) = (Vec::new(), Vec::new());
    for_damaged_tokens(text, &mut units, |token| {
        if damaged.is_empty() {
            damaged.reserve(text.len() / 24);
        }
        damaged.push(token);
        true
    });
    (damaged, units)
}

/// Call `found` with each damaged token in order, its units appended to
/// `units`, until it returns false.
fn for_damaged_tokens(text: &str, units: &mut Vec<Unit>, mut found: impl FnMut(Damaged) -> bool) {
    let bytes = text.as_bytes();
    let mut families = Families::new(text);
    let mut i = 0;
    while let Some(at) = next_lead_image(bytes, i) {
        i = at;
        let start = bytes[..i].iter().rposition(|&b| is_separator(b)).map_or(0, |p| p + 1);
        let end = bytes[i..].iter().position(|&b| is_separator(b)).map_or(bytes.len(), |p| i + p);
        let first = units.len();
        if scan_token(&text[start..end], &mut || families.at(start), units) {
            if first == 0 {
                // Room for the units of the whole text at once.
                units.reserve(text.len() / 3);
            }
            if !found(Damaged { range: start..end, units: first..units.len() }) {
                return;
            }
        }
        i = end;
    }
}

/// The code-page family of each line's damage. Lines, not files: a file
/// can mix paragraphs damaged through different code pages, and where a line
/// shows nothing the German-looking reading is safer than a guess from
/// elsewhere in the file.
struct Families<'a> {
    text: &'a str,
    line: Option<(Range<usize>, Family)>,
}

impl<'a> Families<'a> {
    fn new(text: &'a str) -> Families<'a> {
        Families { text, line: None }
    }

    fn at(&mut self, pos: usize) -> Family {
        match &self.line {
            Some((range, family)) if range.contains(&pos) => *family,
            _ => {
                let start = self.text[..pos].rfind('\n').map_or(0, |p| p + 1);
                let end = self.text[pos..].find('\n').map_or(self.text.len(), |p| pos + p);
                let family = family_of(&self.text[start..end]);
                self.line = Some((start..end, family));
                family
            }
        }
    }
}

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\t')
}

/// Damage beyond doubt: a complete mojibake sequence, or a lone `Ă`/`Ã`
/// after a lowercase letter, where no language puts a capital.
fn shows_damage(units: &[Unit]) -> bool {
    units.iter().enumerate().any(|(i, u)| match u.kind {
        Kind::Decoded { certain, .. } => certain,
        Kind::LostLetter { lead: 0xC3 } => {
            i.checked_sub(1).and_then(|j| units[j].known()).is_some_and(char::is_lowercase)
        }
        _ => false,
    })
}

/// Copy `text`, replacing the damaged tokens, and list the changes.
fn rewrite(text: &str, damaged: &[Damaged], units: &[Unit], ctx: &Context) -> Repaired {
    let mut out = String::with_capacity(text.len());
    let mut repairs = Vec::with_capacity(damaged.len());
    let mut choices = Vec::new();
    let mut line_state = LineState::default();
    let (mut copied, mut line) = (0, 1);
    for token in damaged {
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[copied..token.range.start]).count();
        out.push_str(&text[copied..token.range.start]);
        let before = &text[token.range.clone()];
        let token_start = out.len();
        let certain = write_token(before, &units[token.units.clone()], ctx, &mut choices, &mut line_state, &mut out);
        if &out[token_start..] != before {
            repairs.push(Repair { line, before: before.to_string(), after: out[token_start..].to_string(), certain });
        }
        copied = token.range.end;
    }
    out.push_str(&text[copied..]);
    Repaired { text: out, repairs }
}

/// Write the repaired token to `out`; returns whether every change was
/// certain. `choices` is a buffer reused from token to token.
fn write_token(
    token: &str,
    units: &[Unit],
    ctx: &Context,
    choices: &mut Vec<Choice>,
    line: &mut LineState,
    out: &mut String,
) -> bool {
    choices.clear();
    choices.extend(units.iter().map(|u| match u.kind {
        Kind::Decoded { ch, certain } => Some((ch, certain)),
        _ => None,
    }));
    if units.iter().any(|u| matches!(u.kind, Kind::LostLetter { .. })) {
        resolve_letters(units, ctx, choices);
    }
    let mut certain = true;
    // Unchanged characters are copied a run at a time.
    let mut unchanged = 0;
    for (i, unit) in units.iter().enumerate() {
        if unit.kind == Kind::LostPunct {
            out.push_str(&token[unchanged..unit.start]);
            unchanged = unit.start;
            choices[i] = punct_choice(token, units, choices, i, line.quotes(out), ctx.evidence);
        }
        if let Some((ch, sure)) = choices[i] {
            out.push_str(&token[unchanged..unit.start]);
            out.push(ch);
            certain &= sure;
            unchanged = unit.end;
        }
    }
    out.push_str(&token[unchanged..]);
    certain
}

/// The quote state of the output line being written, kept up to date by
/// reading only what was appended since it was last asked.
#[derive(Default)]
struct LineState {
    /// Bytes of the output read so far.
    read: usize,
    quotes: Quotes,
}

impl LineState {
    fn quotes(&mut self, out: &str) -> (Option<char>, Quotes) {
        let new = &out[self.read..];
        let fresh = match memchr::memrchr(b'\n', new.as_bytes()) {
            Some(p) => {
                self.quotes = Quotes::default();
                &new[p + 1..]
            }
            None => new,
        };
        self.quotes.read(fresh);
        self.read = out.len();
        // The character before, unless the line has just begun.
        let prev = out.chars().next_back().filter(|&c| c != '\n');
        (prev, self.quotes)
    }
}

/// Whether the lost sign `i` starts a run of exactly two.
fn lost_pair(units: &[Unit], i: usize) -> bool {
    let lost = |j: usize| units.get(j).is_some_and(|u| u.kind == Kind::LostPunct);
    lost(i + 1) && !lost(i + 2) && (i == 0 || !lost(i - 1))
}

/// A lone `â` resolved from what precedes it in the output and what follows
/// in the token. Always a guess: two bytes were lost.
fn punct_choice(
    token: &str,
    units: &[Unit],
    choices: &[Choice],
    i: usize,
    (prev, quotes): (Option<char>, Quotes),
    evidence: bool,
) -> Choice {
    let next = units.get(i + 1).map(|u| match (choices[i + 1], u.kind) {
        (Some((ch, _)), _) => ch,
        // A lost letter is a letter, whatever it becomes.
        (None, Kind::LostLetter { .. }) => 'a',
        // Two lost signs in a row (`‘“`, `“„`): after a word the first
        // closes, like a sign before a comma; after a space or an opening
        // sign it opens, like a sign before a word (`„‚`). Longer runs are
        // not text and stay as they were read.
        (None, Kind::LostPunct) if lost_pair(units, i) => {
            match prev.is_none_or(|p| p.is_whitespace() || "([{/–—-:„‚»«".contains(p)) {
                true => 'A',
                false => ',',
            }
        }
        (None, _) => token[u.start..].chars().next().unwrap_or(' '),
    });
    let rest_end = units[i + 1..].iter().position(|u| !u.is_letter()).map_or(token.len(), |p| units[i + 1 + p].start);
    let rest = units.get(i + 1).map_or("", |u| &token[u.start..rest_end]);
    resolve_punct(prev, next, rest, quotes, evidence).map(|ch| (ch, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> String {
        repair(text, &Lexicon::builtin()).text
    }

    #[test]
    fn clean_text_is_unchanged() {
        let clean = "„Äußerungen“ – Œuvre für 5 € in BRÜSSEL, SÃO PAULO, Château.\n";
        let repaired = repair(clean, &Lexicon::builtin());
        assert_eq!(repaired.text, clean);
        assert!(repaired.repairs.is_empty());
    }

    #[test]
    fn sample_damage() {
        assert_eq!(
            fixed("BRĂSSEL (dpa-AFX) - Die Nato provoziert den russischen PrĂ€sidenten"),
            "BRÜSSEL (dpa-AFX) - Die Nato provoziert den russischen Präsidenten"
        );
        assert_eq!(fixed("von ĂuĂerungen. Auch Ă€uĂerte er sich nicht"), "von Äußerungen. Auch äußerte er sich nicht");
    }

    #[test]
    fn lost_quotes_and_dashes() {
        assert_eq!(
            fixed("Er sagte: âDas ist ĂŒbel.â Dann â nach 10â12 Tagen â ging er."),
            "Er sagte: „Das ist übel.“ Dann – nach 10–12 Tagen – ging er."
        );
    }

    #[test]
    fn adjacent_lost_quotes() {
        assert_eq!(fixed("Er sagte: âDas ist âunzumutbarââ, hieĂ es."), "Er sagte: „Das ist ‚unzumutbar‘“, hieß es.");
        assert_eq!(
            fixed("âMehr nicht.ââDoch.â Dann ââNeinâ heiĂt esâ."),
            "„Mehr nicht.“„Doch.“ Dann „‚Nein‘ heißt es“."
        );
    }

    #[test]
    fn text_that_needs_no_repair_comes_back_unchanged() {
        for text in ["„Ärger“ in MÜNCHEN – 5 €, Œuvre", "SÃO PAULO", "Château âge", ""] {
            let repaired = repair(text, &Lexicon::builtin());
            if !needs_repair(text) {
                assert_eq!(repaired.text, text);
                assert!(repaired.repairs.is_empty());
            }
        }
    }

    #[test]
    fn clean_text_needs_no_repair() {
        assert!(!needs_repair("„Ärger“ in MÜNCHEN – 5 €, Œuvre"));
        assert!(!needs_repair(""));
        assert!(needs_repair("BRĂSSEL"));
        assert!(needs_repair("fÃ¼r"));
    }

    #[test]
    fn classic_double_encoding() {
        assert_eq!(fixed("â€žGrÃ¼ÃŸe aus KÃ–LNâ€œ â€“ fÃ¼r 5 â‚¬"), "„Grüße aus KÖLN“ – für 5 €");
        assert_eq!(fixed("ÃƒÂ¤rgerlich"), "ärgerlich");
    }

    #[test]
    fn repairs_are_recorded_per_token() {
        let repaired = repair("Zeile eins\nBRĂSSEL und StraĂe", &Lexicon::builtin());
        let shown: Vec<String> = repaired.repairs.iter().map(|r| r.to_string()).collect();
        assert_eq!(shown, ["2: BRĂSSEL → BRÜSSEL (guess)", "2: StraĂe → Straße (certain)"]);
    }
}
