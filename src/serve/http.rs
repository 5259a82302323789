//! What `depesche serve` answers to one request: a site file with its
//! content type, the site's own 404 page, a redirect, or the page of a
//! failed build; and the reload script put into every HTML answer.
//!
//! Everything here is decided from the request's path, the state of the
//! last build and the files of the served folder; nothing is written. The
//! reload script and the problem banner are added to the bytes of the
//! answer only, never to the built files: the built site stays exactly what
//! `depesche build` writes.

use std::path::Path;

use minijinja::HtmlEscape;
use percent_encoding::percent_decode_str;

/// The path the reload script asks for the number of the latest build.
pub const GENERATION_PATH: &str = "/__depesche/generation";

/// What the last build left to show besides the site.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Problem {
    /// Built cleanly.
    #[default]
    None,
    /// Built, but these files were rejected (`file:line: error: …` lines).
    Rejected(Vec<String>),
    /// The build failed (a broken template, a bad configuration): every
    /// page shows this message until a build succeeds again.
    Failed(String),
}

/// The state of the served site, as the answers need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteState {
    /// Counts the builds: a page whose number is older reloads itself.
    pub generation: u64,
    /// The path part of the base URL (`/` or `/archiv/`): the site is
    /// served under it.
    pub base_path: String,
    pub problem: Problem,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Where a redirect points.
    pub location: Option<String>,
}

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// The content type of a site file, by its site path: the feeds by their
/// names (`paths::feed_media_type`), every other file by its extension.
pub fn content_type(site_path: &str) -> &'static str {
    if let Some(feed) = crate::paths::feed_media_type(site_path) {
        return feed;
    }
    match site_path.rsplit_once('.').map_or("", |(_, extension)| extension) {
        "html" => HTML,
        "xml" => "application/xml",
        "txt" => TEXT,
        "json" => "application/json",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// The answer to `GET url` (path and query as the request line holds it)
/// for the site built into `root`.
pub fn respond(url: &str, state: &SiteState, root: &Path) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or("");
    if path == GENERATION_PATH {
        return Reply {
            status: 200,
            content_type: TEXT,
            body: state.generation.to_string().into_bytes(),
            location: None,
        };
    }
    if path == "/" && state.base_path != "/" {
        return redirect(&state.base_path);
    }
    let Some(site_path) = path.strip_prefix(state.base_path.as_str()).and_then(site_path) else {
        return not_found(state, root);
    };
    let file = root.join(&site_path);
    if file.is_dir() {
        return match file.join("index.html").is_file() {
            true => redirect(&format!("{path}/")),
            false => not_found(state, root),
        };
    }
    match std::fs::read(&file) {
        Ok(bytes) => page(200, content_type(&site_path), bytes, state),
        Err(_) => not_found(state, root),
    }
}

/// The site path of a URL path below the base path: decoded, `index.html`
/// for a folder, `None` for anything that could leave the folder or names
/// a hidden file (such as the output folder's marker).
fn site_path(below_base: &str) -> Option<String> {
    let decoded = percent_decode_str(below_base).decode_utf8().ok()?;
    let safe = decoded.split('/').all(|part| !part.starts_with('.') && !part.contains('\\') && !part.contains('\0'));
    if !safe {
        return None;
    }
    match decoded.is_empty() || decoded.ends_with('/') {
        true => Some(format!("{decoded}index.html")),
        false => Some(decoded.into_owned()),
    }
}

fn redirect(location: &str) -> Reply {
    Reply { status: 301, content_type: TEXT, body: Vec::new(), location: Some(location.to_string()) }
}

/// The site's own `404.html`, with status 404.
fn not_found(state: &SiteState, root: &Path) -> Reply {
    let body = std::fs::read(root.join(crate::paths::NOT_FOUND))
        .unwrap_or_else(|_| b"<!DOCTYPE html><title>404</title><h1>Seite nicht gefunden</h1>".to_vec());
    page(404, HTML, body, state)
}

/// An answer from a site file: HTML gets the reload script (and the list of
/// rejected files), or is replaced by the error page when the build failed.
fn page(status: u16, content_type: &'static str, body: Vec<u8>, state: &SiteState) -> Reply {
    if content_type != HTML {
        return Reply { status, content_type, body, location: None };
    }
    let html = match &state.problem {
        Problem::Failed(message) => return error_page(message, state.generation),
        Problem::Rejected(lines) => inject(&String::from_utf8_lossy(&body), state.generation, Some(lines)),
        Problem::None => inject(&String::from_utf8_lossy(&body), state.generation, None),
    };
    Reply { status, content_type, body: html.into_bytes(), location: None }
}

/// The page every HTML address shows while the last build failed.
fn error_page(message: &str, generation: u64) -> Reply {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Fehler beim Bauen – depesche serve</title>\n</head>\n<body>\n\
         <h1>Die Website konnte nicht gebaut werden</h1>\n\
         <p>depesche hat diesen Fehler gemeldet. Sobald er behoben ist, wird neu gebaut und diese Seite lädt sich neu.</p>\n\
         <pre id=\"depesche-serve-error\">{}</pre>\n</body>\n</html>\n",
        HtmlEscape(message)
    );
    Reply { status: 500, content_type: HTML, body: inject(&html, generation, None).into_bytes(), location: None }
}

/// `html` with the reload script before `</body>` (or at the end) and, when
/// files were rejected, a box listing them at the top of the body.
pub fn inject(html: &str, generation: u64, rejected: Option<&[String]>) -> String {
    let script = reload_script(generation);
    let mut html = match html.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &html[..at], &html[at..]),
        None => format!("{html}{script}"),
    };
    if let Some(lines) = rejected.filter(|lines| !lines.is_empty()) {
        let body_start = html.find("<body").and_then(|at| html[at..].find('>').map(|end| at + end + 1)).unwrap_or(0);
        html.insert_str(body_start, &rejected_box(lines));
    }
    html
}

