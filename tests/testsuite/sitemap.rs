//! The sitemaps (sitemaps.org protocol 0.9): `sitemap.xml` is a sitemap
//! index; every sitemap it lists was written, is a `<urlset>` of at most
//! 50,000 URLs, and every URL in it is a page of the site, with the time of
//! the story's latest significant version.

use std::collections::BTreeSet;

use crate::support::{Built, build, fixture};

const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const BASE: &str = "https://depesche.example.org/";
/// The protocol's limit of URLs per sitemap (and of sitemaps per index).
const LIMIT: usize = 50_000;

/// Several fixtures in one input folder: stories from five months.
fn several_months() -> Built {
    let input = tempfile::tempdir().unwrap();
    for name in
        ["stories-orphan", "stories-headline-change", "stories-open-close", "stories-repeat", "stories-two-cities"]
    {
        for entry in walkdir::WalkDir::new(fixture(name)).into_iter().map(Result::unwrap) {
            if entry.file_type().is_file() {
                let target = input.path().join(format!("{name}-{}", entry.file_name().to_string_lossy()));
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let built = build(input.path(), &[]);
    assert_eq!(built.code(), 0, "{}", built.stderr());
    built
}

/// The `(loc, lastmod)` of each `<parent>` child of `root`, checking the
/// structure the protocol's schema allows: only `loc` (required, first,
/// an absolute URL of the site) and `lastmod` (optional, W3C datetime) here.
fn entries(name: &str, xml: &str, root: &str, child: &str) -> Vec<(String, Option<String>)> {
    let document = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
    let top = document.root_element();
    assert_eq!(top.tag_name().name(), root, "{name}");
    assert_eq!(top.tag_name().namespace(), Some(NAMESPACE), "{name}");
    let mut entries = Vec::new();
    for element in top.children().filter(roxmltree::Node::is_element) {
        assert_eq!((element.tag_name().name(), element.tag_name().namespace()), (child, Some(NAMESPACE)), "{name}");
        let fields: Vec<roxmltree::Node> = element.children().filter(roxmltree::Node::is_element).collect();
        let names: Vec<&str> = fields.iter().map(|f| f.tag_name().name()).collect();
        assert!(names == ["loc"] || names == ["loc", "lastmod"], "{name}: {names:?}");
        assert!(fields.iter().all(|f| f.tag_name().namespace() == Some(NAMESPACE)), "{name}");
        let loc = fields[0].text().unwrap_or_default().to_string();
        assert!(loc.starts_with(BASE), "{name}: {loc}");
        let lastmod = fields.get(1).map(|f| f.text().unwrap_or_default().to_string());
        if let Some(lastmod) = &lastmod {
            assert!(chrono::DateTime::parse_from_rfc3339(lastmod).is_ok(), "{name}: {lastmod}");
        }
        entries.push((loc, lastmod));
    }
    entries
}

/// The site path a URL of the site is served from.
fn file_of(url: &str) -> String {
    let path = url.strip_prefix(BASE).unwrap();
    if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_string() }
}

#[test]
fn sitemap_xml_is_an_index_of_monthly_sitemaps_listing_every_story_page() {
    let built = several_months();
    let files: BTreeSet<String> = built.files().into_iter().collect();
    let sitemaps = entries("sitemap.xml", &built.read("sitemap.xml"), "sitemapindex", "sitemap");
    assert!(sitemaps.len() <= LIMIT);
    let listed: Vec<String> = sitemaps.iter().map(|(loc, _)| file_of(loc)).collect();
    assert_eq!(
        listed,
        [
            "sitemap/seiten.xml",
            "sitemap/2024-01.xml",
            "sitemap/2024-02.xml",
            "sitemap/2024-10.xml",
            "sitemap/2024-11.xml",
            "sitemap/2025-03.xml"
        ]
    );
    let mut urls = BTreeSet::new();
    for (loc, lastmod) in &sitemaps {
        let path = file_of(loc);
        assert!(files.contains(&path), "sitemap.xml lists {loc}, which was not written");
        let pages = entries(&path, &built.read(&path), "urlset", "url");
        assert!(!pages.is_empty() && pages.len() <= LIMIT, "{path}: {} URLs", pages.len());
        for (url, _) in &pages {
            assert!(files.contains(&file_of(url)), "{path} lists {url}, which is no page");
            assert!(urls.insert(url.clone()), "{url} is listed twice");
            // A month's sitemap (`sitemap/YYYY-MM[-N].xml`) holds the stories in `YYYY/MM/`.
            if let Some(month) = path.strip_prefix("sitemap/").and_then(|p| p.get(..7))
                && month != "seiten."
            {
                assert!(url.starts_with(&format!("{BASE}{}/", month.replace('-', "/"))), "{url} in {path}");
            }
        }
        // The sitemap's time is its newest entry's.
        let newest = pages
            .iter()
            .filter_map(|(_, t)| t.as_deref())
            .max_by_key(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap());
        assert_eq!(lastmod.as_deref(), newest, "{path}");
    }
    // Every story page and every index page, nothing else (no version or diff pages).
    let story_pages = files.iter().filter(|f| {
        let parts: Vec<&str> = f.split('/').collect();
        parts.len() == 5 && parts[4] == "index.html"
    });
    let index_pages = files.iter().filter(|f| *f == "index.html" || f.starts_with("seite/"));
    let expected: BTreeSet<String> =
        story_pages.chain(index_pages).map(|f| format!("{BASE}{}", f.trim_end_matches("index.html"))).collect();
    assert_eq!(urls, expected);
}

#[test]
fn lastmod_is_the_latest_significant_version_not_the_repeat() {
    let built = several_months();
    let november = built.read("sitemap/2024-11.xml");
    let story = format!("{BASE}2024/11/18/bundesbank-deutsche-wirtschaft-duerfte-im-schlussquartal-stagnieren/");
    assert!(
        november.contains(&format!("<url><loc>{story}</loc><lastmod>2024-11-18T12:00:00+01:00</lastmod></url>")),
        "the repeat at 14:30 is no significant version:\n{november}"
    );
}
