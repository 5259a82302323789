//! Stories and versions: which files group into one story (each trap of the
//! grouping rule has its own fixture folder), the pages of a story's
//! history, and the feeds that carry it (one entry per story, one per
//! version, monthly archives reachable from the current feed).

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{Built, assert_well_formed, build, depesche, fixture};

/// `depesche list --json` of a folder.
fn list(input: &Path) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let run = depesche(dir.path(), &["list", "--json", "--input", input.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    serde_json::from_slice(&run.stdout).unwrap()
}

/// Each story as the sources of its versions in order, stories sorted by
/// their first source; also checks that `n` counts from 1 in time order.
fn groups(input: &Path) -> Vec<Vec<String>> {
    let json = list(input);
    let mut groups: Vec<Vec<String>> = json["stories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|story| {
            let versions = story["versions"].as_array().unwrap();
            let times: Vec<chrono::DateTime<chrono::FixedOffset>> = versions
                .iter()
                .map(|v| chrono::DateTime::parse_from_rfc3339(v["timestamp"].as_str().unwrap()).unwrap())
                .collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "versions out of time order: {story}");
            for (i, v) in versions.iter().enumerate() {
                assert_eq!(v["n"], i + 1, "{story}");
            }
            versions.iter().map(|v| v["source"].as_str().unwrap().to_string()).collect()
        })
        .collect();
    groups.sort();
    groups
}

fn strings(groups: &[&[&str]]) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = groups.iter().map(|g| g.iter().map(|s| s.to_string()).collect()).collect();
    groups.sort();
    groups
}

#[test]
fn daily_market_reports_of_different_days_stay_apart() {
    assert_eq!(
        groups(&fixture("stories-daily-reports")),
        strings(&[
            &["schluss-montag.txt", "schluss-montag-korrektur.txt"],
            &["schluss-dienstag.txt", "schluss-dienstag-neu.txt"],
            &["schluss-mittwoch.txt"],
            &["schluss-donnerstag-neu.txt"],
        ])
    );
}

#[test]
fn opening_and_closing_report_of_one_day_stay_apart() {
    assert_eq!(
        groups(&fixture("stories-open-close")),
        strings(&[&["01.txt", "02.txt"], &["03.txt"], &["04.txt", "05.txt"], &["06.txt", "07.txt"]]),
        "Eröffnung and Schluss are two stories; two Devisen reports without a note are two stories"
    );
}

#[test]
fn two_stories_from_one_city_on_one_day_stay_apart() {
    assert_eq!(
        groups(&fixture("stories-same-city")),
        strings(&[&["ampel.txt", "ampel-neu.txt"], &["ber.txt", "ber-neu.txt"], &["rente.txt"]])
    );
}

#[test]
fn versions_follow_time_not_file_names_across_a_headline_change() {
    assert_eq!(
        groups(&fixture("stories-headline-change")),
        strings(&[&["2024/02/z-erste-meldung.txt", "a-roundup.txt", "m-berichtigung.txt"]])
    );
}

#[test]
fn an_orphan_revision_is_a_story_of_its_own_and_keeps_its_note() {
    assert_eq!(groups(&fixture("stories-orphan")), strings(&[&["bahn-neu.txt"], &["bvg.txt"]]));
    let json = list(&fixture("stories-orphan"));
    let orphan = json["stories"].as_array().unwrap().iter().find(|s| s["versions"][0]["source"] == "bahn-neu.txt");
    let orphan = &orphan.unwrap()["versions"][0];
    assert_eq!(orphan["marker"], "(neu: Details)");
    assert_eq!(orphan["kind"], "new-details");
    assert_eq!(
        orphan["url"],
        "https://depesche.example.org/2024/01/10/roundup-gdl-streik-bahn-bietet-notfahrplan-an/v/1/"
    );
    let built = build(&fixture("stories-orphan"), &[]);
    let page = built.read("2024/01/10/roundup-gdl-streik-bahn-bietet-notfahrplan-an/index.html");
    assert!(page.contains("<span class=\"note\">neu: Details</span>"), "the orphan's note is shown");
}

