//! Stage 1: find the article files under the input folder and read them.
//!
//! Walks the tree in sorted order and sorts every entry into one of three
//! lists: files to read, files rejected with a reason, and files ignored by a
//! documented rule (hidden, not `.txt`). Nothing is ever dropped silently, and
//! no symbolic link is followed out of the input folder. Only regular files
//! are ever opened: a FIFO, socket or device named `.txt` is rejected, never
//! read, so it can neither block the build nor feed it endless data.

use std::io::Read;
#[cfg(unix)]
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::report::Rejection;

/// An article file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the input folder, with `/` separators.
    pub rel: String,
    /// Path to open.
    pub path: PathBuf,
    /// Its size and modification time when it was found (an incremental
    /// build reuses what the last build read of a file whose stamp is the
    /// same, without looking at the file again).
    pub found: Stamp,
}

/// A file left out on purpose, with the rule that left it out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ignored {
    pub source: String,
    pub reason: String,
}

/// Every file found under the input folder, each in exactly one list.
#[derive(Debug, Default)]
pub struct Inventory {
    pub files: Vec<SourceFile>,
    pub rejected: Vec<Rejection>,
    pub ignored: Vec<Ignored>,
}

/// Walk `root` and sort what is found. Fails only when `root` itself cannot be read.
pub fn discover(root: &Path, max_file_size: u64) -> std::io::Result<Inventory> {
    let canonical_root = root.canonicalize()?;
    if !canonical_root.is_dir() {
        return Err(std::io::Error::other(format!("{} is not a folder", root.display())));
    }
    // The walk lists names in order; looking at each file (a system call
    // per file, most of the time in an archive's rebuild) runs on all cores,
    // collected in the walk's order.
    // Sorted by name: the entries of one folder share the bytes of its
    // path, so comparing whole paths as bytes orders them by name, without
    // taking each name out of its path at every comparison.
    let entries: Vec<walkdir::Result<walkdir::DirEntry>> = WalkDir::new(root)
        .follow_links(false)
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .min_depth(1)
        .into_iter()
        .collect();
    let folders = Folders::open(&entries);
    let found: Vec<Found> = entries
        .into_par_iter()
        .enumerate()
        .map(|(at, entry)| match entry {
            Ok(entry) => classify(&entry, folders.of(at), root, &canonical_root, max_file_size),
            Err(error) => Found::Rejected(walk_error(&error, root)),
        })
        .collect();
    let mut inventory = Inventory::default();
    for found in found {
        match found {
            Found::File(file) => inventory.files.push(file),
            Found::Rejected(rejection) => inventory.rejected.push(rejection),
            Found::Ignored(ignored) => inventory.ignored.push(ignored),
            Found::Folder => {}
        }
    }
    Ok(inventory)
}

/// What one entry of the walk is.
enum Found {
    File(SourceFile),
    Rejected(Rejection),
    Ignored(Ignored),
    Folder,
}

/// The folders of a walk's entries, each opened once, so each entry is
/// looked at by its name in its folder: looked at by its whole path, the
/// system walked every folder of the path again for each of an archive's
/// files.
struct Folders {
    #[cfg(unix)]
    opened: Vec<Option<rustix::fd::OwnedFd>>,
    /// For each entry, its folder's place in `opened`.
    #[cfg(unix)]
    folder_of: Vec<usize>,
}

impl Folders {
    #[cfg(unix)]
    fn open(entries: &[walkdir::Result<walkdir::DirEntry>]) -> Folders {
        use rustix::fs::{Mode, OFlags};
        let mut folders = Folders { opened: Vec::new(), folder_of: Vec::with_capacity(entries.len()) };
        let mut last: Option<&[u8]> = None;
        for entry in entries {
            let parent = entry.as_ref().ok().and_then(|entry| parent_bytes(entry.path()));
            if parent != last || folders.opened.is_empty() {
                let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
                let open =
                    |parent| rustix::fs::open(Path::new(std::ffi::OsStr::from_bytes(parent)), flags, Mode::empty());
                folders.opened.push(parent.and_then(|parent| open(parent).ok()));
                last = parent;
            }
            folders.folder_of.push(folders.opened.len() - 1);
        }
        folders
    }

    #[cfg(not(unix))]
    fn open(_: &[walkdir::Result<walkdir::DirEntry>]) -> Folders {
        Folders {}
    }

    /// The opened folder of entry `at`, if it could be opened.
    #[cfg(unix)]
    fn of(&self, at: usize) -> Option<&rustix::fd::OwnedFd> {
        self.opened[self.folder_of[at]].as_ref()
    }

