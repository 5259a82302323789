//! The feeds beyond the newest stories: `changes.xml`, one entry per
//! version for readers who want every update, and the monthly archive
//! documents of RFC 5005 (Feed Paging and Archiving), through which a new
//! subscriber can read every story ever published.
//!
//! A story belongs to the month of its first version (Berlin time, as in its
//! URL), so it never moves from one archive document to another; the plan
//! decides which stories each document holds. Nothing here reads a clock:
//! every time comes from the stories.

use anyhow::Result;
use atom_syndication as atom;
use chrono::{DateTime, FixedOffset};

use super::feeds::{AtomDocument, FeedItem, atom_document, atom_entry, html_content, html_summary, link};
use super::views::{MONTHS, SiteView};
use crate::config::Config;
use crate::paths;
use crate::plan::ArchivePart;
use crate::stories::{Story, Version};

/// `Oktober 2024`, then `Oktober 2024, Teil 2`, ...
pub fn archive_name(part: &ArchivePart) -> String {
    let month = format!("{} {}", MONTHS[part.month as usize - 1], part.year);
    if part.part == 1 { month } else { format!("{month}, Teil {}", part.part) }
}

/// One archive document: the stories of `months[index]` (the plan's
/// archives, oldest first), with `current`, `prev-archive` and
/// `next-archive` links, marked `<fh:archive/>`.
pub fn archive_feed(
    config: &Config,
    site: &SiteView,
    months: &[ArchivePart],
    index: usize,
    items: Vec<FeedItem>,
) -> Result<Vec<u8>> {
    let month = &months[index];
    let feed_link = |rel: &str, href: String| link(rel, &href, "application/atom+xml");
    let mut links = vec![feed_link("current", site.atom_url.clone())];
    if let Some(older) = index.checked_sub(1).map(|i| &months[i]) {
        links.push(feed_link("prev-archive", config.url(&older.path())));
    }
    if let Some(newer) = months.get(index + 1) {
        links.push(feed_link("next-archive", config.url(&newer.path())));
    }
    let document = AtomDocument {
        title: format!("{} – Archiv {}", config.title, archive_name(month)),
        self_url: config.url(&month.path()),
        links,
        archive: true,
    };
    let updated = items.iter().map(|item| item.story.significant_update()).max().unwrap_or_default();
    atom_document(config, document, items.into_iter().map(atom_entry).collect(), updated)
}

/// One version with its content rendered, for `changes.xml`.
pub struct ChangeItem<'a> {
    pub story: &'a Story,
    pub version: &'a Version,
    /// The version's text, then links to its diff and to the story.
    pub content_html: String,
}

/// `changes.xml`: one entry per version, titled with its revision note.
pub fn changes_feed(config: &Config, site: &SiteView, items: &[ChangeItem]) -> Result<Vec<u8>> {
    let document = AtomDocument {
        title: format!("{} – alle Fassungen", config.title),
        self_url: config.url(paths::CHANGES),
        links: vec![link("related", &site.atom_url, "application/atom+xml")],
        archive: false,
    };
    let updated: DateTime<FixedOffset> = items.iter().map(|item| item.version.head.timestamp).max().unwrap_or_default();
    let entries = items.iter().map(|item| change_entry(config, item)).collect();
    atom_document(config, document, entries, updated)
}

/// A version as an entry of its own: its own id and page, its own time.
fn change_entry(config: &Config, item: &ChangeItem) -> atom::Entry {
    let head = &item.version.head;
    let time = head.timestamp;
    atom::Entry {
        title: atom::Text::plain(change_title(item.version)),
        id: version_id(config.host(), item.version),
        updated: time,
        published: Some(time),
        links: vec![
            link("alternate", &config.url(&paths::version_dir(&item.story.path, item.version.n)), "text/html"),
            link("related", &config.url(&item.story.path), "text/html"),
        ],
        summary: Some(html_summary(head)),
        content: Some(html_content(item.content_html.clone())),
        ..Default::default()
    }
}

/// The headline, prefixed with the revision note as written:
/// `(neu: Details) Nato: Russische Verluste ...`.
pub fn change_title(version: &Version) -> String {
    match &version.head.revision {
        Some(revision) => format!("{} {}", revision.raw, version.head.headline),
        None => version.head.headline.clone(),
    }
}

/// `tag:<host>,<YYYY-MM-DD>:<fingerprint>/fassung`: fixed by the version's
/// own file, so it stays the same whichever story the version belongs to
/// and differs from every story id.
pub fn version_id(host: &str, version: &Version) -> String {
    let date = version.head.timestamp.format("%Y-%m-%d");
    format!("tag:{host},{date}:{}/fassung", version.fingerprint)
}
