//! Nothing in an input folder can break the site: the nasty fixture folder
//! (plus pipes, sockets, looping links, unreadable and huge files made at
//! test time) is built end to end and every page and feed is checked the
//! way a browser or feed reader would read it.
//!
//! [`assert_site_is_safe`] knows nothing about the fixture, so it also
//! checks any other folder: set `DEPESCHE_NASTY_DIR` to run it on one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::accounting::assert_accounted;
use crate::support::{Built, assert_well_formed, build, fixture, project_dir};

/// Strings from the fixture's articles that must never reach a page or the
/// HTML of a feed unescaped.
const INJECTED: &[&str] = &[
    "<script",
    "<img",
    "<b>",
    "<i>",
    "<!-- c -->",
    "<style>body{display:none}",
    "<![CDATA[ kein",
    "<?xml version=\"1.0\"?> und",
    "</p></article>",
    "href=\"javascript:",
];

/// Every universal promise: no panic, every file accounted for, every XML
/// document well-formed and readable as a feed, no markup from articles,
/// no file outside the output folder.
pub fn assert_site_is_safe(built: &Built, input: &Path) {
    let stderr = built.stderr();
    assert!(!stderr.contains("panicked"), "depesche panicked:\n{stderr}");
    assert!(matches!(built.code(), 0 | 1), "exit code {}:\n{stderr}", built.code());
    assert_accounted(built, input);
    assert_only_the_output_was_written(built);
    let allowed = template_tags();
    for site_path in built.files() {
        assert_safe_site_path(&site_path);
        let bytes = std::fs::read(built.public().join(&site_path)).unwrap();
        if site_path.ends_with("/source.txt") {
            continue; // the original bytes, served as text, on purpose untouched
        }
        if site_path.starts_with("suche/index/") || site_path.starts_with("suche/pagefind/") {
            continue; // Pagefind's compressed index and scripts, read by its own script (search.rs)
        }
        let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{site_path} is not UTF-8"));
        assert_no_forbidden_characters(&site_path, &text);
        match site_path.rsplit_once('.').map(|(_, ext)| ext) {
            Some("html") => assert_html_from_templates_only(&site_path, &text, &allowed),
            Some("xml") => assert_xml_document(&site_path, &text, &allowed),
            Some("json") if site_path.ends_with("/story.json") => assert_ninjs(&site_path, &text, &allowed),
            Some("json") => assert_json_feed(&site_path, &text, &allowed),
            _ => {}
        }
    }
}

fn assert_only_the_output_was_written(built: &Built) {
    let names: BTreeSet<String> = std::fs::read_dir(built.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected = BTreeSet::from(["public".to_string(), ".public.depesche-cache".to_string()]);
    assert_eq!(names, expected, "files written beside the output folder other than its cache");
}

/// Site paths are plain names: no `..`, no separators, no odd characters.
fn assert_safe_site_path(site_path: &str) {
    for part in site_path.split('/') {
        let plain = !part.is_empty()
            && part != "."
            && part != ".."
            && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        assert!(plain, "unsafe output path {site_path:?}");
    }
}

fn assert_no_forbidden_characters(site_path: &str, text: &str) {
    if let Some(c) = text.chars().find(|&c| depesche::parse::is_forbidden(c) && c != '\n' && c != '\r') {
        panic!("{site_path} holds U+{:04X}", c as u32);
    }
    if let Some(c) = text.chars().find(|&c| depesche::parse::is_invisible_control(c)) {
        panic!("{site_path} holds the invisible control U+{:04X}", c as u32);
    }
}

/// The tag names the built-in templates and depesche's own markup use.
fn template_tags() -> BTreeSet<String> {
    // The compared text of a diff page (`page.diff_html`) is marked up by
    // depesche itself, with these.
    let mut tags: BTreeSet<String> = ["h2", "h3", "p", "ins", "del", "span"].map(String::from).into();
    for entry in std::fs::read_dir(project_dir().join("templates")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "html") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for tag in scan_tags("template", &text) {
            tags.insert(tag.name);
        }
    }
    tags
}

