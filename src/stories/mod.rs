//! Stage 4: group parsed articles into stories and give each its identity.
//!
//! [`group`] applies the grouping rule (see `group.rs` and the README):
//! only a file with a revision note continues a story, and it continues the
//! earlier story it matches best. A story's id, slug and URL come from its first version only, so they never
//! change when later versions arrive or change the headline. Versions are
//! ordered by their instant, never by file name. Everything here is sorted
//! with explicit tie-breaks so that the output does not depend on the order
//! in which files were read.

use std::borrow::{Borrow, Cow};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::parse::{Article, ArticleHead, RevisionKind};
use crate::slug::slugify;
use crate::store::TextRef;

mod group;
mod similarity;

use similarity::Profile;

/// One parsed file, ready to be grouped: what the build keeps of it between
/// reading and rendering (its text waits in the [`crate::store::Store`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Filed {
    /// Path relative to the input folder.
    #[serde(deserialize_with = "crate::parse::cached_text::deserialize")]
    pub source: String,
    /// Stable fingerprint of the file's written time and its headline as
    /// decoded (before any repair), so a better repair never changes an id.
    #[serde(deserialize_with = "crate::parse::cached_text::deserialize")]
    pub fingerprint: String,
    /// Shared with the file's [`Version`]: an archive holds one head per
    /// file, not one per file and one per version.
    pub head: Arc<ArticleHead>,
    /// Where the file's original bytes and repaired text are kept.
    pub text: TextRef,
    /// Digests of the repaired text (which decides every rendered byte of the
    /// version) and of the original bytes (published as they are).
    pub digests: Digests,
    /// Digest of headline and body ([`content_digest`]): orders files of the
    /// same instant.
    content: u64,
    /// The story number (in grouping order) the last build gave this file,
    /// kept with its record in the cache while the file does not change;
    /// `None` for a file read anew. What [`group_after`] keeps of an
    /// earlier grouping.
    pub story: Option<usize>,
    /// What grouping compares. Kept apart from the rest in the cache (see
    /// [`Filed::encoded_profile`]) and loaded again only for the files a
    /// grouping reaches (see [`profiles_needed`]): a file without it is
    /// grouped by its time and note alone. Boxed: a record without it (most
    /// of an archive's, after grouping) keeps a pointer, not its room.
    #[serde(skip)]
    profile: Option<Box<Profile>>,
}

impl Filed {
    /// A file made straight from its text, for tests: ids and digests as the
    /// build makes them, no stored text.
    #[cfg(test)]
    pub fn from_text(source: &str, text: &str) -> Filed {
        let article = crate::parse::parse_article(text).expect("a test article parses").article;
        let raw_headline = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        let digest = crate::cache::bytes_digest(text.as_bytes());
        let digests = Digests { text: digest, original: digest };
        let fingerprint = fingerprint(&[&article.written_time.to_string(), raw_headline]);
        Filed::new(source.into(), fingerprint, &article, TextRef::default(), digests)
    }
}

/// Digests of what a version's documents are made from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    pub text: u64,
    pub original: u64,
}

impl Filed {
    /// The file `source` whose text parsed as `article`.
    pub fn new(source: String, fingerprint: String, article: &Article, text: TextRef, digests: Digests) -> Filed {
        Filed {
            source,
            fingerprint,
            head: Arc::new(article.head()),
            text,
            digests,
            content: content_digest(article),
            story: None,
            profile: Some(Box::new(Profile::of(article))),
        }
    }

    /// The file's profile as bytes for the cache, if it has one.
    pub fn encoded_profile(&self) -> Option<Vec<u8>> {
        self.profile.as_ref().map(|profile| postcard::to_stdvec(profile).expect("a profile encodes"))
    }

    /// Give the file back its profile from the bytes of
    /// [`Filed::encoded_profile`].
    pub fn load_profile(&mut self, bytes: &[u8]) -> Result<(), postcard::Error> {
        self.profile = Some(Box::new(postcard::from_bytes(bytes)?));
        Ok(())
    }

    /// Let go of the profile once grouping is done (it is kept in the texts
    /// pack): an archive's profiles are most of what a build holds.
    pub fn drop_profile(&mut self) {
        self.profile = None;
    }

    /// Whether the file has its profile (else it is grouped by its time and
    /// note alone).
    pub fn has_profile(&self) -> bool {
        self.profile.is_some()
    }
}

/// One version of a story.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// 1-based position in time order.
    pub n: usize,
    pub source: String,
    /// This file's own fingerprint (see [`Filed::fingerprint`]), for ids of
    /// single versions.
    pub fingerprint: String,
    /// The head of the file (shared with it).
    pub head: Arc<ArticleHead>,
    /// Where the version's original bytes and repaired text are kept.
    #[serde(skip)]
    pub text: TextRef,
    #[serde(skip)]
    pub digests: Digests,
}

impl Version {
    /// Whether a reader should hear about this version: the first one and
    /// every revision except repeats and cosmetic changes.
    pub fn is_significant(&self) -> bool {
        self.n == 1
            || !matches!(
                self.head.revision.as_ref().map(|r| r.kind),
                Some(RevisionKind::Repeat | RevisionKind::Cosmetic)
            )
    }

    pub fn is_correction(&self) -> bool {
        self.head.revision.as_ref().is_some_and(|r| r.kind == RevisionKind::Correction)
    }
}

