//! The archive's listings beyond the index: date archives (year, month,
//! day), dateline places, and the stories of the Google News sitemap.
//!
//! A listing is decided here once, from the stories' heads alone (times,
//! datelines, headlines), so planning stays linear in the number of
//! stories: every story is put into its day, month, year and places in one
//! pass, and pages are cut from those lists. Nothing here renders or reads
//! a story's text.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration};

use crate::paths;
use crate::slug::slugify;
use crate::stories::Story;

/// A period of the date archives, by the Berlin date of a story's first
/// version (the date in its URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Month(i32, u32),
    Day(i32, u32, u32),
}

impl Period {
    /// The folder of the period's first page.
    pub fn dir(&self) -> String {
        match *self {
            Period::Year(year) => paths::year_dir(year),
            Period::Month(year, month) => paths::month_dir(year, month),
            Period::Day(year, month, day) => paths::day_dir(year, month, day),
        }
    }

    /// Whether `other` is of the same kind (both years, months or days).
    pub fn same_kind(&self, other: &Period) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// The day of `story`'s first version.
    pub fn day_of(story: &Story) -> Period {
        let published = story.published();
        Period::Day(published.year(), published.month(), published.day())
    }
}

/// How a listing of `len` stories (newest first) is cut into pages of
/// `size`, so that an archive page, once written, stays as it is.
///
/// Pages are counted from the oldest story: older page 1 holds the oldest
/// `size` stories, page 2 the next `size`, and so on. The first page (the
/// listing's own folder) holds the newest stories that fill no older page:
/// `size` to `2 × size - 1` of them (all of them while there are fewer
/// than `2 × size`). A new story thus changes only the first page, until it
/// has `2 × size` stories and its oldest `size` move to a new older page.
/// With page numbers counted from the newest, as most generators count
/// them, every page of the listing would change with every story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    len: usize,
    size: usize,
}

impl Paging {
    /// `len` stories, `size` a page (at least 1).
    pub fn new(len: usize, size: usize) -> Paging {
        Paging { len, size: size.max(1) }
    }

    /// All `len` stories on the first page.
    pub fn whole(len: usize) -> Paging {
        Paging { len, size: usize::MAX }
    }

    /// How many older pages there are besides the first page.
    pub fn older_pages(&self) -> usize {
        (self.len / self.size).saturating_sub(1)
    }

    /// Every page: the first page (0), then the older pages, newest first.
    pub fn pages(&self) -> impl Iterator<Item = usize> + use<> {
        std::iter::once(0).chain((1..=self.older_pages()).rev())
    }

    /// The positions (in the newest-first list) of the stories on `page`:
    /// 0 is the first page, 1 the oldest older page.
    pub fn range(&self, page: usize) -> std::ops::Range<usize> {
        let older = self.older_pages();
        if page == 0 {
            return 0..self.len - older * self.size;
        }
        let end = self.len - (page - 1) * self.size;
        end - self.size..end
    }

    /// The page with the newer stories next to `page`, if any.
    pub fn newer(&self, page: usize) -> Option<usize> {
        match page {
            0 => None,
            page if page == self.older_pages() => Some(0),
            page => Some(page + 1),
        }
    }

    /// The page with the older stories next to `page`, if any.
    pub fn older(&self, page: usize) -> Option<usize> {
        match page {
            0 => Some(self.older_pages()).filter(|&older| older > 0),
            page => Some(page - 1).filter(|&older| older > 0),
        }
    }
}

/// One period's page(s): its stories, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodListing {
    pub period: Period,
    /// Indexes into the plan's stories, by first version, newest first.
    pub stories: Vec<usize>,
    /// How its pages are cut: a day is one page; a month or a year has
    /// `page_size` stories an older page.
    pub paging: Paging,
}

impl PeriodListing {
    /// The stories on page `page` (see [`Paging`]).
    pub fn page(&self, page: usize) -> &[usize] {
        &self.stories[self.paging.range(page)]
    }

    /// The folder of page `page` (see [`Paging`]).
    pub fn page_dir(&self, page: usize) -> String {
        paths::listing_page_dir(&self.period.dir(), page)
    }
}

