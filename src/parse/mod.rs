//! Stage 3: read the structure of one article from its repaired text.
//!
//! Headline, timestamp (with revision note), dateline, paragraphs,
//! sub-headings and trailer, as described in ARTICLE-FORMAT. Parsing never
//! renders and never looks at other files; it returns a plain [`Article`] or
//! a [`ParseError`] naming the line and what was expected.

mod chars;
pub(crate) use chars::{RunChars, char_at, for_each_run};
mod dateline;
mod revision;
mod timestamp;

/// Times as numbers in the build cache, which holds a head for every file
/// of an archive: read back as text, parsing them took a fifth of loading
/// the cache.
mod compact_time {
    use chrono::{DateTime, FixedOffset, NaiveDateTime};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    /// An instant with its offset: (Unix seconds, nanoseconds, offset seconds east of UTC).
    pub mod instant {
        use super::*;

        pub fn serialize<S: Serializer>(time: &DateTime<FixedOffset>, to: S) -> Result<S::Ok, S::Error> {
            (time.timestamp(), time.timestamp_subsec_nanos(), time.offset().local_minus_utc()).serialize(to)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<DateTime<FixedOffset>, D::Error> {
            let (seconds, nanos, offset) = <(i64, u32, i32)>::deserialize(from)?;
            let offset = FixedOffset::east_opt(offset).ok_or_else(|| D::Error::custom("offset out of range"))?;
            let utc = DateTime::from_timestamp(seconds, nanos).ok_or_else(|| D::Error::custom("time out of range"))?;
            Ok(utc.with_timezone(&offset))
        }
    }

    /// A wall-clock time: (seconds since 1970-01-01T00:00, nanoseconds).
    pub mod naive {
        use super::*;

        pub fn serialize<S: Serializer>(time: &NaiveDateTime, to: S) -> Result<S::Ok, S::Error> {
            let utc = time.and_utc();
            (utc.timestamp(), utc.timestamp_subsec_nanos()).serialize(to)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<NaiveDateTime, D::Error> {
            let (seconds, nanos) = <(i64, u32)>::deserialize(from)?;
            let utc = DateTime::from_timestamp(seconds, nanos).ok_or_else(|| D::Error::custom("time out of range"))?;
            Ok(utc.naive_utc())
        }
    }
}

/// Text in the build cache, read back with its UTF-8 checked by a vector
/// search: checked a byte at a time by the standard reader, the texts of an
/// archive's heads took a twelfth of a rebuild's instructions. Written as
/// any text; the cache's format writes text and bytes alike.
pub(crate) mod cached_text {
    use serde::Deserializer;
    use serde::de::{Error, Visitor};

    struct Text;

    impl Visitor<'_> for Text {
        type Value = String;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("text")
        }

        fn visit_str<E: Error>(self, text: &str) -> Result<String, E> {
            Ok(text.to_owned())
        }

        fn visit_string<E: Error>(self, text: String) -> Result<String, E> {
            Ok(text)
        }

        fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<String, E> {
            simdutf8::basic::from_utf8(bytes).map(str::to_owned).map_err(|_| E::custom("text that is not UTF-8"))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<String, D::Error> {
        from.deserialize_bytes(Text)
    }
}

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, NaiveDateTime};

use chars::clean_line;
use serde::{Deserialize, Serialize};

pub use chars::{binary_reason, is_forbidden, is_invisible_control};
pub use dateline::{Dateline, split_dateline};
pub use revision::{Revision, RevisionKind, revision_kind};
pub use timestamp::{Stamp, berlin_time, split_timestamp};

/// One version of one story, as the reporter wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Article {
    pub headline: String,
    /// The instant, with Berlin's offset.
    pub timestamp: DateTime<FixedOffset>,
    /// The wall-clock time as written in the file.
    pub written_time: NaiveDateTime,
    pub revision: Option<Revision>,
    pub dateline: Option<Dateline>,
    /// Paragraphs and sub-headings in order; the first paragraph without its dateline.
    pub blocks: Vec<Block>,
    pub trailer: Vec<String>,
}

/// What listings, feeds and grouping need of an article without its body:
/// kept for every version of an archive, while the full [`Article`] is
/// parsed again only when its story is rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleHead {
    #[serde(deserialize_with = "cached_text::deserialize")]
    pub headline: String,
    #[serde(with = "compact_time::instant")]
    pub timestamp: DateTime<FixedOffset>,
    #[serde(with = "compact_time::naive")]
    pub written_time: NaiveDateTime,
    pub revision: Option<Revision>,
    pub dateline: Option<Dateline>,
    /// The first paragraph, at most ~300 characters, cut at a word.
    #[serde(deserialize_with = "cached_text::deserialize")]
    pub teaser: String,
}

