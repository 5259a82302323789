//! Grouping at scale against the generator's truth: the shared benchmark
//! generator (`../shared/bench/gen_corpus.py`) writes 10,000 wire files and,
//! with `--truth`, which story each file belongs to. `depesche list --json`
//! must find exactly those stories: pairwise precision and recall of "the
//! same story" both 1.0 (no two stories merged, no story split).
//!
//! Without python3 or the generator the test says `skipped …` and passes;
//! `DEPESCHE_EXTERNAL=require` (CI) makes that a failure.

use crate::support::{depesche, generate_wire};
use std::collections::{BTreeMap, BTreeSet};

/// Article files generated.
const FILES: usize = 10_000;

/// Pairs among `n` items.
fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

#[test]
fn grouping_of_ten_thousand_generated_files_matches_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let (wire, truth_file) = (dir.path().join("wire"), dir.path().join("truth.json"));
    if !generate_wire("grouping at scale", FILES, &wire, Some(&truth_file)) {
        return;
    }
    let truth: BTreeMap<String, u64> = serde_json::from_slice(&std::fs::read(&truth_file).unwrap()).unwrap();
    assert_eq!(truth.len(), FILES, "the truth names every generated file");

    let list = depesche(dir.path(), &["list", "--json", "--input", wire.to_str().unwrap()]);
    assert!(list.status.success(), "depesche list failed: {}", String::from_utf8_lossy(&list.stderr));
    let json: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(json["rejected"], serde_json::json!([]), "generated files were rejected");

    // The story depesche put each file in.
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    for (story, entry) in json["stories"].as_array().unwrap().iter().enumerate() {
        for version in entry["versions"].as_array().unwrap() {
            let source = version["source"].as_str().unwrap().to_string();
            assert!(found.insert(source.clone(), story).is_none(), "{source} is in two stories");
        }
    }
    let (truth_files, found_files): (BTreeSet<&String>, BTreeSet<&String>) =
        (truth.keys().collect(), found.keys().collect());
    assert_eq!(truth_files, found_files, "the published files are not the generated ones");

    // Pairwise: a pair of files is positive when it is one story.
    let mut cells: BTreeMap<(usize, u64), u64> = BTreeMap::new();
    let mut found_sizes: BTreeMap<usize, u64> = BTreeMap::new();
    let mut truth_sizes: BTreeMap<u64, u64> = BTreeMap::new();
    for (file, story) in &found {
        *cells.entry((*story, truth[file])).or_default() += 1;
        *found_sizes.entry(*story).or_default() += 1;
        *truth_sizes.entry(truth[file]).or_default() += 1;
    }
    let both: u64 = cells.values().map(|&n| pairs(n)).sum();
    let found_pairs: u64 = found_sizes.values().map(|&n| pairs(n)).sum();
    let truth_pairs: u64 = truth_sizes.values().map(|&n| pairs(n)).sum();
    let precision = if found_pairs == 0 { 1.0 } else { both as f64 / found_pairs as f64 };
    let recall = if truth_pairs == 0 { 1.0 } else { both as f64 / truth_pairs as f64 };
    crate::external::tell(&format!(
        "grouping at scale: {} files, {} stories found, {} in the truth; same-story pairs: {found_pairs} found, \
         {truth_pairs} true, {both} both; precision {precision:.6}, recall {recall:.6}",
        found.len(),
        found_sizes.len(),
        truth_sizes.len(),
    ));
    assert!(truth_pairs > 1000, "the generator made too few revisions to test: {truth_pairs} pairs");
    let wrong = |story: usize| -> Vec<(&String, u64)> {
        found.iter().filter(|(_, s)| **s == story).map(|(f, _)| (f, truth[f])).collect()
    };
    let merged: Vec<_> = found_sizes
        .keys()
        .filter(|s| cells.keys().filter(|(f, _)| f == *s).count() > 1)
        .take(5)
        .map(|s| wrong(*s))
        .collect();
    assert_eq!(both, found_pairs, "stories merged that are not one (precision {precision}); some: {merged:?}");
    let split: Vec<(u64, Vec<(&String, usize)>)> = truth_sizes
        .keys()
        .filter(|t| cells.keys().filter(|(_, u)| u == *t).count() > 1)
        .take(5)
        .map(|t| (*t, found.iter().filter(|(f, _)| truth[*f] == *t).map(|(f, s)| (f, *s)).collect()))
        .collect();
    assert_eq!(both, truth_pairs, "stories split that are one (recall {recall}); some: {split:?}");
}
