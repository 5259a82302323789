//! `depesche serve` over real HTTP on 127.0.0.1: pages and feeds with their
//! content types, the site's 404 page, the base URL's path, a rebuild after
//! a file is added, an error page while a template is broken and recovery
//! once it is mended, and a clean stop on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::fixture;

/// A running `depesche serve` and what it printed so far.
struct Served {
    child: Child,
    dir: tempfile::TempDir,
    /// `http://127.0.0.1:PORT/base/`.
    url: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

/// Copy the `mixed` fixture into a fresh folder, write `config` (if any) as
/// its `depesche.toml`, and serve it on a free port.
fn serve(config: Option<&str>) -> Served {
    let dir = tempfile::tempdir().unwrap();
    copy_folder(&fixture("mixed"), &dir.path().join("wire"));
    if let Some(config) = config {
        std::fs::write(dir.path().join("depesche.toml"), config).unwrap();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_depesche"))
        .current_dir(dir.path())
        .args(["serve", "--input", "wire", "--output", "served/site", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = collect(child.stderr.take().unwrap());
    let mut served = Served { child, dir, url: String::new(), stdout, stderr };
    served.url = served.wait_for_output("serving ", |text| {
        let line = text.lines().find(|l| l.starts_with("serving "))?;
        Some(line.split_whitespace().nth(1)?.to_string())
    });
    served
}

fn copy_folder(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().map(Result::unwrap) {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Everything `stream` gives, gathered by a thread of its own.
fn collect(stream: impl std::io::Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let gathered = Arc::clone(&text);
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut text = gathered.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    });
    text
}

/// How long a rebuild may take on a busy machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// Poll `probe` until it gives a value.
fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(started.elapsed() < PATIENCE, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An answer as a client sees it.
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

fn client() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into()
}

fn get(url: &str) -> Answer {
    let mut response = client().get(url).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    Answer {
        status: response.status().as_u16(),
        content_type: content_type.unwrap_or_default(),
        body: response.body_mut().read_to_string().unwrap(),
    }
}

impl Served {
    fn get(&self, path: &str) -> Answer {
        get(&format!("{}{path}", self.url))
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn wait_for_output<T>(&self, what: &str, mut found: impl FnMut(&str) -> Option<T>) -> T {
        eventually(what, || found(&self.stdout()))
    }

    fn site(&self) -> PathBuf {
        self.dir.path().join("served/site")
    }

    fn interrupt(&self) {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn pages_feeds_and_the_404_page_under_the_base_urls_path() {
    let served = serve(Some("base_url = \"https://news.example.org/archiv/\"\n"));
    assert!(served.url.starts_with("http://127.0.0.1:") && served.url.ends_with("/archiv/"), "{}", served.url);
    let home = served.get("");
    assert_eq!((home.status, home.content_type.as_str()), (200, "text/html; charset=utf-8"));
    assert!(home.body.contains(&format!("href=\"{}atom.xml\"", served.url)), "links point at the server");
    assert!(home.body.contains("/__depesche/generation"), "the reload script is in the served page");
    assert!(home.body.contains("depesche-serve-problems") && home.body.contains("empty.txt"), "rejected files shown");
    let feeds = [
        ("atom.xml", "application/atom+xml"),
        ("changes.xml", "application/atom+xml"),
        ("rss.xml", "application/rss+xml"),
        ("feed.json", "application/feed+json"),
    ];
    for (path, content_type) in feeds {
        let feed = served.get(path);
        assert_eq!((feed.status, feed.content_type.as_str()), (200, content_type), "{path}");
        let parsed = feed_rs::parser::parse(feed.body.as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!parsed.entries.is_empty(), "{path} has entries");
        assert!(!feed.body.contains("__depesche"), "{path} is served as built");
    }
    let missing = served.get("gibt-es-nicht/");
    assert_eq!((missing.status, missing.content_type.as_str()), (404, "text/html; charset=utf-8"));
    assert!(missing.body.contains("Seite nicht gefunden"), "the site's own 404 page");
    let outside = get(&served.url.replace("/archiv/", "/anderswo/"));
    assert_eq!(outside.status, 404, "only the base URL's path is the site");
    for entry in walkdir::WalkDir::new(served.site()).into_iter().map(Result::unwrap) {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("__depesche"), "{} holds the reload script", entry.path().display());
            assert!(!text.contains("news.example.org"), "{} links to the configured host", entry.path().display());
        }
    }
}

#[test]
fn an_added_file_is_built_and_its_story_served() {
    let served = serve(None);
    let before = served.get("__depesche/generation").body;
    let article = "Neue Meldung aus Hamburg zum Hafen\n01.11.2024 - 10:00:00\nHAMBURG (dpa-AFX) - Ein neuer Text.\n";
    std::fs::write(served.dir.path().join("wire/neu.txt"), article).unwrap();
    let home = eventually("the new story on the home page", || {
        Some(served.get("")).filter(|home| home.body.contains("Neue Meldung aus Hamburg zum Hafen"))
    });
    assert_eq!(home.status, 200);
    // The build number moves when the build has finished, just after the
    // new site was put in place.
    eventually("open pages see a new build number and reload", || {
        Some(served.get("__depesche/generation").body).filter(|now| *now != before)
    });
    let atom = served.get("atom.xml").body;
    assert!(atom.contains("Neue Meldung aus Hamburg zum Hafen"), "the feed was rebuilt too");
    served.wait_for_output("the changed files in the terminal", |text| text.contains("changed: ").then_some(()));
}

#[test]
fn a_broken_template_shows_an_error_page_until_it_is_mended() {
    let served = serve(None);
    let templates = served.dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(templates.join("index.html"), "{% extends \"base.html\" %}{% block main %}{{ kaputt(").unwrap();
    let broken = eventually("the error page", || Some(served.get("")).filter(|page| page.status == 500));
    assert_eq!(broken.content_type, "text/html; charset=utf-8");
    assert!(broken.body.contains("index.html") && broken.body.contains("syntax error"), "{}", broken.body);
    assert!(broken.body.contains("/__depesche/generation"), "the error page reloads once mended");
    // Printed before the error page is served, but read from the pipe by
    // another thread: waited for, not taken as it stands.
    eventually("the terminal to show the error", || served.stderr().contains("error: template").then_some(()));
    assert_eq!(served.get("atom.xml").status, 200, "the last good feeds are still served");
    std::fs::write(
        templates.join("index.html"),
        "{% extends \"base.html\" %}{% block main %}<p>Repariert</p>{% endblock %}",
    )
    .unwrap();
    let mended = eventually("the mended page", || Some(served.get("")).filter(|page| page.status == 200));
    assert!(mended.body.contains("<p>Repariert</p>"), "{}", mended.body);
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let mut served = serve(None);
    assert_eq!(served.get("").status, 200);
    served.interrupt();
    let status = eventually("the server to stop", || served.child.try_wait().unwrap());
    assert!(status.success(), "exit status {status:?}: {}", served.stderr());
    served.wait_for_output("the last words", |text| text.ends_with("stopped\n").then_some(()));
    let address = served.url.trim_start_matches("http://").trim_end_matches('/').to_string();
    assert!(std::net::TcpStream::connect(address).is_err(), "nothing listens any more");
}
