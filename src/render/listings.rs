//! The archive's listing pages: date archives (`YYYY/`, `YYYY/MM/`,
//! `YYYY/MM/DD/`) and their overview `datum/`, the dateline places
//! (`ort/<slug>/`, with their own Atom feeds) and their overview `ort/`,
//! the Google News sitemap and the subscribe page.
//!
//! Each function renders one document from what the plan lists; none
//! decides which stories a page holds, reads a story's text or writes.
//! Place feeds reuse `atom.xml`'s entries, so an entry's id is the same in
//! every feed.

use std::collections::BTreeMap;

use anyhow::Result;
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::Templates;
use super::feeds::{AtomDocument, FeedItem, atom_document, atom_entry, link};
use super::views::{ListItem, MONTHS, SiteView, pager};
use crate::config::Config;
use crate::paths;
use crate::plan::{Period, PeriodListing, Plan};

/// A link to another listing page, with its German label.
#[derive(Debug, Clone, Serialize)]
pub struct Neighbour {
    pub url: String,
    pub label: String,
}

/// `2024`, `Oktober 2024`, `28. Oktober 2024`.
pub fn period_name(period: &Period) -> String {
    match *period {
        Period::Year(year) => year.to_string(),
        Period::Month(year, month) => format!("{} {year}", MONTHS[month as usize - 1]),
        Period::Day(year, month, day) => format!("{day}. {} {year}", MONTHS[month as usize - 1]),
    }
}

/// The year and month above a period, for the way back up.
fn breadcrumbs(config: &Config, period: &Period) -> Vec<Neighbour> {
    let up = match *period {
        Period::Year(_) => vec![],
        Period::Month(year, _) => vec![Period::Year(year)],
        Period::Day(year, month, _) => vec![Period::Year(year), Period::Month(year, month)],
    };
    up.iter().map(|p| Neighbour { url: config.url(&p.dir()), label: period_name(p) }).collect()
}

fn items<'p>(config: &Config, plan: &'p Plan, indexes: &[usize]) -> Vec<ListItem<'p>> {
    indexes.iter().map(|&i| ListItem::new(&plan.stories()[i], config)).collect()
}

/// Page `page` of the date archive `plan.periods()[index]`.
pub fn period_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    plan: &Plan,
    index: usize,
    page: usize,
) -> Result<Vec<u8>> {
    let listing = &plan.periods()[index];
    let (before, after) = plan.period_neighbours(index);
    let neighbour = |l: Option<&PeriodListing>| {
        l.map(|l| Neighbour { url: config.url(&l.period.dir()), label: period_name(&l.period) })
    };
    let kind = match listing.period {
        Period::Year(_) => "year",
        Period::Month(..) => "month",
        Period::Day(..) => "day",
    };
    let period = context! {
        kind,
        name => period_name(&listing.period),
        url => config.url(&listing.page_dir(page)),
        // Only the first page shows the count: an older page stays as it is.
        count => (page == 0).then_some(listing.stories.len()),
        up => Serde(breadcrumbs(config, &listing.period)),
        previous => Serde(neighbour(before)),
        next => Serde(neighbour(after)),
    };
    let stories = items(config, plan, plan.period_page(index, page));
    let pager = pager(page, listing.paging, |n| listing.page_dir(n), config);
    templates.render_page("period.html", context! { site => site.value(), period, stories => Serde(stories), pager })
}

/// One year or month of `datum/`.
#[derive(Debug, Clone, Serialize)]
struct DateEntry {
    url: String,
    label: String,
    count: usize,
}

/// A year with its months, for `datum/`.
#[derive(Debug, Clone, Serialize)]
struct YearEntry {
    year: DateEntry,
    months: Vec<DateEntry>,
}

/// `datum/`: every year with stories, newest first, and its months.
pub fn dates_page(templates: &Templates, site: &SiteView, config: &Config, plan: &Plan) -> Result<Vec<u8>> {
    let entry = |listing: &PeriodListing| DateEntry {
        url: config.url(&listing.period.dir()),
        label: period_name(&listing.period),
        count: listing.stories.len(),
    };
    let mut years: BTreeMap<i32, YearEntry> = BTreeMap::new();
    for listing in plan.periods() {
        match listing.period {
            Period::Year(year) => {
                years.insert(year, YearEntry { year: entry(listing), months: Vec::new() });
            }
            // Years come first in the plan's periods, so a month finds its year.
            Period::Month(year, _) => years.get_mut(&year).expect("a month's year").months.push(entry(listing)),
            Period::Day(..) => {}
        }
    }
    let mut years: Vec<YearEntry> = years.into_values().rev().collect();
    years.iter_mut().for_each(|y| y.months.reverse());
    templates.render_page("dates.html", context! { site => site.value(), years => Serde(years) })
}

