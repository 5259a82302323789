//! Revision notes such as `(neu: Details)` and what kind of change they announce.

use serde::Serialize;

/// What a revision note says happened to the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevisionKind {
    /// `neu: ...`: new details were added.
    NewDetails,
    /// `Wiederholung`: the same story sent again.
    Repeat,
    /// `Berichtigung`, `Korrektur`: a factual correction.
    Correction,
    /// `Aktualisierung`, `durchgehend aktualisiert`.
    Update,
    /// `Tippfehler`, `mit Bild`: nothing a reader needs to know about.
    Cosmetic,
    Other,
}

impl RevisionKind {
    /// German label shown on pages.
    pub fn label(self) -> &'static str {
        match self {
            RevisionKind::NewDetails => "Neue Details",
            RevisionKind::Repeat => "Wiederholung",
            RevisionKind::Correction => "Berichtigung",
            RevisionKind::Update => "Aktualisierung",
            RevisionKind::Cosmetic => "Redaktionelle Änderung",
            RevisionKind::Other => "Änderung",
        }
    }
}

/// A revision note as written, with its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Revision {
    /// The note exactly as written, parentheses included: `(neu: Details)`.
    #[serde(deserialize_with = "super::cached_text::deserialize")]
    pub raw: String,
    /// The note without its parentheses: `neu: Details`.
    #[serde(deserialize_with = "super::cached_text::deserialize")]
    pub text: String,
    pub kind: RevisionKind,
}

impl Revision {
    pub fn new(raw: &str) -> Revision {
        let raw = raw.trim();
        let text = raw.strip_prefix('(').and_then(|r| r.strip_suffix(')')).unwrap_or(raw).trim();
        Revision { raw: raw.to_string(), text: text.to_string(), kind: revision_kind(text) }
    }
}

/// Classify a note by its keywords. Corrections win over everything else,
/// because a reader must never miss one.
pub fn revision_kind(note: &str) -> RevisionKind {
    let note = note.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| note.contains(w));
    if has(&["berichtig", "korrektur", "korrigiert"]) {
        RevisionKind::Correction
    } else if has(&["tippfehler", "rechtschreib", "mit bild", "formatierung", "schreibweise"]) {
        RevisionKind::Cosmetic
    } else if note.starts_with("neu") || has(&["neu:", " neu ", "ergänz", "mehr details"]) {
        RevisionKind::NewDetails
    } else if has(&["aktualisier"]) {
        RevisionKind::Update
    } else if has(&["wiederholung", "wdh"]) {
        RevisionKind::Repeat
    } else {
        RevisionKind::Other
    }
}

/// A parenthesised note at the start of `text`, and the text after it.
/// Only a note whose words say it is a revision counts, so that a paragraph
/// opening with a parenthesis is left alone.
pub fn leading_note(text: &str) -> Option<(Revision, &str)> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('(') {
        return None;
    }
    let close = trimmed.find(')')?;
    let revision = Revision::new(&trimmed[..=close]);
    (revision.kind != RevisionKind::Other).then(|| (revision, trimmed[close + 1..].trim_start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_keywords() {
        let cases = [
            ("neu: Details", RevisionKind::NewDetails),
            ("Wiederholung", RevisionKind::Repeat),
            ("Wiederholung: Im 3. Absatz wurde ein Tippfehler berichtigt", RevisionKind::Correction),
            ("Berichtigung: Name korrigiert", RevisionKind::Correction),
            ("Korrektur im zweiten Absatz", RevisionKind::Correction),
            ("Aktualisierung", RevisionKind::Update),
            ("durchgehend aktualisiert", RevisionKind::Update),
            ("Tippfehler im Titel beseitigt", RevisionKind::Cosmetic),
            ("mit Bild", RevisionKind::Cosmetic),
            ("Grafik", RevisionKind::Other),
        ];
        for (note, kind) in cases {
            assert_eq!(revision_kind(note), kind, "{note}");
        }
    }

    #[test]
    fn raw_keeps_the_parentheses() {
        let r = Revision::new("(neu: Details)");
        assert_eq!((r.raw.as_str(), r.text.as_str()), ("(neu: Details)", "neu: Details"));
    }

    #[test]
    fn leading_note_needs_revision_words() {
        let (note, rest) = leading_note("(neu: Kurs) BERLIN (dpa-AFX) - Text").unwrap();
        assert_eq!(note.kind, RevisionKind::NewDetails);
        assert_eq!(rest, "BERLIN (dpa-AFX) - Text");
        assert!(leading_note("(Foto: privat) Text").is_none());
    }
}
