//! The grouping rule: which files are versions of one story.
//!
//! Files are taken in time order. A file without a revision note starts a
//! story. A file with a note continues the one earlier story it matches best
//! (by text, headline, time and places), or starts a story of its own when
//! none matches well enough: its original is not in the folder. Candidates
//! are only stories begun before the revision; the look-alikes that tell a
//! template from a revision are taken from both sides of the story in time,
//! since tomorrow's market report shows today's phrasing as well as
//! yesterday's. A whole paragraph a revision repeats from the story, and
//! that no look-alike has, shows the text is the story's own: then the
//! look-alikes do not lower the text evidence. This module must never look at file names: they carry no
//! meaning.

use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};

use rayon::prelude::*;

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
/// revision may add a place (`FRANKFURT/BERLIN`), it rarely drops them all,
/// while regional reports from other cities share a template (a strike at
/// several airports). A revision that moves its dateline still joins on a
/// strong text: 0.7 × 0.8 + 0.15 × 0.5 + 0.15 × 0.9 − 0.25 = 0.52; the
/// report of another city, half of its text shared, the same hour, does
/// not: 0.7 × 0.5 + 0.15 × 0.2 + 0.15 × 0.95 − 0.25 = 0.27.
const PLACE_PENALTY: f64 = 0.25;

/// Subtracted when the revision's headline opens with a different series
/// label than every labelled version of the story (`Aktien Frankfurt
/// Schluss:` against `Aktien Frankfurt Eröffnung:`): a revision stays in its
/// series, but a strong text match may still override a changed label.
const LABEL_PENALTY: f64 = 0.15;

/// A revision needs this much text evidence beyond the look-alike level, so
/// a matching headline and time alone never join two stories (the daily
/// `Aktien Frankfurt Schluss:` reports share both).
const MIN_TEXT_EVIDENCE: f64 = 0.2;

/// The combined score a revision needs. A rewrite that keeps 40% of its
/// original's text beyond the look-alikes under a new headline (a fifteenth
/// of the words shared) still reaches it the next morning, 17 hours later:
/// 0.7 × 0.4 + 0.15 × 0.07 + 0.15 × 0.59 = 0.38; so does a light revision a
/// day later (0.7 × 0.9 + 0.15 × 0.5 = 0.71). Bare minimum text evidence
/// with an unrelated headline the same hour does not: 0.7 × 0.2 + 0.15 =
/// 0.29.
const MATCH_THRESHOLD: f64 = 0.35;

/// Note-less files this close in time to a candidate's first version, before
/// or after it, are its look-alikes: a week holds a series' daily reports.
const LOOKALIKE_WINDOW_HOURS: f64 = 7.0 * 24.0;

/// Look-alike similarity above this is a copy, not a template; copies are
/// told apart by time, so their similarity must not erase all text evidence.
const LOOKALIKE_CAP: f64 = 0.6;

/// Group file indexes (`profiles` sorted by time, ties broken by the caller)
/// into stories, each a list of indexes in time order.
#[cfg(test)]
pub fn group_indexes(profiles: &[&Profile]) -> Vec<Vec<usize>> {
    group_indexes_after(profiles, Vec::new(), None).expect("grouping without a previous one decides every file").0
}

/// How far back a change reaches: a revision's decision looks at files up to
/// this many hours after it (the look-alikes of its candidates' first
/// versions, at most a week after them), never more. So the decisions of
/// revisions earlier than this before the earliest changed file stand.
pub const CHANGE_REACH_HOURS: f64 = LOOKALIKE_WINDOW_HOURS;

/// How far before its first regrouped file [`group_indexes_after`] reads
/// profiles of kept files (see `first_reached`); before that it reads only
/// the profiles of members of candidate stories (stories with a file in
/// reach), and of the rest only their time and note. An hour more than the
/// two windows, so rounding cannot leave a file out.
pub const PROFILE_REACH_HOURS: f64 = MAX_REVISION_GAP_HOURS + LOOKALIKE_WINDOW_HOURS + 1.0;

/// How far before the first version of a story that a regrouped file may
/// continue [`group_indexes_after`] reads profiles of kept files: the
/// look-alike window, and an hour more.
pub const FIRST_VERSION_REACH_HOURS: f64 = LOOKALIKE_WINDOW_HOURS + 1.0;

/// How long after the latest change a rebuild's grouping may take to find
/// every story a change touched closed, beyond [`PROFILE_REACH_HOURS`]
/// (see [`Settling`]): a story revised every few days for a month keeps it
/// open. A rebuild reads profiles only this far; one that has not settled
/// by then is grouped again with every profile after the change.
pub const SETTLE_HOURS: f64 = 2.0 * MAX_REVISION_GAP_HOURS;

/// What a rebuild knows of the previous grouping of the files it groups
/// anew, so it can stop deciding once the changes can no longer reach a
/// decision and take the previous decisions for the rest (`Settle` says
/// when).
pub struct Settling {
    /// Each file's story number in the previous grouping (`None` for a file
    /// added or changed since).
    pub before: Vec<Option<usize>>,
    /// The previous stories of files removed, changed or no longer grouped.
    pub lost: rustc_hash::FxHashSet<usize>,
    /// The earliest and the latest time of a change (a file's time before
    /// and after it).
    pub changed: (chrono::DateTime<chrono::FixedOffset>, chrono::DateTime<chrono::FixedOffset>),
    /// The files from this one on have no profile read: the grouping must
    /// settle before it, or give up.
    pub profiled_until: usize,
}

