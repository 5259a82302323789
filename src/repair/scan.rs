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
            Kind::Same(c) | Kind::Decoded { ch: c, .. } => is_letter(c),
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

/// Where the next lead image ([`lead_image_at`]) starts at or after byte
/// `from`. Most of a German text's `C3` bytes start umlauts that are no
/// lead image (`ä`, `ö`, `ü`, `ß`), so on x86_64 sixteen places are tested
/// at once (SSE2), each with its following byte; the last sixteen bytes
/// and other processors stop at each `C3`, `C4` and `C5`.
pub(crate) fn next_lead_image(bytes: &[u8], mut from: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    while from + 17 <= bytes.len() {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of every x86_64 processor; the loads read
        // `bytes[from..from + 17]`, in bounds by the loop's condition.
        let found = unsafe {
            let leads = _mm_loadu_si128(bytes.as_ptr().add(from).cast::<__m128i>());
            let nexts = _mm_loadu_si128(bytes.as_ptr().add(from + 1).cast::<__m128i>());
            let is = |block: __m128i, byte: u8| _mm_cmpeq_epi8(block, _mm_set1_epi8(byte as i8));
            let any_next =
                |wanted: &[u8]| wanted.iter().fold(_mm_set1_epi8(0), |all, &b| _mm_or_si128(all, is(nexts, b)));
            let c3 =
                _mm_and_si128(is(leads, 0xC3), any_next(&[0x82, 0x83, 0x84, 0x85, 0x88, 0x8E, 0x8F, 0x90, 0x91, 0xA2]));
            let c4 = _mm_and_si128(is(leads, 0xC4), any_next(&[0x82, 0x86, 0x90]));
            let c5 = _mm_and_si128(is(leads, 0xC5), is(nexts, 0x83));
            _mm_movemask_epi8(_mm_or_si128(c3, _mm_or_si128(c4, c5)))
        };
        if found != 0 {
            return Some(from + found.trailing_zeros() as usize);
        }
        from += 16;
    }
    while let Some(at) = memchr::memchr3(0xC3, 0xC4, 0xC5, bytes.get(from..)?) {
        if lead_image_at(bytes, from + at) {
            return Some(from + at);
        }
        from += at + 1;
    }
    None
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
    let bytes = text.as_bytes();
    // The character before, where it is not ASCII (ASCII never matters here).
    let mut prev = ' ';
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii() {
            prev = ' ';
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        match c {
            // Windows-1252 reads its five undefined bytes as C1 too.
            '\u{81}' | '\u{8D}' | '\u{8F}' | '\u{90}' | '\u{9D}' => {}
            '\u{80}'..='\u{9F}' => iso += 1,
            '‚' | 'ƒ' | '„' | '…' | '†' | '‡' | 'ˆ' | '‰' | '‹' | '‘' | '’' | '“' | '”' | '•' | '–' | '—' | '˜'
            | '™' | '›'
                if is_lead_image(prev) || prev == '€' =>
            {
                windows += 1
            }
            _ => {}
        }
        prev = c;
        i += c.len_utf8();
    }
    // Only one-sided evidence counts: a text that shows both was pieced
    // together from differently damaged parts.
    match (windows > 0, iso > 0) {
        (true, false) => Family::Windows,
        (false, true) => Family::Iso,
        _ => Family::Unknown,
    }
}

/// Scan a token into `units` (appended); false, and nothing appended, when
/// the token holds no mojibake. `family` is asked only where code pages
/// disagree about a sequence.
pub(crate) fn scan_token(token: &str, family: &mut dyn FnMut() -> Family, units: &mut Vec<Unit>) -> bool {
    let first = units.len();
    let mut suspicious = false;
    // The source character before the current one.
    let mut prev: Option<char> = None;
    let mut chars = token.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        let (kind, used) = match is_lead_image(c) {
            true => read_at(token, pos, prev, family).unwrap_or((Kind::Same(c), c.len_utf8())),
            false => (Kind::Same(c), c.len_utf8()),
        };
        suspicious |= !matches!(kind, Kind::Same(_));
        units.push(Unit { start: pos, end: pos + used, kind });
        prev = Some(c);
        if used > c.len_utf8() {
            // Skip the characters the sequence took.
            while chars.next_if(|&(p, _)| p < pos + used).is_some() {}
            prev = token[..pos + used].chars().next_back();
        }
    }
    if !suspicious {
        units.truncate(first);
    }
    suspicious
}

