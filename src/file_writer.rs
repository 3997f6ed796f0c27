//! Large files written on a thread of their own from shared chunks, with
//! their disk writes started as they grow: the sync before an atomic rename
//! then has only the last few MiB left to wait for, instead of the whole
//! file after the last byte arrived.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};

use bytes::Bytes;

use crate::error::{Error, Result};
use crate::worker::{self, Worker};

/// Chunks queued for the writing thread, at most (bounded memory: a few MiB).
const QUEUE: usize = 16;

/// Bytes written between two background syncs.
const SYNC_EVERY: u64 = 32 << 20;

/// The writing thread's name (which its errors name).
const WRITER: &str = "tupli-write";

/// The background sync thread's name (which its errors name).
const SYNCER: &str = "tupli-sync";

/// Writes the chunks it is given to a file on a thread of its own, without
/// copying them.
pub(crate) struct FileWriter {
    chunks: Option<tokio::sync::mpsc::Sender<Bytes>>,
    writing: Option<Worker<Result<File>>>,
}

impl FileWriter {
    /// Starts the writing thread for `file`.
    pub(crate) fn start(file: File) -> io::Result<Self> {
        let (chunks, mut incoming) = tokio::sync::mpsc::channel::<Bytes>(QUEUE);
        let writing = worker::spawn(WRITER, move || {
            let mut out = SyncedAsWritten::new(file);
            while let Some(chunk) = incoming.blocking_recv() {
                out.write_all(&chunk)?;
            }
            out.finish()
        })?;
        Ok(FileWriter {
            chunks: Some(chunks),
            writing: Some(writing),
        })
    }

    /// Queues `chunk` for writing; waits while the thread lags behind. A
    /// write that failed earlier is reported here.
    pub(crate) async fn write(&mut self, chunk: Bytes) -> Result<()> {
        let queued = match &self.chunks {
            Some(chunks) => chunks.send(chunk).await.is_ok(),
            None => false,
        };
        if queued {
            Ok(())
        } else {
            // The thread stopped: its error is the one to report.
            Err(match self.join().await {
                Err(e) => e,
                Ok(_) => Error::worker(WRITER, false),
            })
        }
    }

    /// Waits until every chunk is written; answers the file.
    pub(crate) async fn finish(mut self) -> Result<File> {
        self.join().await
    }

    async fn join(&mut self) -> Result<File> {
        self.chunks = None;
        match self.writing.take() {
            Some(writing) => writing.join().await?,
            None => Err(Error::worker(WRITER, false)),
        }
    }
}

/// A file that has what is written to it synced to disk in the background,
/// every [`SYNC_EVERY`] bytes (by a thread started when the first
/// [`SYNC_EVERY`] bytes are written: small files never start one).
struct SyncedAsWritten {
    file: File,
    unsynced: u64,
    syncer: Option<Syncer>,
}

struct Syncer {
    kick: SyncSender<()>,
    thread: std::thread::JoinHandle<io::Result<()>>,
}

impl SyncedAsWritten {
    fn new(file: File) -> Self {
        SyncedAsWritten {
            file,
            unsynced: 0,
            syncer: None,
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        self.file.write_all(bytes)?;
        self.unsynced += bytes.len() as u64;
        if self.unsynced >= SYNC_EVERY && self.kick()? {
            self.unsynced = 0;
        }
        Ok(())
    }

    /// Asks the syncer for a sync; `false` when one is already pending.
    fn kick(&mut self) -> Result<bool> {
        let syncer = match self.syncer.take() {
            Some(syncer) => syncer,
            // Syncing in the background only saves time at the end: without
            // a second handle or thread, the final sync does it all.
            None => match Syncer::start(&self.file) {
                Ok(syncer) => syncer,
                Err(_) => return Ok(true),
            },
        };
        match syncer.kick.try_send(()) {
            Ok(()) => {
                self.syncer = Some(syncer);
                Ok(true)
            }
            Err(TrySendError::Full(())) => {
                self.syncer = Some(syncer);
                Ok(false)
            }
            // The syncer stopped: a sync failed.
            Err(TrySendError::Disconnected(())) => syncer.join().map(|()| false),
        }
    }

    /// Waits for a sync under way (the caller makes the final one).
    fn finish(self) -> Result<File> {
        if let Some(syncer) = self.syncer {
            syncer.join()?;
        }
        Ok(self.file)
    }
}

impl Syncer {
    fn start(file: &File) -> io::Result<Self> {
        let file = file.try_clone()?;
        let (kick, kicks) = sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name(SYNCER.into())
            .spawn(move || {
                while kicks.recv().is_ok() {
                    file.sync_data()?;
                }
                Ok(())
            })?;
        Ok(Syncer { kick, thread })
    }

    fn join(self) -> Result<()> {
        drop(self.kick);
        match self.thread.join() {
            Ok(synced) => Ok(synced?),
            Err(_) => Err(Error::worker(SYNCER, true)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(n: usize, seed: u8) -> Bytes {
        Bytes::from(
            (0..n)
                .map(|i| (i as u8).wrapping_mul(31) ^ seed)
                .collect::<Vec<u8>>(),
        )
    }

    #[tokio::test]
    async fn writes_every_chunk_in_order_past_several_background_syncs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        let mut writer = FileWriter::start(File::create(&path).unwrap()).unwrap();
        let mut expected = Vec::new();
        // 80 MiB in uneven chunks: at least two background syncs.
        for i in 0..80u8 {
            let c = chunk((1 << 20) + usize::from(i) * 7, i);
            expected.extend_from_slice(&c);
            writer.write(c).await.unwrap();
        }
        let file = writer.finish().await.unwrap();
        assert_eq!(file.metadata().unwrap().len(), expected.len() as u64);
        drop(file);
        assert!(std::fs::read(&path).unwrap() == expected);
    }

    #[tokio::test]
    async fn a_small_file_starts_no_sync_thread() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = SyncedAsWritten::new(File::create(dir.path().join("small")).unwrap());
        out.write_all(&chunk(SYNC_EVERY as usize - 1, 1)).unwrap();
        assert!(out.syncer.is_none());
        out.write_all(&[0]).unwrap();
        assert!(out.syncer.is_some());
        assert_eq!(out.unsynced, 0);
        out.finish().unwrap();
    }

    #[tokio::test]
    async fn a_failed_write_is_reported_by_the_next_write_or_the_finish() {
        // A file opened read-only refuses every write.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("read-only");
        std::fs::write(&path, b"x").unwrap();
        let mut writer = FileWriter::start(File::open(&path).unwrap()).unwrap();
        let mut failed = None;
        for _ in 0..(QUEUE + 4) {
            if let Err(e) = writer.write(chunk(16, 0)).await {
                failed = Some(e);
                break;
            }
        }
        let error = match failed {
            Some(e) => e,
            None => writer.finish().await.unwrap_err(),
        };
        // The system's own error, not a "stopped" of ours.
        match error {
            Error::Io { source } => assert!(source.raw_os_error().is_some(), "{source}"),
            other => panic!("{other}"),
        }
    }
}
