//! Word-level differences between two versions of one story, for the diff
//! pages and the feeds' lists of changes.
//!
//! Texts are compared word by word (words are runs between whitespace, so a
//! changed comma changes its word), which ignores every whitespace-only
//! change: extra spaces, re-wrapped lines, a paragraph split in two.
//! Paragraphs that stand unchanged in both versions are matched first, as
//! whole paragraphs (the patience diff); the words between them with the
//! histogram diff (git's `--histogram`: the rarest words the two runs share
//! anchor the match). The result is laid out in the newer version's
//! paragraphs, with deleted words where they stood. This module never
//! renders HTML and never reads files.

use std::sync::LazyLock;

use serde::Serialize;
use similar::{Algorithm, DiffTag, capture_diff_slices};

use crate::parse::{Article, Block, RunChars, for_each_run};

/// What happened to a run of words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Equal,
    Insert,
    Delete,
}

/// A run of words with the same change, joined by single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub change: Change,
    pub text: String,
}

/// One paragraph or sub-heading of the compared text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffBlock {
    /// `paragraph` or `subheading`, as in the version the words come from.
    pub kind: &'static str,
    pub segments: Vec<Segment>,
    /// The block is one run of unchanged words (most of a revision): a
    /// template can print it without going through its segments.
    pub unchanged: bool,
}

/// The differences between an older and a newer version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionDiff {
    pub headline: Vec<Segment>,
    pub blocks: Vec<DiffBlock>,
    /// Words inserted and deleted, headline included.
    pub inserted: usize,
    pub deleted: usize,
}

impl VersionDiff {
    /// No word changed (whitespace may have).
    pub fn is_unchanged(&self) -> bool {
        self.inserted == 0 && self.deleted == 0
    }
}

/// A word and the block it belongs to.
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    block: usize,
}

/// A version's words, split once for all the comparisons it takes part in
/// (a story's history compares each version with its neighbours and the
/// first with the latest).
pub struct VersionWords<'a> {
    article: &'a Article,
    headline: Vec<Word<'a>>,
    body: Vec<Word<'a>>,
    /// The number of each word of `headline` and of `body`, as the diff
    /// compares them: the same number for the same word in every version of
    /// the story (see [`VersionWords::of_versions`]).
    headline_numbers: Vec<u32>,
    body_numbers: Vec<u32>,
}

impl<'a> VersionWords<'a> {
    /// The words of each version of a story, every word numbered, the same
    /// word with the same number in all of them: the diff compares and
    /// hashes numbers, not strings. Versions are compared only with versions
    /// numbered together.
    pub fn of_versions(articles: impl IntoIterator<Item = &'a Article>) -> Vec<VersionWords<'a>> {
        let mut numbers: rustc_hash::FxHashMap<&'a str, u32> = rustc_hash::FxHashMap::default();
        let mut versions = Vec::new();
        for article in articles {
            let (headline, body) = (headline_words(article), body_words(article));
            if numbers.is_empty() {
                // The first version's words, and room for as many again:
                // later versions mostly repeat them.
                numbers.reserve(2 * (headline.len() + body.len()));
            }
            let mut number = |word: &Word<'a>| {
                let next = u32::try_from(numbers.len()).expect("fewer than 2^32 words in a story");
                *numbers.entry(word.text).or_insert(next)
            };
            let headline_numbers = headline.iter().map(&mut number).collect();
            let body_numbers = body.iter().map(&mut number).collect();
            versions.push(VersionWords { article, headline, body, headline_numbers, body_numbers });
        }
        versions
    }
}

