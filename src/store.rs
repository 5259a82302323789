//! Between reading and rendering: every article's bytes and repaired text,
//! kept on disk instead of in memory.
//!
//! Reading an archive of a year holds gigabytes of text; grouping needs only
//! each file's profile, and rendering needs one story's text at a time. So
//! the reading stage appends each file's original bytes and repaired text to
//! a pack file once, and rendering reads back the versions of the story it is
//! rendering. The pack is append-only: a record, once written, never moves,
//! so an incremental build appends what it read anew and the records of
//! unchanged files stay where they are. This module never reads the input
//! folder: it only holds what the reading stage handed it.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// Where one file's record lies in the pack.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextRef {
    pub offset: u64,
    pub len: u32,
}

/// One file as it was read: its original bytes, published beside its page,
/// and its decoded, repaired text, which rendering parses again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredText {
    pub original: Vec<u8>,
    /// The text, if it is not the original's bytes (checked to be UTF-8
    /// when read back).
    repaired: Option<String>,
}

impl StoredText {
    /// The decoded, repaired text.
    pub fn text(&self) -> &str {
        match &self.repaired {
            Some(text) => text,
            // SAFETY: `decode_record` checked that the original is UTF-8
            // before it made a record without a text of its own.
            None => unsafe { std::str::from_utf8_unchecked(&self.original) },
        }
    }

    /// The decoded, repaired text, taken out.
    pub fn into_text(self) -> String {
        match self.repaired {
            Some(text) => text,
            // SAFETY: as in `text`.
            None => unsafe { String::from_utf8_unchecked(self.original) },
        }
    }
}

/// An append-only pack of records.
pub struct Store {
    path: PathBuf,
    reader: File,
    writer: Mutex<Appender>,
    /// How much of the pack is in the file (the rest is in the appender's
    /// buffer): a record read below it needs no lock.
    written: AtomicU64,
    /// Removed when the store is dropped (a pack for one run only).
    temporary: bool,
}

/// The writing end of a pack: records are gathered and written a quarter
/// of a megabyte at a time, not one system call each (a build appends two
/// records for every file it reads).
struct Appender {
    file: File,
    buffer: Vec<u8>,
    /// The pack's length, with what the buffer holds.
    len: u64,
}

/// How much an [`Appender`] gathers before it writes.
const APPEND_BUFFER: usize = 256 * 1024;

impl Appender {
    /// Writes what the buffer holds; afterwards the file holds `len` bytes.
    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            self.file.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }
}

impl Store {
    /// Open the pack at `path`, creating it when missing, keeping the first
    /// `valid_len` bytes (what the last finished build recorded) and cutting
    /// off anything a build that did not finish appended after them.
    pub fn open(path: &Path, valid_len: u64) -> Result<Store> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let mut writer = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let len = writer.metadata()?.len();
        if len < valid_len {
            bail!("{} is shorter than recorded ({len} < {valid_len} bytes)", path.display());
        }
        writer.set_len(valid_len)?;
        writer.seek(SeekFrom::Start(valid_len))?;
        let reader = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let appender = Appender { file: writer, buffer: Vec::new(), len: valid_len };
        Ok(Store {
            path: path.to_path_buf(),
            reader,
            writer: Mutex::new(appender),
            written: AtomicU64::new(valid_len),
            temporary: false,
        })
    }

    /// A pack in the system's temporary folder, removed when dropped.
    pub fn temporary() -> Result<Store> {
        let name = format!("depesche-{}-{}.pack", std::process::id(), unique_suffix());
        let mut store = Store::open(&std::env::temp_dir().join(name), 0)?;
        store.temporary = true;
        Ok(store)
    }

    /// Append one record; safe to call from several threads.
    /// A record is the original, then the text unless it is the original's
    /// bytes, then the text's length (`u32::MAX` for none): most wire files
    /// are clean UTF-8 that needed no repair, stored once, and read back
    /// into one buffer that becomes the original, with nothing copied.
    pub fn append(&self, original: &[u8], text: &str) -> Result<TextRef> {
        let repaired = (original != text.as_bytes()).then_some(text.as_bytes());
        let len = original.len() + repaired.map_or(0, <[u8]>::len) + 4;
        let len = u32::try_from(len).ok().filter(|&len| len < u32::MAX).context("record too large for the pack")?;
        let mut writer = self.writer.lock().expect("store writer poisoned");
        let offset = writer.len;
        writer.buffer.extend_from_slice(original);
        let marker = match repaired {
            Some(text) => {
                writer.buffer.extend_from_slice(text);
                text.len() as u32
            }
            None => u32::MAX,
        };
        writer.buffer.extend_from_slice(&marker.to_le_bytes());
        writer.len += u64::from(len);
        if writer.buffer.len() >= APPEND_BUFFER {
            self.flush(&mut writer)?;
        }
        Ok(TextRef { offset, len })
    }

    /// Writes what `writer` has gathered to the file.
    fn flush(&self, writer: &mut Appender) -> Result<()> {
        writer.flush().with_context(|| format!("cannot write {}", self.path.display()))?;
        self.written.store(writer.len, Ordering::Release);
        Ok(())
    }

    /// Bytes appended so far (written by [`Store::sync`] at the latest):
    /// what a finished build records as valid.
    pub fn len(&self) -> u64 {
        self.writer.lock().expect("store writer poisoned").len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Everything appended so far is on disk, for the next build to rely on.
    pub fn sync(&self) -> Result<()> {
        let mut writer = self.writer.lock().expect("store writer poisoned");
        self.flush(&mut writer)?;
        writer.file.sync_data().with_context(|| format!("cannot sync {}", self.path.display()))
    }

    /// Read one record back.
    pub fn read(&self, at: TextRef) -> Result<StoredText> {
        if at.offset + u64::from(at.len) > self.written.load(Ordering::Acquire) {
            // Still in the buffer: written now, and then read as the rest.
            self.flush(&mut self.writer.lock().expect("store writer poisoned"))?;
        }
        let mut record = vec![0; at.len as usize];
        read_exact_at(&self.reader, &mut record, at.offset)
            .with_context(|| format!("cannot read {} at {}", self.path.display(), at.offset))?;
        decode_record(record).with_context(|| format!("{} is damaged at {}", self.path.display(), at.offset))
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_file(&self.path);
        } else if let Ok(writer) = self.writer.get_mut() {
            // What a build appended after its last sync counts only once a
            // manifest records it; written here all the same, as a build
            // without the buffer would have written it.
            let _ = writer.flush();
        }
    }
}

