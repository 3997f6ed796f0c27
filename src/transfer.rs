//! Moving artifact bytes: progress reporting, hashing on the way, the
//! integrity check, and the [`Transfer`] future the artifact methods return.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use crate::error::{Error, Result};
use crate::file_writer::FileWriter;
use crate::models::ArtifactMetadataItem;
use crate::worker::{self, Worker};

/// Header in which the server sends an artifact's metadata with its bytes.
pub(crate) const METADATA_HEADER: &str = "x-metadata";

/// Read size for streamed uploads.
const UPLOAD_CHUNK: usize = 256 * 1024;

/// Observes an artifact upload or download, e.g. to draw a progress bar.
///
/// Every method has an empty default; `()` observes nothing. A transfer that
/// is repeated (after a token refresh) starts again with [`Progress::start`].
pub trait Progress: Send + Sync {
    /// The transfer starts; `total` is its size in bytes when known.
    fn start(&self, total: Option<u64>) {
        let _ = total;
    }

    /// `bytes` more bytes were sent or received.
    fn advance(&self, bytes: u64) {
        let _ = bytes;
    }

    /// An upload's last byte is sent; the server is now storing it.
    fn sent(&self) {}
}

impl Progress for () {}

impl<P: Progress + ?Sized> Progress for Arc<P> {
    fn start(&self, total: Option<u64>) {
        (**self).start(total);
    }

    fn advance(&self, bytes: u64) {
        (**self).advance(bytes);
    }

    fn sent(&self) {
        (**self).sent();
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Starts the transfer, reporting to the observer it is given.
type Start<'a, T> = Box<dyn FnOnce(Arc<dyn Progress>) -> BoxFuture<'a, Result<T>> + Send + 'a>;

/// An artifact upload or download: `.await` it, optionally after attaching
/// a [`Progress`] observer.
///
/// ```no_run
/// # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
/// use std::path::Path;
/// use tupli::storage::ArtifactStorage;
///
/// struct Dots;
/// impl tupli::Progress for Dots {
///     fn advance(&self, bytes: u64) { eprint!("."); }
/// }
/// let item = client
///     .download_artifact_to_path("0123abcd", Path::new("policy.zip"))
///     .progress(Dots)
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a transfer does nothing until it is awaited"]
pub struct Transfer<'a, T> {
    run: Start<'a, T>,
    progress: Arc<dyn Progress>,
}

impl<'a, T> Transfer<'a, T> {
    /// A transfer that runs `run` with the observer it is given (for a
    /// storage of your own; `()` observes nothing until one is attached).
    pub fn new<F, Fut>(run: F) -> Self
    where
        F: FnOnce(Arc<dyn Progress>) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T>> + Send + 'a,
    {
        Transfer {
            run: Box::new(move |progress| Box::pin(run(progress))),
            progress: Arc::new(()),
        }
    }

    /// Reports the transfer's progress to `progress`.
    pub fn progress(mut self, progress: impl Progress + 'static) -> Self {
        self.progress = Arc::new(progress);
        self
    }
}

impl<T> fmt::Debug for Transfer<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transfer").finish_non_exhaustive()
    }
}

impl<'a, T: 'a> IntoFuture for Transfer<'a, T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'a, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        (self.run)(self.progress)
    }
}

/// The bytes of a reader as a stream of chunks.
pub(crate) fn reader_stream(
    reader: impl AsyncRead + Send + Sync + 'static,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + Sync {
    tokio_util::io::ReaderStream::with_capacity(reader, UPLOAD_CHUNK)
}

/// Chunks waiting to be hashed, at most (bounded memory: a few MiB).
const HASH_QUEUE: usize = 16;

/// The hashing thread's name (which its errors name).
const HASHER: &str = "tupli-hash";

/// SHA-256 of a byte stream, computed on a thread of its own while the
/// bytes move on: hashing every byte costs about as much as moving it, so
/// the two run side by side.
pub(crate) struct HashPipe {
    chunks: tokio::sync::mpsc::Sender<Bytes>,
    hashing: Worker<Sha256>,
}

impl HashPipe {
    pub(crate) fn start() -> std::io::Result<Self> {
        let (chunks, mut incoming) = tokio::sync::mpsc::channel::<Bytes>(HASH_QUEUE);
        let hashing = worker::spawn(HASHER, move || {
            let mut hasher = Sha256::new();
            while let Some(chunk) = incoming.blocking_recv() {
                hasher.update(&chunk);
            }
            hasher
        })?;
        Ok(HashPipe { chunks, hashing })
    }

    /// Hands `chunk` (shared, not copied) to the hashing thread; waits
    /// while it lags behind.
    pub(crate) async fn feed(&self, chunk: Bytes) -> Result<()> {
        // The thread stops before the end of its chunks only by a panic.
        self.chunks
            .send(chunk)
            .await
            .map_err(|_| Error::worker(HASHER, true))
    }

    /// The hash of everything fed.
    pub(crate) async fn finish(self) -> Result<Sha256> {
        drop(self.chunks);
        self.hashing.join().await
    }
}

/// The hash of an upload's bytes, once its body has been sent whole.
#[derive(Clone, Default)]
pub(crate) struct SentHash(Arc<Mutex<Option<Sha256>>>);

