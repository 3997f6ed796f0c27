//! Artifact bytes on their way to and from the client, counted for the
//! progress bar.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::progress::Progress;

/// Reads a file for an upload, opening it at the first read (so that the
/// client can ask for a fresh reader on a retry), and counts what is read.
pub(crate) struct FileReader {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    progress: Progress,
}

impl FileReader {
    /// A reader of `path` from its start; the progress restarts at zero.
    pub(crate) fn new(path: &Path, progress: &Progress) -> FileReader {
        progress.restart();
        FileReader {
            path: path.to_path_buf(),
            file: None,
            progress: progress.clone(),
        }
    }
}

impl AsyncRead for FileReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.file.is_none() {
            let file = std::fs::File::open(&this.path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", this.path.display())))?;
            this.file = Some(tokio::fs::File::from_std(file));
        }
        let Some(file) = this.file.as_mut() else {
            unreachable!("opened above")
        };
        let before = buf.filled().len();
        ready!(Pin::new(file).poll_read(cx, buf))?;
        this.progress.inc((buf.filled().len() - before) as u64);
        Poll::Ready(Ok(()))
    }
}

/// Passes writes through to `inner`, counting the bytes.
pub(crate) struct CountingWriter<W> {
    inner: W,
    progress: Progress,
}

impl<W> CountingWriter<W> {
    pub(crate) fn new(inner: W, progress: &Progress) -> Self {
        CountingWriter {
            inner,
            progress: progress.clone(),
        }
    }

    pub(crate) fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for CountingWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, buf))?;
        this.progress.inc(n as u64);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn reader_and_writer_pass_bytes_unchanged() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let temp = tempfile::tempdir().unwrap();
            let path = temp.path().join("data.bin");
            let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &data).unwrap();
            let progress = Progress::spinner("test");
            let mut read = Vec::new();
            FileReader::new(&path, &progress)
                .read_to_end(&mut read)
                .await
                .unwrap();
            assert_eq!(read, data);

            let mut writer = CountingWriter::new(Vec::new(), &progress);
            writer.write_all(&data).await.unwrap();
            writer.flush().await.unwrap();
            assert_eq!(writer.into_inner(), data);

            let missing = FileReader::new(&temp.path().join("nope"), &progress)
                .read_to_end(&mut Vec::new())
                .await
                .unwrap_err();
            assert!(missing.to_string().contains("nope"), "{missing}");
        });
    }
}
