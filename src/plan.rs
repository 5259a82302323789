//! Stage 5: the plan of the site: every document a build writes, once, with its path
//! and the digest of exactly the inputs its bytes depend on.
//!
//! A new page or feed is one new [`Document`] here (and one renderer). The
//! plan also decides which stories each listing holds (index pages, feeds,
//! `changes.xml`, the monthly archives), so renderers only render what they
//! are given. An incremental build compares each document's digest with the
//! previous build's: equal digests mean equal bytes, so the document need
//! not be rendered again. A digest must therefore change whenever the bytes
//! could, and should not change otherwise.
//!
//! A story's documents (its page, its versions' pages and originals, its
//! diffs, its `story.json`) all follow from the story and the site, so the
//! plan keeps one key per story ([`Plan::story_key`]) and plans a story's
//! documents only when asked: a rebuild asks for the few stories whose key
//! changed, not for the hundreds of thousands of documents of an archive.
//!
//! Planning never renders, never reads or writes files and never reads a
//! clock; it looks only at the loaded stories, the configuration and the
//! template sources. Digests are FNV-1a over explicit, length-prefixed
//! bytes, stable across machines, runs and Rust versions (never `std`'s
//! `DefaultHasher`).

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{DateTime, Datelike, FixedOffset};
use rayon::prelude::*;

use crate::config::Config;
use crate::paths;
use crate::stories::{Story, Version};

mod listings;

pub use listings::{NEWS_SITEMAP_DAYS, NEWS_SITEMAP_LIMIT, Paging, Period, PeriodListing, PlaceListing, place_name};

/// Stories per archive document. A busy wire publishes thousands of stories
/// a month; with their full texts, 500 keep a document near 2 MB, which a
/// feed reader still fetches and parses in one go.
pub const ARCHIVE_PART_SIZE: usize = 500;

/// URLs per sitemap. The sitemaps.org protocol allows at most 50,000 URLs
/// (and 50 MB uncompressed) in one sitemap; an entry here is some 150 bytes,
/// so the count is the limit that binds. A month or the index pages with
/// more URLs are split into parts.
pub const SITEMAP_URL_LIMIT: usize = 50_000;

/// One document of the site. Stories are named by their index in the
/// plan's stories (newest first), versions by their number `n` (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Document {
    /// A story's page: its latest text and its history.
    Story {
        story: usize,
    },
    /// The permanent page of version `n`.
    Version {
        story: usize,
        n: usize,
    },
    /// The changes from version `old` to version `new`.
    Diff {
        story: usize,
        old: usize,
        new: usize,
    },
    /// The original file of version `n`, bytes untouched.
    Source {
        story: usize,
        n: usize,
    },
    /// The story as IPTC ninjs JSON (`story.json`).
    StoryJson {
        story: usize,
    },
    /// Index page `page` (from 1), newest stories first.
    Index {
        page: usize,
    },
    NotFound,
    /// `sitemap.xml`, the sitemap index listing every [`Plan::sitemaps`].
    Sitemap,
    /// The sitemap [`Plan::sitemaps`]`[index]`.
    SitemapPart {
        index: usize,
    },
    Atom,
    Rss,
    Json,
    /// `changes.xml`, one entry per version.
    Changes,
    /// The archive document [`Plan::archives`]`[index]`.
    Archive {
        index: usize,
    },
    /// Page `page` (from 1) of the date archive [`Plan::periods`]`[index]`.
    Period {
        index: usize,
        page: usize,
    },
    /// `datum/`: every year and month with its count.
    Dates,
    /// Page `page` (from 1) of the place [`Plan::places`]`[index]`.
    Place {
        index: usize,
        page: usize,
    },
    /// The Atom feed of the place [`Plan::places`]`[index]`.
    PlaceFeed {
        index: usize,
    },
    /// `ort/`: every place with its count.
    Places,
    /// `news-sitemap.xml`, the Google News sitemap.
    NewsSitemap,
    /// `abonnieren/`: the feeds and how to subscribe.
    Subscribe,
    /// The subscribe page of [`paths::SUBSCRIBABLE_FEEDS`]`[feed]`.
    SubscribeFeed {
        feed: usize,
    },
    /// `stil.css`, the stylesheet every page links to.
    Stylesheet,
    /// `_headers` for Netlify and Cloudflare Pages.
    HostHeaders,
    /// `_redirects` for Netlify and Cloudflare Pages.
    HostRedirects,
    /// `suche/`, the search page.
    Search,
    /// `suche/suche.js`, the search page's script.
    SearchScript,
    /// Pagefind's user interface file [`paths::SEARCH_UI_FILES`]`[file]`.
    SearchUi {
        file: usize,
    },
    /// The search index [`Plan::search_shards`]`[index]`: a Pagefind bundle
    /// of many files, planned by its entry file.
    SearchShard {
        index: usize,
    },
}

/// A document with where it goes and what it depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub document: Document,
    /// Site path of the file, e.g. `2024/10/28/slug/v/2/index.html`.
    pub path: String,
    /// Digest of every input the document's bytes depend on.
    pub digest: u64,
}

/// One archive document (RFC 5005): (a part of) the stories first published
/// in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivePart {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    /// 1 for the month's first `ARCHIVE_PART_SIZE` stories, then 2, 3, ...
    pub part: usize,
    /// Indexes into the plan's stories, newest first.
    pub stories: Vec<usize>,
}

impl ArchivePart {
    pub fn path(&self) -> String {
        paths::archive_file(self.year, self.month, self.part)
    }
}

/// One search shard: a Pagefind index of the stories first published in a
/// month (Berlin time, as in their URL, so a story never changes shard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchShard {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    /// Indexes into the plan's stories, in order of publication.
    pub stories: Vec<usize>,
}

impl SearchShard {
    /// The shard's folder, e.g. `suche/index/2024-10/`.
    pub fn dir(&self) -> String {
        paths::search_shard_dir(self.year, self.month)
    }
}

/// One sitemap listed in `sitemap.xml`: (a part of) the index pages, or of the
/// stories first published in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapPart {
    /// Site path, e.g. `sitemap/2024-10.xml`.
    pub path: String,
    pub urls: SitemapUrls,
}

/// What a sitemap lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SitemapUrls {
    /// Index pages by number (0 is the home page, then the older pages
    /// from the oldest; see [`Paging`]).
    IndexPages(Range<usize>),
    /// Story pages (indexes into the plan's stories), in order of publication.
    Stories(Vec<usize>),
}

/// Every document of the site and the stories each listing holds.
#[derive(Debug)]
pub struct Plan<'a> {
    stories: &'a [Story],
    /// What every rendered document depends on ([`site_digest`]).
    site: u64,
    /// Each story's [`story_key`]: its documents are planned only when a
    /// build needs them (see [`Plan::story_documents`]).
    story_keys: Vec<u64>,
    /// Each story's [`story_digest`], which its documents and every feed
    /// that carries it depend on.
    story_digests: Vec<u64>,
    /// The documents that are not one story's.
    site_documents: Vec<Planned>,
    /// How the index pages are cut.
    index_paging: Paging,
    /// The stories in `atom.xml`, `rss.xml` and `feed.json`.
    feed_stories: Range<usize>,
    /// The other listings: feeds of changes, archives, sitemaps, periods,
    /// places, news and search shards.
    listings: Listings,
    /// Stories per feed, place feeds included.
    feed_length: usize,
    /// Whether the site has a search page (the configuration's `search`).
    search: bool,
    /// The site's language, whose stemmer the search indexes use.
    language: String,
    /// Each story's [`listing_digest`], computed once for the many listings
    /// that show it.
    listing_digests: Vec<u64>,
}

