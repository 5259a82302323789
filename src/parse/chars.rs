//! Which characters of an article may reach the output, and whether a text
//! is a text at all.
//!
//! Runs on the repaired text before anything else reads it. Characters XML
//! 1.0 forbids or discourages (C0 and C1 controls, U+FFFE/U+FFFF and the
//! other noncharacters) are removed; so are invisible characters that can
//! only mislead a reader: bidirectional controls, which can make text read
//! in another order than it is stored ("Trojan Source"), and zero-width
//! spaces, word joiners and stray byte-order marks, which make equal words
//! unequal. Every removal is reported with its line. Zero-width joiners and
//! non-joiners (emoji sequences, ligature control) and the soft hyphen
//! (hyphenation hints) are kept: they are part of what the reporter wrote.
//!
//! This module must never change a visible character.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Characters that must not reach XML or HTML output. Tab is allowed but
/// treated as a space by the caller.
pub fn is_forbidden(c: char) -> bool {
    let code = c as u32;
    (code < 0x20 && c != '\t')
        || (0x7F..=0x9F).contains(&code)
        || (0xFDD0..=0xFDEF).contains(&code)
        || (code & 0xFFFE) == 0xFFFE
}

/// Invisible characters removed from articles (see the module head).
pub fn is_invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'                      // Arabic letter mark
            | '\u{200B}'                // zero-width space
            | '\u{200E}' | '\u{200F}'   // left-to-right / right-to-left mark
            | '\u{202A}'..='\u{202E}'   // embeddings and overrides
            | '\u{2060}'                // word joiner
            | '\u{2066}'..='\u{2069}'   // isolates
            | '\u{FEFF}' // byte-order mark inside the text
    )
}

/// Line and paragraph separators end a line nowhere else in the pipeline;
/// in a line they are read as a space.
fn is_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// `line` without removed characters, tabs and separators read as spaces,
/// and a warning naming what was removed, if anything was.
pub fn clean_line<'a>(line: &'a str, number: usize, warnings: &mut Vec<(usize, String)>) -> Cow<'a, str> {
    if !needs_cleaning(line) {
        return Cow::Borrowed(line);
    }
    let mut removed: BTreeMap<char, usize> = BTreeMap::new();
    let mut clean = String::with_capacity(line.len());
    for c in line.chars() {
        if c == '\t' || is_separator(c) {
            clean.push(' ');
        } else if is_forbidden(c) || is_invisible_control(c) {
            *removed.entry(c).or_default() += 1;
        } else {
            clean.push(c);
        }
    }
    if !removed.is_empty() {
        warnings.push((number, format!("removed characters that must not be published: {}", describe(&removed))));
    }
    Cow::Owned(clean)
}

/// Whether `line` holds a tab, a separator or a character to remove: the
/// characters that can are found by [`plain_run`], and only they are
/// decoded.
fn needs_cleaning(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut at = 0;
    loop {
        at += plain_run(&bytes[at..]);
        let Some(c) = line.get(at..).and_then(|rest| rest.chars().next()) else { return false };
        if c == '\t' || is_forbidden(c) || is_invisible_control(c) || is_separator(c) {
            return true;
        }
        at += c.len_utf8();
    }
}

/// Whether a character starting with `byte` may need cleaning: any but
/// printable ASCII and U+00C0 to U+00FF (`C3` and a byte; `Ä`, `ß`, `é`,
/// `×`), most of a German text. The bytes after a character's first are
/// never such bytes: those of a plain character are passed with it, and
/// the others are decoded with their first.
fn may_need_cleaning(byte: u8) -> bool {
    byte < 0x20 || byte == 0x7F || (byte >= 0xC0 && byte != 0xC3)
}

