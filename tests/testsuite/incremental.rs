//! Incremental builds (README, "Output"; `src/cache.rs`): a build that
//! reuses the cache of the one before must write exactly the site a clean
//! build of the same input writes, byte for byte, and report the same.
//!
//! The property test starts from a mix of the grouping fixtures and
//! generated articles and applies seeded random changes to the input folder
//! one at a time: new stories, revisions, edited texts (with and without a
//! change of size), touched, removed and renamed files, broken files and
//! duplicates that come and go. After every change it builds incrementally
//! into the same output folder and cleanly into a fresh one, and compares
//! both trees (every file and folder), the summary line, the diagnostics and
//! the exit code. It also checks that the incremental build rewrote no file
//! whose bytes stayed the same. Further tests: leftovers of a killed build
//! (a staging folder without a finished journal is ignored, a journal is
//! applied by the next build), a change of configuration or of a
//! template override re-renders what it touches, and changes in the first
//! days of a generated archive of six weeks, where the rebuild settles and
//! keeps the previous grouping of the weeks after.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use crate::support::{GROUPING_FIXTURES, Rng, depesche, fixture, generate_wire, project_dir, tree};

/// Random sequences of changes, and changes per sequence.
const SEQUENCES: usize = 4;
const STEPS: usize = 7;

const STAMP_LEN: usize = "07.02.2024 - 06:10:00".len();

/// One change of the input folder.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    /// A new article: a new story.
    AddArticle,
    /// A later copy of an article with `(neu: Details)` and one more paragraph.
    AddRevision,
    /// A longer text, same timestamp.
    EditLonger,
    /// One letter replaced: the same size, only the modification time tells.
    EditSameSize,
    /// The same bytes, a later modification time.
    Touch,
    Remove,
    Rename,
    /// A file that is rejected.
    AddBroken,
    RemoveBroken,
    /// The same bytes as an article, under another name.
    AddDuplicate,
    /// A copy of the sample, whose broken encoding is repaired with the
    /// words of the whole folder (so from then on every file is read again).
    AddDamaged,
}

const CHANGES: &[Change] = &[
    Change::AddArticle,
    Change::AddRevision,
    Change::EditLonger,
    Change::EditSameSize,
    Change::Touch,
    Change::Remove,
    Change::Rename,
    Change::AddBroken,
    Change::RemoveBroken,
    Change::AddDuplicate,
    Change::AddDamaged,
];

const WORDS: &[&str] = &[
    "Bund",
    "Länder",
    "Streik",
    "Bahn",
    "Zinsen",
    "Anleger",
    "Konzern",
    "Gewinn",
    "Umsatz",
    "Prognose",
    "Gericht",
    "Regierung",
    "Tarif",
    "Verhandlungen",
    "Hafen",
    "Flughafen",
    "Energie",
    "Strompreis",
    "Mieten",
    "Wohnungen",
    "Export",
    "Industrie",
    "Aufträge",
    "Bank",
    "Kredit",
    "Haushalt",
    "Schulden",
    "Rente",
    "Pflege",
    "Klinik",
    "Wetter",
    "Ernte",
    "Brücke",
    "Baustelle",
    "Verkehr",
    "Lokführer",
    "Gewerkschaft",
    "Aktie",
    "Börse",
    "Anleihe",
];

const CITIES: &[&str] = &["BERLIN", "HAMBURG", "MÜNCHEN", "KÖLN", "STUTTGART", "LEIPZIG", "DRESDEN", "BREMEN"];

/// A generated article that no other file shares a sentence with.
fn new_article(rng: &mut Rng, serial: usize) -> String {
    let words = |rng: &mut Rng, n: usize| -> Vec<&str> { (0..n).map(|_| *rng.pick(WORDS)).collect() };
    let headline = format!("{} und {}: Meldung {serial}", rng.pick(WORDS), rng.pick(WORDS));
    let stamp = format!(
        "{:02}.{:02}.2024 - {:02}:{:02}:{:02}",
        1 + rng.below(28),
        1 + rng.below(9),
        6 + rng.below(16),
        rng.below(60),
        rng.below(60)
    );
    let mut text = format!("{headline}\n{stamp}\n{} (dpa-AFX) - ", rng.pick(CITIES));
    for paragraph in 0..2 + rng.below(3) {
        if paragraph > 0 {
            text.push('\n');
        }
        for sentence in 0..2 + rng.below(3) {
            let n = 6 + rng.below(8);
            let words = words(rng, n).join(" ");
            text.push_str(&format!("Die Nummer {serial}.{paragraph}.{sentence} sagt {words}. "));
        }
        text.pop();
    }
    text.push('\n');
    text
}

