//! depesche's integration tests: whole input folders built with the real
//! binary, checked the way a user (or a feed reader) would check them.

mod accounting;
mod browser;
mod build;
mod external;
mod feedreader;
mod feeds;
mod incremental;
mod nasty;
mod rejects;
mod scale;
mod search;
mod sitemap;
mod stories;
mod stories_moved;
mod support;
mod templates;