fn is_lead_image(c: char) -> bool {
    ('Â'..='Ń').contains(&c) && LEAD_IMAGES.contains(&c)
}

/// Read the mojibake starting at byte `pos` of `token`: a complete sequence
/// in any code page first, otherwise a lead whose continuation bytes were
/// lost. Returns the unit and the bytes it covers.
fn read_at(token: &str, pos: usize, prev: Option<char>, family: &mut dyn FnMut() -> Family) -> Option<(Kind, usize)> {
    if let Some((ch, used)) = complete_at(token, pos, prev, family) {
        return Some((Kind::Decoded { ch, certain: true }, used));
    }
    lossy_at(token, pos, prev)
}

/// The most likely complete sequence at `pos` over all code pages: one read
/// through the text's family first, then a German-looking one (`Ã€` is `ä`
/// through Latin-9 rather than `À` through 1252), then the codec order.
fn complete_at(
    token: &str,
    pos: usize,
    prev: Option<char>,
    family: &mut dyn FnMut() -> Family,
) -> Option<(char, usize)> {
    let mut found: [Option<(Codec, char, usize)>; 4] = [None; 4];
    for (slot, codec) in found.iter_mut().zip(CODECS) {
        *slot = complete_in(codec, token, pos, prev);
    }
    let mut readings = found.iter().flatten();
    let &(_, first_ch, first_used) = readings.next()?;
    if readings.all(|&(_, ch, _)| ch == first_ch) {
        return Some((first_ch, first_used));
    }
    let family = family();
    let rank = |&(codec, ch, _): &(Codec, char, usize)| (codec.family() == family, german_weight(ch));
    // `max_by_key` keeps the last of equals; reversed, the first codec wins ties.
    found.iter().flatten().rev().max_by_key(|r| rank(r)).map(|&(_, ch, used)| (ch, used))
}

/// A complete, plausible sequence at `pos` read through `codec`.
fn complete_in(codec: Codec, token: &str, pos: usize, prev: Option<char>) -> Option<(Codec, char, usize)> {
    let mut chars = token[pos..].chars();
    let lead_char = chars.next()?;
    let lead = codec.byte_of(lead_char)?;
    let need = continuation_len(lead)?;
    let mut bytes = [lead, 0, 0];
    let mut used = lead_char.len_utf8();
    for byte in bytes.iter_mut().skip(1).take(need) {
        let c = chars.next()?;
        *byte = codec.byte_of(c).filter(|&b| is_continuation(b))?;
        used += c.len_utf8();
    }
    let ch = utf8_char(&bytes[..=need]).filter(|&ch| plausible(ch))?;
    let next = token[pos + used..].chars().next();
    fits_context(lead_char, prev, next, ch).then_some((codec, ch, used))
}

/// A decoded letter must sit in a word when its lead is itself a common
/// letter: `Ä` before `…` in clean text is not `ą`.
fn fits_context(lead: char, prev: Option<char>, next: Option<char>, ch: char) -> bool {
    if !is_letter(ch) || matches!(lead, 'Ã' | 'Ă') {
        return true;
    }
    prev.into_iter().chain(next).any(is_letter)
}

/// `char::is_alphabetic` with a shortcut for Latin letters, which is most of
/// what repair asks about.
pub(crate) fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\u{0}'..='\u{7F}' | '×' | '÷' => false,
        'À'..='ɏ' => true,
        _ => c.is_alphabetic(),
    }
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
fn lossy_at(token: &str, pos: usize, prev: Option<char>) -> Option<(Kind, usize)> {
    let c = token[pos..].chars().next()?;
    let prev_lower = prev.is_some_and(char::is_lowercase);
    let lost = |lead| Some((Kind::LostLetter { lead }, c.len_utf8()));
    match c {
        'Ă' | 'Ã' => lost(0xC3),
        'â' => Some(punct_at(token, pos)),
        // These are real letters too; only after a lowercase letter, where
        // German never puts a capital, are they a lost Slavic or Turkish letter.
        'Ä' if prev_lower => lost(0xC4),
        'Å' | 'Ć' if prev_lower => lost(0xC5),
        _ => None,
    }
}

