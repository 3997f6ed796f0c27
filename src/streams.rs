//! The streams list methods answer: elements of a JSON array answer decoded
//! one at a time as its bytes arrive.

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

/// The raw elements of the JSON array in a response body, each with its index.
pub(crate) struct ElementStream {
    body: Option<ByteStream>,
    splitter: ArraySplitter,
    ready: VecDeque<Bytes>,
    index: usize,
}

impl ElementStream {
    pub(crate) fn new(response: reqwest::Response) -> Self {
        ElementStream {
            body: Some(Box::pin(response.bytes_stream())),
            splitter: ArraySplitter::new(),
            ready: VecDeque::new(),
            index: 0,
        }
    }

    /// Ends the stream: nothing more is read or yielded.
    pub(crate) fn stop(&mut self) {
        self.body = None;
        self.ready.clear();
    }
}

impl fmt::Debug for ElementStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElementStream")
            .field("elements", &self.index)
            .field("finished", &self.body.is_none())
            .finish()
    }
}

impl Stream for ElementStream {
    type Item = Result<(usize, Bytes)>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(bytes) = this.ready.pop_front() {
                let index = this.index;
                this.index += 1;
                return Poll::Ready(Some(Ok((index, bytes))));
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

/// Decoded elements: each element of an [`ElementStream`] decoded as `T`;
/// the first error ends the stream.
struct Decoded<T> {
    elements: ElementStream,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<T: Element> Decoded<T> {
    fn poll_element(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        match Pin::new(&mut self.elements).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Some(Ok((index, bytes)))) => {
                let item = decode(&bytes, index);
                if item.is_err() {
                    self.elements.stop();
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
            pub(crate) fn new(response: reqwest::Response) -> Self {
                $name(Decoded {
                    elements: ElementStream::new(response),
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
                f.debug_tuple(stringify!($name))
                    .field(&self.0.elements)
                    .finish()
            }
        }
    };
}

list_stream! {
    /// Episodes with their tuples, decoded one at a time as the answer
    /// arrives (from [`stream_episodes`](crate::TupliApiClient::stream_episodes)).
    ///
    /// Memory is bounded by the largest episode, not by the answer. A decode
    /// or transport error is the last item.
    EpisodeStream => EpisodeItem
}

list_stream! {
    /// Episode headers, decoded one at a time as the answer arrives (from
    /// [`stream_episode_headers`](crate::TupliApiClient::stream_episode_headers)).
    EpisodeHeaderStream => EpisodeHeader
}