impl<'a> Plan<'a> {
    /// The plan for `stories` (newest first, as loaded), with `templates`
    /// the (name, source) of every template in use.
    pub fn new(stories: &'a [Story], config: &Config, templates: &[(&str, &str)]) -> Plan<'a> {
        let site = site_digest(config, templates);
        // The listings are cut while the stories' documents are planned:
        // each is one pass over the stories, the documents take all cores.
        let index_paging = Paging::new(stories.len(), config.page_size);
        let (listings, digests) = rayon::join(
            || Listings::of(stories, config, index_paging),
            || -> Vec<(u64, u64, u64)> {
                stories
                    .par_iter()
                    .map(|story| {
                        let digest = story_digest(story);
                        (story_key(site, digest, story), digest, listing_digest(story))
                    })
                    .collect()
            },
        );
        let mut plan = Plan {
            stories,
            site,
            story_keys: Vec::with_capacity(stories.len()),
            story_digests: Vec::with_capacity(stories.len()),
            site_documents: Vec::new(),
            index_paging,
            feed_stories: 0..stories.len().min(config.feed_length),
            listings,
            feed_length: config.feed_length,
            search: config.search,
            language: config.language.clone(),
            listing_digests: Vec::new(),
        };
        plan.listing_digests.reserve(stories.len());
        for (key, digest, listing) in digests {
            plan.story_keys.push(key);
            plan.story_digests.push(digest);
            plan.listing_digests.push(listing);
        }
        plan.site_documents = plan.site_documents_planned(site, &plan.story_digests);
        plan
    }

    /// The stories, newest first.
    pub fn stories(&self) -> &'a [Story] {
        self.stories
    }

    /// Every document of the site, each once: the stories' (story by
    /// story), then the site's.
    pub fn documents(&self) -> Vec<Planned> {
        let stories = (0..self.stories.len()).flat_map(|story| self.story_documents(story));
        stories.chain(self.site_documents.iter().cloned()).collect()
    }

    /// How many documents [`Plan::documents`] holds, and how many of them
    /// are HTML pages.
    pub fn document_count(&self) -> (usize, usize) {
        let site_pages = self.site_documents.iter().filter(|d| d.path.ends_with(".html")).count();
        let story_documents: usize = (0..self.stories.len()).map(|story| self.story_document_count(story)).sum();
        let story_pages: usize = self.stories.iter().map(story_pages).sum();
        (self.site_documents.len() + story_documents, site_pages + story_pages)
    }

    /// How many documents [`Plan::story_documents`] gives for story `story`:
    /// its pages, its `story.json` and its versions' originals.
    pub fn story_document_count(&self, story: usize) -> usize {
        let story = &self.stories[story];
        story_pages(story) + 1 + story.versions.len()
    }

    /// The documents of story `story`: its page, its versions' pages and
    /// originals, its diff pages. Planned anew on each call: a build asks
    /// only for the stories whose [`Plan::story_key`] changed.
    pub fn story_documents(&self, story: usize) -> Vec<Planned> {
        story_documents(story, &self.stories[story], self.site, self.story_digests[story])
    }

    /// Digest of everything story `story`'s documents depend on: equal keys
    /// mean the same documents at the same paths from the same inputs. It
    /// also names the story's feed content in the contents pack.
    pub fn story_key(&self, story: usize) -> u64 {
        self.story_keys[story]
    }

    /// The documents that are not one story's: index pages, 404, sitemap,
    /// feeds and archives.
    pub fn site_documents(&self) -> &[Planned] {
        &self.site_documents
    }

    /// About how much work rendering `document` is, in stories: a feed or
    /// archive document reads back each of its entries' content, so an entry
    /// counts four times a line of a listing or sitemap. The site's
    /// documents are started heaviest first, so no core is left with the
    /// largest at the end.
    pub fn render_weight(&self, document: &Document) -> usize {
        const ENTRY: usize = 4;
        match *document {
            Document::Atom | Document::Rss | Document::Json => ENTRY * self.feed_stories.len(),
            Document::Changes => ENTRY * self.listings.changes.len(),
            Document::Archive { index } => ENTRY * self.listings.archives[index].stories.len(),
            Document::PlaceFeed { index } => ENTRY * self.place_feed(index).len(),
            Document::Index { page } => self.index_paging.range(page).len(),
            Document::Period { index, page } => self.period_page(index, page).len(),
            Document::Place { index, page } => self.place_page(index, page).len(),
            Document::SitemapPart { index } => match &self.listings.sitemaps[index].urls {
                SitemapUrls::IndexPages(pages) => pages.len(),
                SitemapUrls::Stories(stories) => stories.len(),
            },
            Document::Sitemap => self.listings.sitemaps.len(),
            Document::NewsSitemap => self.listings.news.len(),
            Document::Dates => self.listings.periods.len(),
            Document::Places => self.listings.places.len(),
            _ => 1,
        }
    }

