//! Stage 2a: turn the raw bytes of an article file into Unicode text.
//!
//! Decides the encoding (BOM, valid UTF-8, else a detector restricted to the
//! Western single-byte encodings wire files really come in), normalises line
//! ends to `\n` and the text to Unicode NFC. It never guesses at mojibake:
//! that is `repair`'s job, which runs on the text this stage returns.

use std::borrow::Cow;

use encoding_rs::{Encoding, ISO_8859_15, UTF_8, WINDOWS_1252};
use unicode_normalization::UnicodeNormalization;

/// Text decoded from one file's bytes, with the encoding that was used.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// Name of the encoding, as `encoding_rs` spells it (`UTF-8`, `UTF-16LE`, ...).
    pub encoding: &'static str,
}

/// Decode bytes to NFC text with `\n` line ends.
pub fn decode(bytes: &[u8]) -> Decoded {
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((enc, bom_len)) => (enc, &bytes[bom_len..]),
        // Valid UTF-8 is borrowed, not copied: the clean path must stay cheap
        // (which is also why validation is SIMD).
        None => match simdutf8::basic::from_utf8(bytes) {
            Ok(text) => return finish(Cow::Borrowed(text), UTF_8),
            Err(_) => (detect(bytes), bytes),
        },
    };
    finish(encoding.decode_without_bom_handling(body).0, encoding)
}

fn finish(text: Cow<'_, str>, encoding: &'static Encoding) -> Decoded {
    Decoded { text: to_nfc(normalize_line_ends(text)).into_owned(), encoding: encoding.name() }
}

/// The encoding of bytes that are neither UTF-8 nor marked by a BOM.
///
/// Wire files are German: where the non-ASCII bytes are mostly what German
/// text in Windows-1252 or ISO-8859-15 holds (umlauts, `ß`, quotes, dashes,
/// `€`), one of those two is taken, told apart by where `€` sits. A general
/// detector is slow and, on short files, too easily talked into Central
/// European or Cyrillic readings that turn every umlaut into a wrong letter;
/// it is only asked (chardetng) when the bytes do not look German at all.
fn detect(bytes: &[u8]) -> &'static Encoding {
    if looks_german(bytes) {
        return if looks_like_latin9(bytes) { ISO_8859_15 } else { WINDOWS_1252 };
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(Some(b"de"), chardetng::Utf8Detection::Deny)
}

/// Whether at least four in five non-ASCII bytes are ones German text
/// holds in Windows-1252 or ISO-8859-15.
fn looks_german(bytes: &[u8]) -> bool {
    let (mut high, mut german) = (0usize, 0usize);
    for &b in bytes.iter().filter(|b| !b.is_ascii()) {
        high += 1;
        german += usize::from(matches!(
            b,
            0xE4 | 0xF6 | 0xFC | 0xDF | 0xC4 | 0xD6 | 0xDC // ä ö ü ß Ä Ö Ü
                | 0xE9 | 0xE8 | 0xE1 | 0xE0 | 0xE7 | 0xF1 | 0xF3 | 0xC9 // é è á à ç ñ ó É
                | 0x80 | 0x84 | 0x85 | 0x91
                ..=0x97 // € „ … ‘ ’ “ ” • – —
                | 0xA0 | 0xA4 | 0xA7 | 0xAB | 0xB0 | 0xBB | 0xB4 // nbsp ¤/€ § « ° » ´
        ));
    }
    german * 5 >= high * 4
}

/// ISO-8859-15 differs from Windows-1252 mainly in `€` at 0xA4. A file with
/// no byte in 0x80–0x9F (where Windows-1252 keeps `€ „ “ –`) but with 0xA4
/// after a digit or space is Latin-9 writing euros.
fn looks_like_latin9(bytes: &[u8]) -> bool {
    if bytes.iter().any(|b| (0x80..=0x9F).contains(b)) {
        return false;
    }
    bytes.windows(2).any(|w| w[1] == 0xA4 && (w[0].is_ascii_digit() || w[0] == b' '))
}