/// Longest teaser before it is cut at a word.
const TEASER_CHARS: usize = 300;

impl Article {
    /// The article's head: everything but its body and trailer.
    pub fn head(&self) -> ArticleHead {
        ArticleHead {
            headline: self.headline.clone(),
            timestamp: self.timestamp,
            written_time: self.written_time,
            revision: self.revision.clone(),
            dateline: self.dateline.clone(),
            teaser: self.teaser(),
        }
    }

    /// The first paragraph, at most ~300 characters, cut at a word.
    pub fn teaser(&self) -> String {
        let first = self.blocks.iter().find(|b| matches!(b, Block::Paragraph(_))).map(Block::text).unwrap_or("");
        if first.chars().count() <= TEASER_CHARS {
            return first.to_string();
        }
        let cut: String = first.chars().take(TEASER_CHARS).collect();
        let at_word = cut.rfind(' ').unwrap_or(cut.len());
        format!("{} …", &cut[..at_word])
    }
}

/// A piece of body text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum Block {
    Paragraph(String),
    Subheading(String),
}

impl Block {
    pub fn text(&self) -> &str {
        match self {
            Block::Paragraph(text) | Block::Subheading(text) => text,
        }
    }
}

/// Why a file is not an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line in the file.
    pub line: usize,
    pub message: String,
}

/// A parsed article and what was odd about it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub article: Article,
    /// (line, message) pairs.
    pub warnings: Vec<(usize, String)>,
}

/// Longest line that can still be a sub-heading.
const SUBHEADING_MAX_CHARS: usize = 100;
/// A longer headline is published, with a warning: it usually means the
/// line break after the headline is missing.
const HEADLINE_WARN_CHARS: usize = 300;

/// Parse the text of one article file (line ends already `\n`).
pub fn parse_article(text: &str) -> Result<Parsed, ParseError> {
    if let Some((line, message)) = binary_reason(text) {
        return Err(ParseError { line, message });
    }
    parse_stored_article(text)
}

/// [`parse_article`] of a text that it parsed before (read back from the
/// store to render its story): the check that the text is no binary data,
/// which looks at every byte and passed then, is not made again.
pub fn parse_stored_article(text: &str) -> Result<Parsed, ParseError> {
    if let Some(line) = invisible_headline(text) {
        let message = "the headline holds only invisible or control characters; expected a headline".into();
        return Err(ParseError { line, message });
    }
    let mut warnings = Vec::new();
    let lines: Vec<(usize, Cow<str>)> = text
        .split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, clean_line(line, i + 1, &mut warnings)))
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    let mut lines = lines.into_iter();
    let Some((headline_line, headline)) = lines.next() else {
        return Err(ParseError { line: 1, message: "the file is empty; expected a headline on line 1".into() });
    };
    let headline = collapse_spaces(headline);
    let headline_chars = headline.chars().count();
    if headline_chars > HEADLINE_WARN_CHARS {
        warnings.push((
            headline_line,
            format!("the headline is {headline_chars} characters long; is the line break after it missing?"),
        ));
    }
    let (stamp_line, stamp_text) = lines.next().ok_or_else(|| ParseError {
        line: text.split('\n').count().max(2),
        message: "expected a timestamp line `DD.MM.YYYY - HH:MM:SS` after the headline, found the end of the file"
            .into(),
    })?;
    let (stamp, after_stamp) =
        split_timestamp(&stamp_text).map_err(|message| ParseError { line: stamp_line, message })?;
    if let Some(warning) = &stamp.warning {
        warnings.push((stamp_line, warning.clone()));
    }
    let mut revision = note_after_timestamp(after_stamp, stamp_line, &mut warnings);
    let body: Vec<(usize, Cow<str>)> = lines.collect();
    let Some(first_line) = body.first().map(|(n, _)| *n) else {
        return Err(ParseError { line: stamp_line + 1, message: "the article has no text after the timestamp".into() });
    };
    let (dateline, blocks, trailer) = parse_body(body, &mut revision);
    if blocks.is_empty() {
        return Err(ParseError { line: first_line, message: "the article has no text after its dateline".into() });
    }
    if dateline.is_none() {
        warnings.push((first_line, "no dateline `ORT (dpa-AFX) - ` at the start of the text".into()));
    }
    let article = Article {
        headline,
        timestamp: stamp.instant,
        written_time: stamp.written,
        revision,
        dateline,
        blocks,
        trailer,
    };
    Ok(Parsed { article, warnings })
}

