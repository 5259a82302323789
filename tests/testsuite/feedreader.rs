//! A real feed reader, newsboat, subscribed to the feeds before and after a
//! story is revised: it must keep one item for the story (same id) and show
//! the new headline and text, while `changes.xml` gives one item per version.
//!
//! newsboat runs unattended (`-x reload`) on `file://` URLs with its own
//! cache; its SQLite cache is read back with Python's standard `sqlite3`
//! module. Without newsboat (Debian package `newsboat`, installed by
//! `.ci/run`) the test says so and is skipped, unless
//! `DEPESCHE_EXTERNAL=require` (as in CI) makes a missing tool a failure.

use std::path::Path;
use std::process::Command;

use crate::support::{depesche, fixture};

fn have(program: &str, arg: &str) -> bool {
    Command::new(program).arg(arg).output().is_ok_and(|o| o.status.success())
}

/// Run `newsboat -x reload` for the feeds listed in `dir/urls`.
fn reload(dir: &Path) {
    let run = Command::new("newsboat")
        .current_dir(dir)
        .env("HOME", dir.join("home"))
        .env("XDG_CONFIG_HOME", dir.join("home/config"))
        .env("XDG_DATA_HOME", dir.join("home/data"))
        .args(["-u", "urls", "-c", "cache.db", "-C", "config", "-x", "reload"])
        .output()
        .expect("newsboat runs");
    assert!(run.status.success(), "newsboat failed: {}", String::from_utf8_lossy(&run.stderr));
}

/// The items newsboat keeps for one feed: (guid, title, content).
fn cached_items(dir: &Path, feed: &str) -> Vec<(String, String, String)> {
    let script = "import json, sqlite3, sys\n\
        db = sqlite3.connect(sys.argv[1])\n\
        rows = db.execute('select guid, title, content from rss_item where feedurl = ? order by guid', (sys.argv[2],))\n\
        print(json.dumps([list(r) for r in rows]))";
    let run = Command::new("python3")
        .args(["-c", script, dir.join("cache.db").to_str().unwrap(), &feed_url(dir, feed)])
        .output()
        .expect("python3 runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let rows: Vec<(String, String, String)> = serde_json::from_slice(&run.stdout).unwrap();
    rows
}

fn feed_url(dir: &Path, feed: &str) -> String {
    format!("file://{}", dir.join("site").join(feed).display())
}

fn publish(dir: &Path) {
    let run = depesche(dir, &["build", "--input", "in", "--output", "site"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn newsboat_keeps_one_item_per_story_and_shows_the_revision() {
    let missing: Vec<String> = [("newsboat", "-v"), ("python3", "--version")]
        .into_iter()
        .filter(|(program, arg)| !have(program, arg))
        .map(|(program, _)| format!("{program} is not installed (apt-get install {program})"))
        .collect();
    if !crate::external::ready("newsboat feed-reader test", missing) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let story = fixture("stories-headline-change");
    std::fs::create_dir_all(dir.join("in")).unwrap();
    std::fs::create_dir_all(dir.join("home")).unwrap();
    std::fs::write(dir.join("config"), "").unwrap();
    let feeds = ["atom.xml", "rss.xml", "changes.xml"];
    let urls: Vec<String> = feeds.iter().map(|f| feed_url(dir, f)).collect();
    std::fs::write(dir.join("urls"), urls.join("\n") + "\n").unwrap();

    std::fs::copy(story.join("2024/02/z-erste-meldung.txt"), dir.join("in/erste.txt")).unwrap();
    publish(dir);
    reload(dir);
    let before: Vec<_> = ["atom.xml", "rss.xml"].map(|feed| cached_items(dir, feed)).into_iter().collect();
    for items in &before {
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0].1, "Lufthansa streicht wegen Warnstreik Hunderte Flüge");
    }

    for name in ["a-roundup.txt", "m-berichtigung.txt"] {
        std::fs::copy(story.join(name), dir.join("in").join(name)).unwrap();
    }
    publish(dir);
    reload(dir);
    for (feed, before) in ["atom.xml", "rss.xml"].into_iter().zip(&before) {
        let after = cached_items(dir, feed);
        assert_eq!(after.len(), 1, "{feed}: one item for the revised story, not one per version: {after:?}");
        let (guid, title, content) = &after[0];
        assert_eq!(guid, &before[0].0, "{feed}: the story's id never changed");
        assert_eq!(title, "ROUNDUP 2/Lufthansa-Streik: Flugbetrieb soll am Donnerstag wieder normal laufen", "{feed}");
        assert!(content.contains("Am Donnerstag soll der Flugbetrieb wieder normal laufen."), "{feed}: new text");
    }
    let changes = cached_items(dir, "changes.xml");
    assert_eq!(changes.len(), 3, "changes.xml: one item per version: {changes:?}");
    assert!(changes.iter().any(|(_, title, _)| title.starts_with("(Berichtigung:")));
}