/// [`group_indexes`], with the stories of the first `kept.len()` files
/// already decided (`kept[i]`: the story of file `i`, numbered in order of
/// the stories' first files); the rest are decided as usual, until the
/// grouping settles when `settling` tells the previous grouping; with the
/// number of files decided anew. `None` when it did not settle before
/// `settling.profiled_until`.
pub fn group_indexes_after(
    profiles: &[&Profile],
    kept: Vec<usize>,
    settling: Option<&Settling>,
) -> Option<(Vec<Vec<usize>>, usize)> {
    let mut stories: Vec<Vec<usize>> = Vec::new();
    for (file, &story) in kept.iter().enumerate() {
        if story == stories.len() {
            stories.push(Vec::new());
        }
        stories[story].push(file);
    }
    let cut = kept.len();
    let mut story_of: Vec<usize> = kept;
    story_of.reserve(profiles.len() - cut);
    let mut settle = settling.map(|settling| Settle::new(settling, profiles, &stories, &story_of));
    let decide_until = settling.map_or(profiles.len(), |s| s.profiled_until.clamp(cut, profiles.len()));
    let index = FeatureIndex::new(profiles, first_reached(profiles, &stories, cut));
    let lookalikes = Lookalikes::new(profiles, &index);
    // Which earlier files share the most with each revision, how much text
    // it shares with each of them, and the look-alike levels of those that
    // begin stories do not depend on how files are grouped: they are
    // measured on all cores, a batch of files ahead of the batch decided in
    // order, and kept only until it is decided. None is measured past the
    // files with profiles: a level measured there would be wrong.
    let batches: Vec<std::ops::Range<usize>> =
        (cut..decide_until).step_by(BATCH).map(|start| start..(start + BATCH).min(decide_until)).collect();
    let measure = |batch: &std::ops::Range<usize>| measure_batch(batch, profiles, &index, &lookalikes);
    let mut ahead = batches.first().map(measure);
    let mut settled_at = None;
    for (n, batch) in batches.iter().enumerate() {
        let sharing = ahead.take().expect("each batch is measured before it is decided");
        let decide = || {
            for (file, shared) in batch.clone().zip(&sharing) {
                if settle.as_mut().is_some_and(|settle| settle.settled_before(file, profiles, &stories)) {
                    settled_at = Some(file);
                    return;
                }
                let continued = if profiles[file].has_note {
                    let candidates = candidate_stories(&shared.files, &story_of);
                    best_story(file, profiles, &stories, &candidates, &lookalikes, shared)
                } else {
                    None
                };
                let story = continued.unwrap_or_else(|| {
                    stories.push(Vec::new());
                    stories.len() - 1
                });
                stories[story].push(file);
                story_of.push(story);
                if let Some(settle) = settle.as_mut() {
                    settle.decided(file, story, continued.is_none(), profiles);
                }
            }
        };
        ahead = rayon::join(decide, || batches.get(n + 1).map(measure)).1;
        if settled_at.is_some() {
            break;
        }
    }
    let decided = settled_at.unwrap_or(profiles.len()) - cut;
    match (settle, settled_at) {
        (Some(settle), Some(from)) => settle.take_the_rest(from, profiles.len(), &mut stories),
        (Some(_), None) if decide_until < profiles.len() => return None,
        _ => {}
    }
    Some((stories, decided))
}

/// A rebuild's grouping, watching for the point from which every decision
/// is the previous one. A decision depends on the profiles in the two weeks
/// before the file, on the stories of the files there (their members), and
/// on the look-alikes of those stories' first versions. So once no change
/// lies in the reach of a file ([`PROFILE_REACH_HOURS`] after the latest),
/// no story that a change touched can still be continued, and no story
/// still open began within a look-alike window of a change, every later
/// decision is the previous one, story for story: the rest is taken from
/// the previous grouping.
///
/// A story now is *touched* when one of its files is not where the previous
/// grouping put it (added, changed, or deciding differently), when it is a
/// previous story that lost a file, or when its first version lies within a
/// look-alike window of a change. Previous stories are matched to stories
/// now by their files: the same files in the same stories keep their order,
/// so numbers map one to one and in order.
struct Settle<'s> {
    before: &'s [Option<usize>],
    /// Previous story number → story number now.
    numbers: rustc_hash::FxHashMap<usize, usize>,
    /// Whether each story now is touched.
    touched: Vec<bool>,
    /// Touched stories now that may still be continued.
    open_touched: Vec<usize>,
    /// Previous stories whose files are not all where they were.
    touched_before: rustc_hash::FxHashSet<usize>,
    /// Previous story number → the last of its files (numbered now).
    last_before: rustc_hash::FxHashMap<usize, usize>,
    /// First versions in this time span have a change among their look-alikes.
    near: (chrono::DateTime<chrono::FixedOffset>, chrono::DateTime<chrono::FixedOffset>),
    /// The first file from which the grouping may settle.
    settles_from: usize,
}