/// Compare two versions' headlines and texts (dateline and body; the
/// editors' initials are left out, they are not part of the story).
pub fn diff_split(old: &VersionWords, new: &VersionWords) -> VersionDiff {
    let mut headline = Vec::new();
    diff_runs(&mut headline, (&old.headline, &old.headline_numbers), (&new.headline, &new.headline_numbers));
    let body = diff_body((&old.body, &old.body_numbers), (&new.body, &new.body_numbers));
    let inserted = count(&headline, Change::Insert) + count(&body, Change::Insert);
    let deleted = count(&headline, Change::Delete) + count(&body, Change::Delete);
    let headline_words: Vec<(Change, &str)> = headline
        .iter()
        .filter_map(|step| match step {
            Step::Word(change, word) => Some((*change, word.text)),
            Step::Same { .. } => None,
        })
        .collect();
    VersionDiff {
        headline: merge_runs(&headline_words),
        blocks: lay_out(&body, &old.article.blocks, &new.article.blocks),
        inserted,
        deleted,
    }
}

/// Whether two versions read the same, word for word (headline and text).
pub fn same_words(a: &VersionWords, b: &VersionWords) -> bool {
    a.headline_numbers == b.headline_numbers && a.body_numbers == b.body_numbers
}

fn headline_words(article: &Article) -> Vec<Word<'_>> {
    let mut words = Vec::new();
    push_words(&mut words, &article.headline, 0);
    words
}

/// The dateline's words open the first block; then every block's words.
fn body_words(article: &Article) -> Vec<Word<'_>> {
    // About one word in seven characters: room for all at once.
    let length: usize = article.blocks.iter().map(|b| b.text().len()).sum();
    let mut words = Vec::with_capacity(length / 6 + 16);
    if let Some(dateline) = &article.dateline {
        push_words(&mut words, &dateline.raw, 0);
    }
    for (block, text) in article.blocks.iter().map(Block::text).enumerate() {
        push_words(&mut words, text, block);
    }
    words
}

/// Appends the words of `text` (runs between whitespace, as
/// `str::split_whitespace` gives them) as words of `block`, found byte by
/// byte for ASCII (see [`for_each_run`]).
fn push_words<'a>(words: &mut Vec<Word<'a>>, text: &'a str, block: usize) {
    static NOT_SPACE: LazyLock<RunChars> = LazyLock::new(|| RunChars::new(|c| !c.is_whitespace()));
    for_each_run(text, &NOT_SPACE, |text| words.push(Word { text, block }));
}

/// One change per word, in reading order: deletions before the insertions
/// that replace them. Paragraphs that stand unchanged in both versions are
/// matched first, as whole paragraphs (one [`Step::Same`] each), and words
/// are compared only between them: a revision rewrites a few paragraphs of
/// a long text, and a word diff's cost grows with the words it is given.
fn diff_body<'w, 'a>(
    (old, old_numbers): (&'w [Word<'a>], &[u32]),
    (new, new_numbers): (&'w [Word<'a>], &[u32]),
) -> Vec<Step<'w, 'a>> {
    let (old_blocks, new_blocks) = (block_ranges(old), block_ranges(new));
    let old_keys: Vec<&[u32]> = old_blocks.iter().map(|r| &old_numbers[r.clone()]).collect();
    let new_keys: Vec<&[u32]> = new_blocks.iter().map(|r| &new_numbers[r.clone()]).collect();
    // Room for every word of both, which no diff exceeds.
    let mut changes = Vec::with_capacity(old.len() + new.len());
    // The words from these starts on are not matched yet.
    let (mut old_from, mut new_from) = (0, 0);
    for op in capture_diff_slices(Algorithm::Patience, &old_keys, &new_keys) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag != DiffTag::Equal || old_range.is_empty() {
            continue;
        }
        let (old_start, new_start) = (old_blocks[old_range.start].start, new_blocks[new_range.start].start);
        let (old_end, new_end) = (old_blocks[old_range.end - 1].end, new_blocks[new_range.end - 1].end);
        diff_runs(
            &mut changes,
            (&old[old_from..old_start], &old_numbers[old_from..old_start]),
            (&new[new_from..new_start], &new_numbers[new_from..new_start]),
        );
        // Each matched paragraph whole, not word by word: most of a
        // revision's text.
        for (old_block, new_block) in old_blocks[old_range].iter().zip(&new_blocks[new_range]) {
            let words = &new[new_block.clone()];
            changes.push(Step::Same { old_block: old[old_block.start].block, new_block: words[0].block, words });
        }
        (old_from, new_from) = (old_end, new_end);
    }
    diff_runs(&mut changes, (&old[old_from..], &old_numbers[old_from..]), (&new[new_from..], &new_numbers[new_from..]));
    changes
}

