//! Configuration for static hosts, generated with the site: `_headers` and
//! `_redirects`, which Netlify and Cloudflare Pages read from the top of
//! the published folder.
//!
//! Both name paths as the server sees them, so every rule starts with the
//! path of the base URL (`/` or `/archiv/`). Nothing here depends on the
//! stories: the files change only with the configuration and templates.

use anyhow::Result;
use minijinja::context;

use super::Templates;
use crate::config::Config;

/// The path part of the base URL, with its slashes: `/` for
/// `https://host/`, `/archiv/` for `https://host/archiv/`.
pub fn base_path(config: &Config) -> String {
    let rest = config.base_url.split_once("://").map_or("", |(_, rest)| rest);
    match rest.find('/') {
        Some(slash) => rest[slash..].to_string(),
        None => "/".to_string(),
    }
}

/// `_headers`: content types of the feeds, sitemaps and story JSON, and how
/// long caches may keep them.
pub fn headers(templates: &Templates, config: &Config) -> Result<String> {
    templates.render("_headers", context! { base => base_path(config) })
}

/// `_redirects`: the 404 page for every unknown address below the base path.
pub fn redirects(templates: &Templates, config: &Config) -> Result<String> {
    templates.render("_redirects", context! { base => base_path(config) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_path_of_the_base_url() {
        let with = |url: &str| Config { base_url: url.into(), ..Config::embedded() };
        assert_eq!(base_path(&with("https://host.example/")), "/");
        assert_eq!(base_path(&with("https://host.example/archiv/")), "/archiv/");
        assert_eq!(base_path(&with("http://host.example:8080/a/b/")), "/a/b/");
    }
}
