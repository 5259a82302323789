//! Reading mojibake back: find where a token's characters are the images of
//! UTF-8 bytes, and turn each such run into a unit that says what it was.
//!
//! Complete sequences decode with certainty. Where bytes 0x80–0x9F were lost,
//! a lone lead character remains; this module only marks it (`LostLetter`,
//! `LostPunct`), and `resolve` chooses what it stood for from context.

use super::codec::{CODECS, Codec, continuation_len, is_continuation, plausible, utf8_char};

/// Characters that read a UTF-8 lead byte repair understands (0xC2–0xC5,
/// 0xC8, 0xCE, 0xCF, 0xD0, 0xD1, 0xE2) in one of the code pages. Only where
/// one of these stands can mojibake start, which makes clean text cheap.
const LEAD_IMAGES: [char; 14] = ['Â', 'Ã', 'Ä', 'Å', 'È', 'Î', 'Ï', 'Ð', 'Ñ', 'â', 'Ă', 'Ć', 'Đ', 'Ń'];

/// One character of the repaired token, or what stands in for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The character as it stands.
    Same(char),
    /// A mojibake sequence read back. `certain` is false when a lost byte
    /// had to be filled in.
    Decoded { ch: char, certain: bool },
    /// A letter whose lead byte survived alone (its second byte, 0x80–0x9F,
    /// was lost): `Ă` for `Ä Ö Ü ß`, `Ä` for `č ć ğ ...`.
    LostLetter { lead: u8 },
    /// A lone `â`: quotes and dashes whose last two bytes were lost.
    LostPunct,
}

/// A unit and the bytes of the token it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unit {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

impl Unit {
    /// Whether the unit reads as a letter of a word.
    pub(crate) fn is_letter(&self) -> bool {
        match self.kind {
            Kind::Same(c) | Kind::Decoded { ch: c, .. } => c.is_alphabetic(),
            Kind::LostLetter { .. } => true,
            Kind::LostPunct => false,
        }
    }

    /// The known character, if there is one yet.
    pub(crate) fn known(&self) -> Option<char> {
        match self.kind {
            Kind::Same(c) | Kind::Decoded { ch: c, .. } => Some(c),
            _ => None,
        }
    }

    pub(crate) fn is_lost(&self) -> bool {
        matches!(self.kind, Kind::LostLetter { .. } | Kind::LostPunct)
    }
}

/// Byte-level test for a lead image at `i`, so the clean path never decodes
/// characters: all lead images are two-byte UTF-8 starting 0xC3–0xC5.
pub(crate) fn lead_image_at(bytes: &[u8], i: usize) -> bool {
    let Some(&next) = bytes.get(i + 1) else {
        return false;
    };
    match bytes[i] {
        0xC3 => matches!(next, 0x82 | 0x83 | 0x84 | 0x85 | 0x88 | 0x8E | 0x8F | 0x90 | 0x91 | 0xA2),
        0xC4 => matches!(next, 0x82 | 0x86 | 0x90),
        0xC5 => next == 0x83,
        _ => false,
    }
}

/// Which family of code pages a text's mojibake came through, where a
/// sequence reads differently in each (`Ãœ` is `Ü` through Windows-1252 and
/// `ý` through Latin-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Windows,
    Iso,
    Unknown,
}

impl Codec {
    fn family(self) -> Family {
        match self {
            Codec::Windows1252 => Family::Windows,
            _ => Family::Iso,
        }
    }
}

/// The family a text's damage shows: ISO readings leave C1 control
/// characters, Windows-1252 leaves its typographic signs inside mojibake.
/// `Unknown` when neither or both show.
pub(crate) fn family_of(text: &str) -> Family {
    let (mut windows, mut iso) = (0usize, 0usize);
    let mut prev = ' ';
    for c in text.chars() {
        match c {
            // Windows-1252 reads its five undefined bytes as C1 too.
            '\u{81}' | '\u{8D}' | '\u{8F}' | '\u{90}' | '\u{9D}' => {}
            '\u{80}'..='\u{9F}' => iso += 1,
            '‚' | 'ƒ' | '„' | '…' | '†' | '‡' | 'ˆ' | '‰' | '‹' | '‘' | '’' | '“' | '”' | '•' | '–' | '—' | '˜'
            | '™' | '›'
                if LEAD_IMAGES.contains(&prev) || prev == '€' =>
            {
                windows += 1
            }
            _ => {}
        }
        prev = c;
    }
    // Only one-sided evidence counts: a text that shows both was pieced
    // together from differently damaged parts.
    match (windows > 0, iso > 0) {
        (true, false) => Family::Windows,
        (false, true) => Family::Iso,
        _ => Family::Unknown,
    }
}

