//! Site configuration: the embedded defaults, overridden by a user's
//! `depesche.toml` and by command-line options.
//!
//! Configuration is read once at the application edge and handed down as a
//! plain value; no stage reads files or the environment on its own.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// The built-in configuration, the same text a user can copy and edit.
pub const DEFAULT_CONFIG: &str = include_str!("../depesche.default.toml");

/// Everything a build needs to know about the site.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Always ends with `/`.
    pub base_url: String,
    pub language: String,
    pub author: String,
    pub feed_length: usize,
    pub page_size: usize,
    pub max_file_size: u64,
    /// The WebSub hub the feeds name (`rel="hub"`) and `depesche ping`
    /// notifies; off when absent. Left out of the serialised configuration
    /// when absent, so that a site without a hub keeps its digests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websub_hub: Option<String>,
    /// Whether the site has a search page and its indexes (off by default:
    /// indexing costs more than the rest of a build). Left out of the
    /// serialised configuration when off, so that a site without search
    /// keeps its digests.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub search: bool,
}

/// Where a configuration came from, and the folder that may hold template overrides.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// `templates/` beside the configuration file (or in the working folder
    /// when the embedded configuration is used).
    pub template_dir: PathBuf,
}

/// Partial configuration as a user writes it: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    author: Option<String>,
    feed_length: Option<usize>,
    page_size: Option<usize>,
    max_file_size: Option<u64>,
    websub_hub: Option<String>,
    search: Option<bool>,
}

impl Config {
    /// The embedded default configuration.
    pub fn embedded() -> Config {
        toml::from_str(DEFAULT_CONFIG).expect("the embedded configuration is valid")
    }

    /// Parse a user's configuration text on top of the defaults.
    pub fn from_toml(text: &str) -> Result<Config> {
        let user: UserConfig = toml::from_str(text)?;
        let mut config = Config::embedded();
        macro_rules! take {
            ($($field:ident),*) => { $(if let Some(v) = user.$field { config.$field = v; })* };
        }
        take!(title, description, base_url, language, author, feed_length, page_size, max_file_size, search);
        config.websub_hub = user.websub_hub.or(config.websub_hub);
        config.validate()?;
        Ok(config)
    }

    /// Replace the base URL (from `--base-url`), checking it.
    pub fn with_base_url(mut self, base_url: &str) -> Result<Config> {
        self.base_url = base_url.to_string();
        self.validate()?;
        Ok(self)
    }

    fn validate(&mut self) -> Result<()> {
        let scheme_ok = self.base_url.starts_with("https://") || self.base_url.starts_with("http://");
        if !scheme_ok || self.host().is_empty() {
            bail!("base_url must be an absolute http(s) URL such as https://example.org/, found {:?}", self.base_url);
        }
        if !self.base_url.ends_with('/') {
            self.base_url.push('/');
        }
        if let Some(hub) = &self.websub_hub
            && !(hub.starts_with("https://") || hub.starts_with("http://"))
        {
            bail!("websub_hub must be an absolute http(s) URL such as https://hub.example.org/, found {hub:?}");
        }
        if self.feed_length == 0 || self.page_size == 0 {
            bail!("feed_length and page_size must be at least 1");
        }
        Ok(())
    }

    /// Host part of the base URL (for `tag:` ids).
    pub fn host(&self) -> &str {
        let rest = self.base_url.split_once("://").map_or("", |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or("");
        let without_user = authority.rsplit('@').next().unwrap_or("");
        without_user.split(':').next().unwrap_or("")
    }

    /// The path part of the base URL, with its slashes: `/` for
    /// `https://host/`, `/archiv/` for `https://host/archiv/`.
    pub fn base_path(&self) -> &str {
        let rest = self.base_url.split_once("://").map_or(self.base_url.as_str(), |(_, rest)| rest);
        rest.find('/').map_or("/", |slash| &rest[slash..])
    }

    /// Absolute URL of a site path such as `2024/10/28/slug/`.
    pub fn url(&self, path: &str) -> String {
        crate::paths::url(&self.base_url, path)
    }
}

/// Load the configuration: `explicit` if given (must exist), else
/// `depesche.toml` in the working folder when present, else the embedded
/// one; `base_url` (from `--base-url`) replaces the configured one.
pub fn load(explicit: Option<&Path>, base_url: Option<&str>) -> Result<LoadedConfig> {
    let mut loaded = load_file(explicit)?;
    if let Some(base_url) = base_url {
        loaded.config = loaded.config.with_base_url(base_url).context("invalid --base-url")?;
    }
    Ok(loaded)
}

fn load_file(explicit: Option<&Path>) -> Result<LoadedConfig> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => Some(PathBuf::from("depesche.toml")).filter(|p| p.is_file()),
    };
    let Some(path) = path else {
        return Ok(LoadedConfig { config: Config::embedded(), template_dir: PathBuf::from("templates") });
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("cannot read configuration {}", path.display()))?;
    let config = Config::from_toml(&text).with_context(|| format!("invalid configuration {}", path.display()))?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(LoadedConfig { config, template_dir: dir.join("templates") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_path_of_the_base_url() {
        let with = |url: &str| Config::embedded().with_base_url(url).unwrap();
        assert_eq!(with("https://host.example/").base_path(), "/");
        assert_eq!(with("https://host.example").base_path(), "/");
        assert_eq!(with("https://host.example/archiv/").base_path(), "/archiv/");
        assert_eq!(with("http://host.example:8080/a/b").base_path(), "/a/b/");
    }

    #[test]
    fn embedded_config_is_complete() {
        let config = Config::embedded();
        assert_eq!(config.language, "de");
        assert!(config.base_url.ends_with('/'));
    }

    #[test]
    fn user_config_overrides_some_keys() {
        let config =
            Config::from_toml("title = \"Mein Ticker\"\nbase_url = \"https://news.example.com/archiv\"").unwrap();
        assert_eq!(config.title, "Mein Ticker");
        assert_eq!(config.base_url, "https://news.example.com/archiv/");
        assert_eq!(config.host(), "news.example.com");
        assert_eq!(config.feed_length, Config::embedded().feed_length);
    }

    #[test]
    fn unknown_keys_and_bad_urls_are_errors() {
        assert!(Config::from_toml("titel = \"x\"").is_err());
        assert!(Config::from_toml("base_url = \"example.org\"").is_err());
        assert!(Config::from_toml("websub_hub = \"hub.example.org\"").is_err());
    }

    #[test]
    fn a_websub_hub_is_off_unless_set() {
        assert_eq!(Config::embedded().websub_hub, None);
        let config = Config::from_toml("websub_hub = \"https://hub.example.org/\"").unwrap();
        assert_eq!(config.websub_hub.as_deref(), Some("https://hub.example.org/"));
    }
}
