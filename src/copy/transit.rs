//! An artifact's bytes on their way: the temporary file that holds them,
//! their hash, and the count of the bytes read.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::CopyProgress;
use crate::error::{Error, Result};
use crate::transfer::Progress;

/// Read size when hashing an artifact's bytes.
const CHUNK: usize = 256 * 1024;

/// Counts the bytes of a transfer, and passes them on.
pub(super) struct Counter {
    pub(super) progress: Arc<dyn CopyProgress>,
    pub(super) bytes: std::sync::atomic::AtomicU64,
}

impl Progress for Counter {
    fn start(&self, _total: Option<u64>) {
        // A repeated attempt starts over.
        self.bytes.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    fn advance(&self, bytes: u64) {
        self.bytes
            .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        self.progress.bytes(bytes);
    }
}

/// A path in a folder for an artifact on its way, removed when dropped.
pub(super) struct TempFile(PathBuf);

impl TempFile {
    pub(super) fn new(dir: &Path) -> TempFile {
        TempFile(dir.join(format!(
            ".tupli-copy-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        )))
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The sha256 state after the bytes of the file at `path` (not finalized,
/// so a suffix can still be appended).
pub(super) async fn hash_file(path: PathBuf) -> Result<Sha256> {
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path)?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; CHUNK];
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(buffer.get(..n).unwrap_or_default());
        }
        Ok(hasher)
    })
    .await
    .map_err(|e| Error::Io {
        source: std::io::Error::other(format!("a hashing task failed: {e}")),
    })?
}
