//! The search indexes: each story's latest headline and text as a Pagefind
//! record, a month's records as one Pagefind bundle (a search shard), and
//! Pagefind's own interface files, all made by the `pagefind` crate in
//! memory.
//!
//! A shard is built from records handed in (read from the text store, never
//! from the output folder) and returned as (file name, bytes) pairs: this
//! module never writes. Only what the search page loads is kept of a
//! bundle: the search script, its worker, the WebAssembly of the site's
//! language and the index itself; the interface files, the same in every
//! bundle, are kept once ([`ui_files`]).
//!
//! Pagefind's indexing is asynchronous; each call runs it to completion on
//! a runtime of its own, so callers stay synchronous.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::Templates;
use super::views::{MONTHS, SiteView, TimeView};
use crate::parse::Article;
use crate::paths;
use crate::plan::Plan;
use crate::stories::Story;

/// How many stories the first query searches, newest months first: the
/// shards of the newest months until they hold this many stories (at least
/// one shard). A query loads, per searched shard, its page list (some 9
/// bytes a story, compressed) and one chunk of its word index per word
/// (up to some 60 KiB), so this bounds what a first query fetches however
/// large the archive: with a month of 2,000 stories or more, the first
/// query searches that month alone. The reader extends the search to older
/// months in batches of twice the stories each time, or to all of them.
pub const SEARCH_BATCH_STORIES: usize = 2_000;

/// One shard as the search page lists it.
#[derive(Debug, Serialize)]
struct ShardView {
    /// The shard's folder relative to the search page: `index/2024-10/`.
    path: String,
    /// `Oktober 2024`.
    month: String,
    stories: usize,
}

/// The search page: the form, and the shards newest first for its script.
pub fn search_page(templates: &Templates, site: &SiteView, plan: &Plan) -> Result<Vec<u8>> {
    let shards: Vec<ShardView> = plan
        .search_shards()
        .iter()
        .rev()
        .map(|shard| ShardView {
            path: shard.dir().trim_start_matches(paths::SEARCH_DIR).to_string(),
            month: format!("{} {}", MONTHS[shard.month as usize - 1], shard.year),
            stories: shard.stories.len(),
        })
        .collect();
    let stories: usize = shards.iter().map(|shard| shard.stories).sum();
    // Links relative to the page, as the script finds the indexes.
    let relative = |path: &str| path.trim_start_matches(paths::SEARCH_DIR).to_string();
    let ui_script = relative(&format!("{}{}", paths::SEARCH_UI_DIR, paths::SEARCH_UI_FILES[0]));
    templates.render_page(
        "search.html",
        context! {
            site => site.value(),
            shards => Serde(&shards),
            stories,
            batch => SEARCH_BATCH_STORIES,
            ui_script,
            search_script => relative(paths::SEARCH_SCRIPT),
        },
    )
}

/// One story as the search finds and shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRecord {
    /// Site path of the story's folder, e.g. `2024/10/28/slug/`: the search
    /// page turns it into a link below the site's base path.
    pub url: String,
    /// The headline, the dateline's places and the text, one block a line.
    pub content: String,
    /// What a result shows: `title` (headline), `datum` (German date of the
    /// first version), `zeit` (its RFC 3339 time) and `ort` (places).
    pub meta: BTreeMap<String, String>,
}

impl SearchRecord {
    /// The record of `story` whose latest version is `latest`.
    pub fn of(story: &Story, latest: &Article) -> SearchRecord {
        let places = latest.dateline.as_ref().map(|d| d.places.join(", ")).unwrap_or_default();
        let mut content = String::with_capacity(latest.blocks.iter().map(|b| b.text().len() + 1).sum::<usize>() + 200);
        content.push_str(&latest.headline);
        content.push('\n');
        if !places.is_empty() {
            content.push_str(&places);
            content.push('\n');
        }
        for block in &latest.blocks {
            content.push_str(block.text());
            content.push('\n');
        }
        let published = TimeView::new(story.published());
        let meta = BTreeMap::from([
            ("title".to_string(), latest.headline.clone()),
            ("datum".to_string(), published.short),
            ("zeit".to_string(), published.iso),
            ("ort".to_string(), places),
        ]);
        SearchRecord { url: story.path.clone(), content, meta }
    }
}

/// The files of one search shard holding `records`, as (name within the
/// shard's folder, bytes), sorted by name. `language` picks Pagefind's
/// stemmer (`de`: `Regierungen` finds `Regierung`).
pub fn shard_files(language: &str, records: Vec<SearchRecord>) -> Result<Vec<(String, Vec<u8>)>> {
    let files = bundle(language, records)?;
    let wasm = entry_wasm(&files)?;
    Ok(files.into_iter().filter(|(name, _)| kept_in_shard(name, &wasm)).collect())
}