/// The date archives: every year, month and day with stories, each kind in
/// time order, years first, then months, then days. A day is never split:
/// it is what the wire sent in one day, and a reader looks for it whole.
/// Months and years have `page_size` stories an older page (see [`Paging`]).
pub fn periods(stories: &[Story], page_size: usize) -> Vec<PeriodListing> {
    let mut days: BTreeMap<Period, Vec<usize>> = BTreeMap::new();
    for (index, story) in stories.iter().enumerate() {
        days.entry(Period::day_of(story)).or_default().push(index);
    }
    let newest_first = |a: &usize, b: &usize| {
        let (a, b) = (&stories[*a], &stories[*b]);
        b.published().cmp(&a.published()).then_with(|| a.id.cmp(&b.id))
    };
    let mut months: BTreeMap<Period, Vec<usize>> = BTreeMap::new();
    let mut years: BTreeMap<Period, Vec<usize>> = BTreeMap::new();
    // Newest day first, so each month's and year's list is newest first too.
    for (day, members) in days.iter_mut().rev() {
        members.sort_by(newest_first);
        let Period::Day(year, month, _) = *day else { unreachable!("days are days") };
        months.entry(Period::Month(year, month)).or_default().extend_from_slice(members);
        years.entry(Period::Year(year)).or_default().extend_from_slice(members);
    }
    let listing = |(period, stories): (Period, Vec<usize>)| {
        let paging = match period {
            Period::Day(..) => Paging::whole(stories.len()),
            _ => Paging::new(stories.len(), page_size),
        };
        PeriodListing { period, stories, paging }
    };
    years.into_iter().chain(months).chain(days).map(listing).collect()
}

/// One dateline place: the stories whose latest version names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceListing {
    /// The place's slug (German rules), its folder name: `BRÜSSEL` and
    /// `Brüssel` are one place, `bruessel`.
    pub slug: String,
    /// The place as the datelines write it most often (ties: the spelling
    /// with umlauts, then the first in sorted order), in title case when
    /// written in capitals.
    pub name: String,
    /// Indexes into the plan's stories, in the plan's order (newest first).
    pub stories: Vec<usize>,
    /// How its pages are cut: `page_size` stories an older page.
    pub paging: Paging,
}

impl PlaceListing {
    /// The stories on page `page` (see [`Paging`]).
    pub fn page(&self, page: usize) -> &[usize] {
        &self.stories[self.paging.range(page)]
    }

    /// The folder of page `page` (see [`Paging`]).
    pub fn page_dir(&self, page: usize) -> String {
        paths::listing_page_dir(&paths::place_dir(&self.slug), page)
    }
}

/// Every place named in the latest version's dateline of some story, by
/// slug. A story is listed once under each of its places.
pub fn places(stories: &[Story], page_size: usize) -> Vec<PlaceListing> {
    /// One place while the stories are gone through: its slug, its stories
    /// and how often each spelling names it.
    struct Gathered<'a> {
        slug: String,
        stories: Vec<usize>,
        spellings: BTreeMap<&'a str, usize>,
    }
    let mut gathered: Vec<Gathered> = Vec::new();
    // An archive names a few hundred places tens of thousands of times: the
    // slug is made once per spelling, and found again by hashing.
    let mut by_spelling: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let mut by_slug: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    for (index, story) in stories.iter().enumerate() {
        let Some(dateline) = &story.latest().head.dateline else { continue };
        let mut seen: Vec<usize> = Vec::new();
        for place in dateline.places.iter().map(|p| p.trim()).filter(|p| p.chars().any(char::is_alphanumeric)) {
            let at = *by_spelling.entry(place).or_insert_with(|| {
                let slug = slugify(place);
                *by_slug.entry(slug.clone()).or_insert_with(|| {
                    gathered.push(Gathered { slug, stories: Vec::new(), spellings: BTreeMap::new() });
                    gathered.len() - 1
                })
            });
            *gathered[at].spellings.entry(place).or_default() += 1;
            if !seen.contains(&at) {
                gathered[at].stories.push(index);
                seen.push(at);
            }
        }
    }
    gathered.sort_by(|a, b| a.slug.cmp(&b.slug));
    gathered
        .into_iter()
        .map(|Gathered { slug, stories, spellings }| {
            // The most frequent spelling; on a tie the one with the most
            // letters beyond ASCII (`BRÜSSEL` before `BRUESSEL`), then the
            // first in sorted order.
            let beyond_ascii = |name: &str| name.chars().filter(|c| !c.is_ascii()).count();
            let written = spellings
                .iter()
                .max_by(|(a, m), (b, n)| m.cmp(n).then(beyond_ascii(a).cmp(&beyond_ascii(b))).then_with(|| b.cmp(a)))
                .map_or("", |(name, _)| *name);
            let paging = Paging::new(stories.len(), page_size);
            PlaceListing { slug, name: place_name(written), stories, paging }
        })
        .collect()
}