/// How many bytes at the start of `bytes` [`may_need_cleaning`] passes:
/// sixteen at a time (SSE2) on x86_64, since every line of every article
/// is looked at when it is read and when its story is rendered.
fn plain_run(bytes: &[u8]) -> usize {
    let mut at = 0;
    #[cfg(target_arch = "x86_64")]
    while at + 16 <= bytes.len() {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
            _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of every x86_64 processor; the load reads
        // `bytes[at..at + 16]`, in bounds by the loop's condition.
        let flagged = unsafe {
            let block = _mm_loadu_si128(bytes.as_ptr().add(at).cast::<__m128i>());
            // Compared as signed bytes: below 0x20 are the controls and
            // every byte from 0x80; above -65 (0xBF) every byte below 0x80
            // and the first bytes of characters, 0xC0 to 0xFF.
            let low_or_high = _mm_cmplt_epi8(block, _mm_set1_epi8(0x20));
            let not_following = _mm_cmpgt_epi8(block, _mm_set1_epi8(-65));
            let latin1 = _mm_cmpeq_epi8(block, _mm_set1_epi8(0xC3_u8 as i8));
            let delete = _mm_cmpeq_epi8(block, _mm_set1_epi8(0x7F));
            let candidates = _mm_andnot_si128(latin1, _mm_and_si128(low_or_high, not_following));
            _mm_movemask_epi8(_mm_or_si128(candidates, delete))
        };
        if flagged != 0 {
            return at + flagged.trailing_zeros() as usize;
        }
        at += 16;
    }
    at + bytes[at..].iter().take_while(|&&byte| !may_need_cleaning(byte)).count()
}

/// `U+0085 ×3, U+202E` — at most eight kinds, then how many more.
fn describe(removed: &BTreeMap<char, usize>) -> String {
    const SHOWN: usize = 8;
    let mut parts: Vec<String> = removed
        .iter()
        .take(SHOWN)
        .map(|(c, n)| match n {
            1 => format!("U+{:04X}", *c as u32),
            n => format!("U+{:04X} ×{n}", *c as u32),
        })
        .collect();
    if removed.len() > SHOWN {
        parts.push(format!("and {} other kinds", removed.len() - SHOWN));
    }
    parts.join(", ")
}

/// Fewer than this many odd characters never make a text binary: a few
/// stray controls are damage to report, not a reason to reject.
const MIN_ODD: usize = 8;
/// Share of odd characters (controls, U+FFFD) above which a text is binary, in percent.
const MAX_ODD_PERCENT: usize = 5;
/// Share of characters of the Latin script, digits, spaces and punctuation
/// below which a text is not a German wire article, in percent.
const MIN_LATIN_PERCENT: usize = 50;

/// Why `text` is binary data rather than an article, if it is, and the
/// line to point at: a NUL, many control or undecodable characters, or
/// mostly characters no German text has.
pub fn binary_reason(text: &str) -> Option<(usize, String)> {
    if let Some(index) = text.find('\0') {
        let line = line_of(text, index);
        if looks_like_utf16(text) {
            let message = "binary data: looks like UTF-16 text without a byte-order mark (a NUL byte beside every letter); only UTF-16 with a byte-order mark is read";
            return Some((line, message.into()));
        }
        return Some((line, format!("binary data, not a text article (NUL byte on line {line})")));
    }
    let Counts { total, odd, latin, first_odd } = Counts::of(text);
    if odd >= MIN_ODD && odd * 100 > total * MAX_ODD_PERCENT {
        let line = line_of(text, first_odd.unwrap_or(0));
        let message = format!(
            "binary data, not a text article ({odd} of {total} characters are control or undecodable characters, the first on line {line})"
        );
        return Some((line, message));
    }
    if total >= MIN_ODD && latin * 100 < total * MIN_LATIN_PERCENT {
        let message = format!(
            "binary data or not a German text: only {latin} of {total} characters are Latin letters, digits or punctuation"
        );
        return Some((1, message));
    }
    None
}

/// The characters of a text that [`binary_reason`] counts: all but
/// whitespace; the control and undecodable ones among them (and where the
/// first is); the Latin letters, digits and punctuation among them.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    total: usize,
    odd: usize,
    latin: usize,
    first_odd: Option<usize>,
}

