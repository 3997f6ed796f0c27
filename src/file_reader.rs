//! Large files read on a thread of their own into shared chunks: no copy
//! between the file and the socket but the kernel's, and no trip to the
//! blocking pool per read.

use std::fs::File;
use std::io::{self, Read};

use bytes::{Bytes, BytesMut};
use futures::Stream;

use crate::worker;

/// Bytes per read.
const CHUNK: usize = 256 * 1024;

/// Chunks read ahead of the consumer, at most (bounded memory: about 1 MiB).
const READ_AHEAD: usize = 4;

/// The bytes of `file`, from where it stands to its end, as a stream of
/// chunks read on a thread of its own. A read error is the last item; the
/// thread stops when the stream is dropped.
pub(crate) fn file_chunks(
    mut file: File,
) -> io::Result<impl Stream<Item = io::Result<Bytes>> + Send + Sync + 'static> {
    let (chunks, mut incoming) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(READ_AHEAD);
    // Nothing waits for the thread's end: the stream's end says it all.
    worker::spawn("tupli-read", move || {
        // Chunks are split off one buffer, which is reused once the chunks
        // before are dropped: its memory stays warm.
        let mut buffer = BytesMut::new();
        loop {
            buffer.reserve(CHUNK);
            buffer.resize(CHUNK, 0);
            let read = loop {
                match file.read(&mut buffer) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let item = match read {
                Ok(0) => return,
                Ok(n) => Ok(buffer.split_to(n).freeze()),
                Err(e) => Err(e),
            };
            let failed = item.is_err();
            buffer.clear();
            if chunks.blocking_send(item).is_err() || failed {
                return;
            }
        }
    })?;
    Ok(futures::stream::poll_fn(move |cx| incoming.poll_recv(cx)))
}

#[cfg(test)]
mod tests {
    use futures::TryStreamExt;

    use super::*;

    #[tokio::test]
    async fn streams_the_whole_file_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.bin");
        // Not a multiple of the chunk size, and several chunks long.
        let bytes: Vec<u8> = (0..(5 * CHUNK + 12_345))
            .map(|i| (i as u8).wrapping_mul(7) ^ (i >> 11) as u8)
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        let chunks: Vec<Bytes> = file_chunks(File::open(&path).unwrap())
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= CHUNK));
        assert!(chunks.concat() == bytes);
    }

    #[tokio::test]
    async fn an_empty_file_is_an_empty_stream() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty");
        std::fs::write(&path, b"").unwrap();
        let chunks: Vec<Bytes> = file_chunks(File::open(&path).unwrap())
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert!(chunks.is_empty());
    }

    #[tokio::test]
    async fn a_read_error_ends_the_stream() {
        // A directory opens, and refuses to be read.
        let dir = tempfile::tempdir().unwrap();
        let items: Vec<io::Result<Bytes>> =
            futures::StreamExt::collect(file_chunks(File::open(dir.path()).unwrap()).unwrap())
                .await;
        assert_eq!(items.len(), 1);
        assert!(items[0].as_ref().unwrap_err().raw_os_error().is_some());
    }
}
