//! The rules of the built-in word lists (`src/repair/LEXICON.md`), checked on
//! every `cargo test`; `bench/lexicon_check.py` checks the same and can
//! rewrite the files to follow them.

use std::collections::HashMap;
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

const FILES: [&str; 2] = ["src/repair/lexicon-de.txt", "src/repair/lexicon-names-de.txt"];

/// Letters with single inner hyphens (`Baden-Baden`).
fn is_entry(entry: &str) -> bool {
    !entry.is_empty() && entry.split('-').all(|part| !part.is_empty() && part.chars().all(char::is_alphabetic))
}

fn key(entry: &str) -> (String, &str) {
    (entry.to_lowercase(), entry)
}

#[test]
fn word_lists_follow_their_rules() {
    let mut problems = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for file in FILES {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let header = lines.iter().take_while(|l| l.starts_with('#')).count();
        if header == 0 {
            problems.push(format!("{file}: no `#` header"));
        }
        let entries = &lines[header..];
        for (n, entry) in entries.iter().enumerate().map(|(i, e)| (i + header + 1, *e)) {
            if !is_entry(entry) {
                problems.push(format!("{file}:{n}: not letters and inner hyphens: {entry:?}"));
            }
            if entry.nfc().collect::<String>() != entry {
                problems.push(format!("{file}:{n}: not NFC: {entry:?}"));
            }
            if let Some(first) = seen.insert(entry.to_string(), format!("{file}:{n}")) {
                problems.push(format!("{file}:{n}: {entry:?} also at {first}"));
            }
        }
        for (n, pair) in entries.windows(2).enumerate().map(|(i, p)| (i + header + 2, p)) {
            if key(pair[0]) >= key(pair[1]) {
                problems.push(format!("{file}:{n}: {:?} not after {:?} (unsorted or repeated)", pair[1], pair[0]));
            }
        }
    }
    assert!(problems.is_empty(), "run `python3 bench/lexicon_check.py --write`:\n{}", problems.join("\n"));
}

/// The script that tidies the lists agrees that they follow the rules, so it
/// cannot rot either. Skipped without `python3`, unless
/// `DEPESCHE_EXTERNAL=require`, as the other checks run by outside tools.
#[test]
fn lexicon_check_script_agrees() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::process::Command::new("python3").arg(root.join("bench/lexicon_check.py")).output() {
        Ok(out) => assert!(
            out.status.success(),
            "bench/lexicon_check.py failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(error) if std::env::var("DEPESCHE_EXTERNAL").as_deref() == Ok("require") => {
            panic!("python3 is needed for bench/lexicon_check.py: {error}")
        }
        Err(error) => eprintln!("skipped bench/lexicon_check.py: python3 cannot run ({error})"),
    }
}
