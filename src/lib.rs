//! depesche publishes German news-wire articles as feeds and a static archive.
//!
//! The modules follow the pipeline in the order data flows through it:
//! [`source`] finds the files, [`decode`] turns bytes into text, [`repair`]
//! undoes mojibake, [`parse`] reads an article's structure, [`stories`] groups
//! versions into stories, [`diff`] compares versions, [`render`] turns stories into pages and feeds and
//! [`output`] writes them. [`build`] runs the stages in order; [`cli`] is the
//! command line over it. Each stage takes and returns plain data.

pub mod build;
pub mod cli;
pub mod config;
pub mod decode;
pub mod diff;
pub mod output;
pub mod parse;
pub mod render;
pub mod repair;
pub mod report;
pub mod slug;
pub mod source;
pub mod stories;
