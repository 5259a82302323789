//! Independent, real clients and validators read what depesche writes:
//! Python's feedparser (what many feed readers are built on), the W3C Feed
//! Validation Service's own code, the Nu Html Checker (the W3C's HTML
//! validator) and, in `browser.rs`, headless Chromium. None of them shares
//! code or assumptions with depesche, so they catch what our own tests,
//! written with our own understanding of the formats, cannot.
//!
//! The tools live outside Cargo: `.ci/run` installs them (Debian's chromium,
//! `tests/external/requirements.txt` with pip, `tests/external/package.json`
//! with npm) and sets `DEPESCHE_EXTERNAL=require`, which makes a missing tool
//! a failure, never a quiet pass. Without it, a developer who lacks a tool
//! gets a message on the terminal saying what was skipped and how to install
//! it; `DEPESCHE_EXTERNAL=off` skips these tests on purpose.
//!
//! Every check reads the same sites: the sample in `seeds/` and each folder
//! of `tests/fixtures/` that holds articles or a configuration (built from
//! `seeds/` with it), each built once per test run under Cargo's temporary
//! folder for tests (`target/tmp/external-<process id>/`), where the screenshots
//! land too.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::support::{depesche, project_dir};

/// The built-in configuration's address, used when a fixture has no configuration.
const DEFAULT_BASE_URL: &str = "https://depesche.example.org/";

/// One built site.
pub struct Site {
    /// `seeds` or `fixture-<folder>`.
    pub name: String,
    /// The output folder.
    pub root: PathBuf,
    /// The base URL the site was built for; every link in it starts with it.
    pub base_url: String,
}

impl Site {
    /// Files of the site whose path (relative to the root, with `/`) passes `keep`, sorted.
    pub fn files(&self, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&self.root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| keep(&e.path().strip_prefix(&self.root).unwrap().to_string_lossy().replace('\\', "/")))
            .map(|e| e.into_path())
            .collect();
        files.sort();
        files
    }

    /// The feed documents in XML: Atom, RSS, and the change, archive and
    /// place feeds where written.
    pub fn xml_feeds(&self) -> Vec<PathBuf> {
        self.files(|path| {
            matches!(path, "atom.xml" | "rss.xml" | "changes.xml")
                || (path.starts_with("archive/") && path.ends_with(".xml"))
                || (path.starts_with("ort/") && path.ends_with("/atom.xml"))
        })
    }
}

/// What the test run does about the external tools, from `DEPESCHE_EXTERNAL`.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    /// `require`: a missing tool fails the test (CI).
    Require,
    /// Unset: a missing tool skips the test with a message.
    IfInstalled,
    /// `off`: skip them all.
    Off,
}

fn mode() -> Mode {
    match std::env::var("DEPESCHE_EXTERNAL").as_deref() {
        Ok("require") => Mode::Require,
        Ok("off") => Mode::Off,
        Ok("") | Err(_) => Mode::IfInstalled,
        Ok(other) => panic!("DEPESCHE_EXTERNAL={other:?}: use `require`, `off`, or leave it unset"),
    }
}

/// Say something on the terminal even while the test harness captures output:
/// a skipped check must not look like a passed one.
pub fn tell(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Whether a check can run. `missing` lists what it lacks; with
/// `DEPESCHE_EXTERNAL=require` anything missing fails the test.
pub fn ready(check: &str, missing: Vec<String>) -> bool {
    match (mode(), missing.is_empty()) {
        (Mode::Off, _) => {
            tell(&format!("skipped {check}: DEPESCHE_EXTERNAL=off"));
            false
        }
        (_, true) => true,
        (Mode::Require, false) => panic!(
            "{check} cannot run, DEPESCHE_EXTERNAL=require: {}.\n.ci/run installs it; see tests/external/README.md",
            missing.join("; ")
        ),
        (Mode::IfInstalled, false) => {
            tell(&format!(
                "skipped {check}: {}. Install the tools as .ci/run does (see tests/external/README.md); \
                 DEPESCHE_EXTERNAL=require turns this into a failure",
                missing.join("; ")
            ));
            false
        }
    }
}

/// A program from an environment variable, or its usual name.
fn program(variable: &str, default: &str) -> OsString {
    std::env::var_os(variable).filter(|v| !v.is_empty()).unwrap_or_else(|| default.into())
}

/// The Python that has the packages of `tests/external/requirements.txt`.
pub fn python() -> OsString {
    program("DEPESCHE_PYTHON", "python3")
}

/// Why `command` cannot run (not found, or failed), or None when it runs.
pub fn probe(what: &str, command: &mut Command) -> Option<String> {
    match command.output() {
        Ok(output) if output.status.success() => None,
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            Some(format!("{what} fails: {}", stderr.lines().last().unwrap_or("").trim()))
        }
        Err(error) => Some(format!("{what} is not there ({error})")),
    }
}

