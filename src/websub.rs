//! WebSub publishing (<https://www.w3.org/TR/websub/>): which feeds a hub
//! must hear about, and telling it.
//!
//! With `websub_hub` configured every feed names the hub (`rel="hub"`, in
//! JSON Feed `hubs`; see `render::feeds`), and subscribers wait for the hub
//! to tell them about new content instead of polling. The hub learns of it
//! from `depesche ping`, which posts `hub.mode=publish&hub.url=<feed>` for
//! each feed whose bytes changed.
//!
//! A build adds the feeds whose bytes it changed to a list of pending
//! feeds in the cache folder beside the output (never in the published
//! site: it says nothing to a reader). `ping` runs after the upload, posts
//! each pending feed and keeps only those the hub did not accept, so a feed
//! changed by a build whose upload or ping failed is announced by the next
//! successful ping, and an unchanged feed is never announced.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::config::Config;
use crate::paths::{ATOM, CHANGES, JSON, RSS};

/// The feeds a reader subscribes to, which name the hub. The monthly
/// archives do not: they never change once their month is over.
pub const SUBSCRIBED_FEEDS: &[&str] = &[ATOM, RSS, JSON, CHANGES];

/// The list of pending feeds in the cache folder: one site path per line.
const PENDING: &str = "websub-pending.txt";

fn pending_file(cache_dir: &Path) -> PathBuf {
    cache_dir.join(PENDING)
}

/// The feeds changed since the last successful ping, sorted.
pub fn pending(cache_dir: &Path) -> Result<BTreeSet<String>> {
    let path = pending_file(cache_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text.lines().filter(|line| !line.is_empty()).map(str::to_string).collect()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Replace the list of pending feeds (written whole, then renamed, so a
/// killed run leaves the old list or the new one).
fn save_pending(cache_dir: &Path, feeds: &BTreeSet<String>) -> Result<()> {
    let path = pending_file(cache_dir);
    let text: String = feeds.iter().map(|feed| format!("{feed}\n")).collect();
    let partial = cache_dir.join(format!("{PENDING}.partial"));
    std::fs::write(&partial, text).with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, &path).with_context(|| format!("cannot write {}", path.display()))
}

/// Add the feeds a build changed to the pending ones.
pub fn record_changed(cache_dir: &Path, changed: &[&str]) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let mut feeds = pending(cache_dir)?;
    feeds.extend(changed.iter().map(|feed| feed.to_string()));
    save_pending(cache_dir, &feeds)
}

/// What one ping did.
#[derive(Debug, Default)]
pub struct Pinged {
    /// Feed URLs the hub accepted.
    pub accepted: Vec<String>,
    /// Feed URLs it did not accept, and why (they stay pending).
    pub failed: Vec<(String, String)>,
}

/// How long one request to the hub may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Tell the configured hub about every pending feed of the site whose
/// cache folder is `cache_dir`; those it accepts are no longer pending.
pub fn ping(config: &Config, cache_dir: &Path) -> Result<Pinged> {
    let hub = config.websub_hub.as_deref().context("websub_hub is not set in the configuration; nothing to ping")?;
    let feeds = pending(cache_dir)?;
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(TIMEOUT)).build().into();
    let mut pinged = Pinged::default();
    let mut still_pending = BTreeSet::new();
    for feed in feeds {
        let url = config.url(&feed);
        let form = [("hub.mode", "publish"), ("hub.url", url.as_str())];
        match agent.post(hub).send_form(form) {
            Ok(_) => pinged.accepted.push(url),
            Err(error) => {
                pinged.failed.push((url, error.to_string()));
                still_pending.insert(feed);
            }
        }
    }
    save_pending(cache_dir, &still_pending)?;
    Ok(pinged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_feeds_add_up_until_a_ping_takes_them() {
        let dir = tempfile::tempdir().unwrap();
        assert!(pending(dir.path()).unwrap().is_empty());
        record_changed(dir.path(), &[RSS, ATOM]).unwrap();
        record_changed(dir.path(), &[ATOM, CHANGES]).unwrap();
        let feeds: Vec<String> = pending(dir.path()).unwrap().into_iter().collect();
        assert_eq!(feeds, [ATOM, CHANGES, RSS]);
    }
}
