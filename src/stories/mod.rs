//! Stage 4: group parsed articles into stories and give each its identity.
//!
//! A story's id, slug and URL come from its first version only, so they never
//! change when later versions arrive or change the headline. Versions are
//! ordered by their instant, never by file name. Everything here is sorted
//! with explicit tie-breaks so that the output does not depend on the order
//! in which files were read.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::parse::Article;
use crate::slug::slugify;

/// One parsed file, ready to be grouped.
#[derive(Debug, Clone)]
pub struct Filed {
    /// Path relative to the input folder.
    pub source: String,
    /// Path of the original file, copied untouched beside the version's page.
    pub path: PathBuf,
    /// Stable fingerprint of the file's written time and its headline as
    /// decoded (before any repair), so a better repair never changes an id.
    pub fingerprint: String,
    pub article: Article,
}

/// One version of a story.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// 1-based position in time order.
    pub n: usize,
    pub source: String,
    #[serde(skip)]
    pub path: PathBuf,
    pub article: Article,
}

/// A story: one or more versions of one article, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct Story {
    /// `tag:` URI, fixed by the first version.
    pub id: String,
    pub slug: String,
    /// Site path of the story page, `YYYY/MM/DD/<slug>/`.
    pub path: String,
    pub versions: Vec<Version>,
}

impl Story {
    pub fn first(&self) -> &Version {
        &self.versions[0]
    }

    pub fn latest(&self) -> &Version {
        self.versions.last().expect("a story has at least one version")
    }

    pub fn published(&self) -> DateTime<FixedOffset> {
        self.first().article.timestamp
    }

    pub fn updated(&self) -> DateTime<FixedOffset> {
        self.latest().article.timestamp
    }
}

/// Group the files into stories. Until revisions are grouped, every file is a
/// story of its own with one version.
pub fn group(files: Vec<Filed>, host: &str) -> Vec<Story> {
    let mut files = files;
    files.sort_by(|a, b| {
        (a.article.timestamp, &a.fingerprint, &a.source).cmp(&(b.article.timestamp, &b.fingerprint, &b.source))
    });
    let groups: Vec<Vec<Filed>> = files.into_iter().map(|file| vec![file]).collect();
    assign_identities(groups, host)
}

/// Turn ordered groups of files into stories with unique paths.
fn assign_identities(groups: Vec<Vec<Filed>>, host: &str) -> Vec<Story> {
    let mut taken = BTreeSet::new();
    groups
        .into_iter()
        .map(|mut group| {
            group.sort_by(|a, b| (a.article.timestamp, &a.source).cmp(&(b.article.timestamp, &b.source)));
            let first = &group[0];
            let date = first.article.timestamp.format("%Y/%m/%d").to_string();
            let base_slug = slugify(&first.article.headline);
            let slug = unique_slug(&mut taken, &date, base_slug);
            let id = story_id(host, first);
            let path = format!("{date}/{slug}/");
            let versions = group
                .into_iter()
                .enumerate()
                .map(|(i, f)| Version { n: i + 1, source: f.source, path: f.path, article: f.article })
                .collect();
            Story { id, slug, path, versions }
        })
        .collect()
}

/// `slug`, or `slug-2`, `slug-3`, ... when an earlier story of that day has it.
fn unique_slug(taken: &mut BTreeSet<String>, date: &str, slug: String) -> String {
    let mut candidate = slug.clone();
    let mut n = 1;
    while !taken.insert(format!("{date}/{candidate}")) {
        n += 1;
        candidate = format!("{slug}-{n}");
    }
    candidate
}

/// `tag:<host>,<YYYY-MM-DD>:<fingerprint>` (RFC 4151), from the first version.
pub fn story_id(host: &str, first: &Filed) -> String {
    let date = first.article.timestamp.format("%Y-%m-%d");
    format!("tag:{host},{date}:{}", first.fingerprint)
}

/// FNV-1a, 64 bit, as 16 hex digits: stable across machines and versions.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Stories newest first: by latest version, then by id.
pub fn newest_first(stories: &mut [Story]) {
    stories.sort_by(|a, b| b.updated().cmp(&a.updated()).then_with(|| a.id.cmp(&b.id)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_article;

    fn filed(source: &str, headline: &str, time: &str) -> Filed {
        let text = format!("{headline}\n{time}\nBERLIN (dpa-AFX) - Text.");
        let article = parse_article(&text).unwrap().article;
        Filed { source: source.into(), path: source.into(), fingerprint: fingerprint(&[time, headline]), article }
    }

    #[test]
    fn same_slug_on_one_day_gets_a_suffix_in_time_order() {
        let stories = group(
            vec![
                filed("b.txt", "Devisen: Euro steigt", "01.07.2024 - 16:31:00"),
                filed("a.txt", "Devisen: Euro steigt", "01.07.2024 - 10:12:00"),
                filed("c.txt", "Devisen: Euro steigt", "02.07.2024 - 10:12:00"),
            ],
            "example.org",
        );
        let paths: Vec<&str> = stories.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(
            paths,
            ["2024/07/01/devisen-euro-steigt/", "2024/07/01/devisen-euro-steigt-2/", "2024/07/02/devisen-euro-steigt/"]
        );
        assert_eq!(stories[0].versions[0].source, "a.txt");
    }

    #[test]
    fn suffix_never_collides_with_a_real_slug() {
        let stories = group(
            vec![
                filed("a.txt", "Euro 2", "01.07.2024 - 09:00:00"),
                filed("b.txt", "Euro", "01.07.2024 - 10:00:00"),
                filed("c.txt", "Euro", "01.07.2024 - 11:00:00"),
            ],
            "example.org",
        );
        let slugs: Vec<&str> = stories.iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(slugs, ["euro-2", "euro", "euro-3"]);
    }

    #[test]
    fn id_is_a_tag_uri_from_the_first_version() {
        let story = &group(vec![filed("a.txt", "Titel", "28.10.2024 - 14:57:43")], "example.org")[0];
        assert_eq!(
            story.id,
            format!("tag:example.org,2024-10-28:{}", fingerprint(&["28.10.2024 - 14:57:43", "Titel"]))
        );
    }
}