/// `â` followed by one surviving byte 0xA0–0xBF (`âŠ` is `…`, `âŹ` is `€`),
/// or a lone `â`.
fn punct_at(token: &str, pos: usize) -> (Kind, usize) {
    let lead_len = 'â'.len_utf8();
    let next = token[pos + lead_len..].chars().next();
    let mut found: Vec<char> = Vec::new();
    for codec in CODECS {
        let Some(last) = next.and_then(|n| codec.byte_of(n)).filter(|b| (0xA0..=0xBF).contains(b)) else {
            continue;
        };
        for mid in [0x80, 0x82, 0x84] {
            if let Some(ch) = utf8_char(&[0xE2, mid, last]).filter(|ch| ONE_BYTE_LOST.contains(ch))
                && !found.contains(&ch)
            {
                found.push(ch);
            }
        }
    }
    match (ONE_BYTE_LOST.iter().find(|c| found.contains(c)), next) {
        (Some(&ch), Some(n)) => (Kind::Decoded { ch, certain: found.len() == 1 }, lead_len + n.len_utf8()),
        _ => (Kind::LostPunct, lead_len),
    }
}

/// Signs whose middle byte (0x80, 0x82 or 0x84) can be lost while the last
/// survives, most likely first.
const ONE_BYTE_LOST: [char; 12] = ['…', '€', '•', '‰', '™', '‹', '›', '′', '″', '\u{202F}', '†', '‡'];

#[cfg(test)]
mod tests {
    use super::*;

    /// Lead images are found where a byte-by-byte test finds them, for each
    /// `C3`, `C4` and `C5` pair and a few others at every offset around two
    /// blocks of sixteen bytes, and at the very end of a text.
    #[test]
    fn lead_images_are_found_as_byte_by_byte() {
        let by_bytes = |bytes: &[u8]| (0..bytes.len()).filter(|&i| lead_image_at(bytes, i)).collect::<Vec<_>>();
        let all = |bytes: &[u8]| {
            let mut found = Vec::new();
            let mut from = 0;
            while let Some(at) = next_lead_image(bytes, from) {
                found.push(at);
                from = at + 1;
            }
            found
        };
        let mut pieces: Vec<String> = ('\u{80}'..='\u{17F}').map(String::from).collect();
        pieces.extend(["ä", "Ärger", "ÃŸ", "€", "a"].map(String::from));
        for piece in &pieces {
            for offset in 0..36 {
                let text = format!("{}{piece}ü{}{piece}", &"Koln, ".repeat(8)[..offset + 1], "x".repeat(offset));
                assert_eq!(all(text.as_bytes()), by_bytes(text.as_bytes()), "{text:?}");
            }
        }
    }

    fn units(token: &str, family: Family) -> Vec<Unit> {
        let mut units = Vec::new();
        scan_token(token, &mut || family, &mut units);
        units
    }

    fn kinds(token: &str) -> Vec<Kind> {
        units(token, Family::Unknown).into_iter().map(|u| u.kind).collect()
    }

    fn decoded(ch: char) -> Kind {
        Kind::Decoded { ch, certain: true }
    }

    #[test]
    fn clean_tokens_have_no_units() {
        for token in ["Äußerungen", "Œuvre", "5€", "Ärger.", "„Nein“", "MÜNCHEN"] {
            assert_eq!(units(token, Family::Unknown), [], "{token}");
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
        let token = "KÅ\u{99}etÃ\u{AD}nskÃœ";
        assert_eq!(units(token, Family::Unknown)[8].kind, decoded('Ü'));
        assert_eq!(units(token, Family::Iso)[8].kind, decoded('ý'));
        assert_eq!(family_of("KÅ\u{99}etÃ\u{AD}nskÃœ"), Family::Iso);
        assert_eq!(family_of("â€žGrÃ¼ÃŸeâ€œ â€“"), Family::Windows);
        assert_eq!(family_of("„Grüße“ – 5 €"), Family::Unknown);
    }
}