impl Counts {
    fn of(text: &str) -> Counts {
        let (mut total, mut odd, mut latin, mut first_odd) = (0, 0, 0, None);
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            match bytes.get(at..at + 16).and_then(plain_latin_prefix) {
                // Up to sixteen bytes of printable ASCII, spaces, line
                // breaks and `Ä`-like letters at once; where they end, one
                // character of another kind, counted below.
                Some((plain, counted)) => {
                    total += counted;
                    latin += counted;
                    at += plain;
                    if plain == 16 {
                        continue;
                    }
                }
                // The last bytes, or no vector unit: eight bytes of
                // printable ASCII, spaces and line breaks at once.
                None => {
                    if let Some(graphic) = bytes.get(at..at + 8).and_then(plain_ascii_graphic) {
                        total += graphic;
                        latin += graphic;
                        at += 8;
                        continue;
                    }
                }
            }
            if bytes[at].is_ascii_graphic() {
                // Most of an article: printable ASCII, which is Latin text.
                total += 1;
                latin += 1;
                at += 1;
                continue;
            }
            if bytes[at] == b' ' || bytes[at] == b'\n' {
                // The whitespace of every line: not counted, as below.
                at += 1;
                continue;
            }
            if bytes[at] == 0xC3 {
                // U+00C0 to U+00FF (`Ä`, `ß`, `é`): Latin letters, and `×`, `÷`.
                total += 1;
                latin += 1;
                at += 2;
                continue;
            }
            let index = at;
            let c = text[at..].chars().next().expect("a character starts here");
            at += c.len_utf8();
            if c.is_whitespace() {
                continue;
            }
            total += 1;
            if is_forbidden(c) || c == '\u{FFFD}' {
                odd += 1;
                first_odd.get_or_insert(index);
            } else if is_latin_text(c) {
                latin += 1;
            }
        }
        Counts { total, odd, latin, first_odd }
    }
}

/// Which characters make the runs [`for_each_run`] finds: `part`, with its
/// answers for ASCII and the Latin-1 characters (`C2` or `C3` and one more
/// byte; all of a German text but its quotation marks and dashes) looked up
/// in tables.
pub(crate) struct RunChars {
    ascii: [bool; 128],
    /// U+0080 to U+00FF by their second byte, `C2` first, then `C3`.
    latin1: [bool; 128],
    part: fn(char) -> bool,
}

impl RunChars {
    pub(crate) fn new(part: fn(char) -> bool) -> RunChars {
        RunChars {
            ascii: std::array::from_fn(|byte| part(char::from(byte as u8))),
            latin1: std::array::from_fn(|i| part(char::from(0x80 + i as u8))),
            part,
        }
    }

    /// Whether the ASCII character `byte` is part of a run.
    #[inline]
    pub(crate) fn ascii_part(&self, byte: u8) -> bool {
        self.ascii[usize::from(byte)]
    }

    /// Whether the character that begins with `lead` (`C2` or `C3`) and
    /// `second` is part of a run.
    #[inline]
    pub(crate) fn latin1_part(&self, lead: u8, second: u8) -> bool {
        self.latin1[usize::from((lead - 0xC2) << 6 | (second & 0x3F))]
    }

    /// Whether the character at byte `at` of valid UTF-8 is part of a run,
    /// and its width.
    #[inline]
    pub(crate) fn at(&self, bytes: &[u8], at: usize) -> (bool, usize) {
        match bytes[at] {
            byte @ 0..=0x7F => (self.ascii_part(byte), 1),
            lead @ (0xC2 | 0xC3) => (self.latin1_part(lead, bytes[at + 1]), 2),
            _ => {
                let (c, width) = char_at(bytes, at);
                ((self.part)(c), width)
            }
        }
    }
}

/// Calls `f` with every run of characters in `text` that are `chars`' part
/// of one. Two tight loops, one skipping the characters between runs and
/// one walking a run; ASCII and Latin-1 are looked up in tables and the
/// other characters are decoded in place ([`char_at`]).
pub(crate) fn for_each_run<'a>(text: &'a str, chars: &RunChars, mut f: impl FnMut(&'a str)) {
    let bytes = text.as_bytes();
    let is_part_at = |at: usize| chars.at(bytes, at);
    let mut at = 0;
    while at < bytes.len() {
        let (starts, width) = is_part_at(at);
        if !starts {
            at += width;
            continue;
        }
        let start = at;
        at += width;
        while at < bytes.len() {
            let (goes_on, width) = is_part_at(at);
            if !goes_on {
                break;
            }
            at += width;
        }
        f(&text[start..at]);
    }
}

/// The character that starts at byte `at` of valid UTF-8, and its width.
#[inline]
pub(crate) fn char_at(bytes: &[u8], at: usize) -> (char, usize) {
    let lead = u32::from(bytes[at]);
    let next = |i: usize| u32::from(bytes[at + i] & 0x3F);
    let (code, width) = match lead {
        0..=0x7F => (lead, 1),
        0xC0..=0xDF => ((lead & 0x1F) << 6 | next(1), 2),
        0xE0..=0xEF => ((lead & 0x0F) << 12 | next(1) << 6 | next(2), 3),
        _ => ((lead & 0x07) << 18 | next(1) << 12 | next(2) << 6 | next(3), 4),
    };
    (char::from_u32(code).unwrap_or_default(), width)
}