    /// The stories on index page `page` (see [`Paging`]).
    pub fn index_page(&self, page: usize) -> &'a [Story] {
        &self.stories[self.index_paging.range(page)]
    }

    /// How the index pages are cut (the home page, even with no story).
    pub fn index_paging(&self) -> Paging {
        self.index_paging
    }

    /// The stories of the three feeds (indexes, newest first).
    pub fn feed_stories(&self) -> Range<usize> {
        self.feed_stories.clone()
    }

    /// The versions in `changes.xml` as (story index, n), newest first.
    pub fn changes(&self) -> &[(usize, usize)] {
        &self.listings.changes
    }

    /// The numbers of story `story`'s versions that `changes.xml` holds.
    pub fn changes_of(&self, story: usize) -> Vec<usize> {
        self.listings.changes.iter().filter(|(s, _)| *s == story).map(|&(_, n)| n).collect()
    }

    /// The archive documents, oldest first.
    pub fn archives(&self) -> &[ArchivePart] {
        &self.listings.archives
    }

    /// The sitemaps of `sitemap.xml`: the index pages', then the months',
    /// oldest first.
    pub fn sitemaps(&self) -> &[SitemapPart] {
        &self.listings.sitemaps
    }

    /// The date archives: years, then months, then days, each oldest first.
    pub fn periods(&self) -> &[PeriodListing] {
        &self.listings.periods
    }

    /// The stories on page `page` (see [`Paging`]) of date archive `index`.
    pub fn period_page(&self, index: usize, page: usize) -> &[usize] {
        self.listings.periods[index].page(page)
    }

    /// The date archives of the same kind just before and after `index`
    /// (the neighbouring periods with stories).
    pub fn period_neighbours(&self, index: usize) -> (Option<&PeriodListing>, Option<&PeriodListing>) {
        let this = &self.listings.periods[index];
        let same = |listing: &&PeriodListing| listing.period.same_kind(&this.period);
        let before = index.checked_sub(1).and_then(|i| self.listings.periods.get(i)).filter(same);
        (before, self.listings.periods.get(index + 1).filter(same))
    }

    /// The dateline places, by slug.
    pub fn places(&self) -> &[PlaceListing] {
        &self.listings.places
    }

    /// The stories on page `page` (see [`Paging`]) of place `index`.
    pub fn place_page(&self, index: usize, page: usize) -> &[usize] {
        self.listings.places[index].page(page)
    }

    /// How the pages of place `index` are cut.
    pub fn place_paging(&self, index: usize) -> Paging {
        self.listings.places[index].paging
    }

    /// The stories of place `index`'s feed, newest first.
    pub fn place_feed(&self, index: usize) -> &[usize] {
        let stories = &self.listings.places[index].stories;
        &stories[..stories.len().min(self.feed_length)]
    }

    /// The stories of `news-sitemap.xml`, newest first.
    pub fn news_stories(&self) -> &[usize] {
        &self.listings.news
    }

    /// The site's language, as the search indexes are built for it.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The search shards, oldest month first.
    pub fn search_shards(&self) -> &[SearchShard] {
        &self.listings.search_shards
    }

    /// The time a sitemap gives for index page `page`: the newest
    /// significant update of its stories; none without stories.
    pub fn index_page_lastmod(&self, page: usize) -> Option<DateTime<FixedOffset>> {
        self.index_page(page).iter().map(Story::significant_update).max()
    }

    /// The `lastmod` of sitemap `index` in `sitemap.xml`: the newest of its
    /// entries'.
    pub fn sitemap_lastmod(&self, index: usize) -> Option<DateTime<FixedOffset>> {
        match &self.listings.sitemaps[index].urls {
            SitemapUrls::IndexPages(pages) => pages.clone().filter_map(|page| self.index_page_lastmod(page)).max(),
            SitemapUrls::Stories(stories) => {
                stories.iter().map(|&story| self.stories[story].significant_update()).max()
            }
        }
    }

    fn site_documents_planned(&self, site: u64, story_digests: &[u64]) -> Vec<Planned> {
        let paging = self.index_paging;
        let mut documents: Vec<Planned> = paging
            .pages()
            .map(|page| {
                let mut digest = Digest::document(site, "index");
                digest.paging(paging, page);
                for story in paging.range(page) {
                    digest.word(self.listing_digests[story]);
                }
                let path = paths::page_file(&paths::index_dir(page));
                Planned { document: Document::Index { page }, path, digest: digest.finish() }
            })
            .collect();
        documents.push(Planned {
            document: Document::NotFound,
            path: paths::NOT_FOUND.into(),
            digest: Digest::document(site, "404").finish(),
        });
        documents.extend(self.sitemaps_planned(site));
        let newest_archive = self.listings.archives.last().map(ArchivePart::path).unwrap_or_default();
        let feed_digest = |kind: &str| {
            let mut digest = Digest::document(site, kind);
            for index in self.feed_stories.clone() {
                digest.word(story_digests[index]);
            }
            digest
        };
        let mut atom = feed_digest("atom");
        atom.text(&newest_archive);
        documents.push(Planned { document: Document::Atom, path: paths::ATOM.into(), digest: atom.finish() });
        documents.push(Planned {
            document: Document::Rss,
            path: paths::RSS.into(),
            digest: feed_digest("rss").finish(),
        });
        documents.push(Planned {
            document: Document::Json,
            path: paths::JSON.into(),
            digest: feed_digest("json").finish(),
        });
        let mut changes = Digest::document(site, "changes");
        for &(story, n) in &self.listings.changes {
            changes.word(story_digests[story]).number(n);
        }
        documents.push(Planned { document: Document::Changes, path: paths::CHANGES.into(), digest: changes.finish() });
        for (index, part) in self.listings.archives.iter().enumerate() {
            let mut digest = Digest::document(site, "archive");
            // The path names the year, month and part, and so the title.
            digest.text(&part.path());
            // Its `prev-archive` and `next-archive` links.
            let neighbour = |i: Option<usize>| i.and_then(|i| self.listings.archives.get(i)).map(ArchivePart::path);
            digest.text(&neighbour(index.checked_sub(1)).unwrap_or_default());
            digest.text(&neighbour(Some(index + 1)).unwrap_or_default());
            for &story in &part.stories {
                digest.word(story_digests[story]);
            }
            documents.push(Planned {
                document: Document::Archive { index },
                path: part.path(),
                digest: digest.finish(),
            });
        }
        documents.extend(self.listings_planned(site, story_digests));
        documents
    }

    /// The date archives, the places, the news sitemap, the subscribe page
    /// and the host configuration. A listing page shows of each story what
    /// the index shows ([`listing_digest`]); a place feed carries its
    /// stories' entries ([`story_digest`]).
    fn listings_planned(&self, site: u64, story_digests: &[u64]) -> Vec<Planned> {
        let mut documents = self.periods_planned(site);
        documents.extend(self.places_planned(site, story_digests));
        let mut news = Digest::document(site, "news-sitemap");
        for &story in &self.listings.news {
            news.word(self.listing_digests[story]);
        }
        documents.push(planned(Document::NewsSitemap, paths::NEWS_SITEMAP.into(), news));
        let fixed = |kind: &str| Digest::document(site, kind);
        documents.push(planned(Document::Subscribe, paths::page_file(paths::SUBSCRIBE_DIR), fixed("subscribe")));
        for (feed, (name, _)) in paths::SUBSCRIBABLE_FEEDS.iter().enumerate() {
            let path = paths::page_file(&paths::subscribe_dir(name));
            documents.push(planned(Document::SubscribeFeed { feed }, path, fixed("subscribe-feed")));
        }
        documents.push(planned(Document::Stylesheet, paths::STYLESHEET.into(), fixed("stylesheet")));
        documents.push(planned(Document::HostHeaders, paths::HOST_HEADERS.into(), fixed("headers")));
        documents.push(planned(Document::HostRedirects, paths::HOST_REDIRECTS.into(), fixed("redirects")));
        documents
    }

    /// Every page of the date archives, then `datum/`. A period page shows
    /// its stories, its count and links to its neighbours.
    fn periods_planned(&self, site: u64) -> Vec<Planned> {
        let mut documents = Vec::new();
        for (index, listing) in self.listings.periods.iter().enumerate() {
            let (before, after) = self.period_neighbours(index);
            for page in listing.paging.pages() {
                let path = paths::page_file(&listing.page_dir(page));
                let mut digest = Digest::document(site, "period");
                digest.text(&path).paging(listing.paging, page);
                if page == 0 {
                    digest.number(listing.stories.len()); // only the first page shows the count
                }
                digest.text(&before.map(|l| l.period.dir()).unwrap_or_default());
                digest.text(&after.map(|l| l.period.dir()).unwrap_or_default());
                for &story in self.period_page(index, page) {
                    digest.word(self.listing_digests[story]);
                }
                documents.push(planned(Document::Period { index, page }, path, digest));
            }
        }
        let mut dates = Digest::document(site, "dates");
        for listing in self.listings.periods.iter().filter(|l| !matches!(l.period, Period::Day(..))) {
            dates.text(&listing.period.dir()).number(listing.stories.len());
        }
        documents.push(planned(Document::Dates, paths::page_file(paths::DATES_DIR), dates));
        documents
    }

    /// Every place's pages and feed, then `ort/`.
    fn places_planned(&self, site: u64, story_digests: &[u64]) -> Vec<Planned> {
        let mut documents = Vec::new();
        let mut places = Digest::document(site, "places");
        for (index, place) in self.listings.places.iter().enumerate() {
            places.text(&place.slug).text(&place.name).number(place.stories.len());
            let paging = self.place_paging(index);
            for page in paging.pages() {
                let path = paths::page_file(&place.page_dir(page));
                let mut digest = Digest::document(site, "place");
                digest.text(&path).text(&place.name).paging(paging, page);
                if page == 0 {
                    digest.number(place.stories.len()); // only the first page shows the count
                }
                for &story in self.place_page(index, page) {
                    digest.word(self.listing_digests[story]);
                }
                documents.push(planned(Document::Place { index, page }, path, digest));
            }
            let mut feed = Digest::document(site, "place-feed");
            feed.text(&place.slug).text(&place.name);
            for &story in self.place_feed(index) {
                feed.word(story_digests[story]);
            }
            documents.push(planned(Document::PlaceFeed { index }, paths::place_feed_file(&place.slug), feed));
        }
        documents.push(planned(Document::Places, paths::page_file(paths::PLACES_DIR), places));
        if self.search {
            documents.extend(self.search_planned(site, story_digests));
        }
        documents
    }

    /// The search page, Pagefind's interface files and one index per month.
    /// The page lists the shards with their story counts. A shard holds
    /// the latest text of its stories, so its digest follows their digests
    /// and the site's language (Pagefind's stemmer), not the templates: a
    /// new story or version re-indexes its month only.
    fn search_planned(&self, site: u64, story_digests: &[u64]) -> Vec<Planned> {
        let mut page = Digest::document(site, "search");
        page.number(self.listings.search_shards.len());
        for shard in &self.listings.search_shards {
            page.text(&shard.dir()).number(shard.stories.len());
        }
        let path = paths::page_file(paths::SEARCH_DIR);
        let mut documents = vec![Planned { document: Document::Search, path, digest: page.finish() }];
        documents.push(Planned {
            document: Document::SearchScript,
            path: paths::SEARCH_SCRIPT.into(),
            digest: Digest::document(site, "search-script").finish(),
        });
        for (file, name) in paths::SEARCH_UI_FILES.iter().enumerate() {
            let mut digest = Digest::new();
            digest.text("search-ui").text(name);
            let path = format!("{}{name}", paths::SEARCH_UI_DIR);
            documents.push(Planned { document: Document::SearchUi { file }, path, digest: digest.finish() });
        }
        for (index, shard) in self.listings.search_shards.iter().enumerate() {
            let mut digest = Digest::new();
            digest.text("search-shard").text(&self.language).text(&shard.dir()).number(shard.stories.len());
            for &story in &shard.stories {
                digest.word(story_digests[story]);
            }
            let path = paths::search_shard_entry(&shard.dir());
            documents.push(Planned { document: Document::SearchShard { index }, path, digest: digest.finish() });
        }
        documents
    }

    /// `sitemap.xml` and its sitemaps. A sitemap shows its entries' URLs and
    /// `lastmod` times, so its digest holds their paths and times (the base
    /// URL is in the site digest); the index shows each sitemap's path and
    /// `lastmod`. A story's new significant version thus touches its month's
    /// sitemap, the index and, as the index pages' time moves, the index
    /// pages' sitemap, and no other.
    fn sitemaps_planned(&self, site: u64) -> Vec<Planned> {
        let time = |time: Option<DateTime<FixedOffset>>| time.map(|t| t.to_rfc3339()).unwrap_or_default();
        let mut index = Digest::document(site, "sitemap");
        index.number(self.listings.sitemaps.len());
        let mut documents = Vec::with_capacity(self.listings.sitemaps.len() + 1);
        for (i, part) in self.listings.sitemaps.iter().enumerate() {
            let mut digest = Digest::document(site, "sitemap-part");
            digest.text(&part.path);
            // Each entry's time is found once, for this sitemap's digest and
            // (the newest) for the sitemap index's.
            let lastmod = match &part.urls {
                SitemapUrls::IndexPages(pages) => {
                    digest.text("index-pages").number(pages.start).number(pages.end);
                    let mut newest = None;
                    for page in pages.clone() {
                        let lastmod = self.index_page_lastmod(page);
                        digest.text(&time(lastmod));
                        newest = newest.max(lastmod);
                    }
                    newest
                }
                SitemapUrls::Stories(stories) => {
                    digest.text("stories").number(stories.len());
                    let mut newest = None;
                    for &story in stories {
                        let story = &self.stories[story];
                        let updated = story.significant_update();
                        digest.text(&story.path).time(&updated);
                        newest = newest.max(Some(updated));
                    }
                    newest
                }
            };
            index.text(&part.path).text(&time(lastmod));
            documents.push(Planned {
                document: Document::SitemapPart { index: i },
                path: part.path.clone(),
                digest: digest.finish(),
            });
        }
        documents
            .insert(0, Planned { document: Document::Sitemap, path: paths::SITEMAP.into(), digest: index.finish() });
        documents
    }
}

