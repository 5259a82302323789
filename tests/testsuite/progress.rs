//! Progress and verbosity: a bar on a terminal for a long build, nothing of
//! it when output goes to a pipe or a file (CI logs stay clean), stage
//! timings with `-v`.

use std::path::Path;
use std::process::Command;

use crate::support::depesche;

/// Write `n` distinct articles, long enough a build that the bar is due.
fn write_wire(folder: &Path, n: usize) {
    std::fs::create_dir_all(folder).unwrap();
    for i in 0..n {
        let (day, hour, minute) = (1 + i % 28, i / 60 % 24, i % 60);
        let text = format!(
            "Meldung Nummer {i} über Thema {}\n{day:02}.03.2024 - {hour:02}:{minute:02}:00\n\
             BERLIN (dpa-AFX) - Der Bericht {i} handelt von Zahl {} und Wort {}.\n",
            i * 7919 % 1000,
            i * 31,
            i * 17
        );
        std::fs::write(folder.join(format!("{i:05}.txt")), text).unwrap();
    }
}

/// Enough that writing outlasts the bar's delay (0.4 s) on a fast, idle
/// machine: 1,500 were built in 0.28 s, and the bar never came.
const FILES: usize = 6000;

#[test]
fn no_progress_output_when_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    write_wire(&dir.path().join("wire"), FILES);
    let built = depesche(dir.path(), &["build", "--input", "wire", "--output", "public"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    assert!(built.stderr.is_empty(), "standard error: {:?}", String::from_utf8_lossy(&built.stderr));
    let stdout = String::from_utf8(built.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "only the summary: {stdout:?}");
    assert!(stdout.starts_with(&format!("built: {FILES} files")), "{stdout}");
}

/// The same build on a terminal (a pseudo-terminal made by `script`) shows
/// the bar: the test above cannot pass just because no bar exists.
#[test]
fn a_terminal_shows_the_bar_and_verbose_adds_timings() {
    let dir = tempfile::tempdir().unwrap();
    write_wire(&dir.path().join("wire"), FILES);
    let command = format!("{} -v build --input wire --output public", env!("CARGO_BIN_EXE_depesche"));
    let run = Command::new("script")
        .current_dir(dir.path())
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("script(1) from util-linux runs");
    let screen = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{screen}");
    // Reading is over before the bar is due; writing the pages is not.
    assert!(screen.contains("writing =") && screen.contains(" documents"), "no bar: {screen}");
    assert!(screen.contains("timing: render and write:"), "no timings: {screen}");
    assert!(screen.contains(&format!("built: {FILES} files")), "{screen}");
}

#[test]
fn verbose_prints_stage_timings_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    write_wire(&dir.path().join("wire"), 3);
    let built = depesche(dir.path(), &["build", "-v", "--input", "wire", "--output", "public"]);
    let stderr = String::from_utf8(built.stderr).unwrap();
    let stages: Vec<&str> =
        stderr.lines().filter_map(|l| l.strip_prefix("timing: ")).map(|l| l.split(':').next().unwrap()).collect();
    assert!(stages.contains(&"open and find files") && stages.contains(&"commit"), "{stderr}");
    // A first build decides every file's story; nothing else is printed.
    assert!(stderr.lines().any(|l| l == "grouping: 3 of 3 files decided anew"), "{stderr}");
    assert_eq!(stderr.lines().count(), stages.len() + 1, "{stderr}");
}
