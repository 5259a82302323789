//! A broken file is reported with file and line; the others are still published.

use crate::support::{assert_well_formed, build, depesche, fixture};

#[test]
fn broken_files_are_reported_and_the_rest_is_published() {
    let built = build(&fixture("mixed"), &[]);
    assert_eq!(built.code(), 1, "rejected files must show in the exit code");
    let stderr = built.stderr();
    assert!(stderr.contains("broken_no_timestamp.txt:2: error: expected a timestamp"), "{stderr}");
    assert!(stderr.contains("empty.txt:1: error: the file is empty"), "{stderr}");
    assert!(stderr.contains("headline_only.txt:2: error:"), "{stderr}");
    assert!(built.stdout().contains("6 files (2 published, 3 rejected, 1 ignored)"), "{}", built.stdout());
    let index = built.read("index.html");
    assert!(index.contains("Devisen: Euro legt zu – Anleger setzen auf Zinssenkung"));
    assert!(index.contains("Aktien Frankfurt Eröffnung"));
}

#[test]
fn markup_in_articles_stays_text() {
    let built = build(&fixture("mixed"), &[]);
    let page = built.read("2024/07/02/aktien-frankfurt-eroeffnung-dax-mit-gewinnen-escaped-quoted/index.html");
    assert!(!page.contains("<script>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&lt;Escaped &amp; &quot;quoted&quot;&gt;"));
    for document in ["atom.xml", "rss.xml", "changes.xml", "sitemap.xml"] {
        assert_well_formed(document, &built.read(document));
    }
    for feed in ["atom.xml", "rss.xml", "changes.xml", "feed.json"] {
        let parsed = feed_rs::parser::parse(built.read(feed).as_bytes());
        assert!(parsed.is_ok_and(|f| f.entries.len() == 2), "feed-rs must read both stories from {feed}");
    }
    let atom = feed_rs::parser::parse(built.read("atom.xml").as_bytes()).unwrap();
    let titles: Vec<String> = atom.entries.iter().map(|e| e.title.clone().unwrap().content).collect();
    assert!(
        titles.contains(&"Aktien Frankfurt Eröffnung: Dax mit Gewinnen <Escaped & \"quoted\">".to_string()),
        "{titles:?}"
    );
}

#[test]
fn list_json_names_rejected_files_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("mixed");
    let list = depesche(dir.path(), &["list", "--json", "--input", input.to_str().unwrap()]);
    assert_eq!(list.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let rejected = json["rejected"].as_array().unwrap();
    let sources: Vec<&str> = rejected.iter().map(|r| r["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["broken_no_timestamp.txt", "empty.txt", "headline_only.txt"]);
    assert_eq!(rejected[0]["line"], 2);
    assert!(rejected[0]["error"].as_str().unwrap().contains("expected a timestamp"));
    assert_eq!(json["stories"].as_array().unwrap().len(), 2);
    assert_eq!(json["ignored"][0]["source"], "README.md");
}

#[test]
fn strict_makes_warnings_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Titel\n27.10.2024 - 02:30:00\nBERLIN (dpa) - Text.\n").unwrap();
    let input = dir.path().to_str().unwrap();
    let lenient = depesche(dir.path(), &["check", "--input", input]);
    assert!(lenient.status.success());
    assert!(String::from_utf8_lossy(&lenient.stderr).contains("a.txt:2: warning: 27.10.2024 02:30:00 occurs twice"));
    let strict = depesche(dir.path(), &["check", "--strict", "--input", input]);
    assert_eq!(strict.status.code(), Some(1));
}