/// Copy `from` into a fresh folder with every file renamed and the order of
/// names reversed against time; grouping must not change.
#[test]
fn grouping_does_not_depend_on_file_names_or_folders() {
    let from = fixture("stories-open-close");
    let dir = tempfile::tempdir().unwrap();
    let mut names: Vec<String> =
        std::fs::read_dir(&from).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    for (i, name) in names.iter().enumerate() {
        let folder = dir.path().join(if i % 2 == 0 { "a" } else { "b/c" });
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::copy(from.join(name), folder.join(format!("{:02}-{name}", names.len() - i))).unwrap();
    }
    let by_content = |input: &Path| -> Vec<Vec<String>> {
        let json = list(input);
        let mut stories: Vec<Vec<String>> = json["stories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                s["versions"].as_array().unwrap().iter().map(|v| v["timestamp"].as_str().unwrap().to_string()).collect()
            })
            .collect();
        stories.sort();
        stories
    };
    assert_eq!(by_content(&from), by_content(dir.path()));
    let ids = |input: &Path| -> BTreeSet<String> {
        list(input)["stories"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(&from), ids(dir.path()), "ids come from content, not from file names");
}

#[test]
fn identity_comes_from_the_first_version_and_survives_later_ones() {
    let full = list(&fixture("stories-headline-change"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("stories-headline-change").join("2024/02/z-erste-meldung.txt"), dir.path().join("erste.txt"))
        .unwrap();
    let first_only = list(dir.path());
    let story = &full["stories"][0];
    assert_eq!(story["id"], first_only["stories"][0]["id"]);
    assert_eq!(story["url"], first_only["stories"][0]["url"]);
    assert_eq!(
        story["url"],
        "https://depesche.example.org/2024/02/07/lufthansa-streicht-wegen-warnstreik-hunderte-fluege/"
    );
    assert_eq!(story["headline"], "ROUNDUP 2/Lufthansa-Streik: Flugbetrieb soll am Donnerstag wieder normal laufen");
}

const LUFTHANSA: &str = "2024/02/07/lufthansa-streicht-wegen-warnstreik-hunderte-fluege/";

#[test]
fn every_version_and_diff_has_a_page() {
    let built = build(&fixture("stories-headline-change"), &[]);
    assert_eq!(built.code(), 0, "{}", built.stderr());
    let files = built.files();
    for page in [
        "v/1/index.html",
        "v/2/index.html",
        "v/3/index.html",
        "diff/1-2/index.html",
        "diff/2-3/index.html",
        "diff/1-3/index.html",
    ] {
        assert!(files.contains(&format!("{LUFTHANSA}{page}")), "{page} missing");
    }
    assert!(!files.iter().any(|f| f.contains("diff/1-1") || f.contains("diff/2-1")));
    let v2 = built.read(&format!("{LUFTHANSA}v/2/index.html"));
    assert!(v2.contains("<h1>WDH/ROUNDUP: Verdi-Warnstreik legt Lufthansa lahm - Leere Terminals in Frankfurt</h1>"));
    assert!(v2.contains("<span class=\"note\">(neu: Details, Stimmen)</span>"));
    assert!(v2.contains(&format!("href=\"https://depesche.example.org/{LUFTHANSA}v/2/source.txt\"")));
    assert!(v2.contains(&format!("<link rel=\"canonical\" href=\"https://depesche.example.org/{LUFTHANSA}v/2/\">")));
}

#[test]
fn the_story_page_shows_the_latest_text_the_history_and_the_correction() {
    let built = build(&fixture("stories-headline-change"), &[]);
    let page = built.read(&format!("{LUFTHANSA}index.html"));
    assert!(page.contains("<h1>ROUNDUP 2/Lufthansa-Streik: Flugbetrieb soll am Donnerstag wieder normal laufen</h1>"));
    assert!(page.contains("Am Donnerstag soll der Flugbetrieb wieder normal laufen."), "latest text");
    let correction = page.find("class=\"correction\"").expect("the correction is marked");
    assert!(correction < page.find("<h1>").unwrap(), "the correction stands above the headline");
    for n in 1..=3 {
        assert!(page.contains(&format!("{LUFTHANSA}v/{n}/\"")), "history links version {n}");
    }
    for pair in ["1-2", "2-3", "1-3"] {
        assert!(page.contains(&format!("{LUFTHANSA}diff/{pair}/\"")), "history links diff {pair}");
    }
    assert!(page.contains("07.02.2024, 09:35 Uhr"));
}

#[test]
fn a_diff_marks_inserted_and_deleted_words_with_text_cues() {
    let built = build(&fixture("stories-headline-change"), &[]);
    let diff = built.read(&format!("{LUFTHANSA}diff/2-3/index.html"));
    // Seen: the cues; heard (screen readers skip the cues): "gestrichen" / "eingefügt".
    let mark = |tag: &str, heard: &str, open: &str, close: &str, text: &str| {
        format!(
            "<{tag}><span class=\"cue\" aria-hidden=\"true\">{open} </span><span class=\"visually-hidden\">{heard}: </span>{text}<span class=\"visually-hidden\"> (Ende {heard})</span><span class=\"cue\" aria-hidden=\"true\"> {close}</span></{tag}>"
        )
    };
    let deleted = mark("del", "gestrichen", "[−", "−]", "rechnet");
    let inserted = mark("ins", "eingefügt", "[+", "+]", "rechnete");
    assert!(diff.contains(&format!("{deleted} {inserted}")), "{diff}");
    assert!(diff.contains(&mark(
        "ins",
        "eingefügt",
        "[+",
        "+]",
        "Am Donnerstag soll der Flugbetrieb wieder normal laufen."
    )));
    assert!(diff.contains("<link rel=\"stylesheet\" href=\"/stil.css?v="), "the page links the site's stylesheet");
    assert!(
        built.read("stil.css").contains(".visually-hidden {"),
        "the hidden words are hidden from sight, not from screen readers"
    );
    assert!(diff.contains("class=\"correction\""), "the correction is marked on its diff");
    assert!(!diff.contains("<script"), "no JavaScript");
    let unchanged =
        diff.matches("Lufthansa-Personalvorstand Michael Niggemann nannte den Streik unverhältnismäßig.").count();
    assert_eq!(unchanged, 1, "unchanged paragraphs appear once, unmarked");
}

#[test]
fn a_repeat_shows_one_text_and_lists_the_repeat() {
    let built = build(&fixture("stories-repeat"), &[]);
    let path = "2024/11/18/bundesbank-deutsche-wirtschaft-duerfte-im-schlussquartal-stagnieren/";
    let page = built.read(&format!("{path}index.html"));
    assert_eq!(page.matches("Die Industrie leide weiter unter einer schwachen Nachfrage.").count(), 1);
    assert!(page.contains("unverändert wiederholt"));
    assert!(page.contains("<span class=\"note\">(Wiederholung)</span>"));
    let diff = built.read(&format!("{path}diff/1-2/index.html"));
    assert!(diff.contains("Wort für Wort unverändert"), "whitespace-only changes do not count");
    let text = &diff[diff.find("<article class=\"diff\">").unwrap()..];
    assert!(!text.contains("<ins>") && !text.contains("<del>"), "nothing marked in the text");
    let atom = feed_rs::parser::parse(built.read("atom.xml").as_bytes()).unwrap();
    assert_eq!(atom.entries.len(), 1);
    assert_eq!(atom.entries[0].updated, atom.entries[0].published, "a repeat is not a significant update");
}

fn parse_feed(built: &Built, name: &str) -> feed_rs::model::Feed {
    let text = built.read(name);
    if name.ends_with(".xml") {
        assert_well_formed(name, &text);
    }
    feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("feed-rs cannot parse {name}: {e}"))
}

