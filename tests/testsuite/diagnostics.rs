//! Diagnostics for CI: `--format json` and `--format github` on the nasty
//! fixture give one entry per rejected file and per warning, each with its
//! stable code; `-q` leaves only the errors.

use std::collections::BTreeMap;

use crate::support::{depesche, fixture, project_dir};

/// Every problem of the nasty fixture: (file in it, line, code). A code
/// once published never changes, so this list only ever grows.
const NASTY_PROBLEMS: &[(&str, Option<u64>, &str)] = &[
    ("binary-no-nul.txt", Some(1), "E-binary"),
    ("binary-utf16.txt", Some(1), "E-binary"),
    ("dateline-only.txt", Some(3), "E-no-text"),
    ("empty.txt", Some(1), "E-empty"),
    ("headline-only.txt", Some(2), "E-no-timestamp"),
    ("image-named.txt", None, "E-binary"),
    ("impossible-date.txt", Some(2), "E-date"),
    ("impossible-time.txt", Some(2), "E-time"),
    ("malformed-timestamp.txt", Some(2), "E-timestamp"),
    ("no-timestamp.txt", Some(2), "E-timestamp"),
    ("sub/duplicate-b.txt", None, "E-duplicate"),
    ("utf16le-no-bom.txt", None, "E-utf16-no-bom"),
    ("whitespace-only.txt", Some(1), "E-empty"),
    ("year-0000.txt", Some(2), "E-year"),
    ("zero-width-only.txt", Some(1), "E-invisible-headline"),
    ("2024/autumn-twice.txt", Some(2), "W-dst-fold"),
    ("2024/spring-gap.txt", Some(2), "W-dst-gap"),
    ("2099/future.txt", None, "W-future"),
    ("9999/end-of-time.txt", None, "W-future"),
    ("controls.txt", Some(1), "W-removed-characters"),
    ("controls.txt", Some(3), "W-removed-characters"),
    ("controls.txt", Some(4), "W-removed-characters"),
    ("long-headline.txt", Some(1), "W-long-headline"),
];

/// `depesche <command> --input <nasty> --format <format>`, run in a fresh folder.
fn run_on_nasty(command: &str, format: &str, extra: &[&str]) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let nasty = fixture("nasty");
    let mut args = vec![command, "--input", nasty.to_str().unwrap(), "--format", format];
    if command == "build" {
        args.extend(["--output", "public"]);
    }
    args.extend_from_slice(extra);
    (depesche(dir.path(), &args), dir)
}

/// The problems `depesche list --json` reports, independently of `--format`:
/// (file, severity) for every rejected file.
fn listed_rejections() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let nasty = fixture("nasty");
    let listed = depesche(dir.path(), &["list", "--json", "--input", nasty.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    json["rejected"].as_array().unwrap().iter().map(|r| r["source"].as_str().unwrap().to_string()).collect()
}

fn relative_to_nasty(file: &str) -> String {
    let prefix = format!("{}/", fixture("nasty").to_str().unwrap());
    file.strip_prefix(&prefix).unwrap_or_else(|| panic!("{file} is not under the input folder")).to_string()
}

#[test]
fn json_has_one_object_per_rejected_file_and_warning_with_stable_codes() {
    let (output, _dir) = run_on_nasty("check", "json", &[]);
    assert_eq!(output.status.code(), Some(1), "rejected files make the exit code 1");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut found = Vec::new();
    for line in stdout.lines() {
        let object: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON object: {line}: {e}"));
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(keys, ["code", "file", "line", "message", "severity"], "{line}");
        let code = object["code"].as_str().unwrap();
        let severity = object["severity"].as_str().unwrap();
        assert_eq!(severity, if code.starts_with("E-") { "error" } else { "warning" }, "{line}");
        assert!(!object["message"].as_str().unwrap().is_empty());
        let file = relative_to_nasty(object["file"].as_str().unwrap());
        assert!(fixture("nasty").join(&file).exists(), "{file} names no file of the input");
        found.push((file, object["line"].as_u64(), code.to_string()));
    }
    let expected: Vec<(String, Option<u64>, String)> =
        NASTY_PROBLEMS.iter().map(|(f, l, c)| (f.to_string(), *l, c.to_string())).collect();
    assert_eq!(found, expected);
    let errors: Vec<String> = found.iter().filter(|(_, _, c)| c.starts_with("E-")).map(|(f, ..)| f.clone()).collect();
    assert_eq!(errors, listed_rejections(), "one error per file `list` reports rejected");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("checked: 41 files"), "the summary goes to standard error: {stderr}");
}

