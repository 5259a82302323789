//! The sample builds into a complete site.

use crate::support::{build, depesche, project_dir};

const STORY: &str = "2024/10/28/nato-russische-verluste-bei-mehr-als-600-000-soldaten/";

#[test]
fn the_sample_builds_into_a_site() {
    let built = build(&project_dir().join("seeds"), &[]);
    assert_eq!(built.code(), 0, "{}", built.stderr());
    let files = built.files();
    for expected in ["index.html", "404.html", "atom.xml", "rss.xml", "feed.json", "sitemap.xml"] {
        assert!(files.contains(&expected.to_string()), "{expected} missing from {files:?}");
    }
    assert!(files.contains(&format!("{STORY}index.html")), "{files:?}");
    assert!(built.stdout().contains("1 published"), "{}", built.stdout());
}

#[test]
fn each_version_keeps_its_original_bytes() {
    let built = build(&project_dir().join("seeds"), &[]);
    let original = std::fs::read(project_dir().join("seeds/000_3b36189d28881a45.txt")).unwrap();
    let copy = std::fs::read(built.public().join(format!("{STORY}v/1/source.txt"))).unwrap();
    assert_eq!(original, copy);
}

#[test]
fn pages_link_the_feeds_and_use_absolute_urls() {
    let built = build(&project_dir().join("seeds"), &["--base-url", "https://news.example.com/wire"]);
    for page in ["index.html", &format!("{STORY}index.html"), "404.html"] {
        let html = built.read(page);
        for feed in ["atom.xml\"", "rss.xml\"", "feed.json\""] {
            assert!(html.contains(&format!("href=\"https://news.example.com/wire/{feed}")), "{page} lacks {feed}");
        }
        assert!(html.contains("<html lang=\"de\">"));
        // The stylesheet is linked from the host's root (below the base
        // path), so that a copy served elsewhere is styled; every other link
        // is absolute.
        assert!(html.contains("<link rel=\"stylesheet\" href=\"/wire/stil.css?v="), "{page} lacks the stylesheet");
        for attr in html.split("href=\"").skip(1).filter(|attr| !attr.starts_with("/wire/stil.css?v=")) {
            assert!(attr.starts_with("https://news.example.com/wire/"), "{page}: relative or foreign link {attr:.60}");
        }
    }
    let story = built.read(&format!("{STORY}index.html"));
    assert!(story.contains(&format!("<link rel=\"canonical\" href=\"https://news.example.com/wire/{STORY}\">")));
    assert!(story.contains("<time datetime=\"2024-10-28T14:57:43+01:00\">28. Oktober 2024, 14:57 Uhr</time>"));
}

#[test]
fn two_builds_are_byte_identical() {
    let first = build(&project_dir().join("seeds"), &[]);
    let second = build(&project_dir().join("seeds"), &[]);
    assert_eq!(first.files(), second.files());
    for file in first.files() {
        let a = std::fs::read(first.public().join(&file)).unwrap();
        let b = std::fs::read(second.public().join(&file)).unwrap();
        assert!(a == b, "{file} differs between two builds");
    }
}

#[test]
fn a_clean_rebuild_replaces_the_old_site() {
    let built = build(&project_dir().join("seeds"), &[]);
    std::fs::write(built.public().join("stale.html"), "old").unwrap();
    let input = project_dir().join("seeds");
    let args = ["build", "--input", input.to_str().unwrap(), "--output", "public"];
    // An incremental build changes only what it wrote itself.
    assert!(depesche(built.dir.path(), &args).status.success());
    assert!(built.public().join("stale.html").exists());
    let again = depesche(built.dir.path(), &[&args[..], &["--clean"]].concat());
    assert!(again.status.success());
    assert!(!built.public().join("stale.html").exists());
}

#[test]
fn a_foreign_output_folder_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("public")).unwrap();
    std::fs::write(dir.path().join("public/wichtig.txt"), "keep me").unwrap();
    let input = project_dir().join("seeds");
    let run = depesche(dir.path(), &["build", "--input", input.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("not written by depesche"));
    assert_eq!(std::fs::read_to_string(dir.path().join("public/wichtig.txt")).unwrap(), "keep me");
}

#[test]
fn check_writes_nothing_and_list_describes_the_stories() {
    let dir = tempfile::tempdir().unwrap();
    let input = project_dir().join("seeds");
    let check = depesche(dir.path(), &["check", "--input", input.to_str().unwrap()]);
    assert!(check.status.success());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "check wrote files");

    let list = depesche(dir.path(), &["list", "--json", "--input", input.to_str().unwrap()]);
    assert!(list.status.success());
    let json: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let story = &json["stories"][0];
    assert_eq!(json["stories"].as_array().unwrap().len(), 1);
    assert!(story["id"].as_str().unwrap().starts_with("tag:depesche.example.org,2024-10-28:"));
    assert_eq!(story["slug"], "nato-russische-verluste-bei-mehr-als-600-000-soldaten");
    assert_eq!(story["url"], format!("https://depesche.example.org/{STORY}"));
    let version = &story["versions"][0];
    assert_eq!(version["n"], 1);
    assert_eq!(version["source"], "000_3b36189d28881a45.txt");
    assert_eq!(version["timestamp"], "2024-10-28T14:57:43+01:00");
    assert_eq!(version["marker"], "(neu: Details)");
    assert_eq!(json["rejected"], serde_json::json!([]));
}

#[test]
fn the_default_command_line_publishes_seeds_into_public() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &str| {
        let target = dir.path().join(from);
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(project_dir().join(from)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
        }
    };
    copy("seeds");
    let run = depesche(dir.path(), &["build"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(dir.path().join(format!("public/{STORY}index.html")).is_file());
}