/// What the plan's listings hold, cut from the stories alone.
#[derive(Debug)]
struct Listings {
    /// The versions in `changes.xml` as (story, n), newest first.
    changes: Vec<(usize, usize)>,
    archives: Vec<ArchivePart>,
    sitemaps: Vec<SitemapPart>,
    /// The date archives: years, then months, then days, each oldest first.
    periods: Vec<PeriodListing>,
    /// The dateline places, by slug.
    places: Vec<PlaceListing>,
    /// The stories of `news-sitemap.xml`, newest first.
    news: Vec<usize>,
    /// Oldest month first; none without search.
    search_shards: Vec<SearchShard>,
}

impl Listings {
    /// Every listing of `stories`, the independent ones side by side.
    fn of(stories: &[Story], config: &Config, index_paging: Paging) -> Listings {
        // Archives, sitemaps and search shards all go by month.
        let by_month = months(stories);
        let index_pages = index_paging.older_pages() + 1;
        let ((periods, places), (changes, news)) = rayon::join(
            || {
                rayon::join(
                    || listings::periods(stories, config.page_size),
                    || listings::places(stories, config.page_size),
                )
            },
            || rayon::join(|| newest_versions(stories, config.feed_length), || listings::news_stories(stories)),
        );
        Listings {
            changes,
            archives: archive_parts(&by_month, ARCHIVE_PART_SIZE),
            sitemaps: sitemap_parts(&by_month, index_pages, SITEMAP_URL_LIMIT),
            periods,
            places,
            news,
            search_shards: if config.search { search_shards(&by_month) } else { Vec::new() },
        }
    }
}

/// A planned document with its finished digest.
fn planned(document: Document, path: String, digest: Digest) -> Planned {
    Planned { document, path, digest: digest.finish() }
}

/// A story's page, then per version its original and its page, then its
/// diff pages. Pages of a story all show its whole history (the version
/// list, the corrections), so each depends on every version.
fn story_documents(index: usize, story: &Story, site: u64, history: u64) -> Vec<Planned> {
    let page = |document: Document, path: String, numbers: &[usize]| {
        let mut digest = Digest::document(site, "story");
        digest.word(history).text(&path);
        for &number in numbers {
            digest.number(number);
        }
        Planned { document, path, digest: digest.finish() }
    };
    let mut documents = vec![
        page(Document::Story { story: index }, paths::page_file(&story.path), &[]),
        page(Document::StoryJson { story: index }, paths::story_json_file(&story.path), &[]),
    ];
    for version in &story.versions {
        let n = version.n;
        // The original's bytes are its only input: no template or setting
        // changes them.
        let path = paths::source_file(&story.path, n);
        let mut digest = Digest::new();
        digest.text("source").text(&path).word(version.digests.original);
        documents.push(Planned { document: Document::Source { story: index, n }, path, digest: digest.finish() });
        let path = paths::page_file(&paths::version_dir(&story.path, n));
        documents.push(page(Document::Version { story: index, n }, path, &[n]));
    }
    for (old, new) in diff_pairs(story) {
        let path = paths::page_file(&paths::diff_dir(&story.path, old, new));
        documents.push(page(Document::Diff { story: index, old, new }, path, &[old, new]));
    }
    documents
}

/// How many HTML pages a story has: its page, its versions' pages and its
/// diff pages (besides its `story.json` and its versions' originals).
fn story_pages(story: &Story) -> usize {
    1 + story.versions.len() + diff_pair_count(story.versions.len())
}

/// How many pairs [`diff_pairs`] gives for a story of `versions` versions,
/// counted without listing them (a rebuild counts every story's documents).
fn diff_pair_count(versions: usize) -> usize {
    versions.saturating_sub(1) + usize::from(versions > 2)
}

/// The pairs of versions that get a diff page: each version against the one
/// before it, and the first against the latest when versions lie between.
pub fn diff_pairs(story: &Story) -> Vec<(usize, usize)> {
    let latest = story.versions.len();
    let mut pairs: Vec<(usize, usize)> = (1..latest).map(|n| (n, n + 1)).collect();
    if latest > 2 {
        pairs.push((1, latest));
    }
    pairs
}

/// The `count` newest versions of all stories as (story, n), newest first;
/// versions of the same instant by story id, then by number.
fn newest_versions(stories: &[Story], count: usize) -> Vec<(usize, usize)> {
    let mut versions: Vec<(usize, &Version)> =
        stories.iter().enumerate().flat_map(|(i, story)| story.versions.iter().map(move |v| (i, v))).collect();
    let newest_first = |a: &(usize, &Version), b: &(usize, &Version)| {
        b.1.head
            .timestamp
            .cmp(&a.1.head.timestamp)
            .then_with(|| stories[a.0].id.cmp(&stories[b.0].id))
            .then_with(|| b.1.n.cmp(&a.1.n))
    };
    // Only the newest `count` are sorted (the order is total: a story's id
    // and a version's number are unique).
    if versions.len() > count {
        versions.select_nth_unstable_by(count, newest_first);
        versions.truncate(count);
    }
    versions.sort_by(newest_first);
    versions.into_iter().map(|(story, version)| (story, version.n)).collect()
}

