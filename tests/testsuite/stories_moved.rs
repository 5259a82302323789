//! Property test of the grouping rule (README, "Which files are one story"):
//! every grouping fixture is written again with its files renamed, put in
//! other subfolders, written in another order, the whole folder moved in
//! time and single revisions sent up to two hours later. None of that is
//! evidence under the rule, so the grouping must stay the same. Where the
//! rule's own text says the grouping changes, the test says so too: a
//! revision sent more than 14 days after everything else is a story of its
//! own, and a file that loses its revision note starts a story. Seeded, so
//! every run tries the same cases.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDateTime;

use crate::support::{GROUPING_FIXTURES, Rng, depesche, fixture};

/// Random variants tried per fixture.
const TRIALS: usize = 8;

const STAMP: &str = "%d.%m.%Y - %H:%M:%S";
const STAMP_LEN: usize = "07.02.2024 - 06:10:00".len();

/// A fixture file: its path in the fixture and its text.
#[derive(Clone)]
struct File {
    name: String,
    text: String,
}

impl File {
    fn time(&self) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&self.text.lines().nth(1).unwrap()[..STAMP_LEN], STAMP).unwrap()
    }

    fn has_note(&self) -> bool {
        self.text.lines().nth(1).unwrap().trim_end().len() > STAMP_LEN
    }

    /// Line 2 rewritten by `change`, which gets the timestamp and the note.
    fn with_line_2(&self, change: impl Fn(NaiveDateTime, &str) -> String) -> File {
        let mut lines: Vec<&str> = self.text.split('\n').collect();
        let line = change(self.time(), &lines[1][STAMP_LEN..]);
        lines[1] = &line;
        File { name: self.name.clone(), text: lines.join("\n") }
    }

    fn later(&self, minutes: i64) -> File {
        self.with_line_2(|time, note| format!("{}{note}", (time + chrono::Duration::minutes(minutes)).format(STAMP)))
    }

    fn at(&self, time: NaiveDateTime) -> File {
        self.with_line_2(|_, note| format!("{}{note}", time.format(STAMP)))
    }

    fn without_note(&self) -> File {
        self.with_line_2(|time, _| time.format(STAMP).to_string())
    }
}

fn read(name: &str) -> Vec<File> {
    let root = fixture(name);
    let mut files: Vec<File> = walkdir::WalkDir::new(&root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| File {
            name: e.path().strip_prefix(&root).unwrap().to_str().unwrap().replace('\\', "/"),
            text: std::fs::read_to_string(e.path()).unwrap(),
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

/// The stories of `files` written under `written` names, each story as the
/// set of the files' fixture names; and the fixture name of each story's
/// first version.
type Grouping = BTreeSet<BTreeSet<String>>;

fn grouping(files: &[File], written: &[String]) -> (Grouping, BTreeSet<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut fixture_name = BTreeMap::new();
    for (file, name) in files.iter().zip(written) {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.text).unwrap();
        fixture_name.insert(name.clone(), file.name.clone());
    }
    let json = list(dir.path());
    let mut stories = Grouping::new();
    let mut firsts = BTreeSet::new();
    for story in json["stories"].as_array().unwrap() {
        let sources: Vec<String> = story["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| fixture_name[v["source"].as_str().unwrap()].clone())
            .collect();
        firsts.insert(sources[0].clone());
        stories.insert(sources.into_iter().collect());
    }
    (stories, firsts)
}

fn list(input: &Path) -> serde_json::Value {
    let cwd = tempfile::tempdir().unwrap();
    let run = depesche(cwd.path(), &["list", "--json", "--input", input.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    serde_json::from_slice(&run.stdout).unwrap()
}

fn names(files: &[File]) -> Vec<String> {
    files.iter().map(|f| f.name.clone()).collect()
}

#[test]
fn moving_files_within_the_rule_keeps_the_grouping() {
    for (seed, name) in GROUPING_FIXTURES.iter().enumerate() {
        let files = read(name);
        let (expected, _) = grouping(&files, &names(&files));
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (seed as u64 + 1));
        for trial in 0..TRIALS {
            // The whole folder up to three days and a half later: only
            // differences in time count.
            let shift = rng.below(84 * 60) as i64;
            let mut moved: Vec<File> = files.iter().map(|f| f.later(shift)).collect();
            // Single revisions up to two hours later.
            let mut delayed = Vec::new();
            for file in moved.iter_mut().filter(|f| f.has_note()) {
                if rng.below(2) == 1 {
                    let minutes = 1 + rng.below(120) as i64;
                    *file = file.later(minutes);
                    delayed.push(format!("{} +{minutes} min", file.name));
                }
            }
            // Other names in other folders, written in another order.
            let folders = ["", "a/", "a/b/", "z/"];
            let mut order: Vec<usize> = (0..moved.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            let moved: Vec<File> = order.iter().map(|&i| moved[i].clone()).collect();
            let written: Vec<String> = (0..moved.len())
                .map(|i| format!("{}{:x}-{i}.txt", folders[rng.below(4)], rng.below(1 << 20)))
                .collect();
            let (got, _) = grouping(&moved, &written);
            assert_eq!(
                got, expected,
                "{name}, trial {trial}: folder {shift} min later, revisions delayed {delayed:?}, names {written:?}"
            );
        }
    }
}

#[test]
fn past_the_rule_the_grouping_changes_as_the_rule_says() {
    for name in GROUPING_FIXTURES {
        let files = read(name);
        let (expected, _) = grouping(&files, &names(&files));
        let latest = files.iter().map(File::time).max().unwrap();
        for (i, revision) in files.iter().enumerate().filter(|(_, f)| f.has_note()) {
            // More than 14 days after every other file: a story of its own,
            // and the others group as before.
            let mut moved = files.clone();
            moved[i] = revision.at(latest + chrono::Duration::days(14) + chrono::Duration::hours(1));
            let (got, _) = grouping(&moved, &names(&moved));
            let mut want: Grouping = expected
                .iter()
                .map(|story| story.iter().filter(|n| **n != revision.name).cloned().collect::<BTreeSet<String>>())
                .filter(|story| !story.is_empty())
                .collect();
            want.insert(BTreeSet::from([revision.name.clone()]));
            assert_eq!(got, want, "{name}: {} 14 days and an hour after the latest file", revision.name);
            // Without its note it starts a story, whatever it resembles.
            let mut plain = files.clone();
            plain[i] = revision.without_note();
            let (_, firsts) = grouping(&plain, &names(&plain));
            assert!(firsts.contains(&revision.name), "{name}: {} without its note starts no story", revision.name);
        }
    }
}
