//! The feeds beyond the newest stories: `changes.xml`, one entry per
//! version for readers who want every update, and the monthly archive
//! documents of RFC 5005 (Feed Paging and Archiving), through which a new
//! subscriber can read every story ever published.
//!
//! A story belongs to the month of its first version (Berlin time, as in its
//! URL), so it never moves from one archive document to another. Nothing
//! here reads a clock: every time comes from the stories.

use anyhow::Result;
use atom_syndication as atom;
use chrono::{DateTime, FixedOffset};

use super::feeds::{AtomDocument, FeedItem, atom_document, atom_entry, html_content, html_summary, link};
use super::views::{MONTHS, SiteView, version_path};
use crate::config::Config;
use crate::stories::{Story, Version};

/// Site path of the feed of every version.
pub const FEED_CHANGES: &str = "changes.xml";

/// Stories per archive document. A busy wire publishes thousands of stories
/// a month; with their full texts, 500 keep a document near 2 MB, which a
/// feed reader still fetches and parses in one go.
pub const ARCHIVE_PART_SIZE: usize = 500;

/// One archive document: (a part of) the stories first published in a month.
#[derive(Debug, Clone)]
pub struct ArchiveMonth<'a> {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    /// 1 for the month's first `ARCHIVE_PART_SIZE` stories, then 2, 3, ...
    pub part: usize,
    /// Newest first.
    pub stories: Vec<&'a Story>,
}

impl ArchiveMonth<'_> {
    /// `archive/2024-10.xml`, then `archive/2024-10-teil-2.xml`, ...
    pub fn path(&self) -> String {
        match self.part {
            1 => format!("archive/{}-{:02}.xml", self.year, self.month),
            part => format!("archive/{}-{:02}-teil-{part}.xml", self.year, self.month),
        }
    }

    /// `Oktober 2024`, then `Oktober 2024, Teil 2`, ...
    pub fn name(&self) -> String {
        let month = format!("{} {}", MONTHS[self.month as usize - 1], self.year);
        if self.part == 1 { month } else { format!("{month}, Teil {}", self.part) }
    }
}

/// The archive documents, oldest first: per month, its stories in order of
/// publication, `ARCHIVE_PART_SIZE` a document. Since stories are split in
/// the order they were first published, a month's earlier parts stay as
/// they are when later stories arrive.
pub fn archive_months(stories: &[Story]) -> Vec<ArchiveMonth<'_>> {
    archive_parts(stories, ARCHIVE_PART_SIZE)
}

fn archive_parts(stories: &[Story], part_size: usize) -> Vec<ArchiveMonth<'_>> {
    let mut months: std::collections::BTreeMap<(i32, u32), Vec<&Story>> = std::collections::BTreeMap::new();
    for story in stories {
        months.entry(story_month(story)).or_default().push(story);
    }
    let mut parts = Vec::new();
    for ((year, month), mut stories) in months {
        stories.sort_by(|a, b| a.published().cmp(&b.published()).then_with(|| a.id.cmp(&b.id)));
        for (index, chunk) in stories.chunks(part_size).enumerate() {
            let newest_first = chunk.iter().rev().copied().collect();
            parts.push(ArchiveMonth { year, month, part: index + 1, stories: newest_first });
        }
    }
    parts
}

/// Year and month of the story's first version, as in its URL.
fn story_month(story: &Story) -> (i32, u32) {
    use chrono::Datelike;
    let published = story.published();
    (published.year(), published.month())
}

/// One archive document: the stories of `months[index]`, with `current`,
/// `prev-archive` and `next-archive` links, marked `<fh:archive/>`.
pub fn archive_feed(
    config: &Config,
    site: &SiteView,
    months: &[ArchiveMonth],
    index: usize,
    items: &[FeedItem],
) -> Result<String> {
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
        title: format!("{} – Archiv {}", config.title, month.name()),
        self_url: config.url(&month.path()),
        links,
        archive: true,
    };
    let updated = items.iter().map(|item| item.story.significant_update()).max().unwrap_or_default();
    atom_document(config, document, items.iter().map(atom_entry).collect(), updated)
}

/// One version with its content rendered, for `changes.xml`.
pub struct ChangeItem<'a> {
    pub story: &'a Story,
    pub version: &'a Version,
    /// The version's text, then links to its diff and to the story.
    pub content_html: String,
}

