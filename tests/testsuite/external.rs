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

    /// The feed documents in XML: Atom, RSS, and the change and archive feeds where written.
    pub fn xml_feeds(&self) -> Vec<PathBuf> {
        self.files(|path| {
            matches!(path, "atom.xml" | "rss.xml" | "changes.xml")
                || (path.starts_with("archive/") && path.ends_with(".xml"))
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

/// The W3C Feed Validation Service's code is on no registry CI reaches, so
/// this check runs only where `FEEDVALIDATOR_SRC` names its `src/` folder
/// (a clone of github.com/w3c/feedvalidator), even under `require`.
#[test]
fn feeds_pass_the_w3c_feed_validator() {
    if mode() == Mode::Off {
        tell("skipped W3C feed validator: DEPESCHE_EXTERNAL=off");
        return;
    }
    let Some(source) = std::env::var_os("FEEDVALIDATOR_SRC").filter(|v| !v.is_empty()) else {
        tell(
            "skipped W3C feed validator: FEEDVALIDATOR_SRC is not set (its code is on no package registry; \
             set it to the src/ folder of a clone of github.com/w3c/feedvalidator)",
        );
        return;
    };
    let mut missing: Vec<String> = python_modules(&["lxml", "html5lib", "rdflib"]).into_iter().collect();
    if !Path::new(&source).join("feedvalidator/__init__.py").is_file() {
        missing.push(format!("FEEDVALIDATOR_SRC={} holds no feedvalidator package", Path::new(&source).display()));
    }
    if !ready("W3C feed validator", missing) {
        return;
    }
    let feeds: Vec<PathBuf> = sites().iter().flat_map(Site::xml_feeds).collect();
    let mut command = Command::new(python());
    command.arg(helper("feedvalidate.py")).args(&feeds).env("FEEDVALIDATOR_SRC", &source);
    let said = assert_passes("feedvalidate.py (W3C Feed Validation Service)", &mut command);
    let summaries: Vec<&str> = said.lines().filter(|line| line.ends_with(" warnings")).collect();
    assert_eq!(summaries.len(), feeds.len(), "a summary line for every feed expected:\n{said}");
    assert!(summaries.iter().all(|line| line.contains(": 0 errors, ")), "the validator finds errors:\n{said}");
    let unexpected: Vec<&str> = said
        .lines()
        .filter_map(|line| line.split_once(": warning: "))
        .filter(|(feed, warning)| !warning_from_the_input(warning, &std::fs::read_to_string(feed).unwrap()))
        .map(|(_, warning)| warning)
        .collect();
    assert!(unexpected.is_empty(), "the validator warns:\n{}\n\n{said}", unexpected.join("\n"));
}

/// Whether a validator warning comes from what an article says, and so must
/// stay: the feeds publish the wire as written.
fn warning_from_the_input(warning: &str, feed: &str) -> bool {
    if warning.contains("Implausible date") {
        // Any time after now or before 1990 is "implausible"; an article dated
        // so (the nasty fixture's 1900 and 9999) is published at its time,
        // with a build warning. The Unix epoch is no article's time: it would
        // be a missing date, and stays a failure.
        let this_year = chrono::Datelike::year(&chrono::Utc::now());
        let mut odd_years = (1000..1990).chain(this_year + 1..=9999);
        return !feed.contains(">1970-01-01T00:00:00")
            && odd_years.any(|year| feed.contains(&format!(">{year}-")) || feed.contains(&format!(" {year} ")));
    }
    if warning.contains("title should not contain HTML") {
        // A headline that holds markup as text, such as "<b>": RSS titles
        // have no type to say so, and Atom titles are plain text as written.
        return feed.split("<title").skip(1).any(|title| {
            let text = title.split("</title>").next().unwrap_or("");
            text.contains("&#x3C;") || text.contains("&lt;")
        });
    }
    false
}

#[test]
fn only_warnings_caused_by_the_articles_are_excused() {
    let implausible = "line 2, column 160: Implausible date";
    assert!(warning_from_the_input(implausible, "<updated>2099-01-01T10:00:00+01:00</updated>"));
    assert!(warning_from_the_input(implausible, "<pubDate>Thu, 01 Jan 2099 10:00:00 +0100</pubDate>"));
    assert!(warning_from_the_input(&format!("{implausible} (3 occurrences)"), "<published>1900-01-01T00:00:00+01:00"));
    assert!(!warning_from_the_input(implausible, "<updated>1970-01-01T00:00:00+00:00</updated>"));
    assert!(!warning_from_the_input(implausible, "<updated>2024-01-01T00:00:00+01:00</updated>"));
    let html_title = "line 3, column 199: title should not contain HTML (5 occurrences)";
    assert!(warning_from_the_input(html_title, "<title>Erste Fassung &#x3C;b&gt;mit Markup&#x3C;/b&gt;</title>"));
    assert!(!warning_from_the_input(html_title, "<title>Erste Fassung</title><summary>&lt;b&gt;</summary>"));
    assert!(!warning_from_the_input("line 1, column 1: Missing channel element: description", ""));
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