fn normalize_line_ends(text: Cow<'_, str>) -> Cow<'_, str> {
    if !text.contains('\r') {
        return text;
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Unicode NFC, borrowing when the text already is.
pub(crate) fn to_nfc(text: Cow<'_, str>) -> Cow<'_, str> {
    if is_nfc_fast(&text) {
        return text;
    }
    Cow::Owned(text.nfc().collect())
}

/// Every character below U+0300 is its own NFC form, and so are the
/// typographic signs U+2002–U+20BF (dashes, quotes, `€`) and `™`. German text rarely
/// leaves these, so a byte scan decides most texts without a table look-up.
pub(crate) fn is_nfc_fast(text: &str) -> bool {
    const BLOCK: usize = 32;
    let bytes = text.as_bytes();
    // Next byte not yet known to be fine.
    let mut i = 0;
    for (n, block) in bytes.chunks(BLOCK).enumerate() {
        let (start, end) = (n * BLOCK, n * BLOCK + block.len());
        // 0xCC is the first UTF-8 lead byte of U+0300 and above; a block
        // without one is cleared by an OR the compiler vectorises.
        if i >= end || !block.iter().fold(false, |any, &b| any | (b >= 0xCC)) {
            i = i.max(end);
            continue;
        }
        i = i.max(start);
        while i < end {
            match bytes[i] {
                ..0xCC => i += 1,
                0xE2 if typographic(&bytes[i + 1..]) => i += 3,
                _ => return unicode_normalization::is_nfc(text),
            }
        }
    }
    true
}

/// Whether the bytes after an 0xE2 lead make a sign that is its own NFC form.
fn typographic(rest: &[u8]) -> bool {
    match rest {
        [0x80, b, ..] => *b >= 0x82,
        [0x81 | 0x82, ..] => true,
        // ™, which mojibake of `’` leaves in abundance.
        [0x84, 0xA2, ..] => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode("Grüße".as_bytes());
        assert_eq!((plain.text.as_str(), plain.encoding), ("Grüße", "UTF-8"));
        let bom = decode(b"\xEF\xBB\xBFGr\xC3\xBC\xC3\x9Fe");
        assert_eq!((bom.text.as_str(), bom.encoding), ("Grüße", "UTF-8"));
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in "Köln\r\n".encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(decode(&le).text, "Köln\n");
        assert_eq!(decode(&le).encoding, "UTF-16LE");
        assert_eq!(decode(&be).text, "Köln\n");
        assert_eq!(decode(&be).encoding, "UTF-16BE");
    }

    #[test]
    fn windows_1252_bytes() {
        let bytes = b"\x84Gr\xFC\xDFe aus M\xFCnchen\x93 \x96 f\xFCr 5 \x80\r\n";
        let decoded = decode(bytes);
        assert_eq!(decoded.text, "„Grüße aus München“ – für 5 €\n");
        assert_eq!(decoded.encoding, "windows-1252");
    }

    #[test]
    fn non_german_bytes_ask_the_detector() {
        // Russian in Windows-1251: "Привет, мир! Как дела?"
        let bytes = b"\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0! \xca\xe0\xea \xe4\xe5\xeb\xe0?";
        assert_eq!(decode(bytes).encoding, "windows-1251");
    }

    #[test]
    fn latin9_euro() {
        let decoded = decode(b"Preis: 5 \xA4 f\xFCr \xD6l");
        assert_eq!(decoded.text, "Preis: 5 € für Öl");
        assert_eq!(decoded.encoding, "ISO-8859-15");
    }

    #[test]
    fn nfc_fast_path_agrees() {
        for text in ["abc", "„Grüße“ – 5 €", "\u{2000}", "u\u{308}", "Ωhm\u{2126}", "…‰″", "â€™ ™"]
        {
            assert_eq!(is_nfc_fast(text), unicode_normalization::is_nfc(text), "{text:?}");
        }
    }

    #[test]
    fn line_ends_and_nfc() {
        let decoded = decode("a\r\nb\rc\u{0075}\u{0308}".as_bytes());
        assert_eq!(decoded.text, "a\nb\ncü");
    }
}