/// The full texts of a story's versions, read back from the store only while
/// the story is rendered: `articles[n - 1]` and `originals[n - 1]` are
/// version `n`'s parsed text and its file's bytes as read.
#[derive(Debug, Clone, Default)]
pub struct StoryTexts {
    pub articles: Vec<Article>,
    pub originals: Vec<Vec<u8>>,
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
        self.first().head.timestamp
    }

    /// Time of the latest version of any kind.
    pub fn updated(&self) -> DateTime<FixedOffset> {
        self.latest().head.timestamp
    }

    /// Time of the latest version a reader should hear about (not a repeat,
    /// not a cosmetic change): what feeds give as `updated`.
    pub fn significant_update(&self) -> DateTime<FixedOffset> {
        self.versions.iter().rev().find(|v| v.is_significant()).unwrap_or(self.first()).head.timestamp
    }

    /// Whether any version is a correction.
    pub fn has_correction(&self) -> bool {
        self.versions.iter().any(Version::is_correction)
    }
}

/// Group the files into stories by the rule in `group.rs`, oldest story first.
/// The result does not depend on the order of `files`.
pub fn group<F: std::borrow::Borrow<Filed>>(files: &[F], host: &str) -> Vec<Story> {
    group_after(files, host, None, Reach::All).expect("grouping without an earlier one decides every file").stories
}

/// The stories [`group_after`] found, and how many files it decided anew
/// (the others kept their earlier stories).
#[derive(Debug)]
pub struct Grouping {
    pub stories: Vec<Story>,
    pub decided: usize,
}

/// The story number (its place in `stories`) of every version's file, by
/// source, for lookups only (never iterated, so the map's order cannot
/// reach the output).
pub fn story_numbers(stories: &[Story]) -> rustc_hash::FxHashMap<&str, usize> {
    let versions = stories.iter().enumerate().flat_map(|(n, story)| story.versions.iter().map(move |v| (v, n)));
    versions.map(|(version, n)| (version.source.as_str(), n)).collect()
}

/// What an earlier grouping of mostly the same files tells the next one,
/// besides each unchanged file's story number ([`Filed::story`]).
#[derive(Debug, Clone)]
pub struct Earlier {
    /// The earliest time of a file added, changed or removed since (its old
    /// and its new time), or `None` when nothing changed.
    pub changed_from: Option<DateTime<FixedOffset>>,
    /// The latest such time, or `None` when nothing changed.
    pub changed_until: Option<DateTime<FixedOffset>>,
    /// The story numbers (in the earlier grouping) of files removed,
    /// changed or no longer grouped since.
    pub lost: Vec<usize>,
}

impl Earlier {
    /// Only files added or changed from `from` to `until`; none removed.
    #[cfg(test)]
    pub fn added(from: Option<DateTime<FixedOffset>>, until: Option<DateTime<FixedOffset>>) -> Earlier {
        Earlier { changed_from: from, changed_until: until, lost: Vec::new() }
    }

    /// The time from which a rebuild's grouping that reads profiles only as
    /// far as it expects to need them ([`Reach::Settling`]) decides no
    /// file: it must have settled before.
    fn settled_by(&self) -> Option<DateTime<FixedOffset>> {
        let hours = group::PROFILE_REACH_HOURS + group::SETTLE_HOURS;
        self.changed_until.map(|until| until + chrono::Duration::seconds((hours * 3600.0) as i64))
    }
}

/// How much of an archive after its changes a rebuild's grouping reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The files up to where the grouping is expected to settle (see
    /// `group::Settling`): [`group_after`] gives `None` when it does not.
    Settling,
    /// Every file after the changes.
    All,
}

/// [`group`], keeping the decisions of `earlier` that no change can reach:
/// those of the files earlier than a week before the earliest change (see
/// `group::CHANGE_REACH_HOURS`), and those from the point on where the
/// grouping settles (see `group::Settling`). The result is the same as
/// without it. `None` when `reach` is [`Reach::Settling`] and the grouping
/// did not settle within the files whose profiles it reads.
pub fn group_after<F: std::borrow::Borrow<Filed>>(
    files: &[F],
    host: &str,
    earlier: Option<&Earlier>,
    reach: Reach,
) -> Option<Grouping> {
    let mut files: Vec<&Filed> = files.iter().map(Borrow::borrow).collect();
    // Keys borrowed, not cloned: an archive sorts every file on each build.
    files.sort_by(|a, b| file_order(a).cmp(&file_order(b)));
    let fingerprints = unique_fingerprints(&files);
    let stubs: Vec<Option<Profile>> = files.iter().map(|f| f.profile.is_none().then(|| stub_profile(f))).collect();
    let profiles: Vec<&Profile> = files
        .iter()
        .zip(&stubs)
        .map(|(f, stub)| f.profile.as_deref().or(stub.as_ref()).expect("one of them"))
        .collect();
    let kept = earlier.and_then(|earlier| kept_decisions(&files, earlier)).unwrap_or_default();
    let settling = earlier.and_then(|earlier| settling(&files, earlier, reach));
    let (groups, decided) = group::group_indexes_after(&profiles, kept, settling.as_ref())?;
    Some(Grouping { stories: assign_identities(groups, &files, &fingerprints, host), decided })
}

/// What the grouping of `files` (in time order) needs to settle after the
/// changes `earlier` tells of; `None` when nothing changed.
fn settling(files: &[&Filed], earlier: &Earlier, reach: Reach) -> Option<group::Settling> {
    let changed = (earlier.changed_from?, earlier.changed_until?);
    let profiled_until = match (reach, earlier.settled_by()) {
        (Reach::Settling, Some(settled_by)) => files.partition_point(|file| file.head.timestamp < settled_by),
        _ => files.len(),
    };
    Some(group::Settling {
        before: files.iter().map(|file| file.story).collect(),
        lost: earlier.lost.iter().copied().collect(),
        changed,
        profiled_until,
    })
}

