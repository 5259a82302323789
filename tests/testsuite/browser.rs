//! The pages as a reader sees them: Debian's Chromium, headless, driven by
//! playwright-core (`tests/external/browser_check.mjs`), opens every page of
//! every external-check site at phone width (390 px) in light mode and checks
//! what a reader would: the page is in German, nothing scrolls sideways, the
//! text is large enough and contrasts with its background, the feeds are
//! discoverable, links lead somewhere, nothing is fetched from elsewhere, no
//! script fails; the sample's pages show their headline and text. The first
//! page of each kind (home, story, version, diff, 404, ...) in the whole run
//! and the sample's pages also get the thorough checks: the same at desktop
//! width (1280 px), contrast in dark mode, axe-core (no accessibility
//! violation), the headline with JavaScript off, and screenshots in
//! `target/tmp/external-<process id>/screenshots/`. Per site, every
//! `sitemap.xml` address is a page and a mistyped deep address gets a working
//! 404 page.
//!
//! Missing tools are handled as in `external.rs`.

use std::path::PathBuf;
use std::process::Command;

use crate::external::{Site, assert_passes, helper, node_module, probe, ready, sites, work_dir};

/// The sample story: what its page must show.
const SAMPLE_PATH: &str = "2024/10/28/nato-russische-verluste-bei-mehr-als-600-000-soldaten/";
const SAMPLE_HEADLINE: &str = "Nato: Russische Verluste bei mehr als 600.000 Soldaten";
const SAMPLE_TEXT: [&str; 3] = [
    "BRÜSSEL (dpa-AFX) - Die Nato provoziert den russischen Präsidenten",
    "Rutte sieht erhebliche Eskalation",
    "Äußerungen",
];

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or("/usr/bin/chromium".into())
}

/// The pages whose content the test knows: the sample's index and story page.
fn expectations(site: &Site) -> serde_json::Value {
    if site.name != "seeds" {
        return serde_json::json!([]);
    }
    serde_json::json!([
        {"path": "", "h1": "Neueste Meldungen", "text": [SAMPLE_HEADLINE, "Die Nato provoziert"]},
        {"path": SAMPLE_PATH, "h1": SAMPLE_HEADLINE, "text": SAMPLE_TEXT},
        {"path": "404.html", "h1": "Seite nicht gefunden", "text": []},
    ])
}

#[test]
fn pages_work_in_headless_chromium_at_phone_and_desktop_width() {
    let mut missing: Vec<String> = Vec::new();
    missing.extend(probe("node", Command::new("node").arg("--version")));
    missing.extend(node_module("playwright-core"));
    missing.extend(node_module("axe-core"));
    let chromium = chromium();
    missing.extend(probe(
        &format!("{} (apt-get install chromium)", chromium.display()),
        Command::new(&chromium).arg("--version"),
    ));
    if !ready("headless Chromium check", missing) {
        return;
    }
    let screenshots = work_dir().join("screenshots");
    let spec = serde_json::json!({
        "chromium": chromium,
        "screenshots": screenshots,
        "language": "de",
        "sites": sites().iter().map(|site| serde_json::json!({
            "name": site.name,
            "root": site.root,
            "base": site.base_url,
            "expect": expectations(site),
        })).collect::<Vec<_>>(),
    });
    let spec_path = work_dir().join("browser-spec.json");
    std::fs::write(&spec_path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
    let said = assert_passes(
        "browser_check.mjs (Chromium)",
        Command::new("node").arg(helper("browser_check.mjs")).arg(&spec_path),
    );
    assert!(said.contains(" page loads in "), "{said}");
    let shots = std::fs::read_dir(&screenshots).map(|d| d.count()).unwrap_or(0);
    assert!(shots >= 4, "screenshots expected in {}", screenshots.display());
    println!("screenshots: {}", screenshots.display());
}