#[test]
fn github_format_annotates_each_problem_and_build_takes_it_too() {
    let (json, _dir) = run_on_nasty("check", "json", &[]);
    let (output, dir) = run_on_nasty("build", "github", &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(dir.path().join("public/index.html").is_file(), "the build still published");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let (annotations, rest): (Vec<&str>, Vec<&str>) = stdout.lines().partition(|l| l.starts_with("::"));
    assert_eq!(rest.len(), 1, "one summary line besides the annotations: {rest:?}");
    assert!(rest[0].starts_with("built: 41 files"), "{rest:?}");
    let json = String::from_utf8(json.stdout).unwrap();
    assert_eq!(annotations.len(), json.lines().count());
    for (annotation, object) in annotations.iter().zip(json.lines()) {
        let object: serde_json::Value = serde_json::from_str(object).unwrap();
        let file = object["file"].as_str().unwrap();
        let location = match object["line"].as_u64() {
            Some(line) => format!("file={file},line={line}"),
            None => format!("file={file}"),
        };
        let expected = format!(
            "::{} {location},title={}::{}",
            object["severity"].as_str().unwrap(),
            object["code"].as_str().unwrap(),
            object["message"].as_str().unwrap().replace('%', "%25"),
        );
        assert_eq!(*annotation, expected);
    }
    assert!(String::from_utf8_lossy(&output.stderr).is_empty(), "nothing on standard error");
}

#[test]
fn quiet_prints_only_errors() {
    let (text, _dir) = run_on_nasty("check", "text", &["-q"]);
    assert!(text.stdout.is_empty(), "no summary with -q");
    let stderr = String::from_utf8(text.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 15, "{stderr}");
    assert!(stderr.lines().all(|line| line.contains(": error: ")), "{stderr}");
    let (json, _dir) = run_on_nasty("check", "json", &["-q"]);
    let stdout = String::from_utf8(json.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 15);
    assert!(stdout.lines().all(|line| line.contains(r#""severity":"error""#)), "{stdout}");
    assert!(json.stderr.is_empty());
}

#[test]
fn the_readme_lists_every_code() {
    let readme = std::fs::read_to_string(project_dir().join("README.md")).unwrap();
    for code in depesche::diagnostics::all_codes() {
        assert!(readme.contains(&format!("`{code}`")), "README.md does not list {code}");
    }
}

#[test]
fn a_run_that_cannot_be_done_is_reported_in_the_machines_format_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("depesche.toml"), "titel = \"Tippfehler\"\n").unwrap();
    let nasty = fixture("nasty");
    let input = nasty.to_str().unwrap();
    let github = depesche(dir.path(), &["build", "--input", input, "--output", "public", "--format", "github"]);
    assert_eq!(github.status.code(), Some(2));
    let stdout = String::from_utf8(github.stdout).unwrap();
    assert!(stdout.starts_with("::error title=E-fatal::invalid configuration depesche.toml"), "{stdout}");
    assert_eq!(stdout.lines().count(), 1);
    assert!(String::from_utf8_lossy(&github.stderr).starts_with("error: invalid configuration"));
    let json = depesche(dir.path(), &["check", "--input", input, "--format", "json"]);
    assert_eq!(json.status.code(), Some(2));
    let object: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!((&object["file"], &object["code"]), (&serde_json::Value::Null, &serde_json::json!("E-fatal")));
    let text = depesche(dir.path(), &["check", "--input", input]);
    assert!(text.stdout.is_empty(), "text: the message on standard error only");
}