/// The profile of a file whose profile was not loaded: its time and note,
/// nothing of its text. Grouping reads no more of a file out of its reach.
fn stub_profile(file: &Filed) -> Profile {
    Profile::unread(file.head.timestamp, file.head.revision.is_some())
}

/// The files among `files` whose profiles [`group_after`] with `earlier`
/// reads: every file from `group::PROFILE_REACH_HOURS` before the first
/// file it groups anew, every file of an earlier story with a file there
/// (a candidate story's members are all compared), and every file from
/// `group::FIRST_VERSION_REACH_HOURS` before the first version of such a
/// story (its look-alikes); with [`Reach::Settling`], none after a week
/// past the files it may decide. All of them when an earlier decision is
/// missing; none when nothing changed.
pub fn profiles_needed<'f>(files: &[&'f Filed], earlier: &Earlier, reach: Reach) -> Vec<&'f Filed> {
    let Some(changed) = earlier.changed_from else { return Vec::new() };
    let hours = |h: f64| chrono::Duration::seconds((h * 3600.0) as i64);
    let regrouped_from = changed - hours(group::CHANGE_REACH_HOURS);
    let reached_from = regrouped_from - hours(group::PROFILE_REACH_HOURS);
    let kept = |file: &&&Filed| file.head.timestamp < regrouped_from;
    if files.iter().filter(kept).any(|file| file.story.is_none()) {
        return files.to_vec();
    }
    // Decided at most up to `settled_by`, a decision looks a look-alike
    // window past its time at most.
    let read_until = match reach {
        Reach::Settling => earlier.settled_by().map(|until| until + hours(group::FIRST_VERSION_REACH_HOURS)),
        Reach::All => None,
    };
    let read = |file: &Filed| read_until.is_none_or(|until| file.head.timestamp <= until);
    let reached_stories: rustc_hash::FxHashSet<usize> = files
        .iter()
        .filter(|file| file.head.timestamp >= reached_from && read(file))
        .filter_map(|file| file.story)
        .collect();
    // The look-alikes of a reached story's first version, weeks back for a
    // story revised for weeks, are read too.
    let first_versions = files.iter().filter(|file| file.story.is_some_and(|story| reached_stories.contains(&story)));
    let earliest_first = first_versions.map(|file| file.head.timestamp).min();
    let reached_from =
        earliest_first.map_or(reached_from, |first| reached_from.min(first - hours(group::FIRST_VERSION_REACH_HOURS)));
    let reached = |file: &Filed| file.head.timestamp >= reached_from;
    let in_reached_story = |file: &Filed| file.story.is_none_or(|story| reached_stories.contains(&story));
    files.iter().filter(|file| read(file) && (reached(file) || in_reached_story(file))).copied().collect()
}

/// The stories of the files (in time order) whose decisions no change
/// reaches, renumbered in order of their first files; `None` when an
/// earlier decision is missing for one of them.
fn kept_decisions(files: &[&Filed], earlier: &Earlier) -> Option<Vec<usize>> {
    let reach = chrono::Duration::seconds((group::CHANGE_REACH_HOURS * 3600.0) as i64);
    let cut = match earlier.changed_from {
        Some(changed) => files.partition_point(|f| f.head.timestamp < changed - reach),
        None => files.len(),
    };
    let mut numbers = rustc_hash::FxHashMap::default();
    files[..cut]
        .iter()
        .map(|file| {
            let story = file.story?;
            let next = numbers.len();
            Some(*numbers.entry(story).or_insert(next))
        })
        .collect()
}

/// Two files with the same written time and headline (rare: two reports
/// sent the same second) would share a fingerprint, and so an id; the later
/// one in file order gets `-2`, `-3`, ...
fn unique_fingerprints(files: &[&Filed]) -> Vec<String> {
    let mut seen: rustc_hash::FxHashSet<Cow<str>> = rustc_hash::FxHashSet::default();
    seen.reserve(files.len());
    let mut unique = Vec::with_capacity(files.len());
    for file in files {
        let mut fingerprint = Cow::Borrowed(file.fingerprint.as_str());
        let mut n = 1;
        while seen.contains(&fingerprint) {
            n += 1;
            fingerprint = Cow::Owned(format!("{}-{n}", file.fingerprint));
        }
        unique.push(fingerprint.clone().into_owned());
        seen.insert(fingerprint);
    }
    unique
}

/// Time order of files with content tie-breaks: at the same instant a file
/// without a note (an original) comes before one with a note, then the
/// content decides, and the file name only when two files read the same.
fn file_order(file: &Filed) -> (DateTime<FixedOffset>, bool, &str, u64, &str) {
    (file.head.timestamp, file.head.revision.is_some(), &file.fingerprint, file.content, &file.source)
}

/// Digest of an article's headline and the texts of its blocks, in order:
/// each part's [`crate::cache::bytes_digest`] (eight bytes a step, where
/// FNV over the joined text took one), folded. Only ever compared, so any
/// stable digest of the parts serves.
fn content_digest(article: &Article) -> u64 {
    let parts = std::iter::once(article.headline.as_str()).chain(article.blocks.iter().map(|block| block.text()));
    parts.fold(0, |digest, part| {
        (digest.rotate_left(23) ^ crate::cache::bytes_digest(part.as_bytes())).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    })
}

