//! depesche's integration tests: whole input folders built with the real
//! binary, checked the way a user (or a feed reader) would check them.

mod accounting;
mod archive;
mod browser;
mod build;
mod diagnostics;
mod external;
mod feedreader;
mod feeds;
mod incremental;
mod install;
mod nasty;
mod progress;
mod rejects;
mod scale;
mod search;
mod serve;
mod sitemap;
mod stories;
mod stories_moved;
mod support;
mod templates;
mod websub;
mod workflow;