impl<'s> Settle<'s> {
    fn new(settling: &'s Settling, profiles: &[&Profile], kept: &[Vec<usize>], story_of: &[usize]) -> Settle<'s> {
        let hours = |h: f64| chrono::Duration::seconds((h * 3600.0) as i64);
        let (from, until) = settling.changed;
        let reached = until + hours(PROFILE_REACH_HOURS);
        let last_unknown = settling.before.iter().rposition(Option::is_none).map_or(0, |file| file + 1);
        let settles_from = profiles.partition_point(|p| p.time < reached).max(last_unknown);
        let cut = story_of.len();
        let mut last_before = rustc_hash::FxHashMap::default();
        for (file, before) in settling.before.iter().enumerate().skip(cut) {
            if let Some(story) = before {
                last_before.insert(*story, file);
            }
        }
        let mut settle = Settle {
            before: &settling.before,
            numbers: (0..cut).filter_map(|file| Some((settling.before[file]?, story_of[file]))).collect(),
            touched: vec![false; kept.len()],
            open_touched: Vec::new(),
            touched_before: settling.lost.clone(),
            last_before,
            near: (from - hours(FIRST_VERSION_REACH_HOURS), until + hours(FIRST_VERSION_REACH_HOURS)),
            settles_from,
        };
        for (story, files) in kept.iter().enumerate() {
            let lost = settling.before[files[0]].is_some_and(|before| settling.lost.contains(&before));
            if lost || settle.is_near(profiles[files[0]]) {
                settle.touch(story);
            }
        }
        settle
    }

    fn is_near(&self, first: &Profile) -> bool {
        (self.near.0..=self.near.1).contains(&first.time)
    }

    fn touch(&mut self, story: usize) {
        if !self.touched[story] {
            self.touched[story] = true;
            self.open_touched.push(story);
        }
    }

    /// Note that `file` went to `story`, a story it began if `began`.
    fn decided(&mut self, file: usize, story: usize, began: bool, profiles: &[&Profile]) {
        if began {
            self.touched.push(false);
            if self.is_near(profiles[file]) {
                self.touch(story);
            }
        }
        let same = match self.before[file] {
            None => false,
            Some(before) => match self.numbers.get(&before) {
                Some(&now) => now == story,
                None if began => {
                    self.numbers.insert(before, story);
                    if self.touched_before.contains(&before) {
                        self.touch(story);
                    }
                    true
                }
                None => false,
            },
        };
        if !same {
            self.touch(story);
            if let Some(before) = self.before[file] {
                self.touched_before.insert(before);
                if let Some(&now) = self.numbers.get(&before) {
                    self.touch(now);
                }
            }
        }
    }

    /// Whether every decision from `file` on is the previous one.
    fn settled_before(&mut self, file: usize, profiles: &[&Profile], stories: &[Vec<usize>]) -> bool {
        if file < self.settles_from {
            return false;
        }
        let now = profiles[file];
        let open = |story: &usize| {
            let last = *stories[*story].last().expect("a story has a file");
            hours_between(profiles[last], now) <= MAX_REVISION_GAP_HOURS + 1.0
        };
        self.open_touched.retain(open);
        let last_before = &self.last_before;
        self.touched_before.retain(|before| last_before.get(before).is_some_and(|&last| last >= file));
        self.open_touched.is_empty() && self.touched_before.is_empty()
    }

    /// The files from `from` on (of `files`) into the stories the previous
    /// grouping gave them.
    fn take_the_rest(mut self, from: usize, files: usize, stories: &mut Vec<Vec<usize>>) {
        for file in from..files {
            let before = self.before[file].expect("every file after the changes was grouped before");
            let story = *self.numbers.entry(before).or_insert_with(|| {
                stories.push(Vec::new());
                stories.len() - 1
            });
            stories[story].push(file);
        }
    }
}

/// Files measured together ([`measure_batch`]) while the batch before them
/// is decided: enough to keep both cores busy, few enough that what is
/// measured takes little memory whatever the size of the archive.
const BATCH: usize = 1024;

/// The [`Sharing`] of each file of `batch` (empty for a file without a
/// note: it begins a story), and the look-alike levels of the stories the
/// revisions among them may join, on all cores.
fn measure_batch(
    batch: &std::ops::Range<usize>,
    profiles: &[&Profile],
    index: &FeatureIndex,
    lookalikes: &Lookalikes,
) -> Vec<Sharing> {
    let sharing: Vec<Sharing> = batch
        .clone()
        .into_par_iter()
        .map_init(
            || Tally::new(profiles.len()),
            |tally, file| match profiles[file].has_note {
                true => Sharing::of(file, profiles, index, tally),
                false => Sharing::default(),
            },
        )
        .collect();
    // A note-less file begins its story; only a story the revision shares
    // enough text with ever needs its level.
    let mut firsts: Vec<usize> = sharing
        .iter()
        .flat_map(|shared| {
            shared
                .files
                .iter()
                .zip(&shared.text)
                .filter_map(|(&f, &text)| (!profiles[f].has_note && text >= MIN_TEXT_EVIDENCE).then_some(f))
        })
        .collect();
    firsts.sort_unstable();
    firsts.dedup();
    lookalikes.precompute(&firsts);
    sharing
}

/// A phrase or word found in more files than this within the window searched
/// is boilerplate (`teilte das Unternehmen mit`) and is not used to find
/// candidates: a revision shares rarer phrases or names with its story.
const MAX_POSTINGS: usize = 200;

/// At most this many stories are scored for a revision: those sharing the
/// most rare features with it. Its own story shares most of its phrases and
/// names; the rest of the two weeks' wire shares a few at most.
const MAX_CANDIDATES: usize = 16;

/// At most this many files are measured for a story's look-alike level:
/// those sharing the most rare features with its first version.
const MAX_LOOKALIKES: usize = 16;

/// Features a file is indexed under (of each kind): texts with more are
/// indexed under a consistent sample of their sketch, enough to find the
/// files that share many phrases or names with them.
const INDEXED_FEATURES: usize = 64;

/// Which files contain each indexed phrase, word and paragraph: the
/// [`Shard`]s of consecutive runs of `SHARD_FILES` files from `first` on.
/// A revision looks only at the two weeks before it, and the revisions
/// measured together are neighbours in time, so they read one or two
/// shards, small enough to stay in the processor's cache whatever the size
/// of the archive. One index of all files did not: grouping 50,000 files
/// cost 1.2 times as much a file as grouping 10,000 (1.5 against 0.25 s);
/// in shards it takes 1.0 s.
struct FeatureIndex {
    first: usize,
    shard_files: usize,
    shards: Vec<Shard>,
}

/// Files per [`Shard`]: a few megabytes of postings, and two weeks of a
/// busy wire within one or two shards. Shards of 4,096 and 16,384 files
/// grouped 50,000 files no faster, and smaller shards hold more memory
/// (each has its own 786 KB of bucket bounds).
const SHARD_FILES: usize = 8192;

/// The postings of the files of one shard. A feature's key is its kind and
/// value ([`feature_key`]); the keys are cut into buckets by their high
/// bits, and a posting keeps the key's low `LOW_BITS` and the file, in two
/// arrays: 6 bytes a posting, an archive's largest structure while it is
/// grouped. Within a bucket the postings are sorted by low bits, then file,
/// so the files of a feature are a contiguous run in file (so time) order,
/// and the files of a time window are found by binary search.
struct Shard {
    /// Where each bucket's postings begin, and (last) where they end.
    starts: Vec<u32>,
    lows: Vec<u16>,
    files: Vec<u32>,
}

/// Bits of a key that a posting keeps; the bits above choose its bucket.
const LOW_BITS: u32 = 16;

/// Buckets of the index: kinds 0 to 2, values of 32 bits.
const BUCKETS: usize = 3 << (32 - LOW_BITS);

/// A feature's key in the index: phrases, words and paragraphs are kept
/// apart by `kind`.
fn feature_key(kind: u64, value: u32) -> u64 {
    (kind << 32) | u64::from(value)
}

/// A whole paragraph's key in the index: a kind of its own.
fn paragraph_key(paragraph: u64) -> u64 {
    feature_key(2, super::similarity::mix(paragraph))
}

/// The two kinds of features with the sketches they come from.
fn features(profile: &Profile) -> [(u64, &Sketch); 2] {
    [(0, &profile.shingles), (1, &profile.vocabulary)]
}

/// The first file that grouping the files from `cut` on can look at: a
/// revision looks back `MAX_REVISION_GAP_HOURS` for its story, and the
/// level of a story it finds looks `LOOKALIKE_WINDOW_HOURS` around that
/// story's first file, which for a story of the `kept` ones revised for
/// weeks lies further back. An incremental build indexes no file before it.
fn first_reached(profiles: &[&Profile], kept: &[Vec<usize>], cut: usize) -> usize {
    let Some(first_grouped) = profiles.get(cut) else { return cut };
    let reach = profiles[..cut].partition_point(|p| hours_between(p, first_grouped) > PROFILE_REACH_HOURS);
    let candidate = |story: &&Vec<usize>| {
        story.last().is_some_and(|&last| hours_between(profiles[last], first_grouped) <= MAX_REVISION_GAP_HOURS + 1.0)
    };
    let lookalikes_of = |first: usize| {
        profiles[..cut].partition_point(|p| hours_between(p, profiles[first]) > FIRST_VERSION_REACH_HOURS)
    };
    kept.iter()
        .filter(candidate)
        .filter_map(|story| story.first())
        .map(|&first| lookalikes_of(first))
        .fold(reach, usize::min)
}

impl FeatureIndex {
    /// The index of the files from `first` on (file numbers stay those of
    /// `profiles`), shard by shard.
    fn new(profiles: &[&Profile], first: usize) -> FeatureIndex {
        FeatureIndex::with_shards_of(profiles, first, SHARD_FILES)
    }