/// The archive documents, oldest first: per month of a story's first
/// version (Berlin time, as in its URL, so a story never moves), its stories
/// in order of publication, `part_size` a document. Since stories are split
/// in the order they were first published, a month's earlier parts stay as
/// they are when later stories arrive.
fn archive_parts(by_month: &Months, part_size: usize) -> Vec<ArchivePart> {
    let mut parts = Vec::new();
    for (&(year, month), members) in by_month {
        for (index, chunk) in members.chunks(part_size).enumerate() {
            let newest_first = chunk.iter().rev().copied().collect();
            parts.push(ArchivePart { year, month, part: index + 1, stories: newest_first });
        }
    }
    parts
}

/// The stories (indexes) by month of their first version (Berlin time, as
/// in their URL), oldest month first, each month's in order of publication.
fn months(stories: &[Story]) -> Months {
    let mut months: BTreeMap<(i32, u32), Vec<usize>> = BTreeMap::new();
    for (index, story) in stories.iter().enumerate() {
        let published = story.published();
        months.entry((published.year(), published.month())).or_default().push(index);
    }
    for members in months.values_mut() {
        members.sort_by(|&a, &b| {
            let (a, b) = (&stories[a], &stories[b]);
            a.published().cmp(&b.published()).then_with(|| a.id.cmp(&b.id))
        });
    }
    months
}

/// Story indexes by (year, month), see [`months`].
type Months = BTreeMap<(i32, u32), Vec<usize>>;

/// One search shard per month of a story's first version, oldest first,
/// each month's stories in order of publication.
fn search_shards(by_month: &Months) -> Vec<SearchShard> {
    let shard =
        |(&(year, month), stories): (&(i32, u32), &Vec<usize>)| SearchShard { year, month, stories: stories.clone() };
    by_month.iter().map(shard).collect()
}

/// The sitemaps of `sitemap.xml`, at most `limit` URLs each: the
/// `index_pages` index pages (numbered from 0), then per month (oldest first) the story pages
/// of the stories first published in it, in order of publication, so that
/// a month's earlier parts stay as they are when later stories arrive.
/// Version and diff pages are not listed: a story's page shows its history.
fn sitemap_parts(by_month: &Months, index_pages: usize, limit: usize) -> Vec<SitemapPart> {
    let mut parts = Vec::new();
    let mut start = 0;
    while start < index_pages {
        let end = index_pages.min(start + limit);
        let path = paths::pages_sitemap_file(parts.len() + 1);
        parts.push(SitemapPart { path, urls: SitemapUrls::IndexPages(start..end) });
        start = end;
    }
    for (&(year, month), members) in by_month {
        for (index, chunk) in members.chunks(limit).enumerate() {
            let path = paths::month_sitemap_file(year, month, index + 1);
            parts.push(SitemapPart { path, urls: SitemapUrls::Stories(chunk.to_vec()) });
        }
    }
    parts
}

/// What every rendered document depends on: the program, the configuration
/// and every template (a template may include another).
fn site_digest(config: &Config, templates: &[(&str, &str)]) -> u64 {
    let mut digest = Digest::new();
    digest.text("depesche").text(env!("CARGO_PKG_VERSION"));
    digest.bytes(&serde_json::to_vec(config).expect("a configuration serialises"));
    digest.number(templates.len());
    for (name, source) in templates {
        digest.text(name).text(source);
    }
    digest.finish()
}

/// What all of a story's documents depend on: the site, the story
/// ([`story_digest`]) and each version's original bytes (published as they
/// are). Every document's path and digest follow from these.
fn story_key(site: u64, history: u64, story: &Story) -> u64 {
    let mut digest = Digest::document(site, "story documents");
    digest.word(history);
    for version in &story.versions {
        digest.word(version.digests.original);
    }
    digest.finish()
}

/// Everything of a story that its pages and feed entries show: its id and
/// folder, and every version's number, file fingerprint (in version ids) and
/// repaired text (which decides its parsed article: text, times, note,
/// dateline, trailer).
fn story_digest(story: &Story) -> u64 {
    let mut digest = Digest::new();
    digest.text(&story.id).text(&story.path).number(story.versions.len());
    for version in &story.versions {
        digest.number(version.n).text(&version.fingerprint);
        digest.word(version.digests.text);
    }
    digest.finish()
}

/// What an index page shows of a story: its folder, first and latest time,
/// number of versions and latest article (headline, places, note, teaser).
fn listing_digest(story: &Story) -> u64 {
    let mut digest = Digest::new();
    digest.text(&story.path).time(&story.published()).time(&story.updated());
    digest.number(story.versions.len()).word(story.latest().digests.text);
    digest.finish()
}

/// FNV-1a, 64 bit, over length-prefixed fields, so that `("ab", "c")` and
/// `("a", "bc")` differ.
#[derive(Debug, Clone, Copy)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Self {
        Digest::new()
    }
}

impl Digest {
    pub fn new() -> Digest {
        Digest(0xcbf2_9ce4_8422_2325)
    }

    /// A rendered document's digest: the site's, then what kind it is.
    fn document(site: u64, kind: &str) -> Digest {
        let mut digest = Digest::new();
        digest.word(site).text(kind);
        digest
    }

