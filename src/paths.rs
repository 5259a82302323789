//! Every path and URL of the site, made in one place.
//!
//! A site path is `/`-separated and relative to the output folder
//! (`2024/10/28/slug/v/2/index.html`); a folder path ends with `/` and is what
//! links point to (`2024/10/28/slug/v/2/`); a URL is the base URL joined with
//! a site path. Every other module asks this one, so a page can move by
//! changing one function, and the plan, the renderers and the writer can
//! never disagree about where a document lives.
//!
//! This module only builds strings: it must never read a story's content,
//! touch the file system or decide which documents exist (that is `plan`).

/// The file a folder path is served from.
const INDEX_FILE: &str = "index.html";

/// `atom.xml`: the newest stories.
pub const ATOM: &str = "atom.xml";
/// `rss.xml`: the same stories as RSS 2.0.
pub const RSS: &str = "rss.xml";
/// `feed.json`: the same stories as JSON Feed 1.1.
pub const JSON: &str = "feed.json";
/// `changes.xml`: every version as an entry of its own.
pub const CHANGES: &str = "changes.xml";
/// The sitemap index, listing the sitemaps below.
pub const SITEMAP: &str = "sitemap.xml";
/// The page for unknown addresses.
pub const NOT_FOUND: &str = "404.html";
/// The Google News sitemap: the stories of the last two days.
pub const NEWS_SITEMAP: &str = "news-sitemap.xml";
/// The overview of the date archives: every year and month with its count.
pub const DATES_DIR: &str = "datum/";
/// The list of every dateline place with its count.
pub const PLACES_DIR: &str = "ort/";
/// The page that explains the feeds and how to subscribe.
pub const SUBSCRIBE_DIR: &str = "abonnieren/";
/// The site's feeds that have a subscribe page of their own, as (name of
/// the page's folder below `abonnieren/`, the feed's file).
pub const SUBSCRIBABLE_FEEDS: [(&str, &str); 4] =
    [("atom", ATOM), ("rss", RSS), ("json-feed", JSON), ("alle-fassungen", CHANGES)];
/// Response headers for Netlify and Cloudflare Pages.
pub const HOST_HEADERS: &str = "_headers";
/// Redirect and error rules for Netlify and Cloudflare Pages.
pub const HOST_REDIRECTS: &str = "_redirects";
/// The stylesheet of every page.
pub const STYLESHEET: &str = "stil.css";
/// The search page's folder.
pub const SEARCH_DIR: &str = "suche/";
/// The search page's own script.
pub const SEARCH_SCRIPT: &str = "suche/suche.js";
/// Pagefind's user interface files, shared by every search shard.
pub const SEARCH_UI_DIR: &str = "suche/pagefind/";
/// The files of Pagefind's interface in [`SEARCH_UI_DIR`]: its modular
/// interface's script (the page styles the results itself).
pub const SEARCH_UI_FILES: [&str; 1] = ["pagefind-modular-ui.js"];

/// Absolute URL of a site path: `base_url` (ending in `/`) joined with `path`.
pub fn url(base_url: &str, path: &str) -> String {
    format!("{base_url}{}", path.trim_start_matches('/'))
}

/// The folder of a story: `YYYY/MM/DD/<slug>/`, `date` being `YYYY/MM/DD`.
pub fn story_dir(date: &str, slug: &str) -> String {
    [date, "/", slug, "/"].concat()
}

/// The page file of a folder path: `<dir>index.html`.
pub fn page_file(dir: &str) -> String {
    [dir, INDEX_FILE].concat()
}

/// The permanent page of version `n` of the story in `story_dir`: `<story>/v/N/`.
pub fn version_dir(story_dir: &str, n: usize) -> String {
    format!("{story_dir}v/{n}/")
}

/// The original file of version `n`: `<story>/v/N/source.txt`.
pub fn source_file(story_dir: &str, n: usize) -> String {
    format!("{}source.txt", version_dir(story_dir, n))
}

/// The diff page from version `old` to `new`: `<story>/diff/M-N/`.
pub fn diff_dir(story_dir: &str, old: usize, new: usize) -> String {
    format!("{story_dir}diff/{old}-{new}/")
}

/// The folder of index page `number`: `""` for the first page (0), then
/// `seite/1/` for the oldest older page, `seite/2/`, ... (see
/// [`crate::plan::Paging`]).
pub fn index_dir(number: usize) -> String {
    listing_page_dir("", number)
}

/// The folder of a year's archive page: `2024/`.
pub fn year_dir(year: i32) -> String {
    format!("{year}/")
}

/// The folder of a month's archive page: `2024/10/`.
pub fn month_dir(year: i32, month: u32) -> String {
    format!("{year}/{month:02}/")
}

/// The folder of a day's archive page: `2024/10/28/` (the folder that holds
/// the day's stories).
pub fn day_dir(year: i32, month: u32, day: u32) -> String {
    format!("{year}/{month:02}/{day:02}/")
}

/// Page `number` of a listing whose first page (0) is `dir`: `dir` itself,
/// then `<dir>seite/1/` for the oldest older page, `<dir>seite/2/`, ...
pub fn listing_page_dir(dir: &str, number: usize) -> String {
    if number == 0 { dir.to_string() } else { format!("{dir}seite/{number}/") }
}

/// The folder of a dateline place's page: `ort/<slug>/`.
pub fn place_dir(slug: &str) -> String {
    format!("{PLACES_DIR}{slug}/")
}