/// Why the Python modules cannot be imported, or None.
pub fn python_modules(modules: &[&str]) -> Option<String> {
    let import = format!("import {}", modules.join(", "));
    probe(&format!("Python with {}", modules.join(", ")), Command::new(python()).args(["-c", &import]))
}

/// A helper of `tests/external/`.
pub fn helper(name: &str) -> PathBuf {
    project_dir().join("tests/external").join(name)
}

/// The helper's node_modules (installed by `npm ci` in `tests/external/`).
pub fn node_module(name: &str) -> Option<String> {
    let path = helper("node_modules").join(name);
    (!path.exists()).then(|| format!("{} is not installed (npm ci in tests/external)", path.display()))
}

/// Run a checker and fail the test with everything it said unless it succeeded.
pub fn assert_passes(check: &str, command: &mut Command) -> String {
    let Output { status, stdout, stderr } =
        command.output().unwrap_or_else(|e| panic!("{check}: cannot start {:?}: {e}", command.get_program()));
    let said = format!("{}{}", String::from_utf8_lossy(&stdout), String::from_utf8_lossy(&stderr));
    assert!(status.success(), "{check} failed ({status}):\n{said}");
    println!("{check}:\n{said}");
    said
}

/// Where this test run builds its sites: `target/tmp/external-<process id>/`,
/// so that two runs at once (several people in one working tree) never build
/// into each other's folders.
pub fn work_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("external-{}", std::process::id()))
}

/// Remove the folders of earlier runs whose process has ended (where the
/// system tells: `/proc`), keeping the latest for a look at its screenshots.
fn remove_stale_work_dirs() {
    let Ok(entries) = std::fs::read_dir(env!("CARGO_TARGET_TMPDIR")) else { return };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("external-") else { continue };
        if Path::new("/proc/self").exists() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The sites every external check reads, built once per test run.
pub fn sites() -> &'static [Site] {
    static SITES: OnceLock<Vec<Site>> = OnceLock::new();
    SITES.get_or_init(build_sites)
}