/// Turn groups of files (each in time order) into stories with unique paths.
/// `files` are in time order, `fingerprints[i]` the unique fingerprint of
/// `files[i]`; each group lists indexes into them. Each story is made on all
/// cores; only making slugs unique goes in order.
fn assign_identities(groups: Vec<Vec<usize>>, files: &[&Filed], fingerprints: &[String], host: &str) -> Vec<Story> {
    let drafts: Vec<(String, String, Story)> = groups
        .into_par_iter()
        .map(|group| {
            let first = files[group[0]];
            let date = date_of(&first.head.timestamp, '/');
            let base_slug = slugify(&first.head.headline);
            let id = story_id(host, first, &fingerprints[group[0]]);
            let versions = group
                .into_iter()
                .enumerate()
                .map(|(i, index)| {
                    let file = files[index];
                    Version {
                        n: i + 1,
                        source: file.source.clone(),
                        fingerprint: fingerprints[index].clone(),
                        head: file.head.clone(),
                        text: file.text,
                        digests: file.digests,
                    }
                })
                .collect();
            (date, base_slug, Story { id, slug: String::new(), path: String::new(), versions })
        })
        .collect();
    let mut taken = rustc_hash::FxHashSet::default();
    taken.reserve(drafts.len());
    drafts
        .into_iter()
        .map(|(date, base_slug, mut story)| {
            (story.slug, story.path) = unique_slug(&mut taken, &date, base_slug);
            story
        })
        .collect()
}

/// `slug`, or `slug-2`, `slug-3`, ... when an earlier story of that day has
/// it; with the story's folder.
fn unique_slug(taken: &mut rustc_hash::FxHashSet<String>, date: &str, slug: String) -> (String, String) {
    let mut candidate = slug.clone();
    let mut n = 1;
    loop {
        let path = crate::paths::story_dir(date, &candidate);
        if !taken.contains(&path) {
            taken.insert(path.clone());
            return (candidate, path);
        }
        n += 1;
        candidate = format!("{slug}-{n}");
    }
}

/// `tag:<host>,<YYYY-MM-DD>:<fingerprint>` (RFC 4151), from the first version.
/// `fingerprint` is the first version's (made unique).
pub fn story_id(host: &str, first: &Filed, fingerprint: &str) -> String {
    let date = date_of(&first.head.timestamp, '-');
    ["tag:", host, ",", &date, ":", fingerprint].concat()
}