/// A dateline place as a page names it: `BAD HOMBURG` → `Bad Homburg`; a
/// place not written in capitals stays as written.
pub fn place_name(written: &str) -> String {
    if written.chars().any(char::is_lowercase) {
        return written.to_string();
    }
    let mut name = String::with_capacity(written.len());
    let mut word_start = true;
    for c in written.chars() {
        if word_start {
            name.push(c);
        } else {
            name.extend(c.to_lowercase());
        }
        word_start = !c.is_alphanumeric();
    }
    name
}

/// How far back the news sitemap reaches from the newest story: Google News
/// reads articles of the last two days.
pub const NEWS_SITEMAP_DAYS: i64 = 2;
/// At most this many URLs in a news sitemap (Google News' limit).
pub const NEWS_SITEMAP_LIMIT: usize = 1000;

/// The stories of `news-sitemap.xml`: those whose first version is at most
/// [`NEWS_SITEMAP_DAYS`] older than the newest story's, newest first, at most
/// [`NEWS_SITEMAP_LIMIT`]. Measured from the newest story, never from the
/// clock, so the same input gives the same sitemap.
pub fn news_stories(stories: &[Story]) -> Vec<usize> {
    let Some(newest) = stories.iter().map(Story::published).max() else { return Vec::new() };
    let since = newest - Duration::days(NEWS_SITEMAP_DAYS);
    let mut recent: Vec<usize> = (0..stories.len()).filter(|&i| stories[i].published() >= since).collect();
    recent.sort_by(|&a, &b| {
        let (a, b) = (&stories[a], &stories[b]);
        b.published().cmp(&a.published()).then_with(|| a.id.cmp(&b.id))
    });
    recent.truncate(NEWS_SITEMAP_LIMIT);
    recent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_names_in_title_case() {
        assert_eq!(place_name("BRÜSSEL"), "Brüssel");
        assert_eq!(place_name("BAD HOMBURG"), "Bad Homburg");
        assert_eq!(place_name("FRANKFURT/MAIN"), "Frankfurt/Main");
        assert_eq!(place_name("ST. GALLEN"), "St. Gallen");
        assert_eq!(place_name("New York"), "New York");
    }

    /// Every page's (start, end), in the order of [`Paging::pages`].
    fn ranges(paging: Paging) -> Vec<(usize, usize)> {
        paging.pages().map(|page| paging.range(page)).map(|r| (r.start, r.end)).collect()
    }

    #[test]
    fn pages_are_counted_from_the_oldest_and_the_first_page_takes_the_rest() {
        assert_eq!(ranges(Paging::new(0, 3)), [(0, 0)]);
        assert_eq!(ranges(Paging::new(5, 3)), [(0, 5)], "fewer than two pages' worth: all on the first");
        assert_eq!(ranges(Paging::new(6, 3)), [(0, 3), (3, 6)]);
        assert_eq!(ranges(Paging::new(8, 3)), [(0, 5), (5, 8)]);
        assert_eq!(ranges(Paging::new(9, 3)), [(0, 3), (3, 6), (6, 9)]);
        assert_eq!(ranges(Paging::whole(100)), [(0, 100)]);
        let paging = Paging::new(9, 3);
        assert_eq!(paging.pages().collect::<Vec<_>>(), [0, 2, 1]);
        assert_eq!((paging.newer(0), paging.older(0)), (None, Some(2)));
        assert_eq!((paging.newer(2), paging.older(2)), (Some(0), Some(1)));
        assert_eq!((paging.newer(1), paging.older(1)), (Some(2), None));
        assert_eq!(Paging::new(5, 3).older(0), None);
    }

    #[test]
    fn an_older_page_keeps_its_stories_as_new_ones_arrive() {
        let size = 4;
        for len in 2 * size..40 {
            let (before, after) = (Paging::new(len, size), Paging::new(len + 1, size));
            for page in 1..=before.older_pages() {
                // Positions count from the newest; one story more shifts them by one.
                let shifted = before.range(page).start + 1..before.range(page).end + 1;
                assert_eq!(after.range(page), shifted, "{len} stories, older page {page}");
                assert_eq!(after.older(page), before.older(page));
            }
            let first = after.range(0).len();
            assert!((size..2 * size).contains(&first), "{len}: the first page holds {first}");
        }
    }

    #[test]
    fn periods_sort_by_kind_then_time() {
        let mut periods = [Period::Day(2024, 1, 2), Period::Year(2024), Period::Month(2023, 12), Period::Year(2023)];
        periods.sort();
        assert_eq!(periods, [Period::Year(2023), Period::Year(2024), Period::Month(2023, 12), Period::Day(2024, 1, 2)]);
        assert!(Period::Day(2024, 1, 2).same_kind(&Period::Day(2023, 5, 6)));
        assert!(!Period::Day(2024, 1, 2).same_kind(&Period::Month(2024, 1)));
    }
}