/// The range of words of each block, in order (blocks without words have none).
fn block_ranges(words: &[Word]) -> Vec<std::ops::Range<usize>> {
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for (at, word) in words.iter().enumerate() {
        match ranges.last_mut() {
            Some(last) if words[last.start].block == word.block => last.end = at + 1,
            _ => ranges.push(at..at + 1),
        }
    }
    ranges
}

/// One step of a diff in reading order: a word's change, or a paragraph
/// the same in both versions, whole (`words` its words, `old_block` and
/// `new_block` where it stands in each).
enum Step<'w, 'a> {
    Word(Change, Located<'a>),
    Same { old_block: usize, new_block: usize, words: &'w [Word<'a>] },
}

/// Appends to `changes` one change per word of a run of text (the
/// histogram diff), as [`diff_body`] gives them, the words given with their
/// numbers (`numbers[i]` is `words[i]`'s).
fn diff_runs<'w, 'a>(
    changes: &mut Vec<Step<'w, 'a>>,
    (old, old_numbers): (&[Word<'a>], &[u32]),
    (new, new_numbers): (&[Word<'a>], &[u32]),
) {
    for op in capture_diff_slices(Algorithm::Histogram, old_numbers, new_numbers) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if matches!(tag, DiffTag::Delete | DiffTag::Replace) {
            changes.extend(old[old_range.clone()].iter().map(|w| Step::Word(Change::Delete, Located::old(w))));
        }
        if matches!(tag, DiffTag::Insert | DiffTag::Replace) {
            changes.extend(new[new_range.clone()].iter().map(|w| Step::Word(Change::Insert, Located::new(w))));
        }
        if tag == DiffTag::Equal {
            changes.extend(equal_words(&old[old_range], &new[new_range]));
        }
    }
}

/// Words the same in both versions, pair by pair.
fn equal_words<'s, 'w, 'a: 'w>(old: &'s [Word<'a>], new: &'s [Word<'a>]) -> impl Iterator<Item = Step<'w, 'a>> + 's {
    old.iter().zip(new).map(|(o, n)| Step::Word(Change::Equal, Located::both(o, n)))
}

/// A word with the block it stands in, in the old or the new version.
#[derive(Debug, Clone, Copy)]
struct Located<'a> {
    text: &'a str,
    old_block: Option<usize>,
    new_block: Option<usize>,
}