/// The broken files the test adds, each rejected for another reason.
const BROKEN: &[&str] = &[
    "",
    "Nur eine Überschrift\n",
    "Schlagzeile\n31.02.2024 - 10:00:00\nBERLIN (dpa-AFX) - Ein Tag, den es nicht gibt.\n",
    "Schlagzeile\n12.03.2024 - 10:00:00\n",
    "Schlagzeile\n12.03.1850 - 10:00:00\nBERLIN (dpa-AFX) - Zu früh.\n",
];

/// The input folder of one sequence and what the test changes in it.
struct Input {
    root: PathBuf,
    serial: usize,
}

impl Input {
    /// Every file, relative to the root, sorted.
    fn files(&self) -> Vec<String> {
        tree(&self.root).into_iter().filter_map(|(path, bytes)| bytes.map(|_| path)).collect()
    }

    /// Files that are articles the test can revise and edit (not the broken ones).
    fn articles(&self) -> Vec<String> {
        self.files()
            .into_iter()
            .filter(|f| !f.contains("kaputt-") && !f.contains("doppelt-"))
            .filter(|f| {
                let text = fs::read_to_string(self.root.join(f)).unwrap_or_default();
                text.lines().nth(1).is_some_and(|line| line.len() >= STAMP_LEN && line.is_char_boundary(STAMP_LEN))
            })
            .collect()
    }

    fn write(&mut self, name: &str, text: &[u8]) {
        let path = self.root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
    }

    fn next(&mut self) -> usize {
        self.serial += 1;
        self.serial
    }

    /// Apply `change`; says what it did.
    fn apply(&mut self, change: Change, rng: &mut Rng) -> String {
        let articles = self.articles();
        if articles.is_empty() && change != Change::AddBroken && change != Change::RemoveBroken {
            return self.apply(Change::AddArticle, rng);
        }
        match change {
            Change::AddArticle => {
                let serial = self.next();
                let name = format!("neu/{serial:03}.txt");
                self.write(&name, new_article(rng, serial).as_bytes());
                format!("added article {name}")
            }
            Change::AddRevision => {
                let original = rng.pick(&articles).clone();
                let text = fs::read_to_string(self.root.join(&original)).unwrap();
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                let stamp = chrono::NaiveDateTime::parse_from_str(&lines[1][..STAMP_LEN], "%d.%m.%Y - %H:%M:%S")
                    .unwrap_or_else(|e| panic!("{original}: {e}"));
                let later = stamp + chrono::Duration::minutes(5 + rng.below(600) as i64);
                lines[1] = format!("{}(neu: Details)", later.format("%d.%m.%Y - %H:%M:%S"));
                let serial = self.next();
                let at = 3.min(lines.len());
                lines.insert(at, format!("Ergänzend hieß es in Nachtrag {serial}, man prüfe weitere Schritte."));
                let name = format!("revisionen/{serial:03}.txt");
                self.write(&name, (lines.join("\n") + "\n").as_bytes());
                format!("added revision {name} of {original}")
            }
            Change::EditLonger => {
                let file = rng.pick(&articles).clone();
                let mut text = fs::read_to_string(self.root.join(&file)).unwrap();
                let serial = self.next();
                let end = text.trim_end().len();
                text.insert_str(end, &format!(" Korrigierter Satz {serial}."));
                self.write(&file, text.as_bytes());
                bump_mtime(&self.root.join(&file), serial);
                format!("lengthened {file}")
            }
            Change::EditSameSize => {
                let file = rng.pick(&articles).clone();
                let mut bytes = fs::read(self.root.join(&file)).unwrap();
                let body = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).map_or(0, |(i, _)| i);
                let letters: Vec<usize> = (body..bytes.len()).filter(|&i| bytes[i].is_ascii_lowercase()).collect();
                let at = *rng.pick(&letters);
                bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
                let size = fs::metadata(self.root.join(&file)).unwrap().len();
                self.write(&file, &bytes);
                assert_eq!(size, fs::metadata(self.root.join(&file)).unwrap().len());
                bump_mtime(&self.root.join(&file), self.next());
                format!("changed one letter of {file} (same size)")
            }
            Change::Touch => {
                let file = rng.pick(&articles).clone();
                bump_mtime(&self.root.join(&file), self.next());
                format!("touched {file}")
            }
            Change::Remove => {
                let file = rng.pick(&self.files()).clone();
                fs::remove_file(self.root.join(&file)).unwrap();
                format!("removed {file}")
            }
            Change::Rename => {
                let file = rng.pick(&self.files()).clone();
                let serial = self.next();
                let stem = Path::new(&file).file_name().unwrap().to_str().unwrap();
                let name = format!("umbenannt/{serial:03}-{stem}");
                fs::create_dir_all(self.root.join("umbenannt")).unwrap();
                fs::rename(self.root.join(&file), self.root.join(&name)).unwrap();
                format!("renamed {file} to {name}")
            }
            Change::AddBroken => {
                let serial = self.next();
                let name = format!("kaputt-{serial:03}.txt");
                self.write(&name, rng.pick(BROKEN).as_bytes());
                format!("added broken {name}")
            }
            Change::RemoveBroken => {
                let broken: Vec<String> = self.files().into_iter().filter(|f| f.contains("kaputt-")).collect();
                if broken.is_empty() {
                    return self.apply(Change::AddBroken, rng);
                }
                let file = rng.pick(&broken).clone();
                fs::remove_file(self.root.join(&file)).unwrap();
                format!("removed broken {file}")
            }
            Change::AddDuplicate => {
                let file = rng.pick(&articles).clone();
                let serial = self.next();
                // Sorted before or after the original: either may be the one published.
                let name = if serial.is_multiple_of(2) {
                    format!("0-doppelt-{serial:03}.txt")
                } else {
                    format!("zz/doppelt-{serial:03}.txt")
                };
                let bytes = fs::read(self.root.join(&file)).unwrap();
                self.write(&name, &bytes);
                format!("added {name}, a copy of {file}")
            }
            Change::AddDamaged => {
                let serial = self.next();
                let sample = fs::read(project_dir().join("seeds/000_3b36189d28881a45.txt")).unwrap();
                let newline = sample.iter().position(|b| *b == b'\n').unwrap();
                // Another headline and time: another story, not a duplicate.
                let stamp = format!("{:02}.0{}.2024 - 12:{:02}:00", 1 + rng.below(28), 1 + rng.below(9), serial % 60);
                let mut bytes = format!("Beschädigte Meldung {serial}\n{stamp}").into_bytes();
                bytes.extend_from_slice(&sample[newline + 1 + STAMP_LEN..]);
                let name = format!("beschaedigt-{serial:03}.txt");
                self.write(&name, &bytes);
                format!("added {name}, a copy of the sample with a broken encoding")
            }
        }
    }
}