fn all_stories() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in
        ["stories-daily-reports", "stories-headline-change", "stories-repeat", "stories-orphan", "stories-same-city"]
    {
        copy_tree(&fixture(name), &dir.path().join(name));
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().map(Result::unwrap).filter(|e| e.file_type().is_file()) {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(entry.path(), target).unwrap();
    }
}

#[test]
fn atom_has_one_entry_per_story_with_its_id_and_the_changes() {
    let input = all_stories();
    let built = build(input.path(), &[]);
    let json = list(input.path());
    let ids: BTreeSet<String> =
        json["stories"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().into()).collect();
    let atom = parse_feed(&built, "atom.xml");
    let entry_ids: BTreeSet<String> = atom.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(entry_ids, ids);
    assert_eq!(atom.entries.len(), ids.len(), "one entry per story");
    let lufthansa = atom.entries.iter().find(|e| e.links[0].href.ends_with(LUFTHANSA)).unwrap();
    assert_eq!(lufthansa.published.unwrap().to_rfc3339(), "2024-02-07T05:10:00+00:00");
    assert_eq!(lufthansa.updated.unwrap().to_rfc3339(), "2024-02-08T07:00:00+00:00");
    let content = lufthansa.content.as_ref().unwrap().body.clone().unwrap();
    assert!(content.contains("Am Donnerstag soll der Flugbetrieb wieder normal laufen."));
    assert!(content.contains(&format!("https://depesche.example.org/{LUFTHANSA}diff/2-3/")), "links to the diffs");
    let rss = parse_feed(&built, "rss.xml");
    assert_eq!(rss.entries.len(), ids.len());
    let feed: serde_json::Value = serde_json::from_str(&built.read("feed.json")).unwrap();
    let item =
        feed["items"].as_array().unwrap().iter().find(|i| i["url"].as_str().unwrap().ends_with(LUFTHANSA)).unwrap();
    assert_eq!(item["date_modified"], "2024-02-08T08:00:00+01:00");
    assert_eq!(item["date_published"], "2024-02-07T06:10:00+01:00");
}

