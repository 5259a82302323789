//! The grouping rule: which files are versions of one story.
//!
//! Files are taken in time order. A file without a revision note starts a
//! story. A file with a note continues the one earlier story it matches best
//! (by text, headline, time and places), or starts a story of its own when
//! none matches well enough: its original is not in the folder. Candidates
//! are only stories begun before the revision; the look-alikes that tell a
//! template from a revision are taken from both sides of the story in time,
//! since tomorrow's market report shows today's phrasing as well as
//! yesterday's. This module must never look at file names: they carry no
//! meaning.

use super::similarity::{Profile, Sketch, headline_similarity, places_disjoint, text_similarity};

/// A revision is at most this long after the latest version of the story it
/// continues. Revisions come within hours, corrections sometimes days later;
/// after two weeks the wire sends a new story, not a revision.
const MAX_REVISION_GAP_HOURS: f64 = 14.0 * 24.0;

/// Hours after which the time evidence has fallen to one half: a revision
/// on the same day is typical, one a day later still plausible.
const CLOSENESS_HALF_HOURS: f64 = 24.0;

/// How much each kind of evidence counts (they add up to 1). The text counts
/// most because a revision keeps most of its original's phrases or at least
/// its names and figures, whatever its headline became; the headline often
/// changes completely (`ROUNDUP:` rewrites), so it only helps; time decides
/// between otherwise equal candidates.
const WEIGHT_TEXT: f64 = 0.7;
const WEIGHT_HEADLINE: f64 = 0.15;
const WEIGHT_TIME: f64 = 0.15;

/// Subtracted when both files name their places and they share none: a
/// revision may add a place (`FRANKFURT/BERLIN`), it rarely drops them all.
const PLACE_PENALTY: f64 = 0.15;

/// Subtracted when the revision's headline opens with a different series
/// label than every labelled version of the story (`Aktien Frankfurt
/// Schluss:` against `Aktien Frankfurt Eröffnung:`): a revision stays in its
/// series, but a strong text match may still override a changed label.
const LABEL_PENALTY: f64 = 0.15;

/// A revision needs this much text evidence beyond the look-alike level, so
/// a matching headline and time alone never join two stories (the daily
/// `Aktien Frankfurt Schluss:` reports share both).
const MIN_TEXT_EVIDENCE: f64 = 0.2;

/// The combined score a revision needs. A rewrite that keeps half of its
/// original's text under a new headline (a tenth of the words shared) six
/// hours later still reaches it: 0.7 × 0.5 + 0.15 × 0.1 + 0.15 × 0.8 =
/// 0.49; so does a light revision a day later (0.7 × 0.9 + 0.15 × 0.5 =
/// 0.71). Bare minimum text evidence with an unrelated headline the same
/// hour does not: 0.7 × 0.2 + 0.15 = 0.29.
const MATCH_THRESHOLD: f64 = 0.4;

/// Note-less files this close in time to a candidate's first version, before
/// or after it, are its look-alikes: a week holds a series' daily reports.
const LOOKALIKE_WINDOW_HOURS: f64 = 7.0 * 24.0;

/// Look-alike similarity above this is a copy, not a template; copies are
/// told apart by time, so their similarity must not erase all text evidence.
const LOOKALIKE_CAP: f64 = 0.6;

/// Group file indexes (`profiles` sorted by time, ties broken by the caller)
/// into stories, each a list of indexes in time order.
pub fn group_indexes(profiles: &[&Profile]) -> Vec<Vec<usize>> {
    let mut stories: Vec<Vec<usize>> = Vec::new();
    let mut story_of: Vec<usize> = Vec::with_capacity(profiles.len());
    let index = FeatureIndex::new(profiles);
    let mut tally = Tally::new(profiles.len());
    let lookalikes = Lookalikes::new(profiles, &index);
    for (file, profile) in profiles.iter().enumerate() {
        let continued = if profile.has_note {
            let candidates = candidate_stories(file, profiles, &index, &story_of, &mut tally);
            best_story(file, profiles, &stories, &candidates, &lookalikes)
        } else {
            None
        };
        let story = continued.unwrap_or_else(|| {
            stories.push(Vec::new());
            stories.len() - 1
        });
        stories[story].push(file);
        story_of.push(story);
    }
    stories
}

/// A phrase or word found in more files than this within the window searched
/// is boilerplate (`teilte das Unternehmen mit`) and is not used to find
/// candidates: a revision shares rarer phrases or names with its story.
const MAX_POSTINGS: usize = 200;

/// At most this many stories are scored for a revision: those sharing the
/// most rare features with it. Its own story shares most of its phrases and
/// names; the rest of the two weeks' wire shares a few at most.
const MAX_CANDIDATES: usize = 24;

/// At most this many files are measured for a story's look-alike level:
/// those sharing the most rare features with its first version.
const MAX_LOOKALIKES: usize = 24;

/// Features a file is indexed under (of each kind): texts with more are
/// indexed under a consistent sample of their sketch, enough to find the
/// files that share many phrases or names with them.
const INDEXED_FEATURES: usize = 64;

