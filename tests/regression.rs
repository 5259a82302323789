//! One test per bug found in bad input (most by fuzzing), and the kept fuzz
//! corpus replayed through the same checks the fuzz targets make, so that
//! `cargo test` covers every interesting input without cargo-fuzz.
//!
//! The corpus lives in `tests/fuzz_corpus/<target>/`; `fuzz/README.md` says
//! how it was made and how to refresh it.

#[path = "../fuzz/invariants.rs"]
mod invariants;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Duration;

use depesche::config::Config;
use depesche::parse::parse_article;
use depesche::repair::Lexicon;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_corpus").join(target)
}

/// Every file of a corpus, sorted, with its bytes.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus_dir(target))
        .unwrap_or_else(|e| panic!("corpus {target}: {e}"))
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Run `check` on every input of a corpus; fail naming every input that broke it.
fn replay(target: &str, check: impl Fn(&[u8])) {
    let inputs = corpus(target);
    assert!(inputs.len() >= 10, "corpus {target} holds only {} inputs", inputs.len());
    let failed: Vec<&str> = inputs
        .iter()
        .filter(|(_, bytes)| catch_unwind(AssertUnwindSafe(|| check(bytes))).is_err())
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(failed.is_empty(), "{} of {} {target} inputs fail: {failed:?}", failed.len(), inputs.len());
}

#[test]
fn decode_repair_corpus_replays() {
    let lexicon = Lexicon::builtin();
    replay("decode_repair", |bytes| invariants::check_decode_repair(bytes, &lexicon));
}

/// The parse corpus holds only what the decode corpus does not already reach.
#[test]
fn parse_article_corpus_replays() {
    for target in ["parse_article", "decode_repair"] {
        replay(target, |bytes| invariants::check_parse(&String::from_utf8_lossy(bytes)));
    }
}

#[test]
fn site_corpus_replays() {
    replay("site", invariants::check_build);
}

/// Duplicates used to be found by a hash of the lossily decoded bytes, so
/// two Windows-1252 files differing only in an umlaut were "the same".
#[test]
fn duplicates_are_judged_by_bytes_not_by_lossy_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), b"M\xfcller\n01.02.2024 - 10:00:00\nBERLIN (dpa) - Text.\n").unwrap();
    std::fs::write(dir.path().join("b.txt"), b"M\xe4ller\n01.02.2024 - 10:00:00\nBERLIN (dpa) - Text.\n").unwrap();
    let loaded = depesche::build::load(dir.path(), &Config::embedded(), chrono::Utc::now(), None).unwrap();
    assert!(loaded.rejected.is_empty(), "{:?}", loaded.rejected);
    assert_eq!(loaded.summary().articles, 2);
}

/// A first line of zero-width characters used to vanish, so the timestamp
/// line was read as the headline and the error pointed at line 3.
#[test]
fn a_headline_of_invisible_characters_is_an_error_on_line_one() {
    let error = parse_article("\u{200B}\u{2060}\n01.02.2024 - 10:00:00\nBERLIN (dpa) - Text.\n").unwrap_err();
    assert_eq!(error.line, 1);
    assert!(error.message.contains("only invisible or control characters"), "{}", error.message);
}

/// A FIFO named `.txt` used to be opened, which blocks until someone writes to it.
#[cfg(unix)]
#[test]
fn a_named_pipe_is_rejected_without_being_opened() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mkfifo").arg(dir.path().join("pipe.txt")).status().unwrap();
    assert!(status.success());
    let loaded = depesche::build::load(dir.path(), &Config::embedded(), chrono::Utc::now(), None).unwrap();
    assert_eq!(loaded.rejected.len(), 1);
    assert!(loaded.rejected[0].error.contains("named pipe"), "{:?}", loaded.rejected);
}

/// Fuzzing (decode_repair, timeout-bdccdb8f…): a word of forty lone `Ã`
/// multiplies the candidates of every lost letter; the count overflows
/// (`attempt to multiply with overflow` in debug builds, an endless loop in
/// release builds). The count now saturates, so the combination cap applies.
#[test]
fn a_word_of_lone_lead_bytes_neither_panics_nor_hangs() {
    let bytes = std::fs::read(corpus_dir("findings").join("repair-combination-overflow.txt")).unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ok = catch_unwind(|| invariants::check_decode_repair(&bytes, &Lexicon::builtin())).is_ok();
        done.send(ok).ok();
    });
    let ok = finished.recv_timeout(Duration::from_secs(60)).expect("repair still runs after 60 s");
    assert!(ok, "repair panicked");
}

/// Fuzzing (round 3, decode_repair and parse_article): a headline kept a
/// no-break, em or ideographic space at its start or end; only spaces and
/// tabs were trimmed. Every kind of space at either end goes now.
#[test]
fn a_headline_is_trimmed_of_every_kind_of_space() {
    for name in [
        "headline-ends-in-no-break-space.txt",
        "headline-ends-in-em-space.txt",
        "headline-starts-with-ideographic-space.txt",
    ] {
        let bytes = std::fs::read(corpus_dir("findings").join(name)).unwrap();
        invariants::check_decode_repair(&bytes, &Lexicon::builtin());
        invariants::check_parse(&String::from_utf8_lossy(&bytes));
    }
}