/// Units of a token that holds mojibake, or `None` when it holds none.
pub(crate) fn scan_token(token: &str, family: Family) -> Option<Vec<Unit>> {
    let chars: Vec<(usize, char)> = token.char_indices().collect();
    let mut units = Vec::with_capacity(chars.len());
    let mut suspicious = false;
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let (kind, used) = match LEAD_IMAGES.contains(&c) {
            true => read_at(&chars, i, family).unwrap_or((Kind::Same(c), 1)),
            false => (Kind::Same(c), 1),
        };
        suspicious |= !matches!(kind, Kind::Same(_));
        let end = chars.get(i + used).map_or(token.len(), |&(e, _)| e);
        units.push(Unit { start, end, kind });
        i += used;
    }
    suspicious.then_some(units)
}

/// Read the mojibake starting at `chars[i]`: a complete sequence in any code
/// page first, otherwise a lead whose continuation bytes were lost.
fn read_at(chars: &[(usize, char)], i: usize, family: Family) -> Option<(Kind, usize)> {
    if let Some((ch, used)) = complete_at(chars, i, family) {
        return Some((Kind::Decoded { ch, certain: true }, used));
    }
    lossy_at(chars, i)
}

/// The most likely complete sequence at `i` over all code pages: one read
/// through the text's family first, then a German-looking one (`Ã€` is `ä`
/// through Latin-9 rather than `À` through 1252), then the codec order.
fn complete_at(chars: &[(usize, char)], i: usize, family: Family) -> Option<(char, usize)> {
    let mut best: Option<((bool, u8), char, usize)> = None;
    for codec in CODECS {
        let Some(lead) = codec.byte_of(chars[i].1) else {
            continue;
        };
        let Some(need) = continuation_len(lead) else {
            continue;
        };
        let mut bytes = vec![lead];
        for &(_, c) in chars.iter().skip(i + 1).take(need) {
            match codec.byte_of(c) {
                Some(b) if is_continuation(b) => bytes.push(b),
                _ => break,
            }
        }
        if bytes.len() != need + 1 {
            continue;
        }
        let Some(ch) = utf8_char(&bytes).filter(|&ch| plausible(ch)) else {
            continue;
        };
        if !fits_context(chars, i, need, ch) {
            continue;
        }
        let rank = (codec.family() == family, german_weight(ch));
        if best.is_none_or(|(r, _, _)| rank > r) {
            best = Some((rank, ch, need + 1));
        }
    }
    best.map(|(_, ch, used)| (ch, used))
}

/// A decoded letter must sit in a word when its lead is itself a common
/// letter: `Ä` before `…` in clean text is not `ą`.
fn fits_context(chars: &[(usize, char)], i: usize, need: usize, ch: char) -> bool {
    let lead = chars[i].1;
    if !ch.is_alphabetic() || matches!(lead, 'Ã' | 'Ă') {
        return true;
    }
    let before = i.checked_sub(1).map(|j| chars[j].1);
    let after = chars.get(i + need + 1).map(|&(_, c)| c);
    [before, after].into_iter().flatten().any(|c| c.is_alphabetic())
}

/// How typical a character is of German news text.
pub(crate) fn german_weight(c: char) -> u8 {
    match c {
        'ä' | 'ö' | 'ü' | 'Ä' | 'Ö' | 'Ü' | 'ß' => 3,
        '„' | '“' | '”' | '‚' | '‘' | '’' | '–' | '—' | '…' | '€' => 3,
        'é' | 'è' | 'á' | 'à' | 'ç' | 'ñ' | 'ó' | 'É' | '«' | '»' | '°' | '§' => 2,
        // Letters of names frequent in German news (Erdoğan, Vučić, Wałęsa).
        'ğ' | 'ş' | 'ı' | 'İ' | 'ć' | 'č' | 'Č' | 'š' | 'Š' | 'ž' | 'Ž' | 'ł' | 'Ł' | 'ś' | 'ń' | 'ę' | 'ą' | 'ő'
        | 'ű' | 'ř' | 'ě' | 'ș' | 'ț' | 'ă' => 2,
        _ => 1,
    }
}