/// One site per input: `seeds/`, and every fixture folder with articles
/// (`.txt` files) or a `depesche.toml` (then built from `seeds/` with it).
/// A fixture whose run is refused (exit code 2: a broken configuration or
/// template, on purpose) writes no site and is left out.
fn build_sites() -> Vec<Site> {
    remove_stale_work_dirs();
    let work = work_dir();
    std::fs::create_dir_all(&work).unwrap();
    let seeds = project_dir().join("seeds");
    let mut inputs = vec![("seeds".to_string(), seeds.clone(), None)];
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(project_dir().join("tests/fixtures"))
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    fixtures.sort();
    for dir in fixtures {
        let config = Some(dir.join("depesche.toml")).filter(|c| c.is_file());
        let has_articles = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| e.file_type().is_file() && e.path().to_string_lossy().to_lowercase().ends_with(".txt"));
        if has_articles || config.is_some() {
            let name = format!("fixture-{}", dir.file_name().unwrap().to_string_lossy());
            inputs.push((name, if has_articles { dir } else { seeds.clone() }, config));
        }
    }
    let mut sites = Vec::new();
    for (name, input, config) in inputs {
        let mut args = vec!["build".to_string(), "--input".into(), path_arg(&input), "--output".into(), name.clone()];
        if let Some(config) = &config {
            // The configuration alone: a fixture's own templates are the user's
            // HTML (templates.rs tests that they are used); these checks are
            // about depesche's built-in templates, under other settings.
            let alone = work.join(format!("{name}.toml"));
            std::fs::copy(config, &alone).unwrap();
            args.extend(["--config".to_string(), path_arg(&alone)]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = depesche(&work, &args);
        let code = run.status.code();
        let root = work.join(&name);
        match code {
            Some(0 | 1) if root.join("index.html").is_file() => {
                sites.push(Site { name, root, base_url: base_url(config.as_deref()) })
            }
            Some(2) => tell(&format!("external checks leave out {name}: its build was refused (exit code 2)")),
            _ => panic!("building {name} failed ({:?}):\n{}", code, String::from_utf8_lossy(&run.stderr)),
        }
    }
    sites
}

fn path_arg(path: &Path) -> String {
    path.to_str().expect("the project path is UTF-8").to_string()
}

/// The base URL a configuration sets, or the built-in one.
fn base_url(config: Option<&Path>) -> String {
    let Some(config) = config else { return DEFAULT_BASE_URL.to_string() };
    let table: toml::Table = std::fs::read_to_string(config).unwrap().parse().unwrap();
    let url = table.get("base_url").and_then(|v| v.as_str()).unwrap_or(DEFAULT_BASE_URL);
    if url.ends_with('/') { url.to_string() } else { format!("{url}/") }
}

#[test]
fn feeds_read_back_with_python_feedparser() {
    if !ready("feedparser check", python_modules(&["feedparser", "zoneinfo"]).into_iter().collect()) {
        return;
    }
    let mut command = Command::new(python());
    command.arg(helper("check_feeds.py")).args(sites().iter().map(|site| &site.root));
    let said = assert_passes("check_feeds.py (feedparser)", &mut command);
    let read = said.lines().filter(|line| line.starts_with("read ")).count();
    assert!(read >= 2 * sites().len(), "every site's atom.xml and rss.xml must have been read:\n{said}");
}

/// Where the W3C Feed Validation Service's code is: `FEEDVALIDATOR_SRC`, or
/// else `../shared/tools/feedvalidator/src` beside the project, where the
/// project keeps it (it is on no package registry).
fn feedvalidator_src() -> Result<PathBuf, String> {
    if let Some(source) = std::env::var_os("FEEDVALIDATOR_SRC").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(source));
    }
    let beside = project_dir().join("../shared/tools/feedvalidator/src");
    match beside.canonicalize() {
        Ok(beside) if beside.is_dir() => Ok(beside),
        _ => Err(format!(
            "FEEDVALIDATOR_SRC is not set and {} is not there (the src/ folder of github.com/w3c/feedvalidator)",
            beside.display()
        )),
    }
}

/// One error or warning of the validator (`feedvalidate.py --json`).
#[derive(Debug)]
struct Problem {
    kind: String,
    /// The validator's class of message, such as `ImplausibleDate`.
    what: String,
    line: usize,
    column: usize,
    element: String,
    value: String,
    message: String,
}