/// The media type of the site's feed at `site_path`, if it is one: the
/// main feeds, the monthly archives and the places' feeds.
pub fn feed_media_type(site_path: &str) -> Option<&'static str> {
    let place_feed = site_path
        .strip_prefix(PLACES_DIR)
        .and_then(|rest| rest.strip_suffix("/atom.xml"))
        .is_some_and(|slug| !slug.is_empty() && !slug.contains('/'));
    let archive = site_path.starts_with("archive/") && site_path.ends_with(".xml");
    match site_path {
        ATOM | CHANGES => Some("application/atom+xml"),
        RSS => Some("application/rss+xml"),
        JSON => Some("application/feed+json"),
        _ if archive || place_feed => Some("application/atom+xml"),
        _ => None,
    }
}

/// The Atom feed of a dateline place: `ort/<slug>/atom.xml`.
pub fn place_feed_file(slug: &str) -> String {
    format!("{}atom.xml", place_dir(slug))
}

/// A story as IPTC ninjs JSON: `<story>/story.json`.
pub fn story_json_file(story_dir: &str) -> String {
    [story_dir, "story.json"].concat()
}

/// The subscribe page of one of the site's feeds: `abonnieren/<name>/`.
pub fn subscribe_dir(name: &str) -> String {
    format!("{SUBSCRIBE_DIR}{name}/")
}

/// An archive document (RFC 5005): `archive/2024-10.xml` for a month's first
/// part, then `archive/2024-10-teil-2.xml`, ...
pub fn archive_file(year: i32, month: u32, part: usize) -> String {
    match part {
        1 => format!("archive/{year}-{month:02}.xml"),
        part => format!("archive/{year}-{month:02}-teil-{part}.xml"),
    }
}

/// A sitemap of the site's own pages (the home page and the index pages):
/// `sitemap/seiten.xml`, then `sitemap/seiten-2.xml`, ...
pub fn pages_sitemap_file(part: usize) -> String {
    match part {
        1 => "sitemap/seiten.xml".into(),
        part => format!("sitemap/seiten-{part}.xml"),
    }
}

/// The sitemap of the stories first published in a month:
/// `sitemap/2024-10.xml` for its first part, then `sitemap/2024-10-2.xml`, ...
pub fn month_sitemap_file(year: i32, month: u32, part: usize) -> String {
    match part {
        1 => format!("sitemap/{year}-{month:02}.xml"),
        part => format!("sitemap/{year}-{month:02}-{part}.xml"),
    }
}

/// The folder of the search index of the stories first published in a
/// month: `suche/index/2024-10/` (a whole Pagefind bundle).
pub fn search_shard_dir(year: i32, month: u32) -> String {
    format!("{SEARCH_DIR}index/{year}-{month:02}/")
}

/// The file that names a search shard's index: `<shard>/pagefind-entry.json`.
pub fn search_shard_entry(shard_dir: &str) -> String {
    format!("{shard_dir}pagefind-entry.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_layout() {
        let story = story_dir("2024/10/28", "nato-russland");
        assert_eq!(story, "2024/10/28/nato-russland/");
        assert_eq!(page_file(&story), "2024/10/28/nato-russland/index.html");
        assert_eq!(page_file(&version_dir(&story, 2)), "2024/10/28/nato-russland/v/2/index.html");
        assert_eq!(source_file(&story, 2), "2024/10/28/nato-russland/v/2/source.txt");
        assert_eq!(diff_dir(&story, 1, 3), "2024/10/28/nato-russland/diff/1-3/");
        assert_eq!(page_file(&index_dir(0)), "index.html");
        assert_eq!(page_file(&index_dir(2)), "seite/2/index.html");
        assert_eq!(archive_file(2024, 3, 1), "archive/2024-03.xml");
        assert_eq!(archive_file(2024, 3, 2), "archive/2024-03-teil-2.xml");
        assert_eq!(pages_sitemap_file(1), "sitemap/seiten.xml");
        assert_eq!(pages_sitemap_file(2), "sitemap/seiten-2.xml");
        assert_eq!(month_sitemap_file(2024, 3, 1), "sitemap/2024-03.xml");
        assert_eq!(month_sitemap_file(2024, 3, 2), "sitemap/2024-03-2.xml");
        assert_eq!(search_shard_dir(2024, 3), "suche/index/2024-03/");
        assert_eq!(search_shard_entry("suche/index/2024-03/"), "suche/index/2024-03/pagefind-entry.json");
        assert_eq!(url("https://a.example/x/", "/seite/2/"), "https://a.example/x/seite/2/");
        assert_eq!(page_file(&year_dir(2024)), "2024/index.html");
        assert_eq!(month_dir(2024, 3), "2024/03/");
        assert_eq!(day_dir(2024, 3, 5), "2024/03/05/");
        assert!(story.starts_with(&day_dir(2024, 10, 28)), "a day's stories live in its folder");
        assert_eq!(listing_page_dir(&month_dir(2024, 3), 0), "2024/03/");
        assert_eq!(listing_page_dir(&month_dir(2024, 3), 2), "2024/03/seite/2/");
        assert_eq!(page_file(&place_dir("bruessel")), "ort/bruessel/index.html");
        assert_eq!(place_feed_file("bruessel"), "ort/bruessel/atom.xml");
        assert_eq!(story_json_file(&story), "2024/10/28/nato-russland/story.json");
        assert_eq!(subscribe_dir("atom"), "abonnieren/atom/");
    }
}
