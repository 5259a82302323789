//! The search page as a reader uses it: a site built from a small wire of
//! three months, served over HTTP on 127.0.0.1, searched in headless
//! Chromium at `suche/?q=...` (`tests/external/search_check.mjs`, the same
//! playwright-core and Debian Chromium as `browser.rs`). German stemming
//! finds a word by another form, the headline, date and place are shown,
//! a story with two versions is found once, at its story page. The search
//! index is the same bytes on every build.
//!
//! Missing tools are handled as in `external.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::external::{helper, node_module, probe, ready, work_dir};
use crate::support::build;

/// A wire of four stories over three months; one has two versions.
fn wire(dir: &Path) -> PathBuf {
    let input = dir.join("wire");
    std::fs::create_dir_all(&input).unwrap();
    let files = [
        (
            "haushalt.txt",
            "Bund: Haushaltsstreit in der Koalition\n04.09.2024 - 09:30:00\nBERLIN (dpa-AFX) - Die Regierung ringt um den Haushalt für das kommende Jahr. Finanzminister und Kanzler treffen sich am Abend.\n",
        ),
        (
            "ampel.txt",
            "Scholz entlässt Finanzminister Lindner\n06.11.2024 - 21:20:00\nBERLIN (dpa-AFX) - Bundeskanzler Olaf Scholz hat Finanzminister Christian Lindner entlassen. Das verlautete aus Berlin.\n",
        ),
        (
            "ampel-neu.txt",
            "Scholz entlässt Finanzminister Lindner\n06.11.2024 - 22:05:00(neu: Details)\nBERLIN (dpa-AFX) - Bundeskanzler Olaf Scholz hat Finanzminister Christian Lindner entlassen. Das verlautete aus Berlin.\nScholz will im Januar die Vertrauensfrage stellen.\n",
        ),
        (
            "devisen.txt",
            "Devisen: Euro legt zu\n01.10.2024 - 16:00:00\nFRANKFURT (dpa-AFX) - Der Euro hat am Dienstag zugelegt. Händler verwiesen auf Konjunkturdaten.\n",
        ),
        (
            "zoll.txt",
            "Zölle belasten Exporteure\n02.10.2024 - 11:00:00\nBRÜSSEL (dpa-AFX) - Neue Zölle treffen die Exporteure. Die Kommission prüft Gegenmaßnahmen.\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(input.join(name), text).unwrap();
    }
    input
}

/// A configuration with search (off by default), written into `dir`.
fn search_config(dir: &Path) -> String {
    let config = dir.join("mit-suche.toml");
    std::fs::write(&config, "search = true\n").unwrap();
    config.to_str().unwrap().to_string()
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or("/usr/bin/chromium".into())
}

/// Run `search_check.mjs` on the site in `root` with `queries` (pressing
/// "older months" while it is offered when `older`); its report.
fn search(root: &Path, queries: &[&str], older: bool) -> serde_json::Value {
    let spec = serde_json::json!({
        "chromium": chromium(),
        "root": root,
        "older": older,
        "queries": queries.iter().map(|q| serde_json::json!({"q": q})).collect::<Vec<_>>(),
    });
    std::fs::create_dir_all(work_dir()).unwrap();
    let spec_path = work_dir().join("search-spec.json");
    std::fs::write(&spec_path, spec.to_string()).unwrap();
    let output = Command::new("node").arg(helper("search_check.mjs")).arg(&spec_path).output().unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "search_check.mjs failed:\n{said}\n{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(&said).unwrap_or_else(|e| panic!("not JSON ({e}): {said}"))
}

fn headlines(query: &serde_json::Value) -> Vec<&str> {
    query["results"].as_array().unwrap().iter().map(|r| r["headline"].as_str().unwrap()).collect()
}

/// Whether the browser tools are there (see `external.rs`).
fn browser_ready(check: &str) -> bool {
    let mut missing: Vec<String> = Vec::new();
    missing.extend(probe("node", Command::new("node").arg("--version")));
    missing.extend(node_module("playwright-core"));
    let chromium = chromium();
    missing.extend(probe(
        &format!("{} (apt-get install chromium)", chromium.display()),
        Command::new(&chromium).arg("--version"),
    ));
    ready(check, missing)
}

#[test]
fn the_search_page_finds_stories_by_another_form_of_a_word_in_chromium() {
    if !browser_ready("search in headless Chromium") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let built = build(&wire(dir.path()), &["--config", &search_config(dir.path())]);
    assert_eq!(built.code(), 0, "{}", built.stderr());
    let report =
        search(&built.public(), &["Regierungen", "Vertrauensfragen", "Exporteur", "Finanzminister", "Quallen"], false);
    let queries = report["queries"].as_array().unwrap();

    // "Regierungen" is nowhere in the wire; "Regierung" is, in the text.
    let stemmed = &queries[0];
    assert_eq!(headlines(stemmed), ["Bund: Haushaltsstreit in der Koalition"], "{stemmed:#}");
    let result = &stemmed["results"][0];
    assert_eq!(result["href"], "/2024/09/04/bund-haushaltsstreit-in-der-koalition/");
    assert_eq!(result["page_exists"], true, "the link leads to the story's page");
    assert_eq!(result["date"], "04.09.2024, 09:30");
    assert_eq!(result["datetime"], "2024-09-04T09:30:00+02:00");
    assert!(result["meta"].as_str().unwrap().contains("BERLIN"), "the place: {result:#}");
    assert!(result["excerpt"].as_str().unwrap().contains("<mark>Regierung</mark>"), "{result:#}");
    // The query stays in the address and in the field, so the search can be linked.
    assert_eq!(stemmed["address"], "/suche/?q=Regierungen");
    assert_eq!(stemmed["input"], "Regierungen");
    assert!(stemmed["status"].as_str().unwrap().starts_with("1 Treffer für „Regierungen“"), "{}", stemmed["status"]);

    // A word only the second version has: the story, once, at its story page.
    let updated = &queries[1];
    assert_eq!(headlines(updated), ["Scholz entlässt Finanzminister Lindner"], "{updated:#}");
    assert_eq!(updated["results"][0]["href"], "/2024/11/06/scholz-entlaesst-finanzminister-lindner/");

    // A word of a headline, another form; a word in two months' stories.
    assert_eq!(headlines(&queries[2]), ["Zölle belasten Exporteure"]);
    let mut both = headlines(&queries[3]);
    both.sort();
    assert_eq!(both, ["Bund: Haushaltsstreit in der Koalition", "Scholz entlässt Finanzminister Lindner"]);
    assert!(headlines(&queries[4]).is_empty(), "no story mentions jellyfish");
    assert!(queries[4]["status"].as_str().unwrap().starts_with("0 Treffer"));

    // Every request went to the local server and the search used the shards.
    let requests = queries[0]["requests"].as_array().unwrap();
    let fetched = |part: &str| requests.iter().any(|r| r["url"].as_str().unwrap().contains(part));
    assert!(fetched("/suche/index/2024-11/pagefind.js"), "the newest month's bundle loads the search");
    for month in ["2024-09", "2024-10", "2024-11"] {
        assert!(fetched(&format!("/suche/index/{month}/pagefind-entry.json")), "{month} is searched");
    }
}

#[test]
fn older_months_are_searched_when_the_reader_asks() {
    if !browser_ready("search of older months in headless Chromium") {
        return;
    }
    // The search page with a first batch of one story instead of 2,000
    // (a template override), so the small wire has older months to add.
    let dir = tempfile::tempdir().unwrap();
    let input = wire(dir.path());
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    let page = std::fs::read_to_string(crate::support::project_dir().join("templates/search.html")).unwrap();
    assert!(page.contains(r#"data-batch="{{ batch }}""#));
    let page = page.replace(r#"data-batch="{{ batch }}""#, r#"data-batch="1""#);
    std::fs::write(dir.path().join("templates/search.html"), page).unwrap();
    std::fs::write(dir.path().join("depesche.toml"), "search = true\n").unwrap();
    let run =
        crate::support::depesche(dir.path(), &["build", "--input", input.to_str().unwrap(), "--output", "public"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report = search(&dir.path().join("public"), &["Finanzminister"], true);
    let query = &report["queries"][0];
    // November first (one story), then October (twice the stories: two),
    // then September, where the other story is.
    assert!(query["first_status"].as_str().unwrap().starts_with("1 Treffer"), "{query:#}");
    assert!(query["first_status"].as_str().unwrap().ends_with("von November 2024."), "{query:#}");
    assert_eq!(query["older_pressed"], 2, "{query:#}");
    let status = query["status"].as_str().unwrap();
    assert!(status.starts_with("2 Treffer") && status.ends_with("von September 2024 bis November 2024."), "{status}");
    let mut found = headlines(query);
    found.sort();
    assert_eq!(found, ["Bund: Haushaltsstreit in der Koalition", "Scholz entlässt Finanzminister Lindner"]);
}

#[test]
fn the_search_index_is_the_same_bytes_on_every_build() {
    let dir = tempfile::tempdir().unwrap();
    let input = wire(dir.path());
    let search = search_config(dir.path());
    let search = ["--config", search.as_str()];
    let (first, second) = (build(&input, &search), build(&input, &search));
    assert_eq!(first.code(), 0, "{}", first.stderr());
    let search_files = |built: &crate::support::Built| -> Vec<(String, Vec<u8>)> {
        let files = built.files().into_iter().filter(|path| path.starts_with("suche/"));
        files.map(|path| (path.clone(), std::fs::read(built.public().join(&path)).unwrap())).collect()
    };
    let (first, second) = (search_files(&first), search_files(&second));
    let shards: Vec<&str> =
        first.iter().filter(|(path, _)| path.ends_with("pagefind-entry.json")).map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        shards,
        [
            "suche/index/2024-09/pagefind-entry.json",
            "suche/index/2024-10/pagefind-entry.json",
            "suche/index/2024-11/pagefind-entry.json"
        ]
    );
    let paths = |files: &[(String, Vec<u8>)]| files.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&first), paths(&second));
    for ((path, a), (_, b)) in first.iter().zip(&second) {
        assert!(a == b, "{path} differs between two builds of the same wire");
    }
    assert!(first.iter().any(|(path, _)| path == "suche/index.html"));
    assert!(first.iter().any(|(path, _)| path == "suche/pagefind/pagefind-modular-ui.js"));
    // Version and diff pages are not indexed: one record per story.
    let entry: serde_json::Value =
        serde_json::from_slice(&first.iter().find(|(p, _)| p.ends_with("2024-11/pagefind-entry.json")).unwrap().1)
            .unwrap();
    assert_eq!(entry["languages"]["de"]["page_count"], 1, "{entry}");
}

#[test]
fn a_site_without_search_has_no_search_page_link_or_index() {
    let dir = tempfile::tempdir().unwrap();
    let input = wire(dir.path());
    let built = build(&input, &[]);
    assert_eq!(built.code(), 0, "{}", built.stderr());
    let files = built.files();
    assert!(files.iter().all(|path| !path.starts_with("suche/")), "{files:?}");
    for page in files.iter().filter(|path| path.ends_with(".html")) {
        assert!(!built.read(page).contains("/suche/"), "{page} links to a search page that is not there");
    }
    assert!(built.read("index.html").contains("/datum/"), "the rest of the header stays");
    let with_search = build(&input, &["--config", &search_config(dir.path())]);
    assert!(with_search.read("index.html").contains("/suche/\">Suche</a>"));
}