    fn raw(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Digest {
        self.raw(&(bytes.len() as u64).to_le_bytes());
        self.raw(bytes);
        self
    }

    pub fn text(&mut self, text: &str) -> &mut Digest {
        self.bytes(text.as_bytes())
    }

    pub fn number(&mut self, number: usize) -> &mut Digest {
        self.word(number as u64)
    }

    /// Page `page` of `paging` and the pages it links to.
    pub fn paging(&mut self, paging: Paging, page: usize) -> &mut Digest {
        let link = |page: Option<usize>| page.map_or(u64::MAX, |page| page as u64);
        self.number(page).word(link(paging.newer(page))).word(link(paging.older(page)))
    }

    pub fn word(&mut self, word: u64) -> &mut Digest {
        self.raw(&word.to_le_bytes());
        self
    }

    /// An instant with its offset (all that its RFC 3339 form shows),
    /// without formatting it.
    pub fn time(&mut self, time: &DateTime<FixedOffset>) -> &mut Digest {
        self.word(time.timestamp() as u64).number(time.timestamp_subsec_nanos() as usize);
        self.word(i64::from(time.offset().local_minus_utc()) as u64)
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stories::{Filed, group, newest_first};

    /// A file: headline, `DD.MM.YYYY - HH:MM:SS` with an optional note, text.
    fn file(headline: &str, stamp: &str, body: &str) -> Filed {
        let text = format!("{headline}\n{stamp}\nBERLIN (dpa-AFX) - {body}");
        Filed::from_text(&format!("{stamp}.txt"), &text)
    }

    fn stories(files: Vec<Filed>) -> Vec<Story> {
        let mut stories = group(&files, "example.org");
        newest_first(&mut stories);
        stories
    }

    const STRIKE: &str = "Ein Warnstreik legt den Flugbetrieb der Lufthansa lahm. Betroffen sind 100 000 Passagiere.";
    const MARKET: &str = "Der Dax schloss 0,5 Prozent höher bei 19 500 Punkten.";

    fn strike() -> Filed {
        file("Lufthansa: Streik", "07.02.2024 - 06:10:00", STRIKE)
    }

    fn strike_update(extra: &str) -> Filed {
        file("Lufthansa: Streik", "07.02.2024 - 09:35:00(neu: Details)", &format!("{STRIKE} {extra}"))
    }

    fn market() -> Filed {
        file("Aktien Frankfurt Schluss: Dax fester", "06.02.2024 - 17:45:00", MARKET)
    }

    /// The plan of `stories` for the built-in configuration with search on
    /// (so that the search documents are planned too).
    fn plan_of(stories: &[Story]) -> Plan<'_> {
        let config = Config { search: true, ..Config::embedded() };
        Plan::new(stories, &config, &[("story.html", "{{ body }}")])
    }

    /// The digest of the document at `path`.
    fn digest(plan: &Plan, path: &str) -> u64 {
        plan.documents().iter().find(|d| d.path == path).unwrap_or_else(|| panic!("no {path}")).digest
    }

    fn story_page(stories: &[Story], headline_start: &str) -> String {
        let story = stories.iter().find(|s| s.first().head.headline.starts_with(headline_start)).unwrap();
        paths::page_file(&story.path)
    }

    #[test]
    fn every_document_once_at_its_own_path() {
        let stories = stories(vec![strike(), strike_update("Verdi droht."), market()]);
        let plan = plan_of(&stories);
        let documents = plan.documents();
        let paths: std::collections::BTreeSet<&str> = documents.iter().map(|d| d.path.as_str()).collect();
        let kinds: std::collections::BTreeSet<Document> = documents.iter().map(|d| d.document).collect();
        assert_eq!(paths.len(), documents.len(), "unique paths");
        assert_eq!(kinds.len(), documents.len(), "each document once");
        // Two stories: page and JSON + 2 versions × (page, source) + 1 diff, and 2 + 2.
        let story_documents: usize = (0..stories.len()).map(|i| plan.story_documents(i).len()).sum();
        assert_eq!(story_documents, 7 + 4);
        for path in ["index.html", "404.html", "sitemap.xml", "atom.xml", "rss.xml", "feed.json", "changes.xml"] {
            assert!(paths.contains(path), "{path}");
        }
        assert!(paths.contains("archive/2024-02.xml"));
        assert!(paths.contains("sitemap/2024-02.xml"));
        assert!(paths.contains("sitemap/seiten.xml"));
        assert!(paths.contains("2024/02/07/lufthansa-streik/v/2/source.txt"));
        assert!(paths.contains("2024/02/07/lufthansa-streik/diff/1-2/index.html"));
        assert_eq!(
            plan.story_documents(0).len() + plan.story_documents(1).len() + plan.site_documents().len(),
            documents.len()
        );
    }

    #[test]
    fn a_story_digest_follows_its_versions() {
        let one = stories(vec![strike(), market()]);
        let two = stories(vec![strike(), strike_update("Verdi droht."), market()]);
        let changed = stories(vec![strike(), strike_update("Verdi droht mit mehr."), market()]);
        let again = stories(vec![market(), strike_update("Verdi droht."), strike()]);
        let page = story_page(&one, "Lufthansa");
        let version = "2024/02/07/lufthansa-streik/v/1/index.html";
        let (one, two, changed, again) = (plan_of(&one), plan_of(&two), plan_of(&changed), plan_of(&again));
        assert_ne!(digest(&one, &page), digest(&two, &page), "a version was added");
        assert_ne!(digest(&one, version), digest(&two, version), "version 1's page lists version 2");
        assert_ne!(digest(&two, &page), digest(&changed, &page), "a version's text changed");
        assert_eq!(digest(&two, &page), digest(&again, &page), "the same input, in another order");
        let diff = "2024/02/07/lufthansa-streik/diff/1-2/index.html";
        assert_ne!(digest(&two, diff), digest(&changed, diff));
        let source = "2024/02/07/lufthansa-streik/v/1/source.txt";
        assert_eq!(digest(&two, source), digest(&changed, source), "version 1's bytes did not change");
        let other = "2024/02/06/aktien-frankfurt-schluss-dax-fester/index.html";
        assert_eq!(digest(&one, other), digest(&changed, other), "another story's page is untouched");
        assert_ne!(digest(&two, "atom.xml"), digest(&changed, "atom.xml"));
        assert_eq!(digest(&two, "404.html"), digest(&changed, "404.html"));
    }

    #[test]
    fn an_index_page_digest_follows_its_stories() {
        let before = stories(vec![strike(), strike_update("Verdi droht."), market()]);
        let after = stories(vec![strike(), strike_update("Verdi droht mit mehr."), market()]);
        assert_ne!(digest(&plan_of(&before), "index.html"), digest(&plan_of(&after), "index.html"));
        let config = Config { page_size: 1, ..Config::embedded() };
        let small = |stories| Plan::new(stories, &config, &[]);
        let (before, after) = (small(&before), small(&after));
        assert_eq!(before.index_paging().older_pages(), 1);
        assert_ne!(digest(&before, "index.html"), digest(&after, "index.html"), "the Lufthansa story is newest");
        assert_eq!(digest(&before, "seite/1/index.html"), digest(&after, "seite/1/index.html"));
    }

    #[test]
    fn a_new_story_changes_the_first_index_page_only() {
        let bodies = ["Der Dax steigt.", "Die Bahn streikt.", "Airbus liefert.", "Der Ifo sinkt.", "Die Nato tagt."];
        let day = |n: usize| file(&format!("Meldung {n}"), &format!("{:02}.03.2024 - 10:00:00", n + 1), bodies[n - 1]);
        let four = stories((1..=4).map(day).collect());
        let five = stories((1..=5).map(day).collect());
        let config = Config { page_size: 2, ..Config::embedded() };
        let (four, five) = (Plan::new(&four, &config, &[]), Plan::new(&five, &config, &[]));
        assert_eq!((four.index_paging().older_pages(), five.index_paging().older_pages()), (1, 1));
        assert_eq!(digest(&four, "seite/1/index.html"), digest(&five, "seite/1/index.html"));
        assert_ne!(digest(&four, "index.html"), digest(&five, "index.html"));
        let headlines =
            |stories: &[Story]| stories.iter().map(|s| s.latest().head.headline.clone()).collect::<Vec<_>>();
        assert_eq!(headlines(five.index_page(0)), ["Meldung 5", "Meldung 4", "Meldung 3"]);
        assert_eq!(headlines(five.index_page(1)), ["Meldung 2", "Meldung 1"]);
    }

    #[test]
    fn templates_and_configuration_reach_every_rendered_document() {
        let stories = stories(vec![strike(), market()]);
        let config = Config { search: true, ..Config::embedded() };
        let plain = Plan::new(&stories, &config, &[("story.html", "a")]);
        let template = Plan::new(&stories, &config, &[("story.html", "b")]);
        let titled = Plan::new(&stories, &Config { title: "Ticker".into(), ..config.clone() }, &[("story.html", "a")]);
        for (a, b, c) in
            plain.documents().iter().zip(template.documents()).zip(titled.documents()).map(|((a, b), c)| (a, b, c))
        {
            assert_eq!(a.path, b.path);
            // An original's bytes, Pagefind's files and the search indexes
            // (Pagefind's output from the stories' text) use no template.
            if matches!(a.document, Document::Source { .. } | Document::SearchUi { .. } | Document::SearchShard { .. })
            {
                assert_eq!(a.digest, b.digest);
                assert_eq!(a.digest, c.digest);
            } else {
                assert_ne!(a.digest, b.digest, "{}", a.path);
                assert_ne!(a.digest, c.digest, "{}", a.path);
            }
        }
    }

    /// A rebuild skips a story whose key is unchanged without looking at its
    /// documents: whatever changes one of them must change the key.
    #[test]
    fn a_story_key_changes_whenever_one_of_its_documents_does() {
        let one = stories(vec![strike(), market()]);
        let two = stories(vec![strike(), strike_update("Verdi droht."), market()]);
        let changed = stories(vec![strike(), strike_update("Verdi droht mit mehr."), market()]);
        let mut original = two.clone();
        // The same repaired text from other bytes (another encoding, say).
        original.iter_mut().for_each(|story| story.versions[0].digests.original ^= 1);
        let mut repaired = two.clone();
        // Other repaired text from the same bytes (a better repair).
        repaired.iter_mut().for_each(|story| story.versions[0].digests.text ^= 1);
        let config = Config { search: true, ..Config::embedded() };
        let titled = Config { title: "Ticker".into(), ..config.clone() };
        let plans = [
            Plan::new(&one, &config, &[("story.html", "a")]),
            Plan::new(&two, &config, &[("story.html", "a")]),
            Plan::new(&changed, &config, &[("story.html", "a")]),
            Plan::new(&original, &config, &[("story.html", "a")]),
            Plan::new(&repaired, &config, &[("story.html", "a")]),
            Plan::new(&two, &config, &[("story.html", "b")]),
            Plan::new(&two, &titled, &[("story.html", "a")]),
        ];
        // Each story of each plan by its folder: its key and its documents.
        let keyed = |plan: &Plan| -> BTreeMap<String, (u64, Vec<Planned>)> {
            let stories = plan.stories().iter().enumerate();
            stories.map(|(i, story)| (story.path.clone(), (plan.story_key(i), plan.story_documents(i)))).collect()
        };
        let keyed: Vec<_> = plans.iter().map(keyed).collect();
        for a in &keyed {
            for b in &keyed {
                for (path, (key, documents)) in a {
                    let Some((other_key, other_documents)) = b.get(path) else { continue };
                    if key == other_key {
                        assert_eq!(documents, other_documents, "{path}: same key, other documents");
                    }
                }
            }
        }
        // Every variant gives the Lufthansa story a key of its own.
        let lufthansa: std::collections::BTreeSet<u64> =
            keyed.iter().map(|stories| stories["2024/02/07/lufthansa-streik/"].0).collect();
        assert_eq!(lufthansa.len(), plans.len());
    }

    #[test]
    fn a_search_shard_per_month_follows_its_stories_only() {
        let one = stories(vec![strike(), market(), january()]);
        let updated = stories(vec![strike(), strike_update("Verdi droht."), market(), january()]);
        let same = stories(vec![strike(), market(), january()]);
        let (one, updated) = (plan_of(&one), plan_of(&updated));
        let dirs: Vec<String> = one.search_shards().iter().map(SearchShard::dir).collect();
        assert_eq!(dirs, ["suche/index/2024-01/", "suche/index/2024-02/"]);
        assert_eq!(one.search_shards()[1].stories.len(), 2);
        let (jan_shard, feb_shard) =
            ("suche/index/2024-01/pagefind-entry.json", "suche/index/2024-02/pagefind-entry.json");
        assert_ne!(digest(&one, feb_shard), digest(&updated, feb_shard), "a new version is indexed");
        assert_eq!(digest(&one, jan_shard), digest(&updated, jan_shard), "another month is not indexed again");
        assert_eq!(
            digest(&one, "suche/index.html"),
            digest(&updated, "suche/index.html"),
            "the same months and counts"
        );
        let searched = Config { search: true, ..Config::embedded() };
        let retitled = Plan::new(&same, &Config { title: "Ticker".into(), ..searched.clone() }, &[]);
        assert_eq!(digest(&one, jan_shard), digest(&retitled, jan_shard), "the title is not in the index");
        let english = Config { language: "en".into(), ..searched };
        let english = Plan::new(&same, &english, &[]);
        assert_ne!(digest(&one, jan_shard), digest(&english, jan_shard), "another stemmer");
    }

    #[test]
    fn digests_are_stable() {
        // FNV-1a of the length as 8 bytes, then the bytes: the same on every
        // machine and with every Rust version.
        assert_eq!(Digest::new().text("depesche").finish(), 0x3b56_babb_b1f9_2a70);
        assert_ne!(Digest::new().text("ab").text("c").finish(), Digest::new().text("a").text("bc").finish());
    }

    #[test]
    fn consecutive_pairs_and_first_against_latest() {
        let story = |count: usize| {
            let mut files = vec![strike()];
            files.extend((1..count).map(|i| {
                file("Lufthansa: Streik", &format!("07.02.2024 - 1{i}:00:00(neu: Details)"), &format!("{STRIKE} {i}."))
            }));
            stories(files).remove(0)
        };
        assert_eq!(diff_pairs(&story(1)), []);
        assert_eq!(diff_pairs(&story(2)), [(1, 2)]);
        assert_eq!(diff_pairs(&story(4)), [(1, 2), (2, 3), (3, 4), (1, 4)]);
        for count in 1..=5 {
            let story = story(count);
            assert_eq!(story.versions.len(), count);
            assert_eq!(diff_pair_count(count), diff_pairs(&story).len(), "{count} versions");
        }
    }

    /// Stories `Meldung 0` to `Meldung 4`, from 30 September to 4 October
    /// 2024, one a day, out of order.
    fn five_days_around_october() -> Vec<Story> {
        let stamps = ["03.10.2024", "01.10.2024", "02.10.2024", "30.09.2024", "04.10.2024"];
        let files = stamps
            .iter()
            .enumerate()
            .map(|(i, day)| file(&format!("Meldung {i}"), &format!("{day} - 10:00:00"), &format!("Text {i}.")))
            .collect();
        stories(files)
    }

    #[test]
    fn months_are_split_into_parts_in_publication_order() {
        let stories = five_days_around_october();
        let parts = archive_parts(&months(&stories), 2);
        let paths: Vec<String> = parts.iter().map(ArchivePart::path).collect();
        assert_eq!(paths, ["archive/2024-09.xml", "archive/2024-10.xml", "archive/2024-10-teil-2.xml"]);
        let headlines = |part: &ArchivePart| -> Vec<String> {
            part.stories.iter().map(|&i| stories[i].first().head.headline.clone()).collect()
        };
        assert_eq!(headlines(&parts[1]), ["Meldung 2", "Meldung 1"], "1 and 2 October, newest first");
        assert_eq!(headlines(&parts[2]), ["Meldung 4", "Meldung 0"], "3 and 4 October");
    }

    fn january() -> Filed {
        file("Bahn: Tarifeinigung", "15.01.2024 - 12:00:00", "Die Bahn und die GDL haben sich geeinigt.")
    }

    #[test]
    fn one_sitemap_per_month_split_at_the_limit() {
        let stories = five_days_around_october();
        let parts = sitemap_parts(&months(&stories), 3, 2);
        let paths: Vec<&str> = parts.iter().map(|part| part.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "sitemap/seiten.xml",
                "sitemap/seiten-2.xml",
                "sitemap/2024-09.xml",
                "sitemap/2024-10.xml",
                "sitemap/2024-10-2.xml"
            ]
        );
        assert_eq!(parts[0].urls, SitemapUrls::IndexPages(0..2));
        assert_eq!(parts[1].urls, SitemapUrls::IndexPages(2..3));
        let headlines = |part: &SitemapPart| -> Vec<String> {
            let SitemapUrls::Stories(members) = &part.urls else { panic!("{} lists no stories", part.path) };
            members.iter().map(|&i| stories[i].first().head.headline.clone()).collect()
        };
        assert_eq!(headlines(&parts[2]), ["Meldung 3"]);
        assert_eq!(headlines(&parts[3]), ["Meldung 1", "Meldung 2"], "1 and 2 October, in order of publication");
        assert_eq!(headlines(&parts[4]), ["Meldung 0", "Meldung 4"], "3 and 4 October");
        // Below the limit, one sitemap per month and one for the index pages.
        let paths: Vec<String> =
            sitemap_parts(&months(&stories), 3, SITEMAP_URL_LIMIT).into_iter().map(|p| p.path).collect();
        assert_eq!(paths, ["sitemap/seiten.xml", "sitemap/2024-09.xml", "sitemap/2024-10.xml"]);
        // Every sitemap is a document of the plan; `sitemap.xml` lists them.
        let plan = plan_of(&stories);
        for (index, part) in plan.sitemaps().iter().enumerate() {
            let planned = plan.site_documents().iter().find(|d| d.path == part.path).unwrap();
            assert_eq!(planned.document, Document::SitemapPart { index });
        }
        assert_eq!(
            plan.sitemap_lastmod(2).unwrap().to_rfc3339(),
            "2024-10-04T10:00:00+02:00",
            "the newest entry's time"
        );
    }