/// How many of eight bytes are printable ASCII (`u8::is_ascii_graphic`), if
/// all the others are spaces or line breaks; `None` if any byte is anything
/// else. Looks at the eight bytes as one number: each test below sets the
/// high bit of exactly the bytes it finds. (Returning how many bytes come
/// before the first other one, to jump there, was tried: 12 % more
/// instructions on the benchmark's wire, whose words hold many umlauts, for
/// the early return on a byte of 0x80 or more is the cheapest step here.)
fn plain_ascii_graphic(eight: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = ONES * 0x80;
    let word = u64::from_le_bytes(eight.try_into().ok()?);
    if word & HIGHS != 0 {
        return None;
    }
    // Bytes equal to `byte` (for bytes below 0x80).
    let equal = |byte: u8| {
        let zeroed = word ^ (ONES * u64::from(byte));
        !(((zeroed & !HIGHS) + !HIGHS) | zeroed) & HIGHS
    };
    // Bytes below 0x20: adding 0x60 sets the high bit of the others only.
    let controls = !(word + ONES * 0x60) & HIGHS;
    let (spaces, line_breaks) = (equal(b' '), equal(b'\n'));
    if controls & !line_breaks != 0 || equal(0x7F) != 0 {
        return None;
    }
    Some(8 - (spaces | line_breaks).count_ones() as usize)
}

/// How many of the sixteen bytes at the start of `block` (a slice of valid
/// UTF-8 starting at a character) are printable ASCII, spaces, line breaks
/// and whole characters from U+00C0 to U+00FF (`C3` and a byte), and how
/// many characters that are not spaces or line breaks those bytes hold: all
/// of a German text but its quotation marks and dashes. SSE2 on x86_64,
/// where every article is counted this way when it is read; elsewhere
/// `None`, and the caller takes eight bytes at a time.
fn plain_latin_prefix(block: &[u8]) -> Option<(usize, usize)> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        let block = <&[u8; 16]>::try_from(block).ok()?;
        // SAFETY: SSE2 is part of every x86_64 processor; the load reads
        // the sixteen bytes of the array.
        let (low, high, latin1, line_break, delete, space) = unsafe {
            let bytes = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let equal = |byte: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(byte as i8))) as u32;
            (
                // Compared as signed bytes, below 0x20 are the controls and
                // every byte from 0x80.
                _mm_movemask_epi8(_mm_cmplt_epi8(bytes, _mm_set1_epi8(0x20))) as u32,
                _mm_movemask_epi8(bytes) as u32,
                equal(0xC3),
                equal(b'\n'),
                equal(0x7F),
                _mm_movemask_epi8(_mm_or_si128(
                    _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b' ' as i8)),
                    _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\n' as i8)),
                )) as u32,
            )
        };
        // A `C3` in the last place has its second byte in the next block;
        // any other byte from 0x80 that does not follow a `C3` is part of
        // another character.
        let latin1_pair = latin1 | (latin1 << 1);
        let other = (low & !high & !line_break) | delete | (high & !latin1_pair) | (latin1 & 0x8000);
        let plain = (other | 0x1_0000).trailing_zeros() as usize;
        let within = (1u32 << plain) - 1;
        let counted = plain - (space & within).count_ones() as usize - (latin1 & within).count_ones() as usize;
        Some((plain, counted))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = block;
        None
    }
}

/// ASCII text in UTF-16 read as single bytes: every other character is a
/// NUL, the others are mostly printable.
fn looks_like_utf16(text: &str) -> bool {
    let head: Vec<char> = text.chars().take(400).collect();
    let at = |parity: usize| head.iter().skip(parity).step_by(2);
    (0..2).any(|parity| {
        let nuls = at(parity).filter(|&&c| c == '\0').count();
        let printable = at(1 - parity).filter(|&&c| c != '\0' && !c.is_control() || c == '\n').count();
        let half = head.len() / 2;
        half >= 4 && nuls * 10 >= half * 9 && printable * 10 >= half * 8
    })
}