/// Set the modification time of `path` forward, to be sure it differs from
/// what the last build saw (even on a file system with coarse times).
fn bump_mtime(path: &Path, serial: usize) {
    let file = fs::File::options().write(true).open(path).unwrap();
    let before = file.metadata().unwrap().modified().unwrap();
    file.set_modified(before + Duration::from_secs(3600 + serial as u64)).unwrap();
}

/// Modification times of the files under `root`.
fn mtimes(root: &Path) -> BTreeMap<String, SystemTime> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

/// Panic with the differences when the trees `incremental` and `clean` differ.
fn assert_same_tree(context: &str, incremental: &Path, clean: &Path) {
    let (a, b) = (tree(incremental), tree(clean));
    let mut problems = Vec::new();
    for (path, bytes) in &a {
        match b.get(path) {
            None => problems.push(format!("only in the incremental build: {path}")),
            Some(other) if other != bytes => problems.push(format!("differs: {path}")),
            Some(_) => {}
        }
    }
    problems
        .extend(b.keys().filter(|p| !a.contains_key(*p)).map(|p| format!("missing from the incremental build: {p}")));
    if !problems.is_empty() {
        let shown = problems.len().min(30);
        panic!(
            "{context}: the incremental build is not the clean build ({} problems):\n  {}",
            problems.len(),
            problems[..shown].join("\n  ")
        );
    }
}

/// The summary line without its time, the diagnostics and the exit code.
fn report(run: &Output) -> (String, String, Option<i32>) {
    let stdout = String::from_utf8_lossy(&run.stdout);
    let summary = stdout.lines().map(|line| line.rsplit_once(" in ").map_or(line, |(head, _)| head).to_string());
    (summary.collect::<Vec<_>>().join("\n"), String::from_utf8_lossy(&run.stderr).into_owned(), run.status.code())
}