/// A lead whose continuation bytes (0x80–0x9F) were lost.
fn lossy_at(chars: &[(usize, char)], i: usize) -> Option<(Kind, usize)> {
    let c = chars[i].1;
    let prev_lower = i.checked_sub(1).is_some_and(|j| chars[j].1.is_lowercase());
    match c {
        'Ă' | 'Ã' => Some((Kind::LostLetter { lead: 0xC3 }, 1)),
        'â' => Some(punct_at(chars, i)),
        // These are real letters too; only after a lowercase letter, where
        // German never puts a capital, are they a lost Slavic or Turkish letter.
        'Ä' if prev_lower => Some((Kind::LostLetter { lead: 0xC4 }, 1)),
        'Å' | 'Ć' if prev_lower => Some((Kind::LostLetter { lead: 0xC5 }, 1)),
        _ => None,
    }
}

/// `â` followed by one surviving byte 0xA0–0xBF (`âŠ` is `…`, `âŹ` is `€`),
/// or a lone `â`.
fn punct_at(chars: &[(usize, char)], i: usize) -> (Kind, usize) {
    let next = chars.get(i + 1).map(|&(_, c)| c);
    let mut found: Vec<char> = Vec::new();
    for codec in CODECS {
        let Some(last) = next.and_then(|n| codec.byte_of(n)) else {
            continue;
        };
        if !(0xA0..=0xBF).contains(&last) {
            continue;
        }
        for ch in [0x80, 0x82, 0x84]
            .into_iter()
            .filter_map(|mid| utf8_char(&[0xE2, mid, last]).filter(|&ch| ONE_BYTE_LOST.contains(&ch)))
        {
            if !found.contains(&ch) {
                found.push(ch);
            }
        }
    }
    let best = ONE_BYTE_LOST.iter().find(|c| found.contains(c));
    match best {
        Some(&ch) => (Kind::Decoded { ch, certain: found.len() == 1 }, 2),
        None => (Kind::LostPunct, 1),
    }
}

/// Signs whose middle byte (0x80, 0x82 or 0x84) can be lost while the last
/// survives, most likely first.
const ONE_BYTE_LOST: [char; 12] = ['…', '€', '•', '‰', '™', '‹', '›', '′', '″', '\u{202F}', '†', '‡'];

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(token: &str) -> Vec<Kind> {
        scan_token(token, Family::Unknown).unwrap_or_default().into_iter().map(|u| u.kind).collect()
    }

    fn decoded(ch: char) -> Kind {
        Kind::Decoded { ch, certain: true }
    }

    #[test]
    fn clean_tokens_have_no_units() {
        for token in ["Äußerungen", "Œuvre", "5€", "Ärger.", "„Nein“", "MÜNCHEN"] {
            assert_eq!(scan_token(token, Family::Unknown), None, "{token}");
        }
    }

    #[test]
    fn complete_sequences_in_every_code_page() {
        assert_eq!(kinds("PrĂ€s")[2], decoded('ä'));
        assert_eq!(kinds("fÃ¼r")[1], decoded('ü'));
        assert_eq!(kinds("Ã€r")[0], decoded('ä'));
        assert_eq!(kinds("â€žEr")[0], decoded('„'));
        assert_eq!(kinds("Ã\u{84}ra")[0], decoded('Ä'));
        assert_eq!(kinds("ErdoÄŸan")[4], decoded('ğ'));
    }

    #[test]
    fn lost_bytes() {
        assert_eq!(kinds("BRĂSSEL")[2], Kind::LostLetter { lead: 0xC3 });
        assert_eq!(kinds("âEr")[0], Kind::LostPunct);
        assert_eq!(kinds("soâŠ")[2], decoded('…'));
        assert_eq!(kinds("5âŹ")[1], decoded('€'));
        assert_eq!(kinds("VuÄiÄ")[2], Kind::LostLetter { lead: 0xC4 });
    }

    #[test]
    fn family_decides_ambiguous_readings() {
        let units = |family| scan_token("KÅ\u{99}etÃ\u{AD}nskÃœ", family).unwrap();
        assert_eq!(units(Family::Unknown)[8].kind, decoded('Ü'));
        assert_eq!(units(Family::Iso)[8].kind, decoded('ý'));
        assert_eq!(family_of("KÅ\u{99}etÃ\u{AD}nskÃœ"), Family::Iso);
        assert_eq!(family_of("â€žGrÃ¼ÃŸeâ€œ â€“"), Family::Windows);
        assert_eq!(family_of("„Grüße“ – 5 €"), Family::Unknown);
    }
}
