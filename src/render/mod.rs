//! Stage 5: turn stories into documents: HTML pages from templates and the
//! feeds (Atom, RSS 2.0, JSON Feed).
//!
//! Rendering never parses and never writes: each function takes plain
//! stories and returns the text of one document, so the caller can write it
//! and drop it before rendering the next.

pub mod archive;
pub mod feeds;
pub mod history;
pub mod pages;
pub mod templates;
pub mod views;

pub use templates::Templates;