    /// [`FeatureIndex::new`] with shards of `shard_files` files.
    fn with_shards_of(profiles: &[&Profile], first: usize, shard_files: usize) -> FeatureIndex {
        assert!(u32::try_from(profiles.len()).is_ok(), "too many files for the feature index");
        let shards = (first..profiles.len())
            .step_by(shard_files)
            .map(|start| Shard::new(profiles, start..(start + shard_files).min(profiles.len())))
            .collect();
        FeatureIndex { first, shard_files, shards }
    }

    /// The shards that hold files of `window`.
    fn shards_over(&self, window: &std::ops::Range<usize>) -> &[Shard] {
        if window.end <= self.first.max(window.start) {
            return &[];
        }
        let from = window.start.saturating_sub(self.first) / self.shard_files;
        let to = (window.end - self.first).div_ceil(self.shard_files).min(self.shards.len());
        &self.shards[from.min(to)..to]
    }

    /// The files in `window` that contain the feature, as runs in file
    /// order (one a shard) put in `runs`, unless more than `MAX_POSTINGS`
    /// do: then `runs` is left empty.
    fn files_in<'i>(&'i self, key: u64, window: &std::ops::Range<usize>, runs: &mut Vec<&'i [u32]>) {
        runs.clear();
        let mut count = 0;
        for shard in self.shards_over(window) {
            let run = shard.postings_in(key, window);
            count += run.len();
            if count > MAX_POSTINGS {
                runs.clear();
                return;
            }
            runs.push(run);
        }
    }

    /// All the files in `window` that contain the feature, in file order.
    fn postings_in<'i>(&'i self, key: u64, window: &std::ops::Range<usize>) -> impl Iterator<Item = usize> + 'i {
        let window = window.clone();
        self.shards_over(&window)
            .iter()
            .flat_map(move |shard| shard.postings_in(key, &window))
            .map(|&file| file as usize)
    }

    /// How many features each file in `window` shares with `profile`,
    /// counted into `tally`.
    fn count_shared(&self, profile: &Profile, window: &std::ops::Range<usize>, tally: &mut Tally) {
        let mut runs = Vec::new();
        // Only the indexed sample is looked up: a file shares its sample
        // with the files that share most of its features.
        for (kind, sketch) in features(profile) {
            for &value in indexed_values(sketch) {
                self.files_in(feature_key(kind, value), window, &mut runs);
                for &file in runs.iter().copied().flatten() {
                    tally.add(file as usize);
                }
            }
        }
    }
}