/// The WebAssembly files the bundle's entry names (one per language).
fn entry_wasm(files: &[(String, Vec<u8>)]) -> Result<Vec<String>> {
    let (_, entry) = files
        .iter()
        .find(|(name, _)| name == "pagefind-entry.json")
        .context("Pagefind wrote no pagefind-entry.json")?;
    let entry: serde_json::Value = serde_json::from_slice(entry).context("Pagefind's entry is not JSON")?;
    let languages = entry["languages"].as_object().map(|l| l.values().collect::<Vec<_>>()).unwrap_or_default();
    let wasm = languages.iter().map(|language| language["wasm"].as_str().unwrap_or("unknown"));
    Ok(wasm.map(|name| format!("wasm.{name}.pagefind")).collect())
}

/// Pagefind's modular interface, [`paths::SEARCH_UI_FILES`], as (name,
/// bytes): taken from a bundle the crate builds, so they are Pagefind's own
/// files at the version that built the indexes.
pub fn ui_files() -> Result<Vec<(String, Vec<u8>)>> {
    let record = SearchRecord { url: String::new(), content: "depesche".into(), meta: BTreeMap::new() };
    let files = bundle("de", vec![record])?;
    let ui: Vec<(String, Vec<u8>)> =
        files.into_iter().filter(|(name, _)| paths::SEARCH_UI_FILES.contains(&name.as_str())).collect();
    anyhow::ensure!(ui.len() == paths::SEARCH_UI_FILES.len(), "Pagefind wrote no {:?}", paths::SEARCH_UI_FILES);
    Ok(ui)
}

/// Whether a file of a Pagefind bundle belongs in a shard: the index, the
/// search script and worker, and the WebAssembly its entry names (loaded
/// from whichever shard the page opens first; the other languages' are
/// dropped).
fn kept_in_shard(name: &str, wasm: &[String]) -> bool {
    let top = !name.contains('/');
    let index = ["index/", "fragment/", "filter/"].iter().any(|folder| name.starts_with(folder));
    let own = name.ends_with(".pf_meta")
        || wasm.iter().any(|w| w == name)
        || matches!(name, "pagefind.js" | "pagefind-worker.js" | "pagefind-entry.json");
    index || (top && own)
}

/// Every file of a Pagefind bundle of `records`, sorted by name.
fn bundle(language: &str, records: Vec<SearchRecord>) -> Result<Vec<(String, Vec<u8>)>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("cannot start the search indexer")?;
    let files = runtime.block_on(async {
        let options = PagefindServiceConfig::builder().write_playground(false).build();
        let mut index = PagefindIndex::new(Some(options))?;
        for record in records {
            index
                .add_custom_record(record.url, record.content, language.to_string(), Some(record.meta), None, None)
                .await?;
        }
        index.get_files().await
    })?;
    let mut files: Vec<(String, Vec<u8>)> =
        files.into_iter().map(|file| (file.filename.to_string_lossy().replace('\\', "/"), file.contents)).collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: usize, text: &str) -> SearchRecord {
        let meta = BTreeMap::from([("title".to_string(), format!("Meldung {n}"))]);
        SearchRecord { url: format!("2024/10/0{n}/meldung-{n}/"), content: text.into(), meta }
    }

    fn records() -> Vec<SearchRecord> {
        (1..=60)
            .map(|n| record(n, &format!("Die Regierung {n} berät über Haushalt und Steuern. Wort{n} Zahl {}", n * 7)))
            .collect()
    }

    #[test]
    fn a_shard_is_the_same_bytes_every_time() {
        let first = shard_files("de", records()).unwrap();
        for _ in 0..3 {
            assert_eq!(shard_files("de", records()).unwrap(), first);
        }
        let names: Vec<&str> = first.iter().map(|(name, _)| name.as_str()).collect();
        for name in ["pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.de.pagefind"] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        assert!(names.iter().any(|n| n.ends_with(".pf_meta")));
        assert!(names.iter().any(|n| n.starts_with("fragment/")));
        assert!(!names.iter().any(|n| n.contains("-ui")), "interface files are kept once: {names:?}");
        assert!(!names.contains(&"wasm.unknown.pagefind"), "only the language's WebAssembly: {names:?}");
    }

    #[test]
    fn the_interface_files_come_from_pagefind() {
        let files = ui_files().unwrap();
        assert_eq!(files.len(), paths::SEARCH_UI_FILES.len());
        assert!(String::from_utf8_lossy(&files[0].1).contains("pagefind"));
    }
}