/// Letters, digits and signs a German text is made of: ASCII, Latin-1,
/// Latin Extended-A/B and Additional, general punctuation, currency signs.
fn is_latin_text(c: char) -> bool {
    matches!(c as u32, 0x20..=0x7E | 0xA0..=0x24F | 0x1E00..=0x1EFF | 0x2000..=0x20CF | 0x2100..=0x215F)
}

fn line_of(text: &str, index: usize) -> usize {
    text[..index].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs as splitting the characters one by one finds them, for
    /// characters of every UTF-8 width at the starts, middles and ends of
    /// runs, and for each of the three kinds of run the program asks for.
    #[test]
    fn runs_are_found_as_character_by_character() {
        fn by_char(text: &str, part: impl Fn(char) -> bool) -> Vec<&str> {
            let mut runs = Vec::new();
            let mut start = None;
            for (at, c) in text.char_indices() {
                match (part(c), start) {
                    (true, None) => start = Some(at),
                    (false, Some(from)) => {
                        runs.push(&text[from..at]);
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(from) = start {
                runs.push(&text[from..]);
            }
            runs
        }
        let pieces =
            ["a", "Z", "7", " ", ",", ".", "\n", "Ä", "ß", "×", "\u{a0}", "€", "„", "–", "中", "𝔸", "😀", "\u{2028}"];
        let parts: [fn(char) -> bool; 3] = [
            char::is_alphanumeric,
            |c: char| c.is_alphanumeric() || c == ',' || c == '.',
            |c: char| !c.is_whitespace(),
        ];
        for first in pieces {
            for second in pieces {
                for third in pieces {
                    let text = format!("{first}{second}x{third}{first}");
                    for part in parts {
                        let mut runs = Vec::new();
                        for_each_run(&text, &RunChars::new(part), |run| runs.push(run));
                        assert_eq!(runs, by_char(&text, part), "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn characters_decode_as_the_standard_library_decodes_them() {
        let text = "aÄ€𝔸\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}ß";
        for (at, c) in text.char_indices() {
            assert_eq!(char_at(text.as_bytes(), at), (c, c.len_utf8()), "at byte {at}");
        }
    }

    /// Lines of plain text with one character of every kind that cleaning
    /// knows (and some it lets pass) at every position around the blocks of
    /// sixteen bytes: found as a character-by-character test finds them.
    #[test]
    fn lines_needing_cleaning_are_found_as_character_by_character() {
        let by_char = |line: &str| {
            line.chars().any(|c| c == '\t' || is_forbidden(c) || is_invisible_control(c) || is_separator(c))
        };
        let kinds = [
            "a",
            "Ä",
            "ß",
            "×",
            "ÿ",
            "\t",
            "\r",
            "\u{7}",
            "\u{7F}",
            "\u{85}",
            "\u{A0}",
            "µ",
            "„",
            "–",
            "€",
            "\u{200B}",
            "\u{202E}",
            "\u{2028}",
            "\u{2029}",
            "\u{FEFF}",
            "\u{FFFE}",
            "\u{FDD0}",
            "\u{10FFFF}",
            "😀",
            "\u{61C}",
        ];
        for filler in ["abcdefgh ", "Grüße für Zürich "] {
            for kind in kinds {
                for position in 0..40 {
                    let mut line: String = filler.chars().cycle().take(position).collect();
                    line.push_str(kind);
                    line.extend(filler.chars().cycle().take(37 - position % 5));
                    assert_eq!(needs_cleaning(&line), by_char(&line), "{line:?}");
                }
            }
        }
    }

    #[test]
    fn eight_bytes_at_once_count_as_byte_by_byte() {
        let one_by_one = |eight: &[u8]| {
            let plain = eight.iter().all(|b| b.is_ascii_graphic() || *b == b' ' || *b == b'\n');
            plain.then(|| eight.iter().filter(|b| b.is_ascii_graphic()).count())
        };
        // Every byte value in every position, among printable neighbours.
        for byte in 0..=255u8 {
            for position in 0..8 {
                let mut eight = *b"Ab 1,\n.Z";
                eight[position] = byte;
                assert_eq!(plain_ascii_graphic(&eight[..8]), one_by_one(&eight[..8]), "{eight:?}");
            }
        }
        for eight in
            [b"        ", b"\n\n\n\n\n\n\n\n", b"~~~~!!!!", b"ab\tcd ef", b"\x7f       ", b"ab \xa0\x8a\xff\x80\x7f"]
        {
            assert_eq!(plain_ascii_graphic(eight), one_by_one(eight), "{eight:?}");
        }
    }

    #[test]
    fn characters_are_counted_as_one_by_one() {
        let one_by_one = |text: &str| {
            let mut counts = Counts::default();
            for (at, c) in text.char_indices().filter(|(_, c)| !c.is_whitespace()) {
                counts.total += 1;
                if is_forbidden(c) || c == '\u{FFFD}' {
                    counts.odd += 1;
                    counts.first_odd.get_or_insert(at);
                } else if is_latin_text(c) {
                    counts.latin += 1;
                }
            }
            counts
        };
        let pieces = [
            "Grüße aus Köln",
            " ",
            "\n",
            "\t",
            "\r\n",
            "×÷",
            "€",
            "\u{85}",
            "\u{1}",
            "\u{7f}",
            "\u{fffd}",
            "ΩΣ",
            "汉字",
            "  x  ",
            "12,5",
        ];
        let mut texts = vec![String::new(), "Ü".into(), "Der Dax steigt um 2,3 Prozent.\n".repeat(3)];
        // Every pair and triple of pieces, so each kind of byte meets each
        // other at every offset of the eight-byte steps.
        for a in pieces {
            for b in pieces {
                texts.push(format!("{a}{b}"));
                for c in pieces {
                    texts.push(format!("{a}{b}{c}{a}{c}{b}"));
                }
            }
        }
        // Each piece at every offset of two blocks of sixteen bytes.
        for piece in pieces {
            for offset in 0..33 {
                texts.push(format!("{}{piece}{}", &"a b\n".repeat(9)[..offset], "Zahl 7 ".repeat(6)));
            }
        }
        for text in &texts {
            assert_eq!(Counts::of(text), one_by_one(text), "{text:?}");
        }
    }

    #[test]
    fn forbidden_and_invisible_characters_are_removed_and_reported() {
        let mut warnings = Vec::new();
        let line = "A\u{0}b\u{85}\u{85}c\u{202E}d\u{200B}e\u{FFFF}\tf\u{2028}g";
        assert_eq!(clean_line(line, 7, &mut warnings), "Abcde f g");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].0, 7);
        assert!(warnings[0].1.contains("U+0000, U+0085 ×2, U+200B, U+202E, U+FFFF"), "{}", warnings[0].1);
    }

    #[test]
    fn visible_text_and_meaningful_joiners_stay() {
        let mut warnings = Vec::new();
        for line in ["Grüße „aus“ Köln – 5 €", "Ab\u{AD}satz", "👩\u{200D}💻", "ﬀ\u{200C}"] {
            assert_eq!(clean_line(line, 1, &mut warnings), line);
        }
        assert!(warnings.is_empty());
    }

    #[test]
    fn many_controls_or_foreign_characters_are_binary() {
        assert!(binary_reason("Titel\nText mit \u{0} darin").unwrap().1.contains("NUL byte on line 2"));
        let utf16: String = "Köln: Grüße\n".chars().flat_map(|c| [c, '\0']).collect();
        assert!(binary_reason(&utf16).unwrap().1.contains("UTF-16 text without a byte-order mark"));
        let png = "\u{89}PNG\r\n\u{1a}\n\0\0\0\rIHDR\0\0\0\u{1}";
        assert!(binary_reason(png).unwrap().1.contains("not a text article"));
        let noisy: String = "Kurs\u{1}\u{2}\u{3}\u{4}".repeat(10);
        assert!(binary_reason(&noisy).unwrap().1.contains("control or undecodable"));
        let utf16_garbage = "萀䡧ᤀ킾鲃ꇪ퀓뱂⛐涵ꓫ㶤";
        assert!(binary_reason(utf16_garbage).unwrap().1.contains("not a German text"));
    }

    #[test]
    fn ordinary_and_damaged_text_is_not_binary() {
        let article = "Nato: Verluste\n28.10.2024 - 14:57:43\nBRÜSSEL (dpa-AFX) - Die Nato \u{85} sagt „nein“ – 5 €.\n";
        assert_eq!(binary_reason(article), None);
        assert_eq!(binary_reason("BRĂSSEL ĂuĂerungen Ã¤ \u{FFFD}"), None);
        assert_eq!(binary_reason("Moskau (Москва) und Peking (北京) melden Zahlen."), None);
    }
}