/// `depesche build --input input --output output extra...`, run in `cwd`.
fn build_into(cwd: &Path, input: &Path, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--input", input.to_str().unwrap(), "--output", output.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = depesche(cwd, &args);
    assert_ne!(run.status.code(), Some(2), "build failed: {}", String::from_utf8_lossy(&run.stderr));
    run
}

/// Build `input` incrementally into `output` and cleanly into a fresh
/// folder, both in `cwd` with `extra` options; compare everything.
fn assert_incremental_is_clean(context: &str, cwd: &Path, input: &Path, output: &Path, extra: &[&str]) {
    let incremental = build_into(cwd, input, output, extra);
    let fresh = tempfile::tempdir().unwrap();
    let clean_output = fresh.path().join("public");
    let clean = build_into(cwd, input, &clean_output, &[extra, &["--clean"]].concat());
    assert_eq!(report(&incremental), report(&clean), "{context}: the builds report differently");
    assert_same_tree(context, output, &clean_output);
    let staging = output.with_file_name(format!(".{}.depesche-staging", output.file_name().unwrap().to_str().unwrap()));
    assert!(!staging.exists(), "{context}: the staging folder is left behind");
}

fn cache_manifest(output: &Path) -> PathBuf {
    output.with_file_name(format!(".{}.depesche-cache", output.file_name().unwrap().to_str().unwrap())).join("manifest")
}

/// Copy the fixture `name` into `root/name/`.
fn copy_fixture(name: &str, root: &Path) {
    let from = fixture(name);
    for entry in walkdir::WalkDir::new(&from).into_iter().map(Result::unwrap).filter(|e| e.file_type().is_file()) {
        let target = root.join(name).join(entry.path().strip_prefix(&from).unwrap());
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(entry.path(), target).unwrap();
    }
}

#[test]
fn incremental_builds_equal_clean_builds_through_random_changes() {
    let mut rng = Rng(0x6465_7065_7363_6865);
    // Every kind of change in equal numbers, dealt out in a seeded order.
    let mut deck: Vec<Change> = CHANGES.iter().copied().cycle().take(SEQUENCES * STEPS).collect();
    for i in (1..deck.len()).rev() {
        deck.swap(i, rng.below(i + 1));
    }
    for sequence in 0..SEQUENCES {
        let dir = tempfile::tempdir().unwrap();
        let mut input = Input { root: dir.path().join("wire"), serial: 0 };
        fs::create_dir(&input.root).unwrap();
        for _ in 0..3 {
            let name = *rng.pick(GROUPING_FIXTURES);
            copy_fixture(name, &input.root);
        }
        for _ in 0..3 {
            input.apply(Change::AddArticle, &mut rng);
        }
        input.apply(Change::AddBroken, &mut rng);
        let output = dir.path().join("public");
        let context = format!("sequence {sequence}, start ({} files)", input.files().len());
        assert_incremental_is_clean(&context, dir.path(), &input.root, &output, &[]);
        assert!(cache_manifest(&output).is_file(), "{context}: the build left no cache");
        for step in 0..STEPS {
            let change = deck[sequence * STEPS + step];
            let did = input.apply(change, &mut rng);
            let context = format!("sequence {sequence}, step {step}: {did}");
            let before = tree(&output);
            let before_times = mtimes(&output);
            assert_incremental_is_clean(&context, dir.path(), &input.root, &output, &[]);
            // Only files whose bytes changed are written.
            let after = tree(&output);
            let after_times = mtimes(&output);
            let mut rewritten = 0;
            for (path, bytes) in &after {
                if bytes.is_none() {
                    continue;
                }
                if before.get(path) != Some(bytes) {
                    rewritten += 1;
                } else {
                    assert_eq!(
                        before_times[path], after_times[path],
                        "{context}: {path} was rewritten with the same bytes"
                    );
                }
            }
            let removed = before.iter().filter(|(path, bytes)| bytes.is_some() && !after.contains_key(*path)).count();
            eprintln!("{context}: {} files in the site, {rewritten} written, {removed} removed", after_times.len());
        }
    }
}

/// The sample and a grouping fixture: a small site with several stories.
fn small_input(root: &Path) -> PathBuf {
    let input = root.join("wire");
    copy_fixture("stories-same-city", &input);
    fs::copy(project_dir().join("seeds/000_3b36189d28881a45.txt"), input.join("sample.txt")).unwrap();
    input
}