/// Which files contain each indexed phrase and word, as one sorted array of
/// (feature, file) pairs: the files of a feature are a contiguous run in file
/// (so time) order, so the files of a time window are found by binary search,
/// and the index takes 8 bytes a posting whatever the archive's size.
struct FeatureIndex {
    postings: Vec<(u64, u32)>,
}

/// A feature's key in the index: phrases and words are kept apart.
fn feature_key(kind: u64, value: u32) -> u64 {
    (kind << 32) | u64::from(value)
}

/// The two kinds of features with the sketches they come from.
fn features(profile: &Profile) -> [(u64, &Sketch); 2] {
    [(0, &profile.shingles), (1, &profile.vocabulary)]
}

impl FeatureIndex {
    fn new(profiles: &[&Profile]) -> FeatureIndex {
        let mut postings: Vec<(u64, u32)> = profiles
            .iter()
            .enumerate()
            .flat_map(|(file, profile)| {
                features(profile).into_iter().flat_map(move |(kind, sketch)| {
                    indexed_values(sketch).iter().map(move |&v| (feature_key(kind, v), file as u32))
                })
            })
            .collect();
        postings.sort_unstable();
        FeatureIndex { postings }
    }

    /// The files in `window` (a range of file indexes) that contain the
    /// feature, unless more than `MAX_POSTINGS` do.
    fn files_in(&self, key: u64, window: &std::ops::Range<usize>) -> &[(u64, u32)] {
        let start = self.postings.partition_point(|&(k, f)| k < key || (k == key && (f as usize) < window.start));
        let end = self.postings.partition_point(|&(k, f)| k < key || (k == key && (f as usize) < window.end));
        let files = &self.postings[start..end];
        if files.len() > MAX_POSTINGS { &[] } else { files }
    }

    /// How many features each file in `window` shares with `profile`,
    /// counted into `tally`.
    fn count_shared(&self, profile: &Profile, window: &std::ops::Range<usize>, tally: &mut Tally) {
        for (kind, sketch) in features(profile) {
            for &value in &sketch.values {
                for &(_, file) in self.files_in(feature_key(kind, value), window) {
                    tally.add(file as usize);
                }
            }
        }
    }
}

/// The part of a sketch that is indexed: a prefix of at most
/// `INDEXED_FEATURES` values at a consistent sampling level.
fn indexed_values(sketch: &Sketch) -> &[u32] {
    let mut level = sketch.level;
    while sketch.at_level(level).len() > INDEXED_FEATURES && level < 32 {
        level += 1;
    }
    sketch.at_level(level)
}

/// Counts per file, reused from search to search without clearing them all.
struct Tally {
    counts: Vec<u32>,
    touched: Vec<usize>,
}

impl Tally {
    fn new(files: usize) -> Tally {
        Tally { counts: vec![0; files], touched: Vec::new() }
    }

    fn add(&mut self, file: usize) {
        if self.counts[file] == 0 {
            self.touched.push(file);
        }
        self.counts[file] += 1;
    }

    /// Every touched file with its count, then cleared.
    fn drain(&mut self) -> Vec<(usize, u32)> {
        let drained = self.touched.iter().map(|&file| (file, std::mem::take(&mut self.counts[file]))).collect();
        self.touched.clear();
        drained
    }
}

/// The stories begun before revision `file` that share the most rare
/// features with it in the two weeks before it, at most `MAX_CANDIDATES`,
/// in ascending order so the order never depends on the search.
fn candidate_stories(
    file: usize,
    profiles: &[&Profile],
    index: &FeatureIndex,
    story_of: &[usize],
    tally: &mut Tally,
) -> Vec<usize> {
    let revision = &profiles[file];
    let start = profiles.partition_point(|p| hours_between(p, revision) > MAX_REVISION_GAP_HOURS);
    index.count_shared(revision, &(start..file), tally);
    let mut best: std::collections::BTreeMap<usize, u32> = std::collections::BTreeMap::new();
    for (shared_file, count) in tally.drain() {
        let entry = best.entry(story_of[shared_file]).or_default();
        *entry = (*entry).max(count);
    }
    let mut ranked: Vec<(usize, u32)> = best.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut stories: Vec<usize> = ranked.into_iter().take(MAX_CANDIDATES).map(|(story, _)| story).collect();
    stories.sort_unstable();
    stories
}

/// How well a revision fits one candidate story.
#[derive(Debug, Clone, Copy)]
struct Fit {
    score: f64,
    gap_hours: f64,
    story: usize,
}

/// The story the revision `index` continues: the best fit above the threshold;
/// equal scores go to the story closer in time, then to the older story.
fn best_story(
    index: usize,
    profiles: &[&Profile],
    stories: &[Vec<usize>],
    candidates: &[usize],
    lookalikes: &Lookalikes,
) -> Option<usize> {
    candidates
        .iter()
        .filter_map(|&story| fit(index, profiles, &stories[story], story, lookalikes))
        .filter(|fit| fit.score >= MATCH_THRESHOLD)
        .max_by(|a, b| {
            a.score
                .total_cmp(&b.score)
                .then_with(|| b.gap_hours.total_cmp(&a.gap_hours))
                .then_with(|| b.story.cmp(&a.story))
        })
        .map(|fit| fit.story)
}