/// The line of a first non-blank line that is blank once cleaned: without
/// this, the timestamp line would be taken for the headline.
fn invisible_headline(text: &str) -> Option<usize> {
    let (index, line) = text.split('\n').enumerate().find(|(_, line)| !line.trim().is_empty())?;
    clean_line(line, index + 1, &mut Vec::new()).trim().is_empty().then_some(index + 1)
}

/// The rest of the timestamp line is the revision note, if any.
fn note_after_timestamp(rest: &str, line: usize, warnings: &mut Vec<(usize, String)>) -> Option<Revision> {
    let rest = rest.trim();
    if rest.is_empty() {
        return None;
    }
    if !(rest.starts_with('(') && rest.ends_with(')')) {
        warnings.push((line, format!("text after the timestamp is not a parenthesised note: {rest:?}")));
    }
    Some(Revision::new(rest))
}

/// Dateline, blocks and trailer of the body lines.
fn parse_body(
    body: Vec<(usize, Cow<str>)>,
    revision: &mut Option<Revision>,
) -> (Option<Dateline>, Vec<Block>, Vec<String>) {
    let mut texts: Vec<String> = body.into_iter().map(|(_, text)| collapse_spaces(text)).collect();
    let trailer = split_trailer(&mut texts);
    let mut first = texts.first().cloned().unwrap_or_default();
    if let Some((note, rest)) = revision::leading_note(&first) {
        if revision.is_none() {
            *revision = Some(note);
        }
        first = rest.to_string();
    }
    let dateline = match split_dateline(&first) {
        Some((dateline, rest)) => {
            first = rest.to_string();
            Some(dateline)
        }
        None => None,
    };
    if let Some(slot) = texts.first_mut() {
        *slot = first;
    }
    texts.retain(|text| !text.is_empty());
    (dateline, classify_blocks(texts), trailer)
}

/// Take editor initials (`/gl/jha/`) and `Quelle:` lines off the end.
fn split_trailer(texts: &mut Vec<String>) -> Vec<String> {
    let mut trailer = Vec::new();
    while texts.len() > 1 && texts.last().is_some_and(|t| is_trailer_line(t)) {
        trailer.push(texts.pop().unwrap_or_default());
    }
    trailer.reverse();
    trailer
}

fn is_trailer_line(text: &str) -> bool {
    let initials = text.contains('/')
        && text.len() <= 40
        && text.split('/').all(|part| part.chars().all(|c| c.is_ascii_alphanumeric()))
        && text.split('/').filter(|part| !part.is_empty()).count() >= 2;
    initials || text.starts_with("Quelle:")
}

/// Short lines without final punctuation, with text after them, are sub-headings.
fn classify_blocks(texts: Vec<String>) -> Vec<Block> {
    let count = texts.len();
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            if i > 0 && i + 1 < count && looks_like_subheading(&text) {
                Block::Subheading(text)
            } else {
                Block::Paragraph(text)
            }
        })
        .collect()
}

fn looks_like_subheading(text: &str) -> bool {
    let last = text.chars().last().unwrap_or('.');
    let ends_open = !matches!(last, '.' | '!' | '?' | ':' | ';' | ',' | '"' | '“' | '”' | '«' | '»' | ')' | '…' | '\'');
    let starts_capital = text.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
    ends_open && starts_capital && text.chars().count() <= SUBHEADING_MAX_CHARS
}