impl Shard {
    /// The postings of the files `range` (file numbers stay those of
    /// `profiles`). Counted first, then placed bucket by bucket, so the
    /// arrays are allocated once at their size; each half of the files is
    /// counted and placed on a core of its own, the first half's postings
    /// of a bucket before the second's, and sorting the buckets makes the
    /// order what placing them in file order gave.
    fn new(profiles: &[&Profile], range: std::ops::Range<usize>) -> Shard {
        let (first, end) = (range.start, range.end);
        let middle = first + (end - first) / 2;
        let keys =
            |files: std::ops::Range<usize>| files.flat_map(|file| keys_of(profiles[file]).map(move |key| (file, key)));
        let count = |files: std::ops::Range<usize>| {
            let mut counts = vec![0u32; BUCKETS];
            for (_, key) in keys(files) {
                counts[bucket(key)] += 1;
            }
            counts
        };
        let (mut before, mut after) = rayon::join(|| count(first..middle), || count(middle..end));
        let mut starts = vec![0u32; BUCKETS + 1];
        for b in 0..BUCKETS {
            starts[b + 1] = starts[b] + before[b] + after[b];
            // From here on, where each half places its next posting.
            (before[b], after[b]) = (starts[b], starts[b] + before[b]);
        }
        let count = starts[BUCKETS] as usize;
        // Placed from both cores at places no other posting takes: stores
        // that need no lock (plain stores on common machines).
        let lows: Vec<AtomicU16> = (0..count).map(|_| AtomicU16::new(0)).collect();
        let files: Vec<AtomicU32> = (0..count).map(|_| AtomicU32::new(0)).collect();
        let place = |range: std::ops::Range<usize>, mut next: Vec<u32>| {
            for (file, key) in keys(range) {
                let at = &mut next[bucket(key)];
                lows[*at as usize].store(key as u16, Ordering::Relaxed);
                files[*at as usize].store(file as u32, Ordering::Relaxed);
                *at += 1;
            }
        };
        rayon::join(|| place(first..middle, before), || place(middle..end, after));
        let mut lows: Vec<u16> = lows.into_iter().map(AtomicU16::into_inner).collect();
        let mut files: Vec<u32> = files.into_iter().map(AtomicU32::into_inner).collect();
        sort_buckets(&starts, &mut lows, &mut files);
        Shard { starts, lows, files }
    }

    /// The files (ascending) that contain the feature `key`.
    fn run(&self, key: u64) -> &[u32] {
        let b = bucket(key);
        let (start, end) = (self.starts[b] as usize, self.starts[b + 1] as usize);
        let lows = &self.lows[start..end];
        let low = key as u16;
        let first = lows.partition_point(|&l| l < low);
        let last = first + lows[first..].partition_point(|&l| l == low);
        &self.files[start + first..start + last]
    }

    /// All the files in `window` that contain the feature.
    fn postings_in(&self, key: u64, window: &std::ops::Range<usize>) -> &[u32] {
        let run = self.run(key);
        let start = run.partition_point(|&f| (f as usize) < window.start);
        let end = start + run[start..].partition_point(|&f| (f as usize) < window.end);
        &run[start..end]
    }
}

/// The bucket of a key.
fn bucket(key: u64) -> usize {
    (key >> LOW_BITS) as usize
}

/// Sort the postings of each bucket by low bits, then file: `starts` are
/// the buckets' bounds, `lows` and `files` their postings from the first
/// bucket's on. Halves of the buckets on both cores.
fn sort_buckets(starts: &[u32], lows: &mut [u16], files: &mut [u32]) {
    let buckets = starts.len() - 1;
    if buckets <= 4096 {
        let mut pairs: Vec<u64> = Vec::new();
        for b in 0..buckets {
            let range = (starts[b] - starts[0]) as usize..(starts[b + 1] - starts[0]) as usize;
            // Most buckets of a shard hold a posting or none.
            if range.len() < 2 {
                continue;
            }
            pairs.clear();
            pairs.extend(range.clone().map(|i| (u64::from(lows[i]) << 32) | u64::from(files[i])));
            pairs.sort_unstable();
            for (i, pair) in range.zip(&pairs) {
                (lows[i], files[i]) = ((pair >> 32) as u16, *pair as u32);
            }
        }
        return;
    }
    let half = buckets / 2;
    let split = (starts[half] - starts[0]) as usize;
    let (lows_before, lows_after) = lows.split_at_mut(split);
    let (files_before, files_after) = files.split_at_mut(split);
    rayon::join(
        || sort_buckets(&starts[..=half], lows_before, files_before),
        || sort_buckets(&starts[half..], lows_after, files_after),
    );
}

/// The keys a file is indexed under: its indexed phrases and words, its
/// paragraphs.
fn keys_of(profile: &Profile) -> impl Iterator<Item = u64> + '_ {
    let sketched = features(profile)
        .into_iter()
        .flat_map(move |(kind, sketch)| indexed_values(sketch).iter().map(move |&v| feature_key(kind, v)));
    sketched.chain(profile.paragraphs.iter().map(|&p| paragraph_key(p)))
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

/// The files a revision shares the most rare features with, and the text
/// similarity of each (`text[i]` of `files[i]`), measured in parallel before
/// the revisions are taken in order: most of the similarities the grouping
/// asks for are with these files.
#[derive(Default)]
struct Sharing {
    files: Vec<usize>,
    text: Vec<f64>,
}

impl Sharing {
    fn of(file: usize, profiles: &[&Profile], index: &FeatureIndex, tally: &mut Tally) -> Sharing {
        let files = files_sharing(file, profiles, index, tally);
        let text = files.iter().map(|&f| text_similarity(profiles[file], profiles[f])).collect();
        Sharing { files, text }
    }

    /// The text similarity of the revision `revision` (whose sharing this
    /// is) and `other`: measured already when `other` is among the files.
    fn text_similarity(&self, revision: &Profile, other: usize, profiles: &[&Profile]) -> f64 {
        match self.files.iter().position(|&f| f == other) {
            Some(i) => self.text[i],
            None => text_similarity(revision, profiles[other]),
        }
    }
}

/// The files of the two weeks before revision `file` that share the most
/// rare features with it, at most `MAX_SHARING_FILES`, most sharing first
/// (ties: the earlier file).
fn files_sharing(file: usize, profiles: &[&Profile], index: &FeatureIndex, tally: &mut Tally) -> Vec<usize> {
    let revision = profiles[file];
    let start = profiles.partition_point(|p| hours_between(p, revision) > MAX_REVISION_GAP_HOURS);
    index.count_shared(revision, &(start..file), tally);
    let mut ranked = tally.drain();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    // A list of its own size: collected from `ranked`, it would keep the
    // allocation of every file in the window, held for each revision until
    // the grouping ends (tens of megabytes in an archive).
    let mut most = Vec::with_capacity(ranked.len().min(MAX_SHARING_FILES));
    most.extend(ranked.into_iter().take(MAX_SHARING_FILES).map(|(shared, _)| shared));
    most
}

