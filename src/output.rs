//! Stage 7: write the site into the output folder, all or nothing.
//!
//! Output writes the bytes it is handed and nothing else: it never reads
//! the input folder (a version's original comes from what the reading stage
//! read, so a file changed since cannot publish bytes that were never
//! parsed) and never decides what a document holds.
//!
//! A build writes into a staging folder beside the output folder and swaps
//! it into place only when every file was written, so a failed build never
//! leaves a half-written site. Every path is checked: nothing can be written
//! outside the output folder, whatever a story's path holds. An existing
//! output folder is replaced only when depesche made it (it holds the marker
//! file), so a wrong `--output` cannot wipe somebody's folder.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};

/// Marks a folder as made by depesche.
pub const MARKER: &str = ".depesche-output";

/// An output folder being written.
pub struct Output {
    target: PathBuf,
    staging: PathBuf,
    files: AtomicUsize,
    pages: AtomicUsize,
}

impl Output {
    /// Prepare to write the site that will replace `target`.
    pub fn begin(target: &Path, input: &Path) -> Result<Output> {
        check_not_overlapping(target, input)?;
        check_replaceable(target)?;
        let staging = sibling(target, "staging")?;
        if staging.exists() {
            fs::remove_dir_all(&staging).with_context(|| format!("cannot remove stale {}", staging.display()))?;
        }
        fs::create_dir_all(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        fs::write(staging.join(MARKER), "This folder was written by depesche and is replaced on every build.\n")?;
        Ok(Output { target: target.to_path_buf(), staging, files: AtomicUsize::new(0), pages: AtomicUsize::new(0) })
    }

    /// Write `bytes` at the site path `site_path` (e.g. `2024/10/28/slug/index.html`).
    pub fn write(&self, site_path: &str, bytes: &[u8]) -> Result<()> {
        let path = self.prepare(site_path)?;
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        self.count(site_path);
        Ok(())
    }

    fn prepare(&self, site_path: &str) -> Result<PathBuf> {
        let path = safe_join(&self.staging, site_path)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        Ok(path)
    }

    fn count(&self, site_path: &str) {
        self.files.fetch_add(1, Ordering::Relaxed);
        if site_path.ends_with(".html") {
            self.pages.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// HTML pages written so far.
    pub fn pages(&self) -> usize {
        self.pages.load(Ordering::Relaxed)
    }

    /// Put the finished site in place of the old one.
    pub fn commit(self) -> Result<()> {
        let old = sibling(&self.target, "old")?;
        if old.exists() {
            fs::remove_dir_all(&old).with_context(|| format!("cannot remove {}", old.display()))?;
        }
        if self.target.exists() {
            fs::rename(&self.target, &old).with_context(|| format!("cannot move away {}", self.target.display()))?;
        }
        fs::rename(&self.staging, &self.target)
            .with_context(|| format!("cannot move the new site to {}", self.target.display()))?;
        if old.exists() {
            fs::remove_dir_all(&old).with_context(|| format!("cannot remove {}", old.display()))?;
        }
        Ok(())
    }
}

/// `root` joined with a `/`-separated site path that must stay inside it.
pub fn safe_join(root: &Path, site_path: &str) -> Result<PathBuf> {
    let mut path = root.to_path_buf();
    for part in site_path.split('/') {
        let unsafe_part = part.is_empty()
            || part == "."
            || part == ".."
            || part.contains(['\\', ':', '\0'])
            || Path::new(part).components().any(|c| !matches!(c, Component::Normal(_)));
        if unsafe_part {
            bail!("refusing to write {site_path:?}: not a plain path inside the output folder");
        }
        path.push(part);
    }
    Ok(path)
}

/// `.<name>.depesche-<what>` beside `target`.
fn sibling(target: &Path, what: &str) -> Result<PathBuf> {
    let name = target.file_name().with_context(|| format!("output folder {} has no name", target.display()))?;
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(parent.join(format!(".{}.depesche-{what}", name.to_string_lossy())))
}

fn check_replaceable(target: &Path) -> Result<()> {
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        bail!("output {} exists and is not a folder", target.display());
    }
    let empty = fs::read_dir(target)?.next().is_none();
    if !empty && !target.join(MARKER).is_file() {
        bail!(
            "refusing to replace {}: it is not empty and was not written by depesche (no {MARKER} file); remove it or choose another --output",
            target.display()
        );
    }
    Ok(())
}

/// The output folder must neither hold nor sit inside the input folder.
fn check_not_overlapping(target: &Path, input: &Path) -> Result<()> {
    let input = input.canonicalize().with_context(|| format!("cannot read input folder {}", input.display()))?;
    let target = absolute_lexical(target)?;
    if input.starts_with(&target) || target.starts_with(&input) {
        bail!(
            "output folder {} and input folder {} overlap; choose an output outside the input",
            target.display(),
            input.display()
        );
    }
    Ok(())
}

/// An absolute form of `path` that works before the path exists.
fn absolute_lexical(path: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut existing = absolute.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        let Some(name) = existing.file_name() else { break };
        rest.push(name.to_os_string());
        existing.pop();
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    resolved.extend(rest.iter().rev());
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_root() {
        let root = Path::new("/site");
        assert_eq!(safe_join(root, "2024/10/28/a/index.html").unwrap(), Path::new("/site/2024/10/28/a/index.html"));
        for bad in ["../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", "a\\..\\b", "C:x", ""] {
            assert!(safe_join(root, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn replaces_only_its_own_folders() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        fs::create_dir(&input).unwrap();
        let target = dir.path().join("public");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("keep.txt"), "mine").unwrap();
        assert!(Output::begin(&target, &input).is_err());
        fs::remove_file(target.join("keep.txt")).unwrap();
        let output = Output::begin(&target, &input).unwrap();
        output.write("a/index.html", b"x").unwrap();
        output.commit().unwrap();
        assert!(target.join(MARKER).is_file() && target.join("a/index.html").is_file());
        assert!(Output::begin(&target, &input).is_ok());
        assert!(Output::begin(&input, &input).is_err());
        assert!(Output::begin(&input.join("public"), &input).is_err());
    }
}