impl Problem {
    fn from_json(json: &serde_json::Value) -> Problem {
        let text = |key: &str| json[key].as_str().unwrap_or("").to_string();
        let number = |key: &str| json[key].as_u64().unwrap_or(0) as usize;
        Problem {
            kind: text("kind"),
            what: text("type"),
            line: number("line"),
            column: number("column"),
            element: text("element"),
            value: text("value"),
            message: text("message"),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}: {}: {} ({}", self.line, self.column, self.kind, self.message, self.what)?;
        if !self.value.is_empty() {
            write!(f, ", {} \u{201c}{}\u{201d}", self.element, self.value)?;
        }
        write!(f, ")")
    }
}

/// What the validator said about one feed document.
#[derive(Default)]
struct Validated {
    problems: Vec<Problem>,
    counts: Option<(usize, usize)>,
}

/// The W3C Feed Validation Service's own code on every XML feed of every
/// site (`atom.xml`, `rss.xml`, `changes.xml`, `archive/*.xml`). It does not
/// know JSON Feed, so `feed.json` is left to feed-rs (`feeds.rs`, `nasty.rs`).
/// No errors; no warnings but those an entry's own article causes.
#[test]
fn feeds_pass_the_w3c_feed_validator() {
    let source = feedvalidator_src();
    let mut missing: Vec<String> = python_modules(&["lxml", "html5lib", "rdflib"]).into_iter().collect();
    match &source {
        Ok(dir) if !dir.join("feedvalidator/__init__.py").is_file() => {
            missing.push(format!("{} holds no feedvalidator package", dir.display()))
        }
        Ok(_) => {}
        Err(why) => missing.push(why.clone()),
    }
    if !ready("W3C feed validator", missing) {
        return;
    }
    let source = source.unwrap();
    let feeds: Vec<PathBuf> = sites().iter().flat_map(Site::xml_feeds).collect();
    for site in sites() {
        let names: Vec<PathBuf> = site.xml_feeds().iter().map(|f| f.strip_prefix(&site.root).unwrap().into()).collect();
        for needed in ["atom.xml", "rss.xml"] {
            assert!(names.contains(&PathBuf::from(needed)), "{}: no {needed} among {names:?}", site.name);
        }
    }
    let output = Command::new(python())
        .arg(helper("feedvalidate.py"))
        .arg("--json")
        .args(&feeds)
        .env("FEEDVALIDATOR_SRC", &source)
        // The validator's folder is shared and may be read-only: no __pycache__ in it.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python runs feedvalidate.py");
    let said = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Exit code 1 says the validator found errors, listed below; anything
    // else, or a Python traceback, is a broken run.
    assert!(
        matches!(output.status.code(), Some(0 | 1)) && !stderr.contains("Traceback"),
        "feedvalidate.py failed ({}):\n{stderr}\n{said}",
        output.status
    );
    let mut validated: std::collections::BTreeMap<PathBuf, Validated> = Default::default();
    for line in said.lines() {
        let json: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("feedvalidate.py said {line:?} ({e})"));
        let entry = validated.entry(PathBuf::from(json["file"].as_str().expect("a file"))).or_default();
        match json.get("errors") {
            Some(errors) => {
                entry.counts = Some((errors.as_u64().unwrap() as usize, json["warnings"].as_u64().unwrap() as usize))
            }
            None => entry.problems.push(Problem::from_json(&json)),
        }
    }
    let mut failures = Vec::new();
    let mut report = vec![format!(
        "W3C feed validator ({}), errors and warnings per feed; feed.json is not checked (the validator knows no JSON Feed):",
        source.display()
    )];
    for site in sites() {
        let (mut counts, mut details) = (Vec::new(), Vec::new());
        for feed in site.xml_feeds() {
            let name = feed.strip_prefix(&site.root).unwrap().to_string_lossy().replace('\\', "/");
            let result = validated.remove(&feed).unwrap_or_default();
            let (errors, warnings) = result
                .counts
                .unwrap_or_else(|| panic!("{}: no count from the validator:\n{stderr}\n{said}", feed.display()));
            assert_eq!(result.problems.len(), errors + warnings, "{}: count and list differ", feed.display());
            let text = std::fs::read_to_string(&feed).unwrap();
            let mut excused = Vec::new();
            for problem in &result.problems {
                match (problem.kind.as_str(), excuse(problem, &text)) {
                    ("warning", Some(why)) => excused.push(why),
                    _ => failures.push(format!("{}/{name}: {problem}", site.name)),
                }
            }
            let mut count = format!("{name}: {errors} errors, {warnings} warnings");
            if !excused.is_empty() {
                count.push_str(&format!(" ({} caused by their entry's article)", excused.len()));
            }
            counts.push(count);
            details.extend(excused.iter().map(|why| format!("    {name}: {why}")));
        }
        report.push(format!("  {}: {}", site.name, counts.join("; ")));
        report.append(&mut details);
    }
    assert!(validated.is_empty(), "validator output for feeds not asked about: {:?}", validated.keys());
    // Shown in the log of `cargo test` even when the test passes.
    tell(&report.join("\n"));
    assert!(failures.is_empty(), "the W3C feed validator finds:\n{}\n\n{}", failures.join("\n"), report.join("\n"));
}

