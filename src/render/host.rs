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

/// `_headers`: content types of the feeds, sitemaps and story JSON, and how
/// long caches may keep them.
pub fn headers(templates: &Templates, config: &Config) -> Result<Vec<u8>> {
    templates.render_page("_headers", context! { base => config.base_path() })
}

/// `_redirects`: the 404 page for every unknown address below the base path.
pub fn redirects(templates: &Templates, config: &Config) -> Result<Vec<u8>> {
    templates.render_page("_redirects", context! { base => config.base_path() })
}