/// Files kept per revision to find its candidate stories among: more than
/// `MAX_CANDIDATES`, since a story of several versions holds several.
const MAX_SHARING_FILES: usize = 3 * MAX_CANDIDATES;

/// The stories of the files `sharing` (most sharing first), at most
/// `MAX_CANDIDATES`, in ascending order so the order never depends on the
/// search.
fn candidate_stories(sharing: &[usize], story_of: &[usize]) -> Vec<usize> {
    let mut stories: Vec<usize> = Vec::with_capacity(MAX_CANDIDATES);
    for &file in sharing {
        let story = story_of[file];
        if !stories.contains(&story) {
            stories.push(story);
            if stories.len() == MAX_CANDIDATES {
                break;
            }
        }
    }
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
    sharing: &Sharing,
) -> Option<usize> {
    candidates
        .iter()
        .filter_map(|&story| fit(index, profiles, &stories[story], story, lookalikes, sharing))
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
fn fit(
    index: usize,
    profiles: &[&Profile],
    members: &[usize],
    story: usize,
    lookalikes: &Lookalikes,
    sharing: &Sharing,
) -> Option<Fit> {
    let revision = &profiles[index];
    let latest = &profiles[*members.last()?];
    let gap_hours = hours_between(latest, revision);
    if !(0.0..=MAX_REVISION_GAP_HOURS).contains(&gap_hours) {
        return None;
    }
    let text = members.iter().map(|&m| sharing.text_similarity(revision, m, profiles)).fold(0.0, f64::max);
    // The evidence can only be lower than the raw overlap: skip the costlier
    // look-alike scan for the many stories that share nothing with the revision.
    if text < MIN_TEXT_EVIDENCE {
        return None;
    }
    // A whole paragraph of the story that none of its look-alikes has is the
    // story's own wording, not a template: the look-alikes explain nothing.
    let evidence = if shares_own_paragraph(revision, members, profiles, lookalikes.index) {
        text
    } else {
        text_evidence(text, lookalikes.level(members[0]))
    };
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

/// Look-alike levels, each computed once: those of the likely candidates
/// on all cores in advance, any other when a story first needs it.
struct Lookalikes<'a> {
    profiles: &'a [&'a Profile],
    index: &'a FeatureIndex,
    levels: Vec<std::sync::OnceLock<f64>>,
    tally: std::sync::Mutex<Tally>,
}

impl<'a> Lookalikes<'a> {
    fn new(profiles: &'a [&'a Profile], index: &'a FeatureIndex) -> Lookalikes<'a> {
        Lookalikes {
            profiles,
            index,
            levels: vec![std::sync::OnceLock::new(); profiles.len()],
            tally: std::sync::Mutex::new(Tally::new(profiles.len())),
        }
    }

    /// The look-alike level of the story whose first version is `first`.
    fn level(&self, first: usize) -> f64 {
        *self.levels[first].get_or_init(|| {
            let mut tally = self.tally.lock().expect("tally poisoned");
            lookalike_level(first, self.profiles, self.index, &mut tally)
        })
    }

