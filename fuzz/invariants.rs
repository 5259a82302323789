//! What must hold for any input, checked by the fuzz targets and by the
//! corpus replay test of the main crate (`tests/regression.rs`), which
//! includes this file with `#[path]` so both check exactly the same rules.
//!
//! Each check panics with a message naming the broken rule; it must never
//! depend on anything but its input, so a failure always replays.

#![allow(dead_code)]

use depesche::decode::decode;
use depesche::parse::{Article, is_forbidden, parse_article};
use depesche::repair::{Lexicon, repair};
use depesche::slug::slugify;

/// Characters of clean German wire text, one picked per input byte.
const CLEAN_ALPHABET: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w',
    'x', 'y', 'z', 'A', 'B', 'D', 'E', 'F', 'G', 'H', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'T', 'U', 'W', 'Z', '0', '1',
    '2', '5', '9', ' ', ' ', ' ', ' ', '\n', '.', ',', ':', ';', '!', '?', '-', '(', ')', '/', '%', '&', '"', '\'',
    'ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü', 'ß', '„', '“', '–', '€', '…', '§', '°',
];

/// Bytes → decode → repair → parse: nothing panics, clean text is left
/// alone, and a parsed article holds no character XML forbids.
pub fn check_decode_repair(data: &[u8], lexicon: &Lexicon) {
    let decoded = decode(data);
    let repaired = repair(&decoded.text, lexicon);
    for r in &repaired.repairs {
        assert!(r.line >= 1, "a repair names line 0: {r:?}");
    }
    if let Ok(parsed) = parse_article(&repaired.text) {
        check_article(&parsed.article);
    }
    check_clean_text_is_identity(data, lexicon);
}

/// Typographic signs that stand for bytes 0x80–0xBF in Windows-1252: right
/// after a non-ASCII letter they would spell real mojibake (`Ä§` is `ħ`).
const SIGNS: &[char] = &['„', '“', '–', '€', '…', '§', '°'];

/// Text spelled from [`CLEAN_ALPHABET`] is what a reporter writes; repair
/// must not touch it. A sign never follows a non-ASCII letter directly
/// (German words do not do that; mojibake does), so a space goes between.
pub fn clean_text(data: &[u8]) -> String {
    let mut clean = String::with_capacity(data.len() * 2);
    for &byte in data {
        let c = CLEAN_ALPHABET[byte as usize % CLEAN_ALPHABET.len()];
        if SIGNS.contains(&c) && clean.chars().last().is_some_and(|last| !last.is_ascii()) {
            clean.push(' ');
        }
        clean.push(c);
    }
    clean
}

/// Repair of clean text is the identity.
pub fn check_clean_text_is_identity(data: &[u8], lexicon: &Lexicon) {
    let clean = clean_text(data);
    let repaired = repair(&clean, lexicon);
    assert!(repaired.repairs.is_empty(), "repair changed clean text {clean:?}: {:?}", repaired.repairs);
    assert_eq!(repaired.text, clean, "repair changed clean text");
}

/// Text → parse: nothing panics; an article that parses is safe to publish.
pub fn check_parse(text: &str) {
    match parse_article(text) {
        Ok(parsed) => {
            check_article(&parsed.article);
            let lines = text.split('\n').count();
            for (line, message) in &parsed.warnings {
                assert!((1..=lines).contains(line), "warning on line {line} of {lines}: {message}");
            }
        }
        Err(error) => {
            let lines = text.split('\n').count();
            assert!((1..=lines + 1).contains(&error.line), "error on line {} of {lines}", error.line);
            assert!(!error.message.is_empty(), "an error without a message");
        }
    }
}

/// The promises of a parsed article: a visible headline, a safe slug, no
/// forbidden character and no line break in any field, a time that round-trips.
pub fn check_article(article: &Article) {
    assert!(!article.headline.trim().is_empty(), "empty headline");
    assert_eq!(article.headline.trim(), article.headline, "headline not trimmed");
    check_slug(&slugify(&article.headline));
    let mut fields: Vec<&str> = vec![&article.headline];
    fields.extend(article.blocks.iter().map(|b| b.text()));
    fields.extend(article.trailer.iter().map(String::as_str));
    if let Some(revision) = &article.revision {
        fields.extend([revision.raw.as_str(), revision.text.as_str()]);
    }
    if let Some(dateline) = &article.dateline {
        fields.extend([dateline.raw.as_str(), dateline.agency.as_str()]);
        fields.extend(dateline.places.iter().map(String::as_str));
    }
    for field in fields {
        if let Some(c) = field.chars().find(|&c| is_forbidden(c) || c == '\n' || c == '\r') {
            panic!("field {field:?} holds U+{:04X}", c as u32);
        }
    }
    assert!(!article.blocks.is_empty(), "an article without text");
    for block in &article.blocks {
        assert!(!block.text().trim().is_empty(), "an empty block");
    }
    let local = article.timestamp.naive_local();
    let shift = (local - article.written_time).num_minutes();
    assert!(shift == 0 || shift == 60, "written {} but read as {}", article.written_time, article.timestamp);
    serde_json::to_string(article).expect("an article serialises");
}

/// A slug is never empty, never a path and never more than a plain name.
pub fn check_slug(slug: &str) {
    assert!(!slug.is_empty(), "empty slug");
    assert!(slug.len() <= 80, "slug too long: {slug}");
    assert!(slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "unsafe slug {slug:?}");
    assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "ragged slug {slug:?}");
}

/// Bytes → a folder of up to eight files (split at 0x1E) → a whole build.
pub fn check_build(data: &[u8]) {
    use depesche::build::{BuildOptions, build};
    let dir = tempfile::tempdir().expect("a temporary folder");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let parts: Vec<&[u8]> = data.split(|&b| b == 0x1E).take(8).collect();
    for (i, part) in parts.iter().enumerate() {
        std::fs::write(input.join(format!("{i}.txt")), part).unwrap();
    }
    let now = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap().to_utc();
    let options = BuildOptions {
        input,
        output: dir.path().join("out"),
        config: depesche::config::Config::embedded(),
        template_dir: None,
        now,
        clean: false,
    };
    let built = build(&options).expect("a build of readable files never fails");
    let summary = built.summary();
    assert_eq!(summary.articles + summary.rejected + summary.ignored, parts.len(), "{summary:?}");
    for entry in walkdir::WalkDir::new(dir.path().join("out")) {
        let entry = entry.unwrap();
        let path = entry.path();
        if !entry.file_type().is_file() || path.ends_with("source.txt") {
            continue;
        }
        // Pagefind's compressed index and WebAssembly are not text.
        let site_path = path.strip_prefix(dir.path().join("out")).unwrap().to_string_lossy().replace('\\', "/");
        if site_path.starts_with("suche/index/") || site_path.starts_with("suche/pagefind/") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        if let Some(c) = text.chars().find(|&c| is_forbidden(c) && c != '\n') {
            panic!("{} holds U+{:04X}", path.display(), c as u32);
        }
        if path.extension().is_some_and(|e| e == "xml")
            && let Err(error) = roxmltree::Document::parse(&text)
        {
            panic!("{} is not well-formed: {error}", path.display());
        }
    }
    let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, [".out.depesche-cache", "in", "out"], "only the input, the output and its cache");
}