    #[cfg(not(unix))]
    fn of(&self, _: usize) -> Option<&()> {
        None
    }
}

/// The bytes of the folder part of `path` (a walk's entry, whose folder is
/// the walk's root or another entry).
#[cfg(unix)]
fn parent_bytes(path: &Path) -> Option<&[u8]> {
    let bytes = path.as_os_str().as_bytes();
    bytes.iter().rposition(|&byte| byte == b'/').map(|slash| &bytes[..slash.max(1)])
}

/// What the rules judge a file by: what it is, its size and its time.
struct Facts {
    /// `None` for a regular file, else what it is, in words.
    other_kind: Option<&'static str>,
    size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    modified: i128,
}

impl Facts {
    /// The facts of an open file.
    #[cfg(unix)]
    fn of(metadata: &std::fs::Metadata) -> Facts {
        use std::os::unix::fs::MetadataExt;
        let (seconds, nanos) = (i128::from(metadata.mtime()), i128::from(metadata.mtime_nsec()));
        Facts::unix(metadata.mode(), metadata.size(), seconds, nanos)
    }

    #[cfg(not(unix))]
    fn of(metadata: &std::fs::Metadata) -> Facts {
        let other_kind = (!metadata.is_file()).then_some(if metadata.is_dir() { "a folder" } else { "a special file" });
        let modified = match metadata.modified().map(|time| time.duration_since(std::time::UNIX_EPOCH)) {
            Ok(Ok(after)) => after.as_nanos() as i128,
            Ok(Err(before)) => -(before.duration().as_nanos() as i128),
            Err(_) => 0,
        };
        Facts { other_kind, size: metadata.len(), modified }
    }

    /// The facts of a file looked at by name in its folder.
    #[cfg(unix)]
    fn of_stat(stat: &rustix::fs::Stat) -> Facts {
        let (seconds, nanos) = (i128::from(stat.st_mtime), i128::from(stat.st_mtime_nsec));
        Facts::unix(stat.st_mode, stat.st_size as u64, seconds, nanos)
    }

    /// The facts from a file's mode, size and modification time (seconds
    /// and the nanoseconds after them): one reading for an open file and a
    /// file looked at by name, whose stamps must be equal.
    #[cfg(unix)]
    fn unix(mode: u32, size: u64, seconds: i128, nanos: i128) -> Facts {
        use rustix::fs::FileType;
        let other_kind = match FileType::from_raw_mode(mode) {
            FileType::RegularFile => None,
            FileType::Fifo => Some("a named pipe (FIFO)"),
            FileType::Socket => Some("a socket"),
            FileType::BlockDevice | FileType::CharacterDevice => Some("a device"),
            FileType::Directory => Some("a folder"),
            _ => Some("a special file"),
        };
        Facts { other_kind, size, modified: seconds * 1_000_000_000 + nanos }
    }

    /// The facts of the file `entry`, looked at by its name in `folder`
    /// (its opened folder), else by its path; links are followed.
    #[cfg(unix)]
    fn look(entry: &walkdir::DirEntry, folder: Option<&rustix::fd::OwnedFd>) -> std::io::Result<Facts> {
        match folder {
            Some(folder) => rustix::fs::statat(folder, entry.file_name(), rustix::fs::AtFlags::empty())
                .map(|stat| Facts::of_stat(&stat))
                .map_err(std::io::Error::from),
            None => std::fs::metadata(entry.path()).map(|metadata| Facts::of(&metadata)),
        }
    }

    #[cfg(not(unix))]
    fn look(entry: &walkdir::DirEntry, _: Option<&()>) -> std::io::Result<Facts> {
        std::fs::metadata(entry.path()).map(|metadata| Facts::of(&metadata))
    }
}

#[cfg(unix)]
type Folder = rustix::fd::OwnedFd;
#[cfg(not(unix))]
type Folder = ();