fn decode_record(mut record: Vec<u8>) -> Result<StoredText> {
    let end = record.len().checked_sub(4).context("truncated record")?;
    let marker = u32::from_le_bytes(record[end..].try_into().expect("four bytes"));
    record.truncate(end);
    if marker == u32::MAX {
        simdutf8::basic::from_utf8(&record)?;
        return Ok(StoredText { original: record, repaired: None });
    }
    let text_at = end.checked_sub(marker as usize).context("truncated record")?;
    let text = simdutf8::basic::from_utf8(&record[text_at..])?.to_owned();
    record.truncate(text_at);
    Ok(StoredText { original: record, repaired: Some(text) })
}

#[cfg(unix)]
fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// A suffix that differs between stores of one process.
fn unique_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written() {
        let store = Store::temporary().unwrap();
        let clean = store.append("Grüße".as_bytes(), "Grüße").unwrap();
        let clean_len = clean.len as usize;
        let repaired = store.append(b"Gr\xfc\xdfe", "Grüße").unwrap();
        let empty = store.append(b"", "").unwrap();
        let (clean, repaired, empty) =
            (store.read(clean).unwrap(), store.read(repaired).unwrap(), store.read(empty).unwrap());
        assert_eq!((clean.original.as_slice(), clean.text()), ("Grüße".as_bytes(), "Grüße"));
        assert_eq!((repaired.original.as_slice(), repaired.text()), (b"Gr\xfc\xdfe".as_slice(), "Grüße"));
        assert_eq!(repaired.into_text(), "Grüße");
        assert_eq!((empty.original.as_slice(), empty.text()), (b"".as_slice(), ""));
        assert_eq!(clean.into_text(), "Grüße");
        assert_eq!(clean_len, "Grüße".len() + 4, "clean text is stored once");
    }

    #[test]
    fn records_read_back_whether_written_or_still_gathered() {
        let store = Store::temporary().unwrap();
        let texts: Vec<String> = (0..100).map(|i| format!("Meldung {i} ").repeat(1000)).collect();
        let refs: Vec<TextRef> = texts.iter().map(|text| store.append(text.as_bytes(), text).unwrap()).collect();
        assert!(store.written.load(Ordering::Acquire) > 0, "a megabyte of records is written before the end");
        for (text, at) in texts.iter().zip(&refs).rev() {
            assert_eq!(store.read(*at).unwrap().text(), *text);
        }
        assert_eq!(store.written.load(Ordering::Acquire), store.len(), "reading the last record wrote it");
    }

    #[test]
    fn reopening_keeps_recorded_records_and_cuts_unfinished_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("texts.pack");
        let (kept, valid) = {
            let store = Store::open(&path, 0).unwrap();
            let kept = store.append(b"eins", "eins").unwrap();
            store.sync().unwrap();
            let valid = store.len();
            store.append(b"zwei", "zwei").unwrap();
            (kept, valid)
        };
        let store = Store::open(&path, valid).unwrap();
        assert_eq!(store.len(), valid);
        assert_eq!(store.read(kept).unwrap().text(), "eins");
        let next = store.append(b"drei", "drei").unwrap();
        assert_eq!(next.offset, valid);
        assert_eq!(store.read(kept).unwrap().text(), "eins", "appending never overwrites");
        assert_eq!(store.read(next).unwrap().text(), "drei");
        assert!(Store::open(&path, valid + 1000).is_err());
        drop(store);
        let temporary = Store::temporary().unwrap();
        let temporary_path = temporary.path.clone();
        drop(temporary);
        assert!(!temporary_path.exists());
    }
}