/// An entry of a feed document (`<entry>` in Atom, `<item>` in RSS): where
/// it lies (line and column, from 1, of its start and end tags) and what its
/// own article put in it.
#[derive(Debug)]
struct FeedEntry {
    start: (usize, usize),
    end: (usize, usize),
    /// Atom's `<id>`, RSS's `<guid>`.
    id: String,
    title: String,
    /// `published`, `updated`, `pubDate`: (element, text).
    dates: Vec<(String, String)>,
}

fn feed_entries(feed: &str) -> Vec<FeedEntry> {
    let Ok(doc) = roxmltree::Document::parse(feed) else { return Vec::new() };
    let position = |at: usize| {
        let p = doc.text_pos_at(at);
        (p.row as usize, p.col as usize)
    };
    doc.descendants()
        .filter(|n| n.is_element() && matches!(n.tag_name().name(), "entry" | "item"))
        .map(|entry| {
            let child = |name: &str| {
                entry
                    .children()
                    .find(|c| c.is_element() && c.tag_name().name() == name)
                    .map(|c| c.text().unwrap_or("").to_string())
            };
            FeedEntry {
                start: position(entry.range().start),
                end: position(entry.range().end),
                id: child("id").or_else(|| child("guid")).unwrap_or_default(),
                title: child("title").unwrap_or_default(),
                dates: entry
                    .children()
                    .filter(|c| c.is_element() && matches!(c.tag_name().name(), "published" | "updated" | "pubDate"))
                    .map(|c| (c.tag_name().name().to_string(), c.text().unwrap_or("").to_string()))
                    .collect(),
            }
        })
        .collect()
}

/// Whether a date as a feed writes it (RFC 3339 or RFC 822) is one the
/// validator calls implausible, by our own reading: before 1990 or more than
/// a day ahead. The Unix epoch is no article's time but a missing date: never.
fn implausible_date(value: &str) -> bool {
    let value = value.trim();
    let Some(date) = feed_date(value) else { return false };
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    if date.timestamp() == 0 || date.naive_local() == epoch {
        return false;
    }
    let earliest = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
    date < earliest || date > chrono::Utc::now() + chrono::Duration::days(1)
}

/// The instant of a date as a feed writes it (RFC 3339 or RFC 822).
fn feed_date(value: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let value = value.trim();
    chrono::DateTime::parse_from_rfc3339(value).or_else(|_| chrono::DateTime::parse_from_rfc2822(value)).ok()
}

/// Why a validator warning is caused by the article of the entry it is in,
/// and so stays (the feeds publish the wire as written), or None. Only the
/// entry the validator points at counts, found by the warning's position
/// and named by its id: an implausible date is excused when it is that
/// entry's own date and that date is implausible; markup in a title when
/// that entry's own title holds markup as text. Outside every entry, only
/// the feed's own date (Atom's `<updated>`, RSS's `<lastBuildDate>`) is
/// excused, when it is the implausible date of one of its entries.
fn excuse(problem: &Problem, feed: &str) -> Option<String> {
    let at = (problem.line, problem.column);
    let entries = feed_entries(feed);
    let Some(entry) = entries.iter().find(|e| e.start <= at && at <= e.end) else {
        let date = feed_date(&problem.value).filter(|_| problem.what == "ImplausibleDate")?;
        return entries
            .iter()
            .find(|e| e.dates.iter().any(|(_, value)| feed_date(value) == Some(date) && implausible_date(value)))
            .map(|e| format!("the feed's {} {}, the date of {}", problem.element, problem.value, e.id));
    };
    match problem.what.as_str() {
        "ImplausibleDate" => entry
            .dates
            .iter()
            .find(|(element, value)| *element == problem.element && value.trim() == problem.value.trim())
            .filter(|(_, value)| implausible_date(value))
            .map(|(element, value)| format!("{element} {value} of {}", entry.id)),
        // A headline that holds markup as text, such as "<b>": RSS titles
        // have no type to say so, and Atom titles are plain text as written.
        "ContainsHTML" | "ContainsUndeclaredHTML" if problem.element == "title" && entry.title.contains('<') => {
            Some(format!("markup as text in the title of {}", entry.id))
        }
        _ => None,
    }
}