fn classify(entry: &walkdir::DirEntry, folder: Option<&Folder>, root: &Path, canonical_root: &Path, max: u64) -> Found {
    let rel = relative_name(entry.path(), root);
    if entry.file_type().is_dir() {
        return Found::Folder;
    }
    if is_hidden(&rel) {
        return Found::Ignored(Ignored { source: rel, reason: "hidden file or folder".into() });
    }
    let link_outcome = entry.path_is_symlink().then(|| check_symlink(entry.path(), canonical_root, &rel)).flatten();
    if let Some(outcome) = link_outcome {
        return match outcome {
            LinkOutcome::Reject(r) => Found::Rejected(r),
            LinkOutcome::Ignore(i) => Found::Ignored(i),
        };
    }
    if !has_txt_extension(&rel) {
        return Found::Ignored(Ignored { source: rel, reason: "not a .txt file".into() });
    }
    match Facts::look(entry, folder) {
        Ok(facts) => match check_facts(&facts, max) {
            Ok(()) => Found::File(SourceFile { rel, path: entry.path().to_path_buf(), found: Stamp::of(&facts) }),
            Err(reason) => Found::Rejected(Rejection::new(&rel, None, reason)),
        },
        Err(error) => Found::Rejected(Rejection::new(&rel, None, format!("cannot read file: {error}"))),
    }
}

/// A file is read only when it is a regular file within the size limit.
fn check_facts(facts: &Facts, max: u64) -> Result<(), String> {
    if let Some(kind) = facts.other_kind {
        return Err(format!("not a regular file but {kind}; not read"));
    }
    if facts.size > max {
        return Err(format!("file is too large ({} bytes, the limit max_file_size is {max})", facts.size));
    }
    Ok(())
}

/// The bytes of `file`, or why they cannot be read. The file is checked
/// again once open, and never more than `max` bytes are read, so a file
/// swapped or grown after the folder was walked cannot slip past the rules.
pub fn read(file: &SourceFile, max: u64) -> Result<Vec<u8>, String> {
    read_stamped(file, max).map(|(bytes, _)| bytes)
}

/// A file's size and modification time (nanoseconds since the epoch): when
/// both are as a build recorded them, the file is taken as unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub modified: i128,
}

impl Stamp {
    fn of(facts: &Facts) -> Stamp {
        Stamp { size: facts.size, modified: facts.modified }
    }
}

