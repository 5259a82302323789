//! URL slugs from German headlines.
//!
//! A slug is lowercase ASCII letters, digits and single hyphens: German
//! letters are transliterated the German way (ä → ae, ß → ss), other letters
//! through `deunicode`. It is never empty and can never name another folder
//! (`..`) or contain a path separator, whatever the headline holds.

/// Longest slug, in bytes; cut at a word boundary.
const MAX_SLUG_LEN: usize = 80;
/// Used when a headline has no letters or digits at all.
const FALLBACK_SLUG: &str = "meldung";

/// The slug of a headline. Made in one pass, each letter transliterated,
/// lower-cased and hyphenated as it comes: an archive's build makes a slug
/// for each of tens of thousands of stories.
pub fn slugify(headline: &str) -> String {
    let mut slug = Slug(Vec::with_capacity(headline.len()));
    for c in headline.chars() {
        match german_transliteration(c) {
            Some(replacement) => slug.push_all(replacement),
            None if c.is_ascii() => slug.push(c as u8),
            None => slug.push_all(deunicode::deunicode_char(c).unwrap_or("-")),
        }
    }
    let Slug(mut slug) = slug;
    while slug.last() == Some(&b'-') {
        slug.pop();
    }
    let mut slug = String::from_utf8(slug).expect("a slug is ASCII");
    shorten(&mut slug);
    if slug.is_empty() { FALLBACK_SLUG.to_string() } else { slug }
}

/// A slug being made: `[a-z0-9]` kept (lower-cased), every other run one
/// hyphen, none at the start.
struct Slug(Vec<u8>);

impl Slug {
    #[inline]
    fn push(&mut self, byte: u8) {
        if byte.is_ascii_alphanumeric() {
            self.0.push(byte.to_ascii_lowercase());
        } else if self.0.last().is_some_and(|&last| last != b'-') {
            self.0.push(b'-');
        }
    }

    fn push_all(&mut self, text: &str) {
        text.bytes().for_each(|byte| self.push(byte));
    }
}

fn german_transliteration(c: char) -> Option<&'static str> {
    Some(match c {
        'ä' => "ae",
        'ö' => "oe",
        'ü' => "ue",
        'Ä' => "Ae",
        'Ö' => "Oe",
        'Ü' => "Ue",
        'ß' | 'ẞ' => "ss",
        _ => return None,
    })
}

/// Cut a slug longer than [`MAX_SLUG_LEN`] at a hyphen in its second half
/// (else at the limit).
fn shorten(slug: &mut String) {
    if slug.len() <= MAX_SLUG_LEN {
        return;
    }
    let cut = &slug[..MAX_SLUG_LEN];
    let at_word = cut.rfind('-').filter(|&i| i > MAX_SLUG_LEN / 2).unwrap_or(MAX_SLUG_LEN);
    let end = cut[..at_word].trim_end_matches('-').len();
    slug.truncate(end);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_transliteration_and_punctuation() {
        assert_eq!(
            slugify("Nato: Russische Verluste bei mehr als 600.000 Soldaten"),
            "nato-russische-verluste-bei-mehr-als-600-000-soldaten"
        );
        assert_eq!(slugify("Äußerungen über Größe"), "aeusserungen-ueber-groesse");
        assert_eq!(slugify("WDH/ROUNDUP 2: Kraków – Łódź"), "wdh-roundup-2-krakow-lodz");
    }

    #[test]
    fn never_empty_never_a_path() {
        for headline in ["", "...", "../../etc/passwd", "„“ – …", "/", "\\..\\"] {
            let slug = slugify(headline);
            assert!(!slug.is_empty() && slug != ".." && !slug.contains(['/', '\\', '.']), "{headline}: {slug}");
        }
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("„“"), "meldung");
    }

    #[test]
    fn long_headlines_are_cut_at_a_word() {
        let slug = slugify(&"Wort ".repeat(40));
        assert!(slug.len() <= MAX_SLUG_LEN && slug.ends_with("wort"));
    }
}
