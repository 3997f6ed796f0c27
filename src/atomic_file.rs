//! Files that appear whole or not at all: written to a temporary name beside
//! the target and renamed into place once complete. Dropped before
//! [`AtomicFile::commit_async`], the temporary file is removed.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Tells concurrent writers in one process apart (the pid tells processes apart).
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A file being written to a temporary path beside its target.
#[derive(Debug)]
pub(crate) struct AtomicFile {
    target: PathBuf,
    partial: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    /// Creates the temporary file for `target` (which is not touched yet).
    pub(crate) fn create(target: impl AsRef<Path>) -> io::Result<Self> {
        let target = target.as_ref().to_path_buf();
        let partial = partial_path(&target);
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&partial)?;
        Ok(AtomicFile {
            target,
            partial,
            file: Some(file),
        })
    }

    /// Hands the open file over (e.g. to an async writer); give it back to
    /// [`AtomicFile::commit_async`] once written.
    pub(crate) fn take_file(&mut self) -> io::Result<File> {
        self.file
            .take()
            .ok_or_else(|| io::Error::other("the file was already handed over"))
    }

    /// Flushes the file written through [`Write`] to disk and renames it
    /// into place.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        let file = self.take_file()?;
        self.commit_with(file)
    }

    /// Flushes `file` (taken with [`AtomicFile::take_file`]) to disk and
    /// renames it into place, blocking: for code on a blocking thread.
    pub(crate) fn commit_with(self, file: File) -> io::Result<()> {
        file.sync_all()?;
        self.rename(file)
    }

    /// [`AtomicFile::commit_with`] from async code. The flush runs on the blocking pool and the
    /// rename here, so a caller dropped while the flush runs (Ctrl-C) never
    /// renames the file into place: dropping `self` removes it.
    pub(crate) async fn commit_async(self, file: File) -> Result<()> {
        let file = tokio::task::spawn_blocking(move || file.sync_all().map(|()| file))
            .await
            .map_err(|e| Error::joined("tupli-sync", &e))??;
        Ok(self.rename(file)?)
    }

    fn rename(mut self, file: File) -> io::Result<()> {
        drop(file);
        std::fs::rename(&self.partial, &self.target)?;
        // Renamed: nothing left to clean up.
        self.partial = PathBuf::new();
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.held()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.held()?.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.held()?.flush()
    }
}

impl AtomicFile {
    fn held(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the file was handed over"))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.partial.as_os_str().is_empty() {
            self.file = None;
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// `dir/.name.tupli-partial-<pid>-<n>`: hidden, beside the target (so the
/// rename stays on one file system), unique per process and writer.
fn partial_path(target: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(format!(
        ".tupli-partial-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    target.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn appears_only_on_commit_and_leaves_nothing_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.bin");
        let mut file = AtomicFile::create(&target).unwrap();
        file.take_file().unwrap().write_all(b"half").unwrap();
        assert!(!target.exists());
        drop(file);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let mut file = AtomicFile::create(&target).unwrap();
        let mut handle = file.take_file().unwrap();
        handle.write_all(b"whole").unwrap();
        file.commit_async(handle).await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn written_in_place_and_committed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"{}").unwrap();
        assert!(!target.exists());
        file.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"{}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn concurrent_writers_get_their_own_temporary_files() {
        let target = Path::new("/x/y.json");
        let (a, b) = (partial_path(target), partial_path(target));
        assert_ne!(a, b);
        let name = a.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".y.json.tupli-partial-"), "{name}");
    }
}