/// A place on `ort/`.
#[derive(Debug, Clone, Serialize)]
struct PlaceEntry<'a> {
    name: &'a str,
    url: String,
    count: usize,
}

/// `ort/`: every dateline place with its number of stories, by slug.
pub fn places_page(templates: &Templates, site: &SiteView, config: &Config, plan: &Plan) -> Result<Vec<u8>> {
    let places: Vec<PlaceEntry> = plan
        .places()
        .iter()
        .map(|p| PlaceEntry { name: &p.name, url: config.url(&paths::place_dir(&p.slug)), count: p.stories.len() })
        .collect();
    templates.render_page("places.html", context! { site => site.value(), places => Serde(places) })
}

/// Page `page` of place `plan.places()[index]`.
pub fn place_page(
    templates: &Templates,
    site: &SiteView,
    config: &Config,
    plan: &Plan,
    index: usize,
    page: usize,
) -> Result<Vec<u8>> {
    let place = &plan.places()[index];
    let view = context! {
        name => &place.name,
        url => config.url(&place.page_dir(page)),
        feed_url => config.url(&paths::place_feed_file(&place.slug)),
        // Only the first page shows the count: an older page stays as it is.
        count => (page == 0).then_some(place.stories.len()),
    };
    let stories = items(config, plan, plan.place_page(index, page));
    let pager = pager(page, plan.place_paging(index), |n| place.page_dir(n), config);
    templates
        .render_page("place.html", context! { site => site.value(), place => view, stories => Serde(stories), pager })
}

/// The Atom feed of place `plan.places()[index]`: its newest stories, with
/// the entries of `atom.xml`.
pub fn place_feed(config: &Config, plan: &Plan, index: usize, items: Vec<FeedItem>) -> Result<Vec<u8>> {
    let place = &plan.places()[index];
    let document = AtomDocument {
        title: format!("{} – Meldungen aus {}", config.title, place.name),
        self_url: config.url(&paths::place_feed_file(&place.slug)),
        links: vec![link("related", &config.url(&paths::place_dir(&place.slug)), "text/html")],
        archive: false,
    };
    let updated = items.iter().map(|item| item.story.significant_update()).max().unwrap_or_default();
    atom_document(config, document, items.into_iter().map(atom_entry).collect(), updated)
}

/// One story of `news-sitemap.xml`.
#[derive(Debug, Clone, Serialize)]
struct NewsEntry<'a> {
    url: String,
    title: &'a str,
    /// The first version's time (W3C datetime with offset).
    published: String,
}

/// `news-sitemap.xml`: the stories of the plan's [`Plan::news_stories`].
pub fn news_sitemap(templates: &Templates, config: &Config, plan: &Plan) -> Result<Vec<u8>> {
    let entries: Vec<NewsEntry> = plan
        .news_stories()
        .iter()
        .map(|&i| {
            let story = &plan.stories()[i];
            NewsEntry {
                url: config.url(&story.path),
                title: &story.latest().head.headline,
                published: story.published().to_rfc3339(),
            }
        })
        .collect();
    let publication = context! { name => &config.title, language => &config.language };
    templates.render_page("news-sitemap.xml", context! { entries => Serde(entries), publication })
}

/// A feed with a subscribe page: its name in `feed-name.html` and
/// `feed-about.html`, its address and its page.
#[derive(Debug, Clone, Serialize)]
struct SubscribableFeed {
    id: &'static str,
    url: String,
    page_url: String,
}

fn subscribable_feeds(config: &Config) -> Vec<SubscribableFeed> {
    paths::SUBSCRIBABLE_FEEDS
        .iter()
        .map(|&(id, file)| SubscribableFeed {
            id,
            url: config.url(file),
            page_url: config.url(&paths::subscribe_dir(id)),
        })
        .collect()
}

/// `abonnieren/`: what each feed carries and how to subscribe.
pub fn subscribe_page(templates: &Templates, site: &SiteView, config: &Config) -> Result<Vec<u8>> {
    let feeds = subscribable_feeds(config);
    templates.render_page("subscribe.html", context! { site => site.value(), feeds => Serde(feeds) })
}

/// `abonnieren/<feed>/`: one feed, what it carries, its address to copy.
pub fn subscribe_feed_page(templates: &Templates, site: &SiteView, config: &Config, feed: usize) -> Result<Vec<u8>> {
    let feed = subscribable_feeds(config).swap_remove(feed);
    templates.render_page("subscribe-feed.html", context! { site => site.value(), feed => Serde(feed) })
}