#[test]
fn a_staging_folder_without_a_finished_journal_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let input = small_input(dir.path());
    let output = dir.path().join("public");
    assert_incremental_is_clean("first build", dir.path(), &input, &output, &[]);
    // A build killed while staging: files staged, the journal not finished.
    let staging = dir.path().join(".public.depesche-staging");
    fs::create_dir_all(staging.join("2024")).unwrap();
    fs::write(staging.join("index.html"), "halb geschrieben").unwrap();
    fs::write(staging.join("2024/neu.html"), "halb geschrieben").unwrap();
    fs::write(staging.join(".depesche-journal.new"), "w index.html\nw 2024/neu.html\nr atom.xml\n").unwrap();
    assert_incremental_is_clean("staging without journal", dir.path(), &input, &output, &[]);
    // Once more, with the input changed meanwhile.
    fs::create_dir_all(staging).unwrap();
    fs::write(dir.path().join(".public.depesche-staging/index.html"), "halb").unwrap();
    fs::remove_file(input.join("sample.txt")).unwrap();
    assert_incremental_is_clean("staging without journal, input changed", dir.path(), &input, &output, &[]);
}

#[test]
fn a_journal_left_by_a_killed_build_is_applied_by_the_next_build() {
    let dir = tempfile::tempdir().unwrap();
    let input = small_input(dir.path());
    let output = dir.path().join("public");
    assert_incremental_is_clean("first build", dir.path(), &input, &output, &[]);
    // The next input: a story less, a story more, a revision.
    fs::remove_file(input.join("stories-same-city/rente.txt")).unwrap();
    copy_fixture("stories-repeat", &input);
    let wanted = tempfile::tempdir().unwrap();
    let wanted_site = wanted.path().join("public");
    let run = build_into(wanted.path(), &input, &wanted_site, &["--clean"]);
    assert!(run.status.success());

    // What the build of the new input left when killed while applying its
    // journal (src/output.rs): the manifest discarded, the changed files
    // staged, the journal written, some of it applied already.
    let (old, new) = (tree(&output), tree(&wanted_site));
    let staging = dir.path().join(".public.depesche-staging");
    let mut journal = String::new();
    let changed: Vec<&String> =
        new.iter().filter(|(path, bytes)| bytes.is_some() && old.get(*path) != Some(bytes)).map(|(p, _)| p).collect();
    let gone: Vec<&String> =
        old.iter().filter(|(path, bytes)| bytes.is_some() && !new.contains_key(*path)).map(|(p, _)| p).collect();
    assert!(changed.len() > 5 && gone.len() > 2, "the change is too small to test: {changed:?} {gone:?}");
    for (i, path) in changed.iter().enumerate() {
        journal.push_str(&format!("w {path}\n"));
        let bytes = new[*path].as_ref().unwrap();
        // The first half moved into the site already.
        let at = if i < changed.len() / 2 { output.join(path) } else { staging.join(path) };
        fs::create_dir_all(at.parent().unwrap()).unwrap();
        fs::write(at, bytes).unwrap();
    }
    for path in &gone {
        journal.push_str(&format!("r {path}\n"));
    }
    fs::write(staging.join(".depesche-journal"), journal).unwrap();
    fs::remove_file(cache_manifest(&output)).unwrap();

    // The next build applies the journal before anything else: even one
    // that fails at rendering leaves the finished site of the killed build.
    let failing = dir.path().join("failing");
    fs::create_dir_all(failing.join("templates")).unwrap();
    fs::write(failing.join("depesche.toml"), "").unwrap();
    fs::write(failing.join("templates/story.html"), "{{ keine_solche_funktion() }}").unwrap();
    let args = ["build", "--input", input.to_str().unwrap(), "--output", output.to_str().unwrap()];
    let run = depesche(&failing, &args);
    assert_eq!(run.status.code(), Some(2), "the broken template did not fail the build");
    assert_same_tree("the journal applied by a failing build", &output, &wanted_site);

    // The same state, and a build that succeeds.
    assert_incremental_is_clean("the build after the failed one", dir.path(), &input, &output, &[]);
    fs::remove_file(input.join("sample.txt")).unwrap();
    assert_incremental_is_clean("one more change", dir.path(), &input, &output, &[]);
}