#[test]
fn only_warnings_caused_by_their_own_entry_are_excused() {
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let atom = format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><updated>{year}-01-01T10:00:00+01:00</updated>\n\
         <entry><id>tag:x,2099:future</id><title>Zukunft</title>\n\
         <published>2099-01-01T10:00:00+01:00</published>\n\
         <updated>2099-01-01T10:00:00+01:00</updated></entry>\n\
         <entry><id>tag:x,2024:plain</id><title>Erste &lt;b&gt;Fassung</title>\n\
         <published>2024-01-01T10:00:00+01:00</published>\n\
         <updated>1970-01-01T00:00:00+00:00</updated></entry>\n\
         <entry><id>tag:x,1900:old</id><title>Alt</title>\n\
         <published>1900-01-01T00:00:00+01:00</published></entry></feed>\n"
    );
    let problem = |what: &str, line: usize, column: usize, element: &str, value: &str| Problem {
        kind: "warning".into(),
        what: what.into(),
        line,
        column,
        element: element.into(),
        value: value.into(),
        message: String::new(),
    };
    let future = problem("ImplausibleDate", 3, 52, "published", "2099-01-01T10:00:00+01:00");
    assert_eq!(excuse(&future, &atom).as_deref(), Some("published 2099-01-01T10:00:00+01:00 of tag:x,2099:future"));
    let old = problem("ImplausibleDate", 9, 50, "published", "1900-01-01T00:00:00+01:00");
    assert!(excuse(&old, &atom).is_some());
    // The same 2099 reported inside another entry, whose own dates are plausible:
    let elsewhere = problem("ImplausibleDate", 6, 52, "published", "2099-01-01T10:00:00+01:00");
    assert_eq!(excuse(&elsewhere, &atom), None);
    let plausible = problem("ImplausibleDate", 6, 52, "published", "2024-01-01T10:00:00+01:00");
    assert_eq!(excuse(&plausible, &atom), None);
    let epoch = problem("ImplausibleDate", 7, 50, "updated", "1970-01-01T00:00:00+00:00");
    assert_eq!(excuse(&epoch, &atom), None, "the epoch is a missing date");
    let feed_level = problem("ImplausibleDate", 1, 80, "updated", "2099-01-01T10:00:00+01:00");
    assert!(excuse(&feed_level, &atom).is_some_and(|why| why.ends_with("tag:x,2099:future")));
    let no_entry_has_it = problem("ImplausibleDate", 1, 80, "updated", "2098-01-01T10:00:00+01:00");
    assert_eq!(excuse(&no_entry_has_it, &atom), None, "outside every entry, no entry's date");
    let feed_level_html = problem("ContainsHTML", 1, 80, "title", "");
    assert_eq!(excuse(&feed_level_html, &atom), None, "outside every entry");
    let html_undeclared = problem("ContainsUndeclaredHTML", 5, 60, "title", "b");
    assert!(excuse(&html_undeclared, &atom).is_some());
    let html = problem("ContainsHTML", 5, 60, "title", "");
    assert!(excuse(&html, &atom).is_some_and(|why| why.ends_with("tag:x,2024:plain")));
    assert_eq!(excuse(&problem("ContainsHTML", 2, 40, "title", ""), &atom), None, "a title without markup");
    assert_eq!(excuse(&problem("MissingDescription", 3, 52, "description", ""), &atom), None);
    let rss = "<rss><channel>\n<item><guid>https://x/a/</guid><title>A</title>\n\
               <pubDate>Thu, 01 Jan 2099 10:00:00 +0100</pubDate></item>\n\
               <item><guid>https://x/b/</guid><title>B</title>\n\
               <pubDate>Mon, 01 Jan 2024 10:00:00 +0100</pubDate></item></channel></rss>\n";
    let rss_future = problem("ImplausibleDate", 3, 20, "pubDate", "Thu, 01 Jan 2099 10:00:00 +0100");
    assert_eq!(excuse(&rss_future, rss).as_deref(), Some("pubDate Thu, 01 Jan 2099 10:00:00 +0100 of https://x/a/"));
    let rss_elsewhere = problem("ImplausibleDate", 5, 20, "pubDate", "Thu, 01 Jan 2099 10:00:00 +0100");
    assert_eq!(excuse(&rss_elsewhere, rss), None);
}