/// The `count` newest versions of all stories, newest first; versions of the
/// same instant by story id, then by number.
pub fn newest_versions(stories: &[Story], count: usize) -> Vec<(&Story, &Version)> {
    let mut versions: Vec<(&Story, &Version)> =
        stories.iter().flat_map(|story| story.versions.iter().map(move |version| (story, version))).collect();
    versions.sort_by(|a, b| {
        b.1.article
            .timestamp
            .cmp(&a.1.article.timestamp)
            .then_with(|| a.0.id.cmp(&b.0.id))
            .then_with(|| b.1.n.cmp(&a.1.n))
    });
    versions.truncate(count);
    versions
}

/// `changes.xml`: one entry per version, titled with its revision note.
pub fn changes_feed(config: &Config, site: &SiteView, items: &[ChangeItem]) -> Result<String> {
    let document = AtomDocument {
        title: format!("{} – alle Fassungen", config.title),
        self_url: config.url(FEED_CHANGES),
        links: vec![link("related", &site.atom_url, "application/atom+xml")],
        archive: false,
    };
    let updated: DateTime<FixedOffset> =
        items.iter().map(|item| item.version.article.timestamp).max().unwrap_or_default();
    let entries = items.iter().map(|item| change_entry(config, item)).collect();
    atom_document(config, document, entries, updated)
}

/// A version as an entry of its own: its own id and page, its own time.
fn change_entry(config: &Config, item: &ChangeItem) -> atom::Entry {
    let article = &item.version.article;
    let time = article.timestamp;
    atom::Entry {
        title: atom::Text::plain(change_title(item.version)),
        id: version_id(config.host(), item.version),
        updated: time,
        published: Some(time),
        links: vec![
            link("alternate", &config.url(&version_path(item.story, item.version.n)), "text/html"),
            link("related", &config.url(&item.story.path), "text/html"),
        ],
        summary: Some(html_summary(article)),
        content: Some(html_content(&item.content_html)),
        ..Default::default()
    }
}

/// The headline, prefixed with the revision note as written:
/// `(neu: Details) Nato: Russische Verluste ...`.
pub fn change_title(version: &Version) -> String {
    match &version.article.revision {
        Some(revision) => format!("{} {}", revision.raw, version.article.headline),
        None => version.article.headline.clone(),
    }
}

/// `tag:<host>,<YYYY-MM-DD>:<fingerprint>/fassung`: fixed by the version's
/// own file, so it stays the same whichever story the version belongs to
/// and differs from every story id.
pub fn version_id(host: &str, version: &Version) -> String {
    let date = version.article.timestamp.format("%Y-%m-%d");
    format!("tag:{host},{date}:{}/fassung", version.fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_article;
    use crate::stories::{Filed, fingerprint, group};

    fn stories(stamps: &[&str]) -> Vec<Story> {
        let files = stamps
            .iter()
            .enumerate()
            .map(|(i, stamp)| {
                let text = format!("Meldung {i}\n{stamp}\nBERLIN (dpa) - Text Nummer {i}.");
                let article = parse_article(&text).unwrap().article;
                Filed { source: format!("{i}.txt"), path: "x".into(), fingerprint: fingerprint(&[&text]), article }
            })
            .collect();
        group(files, "example.org")
    }

    #[test]
    fn months_are_split_into_parts_in_publication_order() {
        let stories = stories(&[
            "03.10.2024 - 10:00:00",
            "01.10.2024 - 10:00:00",
            "02.10.2024 - 10:00:00",
            "30.09.2024 - 10:00:00",
            "04.10.2024 - 10:00:00",
        ]);
        let parts = archive_parts(&stories, 2);
        let paths: Vec<String> = parts.iter().map(ArchiveMonth::path).collect();
        assert_eq!(paths, ["archive/2024-09.xml", "archive/2024-10.xml", "archive/2024-10-teil-2.xml"]);
        let headlines = |part: &ArchiveMonth| -> Vec<String> {
            part.stories.iter().map(|s| s.first().article.headline.clone()).collect()
        };
        assert_eq!(headlines(&parts[1]), ["Meldung 2", "Meldung 1"], "1 and 2 October, newest first");
        assert_eq!(headlines(&parts[2]), ["Meldung 4", "Meldung 0"], "3 and 4 October");
        assert_eq!(parts[2].name(), "Oktober 2024, Teil 2");
    }
}