/// The date of `time` (in its own offset) as `YYYY<sep>MM<sep>DD`. Written
/// digit by digit: `chrono`'s `format` parses its pattern on every call, and
/// `format!` with padding took a twentieth of the instructions of an
/// archive's rebuild (two dates for each of its stories).
fn date_of(time: &DateTime<FixedOffset>, separator: char) -> String {
    use chrono::Datelike;
    let (year, month, day) = (time.year(), time.month(), time.day());
    let Ok(year @ 0..=9999) = u32::try_from(year) else {
        return format!("{year:04}{separator}{month:02}{separator}{day:02}");
    };
    let mut date = String::with_capacity(10);
    for (value, digits) in [(year, 4), (month, 2), (day, 2)] {
        if digits == 2 {
            date.push(separator);
        }
        for place in (0..digits).rev() {
            let digit = value / 10_u32.pow(place) % 10;
            date.push(char::from_digit(digit, 10).expect("a digit"));
        }
    }
    date
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

/// Stories newest first: by their latest significant version (a repeat does
/// not move an old story to the top), then by id.
pub fn newest_first(stories: &mut [Story]) {
    // Each story's time is found once, not at every comparison.
    stories.par_sort_by_cached_key(|story| (std::cmp::Reverse(story.significant_update()), story.id.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_article;

    #[test]
    fn dates_are_written_as_format_writes_them() {
        use chrono::Datelike;
        for (text, separator) in [("2024-03-09T23:59:59+01:00", '/'), ("0987-12-31T00:00:00+00:00", '-')] {
            let time = DateTime::parse_from_rfc3339(text).unwrap();
            let (y, m, d) = (time.year(), time.month(), time.day());
            assert_eq!(date_of(&time, separator), format!("{y:04}{separator}{m:02}{separator}{d:02}"));
        }
        let far = DateTime::parse_from_rfc3339("2024-01-05T12:00:00+00:00").unwrap().with_year(12345).unwrap();
        assert_eq!(date_of(&far, '/'), "12345/01/05");
    }

    fn filed(source: &str, headline: &str, time: &str) -> Filed {
        let text = format!("{headline}\n{time}\nBERLIN (dpa-AFX) - Text.");
        let article = parse_article(&text).unwrap().article;
        Filed::new(source.into(), fingerprint(&[time, headline]), &article, TextRef::default(), Digests::default())
    }

    #[test]
    fn same_slug_on_one_day_gets_a_suffix_in_time_order() {
        let stories = group(
            &[
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
            &[
                filed("a.txt", "Euro 2", "01.07.2024 - 09:00:00"),
                filed("b.txt", "Euro", "01.07.2024 - 10:00:00"),
                filed("c.txt", "Euro", "01.07.2024 - 11:00:00"),
            ],
            "example.org",
        );
        let slugs: Vec<&str> = stories.iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(slugs, ["euro-2", "euro", "euro-3"]);
    }

    fn article_file(source: &str, headline: &str, stamp: &str, body: &str) -> Filed {
        let text = format!("{headline}\n{stamp}\n{body}");
        let article = parse_article(&text).unwrap().article;
        Filed::new(source.into(), fingerprint(&[stamp, headline]), &article, TextRef::default(), Digests::default())
    }

    const STRIKE: &str = "FRANKFURT (dpa-AFX) - Ein Warnstreik legt den Flugbetrieb der Lufthansa lahm. Betroffen sind etwa 100 000 Passagiere.";
    const MARKET: &str = "FRANKFURT (dpa-AFX) - Der Dax schloss 0,5 Prozent höher bei 19 500 Punkten.";

    fn sample_files() -> Vec<Filed> {
        vec![
            article_file("c.txt", "Lufthansa: Streik", "07.02.2024 - 06:10:00", STRIKE),
            article_file(
                "a.txt",
                "ROUNDUP: Verdi legt Lufthansa lahm",
                "07.02.2024 - 09:35:00(neu: Details)",
                &format!("{STRIKE} Verdi droht mit mehr."),
            ),
            article_file("b.txt", "Aktien Frankfurt Schluss: Dax fester", "07.02.2024 - 17:45:00", MARKET),
            article_file(
                "d.txt",
                "Bahn: Notfahrplan",
                "07.02.2024 - 18:00:00(neu: Details)",
                "BERLIN (dpa-AFX) - Die Bahn fährt einen Notfahrplan.",
            ),
        ]
    }

    fn sources(stories: &[Story]) -> Vec<Vec<&str>> {
        stories.iter().map(|s| s.versions.iter().map(|v| v.source.as_str()).collect()).collect()
    }

    #[test]
    fn a_revision_continues_its_story_and_an_orphan_stands_alone() {
        let stories = group(&sample_files(), "example.org");
        assert_eq!(sources(&stories), [vec!["c.txt", "a.txt"], vec!["b.txt"], vec!["d.txt"]]);
        assert_eq!(stories[0].slug, "lufthansa-streik", "the first version names the story");
        assert_eq!(stories[0].versions[1].n, 2);
    }

    #[test]
    fn grouping_does_not_depend_on_input_order() {
        let forward = group(&sample_files(), "example.org");
        let mut reversed = sample_files();
        reversed.reverse();
        let backward = group(&reversed, "example.org");
        assert_eq!(sources(&forward), sources(&backward));
        let ids = |s: &[Story]| s.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&forward), ids(&backward));
    }

    #[test]
    fn a_file_without_a_note_always_starts_a_story() {
        let stories = group(
            &[
                article_file("a.txt", "Devisen: Euro steigt", "01.07.2024 - 10:12:00", MARKET),
                article_file("b.txt", "Devisen: Euro steigt", "01.07.2024 - 16:31:00", MARKET),
            ],
            "example.org",
        );
        assert_eq!(sources(&stories), [vec!["a.txt"], vec!["b.txt"]]);
    }

    #[test]
    fn an_original_comes_before_its_revision_of_the_same_second() {
        let stories = group(
            &[
                article_file("a.txt", "ROUNDUP: Lufthansa: Streik", "07.02.2024 - 06:10:00(neu: Details)", STRIKE),
                article_file("z.txt", "Lufthansa: Streik", "07.02.2024 - 06:10:00", STRIKE),
            ],
            "example.org",
        );
        assert_eq!(sources(&stories), [vec!["z.txt", "a.txt"]]);
    }

    #[test]
    fn keeping_earlier_decisions_gives_the_same_grouping() {
        let mut files = sample_files();
        let stories = group(&files, "example.org");
        number_files(&mut files, &stories);
        // A revision ten days later: every earlier decision is kept.
        files.push(article_file(
            "e.txt",
            "ROUNDUP: Lufthansa-Streik beendet",
            "17.02.2024 - 09:35:00(neu: Details)",
            &format!("{STRIKE} Verdi droht mit mehr."),
        ));
        let changed_from = files.last().map(|f| f.head.timestamp);
        let kept = kept_decisions(&sorted(&files), &Earlier::added(changed_from, changed_from)).unwrap();
        assert_eq!(kept.len(), 4, "the files of a week before the change keep their stories");
        let after =
            group_after(&files, "example.org", Some(&Earlier::added(changed_from, changed_from)), Reach::Settling)
                .unwrap()
                .stories;
        assert_eq!(sources(&after), sources(&group(&files, "example.org")));
        // A change within the week regroups from there.
        let changed_from = files.iter().map(|f| f.head.timestamp).min();
        let kept = kept_decisions(&sorted(&files), &Earlier::added(changed_from, changed_from)).unwrap();
        assert!(kept.is_empty());
    }

    /// A look-alike sent after a revision can undo the revision's join (rule
    /// 4 of the README): a change reaches back a week, so keeping earlier
    /// decisions must stop a week before it.
    #[test]
    fn a_later_look_alike_reaches_back_to_an_earlier_revision() {
        const TEMPLATE: &str = "FRANKFURT (dpa-AFX) - Der Dax schloss am Abend mit einem Plus von einem Prozent bei 19.500 Punkten. Der MDax gewann 0,8 Prozent auf 27.300 Zähler. Der EuroStoxx 50 rückte um 0,6 Prozent auf 4.950 Punkte vor. Am Rentenmarkt fiel die Umlaufrendite von 2,30 Prozent auf 2,28 Prozent. Der Euro kostete zuletzt 1,0850 Dollar.";
        let story = article_file(
            "a.txt",
            "Aktien Frankfurt Schluss: Dax legt zu",
            "14.10.2024 - 17:45:00",
            &format!(
                "{TEMPLATE} Gefragt waren Siemens Energy nach einem Großauftrag aus Saudi-Arabien über Gasturbinen für neue Kraftwerke am Golf. Analysten lobten die Auftragslage des Konzerns, der im Sommer seine Jahresziele angehoben hatte. Die Papiere von Bayer litten unter einem Urteil in einem Glyphosat-Prozess in Philadelphia."
            ),
        );
        let revision = article_file(
            "b.txt",
            "Aktien Frankfurt Schluss: Dax legt zu",
            "14.10.2024 - 18:30:00(neu: Details)",
            &format!(
                "{TEMPLATE} Zalando verloren nach einer Studie der Bank Jefferies deutlich, die das Kursziel für den Onlinehändler senkte. Händler verwiesen auf schwache Konjunkturdaten aus China und die Sorge vor neuen Zöllen. Die Papiere von Hellofresh brachen nach einer gesenkten Umsatzprognose ein."
            ),
        );
        let lookalike = article_file(
            "c.txt",
            "Aktien Frankfurt Schluss: Dax legt zu",
            "16.10.2024 - 17:45:00",
            &format!(
                "{TEMPLATE} Gesucht waren Rheinmetall nach einem Auftrag der Bundeswehr über Munition im Wert von mehreren Milliarden. Auch Hensoldt und Renk legten zu, nachdem die Regierung höhere Verteidigungsausgaben angekündigt hatte. Die Anteile von Porsche gaben nach schwachen Absatzzahlen in Nordamerika nach."
            ),
        );
        let before = [story.clone(), revision.clone()];
        assert_eq!(
            sources(&group(&before, "example.org")),
            [vec!["a.txt", "b.txt"]],
            "alone, the template is evidence"
        );
        let mut after = [story, revision, lookalike];
        let full = group(&after, "example.org");
        assert_eq!(sources(&full), [vec!["a.txt"], vec!["b.txt"], vec!["c.txt"]], "the look-alike shows the template");
        // The earlier build joined a and b; c is new.
        (after[0].story, after[1].story) = (Some(0), Some(0));
        let changed_from = Some(after[2].head.timestamp);
        let kept =
            group_after(&after, "example.org", Some(&Earlier::added(changed_from, changed_from)), Reach::Settling)
                .unwrap()
                .stories;
        assert_eq!(sources(&kept), sources(&full), "the earlier join is not kept");
    }

    /// A rebuild reads profiles only for the files its grouping reaches:
    /// the others are grouped by their time and note alone, and the result
    /// is that of grouping with every profile. A story revised every twelve
    /// days reaches back to its first version and the week around it.
    #[test]
    fn grouping_with_only_the_needed_profiles_gives_the_same_stories() {
        let strike = |source: &str, stamp: &str, extra: &str| {
            let note = if source == "a.txt" { "" } else { "(neu: Details)" };
            article_file(source, "Lufthansa: Streik", &format!("{stamp}{note}"), &format!("{STRIKE} {extra}"))
        };
        let other = |source: &str, stamp: &str, topic: &str| {
            let body = format!("BERLIN (dpa-AFX) - {topic} beschäftigt die Regierung in dieser Woche erneut.");
            article_file(source, &format!("{topic}: Neue Runde"), stamp, &body)
        };
        let mut files = vec![
            other("x0.txt", "10.12.2023 - 09:00:00", "Wetter"),
            strike("a.txt", "01.01.2024 - 08:00:00", "Verdi ruft auf."),
            other("x1.txt", "02.01.2024 - 09:00:00", "Rente"),
            strike("b.txt", "12.01.2024 - 08:00:00", "Verdi ruft auf. Die Gespräche stocken."),
            other("x2.txt", "14.01.2024 - 09:00:00", "Haushalt"),
            strike("c.txt", "24.01.2024 - 08:00:00", "Verdi ruft auf. Die Gespräche stocken. Neue Termine."),
            other("x3.txt", "25.01.2024 - 09:00:00", "Bahn"),
            strike("d.txt", "05.02.2024 - 08:00:00", "Verdi ruft auf. Die Gespräche stocken. Neue Termine folgen."),
            other("x4.txt", "20.02.2024 - 09:00:00", "Heizung"),
        ];
        let before = group(&files, "example.org");
        number_files(&mut files, &before);
        files.push(strike("e.txt", "17.02.2024 - 08:00:00", "Verdi ruft auf. Die Gespräche stocken. Ein Ende."));
        let full = group(&files, "example.org");
        assert!(sources(&full).contains(&vec!["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]), "{:?}", sources(&full));
        let changed = files.last().map(|f| f.head.timestamp);
        let earlier = Earlier::added(changed, changed);
        let needed = keep_needed_profiles(&mut files, &earlier, Reach::Settling);
        // The story's versions, the files around its first version (its
        // look-alikes) and the last three weeks; not the file of December.
        assert_eq!(needed, ["a.txt", "x1.txt", "b.txt", "x2.txt", "c.txt", "x3.txt", "d.txt", "x4.txt", "e.txt"]);
        let after = group_after(&files, "example.org", Some(&earlier), Reach::Settling).unwrap().stories;
        assert_eq!(sources(&after), sources(&full));
    }

    /// A story revised for weeks is still judged by the look-alikes of its
    /// first version in a rebuild: the files around that version, long
    /// before the change, are read and indexed as a clean build reads them.
    /// Here a revision that shares only the daily template with the story
    /// stays on its own; without the look-alike beside the first version,
    /// the template would count as evidence and join it.
    #[test]
    fn a_rebuild_sees_the_look_alikes_of_a_long_story_s_first_version() {
        const TEMPLATE: &str = "FRANKFURT (dpa-AFX) - Der Dax schloss am Abend mit einem Plus von einem Prozent bei 19.500 Punkten. Der MDax gewann 0,8 Prozent auf 27.300 Zähler. Der EuroStoxx 50 rückte um 0,6 Prozent auf 4.950 Punkte vor. Am Rentenmarkt fiel die Umlaufrendite von 2,30 Prozent auf 2,28 Prozent. Der Euro kostete zuletzt 1,0850 Dollar.";
        const OWN: &str = "Gefragt waren Siemens Energy nach einem Großauftrag aus Saudi-Arabien über Gasturbinen für neue Kraftwerke am Golf. Analysten lobten die Auftragslage des Konzerns, der im Sommer seine Jahresziele angehoben hatte.";
        let report = |source: &str, stamp: &str, own: &str| {
            let note = if source == "a.txt" || source.starts_with('x') { "" } else { "(neu: Details)" };
            let headline = "Aktien Frankfurt Schluss: Dax legt zu";
            article_file(source, headline, &format!("{stamp}{note}"), &format!("{TEMPLATE} {own}"))
        };
        let mut files = vec![
            report("a.txt", "01.01.2024 - 17:45:00", OWN),
            report(
                "x1.txt",
                "02.01.2024 - 17:45:00",
                "Gesucht waren Rheinmetall nach einem Auftrag der Bundeswehr über Munition im Wert von mehreren Milliarden. Auch Hensoldt und Renk legten zu.",
            ),
            report(
                "b.txt",
                "12.01.2024 - 17:45:00",
                &format!("{OWN} Die Papiere von Bayer litten unter einem Urteil."),
            ),
            report(
                "c.txt",
                "24.01.2024 - 17:45:00",
                &format!("{OWN} Die Papiere von Bayer litten unter einem Urteil in Philadelphia."),
            ),
            report(
                "d.txt",
                "05.02.2024 - 17:45:00",
                &format!("{OWN} Die Papiere von Bayer litten unter einem Urteil in einem Prozess."),
            ),
        ];
        let before = group(&files, "example.org");
        assert_eq!(sources(&before), [vec!["a.txt", "b.txt", "c.txt", "d.txt"], vec!["x1.txt"]]);
        number_files(&mut files, &before);
        files.push(report("e.txt", "15.02.2024 - 17:45:00", "Zalando verloren nach einer Studie der Bank Jefferies deutlich, die das Kursziel für den Onlinehändler senkte. Händler verwiesen auf schwache Konjunkturdaten aus China und die Sorge vor neuen Zöllen. Die Papiere von Hellofresh brachen nach einer gesenkten Umsatzprognose ein, auch Delivery Hero gaben nach."));
        let full = group(&files, "example.org");
        assert_eq!(sources(&full)[2], ["e.txt"], "the template is no evidence: {:?}", sources(&full));
        let changed = files.last().map(|f| f.head.timestamp);
        let earlier = Earlier::added(changed, changed);
        keep_needed_profiles(&mut files, &earlier, Reach::Settling);
        let after = group_after(&files, "example.org", Some(&earlier), Reach::Settling).unwrap().stories;
        assert_eq!(sources(&after), sources(&full));
    }

    /// A wire of `days` days from 1 January 2024: three reports a day, each
    /// revised up to twice over the next two days, of words drawn from a
    /// fixed seed; `revising(day)` stories of that day get a revision every
    /// nine days for eighty days.
    fn wire(days: i64, revising: impl Fn(i64) -> bool) -> Vec<Filed> {
        const WORDS: [&str; 48] = [
            "Aktie",
            "Anleger",
            "Bank",
            "Berlin",
            "Börse",
            "Dax",
            "Dollar",
            "Euro",
            "Firma",
            "Gewinn",
            "Haushalt",
            "Hafen",
            "Index",
            "Kunde",
            "Kurs",
            "Land",
            "Markt",
            "Minister",
            "Nachfrage",
            "Ölpreis",
            "Plan",
            "Preis",
            "Quote",
            "Rente",
            "Regierung",
            "Streik",
            "Steuer",
            "Umsatz",
            "Verdi",
            "Wahl",
            "Zins",
            "Zoll",
            "steigt",
            "fällt",
            "meldet",
            "plant",
            "senkt",
            "hebt",
            "kräftig",
            "leicht",
            "erneut",
            "deutlich",
            "wegen",
            "trotz",
            "nach",
            "über",
            "unter",
            "gegen",
        ];
        let mut seed: u64 = 0x5eed;
        let mut word = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            WORDS[(seed >> 33) as usize % WORDS.len()]
        };
        let mut sentence =
            || format!("{} {} {} {} {} {} {} {}.", word(), word(), word(), word(), word(), word(), word(), word());
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let stamp = |at: chrono::NaiveDateTime| at.format("%d.%m.%Y - %H:%M:%S").to_string();
        let mut files = Vec::new();
        for day in 0..days {
            for report in 0..3 {
                let at = start + chrono::Duration::days(day) + chrono::Duration::hours(3 * report);
                let headline = format!("Thema {day}-{report}: {}", sentence());
                let body: Vec<String> = (0..4).map(|_| sentence()).collect();
                let text = format!("BERLIN (dpa-AFX) - {}", body.join(" "));
                files.push(article_file(&format!("{day}-{report}-0.txt"), &headline, &stamp(at), &text));
                let revisions: Vec<i64> = match (revising(day) && report == 0, (day + report) % 3) {
                    (true, _) => (1..=9).map(|n| 9 * 24 * n).collect(),
                    (false, n) => (1..=n).map(|n| 20 * n).collect(),
                };
                for (n, hours) in revisions.into_iter().enumerate() {
                    let at = at + chrono::Duration::hours(hours);
                    let text = format!("{text} {}", sentence());
                    let source = format!("{day}-{report}-{}.txt", n + 1);
                    files.push(article_file(&source, &headline, &format!("{}(neu: Details)", stamp(at)), &text));
                }
            }
        }
        files
    }

    /// Change `files` (numbered by their earlier grouping) as a rebuild
    /// finds them: `changed` read again with a new sentence, `removed` gone,
    /// `added` new; and what the rebuild knows of it.
    fn change(files: &mut Vec<Filed>, changed: &str, removed: &str, added: Filed) -> Earlier {
        let at = |files: &[Filed], source: &str| files.iter().position(|f| f.source == source).unwrap();
        let (mut times, mut lost) = (Vec::new(), Vec::new());
        let old = files.remove(at(files, changed));
        let stamp = format!("{}(neu: Details)", old.head.timestamp.format("%d.%m.%Y - %H:%M:%S"));
        let new = article_file(&old.source, &old.head.headline, &stamp, "BERLIN (dpa-AFX) - Ein neuer Satz.");
        times.extend([old.head.timestamp, new.head.timestamp]);
        lost.push(old.story.unwrap());
        let gone = files.remove(at(files, removed));
        times.push(gone.head.timestamp);
        lost.push(gone.story.unwrap());
        times.push(added.head.timestamp);
        files.extend([new, added]);
        Earlier { changed_from: times.iter().min().copied(), changed_until: times.iter().max().copied(), lost }
    }

    /// `files` grouped and numbered as a previous build left them, then
    /// changed at the end of January: `edited` edited, `31-0-1.txt`
    /// removed, a new article added. With what a rebuild is told and the
    /// stories of a clean grouping of the changed files.
    fn wire_changed_in_january(mut files: Vec<Filed>, edited: &str) -> (Vec<Filed>, Earlier, Vec<Story>) {
        let before = group(&files, "example.org");
        number_files(&mut files, &before);
        let added = article_file(
            "new.txt",
            "Thema 30-1: neu",
            "31.01.2024 - 12:00:00(neu: Details)",
            "BERLIN (dpa-AFX) - Ein Satz.",
        );
        let earlier = change(&mut files, edited, "31-0-1.txt", added);
        let full = group(&files, "example.org");
        (files, earlier, full)
    }

    /// A rebuild after changes in the middle of an archive regroups the
    /// weeks around them and takes the previous decisions for the rest,
    /// reading no profile of the months after: the same stories as a clean
    /// grouping.
    #[test]
    fn a_rebuild_settles_after_changes_in_the_middle_of_an_archive() {
        let (mut files, earlier, full) = wire_changed_in_january(wire(300, |_| false), "28-1-1.txt");
        let needed = keep_needed_profiles(&mut files, &earlier, Reach::Settling);
        assert!(needed.len() < files.len() / 2, "{} of {} profiles read", needed.len(), files.len());
        let after = group_after(&files, "example.org", Some(&earlier), Reach::Settling).expect("settles");
        assert!(after.decided < files.len() / 2, "{} of {} files decided anew", after.decided, files.len());
        assert_eq!(sources(&after.stories), sources(&full));
    }

    /// A story a change touched that stays open for months keeps a rebuild
    /// from settling within the profiles it read first: it says so, and
    /// with every profile after the change it groups as a clean grouping.
    #[test]
    fn a_rebuild_that_cannot_settle_reads_on() {
        let (mut files, earlier, full) = wire_changed_in_january(wire(150, |day| day == 27), "27-0-1.txt");
        let mut limited = files.clone();
        keep_needed_profiles(&mut limited, &earlier, Reach::Settling);
        assert!(group_after(&limited, "example.org", Some(&earlier), Reach::Settling).is_none());
        keep_needed_profiles(&mut files, &earlier, Reach::All);
        let after = group_after(&files, "example.org", Some(&earlier), Reach::All).unwrap().stories;
        assert_eq!(sources(&after), sources(&full));
    }

    /// Drop the profiles of `files` that a rebuild told `earlier` does not
    /// read with `reach`, as a build leaves them in the pack; the names of
    /// those kept, in order.
    fn keep_needed_profiles(files: &mut [Filed], earlier: &Earlier, reach: Reach) -> Vec<String> {
        let needed: Vec<String> = profiles_needed(&files.iter().collect::<Vec<_>>(), earlier, reach)
            .iter()
            .map(|f| f.source.clone())
            .collect();
        for file in files.iter_mut().filter(|file| !needed.contains(&file.source)) {
            file.profile = None;
        }
        needed
    }

    /// Give each of `files` its story number in `stories`, as a build
    /// records it for the next.
    fn number_files(files: &mut [Filed], stories: &[Story]) {
        let numbers = story_numbers(stories);
        for file in files {
            file.story = numbers.get(file.source.as_str()).copied();
        }
    }

    fn sorted(files: &[Filed]) -> Vec<&Filed> {
        let mut files: Vec<&Filed> = files.iter().collect();
        files.sort_by_cached_key(|file| file_order(file));
        files
    }

    #[test]
    fn id_is_a_tag_uri_from_the_first_version() {
        let story = &group(&[filed("a.txt", "Titel", "28.10.2024 - 14:57:43")], "example.org")[0];
        // FNV-1a 64 of "28.10.2024 - 14:57:43\0Titel\0", worked out apart from
        // `fingerprint`: ids must never change between versions of depesche.
        assert_eq!(story.id, "tag:example.org,2024-10-28:d3b089190960764f");
    }

    #[test]
    fn fingerprint_is_fnv_1a_64_with_a_nul_after_each_part() {
        assert_eq!(fingerprint(&[]), "cbf29ce484222325", "the FNV-1a 64 offset basis");
        assert_eq!(fingerprint(&[""]), "af63bd4c8601b7df", "FNV-1a 64 of one NUL byte");
        assert_eq!(fingerprint(&["28.10.2024 - 14:57:43", "Titel"]), "d3b089190960764f");
    }
}