/// Squeeze runs of spaces and tabs to one space, trim the ends.
fn collapse_spaces(text: Cow<str>) -> String {
    // Most lines have nothing to collapse: kept as they are, and copied
    // only if borrowed.
    let at_ends = |c: Option<char>| c.is_some_and(char::is_whitespace);
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, b"  ").is_none()
        && memchr::memchr(b'\t', bytes).is_none()
        && !at_ends(text.chars().next())
        && !at_ends(text.chars().next_back())
    {
        return text.into_owned();
    }
    let mut collapsed = String::with_capacity(text.len());
    for word in text.split([' ', '\t']).filter(|w| !w.is_empty()) {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    // Any other space at either end goes too (a no-break or an em space);
    // inside it stays, where it keeps a figure such as `19 500` together.
    let trimmed = collapsed.trim_matches(char::is_whitespace);
    if trimmed.len() == collapsed.len() { collapsed } else { trimmed.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Nato: Russische Verluste bei mehr als 600.000 Soldaten\n28.10.2024 - 14:57:43(neu: Details)\nBRÜSSEL (dpa-AFX) - Die Nato provoziert.\nDazu ergänzte er etwas.\nNordkoreaner Nato zufolge schon in grenznaher Region Kursk\nRutte äußerte sich.\n";

    #[test]
    fn a_stored_text_parses_as_it_did_when_read() {
        let texts =
            [SAMPLE, "Titel\n01.02.2024 - 10:00:00 (neu: Details)\nBERLIN (dpa) - Text.\n\nZwischentitel\nMehr.\n"];
        for text in texts {
            let (read, stored) = (parse_article(text).unwrap(), parse_stored_article(text).unwrap());
            assert_eq!((read.article, read.warnings), (stored.article, stored.warnings));
        }
        let binary =
            "Titel\n01.02.2024 - 10:00:00\nBERLIN (dpa) - Text \u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{e}\u{f}.\n";
        assert!(parse_article(binary).unwrap_err().message.contains("binary data"));
        assert!(parse_stored_article(binary).is_ok(), "only reading checks for binary data");
    }

    #[test]
    fn a_head_comes_back_from_the_cache_as_it_went_in() {
        let head = parse_article(SAMPLE).unwrap().article.head();
        let mut later = head.clone();
        later.timestamp += chrono::Duration::nanoseconds(123_456_789);
        for head in [head, later] {
            let stored = postcard::to_allocvec(&head).unwrap();
            let back: ArticleHead = postcard::from_bytes(&stored).unwrap();
            assert_eq!(back, head);
            assert_eq!(back.timestamp.offset(), head.timestamp.offset(), "the offset is kept, not only the instant");
        }
    }

    #[test]
    fn a_headline_loses_every_kind_of_space_at_its_ends() {
        for headline in ["Titel\u{A0}", "\u{3000}Titel", "Titel\u{2003}", "\u{A0} Titel \u{A0}"] {
            let parsed = parse_article(&format!("{headline}\n01.02.2024 - 10:00:00\nBERLIN (dpa) - Text.\n")).unwrap();
            assert_eq!(parsed.article.headline, "Titel", "{headline:?}");
        }
        let parsed = parse_article("19\u{A0}500 Punkte\n01.02.2024 - 10:00:00\nBERLIN (dpa) - Text.\n").unwrap();
        assert_eq!(parsed.article.headline, "19\u{A0}500 Punkte", "a space inside stays");
    }

    #[test]
    fn parses_all_parts() {
        let parsed = parse_article(SAMPLE).unwrap();
        let a = parsed.article;
        assert_eq!(a.headline, "Nato: Russische Verluste bei mehr als 600.000 Soldaten");
        assert_eq!(a.timestamp.to_rfc3339(), "2024-10-28T14:57:43+01:00");
        let revision = a.revision.unwrap();
        assert_eq!(revision.raw, "(neu: Details)");
        assert_eq!(revision.kind, RevisionKind::NewDetails);
        assert_eq!(a.dateline.unwrap().places, ["BRÜSSEL"]);
        assert_eq!(a.blocks[0], Block::Paragraph("Die Nato provoziert.".into()));
        assert_eq!(a.blocks[2], Block::Subheading("Nordkoreaner Nato zufolge schon in grenznaher Region Kursk".into()));
        assert_eq!(a.blocks.len(), 4);
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn blank_lines_trailer_and_note_on_line_three() {
        let text = "Titel\n\n01.07.2024 - 09:00:00\n\n(Wiederholung) BERLIN (dpa) - Text.\n\nMehr Text.\n/gl/jha/\n";
        let a = parse_article(text).unwrap().article;
        assert_eq!(a.revision.unwrap().kind, RevisionKind::Repeat);
        assert_eq!(a.dateline.unwrap().agency, "dpa");
        assert_eq!(a.trailer, ["/gl/jha/"]);
        assert_eq!(a.blocks.len(), 2);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse_article("").unwrap_err().line, 1);
        assert_eq!(parse_article("  \n\n").unwrap_err().line, 1);
        let only_headline = parse_article("Nur eine Zeile\n").unwrap_err();
        assert_eq!(only_headline.line, 2);
        let bad_date = parse_article("Titel\n31.02.2024 - 10:00:00\nText").unwrap_err();
        assert_eq!((bad_date.line, bad_date.message.contains("not a date")), (2, true));
        let no_text = parse_article("Titel\n\n01.02.2024 - 10:00:00\n").unwrap_err();
        assert_eq!(no_text.line, 4);
    }

    #[test]
    fn control_characters_are_removed_and_reported() {
        let parsed = parse_article("Ti\u{1}tel\u{85}\n01.02.2024 - 10:00:00\nBERLIN (dpa) - Te\u{FFFF}xt.").unwrap();
        assert_eq!(parsed.article.headline, "Titel");
        assert_eq!(parsed.article.blocks[0].text(), "Text.");
        assert_eq!(parsed.warnings.iter().map(|w| w.0).collect::<Vec<_>>(), [1, 3]);
    }
}