    #[test]
    fn a_month_sitemap_digest_follows_its_stories_significant_versions() {
        let sitemap = "sitemap/2024-02.xml";
        let other_month = "sitemap/2024-01.xml";
        let pages = "sitemap/seiten.xml";
        let repeat = || file("Lufthansa: Streik", "07.02.2024 - 11:00:00(Wiederholung)", STRIKE);
        let one = stories(vec![strike(), market(), january()]);
        let updated = stories(vec![strike(), strike_update("Verdi droht."), market(), january()]);
        let repeated = stories(vec![strike(), repeat(), market(), january()]);
        let january_updated = stories(vec![
            strike(),
            market(),
            january(),
            file(
                "Bahn: Tarifeinigung",
                "15.01.2024 - 14:00:00(neu: Details)",
                "Die Bahn und die GDL haben sich geeinigt. Die Streiks enden.",
            ),
        ]);
        assert_eq!(repeated.len(), 3, "the repeat is a version of the strike story");
        assert_eq!(january_updated.len(), 3, "the update is a version of the January story");
        let (one, updated, repeated, january_updated) =
            (plan_of(&one), plan_of(&updated), plan_of(&repeated), plan_of(&january_updated));
        assert_ne!(digest(&one, sitemap), digest(&updated, sitemap), "a significant version");
        assert_ne!(digest(&one, "sitemap.xml"), digest(&updated, "sitemap.xml"), "the month's lastmod moved");
        assert_ne!(digest(&one, pages), digest(&updated, pages), "the index pages' lastmod moved");
        assert_eq!(digest(&one, other_month), digest(&updated, other_month), "another month's story changed");
        assert_eq!(digest(&one, sitemap), digest(&repeated, sitemap), "a repeat is no significant version");
        assert_eq!(digest(&one, "sitemap.xml"), digest(&repeated, "sitemap.xml"));
        assert_ne!(digest(&one, other_month), digest(&january_updated, other_month));
        assert_eq!(digest(&one, sitemap), digest(&january_updated, sitemap), "another month's story changed");
        assert_ne!(digest(&one, "sitemap.xml"), digest(&january_updated, "sitemap.xml"));
        assert_eq!(digest(&one, pages), digest(&january_updated, pages), "not the newest update");
        let based = Plan::new(
            &[],
            &Config { base_url: "https://other.example/".into(), ..Config::embedded() },
            &[("story.html", "{{ body }}")],
        );
        assert_ne!(digest(&plan_of(&[]), "sitemap.xml"), digest(&based, "sitemap.xml"), "the base URL");
    }