impl<'a> Located<'a> {
    fn old(word: &Word<'a>) -> Located<'a> {
        Located { text: word.text, old_block: Some(word.block), new_block: None }
    }

    fn new(word: &Word<'a>) -> Located<'a> {
        Located { text: word.text, old_block: None, new_block: Some(word.block) }
    }

    fn both(old: &Word<'a>, new: &Word<'a>) -> Located<'a> {
        Located { text: new.text, old_block: Some(old.block), new_block: Some(new.block) }
    }
}

fn count(changes: &[Step], which: Change) -> usize {
    changes.iter().filter(|step| matches!(step, Step::Word(change, _) if *change == which)).count()
}

/// Split the changed words into blocks: a word opens a new block when it
/// comes from a different block of its own version than the word before it
/// (so a deleted paragraph stays a paragraph of its own).
fn lay_out(changes: &[Step], old_blocks: &[Block], new_blocks: &[Block]) -> Vec<DiffBlock> {
    let mut groups: Vec<Group> = Vec::new();
    let (mut last_old, mut last_new) = (None, None);
    for step in changes {
        let (change, word) = match step {
            Step::Word(change, word) => (change, word),
            Step::Same { old_block, new_block, words } => {
                // Its words come after every word of the blocks before it,
                // so it always opens a block of its own.
                debug_assert!(last_new != Some(*new_block), "an unchanged paragraph continues a block");
                groups.push(Group::Same(block_kind(new_blocks.get(*new_block)), words));
                (last_old, last_new) = (Some(*old_block), Some(*new_block));
                continue;
            }
        };
        let opens = match (word.new_block, word.old_block) {
            (Some(block), _) => last_new != Some(block),
            (None, Some(block)) => last_old != Some(block),
            (None, None) => false,
        };
        if opens || !matches!(groups.last(), Some(Group::Words(..))) {
            let kind = match (word.new_block, word.old_block) {
                (Some(b), _) => block_kind(new_blocks.get(b)),
                (None, Some(b)) => block_kind(old_blocks.get(b)),
                (None, None) => "paragraph",
            };
            groups.push(Group::Words(kind, Vec::new()));
        }
        last_new = word.new_block.or(last_new);
        last_old = word.old_block.or(last_old);
        if let Some(Group::Words(_, words)) = groups.last_mut() {
            words.push((*change, word.text));
        }
    }
    groups
        .into_iter()
        .map(|group| match group {
            Group::Words(kind, words) => {
                let segments = merge_runs(&words);
                let unchanged = matches!(segments.as_slice(), [only] if only.change == Change::Equal);
                DiffBlock { kind, segments, unchanged }
            }
            Group::Same(kind, words) => {
                let segment = Segment { change: Change::Equal, text: joined(words.iter().map(|word| word.text)) };
                DiffBlock { kind, segments: vec![segment], unchanged: true }
            }
        })
        .collect()
}

/// One block of a diff being laid out: changed words of one kind of block,
/// or an unchanged paragraph's words.
enum Group<'w, 'a> {
    Words(&'static str, Vec<(Change, &'a str)>),
    Same(&'static str, &'w [Word<'a>]),
}

fn block_kind(block: Option<&Block>) -> &'static str {
    match block {
        Some(Block::Subheading(_)) => "subheading",
        _ => "paragraph",
    }
}

/// Join neighbouring words with the same change into one segment, each
/// segment's text made at its length.
fn merge_runs(words: &[(Change, &str)]) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    let mut rest = words;
    while let Some(&(change, _)) = rest.first() {
        let run_len = rest.iter().position(|(other, _)| *other != change).unwrap_or(rest.len());
        let (run, after) = rest.split_at(run_len);
        segments.push(Segment { change, text: joined(run.iter().map(|(_, word)| *word)) });
        rest = after;
    }
    segments
}

