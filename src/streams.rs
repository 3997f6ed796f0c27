//! The streams list methods answer: episodes one at a time, as their JSON
//! arrives (from a server's list answer, or from a storage's files).

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;

use crate::decode::{decode, ArraySplitter, Element};
use crate::error::Result;
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
/// [`TupliStorage::stream_episode_json`](crate::storage::TupliStorage::stream_episode_json):
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

/// Decoded elements: each element of an [`EpisodeJsonStream`] decoded as
/// `T`; the first error ends the stream.
struct Decoded<T> {
    json: EpisodeJsonStream,
    index: usize,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<T: Element> Decoded<T> {
    fn poll_element(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        match Pin::new(&mut self.json).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Some(Ok(bytes))) => {
                let item = decode(&bytes, self.index);
                self.index += 1;
                if item.is_err() {
                    self.json.stop();
                }
                Poll::Ready(Some(item))
            }
        }
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
                $name(Decoded {
                    json,
                    index: 0,
                    _marker: std::marker::PhantomData,
                })
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
                    .field("decoded", &self.0.index)
                    .field("json", &self.0.json)
                    .finish()
            }
        }
    };
}

list_stream! {
    /// Episodes with their tuples, decoded one at a time as their JSON
    /// arrives (from [`stream_episodes`](crate::TupliApiClient::stream_episodes)).
    ///
    /// Memory is bounded by the largest episode, not by the answer. A decode
    /// or transport error is the last item.
    EpisodeStream => EpisodeItem
}

list_stream! {
    /// Episode headers, decoded one at a time as their JSON arrives (from
    /// [`stream_episode_headers`](crate::TupliApiClient::stream_episode_headers)).
    EpisodeHeaderStream => EpisodeHeader
}
