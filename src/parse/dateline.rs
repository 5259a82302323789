//! The dateline that opens the first paragraph: `BRÜSSEL (dpa-AFX) - `.

use serde::Serialize;

/// Where and by whom the story was filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Dateline {
    /// The dateline exactly as written, separator included: `BRÜSSEL (dpa-AFX) - `.
    #[serde(deserialize_with = "super::cached_text::deserialize")]
    pub raw: String,
    /// Places as written: `FRANKFURT/BERLIN` gives two.
    pub places: Vec<String>,
    /// Agency as written in the parentheses: `dpa-AFX`, `dpa-AFX/Reuters`.
    #[serde(deserialize_with = "super::cached_text::deserialize")]
    pub agency: String,
}

/// Split a dateline off the start of `text`, returning it and the paragraph after it.
pub fn split_dateline(text: &str) -> Option<(Dateline, &str)> {
    let open = text.find(" (").or_else(|| text.find('('))?;
    let place_text = text[..open].trim();
    if !is_place_text(place_text) {
        return None;
    }
    let after_open = &text[open..].trim_start()[1..];
    let close = after_open.find(')')?;
    let agency = after_open[..close].trim();
    if !is_agency(agency) {
        return None;
    }
    let after_close = &after_open[close + 1..];
    let rest = skip_dash(after_close)?;
    let raw_len = text.len() - rest.len();
    let dateline = Dateline {
        raw: text[..raw_len].to_string(),
        places: place_text.split('/').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
        agency: agency.to_string(),
    };
    Some((dateline, rest))
}

/// Places are written in capitals: letters (ß has no capital in wire use),
/// spaces, `/`, `.`, `-`, `'`.
fn is_place_text(text: &str) -> bool {
    let allowed = |c: char| c.is_uppercase() || c == 'ß' || matches!(c, ' ' | '/' | '.' | '-' | '\'' | '’');
    !text.is_empty() && text.chars().count() <= 80 && text.chars().any(char::is_uppercase) && text.chars().all(allowed)
}

fn is_agency(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 40
        && text.chars().any(|c| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | ' ' | '.'))
}

/// The dash after the agency, with or without spaces; the rest of the paragraph.
fn skip_dash(text: &str) -> Option<&str> {
    let trimmed = text.trim_start();
    let rest = trimmed.strip_prefix(['-', '–', '—'])?;
    Some(rest.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_dateline() {
        let (d, rest) = split_dateline("BRÜSSEL (dpa-AFX) - Die Nato provoziert").unwrap();
        assert_eq!(d.raw, "BRÜSSEL (dpa-AFX) - ");
        assert_eq!(d.places, ["BRÜSSEL"]);
        assert_eq!(d.agency, "dpa-AFX");
        assert_eq!(rest, "Die Nato provoziert");
    }

    #[test]
    fn variants() {
        let (d, rest) = split_dateline("FRANKFURT/BERLIN (dpa-AFX/Reuters) –Der DAX").unwrap();
        assert_eq!(d.places, ["FRANKFURT", "BERLIN"]);
        assert_eq!(d.agency, "dpa-AFX/Reuters");
        assert_eq!(rest, "Der DAX");
        let (d, _) = split_dateline("ST. PETERSBURG (dpa) - Text").unwrap();
        assert_eq!(d.places, ["ST. PETERSBURG"]);
        assert_eq!(split_dateline("GIEßEN (dpa) - Text").unwrap().0.places, ["GIEßEN"]);
    }

    #[test]
    fn ordinary_sentences_are_not_datelines() {
        assert!(split_dateline("Die Nato (Brüssel) - Text").is_none());
        assert!(split_dateline("BERLIN - Text ohne Agentur").is_none());
        assert!(split_dateline("BERLIN (dpa-AFX) Text ohne Strich").is_none());
    }
}