/// The fit of revision `index` to the story made of `members`, or `None`
/// when the story is too far away in time or the text gives no evidence.
fn fit(index: usize, profiles: &[&Profile], members: &[usize], story: usize, lookalikes: &Lookalikes) -> Option<Fit> {
    let revision = &profiles[index];
    let latest = &profiles[*members.last()?];
    let gap_hours = hours_between(latest, revision);
    if !(0.0..=MAX_REVISION_GAP_HOURS).contains(&gap_hours) {
        return None;
    }
    let text = members.iter().map(|&m| text_similarity(revision, profiles[m])).fold(0.0, f64::max);
    // The evidence can only be lower than the raw overlap: skip the costlier
    // look-alike scan for the many stories that share nothing with the revision.
    if text < MIN_TEXT_EVIDENCE {
        return None;
    }
    let evidence = text_evidence(text, lookalikes.level(members[0]));
    if evidence < MIN_TEXT_EVIDENCE {
        return None;
    }
    let headline = members
        .iter()
        .map(|&m| headline_similarity(&revision.headline_words, &profiles[m].headline_words))
        .fold(0.0, f64::max);
    let closeness = 1.0 / (1.0 + gap_hours / CLOSENESS_HALF_HOURS);
    let mut penalty = if story_places_disjoint(revision, members, profiles) { PLACE_PENALTY } else { 0.0 };
    if story_label_differs(revision, members, profiles) {
        penalty += LABEL_PENALTY;
    }
    let score = WEIGHT_TEXT * evidence + WEIGHT_HEADLINE * headline + WEIGHT_TIME * closeness - penalty;
    Some(Fit { score, gap_hours, story })
}

/// The part of a text similarity that look-alikes do not explain, scaled
/// back to 0..1: with no look-alikes it is the similarity itself; when the
/// story's look-alikes share 45% of its phrases, a revision sharing 45% has
/// shown nothing.
fn text_evidence(similarity: f64, lookalike: f64) -> f64 {
    let lookalike = lookalike.min(LOOKALIKE_CAP);
    ((similarity - lookalike) / (1.0 - lookalike)).max(0.0)
}

/// Look-alike levels, each computed once, when a story first needs it.
struct Lookalikes<'a> {
    profiles: &'a [&'a Profile],
    index: &'a FeatureIndex,
    levels: Vec<std::cell::OnceCell<f64>>,
    tally: std::cell::RefCell<Tally>,
}

impl<'a> Lookalikes<'a> {
    fn new(profiles: &'a [&'a Profile], index: &'a FeatureIndex) -> Lookalikes<'a> {
        Lookalikes {
            profiles,
            index,
            levels: vec![std::cell::OnceCell::new(); profiles.len()],
            tally: std::cell::RefCell::new(Tally::new(profiles.len())),
        }
    }

    /// The look-alike level of the story whose first version is `first`.
    fn level(&self, first: usize) -> f64 {
        *self.levels[first]
            .get_or_init(|| lookalike_level(first, self.profiles, self.index, &mut self.tally.borrow_mut()))
    }
}

/// How similar texts of *other* stories are to the story's first version:
/// the highest overlap with any note-less file (a story of its own for
/// certain) within the look-alike window around it. Only the files sharing
/// the most rare features with it are measured: a file sharing none of them
/// shares boilerplate at most.
fn lookalike_level(first: usize, profiles: &[&Profile], index: &FeatureIndex, tally: &mut Tally) -> f64 {
    let origin = &profiles[first];
    // Profiles are in time order, so the window is found by binary search.
    let start = profiles.partition_point(|p| hours_between(p, origin) > LOOKALIKE_WINDOW_HOURS);
    let end = profiles.partition_point(|p| hours_between(origin, p) <= LOOKALIKE_WINDOW_HOURS);
    index.count_shared(origin, &(start..end), tally);
    let mut sharing: Vec<(usize, u32)> =
        tally.drain().into_iter().filter(|&(other, _)| other != first && !profiles[other].has_note).collect();
    sharing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut level: f64 = 0.0;
    for (other, _) in sharing.into_iter().take(MAX_LOOKALIKES) {
        level = level.max(text_similarity(origin, profiles[other]));
    }
    level
}

/// Whether every version of the story names places and none is the revision's.
fn story_places_disjoint(revision: &Profile, members: &[usize], profiles: &[&Profile]) -> bool {
    members.iter().all(|&m| places_disjoint(&revision.places, &profiles[m].places))
}

/// Whether both the revision and the story have series labels and none of
/// the story's labels is the revision's.
fn story_label_differs(revision: &Profile, members: &[usize], profiles: &[&Profile]) -> bool {
    let Some(label) = &revision.label else { return false };
    let mut labels = members.iter().filter_map(|&m| profiles[m].label.as_ref()).peekable();
    labels.peek().is_some() && labels.all(|other| other != label)
}

/// Hours from `earlier` to `later` (negative when `later` is earlier).
fn hours_between(earlier: &Profile, later: &Profile) -> f64 {
    (later.time - earlier.time).num_seconds() as f64 / 3600.0
}