/// Like [`read`], with the stamp taken before the bytes were read: a file
/// changed while it is read gets a newer stamp, so the next build reads it
/// again.
pub fn read_stamped(file: &SourceFile, max: u64) -> Result<(Vec<u8>, Stamp), String> {
    let cannot = |error: std::io::Error| format!("cannot read file: {error}");
    let handle = std::fs::File::open(&file.path).map_err(cannot)?;
    let metadata = handle.metadata().map_err(cannot)?;
    let facts = Facts::of(&metadata);
    check_facts(&facts, max)?;
    let stamp = Stamp::of(&facts);
    // Room for the size the file has now (plus one byte to see its end in
    // one read): grown from nothing, a 6 KB file took ten reads.
    let expected = metadata.len().min(max) as usize;
    let mut bytes = Vec::with_capacity(expected + 1);
    handle.take(max + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > max {
        return Err(format!("file is too large (more than {max} bytes, the limit max_file_size)"));
    }
    Ok((bytes, stamp))
}

/// A key equal for equal bytes and, with the length and two 64-bit folds
/// (two seeds) of one digest pass, different for different bytes in
/// practice. Both folds come from the same four lanes: bytes that collide
/// in all the lanes collide in both, so it is not a 128-bit hash, and no
/// defence against bytes made to collide (neither were the fixed-key
/// SipHash passes it replaced). A new program's manifest is not trusted, so
/// keys of two digest versions never meet.
pub fn content_key(bytes: &[u8]) -> (usize, u64, u64) {
    let [first, second] = crate::cache::bytes_digests(bytes, &[0x6465_7065_7363_6865, 0x6475_706c_6963_6174]);
    (bytes.len(), first, second)
}

enum LinkOutcome {
    Reject(Rejection),
    Ignore(Ignored),
}

/// A link is read only when it resolves to a file inside the input folder.
fn check_symlink(path: &Path, canonical_root: &Path, rel: &str) -> Option<LinkOutcome> {
    let target = match path.canonicalize() {
        Ok(target) => target,
        Err(error) => {
            let reason = format!("symbolic link cannot be resolved (broken or looping): {error}");
            return Some(LinkOutcome::Reject(Rejection::new(rel, None, reason)));
        }
    };
    if !target.starts_with(canonical_root) {
        let reason = "symbolic link points outside the input folder; not followed".to_string();
        return Some(LinkOutcome::Reject(Rejection::new(rel, None, reason)));
    }
    if target.is_dir() {
        let reason = "symbolic link to a folder inside the input folder, which is walked anyway".into();
        return Some(LinkOutcome::Ignore(Ignored { source: rel.to_string(), reason }));
    }
    None
}

/// A folder or entry the walk could not read. Its contents cannot be seen,
/// so it is accounted for as one rejected entry.
fn walk_error(error: &walkdir::Error, root: &Path) -> Rejection {
    let rel = error.path().map(|p| relative_name(p, root)).unwrap_or_else(|| ".".into());
    let cause = match error.io_error() {
        Some(io) => io.to_string(),
        None => error.to_string(),
    };
    let what = if error.path().is_some_and(Path::is_dir) { "folder" } else { "entry" };
    Rejection::new(&rel, None, format!("cannot read {what}: {cause}; nothing in it is published"))
}

/// `path` relative to `root`, `/`-separated, lossily converted to UTF-8.
fn relative_name(path: &Path, root: &Path) -> String {
    // A walk's path is its root's followed by a slash and the rest: cut off
    // as bytes, without taking both paths apart component by component for
    // each of an archive's files.
    #[cfg(unix)]
    if let Some(rest) = path.as_os_str().as_bytes().strip_prefix(root.as_os_str().as_bytes()) {
        let rest = match rest.strip_prefix(b"/") {
            Some(rest) => Some(rest),
            None => root.as_os_str().as_bytes().ends_with(b"/").then_some(rest),
        };
        if let Some(name) = rest.and_then(|rest| std::str::from_utf8(rest).ok()).filter(|name| !name.is_empty()) {
            return name.to_string();
        }
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    // Most names are UTF-8 already, and on Unix `/` is the only separator.
    #[cfg(unix)]
    if let Some(name) = rel.to_str() {
        return name.to_string();
    }
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

fn is_hidden(rel: &str) -> bool {
    rel.split('/').any(|part| part.starts_with('.'))
}

fn has_txt_extension(rel: &str) -> bool {
    rel.rsplit_once('.').is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("txt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_files_into_read_ignored_and_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/nested")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join("b/nested/z.txt"), "x").unwrap();
        std::fs::write(root.join("a.TXT"), "x").unwrap();
        std::fs::write(root.join("notes.md"), "x").unwrap();
        std::fs::write(root.join(".hidden.txt"), "x").unwrap();
        std::fs::write(root.join(".git/HEAD"), "x").unwrap();
        std::fs::write(root.join("big.txt"), "x".repeat(100)).unwrap();
        let inv = discover(root, 10).unwrap();
        let files: Vec<&str> = inv.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(files, ["a.TXT", "b/nested/z.txt"]);
        let ignored: Vec<&str> = inv.ignored.iter().map(|f| f.source.as_str()).collect();
        assert_eq!(ignored, [".git/HEAD", ".hidden.txt", "notes.md"]);
        assert_eq!(inv.rejected.len(), 1);
        assert_eq!(inv.rejected[0].source, "big.txt");
    }

    #[test]
    fn read_checks_the_limit_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "12345").unwrap();
        let found = Stamp { size: 5, modified: 0 };
        let file = SourceFile { rel: "a.txt".into(), path, found };
        assert_eq!(read(&file, 5).unwrap(), b"12345");
        assert!(read(&file, 4).unwrap_err().contains("too large"));
        let gone = SourceFile { rel: "b.txt".into(), path: dir.path().join("b.txt"), found };
        assert!(read(&gone, 5).unwrap_err().starts_with("cannot read file:"));
    }

    #[test]
    fn content_keys_tell_bytes_apart() {
        assert_eq!(content_key(b"M\xfcller"), content_key(b"M\xfcller"));
        assert_ne!(content_key(b"M\xfcller"), content_key(b"M\xe4ller"));
        assert_ne!(content_key(b""), content_key(b"\0"));
    }

    #[cfg(unix)]
    #[test]
    fn pipes_and_sockets_are_rejected_unopened() {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mkfifo").arg(dir.path().join("pipe.txt")).status().unwrap();
        assert!(status.success());
        let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("socket.txt")).unwrap();
        let inv = discover(dir.path(), 1000).unwrap();
        assert!(inv.files.is_empty());
        let reasons: Vec<&str> = inv.rejected.iter().map(|r| r.error.as_str()).collect();
        assert_eq!(
            reasons,
            ["not a regular file but a named pipe (FIFO); not read", "not a regular file but a socket; not read"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_folder_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), dir.path().join("link.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("loop.txt"), dir.path().join("loop.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("self")).unwrap();
        let inv = discover(dir.path(), 1000).unwrap();
        assert!(inv.files.is_empty());
        let rejected: Vec<&str> = inv.rejected.iter().map(|r| r.source.as_str()).collect();
        assert_eq!(rejected, ["link.txt", "loop.txt"]);
        assert_eq!(inv.ignored.len(), 1);
    }
}
