//! depesche's integration tests: whole input folders built with the real
//! binary, checked the way a user (or a feed reader) would check them.

mod browser;
mod build;
mod external;
mod feedreader;
mod feeds;
mod rejects;
mod stories;
mod support;
mod templates;