impl SentHash {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Sha256>> {
        // Storing a value cannot panic half-way; a poisoned lock is still whole.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets an earlier attempt's hash.
    pub(crate) fn reset(&self) {
        *self.slot() = None;
    }

    /// The hash of the last body sent whole.
    pub(crate) fn take(&self) -> Option<Sha256> {
        self.slot().take()
    }
}

/// An upload body that has its bytes hashed (on another thread) and
/// reported as they are sent; after the last one it stores the hash in
/// `hash` and says [`Progress::sent`].
pub(crate) fn observed_upload<S>(
    body: S,
    hash: SentHash,
    progress: Arc<dyn Progress>,
) -> std::io::Result<impl Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static>
where
    S: Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
{
    let pipe = Arc::new(tokio::sync::Mutex::new(Some(HashPipe::start()?)));
    let feeding = Arc::clone(&pipe);
    let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let total = Arc::clone(&sent);
    let done = Arc::clone(&progress);
    Ok(body
        .and_then(move |chunk| {
            let pipe = Arc::clone(&feeding);
            let sent = Arc::clone(&sent);
            let progress = Arc::clone(&progress);
            async move {
                if let Some(pipe) = pipe.lock().await.as_ref() {
                    // A body's error is an I/O error; the worker's is its source.
                    pipe.feed(chunk.clone())
                        .await
                        .map_err(std::io::Error::other)?;
                }
                sent.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
                progress.advance(chunk.len() as u64);
                Ok(chunk)
            }
        })
        .chain(
            futures::stream::once(async move {
                if let Some(pipe) = pipe.lock().await.take() {
                    *hash.slot() = pipe.finish().await.ok();
                }
                let bytes = total.load(std::sync::atomic::Ordering::Relaxed);
                tracing::debug!(bytes, "sent");
                done.sent();
            })
            .filter_map(|()| std::future::ready(None)),
        ))
}

/// Where a download's bytes go.
pub(crate) trait Sink {
    /// Takes the next chunk.
    async fn put(&mut self, chunk: Bytes) -> Result<()>;

    /// The last chunk was put.
    async fn close(&mut self) -> Result<()>;

    /// The server announced `total` bytes (a hint: it may be wrong).
    fn expect(&mut self, total: u64) {
        let _ = total;
    }
}

/// A download into memory, made room for at once when its size is
/// announced: a 1 GiB artifact grown chunk by chunk is copied again and again.
pub(crate) struct Memory(pub(crate) Vec<u8>);

impl Sink for Memory {
    async fn put(&mut self, chunk: Bytes) -> Result<()> {
        self.0.extend_from_slice(&chunk);
        Ok(())
    }

    async fn close(&mut self) -> Result<()> {
        Ok(())
    }

    fn expect(&mut self, total: u64) {
        // A size that cannot be had is only a hint missed: the buffer grows.
        if let Ok(total) = usize::try_from(total) {
            let _ = self.0.try_reserve_exact(total.saturating_sub(self.0.len()));
        }
    }
}

/// A download into an [`AsyncWrite`].
pub(crate) struct Writer<'a, W: ?Sized>(pub(crate) &'a mut W);

impl<W: AsyncWrite + Unpin + ?Sized> Sink for Writer<'_, W> {
    async fn put(&mut self, chunk: Bytes) -> Result<()> {
        Ok(self.0.write_all(&chunk).await?)
    }

    async fn close(&mut self) -> Result<()> {
        Ok(self.0.flush().await?)
    }
}

/// A download into a file written on a thread of its own; the file is
/// taken back with [`FileWriter::finish`].
impl Sink for FileWriter {
    async fn put(&mut self, chunk: Bytes) -> Result<()> {
        self.write(chunk).await
    }

    async fn close(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Moves a download into `sink`, hashing (on another thread) and reporting
/// it on the way; returns the hash of the bytes (the creator still to be
/// appended).
pub(crate) async fn receive<B, S>(
    mut body: B,
    total: Option<u64>,
    sink: &mut S,
    progress: &dyn Progress,
) -> Result<Sha256>
where
    B: Stream<Item = reqwest::Result<Bytes>> + Unpin,
    S: Sink,
{
    progress.start(total);
    if let Some(total) = total {
        sink.expect(total);
    }
    let pipe = HashPipe::start()?;
    let mut bytes = 0u64;
    let moved = async {
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            let n = chunk.len() as u64;
            pipe.feed(chunk.clone()).await?;
            sink.put(chunk).await?;
            bytes += n;
            progress.advance(n);
        }
        sink.close().await?;
        Ok::<_, Error>(())
    }
    .await;
    let hasher = pipe.finish().await?;
    moved?;
    tracing::debug!(bytes, "received");
    Ok(hasher)
}

/// The announced size of an answer's body.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(reqwest::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The metadata the server sends along with a download, if it parses.
pub(crate) fn metadata_header(headers: &HeaderMap) -> Option<ArtifactMetadataItem> {
    let value = headers.get(METADATA_HEADER)?;
    // Starlette encodes header values as Latin-1, not UTF-8.
    let text: String = value.as_bytes().iter().map(|&b| char::from(b)).collect();
    serde_json::from_str(&text).ok()
}