#[test]
fn changes_feed_has_one_entry_per_version_titled_with_its_note() {
    let input = all_stories();
    let built = build(input.path(), &[]);
    let changes = parse_feed(&built, "changes.xml");
    let versions: usize =
        list(input.path())["stories"].as_array().unwrap().iter().map(|s| s["versions"].as_array().unwrap().len()).sum();
    assert_eq!(changes.entries.len(), versions);
    let ids: BTreeSet<&str> = changes.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), versions, "every version has its own id");
    let correction = changes
        .entries
        .iter()
        .find(|e| e.links[0].href.ends_with(&format!("{LUFTHANSA}v/3/")))
        .expect("an entry links the version page");
    assert!(correction.title.as_ref().unwrap().content.starts_with("(Berichtigung: Im zweiten Absatz"));
}

#[test]
fn monthly_archives_make_every_story_reachable_from_the_current_feed() {
    let input = all_stories();
    // Two stories per current feed, so the archives have to carry the rest.
    let config = input.path().join("depesche.toml");
    std::fs::write(&config, "feed_length = 2\n").unwrap();
    let built = build(input.path(), &["--config", config.to_str().unwrap()]);
    assert_eq!(parse_feed(&built, "atom.xml").entries.len(), 2);
    let mut reached = BTreeSet::new();
    let mut next = Some("atom.xml".to_string());
    let mut documents = 0;
    while let Some(name) = next.take() {
        documents += 1;
        assert!(documents < 50, "prev-archive links loop");
        let text = built.read(&name);
        let feed = parse_feed(&built, &name);
        reached.extend(feed.entries.iter().map(|e| e.id.clone()));
        if name != "atom.xml" {
            assert!(text.contains("<fh:archive"), "{name} is marked as an archive");
            assert!(text.contains("xmlns:fh=\"http://purl.org/syndication/history/1.0\""));
            assert!(text.contains("<link href=\"https://depesche.example.org/atom.xml\" rel=\"current\""), "{name}");
        }
        next = feed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("prev-archive"))
            .map(|l| l.href.strip_prefix("https://depesche.example.org/").unwrap().to_string());
    }
    let all: BTreeSet<String> =
        list(input.path())["stories"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().into()).collect();
    assert_eq!(reached, all, "walking prev-archive reaches every story");
    let archives: Vec<String> = built.files().into_iter().filter(|f| f.starts_with("archive/")).collect();
    assert_eq!(archives, ["archive/2024-01.xml", "archive/2024-02.xml", "archive/2024-10.xml", "archive/2024-11.xml"]);
    let oldest = built.read("archive/2024-01.xml");
    assert!(!oldest.contains("rel=\"prev-archive\""));
    assert!(oldest.contains("<link href=\"https://depesche.example.org/archive/2024-02.xml\" rel=\"next-archive\""));
}

