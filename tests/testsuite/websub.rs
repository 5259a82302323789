//! WebSub: with `websub_hub` set every feed names the hub, and `depesche
//! ping` posts `hub.mode=publish` to a stand-in hub on 127.0.0.1 for the
//! feeds whose bytes changed, and only those.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::support::depesche;

/// A hub on 127.0.0.1 that records what it is told and answers `status`.
struct StandInHub {
    url: String,
    /// (content type, form body) of every request, in order.
    heard: Arc<Mutex<Vec<(String, String)>>>,
    status: Arc<Mutex<u16>>,
}

impl StandInHub {
    fn start() -> StandInHub {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hub", server.server_addr().to_ip().unwrap());
        let heard = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(204));
        let (record, answer) = (Arc::clone(&heard), Arc::clone(&status));
        std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let mut body = String::new();
                request.as_reader().read_to_string(&mut body).unwrap();
                let content_type = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Content-Type"))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default();
                assert_eq!((request.method().as_str(), request.url()), ("POST", "/hub"));
                record.lock().unwrap().push((content_type, body));
                let status = *answer.lock().unwrap();
                request.respond(tiny_http::Response::empty(status)).unwrap();
            }
        });
        StandInHub { url, heard, status }
    }

    /// The feed URLs announced since the last call, sorted.
    fn take_announced(&self) -> Vec<String> {
        let heard = std::mem::take(&mut *self.heard.lock().unwrap());
        let mut urls: Vec<String> = heard
            .iter()
            .map(|(content_type, body)| {
                assert_eq!(content_type, "application/x-www-form-urlencoded");
                let fields: Vec<(String, String)> =
                    form_urlencoded(body).into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                assert_eq!(fields.len(), 2, "{body}");
                assert_eq!(fields[0], ("hub.mode".to_string(), "publish".to_string()), "{body}");
                assert_eq!(fields[1].0, "hub.url", "{body}");
                fields[1].1.clone()
            })
            .collect();
        urls.sort();
        urls
    }
}

/// The fields of an `application/x-www-form-urlencoded` body.
fn form_urlencoded(body: &str) -> Vec<(String, String)> {
    let decode =
        |text: &str| percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8().unwrap().into_owned();
    body.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect()
}

fn article(headline: &str, stamp: &str) -> String {
    format!("{headline}\n{stamp}\nBERLIN (dpa-AFX) - {headline}: ein Satz dazu, und noch einer.\n")
}

fn build(dir: &Path) -> std::process::Output {
    let built = depesche(dir, &["build", "--input", "wire", "--output", "public"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    built
}

fn ping(dir: &Path) -> std::process::Output {
    depesche(dir, &["ping", "--output", "public"])
}

const FEEDS: [&str; 4] = ["atom.xml", "changes.xml", "feed.json", "rss.xml"];

#[test]
fn every_feed_names_the_hub_and_itself() {
    let hub = StandInHub::start();
    let dir = tempfile::tempdir().unwrap();
    let config = format!("base_url = \"https://news.example.org/\"\nwebsub_hub = \"{}\"\n", hub.url);
    std::fs::write(dir.path().join("depesche.toml"), config).unwrap();
    std::fs::create_dir(dir.path().join("wire")).unwrap();
    std::fs::write(dir.path().join("wire/a.txt"), article("Zinsen steigen", "01.10.2024 - 10:00:00")).unwrap();
    build(dir.path());
    for feed in ["atom.xml", "changes.xml", "rss.xml"] {
        let text = std::fs::read_to_string(dir.path().join("public").join(feed)).unwrap();
        let document = roxmltree::Document::parse(&text).unwrap();
        let links: Vec<(&str, &str)> = document
            .descendants()
            .filter(|n| {
                n.tag_name().name() == "link" && n.tag_name().namespace() == Some("http://www.w3.org/2005/Atom")
            })
            .filter_map(|n| Some((n.attribute("rel")?, n.attribute("href")?)))
            .collect();
        let self_url = format!("https://news.example.org/{feed}");
        assert!(links.contains(&("hub", hub.url.as_str())), "{feed}: {links:?}");
        assert!(links.contains(&("self", self_url.as_str())), "{feed}: {links:?}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("public/feed.json")).unwrap()).unwrap();
    assert_eq!(json["hubs"], serde_json::json!([{"type": "WebSub", "url": hub.url}]));
    assert_eq!(json["feed_url"], "https://news.example.org/feed.json");
    let archive = std::fs::read_to_string(dir.path().join("public/archive/2024-10.xml")).unwrap();
    assert!(!archive.contains("rel=\"hub\""), "an archive that never changes names no hub");
}

#[test]
fn ping_announces_only_the_feeds_that_changed() {
    let hub = StandInHub::start();
    let dir = tempfile::tempdir().unwrap();
    let config = format!("base_url = \"https://news.example.org/\"\nwebsub_hub = \"{}\"\nfeed_length = 1\n", hub.url);
    std::fs::write(dir.path().join("depesche.toml"), config).unwrap();
    let wire = dir.path().join("wire");
    std::fs::create_dir(&wire).unwrap();
    std::fs::write(wire.join("a.txt"), article("Zinsen steigen", "01.10.2024 - 10:00:00")).unwrap();
    let every_feed: Vec<String> = FEEDS.iter().map(|f| format!("https://news.example.org/{f}")).collect();

    build(dir.path());
    let pinged = ping(dir.path());
    assert!(pinged.status.success(), "{}", String::from_utf8_lossy(&pinged.stderr));
    assert_eq!(hub.take_announced(), every_feed, "the first build made every feed");
    let stdout = String::from_utf8(pinged.stdout).unwrap();
    assert_eq!(stdout.lines().filter(|l| l.starts_with("pinged https://news.example.org/")).count(), 4);

    let again = ping(dir.path());
    assert!(again.status.success());
    assert_eq!(hub.take_announced(), Vec::<String>::new(), "announced feeds are not announced twice");
    assert_eq!(String::from_utf8(again.stdout).unwrap(), "no feed changed since the last ping\n");

    build(dir.path());
    ping(dir.path());
    assert_eq!(hub.take_announced(), Vec::<String>::new(), "a build that changed nothing announces nothing");

    // An older story: the archive changes, the feeds (one story long) do not.
    std::fs::write(wire.join("old.txt"), article("Ölpreis sinkt", "01.09.2024 - 09:00:00")).unwrap();
    build(dir.path());
    ping(dir.path());
    assert_eq!(hub.take_announced(), Vec::<String>::new(), "no feed changed");

    // A newer story changes every feed; the hub fails at first.
    std::fs::write(wire.join("new.txt"), article("Börse schließt fester", "02.10.2024 - 18:00:00")).unwrap();
    build(dir.path());
    *hub.status.lock().unwrap() = 503;
    let failed = ping(dir.path());
    assert_eq!(failed.status.code(), Some(1), "a hub that refuses is an error");
    assert!(String::from_utf8_lossy(&failed.stderr).contains("the hub did not accept"));
    assert_eq!(hub.take_announced(), every_feed, "every changed feed was tried");
    *hub.status.lock().unwrap() = 202;
    let retried = ping(dir.path());
    assert!(retried.status.success());
    assert_eq!(hub.take_announced(), every_feed, "what the hub refused stays pending for the next ping");
}

#[test]
fn ping_without_a_hub_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pinged = ping(dir.path());
    assert_eq!(pinged.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&pinged.stderr).contains("websub_hub is not set"));
}
