//! Which changes `depesche serve` rebuilds for: anything under the input
//! folder or the template folder, and the configuration file.
//!
//! The watcher (notify, through its debouncer, so that a save that writes
//! a file in several steps is one change) looks at the input folder and the
//! template folder recursively and at the configuration's folder alone, so
//! a template folder or configuration made after the start is seen too.
//! Every event is checked against what the build reads: the served output
//! and anything else beside the configuration never start a build.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// How long the watcher waits for a burst of changes to end.
const SETTLE: Duration = Duration::from_millis(150);

/// What a build reads, as absolute paths.
#[derive(Debug, Clone)]
pub struct Watched {
    pub input: PathBuf,
    pub templates: PathBuf,
    /// The configuration file (which may not exist yet).
    pub config: PathBuf,
}

impl Watched {
    /// The absolute form of each path, as the watcher reports them.
    pub fn new(input: &Path, templates: &Path, config: &Path) -> Result<Watched> {
        Ok(Watched { input: absolute(input)?, templates: absolute(templates)?, config: absolute(config)? })
    }

    /// Whether a change at `path` can change what a build gives.
    pub fn concerns(&self, path: &Path) -> bool {
        path.starts_with(&self.input) || path.starts_with(&self.templates) || path == self.config
    }
}

/// `path` made absolute, with links resolved where it exists: the watcher
/// reports resolved paths.
fn absolute(path: &Path) -> Result<PathBuf> {
    if let Ok(path) = path.canonicalize() {
        return Ok(path);
    }
    let absolute = std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    match (absolute.parent().map(Path::canonicalize), absolute.file_name()) {
        (Some(Ok(parent)), Some(name)) => Ok(parent.join(name)),
        _ => Ok(absolute),
    }
}

/// A running watcher and the changes it reports.
pub struct Watcher {
    debouncer: Debouncer<notify_debouncer_full::notify::RecommendedWatcher, RecommendedCache>,
    events: Receiver<DebounceEventResult>,
    watched: Watched,
    templates_watched: bool,
}

impl Watcher {
    /// Start watching what `watched` names.
    pub fn start(watched: Watched) -> Result<Watcher> {
        let (sender, events) = std::sync::mpsc::channel();
        let debouncer = new_debouncer(SETTLE, None, sender).context("cannot watch for changes")?;
        let mut watcher = Watcher { debouncer, events, watched, templates_watched: false };
        let input = watcher.watched.input.clone();
        watcher
            .debouncer
            .watch(&input, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", input.display()))?;
        if let Some(folder) = watcher.watched.config.parent().map(Path::to_path_buf) {
            watcher
                .debouncer
                .watch(&folder, RecursiveMode::NonRecursive)
                .with_context(|| format!("cannot watch {}", folder.display()))?;
        }
        watcher.watch_templates();
        Ok(watcher)
    }

    /// Watch the template folder once it exists.
    fn watch_templates(&mut self) {
        if !self.templates_watched && self.watched.templates.is_dir() {
            self.templates_watched = self.debouncer.watch(&self.watched.templates, RecursiveMode::Recursive).is_ok();
        }
    }

    /// Wait for the next change that concerns the build; `None` when the
    /// watcher stopped. Changes that follow at once are taken together.
    pub fn next_change(&mut self) -> Option<Vec<PathBuf>> {
        loop {
            let mut changed = self.concerning(self.events.recv().ok()?);
            while let Ok(more) = self.events.try_recv() {
                changed.extend(self.concerning(more));
            }
            self.watch_templates();
            if !changed.is_empty() {
                changed.sort();
                changed.dedup();
                return Some(changed);
            }
        }
    }

    fn concerning(&self, result: DebounceEventResult) -> Vec<PathBuf> {
        let Ok(events) = result else { return Vec::new() };
        events
            .into_iter()
            .filter(|event| !matches!(event.kind, EventKind::Access(_)))
            .flat_map(|event| event.event.paths)
            .filter(|path| self.watched.concerns(path))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_build_reads_concerns_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("wire")).unwrap();
        let root = dir.path().canonicalize().unwrap();
        let watched =
            Watched::new(&dir.path().join("wire"), &dir.path().join("templates"), &dir.path().join("depesche.toml"))
                .unwrap();
        assert!(watched.concerns(&root.join("wire/2024/a.txt")));
        assert!(watched.concerns(&root.join("templates/story.html")), "a template folder made later");
        assert!(watched.concerns(&root.join("depesche.toml")));
        assert!(!watched.concerns(&root.join("public/index.html")));
        assert!(!watched.concerns(&root.join("depesche.toml~")));
        assert!(!watched.concerns(&root.join("wire-old/a.txt")));
    }
}