#[test]
fn a_rewrite_under_a_new_headline_continues_its_story() {
    assert_eq!(
        groups(&fixture("stories-rewrite")),
        strings(&[&["ber.txt", "ber-rewrite.txt"], &["rente.txt"]]),
        "a `durchgehend aktualisiert` rewrite keeps the names and figures, not the phrases"
    );
}

/// A copy of fixture `name` without the files `left_out`.
fn fixture_without(name: &str, left_out: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(name), dir.path());
    for file in left_out {
        std::fs::remove_file(dir.path().join(file)).unwrap();
    }
    dir
}

#[test]
fn a_revision_without_its_original_never_joins_a_look_alike() {
    let cases: [(&str, &str, &str); 3] = [
        ("stories-open-close", "06.txt", "07.txt"),
        ("stories-daily-reports", "schluss-montag.txt", "schluss-montag-korrektur.txt"),
        ("stories-daily-reports", "schluss-dienstag.txt", "schluss-dienstag-neu.txt"),
    ];
    for (name, original, revision) in cases {
        let folder = fixture_without(name, &[original]);
        let groups = groups(folder.path());
        assert!(
            groups.contains(&vec![revision.to_string()]),
            "{name} without {original}: {revision} must stand alone, got {groups:?}"
        );
    }
}

#[test]
fn an_orphan_becomes_a_version_once_its_original_arrives() {
    let without = fixture_without("stories-headline-change", &["2024/02/z-erste-meldung.txt"]);
    assert_eq!(groups(without.path()), strings(&[&["a-roundup.txt", "m-berichtigung.txt"]]));
    assert_eq!(
        groups(&fixture("stories-headline-change")),
        strings(&[&["2024/02/z-erste-meldung.txt", "a-roundup.txt", "m-berichtigung.txt"]])
    );
}

#[test]
fn the_same_stories_build_to_the_same_bytes() {
    let input = all_stories();
    let first = build(input.path(), &[]);
    let second = build(input.path(), &[]);
    assert_eq!(first.files(), second.files());
    for file in first.files() {
        let same =
            std::fs::read(first.public().join(&file)).unwrap() == std::fs::read(second.public().join(&file)).unwrap();
        assert!(same, "{file} differs between two builds");
    }
}

#[test]
fn a_next_morning_roundup_that_repeats_a_paragraph_joins_its_story() {
    assert_eq!(
        groups(&fixture("stories-next-morning")),
        strings(&[&["bayer-glyphosat.txt"], &["bayer-prognose.txt", "bayer-roundup.txt"]]),
        "17 hours later, with a new headline and lead, the quote repeated word for word and the same figures \
         tie the ROUNDUP to its story, although Bayer's story of the day before shares many of its names"
    );
}

/// A copy of fixture `name` with the timestamp of `file` set to `stamp`
/// (`DD.MM.YYYY - HH:MM:SS`), its revision note kept.
fn fixture_with_time(name: &str, file: &str, stamp: &str) -> tempfile::TempDir {
    let dir = fixture_without(name, &[]);
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let (headline, rest) = text.split_once('\n').unwrap();
    std::fs::write(&path, format!("{headline}\n{stamp}{}", &rest[stamp.len()..])).unwrap();
    dir
}

#[test]
fn a_rewrite_joins_its_story_hours_later_and_the_next_morning() {
    for stamp in ["06.11.2024 - 18:40:00", "07.11.2024 - 07:30:00"] {
        let folder = fixture_with_time("stories-rewrite", "ber-rewrite.txt", stamp);
        assert_eq!(
            groups(folder.path()),
            strings(&[&["ber.txt", "ber-rewrite.txt"], &["rente.txt"]]),
            "the rewrite sent at {stamp}"
        );
    }
}

#[test]
fn a_report_from_another_city_never_takes_a_revision_without_its_original() {
    assert_eq!(
        groups(&fixture("stories-two-cities")),
        strings(&[&["hamburg.txt", "hamburg-neu.txt"], &["muenchen.txt", "muenchen-neu.txt"]])
    );
    let without = fixture_without("stories-two-cities", &["hamburg.txt"]);
    assert_eq!(
        groups(without.path()),
        strings(&[&["hamburg-neu.txt"], &["muenchen.txt", "muenchen-neu.txt"]]),
        "the Hamburg revision shares half its text with the Munich report of the same morning, not its place"
    );
}