/// A start or end tag found in HTML.
#[derive(Debug)]
struct Tag {
    name: String,
    closing: bool,
    attributes: Vec<(String, String)>,
}

/// Every tag of `html`. Panics at a `<` that starts no tag: escaped text
/// never holds one, so it can only be markup that leaked from an article.
fn scan_tags(name: &str, html: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if rest.starts_with("!DOCTYPE") || rest.starts_with("!doctype") {
            continue;
        }
        if rest.starts_with('{') || rest.starts_with('%') {
            continue; // template syntax next to a `<` in the template sources
        }
        let closing = rest.starts_with('/');
        let body = rest.trim_start_matches('/');
        let name_len = body.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(body.len());
        let context: String = rest.chars().take(60).collect();
        assert!(name_len > 0, "{name}: a `<` that starts no tag: <{context}");
        let end = tag_end(body).unwrap_or_else(|| panic!("{name}: unterminated tag <{context}"));
        tags.push(Tag {
            name: body[..name_len].to_ascii_lowercase(),
            closing,
            attributes: attributes(&body[name_len..end]),
        });
        rest = &body[end..];
    }
    tags
}

/// The index of the `>` that ends a tag, skipping quoted attribute values.
fn tag_end(body: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn attributes(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text.trim_start_matches('/');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        let name_len = rest.find(|c: char| c.is_whitespace() || c == '=' || c == '/').unwrap_or(rest.len());
        if name_len == 0 {
            return found;
        }
        let name = rest[..name_len].to_ascii_lowercase();
        rest = &rest[name_len..];
        let mut value = String::new();
        if let Some(after) = rest.trim_start().strip_prefix('=') {
            let after = after.trim_start();
            let (v, tail) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => after[1..].split_once(q).unwrap_or((&after[1..], "")),
                _ => after.split_once(char::is_whitespace).unwrap_or((after, "")),
            };
            value = v.to_string();
            rest = tail;
        }
        found.push((name, value));
    }
}

/// Only the templates' tags, no event handlers, no `javascript:` links, and
/// one `<title>` and one `<body>` (an article's `</title>` cannot open another).
fn assert_html_from_templates_only(site_path: &str, html: &str, allowed: &BTreeSet<String>) {
    let tags = scan_tags(site_path, html);
    assert_tags_allowed(site_path, &tags, allowed);
    if site_path.ends_with("index.html") || site_path == "404.html" {
        for single in ["title", "body", "html", "head"] {
            let count = tags.iter().filter(|t| t.name == single && !t.closing).count();
            assert_eq!(count, 1, "{site_path}: {count} <{single}> tags");
        }
    }
    let html = without_json_ld(site_path, html);
    let html = if site_path == "suche/index.html" { without_search_scripts(&html) } else { html };
    for injected in INJECTED {
        assert!(!html.contains(injected), "{site_path} holds unescaped {injected:?}");
    }
}

/// The page without its JSON-LD `<script>` elements (the templates' own),
/// after checking that each holds JSON with no `<` that could end it.
fn without_json_ld(site_path: &str, html: &str) -> String {
    const OPEN: &str = "<script type=\"application/ld+json\">";
    let mut rest = html;
    let mut kept = String::with_capacity(html.len());
    while let Some(start) = rest.find(OPEN) {
        kept.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        let end = after.find("</script>").unwrap_or_else(|| panic!("{site_path}: an unclosed JSON-LD script"));
        let json = &after[..end];
        assert!(!json.contains('<'), "{site_path}: JSON-LD holds a raw <: {json}");
        serde_json::from_str::<serde_json::Value>(json).unwrap_or_else(|e| panic!("{site_path}: JSON-LD: {e}"));
        rest = &after[end + "</script>".len()..];
    }
    kept.push_str(rest);
    kept
}

/// The search page without its template's three scripts (each there once):
/// no other may be left.
fn without_search_scripts(html: &str) -> String {
    let mut html = html.to_string();
    for script in [
        r#"<script type="application/json" id="suchindex">"#,
        r#"<script src="pagefind/pagefind-modular-ui.js">"#,
        r#"<script src="suche.js">"#,
    ] {
        assert_eq!(html.matches(script).count(), 1, "the search page has {script} once");
        html = html.replace(script, "");
    }
    html
}

