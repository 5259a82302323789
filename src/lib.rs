//! depesche publishes German news-wire articles as feeds and a static archive.
//!
//! The modules follow the pipeline in the order data flows through it:
//! [`source`] finds and reads the files (each once), [`decode`] turns bytes
//! into text, [`repair`] undoes mojibake, [`parse`] reads an article's
//! structure, [`stories`] groups versions into stories, [`plan`] lists every
//! document of the site with its path and the digest of its inputs,
//! [`diff`] compares versions, [`render`] turns each planned document into
//! bytes (a story's history computed once for all its documents) and
//! [`output`] writes them. [`build`] runs the stages in order; [`cli`] is
//! the command line over it. Each stage takes and returns plain data.
//!
//! [`paths`] is the one place that makes site paths and URLs.
//!
//! Around the pipeline: [`report`] and [`diagnostics`] say what went wrong
//! (with stable codes, as text, JSON or GitHub annotations), [`progress`]
//! shows a long run's progress on a terminal, [`serve`] previews the site
//! over HTTP and rebuilds on changes, [`websub`] tells a WebSub hub which
//! feeds changed.

pub mod build;
pub mod cache;
pub mod cli;
pub mod config;
pub mod decode;
pub mod diagnostics;
pub mod diff;
pub mod memory;
pub mod output;
pub mod parse;
pub mod paths;
pub mod plan;
pub mod progress;
pub mod render;
pub mod repair;
pub mod report;
pub mod serve;
pub mod slug;
pub mod source;
pub mod store;
pub mod stories;
pub mod websub;
