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
        None => (detect(bytes), bytes),
    };
    let text = match encoding == UTF_8 {
        // Valid UTF-8 (checked by `detect`) is borrowed, not copied: the clean
        // path must stay cheap.
        true => match std::str::from_utf8(body) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => encoding.decode_without_bom_handling(body).0,
        },
        false => encoding.decode_without_bom_handling(body).0,
    };
    Decoded { text: to_nfc(normalize_line_ends(text)).into_owned(), encoding: encoding.name() }
}

/// The encoding of bytes without a BOM: UTF-8 when they are valid UTF-8,
/// otherwise Windows-1252 or ISO-8859-15.
///
/// Wire files are German, so the detector's answer is only trusted within the
/// Western family; a short file can fool it into Central European or Cyrillic
/// guesses that would turn every umlaut into a wrong letter.
fn detect(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(Some(b"de"), chardetng::Utf8Detection::Deny);
    if guess == ISO_8859_15 || looks_like_latin9(bytes) {
        return ISO_8859_15;
    }
    WINDOWS_1252
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

/// Every character below U+0300 is its own NFC form, and German text rarely
/// leaves that range, so a byte scan decides most texts without a table look-up.
pub(crate) fn is_nfc_fast(text: &str) -> bool {
    // 0xCC is the first UTF-8 lead byte of U+0300 and above.
    if !text.bytes().any(|b| b >= 0xCC) {
        return true;
    }
    unicode_normalization::is_nfc(text)
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
    fn latin9_euro() {
        let decoded = decode(b"Preis: 5 \xA4 f\xFCr \xBCl");
        assert_eq!(decoded.text, "Preis: 5 € für Œl");
        assert_eq!(decoded.encoding, "ISO-8859-15");
    }

    #[test]
    fn line_ends_and_nfc() {
        let decoded = decode("a\r\nb\rc\u{0075}\u{0308}".as_bytes());
        assert_eq!(decoded.text, "a\nb\ncü");
    }
}