fn assert_tags_allowed(name: &str, tags: &[Tag], allowed: &BTreeSet<String>) {
    for tag in tags {
        assert!(allowed.contains(&tag.name), "{name}: <{}> is not a tag of the templates", tag.name);
        for (attribute, value) in &tag.attributes {
            assert!(!attribute.starts_with("on"), "{name}: event handler {attribute}={value:?}");
            let url = value.trim().to_ascii_lowercase();
            assert!(!url.starts_with("javascript:"), "{name}: {attribute}={value:?}");
        }
    }
}

/// Well-formed; a feed reader reads it; its HTML content only holds the templates' tags.
fn assert_xml_document(site_path: &str, xml: &str, allowed: &BTreeSet<String>) {
    assert_well_formed(site_path, xml);
    let document = roxmltree::Document::parse(xml).unwrap();
    let root = document.root_element().tag_name().name();
    if matches!(root, "feed" | "rss") {
        feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{site_path}: feed-rs cannot read it: {e}"));
    }
    for node in document.descendants().filter(|n| n.is_element()) {
        let html_content = match node.tag_name().name() {
            "content" | "summary" | "title" | "subtitle" => node.attribute("type") == Some("html"),
            "description" | "encoded" => root == "rss",
            _ => false,
        };
        if html_content {
            let html: String = node.descendants().filter_map(|n| n.text()).collect();
            assert_tags_allowed(site_path, &scan_tags(site_path, &html), allowed);
            for injected in INJECTED {
                assert!(!html.contains(injected), "{site_path}: HTML content holds unescaped {injected:?}");
            }
        }
    }
}

/// A story as ninjs: JSON whose HTML bodies hold only the templates' tags.
fn assert_ninjs(site_path: &str, text: &str, allowed: &BTreeSet<String>) {
    let json: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{site_path} is not JSON: {e}"));
    assert!(json["uri"].as_str().is_some_and(|uri| uri.starts_with("tag:")), "{site_path}: no story id");
    for body in json["bodies"].as_array().unwrap() {
        let html = body["value"].as_str().unwrap();
        assert_tags_allowed(site_path, &scan_tags(site_path, html), allowed);
        for injected in INJECTED {
            assert!(!html.contains(injected), "{site_path}: a body holds unescaped {injected:?}");
        }
    }
}

/// Valid JSON Feed; `content_html` holds only the templates' tags.
fn assert_json_feed(site_path: &str, text: &str, allowed: &BTreeSet<String>) {
    let json: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{site_path} is not JSON: {e}"));
    assert_eq!(
        json.get("version").and_then(|v| v.as_str()),
        Some("https://jsonfeed.org/version/1.1"),
        "{site_path}: a JSON Feed 1.1 needs its version"
    );
    feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{site_path}: feed-rs cannot read it: {e}"));
    for item in json["items"].as_array().unwrap() {
        if let Some(html) = item["content_html"].as_str() {
            assert_tags_allowed(site_path, &scan_tags(site_path, html), allowed);
            for injected in INJECTED {
                assert!(!html.contains(injected), "{site_path}: content_html holds unescaped {injected:?}");
            }
        }
    }
}

/// A copy of the fixture with the inputs git cannot hold added.
struct Nasty {
    dir: tempfile::TempDir,
    /// Whether this process reads files whatever their permissions (root).
    reads_anything: bool,
}

impl Nasty {
    fn input(&self) -> PathBuf {
        self.dir.path().join("in")
    }
}

