//! The streams list methods answer: episodes one at a time, as their JSON
//! arrives (from a server's list answer, or from a storage's files).

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};

use crate::decode::{decode, ArraySplitter, Element};
use crate::error::{Error, Result};
use crate::models::{EpisodeHeader, EpisodeItem};

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// The raw elements of the JSON array in a response body.
struct ElementStream {
    body: Option<ByteStream>,
    splitter: ArraySplitter,
    ready: VecDeque<Bytes>,
}

impl ElementStream {
    fn new(response: reqwest::Response) -> Self {
        ElementStream {
            body: Some(Box::pin(response.bytes_stream())),
            splitter: ArraySplitter::new(),
            ready: VecDeque::new(),
        }
    }

    /// Ends the stream: nothing more is read or yielded.
    fn stop(&mut self) {
        self.body = None;
        self.ready.clear();
    }
}

impl Stream for ElementStream {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(bytes) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(bytes)));
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    if let Err(e) = this.splitter.push(&chunk, &mut this.ready) {
                        this.stop();
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.stop();
                    return Poll::Ready(Some(Err(e.into())));
                }
                Poll::Ready(None) => {
                    this.body = None;
                    if let Err(e) = this.splitter.finish() {
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
        }
    }
}

/// Episodes as raw JSON, one object at a time, from
/// [`EpisodeStorage::stream_episode_json`](crate::storage::EpisodeStorage::stream_episode_json):
/// for decoders of your own. An error is the last item.
#[must_use = "streams do nothing unless polled"]
pub struct EpisodeJsonStream {
    inner: Option<Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>>,
}

impl EpisodeJsonStream {
    /// Wraps a stream of episode objects' JSON (for a storage of your own);
    /// it ends after its first error.
    pub fn new(stream: impl Stream<Item = Result<Bytes>> + Send + 'static) -> Self {
        EpisodeJsonStream {
            inner: Some(Box::pin(stream)),
        }
    }

    /// The elements of a list answer's JSON array, split as the bytes arrive.
    pub(crate) fn from_response(response: reqwest::Response) -> Self {
        EpisodeJsonStream::new(ElementStream::new(response))
    }

    /// Ends the stream: nothing more is read or yielded.
    fn stop(&mut self) {
        self.inner = None;
    }
}

impl fmt::Debug for EpisodeJsonStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EpisodeJsonStream")
            .field("finished", &self.inner.is_none())
            .finish()
    }
}

impl Stream for EpisodeJsonStream {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let next = inner.as_mut().poll_next(cx);
        if matches!(next, Poll::Ready(Some(Err(_)) | None)) {
            this.stop();
        }
        next
    }
}

/// Elements at least this large are decoded on the blocking pool, beside
/// the task that receives the next ones; smaller ones in place (moving them
/// would cost more than it saves).
const PARALLEL_FROM: usize = 64 * 1024;

/// How many elements are decoded at once (in order): memory holds about this
/// many episodes more than one at a time.
const DECODE_AHEAD: usize = 2;

/// A boxed stream of decoded elements.
pub(crate) type Boxed<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send>>;

/// The elements of `json`, each decoded by `decode` (given the bytes and
/// the element's index), in order; large ones on the blocking pool, a few at
/// a time, so decoding runs beside receiving. The first error ends it.
pub(crate) fn decode_each<T, F>(json: EpisodeJsonStream, decode: F) -> Boxed<T>
where
    T: Send + 'static,
    F: Fn(&[u8], usize) -> Result<T> + Clone + Send + Sync + 'static,
{
    let decoded = json
        .enumerate()
        .map(move |(index, element)| {
            let decode = decode.clone();
            async move {
                let bytes = element?;
                if bytes.len() < PARALLEL_FROM {
                    return decode(&bytes, index);
                }
                tokio::task::spawn_blocking(move || decode(&bytes, index))
                    .await
                    .map_err(|e| Error::joined("tupli-decode", &e))?
            }
        })
        .buffered(DECODE_AHEAD)
        .scan(false, |failed, item| {
            let next = (!*failed).then(|| {
                *failed = item.is_err();
                item
            });
            std::future::ready(next)
        });
    Box::pin(decoded)
}

/// Decoded elements: each element of an [`EpisodeJsonStream`] decoded as
/// `T`; the first error ends the stream.
struct Decoded<T> {
    inner: Boxed<T>,
    decoded: usize,
}

impl<T: Element + Send + 'static> Decoded<T> {
    fn new(json: EpisodeJsonStream) -> Self {
        Decoded {
            inner: decode_each(json, |bytes, index| decode::<T>(bytes, index)),
            decoded: 0,
        }
    }

    fn poll_element(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let next = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(_))) = &next {
            self.decoded += 1;
        }
        next
    }
}

/// Declares a named stream type over [`Decoded`] elements.
macro_rules! list_stream {
    ($(#[$doc:meta])* $name:ident => $item:ty) => {
        $(#[$doc])*
        #[must_use = "streams do nothing unless polled"]
        pub struct $name(Decoded<$item>);

        impl $name {
            /// Decodes each element of `json` (for a storage of your own).
            pub fn new(json: EpisodeJsonStream) -> Self {
                $name(Decoded::new(json))
            }
        }

        impl Stream for $name {
            type Item = Result<$item>;

            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.get_mut().0.poll_element(cx)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("decoded", &self.0.decoded)
                    .finish_non_exhaustive()
            }
        }
    };
}

list_stream! {
    /// Episodes with their tuples, decoded one at a time as their JSON
    /// arrives (from [`stream_episodes`](crate::storage::EpisodeStorage::stream_episodes)).
    ///
    /// Memory is bounded by the largest episode, not by the answer. A decode
    /// or transport error is the last item.
    EpisodeStream => EpisodeItem
}

list_stream! {
    /// Episode headers, decoded one at a time as their JSON arrives (from
    /// [`stream_episode_headers`](crate::storage::EpisodeStorage::stream_episode_headers)).
    EpisodeHeaderStream => EpisodeHeader
}