/// `words` joined by single spaces, the text made at its length.
fn joined<'a>(words: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut text = String::with_capacity(words.clone().map(|word| word.len() + 1).sum());
    for (at, word) in words.enumerate() {
        if at > 0 {
            text.push(' ');
        }
        text.push_str(word);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_article;

    fn diff_versions(old: &Article, new: &Article) -> VersionDiff {
        let words = VersionWords::of_versions([old, new]);
        diff_split(&words[0], &words[1])
    }

    fn same_text(a: &Article, b: &Article) -> bool {
        let words = VersionWords::of_versions([a, b]);
        same_words(&words[0], &words[1])
    }

    fn article(headline: &str, body: &str) -> Article {
        parse_article(&format!("{headline}\n01.02.2024 - 10:00:00\n{body}")).unwrap().article
    }

    fn render(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| match s.change {
                Change::Equal => s.text.clone(),
                Change::Insert => format!("[+{}]", s.text),
                Change::Delete => format!("[-{}]", s.text),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn changed_words_are_marked_inline() {
        let old = article("Titel", "BERLIN (dpa) - Es kamen 10 000 Gäste.");
        let new = article("Neuer Titel", "BERLIN (dpa) - Es kamen 100 000 Gäste.");
        let diff = diff_versions(&old, &new);
        assert_eq!(render(&diff.headline), "[+Neuer] Titel");
        assert_eq!(diff.blocks.len(), 1);
        assert_eq!(render(&diff.blocks[0].segments), "BERLIN (dpa) - Es kamen [-10] [+100] 000 Gäste.");
        assert_eq!((diff.inserted, diff.deleted), (2, 1));
    }

    #[test]
    fn whitespace_and_line_breaks_do_not_count() {
        let old = article("Titel", "BERLIN (dpa) - Ein  Satz.\nNoch ein Satz.");
        let new = article("Titel", "BERLIN (dpa) - Ein Satz. Noch ein Satz.");
        assert!(diff_versions(&old, &new).is_unchanged());
        assert!(same_text(&old, &new));
    }

    #[test]
    fn words_split_as_the_standard_library_splits_them() {
        let texts = [
            "",
            "  ",
            "Ein Satz.",
            " \tzwei\n\nZeilen\r\n",
            "Grüße\u{a0}aus\u{2009}Köln\u{3000}und\u{85}Zürich\u{b}fin",
            "ÄÖÜ äöü ß\u{202f}€ 10\u{2028}000",
            "\u{200b}kein\u{200b}Leerraum\u{feff}",
        ];
        for text in texts {
            let mut words = Vec::new();
            push_words(&mut words, text, 3);
            let split: Vec<&str> = words.iter().map(|w| w.text).collect();
            assert_eq!(split, text.split_whitespace().collect::<Vec<_>>(), "{text:?}");
            assert!(words.iter().all(|w| w.block == 3));
        }
    }

    #[test]
    fn versions_numbered_together_compare_word_for_word() {
        let first = article("Titel", "BERLIN (dpa) - Der Dax steigt. Der Dax fällt.");
        let second = article("Titel", "BERLIN (dpa) - Der Dax fällt. Der Dax steigt.");
        let third = article("Titel", "BERLIN (dpa) -  Der Dax steigt.\nDer Dax fällt.");
        let words = VersionWords::of_versions([&first, &second, &third]);
        assert_eq!(words[0].body_numbers, words[2].body_numbers);
        assert!(same_words(&words[0], &words[2]));
        assert!(!same_words(&words[0], &words[1]));
        let swapped = diff_split(&words[0], &words[1]);
        // Two words swapped, not a sentence moved (what the patience diff
        // made of it: `Der Dax [+fällt. Der Dax] steigt. [-Der Dax fällt.]`).
        assert_eq!((swapped.inserted, swapped.deleted), (2, 2));
        let expected = "BERLIN (dpa) - Der Dax [-steigt.] [+fällt.] Der Dax [-fällt.] [+steigt.]";
        assert_eq!(render(&swapped.blocks[0].segments), expected);
    }

    #[test]
    fn unchanged_paragraphs_are_whole_blocks_of_one_segment() {
        let old = article("T", "BERLIN (dpa) - Eins  eins.\nZwei zwei.\n\nDrei drei.\n\nVier.");
        let new = article("T", "BERLIN (dpa) - Eins eins.\nZwei neu.\n\nDrei drei.\n\nVier.");
        let diff = diff_versions(&old, &new);
        let blocks: Vec<(String, bool)> = diff.blocks.iter().map(|b| (render(&b.segments), b.unchanged)).collect();
        assert_eq!(
            blocks,
            [
                ("BERLIN (dpa) - Eins eins.".to_string(), true),
                ("Zwei [-zwei.] [+neu.]".to_string(), false),
                ("Drei drei.".to_string(), true),
                ("Vier.".to_string(), true),
            ]
        );
        let unchanged: Vec<&DiffBlock> = diff.blocks.iter().filter(|b| b.unchanged).collect();
        assert!(unchanged.len() == 3 && unchanged.iter().all(|b| b.segments.len() == 1));
        assert_eq!((diff.inserted, diff.deleted), (1, 1), "unchanged paragraphs count no change");
    }

    #[test]
    fn a_deleted_paragraph_stays_a_paragraph() {
        let old = article("T", "BERLIN (dpa) - Eins eins.\nZwei zwei.\nDrei drei.");
        let new = article("T", "BERLIN (dpa) - Eins eins.\nDrei drei.");
        let diff = diff_versions(&old, &new);
        let blocks: Vec<String> = diff.blocks.iter().map(|b| render(&b.segments)).collect();
        assert_eq!(blocks, ["BERLIN (dpa) - Eins eins.", "[-Zwei zwei.]", "Drei drei."]);
    }
}