/// A small script that asks for the build number twice a second and
/// reloads the page when it changed.
fn reload_script(generation: u64) -> String {
    format!(
        "<script>/* depesche serve: reload after a rebuild */(function(){{var seen=\"{generation}\";\
         function poll(){{fetch(\"{GENERATION_PATH}\",{{cache:\"no-store\"}}).then(function(r){{return r.text()}})\
         .then(function(now){{if(now!==seen){{location.reload()}}else{{setTimeout(poll,500)}}}})\
         .catch(function(){{setTimeout(poll,2000)}})}}setTimeout(poll,500)}})();</script>"
    )
}

fn rejected_box(lines: &[String]) -> String {
    let items: String = lines.iter().map(|line| format!("<li>{}</li>", HtmlEscape(line))).collect();
    format!(
        "<div id=\"depesche-serve-problems\" role=\"alert\" style=\"background:#fde8e8;color:#5c0b0b;\
         border-bottom:2px solid #b42318;padding:.5rem 1rem;font:0.9rem/1.4 monospace\">\
         <strong>{} Datei(en) abgewiesen:</strong><ul style=\"margin:.25rem 0\">{items}</ul></div>",
        lines.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(base_path: &str, problem: Problem) -> SiteState {
        SiteState { generation: 7, base_path: base_path.into(), problem }
    }

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<html><body class=\"x\"><p>Start</p></body></html>").unwrap();
        std::fs::write(dir.path().join("404.html"), "<html><body>Nicht da</body></html>").unwrap();
        std::fs::write(dir.path().join(".depesche-output"), "marker").unwrap();
        std::fs::write(dir.path().join("atom.xml"), "<feed/>").unwrap();
        std::fs::create_dir_all(dir.path().join("2024/story")).unwrap();
        std::fs::write(dir.path().join("2024/story/index.html"), "<body>Geschichte</body>").unwrap();
        dir
    }

    #[test]
    fn feeds_have_their_own_content_types() {
        assert_eq!(content_type("atom.xml"), "application/atom+xml");
        assert_eq!(content_type("changes.xml"), "application/atom+xml");
        assert_eq!(content_type("archive/2024-10.xml"), "application/atom+xml");
        assert_eq!(content_type("ort/bruessel/atom.xml"), "application/atom+xml");
        assert_eq!(content_type("ort/bruessel/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("rss.xml"), "application/rss+xml");
        assert_eq!(content_type("feed.json"), "application/feed+json");
        assert_eq!(content_type("sitemap/2024-10.xml"), "application/xml");
        assert_eq!(content_type("2024/10/28/a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("2024/10/28/a/v/1/source.txt"), "text/plain; charset=utf-8");
    }

    #[test]
    fn the_base_path_folders_and_hidden_files() {
        let dir = site();
        let under = state("/archiv/", Problem::None);
        assert_eq!(respond("/", &under, dir.path()).location.as_deref(), Some("/archiv/"));
        let start = respond("/archiv/?x=1", &under, dir.path());
        assert_eq!((start.status, start.content_type), (200, HTML));
        assert!(String::from_utf8(start.body).unwrap().contains("Start"));
        assert_eq!(respond("/index.html", &under, dir.path()).status, 404);
        let folder = respond("/archiv/2024/story", &under, dir.path());
        assert_eq!((folder.status, folder.location.as_deref()), (301, Some("/archiv/2024/story/")));
        for hidden in ["/archiv/.depesche-output", "/archiv/../etc/passwd", "/archiv/%2e%2e/x", "/archiv/2024/"] {
            let reply = respond(hidden, &under, dir.path());
            assert_eq!(reply.status, 404, "{hidden}");
            assert!(String::from_utf8(reply.body).unwrap().contains("Nicht da"), "the site's own 404 page");
        }
        let feed = respond("/archiv/atom.xml", &under, dir.path());
        assert_eq!((feed.status, feed.body), (200, b"<feed/>".to_vec()), "feeds are served as built");
    }

    #[test]
    fn html_gets_the_reload_script_and_a_failed_build_its_error_page() {
        let dir = site();
        let page = String::from_utf8(respond("/", &state("/", Problem::None), dir.path()).body).unwrap();
        assert!(page.contains(GENERATION_PATH) && page.contains("var seen=\"7\""), "{page}");
        assert!(page.find("<script>").unwrap() < page.find("</body>").unwrap());
        let rejected = state("/", Problem::Rejected(vec!["a.txt:2: error: <kaputt>".into()]));
        let page = String::from_utf8(respond("/", &rejected, dir.path()).body).unwrap();
        assert!(page.starts_with("<html><body class=\"x\"><div id=\"depesche-serve-problems\""), "{page}");
        assert!(page.contains("a.txt:2: error: &lt;kaputt&gt;"), "{page}");
        let failed = state("/", Problem::Failed("template story.html: <syntax error>".into()));
        let reply = respond("/2024/story/", &failed, dir.path());
        let page = String::from_utf8(reply.body).unwrap();
        assert_eq!(reply.status, 500);
        assert!(page.contains("template story.html: &lt;syntax error&gt;") && page.contains(GENERATION_PATH));
        assert_eq!(respond("/atom.xml", &failed, dir.path()).status, 200, "feeds stay as last built");
        assert_eq!(respond(GENERATION_PATH, &failed, dir.path()).body, b"7");
    }
}