    #[test]
    fn date_archives_hold_each_story_under_its_first_day_newest_first() {
        let stories = five_days_around_october();
        let config = Config { page_size: 2, ..Config::embedded() };
        let plan = Plan::new(&stories, &config, &[]);
        let headlines = |indexes: &[usize]| -> Vec<String> {
            indexes.iter().map(|&i| stories[i].first().head.headline.clone()).collect()
        };
        let dirs: Vec<String> = plan.periods().iter().map(|l| l.period.dir()).collect();
        assert_eq!(
            dirs,
            [
                "2024/",
                "2024/09/",
                "2024/10/",
                "2024/09/30/",
                "2024/10/01/",
                "2024/10/02/",
                "2024/10/03/",
                "2024/10/04/"
            ]
        );
        let october = dirs.iter().position(|d| d == "2024/10/").unwrap();
        assert_eq!(plan.periods()[october].paging.older_pages(), 1);
        assert_eq!(headlines(plan.period_page(october, 0)), ["Meldung 4", "Meldung 0"]);
        assert_eq!(headlines(plan.period_page(october, 1)), ["Meldung 2", "Meldung 1"]);
        let (before, after) = plan.period_neighbours(october);
        assert_eq!(before.map(|l| l.period.dir()).as_deref(), Some("2024/09/"));
        assert!(after.is_none(), "no later month, and a day is no neighbour of a month");
        let first_day = dirs.iter().position(|d| d == "2024/09/30/").unwrap();
        let (before, after) = plan.period_neighbours(first_day);
        assert!(before.is_none(), "a month is no neighbour of a day");
        assert_eq!(after.map(|l| l.period.dir()).as_deref(), Some("2024/10/01/"));
        // Five stories in 2024: three on the first page, the oldest two on an older page.
        for page in ["2024/index.html", "2024/seite/1/index.html", "2024/10/04/index.html"] {
            assert!(plan.documents().iter().any(|d| d.path == page), "{page}");
        }
        assert!(!plan.documents().iter().any(|d| d.path.starts_with("2024/seite/2/")));
    }

    #[test]
    fn a_revision_touches_its_own_archive_pages_and_places_only() {
        let before = stories(vec![strike(), market(), january()]);
        let after = stories(vec![strike(), strike_update("Verdi droht."), market(), january()]);
        let (before, after) = (plan_of(&before), plan_of(&after));
        for path in ["2024/02/07/index.html", "2024/02/index.html", "2024/index.html", "ort/berlin/atom.xml"] {
            assert_ne!(digest(&before, path), digest(&after, path), "{path} lists the revised story");
        }
        for path in ["2024/02/06/index.html", "2024/01/15/index.html", "2024/01/index.html", "datum/index.html"] {
            assert_eq!(digest(&before, path), digest(&after, path), "{path} does not show it");
        }
        assert_eq!(digest(&before, "abonnieren/index.html"), digest(&after, "abonnieren/index.html"));
        assert_eq!(digest(&before, "_headers"), digest(&after, "_headers"));
        // A new day between two others changes their links to it.
        let between = stories(vec![
            strike(),
            market(),
            january(),
            file("Bahn: Streik beendet", "01.02.2024 - 12:00:00", "Die Züge fahren wieder nach Plan."),
        ]);
        let between = plan_of(&between);
        assert_ne!(digest(&before, "2024/01/15/index.html"), digest(&between, "2024/01/15/index.html"));
        assert_ne!(digest(&before, "2024/02/06/index.html"), digest(&between, "2024/02/06/index.html"));
        assert_eq!(digest(&before, "2024/02/07/index.html"), digest(&between, "2024/02/07/index.html"));
        assert_ne!(digest(&before, "datum/index.html"), digest(&between, "datum/index.html"), "February's count");
    }

    #[test]
    fn the_news_sitemap_reaches_two_days_back_from_the_newest_story_and_holds_at_most_a_thousand() {
        let recent: Vec<Filed> = (0..NEWS_SITEMAP_LIMIT + 5)
            .map(|i| {
                let (hour, minute, second) = (i / 3600, i / 60 % 60, i % 60);
                let stamp = format!("10.03.2024 - {:02}:{minute:02}:{second:02}", 10 + hour);
                file(&format!("Meldung {i}"), &stamp, &format!("Text {i} für die Leser."))
            })
            .collect();
        let many = stories(recent);
        let plan = plan_of(&many);
        let news = plan.news_stories();
        assert_eq!(news.len(), NEWS_SITEMAP_LIMIT);
        let published = |i: usize| many[i].published();
        assert!(news.windows(2).all(|w| published(w[0]) >= published(w[1])), "newest first");
        assert_eq!(many[news[0]].first().head.headline, format!("Meldung {}", NEWS_SITEMAP_LIMIT + 4));
        let edge = |stamp: &str| {
            let files = vec![
                file("Neueste", "10.03.2024 - 12:00:00", "Die neueste Meldung."),
                file("Am Rand", stamp, "Eine ältere Meldung."),
            ];
            let grouped = stories(files);
            plan_of(&grouped).news_stories().len()
        };
        assert_eq!(edge("08.03.2024 - 12:00:00"), 2, "exactly two days older");
        assert_eq!(edge("08.03.2024 - 11:59:59"), 1, "a second more");
    }
}