    /// Compute the levels of the stories beginning with `firsts` in parallel.
    fn precompute(&self, firsts: &[usize]) {
        firsts.par_iter().for_each_init(
            || Tally::new(self.profiles.len()),
            |tally, &first| {
                self.levels[first].get_or_init(|| lookalike_level(first, self.profiles, self.index, tally));
            },
        );
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

/// Whether the revision repeats a whole paragraph (see `Profile::paragraphs`)
/// of a version of the story that no look-alike of the story (a note-less
/// file within the look-alike window around its first version) contains.
/// A rewrite the next morning may change the headline, the lead and every
/// figure's wording, yet keep a quote or a paragraph of facts; a template's
/// paragraphs are in its look-alikes, so they prove nothing.
fn shares_own_paragraph(revision: &Profile, members: &[usize], profiles: &[&Profile], index: &FeatureIndex) -> bool {
    let first = members[0];
    let origin = profiles[first];
    // Profiles are in time order, so the window is found by binary search;
    // the files holding a paragraph are found in the index.
    let start = profiles.partition_point(|p| hours_between(p, origin) > LOOKALIKE_WINDOW_HOURS);
    let end = profiles.partition_point(|p| hours_between(origin, p) <= LOOKALIKE_WINDOW_HOURS);
    let in_lookalike = |paragraph: &u64| {
        index
            .postings_in(paragraph_key(*paragraph), &(start..end))
            .any(|other| other != first && !profiles[other].has_note)
    };
    revision.paragraphs.iter().any(|paragraph| {
        members.iter().any(|&m| profiles[m].paragraphs.binary_search(paragraph).is_ok()) && !in_lookalike(paragraph)
    })
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

/// Each rule and constant above has a test here (or a fixture in
/// `tests/fixtures/stories-*`) that fails when it is removed or moved past
/// the reason given for it; `tests/mutation_check.sh` checks that.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::stories::similarity::{headline_keys, series_label};

    fn groups(profiles: &[Profile]) -> Vec<Vec<usize>> {
        let profiles: Vec<&Profile> = profiles.iter().collect();
        group_indexes(&profiles)
    }

    /// A file `hours` after a fixed start whose text is the items of `text`:
    /// two files sharing k of their 100 items have a text similarity of
    /// k / 100 (phrases and vocabulary alike).
    fn file(hours: f64, note: bool, text: impl Iterator<Item = u64> + Clone, headline: &str, place: &str) -> Profile {
        let start = chrono::DateTime::parse_from_rfc3339("2024-10-16T08:00:00+02:00").unwrap();
        Profile {
            time: start + chrono::Duration::seconds((hours * 3600.0) as i64),
            has_note: note,
            shingles: Sketch::of(text.clone().collect()),
            vocabulary: Sketch::of(text.map(|item| item + 1_000_000).collect()),
            paragraphs: Vec::new(),
            headline_words: headline_keys(headline),
            places: vec![place.to_string()],
            label: series_label(headline),
        }
    }

    fn with_paragraphs(mut profile: Profile, paragraphs: &[u64]) -> Profile {
        profile.paragraphs = paragraphs.to_vec();
        profile
    }

    /// Whether the last file (a revision) joined the first file's story.
    fn joins_first(profiles: &[Profile]) -> bool {
        let last = profiles.len() - 1;
        groups(profiles).iter().any(|story| story[0] == 0 && story.contains(&last))
    }

    const STORY: &str = "Lufthansa streicht Flüge";
    const OTHER: &str = "Kabinett beschließt Rentenpaket";

    #[test]
    fn only_a_file_with_a_note_continues_a_story() {
        let original = file(0.0, false, 0..100, STORY, "BERLIN");
        assert!(!joins_first(&[original.clone(), file(1.0, false, 0..100, STORY, "BERLIN")]));
        assert!(joins_first(&[original, file(1.0, true, 0..100, STORY, "BERLIN")]));
    }

    #[test]
    fn a_revision_joins_within_fourteen_days_not_later() {
        let original = file(0.0, false, 0..100, STORY, "BERLIN");
        assert!(joins_first(&[original.clone(), file(13.0 * 24.0, true, 0..100, STORY, "BERLIN")]));
        assert!(!joins_first(&[original, file(15.0 * 24.0, true, 0..100, STORY, "BERLIN")]));
    }

    #[test]
    fn headline_and_time_never_join_on_their_own() {
        let original = file(0.0, false, 0..100, STORY, "BERLIN");
        // Just below the minimum text evidence, same headline, same hour:
        // 0.7 × 0.19 + 0.15 + 0.15 would pass the threshold.
        assert!(!joins_first(&[original.clone(), file(0.1, true, 81..181, STORY, "BERLIN")]));
        // Just above it, with an unrelated headline, the same hour: 0.29.
        assert!(!joins_first(&[original, file(0.1, true, 79..179, OTHER, "BERLIN")]));
    }

    #[test]
    fn a_matching_headline_carries_a_weak_text_a_day_later() {
        let original = file(0.0, false, 0..100, STORY, "BERLIN");
        assert!(joins_first(&[original.clone(), file(24.0, true, 70..170, STORY, "BERLIN")]));
        assert!(!joins_first(&[original, file(24.0, true, 70..170, OTHER, "BERLIN")]));
    }

    #[test]
    fn a_weak_text_joins_the_same_day_not_days_later() {
        let original = file(0.0, false, 0..100, STORY, "BERLIN");
        assert!(joins_first(&[original.clone(), file(1.0, true, 60..160, OTHER, "BERLIN")]));
        assert!(!joins_first(&[original, file(72.0, true, 60..160, OTHER, "BERLIN")]));
    }

    #[test]
    fn a_revision_that_drops_every_place_needs_more_text() {
        let original = file(0.0, false, 0..100, STORY, "BERLIN");
        assert!(joins_first(&[original.clone(), file(1.0, true, 55..155, OTHER, "BERLIN")]));
        assert!(!joins_first(&[original.clone(), file(1.0, true, 55..155, OTHER, "HAMBURG")]));
        let mut added = file(1.0, true, 55..155, OTHER, "BERLIN");
        added.places = vec!["BERLIN".into(), "FRANKFURT".into()];
        assert!(joins_first(&[original.clone(), added]), "a revision may add a place");
        assert!(joins_first(&[original, file(1.0, true, 20..120, OTHER, "HAMBURG")]), "a strong text may move");
    }

    #[test]
    fn a_revision_stays_in_its_series_unless_its_text_is_the_same() {
        let opening = "Aktien Frankfurt Eröffnung: Dax steigt";
        let closing = "Aktien Frankfurt Schluss: Dax steigt";
        let original = file(0.0, false, 0..100, opening, "FRANKFURT");
        assert!(joins_first(&[original.clone(), file(1.0, true, 65..165, opening, "FRANKFURT")]));
        assert!(!joins_first(&[original.clone(), file(1.0, true, 65..165, closing, "FRANKFURT")]));
        assert!(joins_first(&[original, file(1.0, true, 30..130, closing, "FRANKFURT")]), "a strong text wins");
    }

    /// A story, a note-less report of the same template `lookalike_hours`
    /// away sharing half of it, and a revision an hour after the story
    /// sharing 55% of it and little with the look-alike.
    fn template(lookalike_hours: f64) -> (Vec<Profile>, usize) {
        let mut files = vec![
            file(0.0, false, 0..100, STORY, "FRANKFURT"),
            file(lookalike_hours, false, 50..150, OTHER, "FRANKFURT"),
            file(1.0, true, (0..55).chain(200..245), STORY, "FRANKFURT"),
        ];
        files.sort_by_key(|f| f.time);
        let story = files.iter().position(|f| f.headline_words == headline_keys(STORY) && !f.has_note).unwrap();
        (files, story)
    }

    #[test]
    fn look_alikes_within_a_week_either_side_raise_the_bar() {
        for hours in [-6.5 * 24.0, 6.5 * 24.0] {
            let (files, story) = template(hours);
            let groups = groups(&files);
            let of_story = groups.iter().find(|g| g.contains(&story)).unwrap();
            assert_eq!(of_story.len(), 1, "look-alike {hours} h away: {groups:?}");
        }
        for hours in [-8.0 * 24.0, 8.0 * 24.0] {
            let (files, story) = template(hours);
            let groups = groups(&files);
            let of_story = groups.iter().find(|g| g.contains(&story)).unwrap();
            assert_eq!(of_story.len(), 2, "no look-alike {hours} h away: {groups:?}");
        }
    }

    #[test]
    fn a_copy_does_not_erase_all_text_evidence() {
        // The 16:31 report repeats the 10:12 one almost word for word; a
        // revision of the first, shortly after it, still joins it.
        let files = vec![
            file(0.0, false, 0..100, STORY, "FRANKFURT"),
            file(0.5, true, 10..110, STORY, "FRANKFURT"),
            file(6.0, false, 5..105, STORY, "FRANKFURT"),
        ];
        assert_eq!(groups(&files), [vec![0, 1], vec![2]]);
    }

    #[test]
    fn a_revision_joins_the_best_of_two_candidates() {
        let files = vec![
            file(0.0, false, 0..100, STORY, "BERLIN"),
            file(0.5, false, 200..300, STORY, "BERLIN"),
            file(1.0, true, (0..60).chain(200..240), STORY, "BERLIN"),
        ];
        assert_eq!(groups(&files), [vec![0, 2], vec![1]]);
    }

    /// The story sharing the most features is not always the best fit: a
    /// short original shares fewer features than a long look-alike but all
    /// of its own, so more than one candidate must be scored.
    #[test]
    fn more_than_the_most_sharing_story_is_scored() {
        let files = vec![
            file(0.0, false, 0..100, OTHER, "BERLIN"),
            file(1.0, false, 200..220, STORY, "BERLIN"),
            file(2.0, true, (0..80).chain(200..220), STORY, "BERLIN"),
        ];
        assert_eq!(groups(&files), [vec![0], vec![1, 2]]);
    }

    #[test]
    fn a_revision_is_compared_with_every_version_of_the_story() {
        // The second revision shares nothing with the first version, half
        // of the first revision's text.
        let files = vec![
            file(0.0, false, 0..100, STORY, "BERLIN"),
            file(1.0, true, 50..150, STORY, "BERLIN"),
            file(20.0, true, 100..200, OTHER, "BERLIN"),
        ];
        assert_eq!(groups(&files), [vec![0, 1, 2]]);
    }

    #[test]
    fn equal_scores_go_to_the_older_story() {
        let files = vec![
            file(0.0, false, 0..100, STORY, "BERLIN"),
            file(0.0, false, 0..100, STORY, "BERLIN"),
            file(1.0, true, 0..100, STORY, "BERLIN"),
        ];
        assert_eq!(groups(&files), [vec![0, 2], vec![1]]);
    }

    #[test]
    fn a_paragraph_no_look_alike_has_is_the_storys_own() {
        // The look-alike shares half the story, the revision 55% (a tenth
        // beyond the template) 17 hours later: not enough, unless the
        // revision repeats a paragraph of its own.
        let own = [7];
        let story = file(0.0, false, 0..100, STORY, "FRANKFURT");
        let lookalike = file(2.0, false, 50..150, OTHER, "FRANKFURT");
        let revision = file(17.0, true, (0..55).chain(300..345), OTHER, "FRANKFURT");
        let alone = |files: &[Profile]| groups(files).iter().all(|g| g.len() == 1);
        assert!(alone(&[story.clone(), lookalike.clone(), revision.clone()]), "alone without a paragraph");
        let files = [with_paragraphs(story.clone(), &own), lookalike.clone(), with_paragraphs(revision.clone(), &own)];
        assert!(joins_first(&files), "joins with its own paragraph");
        let files = [with_paragraphs(story, &own), with_paragraphs(lookalike, &own), with_paragraphs(revision, &own)];
        assert!(alone(&files), "a paragraph the look-alike has too is the template's");
    }

    #[test]
    fn boilerplate_does_not_find_candidates() {
        let boilerplate = file(0.0, false, 0..1, STORY, "BERLIN");
        let key = feature_key(0, boilerplate.shingles.values[0]);
        let profiles = vec![boilerplate; MAX_POSTINGS + 1];
        let refs: Vec<&Profile> = profiles.iter().collect();
        // In one shard, and counted over shards.
        for index in [FeatureIndex::new(&refs, 0), FeatureIndex::with_shards_of(&refs, 0, 64)] {
            let found = |window: std::ops::Range<usize>| {
                let mut runs = Vec::new();
                index.files_in(key, &window, &mut runs);
                runs.concat().len()
            };
            assert_eq!(found(0..MAX_POSTINGS + 1), 0, "in more files than the cap: boilerplate");
            assert_eq!(found(1..MAX_POSTINGS + 1), MAX_POSTINGS, "up to the cap: looked up");
        }
        assert_eq!(MAX_POSTINGS, 200, "the README says 200");
    }

    #[test]
    fn an_index_in_shards_finds_what_one_shard_finds() {
        // Files share items with their neighbours, so features run across
        // the bounds of shards of three files.
        let profiles: Vec<Profile> =
            (0..20u64).map(|n| file(n as f64, n % 4 != 0, (n * 10)..(n * 10 + 40), STORY, "BERLIN")).collect();
        let refs: Vec<&Profile> = profiles.iter().collect();
        let keys: Vec<u64> = refs.iter().flat_map(|profile| keys_of(profile)).collect();
        let one = FeatureIndex::with_shards_of(&refs, 2, refs.len());
        for shard_files in [1, 3, 7] {
            let sharded = FeatureIndex::with_shards_of(&refs, 2, shard_files);
            for start in 0..refs.len() {
                for end in start..=refs.len() {
                    let window = start..end;
                    for &key in &keys {
                        let mut runs = Vec::new();
                        one.files_in(key, &window, &mut runs);
                        let expected = runs.concat();
                        sharded.files_in(key, &window, &mut runs);
                        assert_eq!(runs.concat(), expected, "shards of {shard_files}, window {window:?}");
                        let all: Vec<usize> = sharded.postings_in(key, &window).collect();
                        let in_window: Vec<usize> =
                            (start.max(2)..end).filter(|&f| keys_of(refs[f]).any(|k| k == key)).collect();
                        assert_eq!(all, in_window, "shards of {shard_files}, window {window:?}");
                    }
                }
            }
        }
    }
}
