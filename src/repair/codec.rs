//! The single-byte code pages that UTF-8 text is wrongly read through, and
//! the way back from a mojibake character to the byte it stood for.
//!
//! Four readings cover the damage seen in wire files: Windows-1252 (classic
//! `Ã¤`), ISO-8859-1 and ISO-8859-15 (the same, with C1 bytes as control
//! characters), and ISO-8859-16 (the sample's `Ă€`). Tables come from
//! `encoding_rs`, so they match the decoder byte for byte.

use std::sync::OnceLock;

/// A code page through which UTF-8 bytes were misread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    Windows1252,
    Latin1,
    Latin9,
    Latin10,
}

/// Every codec, in the order ties are broken: the sample's damage first,
/// then the classic one.
pub(crate) const CODECS: [Codec; 4] = [Codec::Latin10, Codec::Windows1252, Codec::Latin9, Codec::Latin1];

/// The characters for bytes 0x80..=0xFF, reversed: a direct index for
/// characters below U+0180 (almost all of them), the rest sorted.
struct Table {
    /// Byte for characters U+0080..U+017F, 0 where there is none.
    low: [u8; 0x100],
    /// (character, byte) for characters from U+0180, sorted.
    high: Vec<(char, u8)>,
}

impl Table {
    fn new(encoding: Option<&'static encoding_rs::Encoding>) -> Table {
        let mut table = Table { low: [0; 0x100], high: Vec::new() };
        for byte in 0x80..=0xFF_u8 {
            let c = match encoding {
                Some(enc) => enc.decode_without_bom_handling(&[byte]).0.chars().next().unwrap_or('\u{FFFD}'),
                // True ISO-8859-1: every byte is the code point of its value.
                // (`encoding_rs` treats the label as Windows-1252, as the web does.)
                None => char::from(byte),
            };
            match (c as usize).checked_sub(0x80).filter(|&i| i < 0x100) {
                Some(i) => table.low[i] = byte,
                None => table.high.push((c, byte)),
            }
        }
        table.high.sort_unstable();
        table
    }
}

fn table(codec: Codec) -> &'static Table {
    static TABLES: OnceLock<[Table; 4]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        [
            Table::new(Some(encoding_rs::WINDOWS_1252)),
            Table::new(None),
            Table::new(Some(encoding_rs::ISO_8859_15)),
            Table::new(Some(encoding_rs::ISO_8859_16)),
        ]
    });
    &tables[codec as usize]
}

impl Codec {
    /// The byte that `c` is the reading of, if `c` is a non-ASCII character
    /// of this code page. C1 control characters count: ISO readings keep
    /// them, and Windows-1252 keeps its five undefined bytes that way.
    pub(crate) fn byte_of(self, c: char) -> Option<u8> {
        let table = table(self);
        match (c as usize).checked_sub(0x80) {
            None => None,
            Some(i) if i < 0x100 => Some(table.low[i]).filter(|&b| b != 0),
            Some(_) => table.high.binary_search_by(|&(k, _)| k.cmp(&c)).ok().map(|i| table.high[i].1),
        }
    }

    /// The character this code page shows for byte `b` (0x80..=0xFF).
    #[cfg(test)]
    pub(crate) fn char_of(self, b: u8) -> char {
        let table = table(self);
        let low = table.low.iter().position(|&k| k == b).and_then(|i| char::from_u32(i as u32 + 0x80));
        low.or_else(|| table.high.iter().find(|&&(_, k)| k == b).map(|&(c, _)| c)).unwrap_or('\0')
    }
}

/// Number of continuation bytes a UTF-8 lead byte announces, for the leads
/// repair understands: two-byte letters and signs (0xC2..=0xDF) and the
/// punctuation, currency and letter-like block (0xE2).
pub(crate) fn continuation_len(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(1),
        0xE2 => Some(2),
        _ => None,
    }
}

/// Whether `b` is a UTF-8 continuation byte.
pub(crate) fn is_continuation(b: u8) -> bool {
    (0x80..=0xBF).contains(&b)
}

/// Decode one complete UTF-8 sequence, if it is one. The leads repair
/// reads (0xC2..=0xDF, 0xE2) admit neither overlong forms nor surrogates, so
/// checking the continuation bytes is all the validation they need.
pub(crate) fn utf8_char(bytes: &[u8]) -> Option<char> {
    let cont = |b: u8| u32::from(b & 0x3F);
    match *bytes {
        [lead @ 0xC2..=0xDF, b1] if is_continuation(b1) => char::from_u32(u32::from(lead & 0x1F) << 6 | cont(b1)),
        [0xE2, b1, b2] if is_continuation(b1) && is_continuation(b2) => {
            char::from_u32(0x2000 | cont(b1) << 6 | cont(b2))
        }
        _ => std::str::from_utf8(bytes).ok()?.chars().next(),
    }
}

/// Whether a decoded character is one a German wire text plausibly holds.
///
/// A byte sequence can decode to some character almost always; limiting the
/// result to Latin, Greek, Cyrillic, typographic punctuation, currency and
/// letter-like signs keeps accidental look-alikes in clean text (an `Ö`
/// before a `„`) from being "repaired" into Armenian or arrows.
pub(crate) fn plausible(c: char) -> bool {
    matches!(c,
        '\u{A0}'..='\u{17F}'
        | '\u{218}'..='\u{21B}'
        | '\u{391}'..='\u{3C9}'
        | '\u{400}'..='\u{45F}'
        | '\u{490}'..='\u{491}'
        | '\u{2002}'..='\u{200A}'
        | '\u{2010}'..='\u{2022}'
        | '\u{2026}'
        | '\u{202F}'..='\u{2033}'
        | '\u{2039}'..='\u{203A}'
        | '\u{20A0}'..='\u{20BF}'
        | '\u{2116}'
        | '\u{2122}'
        | '\u{2190}'..='\u{2193}'
        | '\u{2212}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_the_code_pages() {
        assert_eq!(Codec::Latin10.char_of(0xC3), 'Ă');
        assert_eq!(Codec::Latin10.char_of(0xA4), '€');
        assert_eq!(Codec::Latin10.char_of(0xBC), 'Œ');
        assert_eq!(Codec::Windows1252.char_of(0x84), '„');
        assert_eq!(Codec::Windows1252.char_of(0x81), '\u{81}');
        assert_eq!(Codec::Latin9.char_of(0xA4), '€');
        assert_eq!(Codec::Latin1.char_of(0x84), '\u{84}');
    }

    #[test]
    fn utf8_char_matches_std() {
        for bytes in [&[0xC3, 0xA4][..], &[0xC3, 0x9F], &[0xE2, 0x80, 0x9E], &[0xE2, 0x82, 0xAC], &[0xC4, 0x9F]] {
            assert_eq!(utf8_char(bytes), std::str::from_utf8(bytes).ok().and_then(|s| s.chars().next()));
        }
        assert_eq!(utf8_char(&[0xC3, 0x41]), None);
    }

    #[test]
    fn byte_of_reverses_char_of() {
        for codec in CODECS {
            for b in 0x80..=0xFF {
                assert_eq!(codec.byte_of(codec.char_of(b)), Some(b), "{codec:?} {b:x}");
            }
            assert_eq!(codec.byte_of('a'), None);
        }
    }
}