fn nasty_folder() -> Nasty {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    copy_tree(&fixture("nasty"), &input);
    let reads_anything = add_special_files(&input, dir.path());
    Nasty { dir, reads_anything }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Pipes, sockets, links, unreadable and oversized files. Returns whether
/// permissions fail to keep this process out (it runs as root).
#[cfg(unix)]
fn add_special_files(input: &Path, outside: &Path) -> bool {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let status = std::process::Command::new("mkfifo").arg(input.join("pipe.txt")).status().unwrap();
    assert!(status.success(), "mkfifo failed");
    let socket = std::os::unix::net::UnixListener::bind(input.join("socket.txt")).unwrap();
    std::mem::forget(socket); // the socket file stays while the test runs
    std::fs::write(outside.join("secret.txt"), "Geheim\n28.10.2024 - 10:00:00\nBERLIN (dpa) - Geheim.\n").unwrap();
    symlink(outside.join("secret.txt"), input.join("link-outside.txt")).unwrap();
    symlink("/dev/zero", input.join("link-dev-zero.txt")).unwrap();
    symlink(input.join("missing.txt"), input.join("link-broken.txt")).unwrap();
    symlink(input.join("link-loop-b.txt"), input.join("link-loop-a.txt")).unwrap();
    symlink(input.join("link-loop-a.txt"), input.join("link-loop-b.txt")).unwrap();
    symlink(input, input.join("link-to-root")).unwrap();
    symlink(input.join("a"), input.join("link-to-folder")).unwrap();
    symlink(input.join("duplicate-a.txt"), input.join("link-inside.txt")).unwrap();
    let big = format!("Zu groß\n28.10.2024 - 10:00:00\nBERLIN (dpa-AFX) - {}\n", "Wort ".repeat(900_000));
    std::fs::write(input.join("too-large.txt"), big).unwrap();
    let long = format!("Lange Zeile\n28.10.2024 - 10:00:01\nBERLIN (dpa-AFX) - {}\n", "Wortreich ".repeat(50_000));
    std::fs::write(input.join("long-line.txt"), long).unwrap();
    let locked = input.join("locked.txt");
    std::fs::write(&locked, "Gesperrt\n28.10.2024 - 10:00:02\nBERLIN (dpa-AFX) - Nicht lesbar.\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let closed = input.join("closed-folder");
    std::fs::create_dir(&closed).unwrap();
    std::fs::write(closed.join("inside.txt"), "Drinnen\n28.10.2024 - 10:00:03\nBERLIN (dpa-AFX) - Drinnen.\n").unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::read(&locked).is_ok()
}

#[cfg(not(unix))]
fn add_special_files(_input: &Path, _outside: &Path) -> bool {
    false
}

/// Every rejected file with its error, from the diagnostics on standard error.
fn rejections(built: &Built) -> BTreeMap<String, String> {
    let stderr = built.stderr();
    stderr
        .lines()
        .filter_map(|line| line.split_once(": error: "))
        .map(|(location, error)| {
            let source =
                location.rsplit_once(':').filter(|(_, n)| n.parse::<usize>().is_ok()).map_or(location, |(s, _)| s);
            (source.to_string(), error.to_string())
        })
        .collect()
}

/// Let the temporary folder be removed again by a user whom modes bind.
#[cfg(unix)]
fn unlock(nasty: &Nasty) {
    use std::os::unix::fs::PermissionsExt;
    for path in [nasty.input().join("closed-folder"), nasty.input().join("locked.txt")] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[cfg(not(unix))]
fn unlock(_nasty: &Nasty) {}

#[test]
fn the_nasty_folder_publishes_safely_and_reports_every_bad_file() {
    let nasty = nasty_folder();
    let built = build(&nasty.input(), &[]);
    assert_site_is_safe(&built, &nasty.input());
    unlock(&nasty);
    assert_eq!(built.code(), 1);
    let rejected = rejections(&built);
    let mut expected = vec![
        ("binary-no-nul.txt", "binary data"),
        ("binary-utf16.txt", "binary data"),
        ("dateline-only.txt", "no text after its dateline"),
        ("empty.txt", "the file is empty"),
        ("headline-only.txt", "expected a timestamp"),
        ("image-named.txt", "binary data"),
        ("impossible-date.txt", "31.02.2024 is not a date"),
        ("impossible-time.txt", "not a time of day"),
        ("link-broken.txt", "broken or looping"),
        ("link-dev-zero.txt", "outside the input folder"),
        ("link-inside.txt", "duplicate"),
        ("link-loop-a.txt", "broken or looping"),
        ("link-loop-b.txt", "broken or looping"),
        ("link-outside.txt", "outside the input folder"),
        ("malformed-timestamp.txt", "expected a timestamp"),
        ("no-timestamp.txt", "expected a timestamp"),
        ("pipe.txt", "not a regular file"),
        ("socket.txt", "not a regular file"),
        ("sub/duplicate-b.txt", "duplicate: the same bytes as duplicate-a.txt"),
        ("too-large.txt", "too large"),
        ("utf16le-no-bom.txt", "UTF-16 text without a byte-order mark"),
        ("whitespace-only.txt", "the file is empty"),
        ("year-0000.txt", "before 1900"),
        ("zero-width-only.txt", "only invisible or control characters"),
    ];
    if nasty.reads_anything {
        // Root reads a file whatever its mode: then it is an ordinary article.
        assert!(built.read("index.html").contains("Gesperrt") && built.read("index.html").contains("Drinnen"));
    } else {
        expected.extend([("closed-folder", "cannot read folder"), ("locked.txt", "Permission denied")]);
    }
    for (source, reason) in &expected {
        let error = rejected.get(*source).unwrap_or_else(|| panic!("{source} was not rejected: {rejected:#?}"));
        assert!(error.contains(reason), "{source}: {error}");
    }
    assert_eq!(rejected.len(), expected.len(), "{rejected:#?}");
}

#[test]
fn times_that_need_a_rule_and_removed_characters_are_published_with_a_warning() {
    let built = build(&fixture("nasty"), &[]);
    let stderr = built.stderr();
    for warning in [
        "2024/spring-gap.txt:2: warning: 31.03.2024 02:30:00 does not exist in Berlin",
        "2024/autumn-twice.txt:2: warning: 27.10.2024 02:30:00 occurs twice in Berlin",
        "2099/future.txt: warning: timestamp 2099-01-01T12:00:00+01:00 is in the future",
        "controls.txt:1: warning: removed characters that must not be published: U+0007, U+200B, U+202C, U+202E",
        "controls.txt:3: warning: removed characters that must not be published: U+0001, U+001B, U+0085, U+0096, U+FDD0, U+FFFE, U+FFFF",
        "long-headline.txt:1: warning: the headline is 2005 characters long",
    ] {
        assert!(stderr.contains(warning), "missing {warning:?} in\n{stderr}");
    }
    let page = built.read("2024/10/28/steuerzeichen-egnal-im-titel/index.html");
    assert!(page.contains("Steuerzeichen egnaL im Titel"), "bidi controls must go, the letters stay");
    assert!(page.contains("Bidi isoliert und RLM und BOM."));
}

#[test]
fn markup_in_every_field_is_text() {
    let built = build(&fixture("nasty"), &[]);
    let page = built
        .read("2024/10/28/markup-script-alert-x-script-img-src-x-onerror-alert-1-c-title-amp-0-b-fett-b/index.html");
    for escaped in [
        "Markup: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
        "]]&gt; &lt;/title&gt; &amp;amp; &amp; &amp;#0;",
        "Zwischentitel &lt;style&gt;body{display:none}&lt;/style&gt;",
        "&lt;a href=&quot;javascript:alert(3)&quot;&gt;Link&lt;/a&gt;",
        "Quelle: &lt;script&gt;alert(&quot;quelle&quot;)&lt;/script&gt; &amp; ]]&gt;",
        "neu: &lt;i&gt;kursiv&lt;/i&gt; ]]&gt; &lt;/title&gt; &amp; &lt;!--",
    ] {
        assert!(page.contains(escaped), "missing {escaped:?}");
    }
    let atom = feed_rs::parser::parse(built.read("atom.xml").as_bytes()).unwrap();
    let titles: Vec<String> = atom.entries.iter().filter_map(|e| e.title.as_ref().map(|t| t.content.clone())).collect();
    let markup = "Markup: <script>alert(\"x\")</script><img src=x onerror=alert(1)><!-- c --> ]]> </title> &amp; & &#0; <b>fett</b>";
    assert!(titles.iter().any(|t| t == markup), "a feed reader shows the headline as written: {titles:#?}");
    assert!(built.files().iter().any(|f| f.starts_with("2024/10/28/title/")), "a headline of signs gets a safe slug");
    assert!(built.files().iter().any(|f| f.starts_with("2024/10/28/etc-passwd/")));
    assert!(built.files().iter().any(|f| f.starts_with("2024/10/28/gleich-zwei-meldungen-ein-titel-2/")));
}

/// Unreadable files and folders are rejected, the rest published. Root reads
/// everything whatever the modes, so as root the build runs as `nobody`
/// (through `setpriv`) to meet the permissions a real user meets.
#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_rejected_for_a_user_bound_by_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("closed")).unwrap();
    let article =
        |headline: &str| format!("{headline}\n28.10.2024 - 10:00:00\nBERLIN (dpa-AFX) - Text zu {headline}.\n");
    std::fs::write(input.join("open.txt"), article("Offen")).unwrap();
    std::fs::write(input.join("locked.txt"), article("Gesperrt")).unwrap();
    std::fs::write(input.join("closed/inside.txt"), article("Drinnen")).unwrap();
    for path in [input.clone(), input.join("open.txt")] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for path in [input.join("locked.txt"), input.join("closed")] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let binary = dir.path().join("depesche");
    std::fs::copy(env!("CARGO_BIN_EXE_depesche"), &binary).unwrap();
    let as_root = std::fs::read(input.join("locked.txt")).is_ok();
    let mut command = match as_root {
        true => {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&binary);
            c
        }
        false => std::process::Command::new(&binary),
    };
    let output = command.current_dir(dir.path()).args(["build", "--input", "in", "--output", "out"]).output().unwrap();
    std::fs::set_permissions(input.join("closed"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("3 files (1 published, 2 rejected, 0 ignored)"), "{stdout}");
    assert!(stderr.contains("locked.txt: error: cannot read file: Permission denied"), "{stderr}");
    assert!(stderr.contains("closed: error: cannot read folder: Permission denied"), "{stderr}");
}

/// The held-out folder: `DEPESCHE_NASTY_DIR=/path cargo test held_out`, a
/// folder no test was written against (`.ci/run` generates one). Unset, the
/// test says it was skipped; under `DEPESCHE_EXTERNAL=require` it fails.
#[test]
fn held_out_folder_from_the_environment() {
    let input = std::env::var_os("DEPESCHE_NASTY_DIR").filter(|v| !v.is_empty());
    let missing = match &input {
        None => vec!["DEPESCHE_NASTY_DIR is not set (a folder of articles to build)".to_string()],
        Some(dir) if !Path::new(dir).is_dir() => vec![format!("DEPESCHE_NASTY_DIR={dir:?} is no folder")],
        Some(_) => vec![],
    };
    if !crate::external::ready("held-out folder check", missing) {
        return;
    }
    let input = input.unwrap();
    let built = build(Path::new(&input), &[]);
    assert_site_is_safe(&built, Path::new(&input));
}

#[test]
fn a_json_feed_without_its_version_fails() {
    let allowed = BTreeSet::from(["p".to_string()]);
    let without = r#"{"title": "x", "items": [{"id": "1", "content_html": "<p>a</p>"}]}"#;
    assert!(std::panic::catch_unwind(|| assert_json_feed("feed.json", without, &allowed)).is_err());
    let with = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{"id": "1", "content_html": "<p>a</p>"}]}"#;
    assert_json_feed("feed.json", with, &allowed);
}

#[test]
fn the_tag_scanner_catches_leaked_markup() {
    let allowed = BTreeSet::from(["p".to_string(), "a".to_string()]);
    let ok = "<!DOCTYPE html><p class=\"x\">a &lt;b&gt; <a href='https://x/'>l</a></p>";
    assert_tags_allowed("ok", &scan_tags("ok", ok), &allowed);
    for bad in ["<p><b>x</b></p>", "<p onclick=\"x\">", "<a href=\" javascript:x\">"] {
        let result = std::panic::catch_unwind(|| assert_tags_allowed("bad", &scan_tags("bad", bad), &allowed));
        assert!(result.is_err(), "{bad}");
    }
    assert!(std::panic::catch_unwind(|| scan_tags("bad", "<p>1 < 2</p>")).is_err());
}