#[test]
fn configuration_and_template_changes_rerender_what_they_touch() {
    let dir = tempfile::tempdir().unwrap();
    let input = small_input(dir.path());
    let output = dir.path().join("public");
    let here = dir.path();
    assert_incremental_is_clean("default", here, &input, &output, &[]);
    let other = ["--base-url", "https://andere.example.net/ticker/"];
    assert_incremental_is_clean("--base-url changed", here, &input, &output, &other);
    assert_incremental_is_clean("--base-url changed back", here, &input, &output, &[]);

    // A configuration file: title and base URL.
    let config = fixture("override").join("depesche.toml");
    let with_config = ["--config", config.to_str().unwrap()];
    assert_incremental_is_clean("configuration file", here, &input, &output, &with_config);
    assert_incremental_is_clean("configuration file removed", here, &input, &output, &[]);

    // A template override in the working folder, then changed, then removed.
    let templates = here.join("templates");
    fs::create_dir(&templates).unwrap();
    let story = fs::read_to_string(fixture("override").join("templates/story.html")).unwrap();
    fs::write(templates.join("story.html"), &story).unwrap();
    assert_incremental_is_clean("story.html overridden", here, &input, &output, &[]);
    let changed = story.replace("Eigene Vorlage", "Andere Vorlage");
    assert_ne!(changed, story);
    fs::write(templates.join("story.html"), &changed).unwrap();
    assert_incremental_is_clean("story.html changed", here, &input, &output, &[]);
    fs::write(templates.join("404.html"), "{% extends \"base.html\" %}{% block main %}<p>Weg.</p>{% endblock %}\n")
        .unwrap();
    assert_incremental_is_clean("404.html overridden", here, &input, &output, &[]);
    fs::remove_dir_all(&templates).unwrap();
    assert_incremental_is_clean("overrides removed", here, &input, &output, &[]);
}

/// Changes in the middle of an archive whose wire runs on for weeks after
/// them: the rebuild groups anew only until it settles and keeps the
/// previous grouping for the rest (README, "Incremental builds"), and must
/// still write what a clean build writes. The wire comes from the shared
/// benchmark generator (5,000 files, about six weeks); the changes fall in
/// its first days: the middle of a text edited, a file removed, a copy of
/// another added under a new headline, then all undone.
#[test]
fn changes_early_in_a_generated_archive_rebuild_as_a_clean_build() {
    let dir = tempfile::tempdir().unwrap();
    let wire = dir.path().join("wire");
    if !generate_wire("rebuilds that settle", 5000, &wire, None) {
        return;
    }
    let mut names: Vec<String> =
        fs::read_dir(&wire).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let output = dir.path().join("public");
    build_into(dir.path(), &wire, &output, &[]);
    let (edited, removed, copied) = (wire.join(&names[200]), wire.join(&names[230]), wire.join(&names[260]));
    let (edited_text, removed_text) = (fs::read_to_string(&edited).unwrap(), fs::read_to_string(&removed).unwrap());
    let mut lines: Vec<&str> = edited_text.lines().collect();
    let longer = format!("{} Ein Satz kam hinzu.", lines[2]);
    lines[2] = &longer;
    fs::write(&edited, lines.join("\n") + "\n").unwrap();
    fs::remove_file(&removed).unwrap();
    let copy = fs::read_to_string(&copied).unwrap().replacen('\n', " (Kopie)\n", 1);
    fs::write(wire.join("zz-copy.txt"), copy).unwrap();
    // The rebuild says how many files it decided anew: it settled before
    // the end of the wire, and kept the grouping of the weeks after.
    let rebuilt = build_into(dir.path(), &wire, &output, &["-v"]);
    let stderr = String::from_utf8_lossy(&rebuilt.stderr);
    let decided = stderr.lines().find_map(|l| l.strip_prefix("grouping: ")).expect("-v says what grouping decided");
    let counts: Vec<usize> = decided.split(' ').filter_map(|word| word.parse().ok()).collect();
    assert_eq!(counts.len(), 2, "{decided}");
    assert!(counts[0] > 0 && counts[0] < counts[1] * 9 / 10, "the rebuild did not settle: {decided}");
    let fresh = tempfile::tempdir().unwrap();
    let clean = build_into(dir.path(), &wire, &fresh.path().join("public"), &["--clean"]);
    assert_eq!(rebuilt.status.code(), clean.status.code());
    assert_same_tree("edited, removed and copied early", &output, &fresh.path().join("public"));
    fs::write(&edited, &edited_text).unwrap();
    fs::write(&removed, &removed_text).unwrap();
    fs::remove_file(wire.join("zz-copy.txt")).unwrap();
    assert_incremental_is_clean("all undone", dir.path(), &wire, &output, &[]);
}
