//! Every file under the input folder is published, rejected or ignored,
//! exactly once, and the counts add up in the summary line and in
//! `depesche list --json`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{Built, build, depesche, fixture};

/// Every entry under `input` that is not a folder, as the walk sees it
/// (links not followed); a folder that cannot be read counts as one entry.
fn entries(input: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(input).min_depth(1).sort_by_file_name() {
        let path = match &entry {
            Ok(e) if e.file_type().is_dir() => continue,
            Ok(e) => e.path().to_path_buf(),
            Err(error) => error.path().unwrap().to_path_buf(),
        };
        let rel = path.strip_prefix(input).unwrap().to_string_lossy().replace('\\', "/");
        found.push(rel);
    }
    found.sort();
    found
}

/// `N files (P published, R rejected, I ignored)` from the summary line.
fn summary_counts(stdout: &str) -> [usize; 4] {
    let start = stdout.find(" files (").unwrap_or_else(|| panic!("no summary line in {stdout:?}"));
    let total = stdout[..start].rsplit(' ').next().unwrap().parse().unwrap();
    let inner = &stdout[start + " files (".len()..];
    let inner = &inner[..inner.find(')').unwrap()];
    let numbers: Vec<usize> = inner.split(", ").map(|part| part.split(' ').next().unwrap().parse().unwrap()).collect();
    [total, numbers[0], numbers[1], numbers[2]]
}

/// The summary and `list --json` agree with each other and with the folder:
/// every entry is in exactly one of published, rejected and ignored.
pub fn assert_accounted(built: &Built, input: &Path) {
    let [total, published, rejected, ignored] = summary_counts(&built.stdout());
    assert_eq!(total, published + rejected + ignored, "the summary does not add up: {}", built.stdout());
    let dir = tempfile::tempdir().unwrap();
    let list = depesche(dir.path(), &["list", "--json", "--input", input.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let files = &json["files"];
    assert_eq!(
        [&files["files"], &files["published"], &files["rejected"], &files["ignored"]],
        [total, published, rejected, ignored]
    );
    let mut outcome: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for story in json["stories"].as_array().unwrap() {
        for version in story["versions"].as_array().unwrap() {
            outcome.entry(version["source"].as_str().unwrap().into()).or_default().push("published");
        }
    }
    for (key, what) in [("rejected", "rejected"), ("ignored", "ignored")] {
        for entry in json[key].as_array().unwrap() {
            outcome.entry(entry["source"].as_str().unwrap().into()).or_default().push(what);
        }
    }
    let counted: usize = outcome.values().map(Vec::len).sum();
    assert_eq!(counted, total, "list --json lists {counted} outcomes for {total} files");
    for (source, outcomes) in &outcome {
        assert_eq!(outcomes.len(), 1, "{source} is {outcomes:?}");
    }
    let listed: Vec<&String> = outcome.keys().collect();
    let walked = entries(input);
    assert_eq!(listed, walked.iter().collect::<Vec<_>>(), "the lists and the folder disagree");
}

#[test]
fn a_folder_of_good_and_bad_files_adds_up() {
    let built = build(&fixture("mixed"), &[]);
    assert_accounted(&built, &fixture("mixed"));
    assert_eq!(summary_counts(&built.stdout()), [6, 2, 3, 1]);
}

#[test]
fn the_nasty_folder_adds_up() {
    let built = build(&fixture("nasty"), &[]);
    assert_accounted(&built, &fixture("nasty"));
    let [total, published, rejected, ignored] = summary_counts(&built.stdout());
    assert_eq!((total, ignored), (41, 5), "{}", built.stdout());
    assert!(published >= 15 && rejected >= 14, "{}", built.stdout());
}

#[test]
fn check_and_list_count_like_build() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("nasty");
    let check = depesche(dir.path(), &["check", "--input", input.to_str().unwrap()]);
    let built = build(&input, &[]);
    assert_eq!(summary_counts(&String::from_utf8_lossy(&check.stdout)), summary_counts(&built.stdout()));
}