#[test]
fn nu_html_checker_excuses_only_a_mistyped_year_of_an_article() {
    let year = "Potentially bad value \u{201c}9999-12-31T23:59:59+01:00\u{201d} for attribute \u{201c}datetime\u{201d} \
                on element \u{201c}time\u{201d}: Year may be mistyped.";
    assert!(html_warning_from_the_input(Some("info"), year));
    assert!(!html_warning_from_the_input(Some("error"), year));
    assert!(!html_warning_from_the_input(
        Some("info"),
        "Bad value \u{201c}x\u{201d} for attribute \u{201c}datetime\u{201d}"
    ));
}

/// Whether a Nu Html Checker message is a warning about what an article says:
/// a `<time datetime>` in a year it finds unlikely (the nasty fixture's
/// 9999-12-31) is the article's own time, published as written.
fn html_warning_from_the_input(kind: Option<&str>, message: &str) -> bool {
    kind == Some("info")
        && message.contains("for attribute \u{201c}datetime\u{201d} on element \u{201c}time\u{201d}")
        && message.ends_with("Year may be mistyped.")
}

/// The Nu Html Checker's jar: `VNU_JAR`, or the one npm put in `tests/external/node_modules`.
fn vnu_jar() -> PathBuf {
    std::env::var_os("VNU_JAR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| helper("node_modules/vnu-jar/build/dist/vnu.jar"))
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    let java = program("JAVA", "java");
    let jar = vnu_jar();
    let mut missing: Vec<String> = probe("java", Command::new(&java).arg("-version")).into_iter().collect();
    if !jar.is_file() {
        missing.push(format!("{} is not there (npm ci in tests/external)", jar.display()));
    }
    if !ready("Nu Html Checker", missing) {
        return;
    }
    let pages: Vec<PathBuf> = sites().iter().flat_map(|site| site.files(|path| path.ends_with(".html"))).collect();
    assert!(pages.len() >= 3 * sites().len(), "index, 404 and story pages expected, found {pages:?}");
    // JSON output lists errors, warnings ("info" with subType "warning") and
    // plain information; every error and every warning fails the test.
    let output = Command::new(&java)
        .arg("-jar")
        .arg(&jar)
        // --no-langdetect: the checker guesses a page's language from its text
        // and warns when `lang` differs; fixtures hold artificial text (a
        // headline of a hundred "Wort"s reads as Basque to it). The browser
        // test checks `lang` against the configuration instead.
        .args(["--also-check-css", "--no-langdetect", "--format", "json", "--stdout"])
        .args(&pages)
        .output()
        .expect("java runs");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("vnu.jar gave no JSON report ({e}):\n{}", String::from_utf8_lossy(&output.stderr)));
    let messages = report["messages"].as_array().expect("a list of messages");
    let problems: Vec<String> = messages
        .iter()
        .filter(|m| m["type"] != "info" || m["subType"] == "warning")
        .filter(|m| !html_warning_from_the_input(m["type"].as_str(), m["message"].as_str().unwrap_or("")))
        .map(|m| {
            let kind = m["subType"].as_str().or(m["type"].as_str()).unwrap_or("?");
            let url = m["url"].as_str().unwrap_or("?");
            let line = &m["lastLine"];
            format!(
                "{url}:{line}: {kind}: {} «{}»",
                m["message"].as_str().unwrap_or("?"),
                m["extract"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(problems.is_empty(), "the Nu Html Checker finds {} problems:\n{}", problems.len(), problems.join("\n"));
    println!("Nu Html Checker: {} pages without errors or warnings", pages.len());
}
