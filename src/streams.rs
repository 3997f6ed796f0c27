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

/// Decoded elements of the JSON array in a response body.
struct JsonArrayStream<T> {
    body: Option<ByteStream>,
    splitter: ArraySplitter,
    ready: VecDeque<Bytes>,
    index: usize,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<T> JsonArrayStream<T> {
    fn new(response: reqwest::Response) -> Self {
        JsonArrayStream {
            body: Some(Box::pin(response.bytes_stream())),
            splitter: ArraySplitter::new(),
            ready: VecDeque::new(),
            index: 0,
            _marker: std::marker::PhantomData,
        }
    }

    /// Ends the stream: nothing more is read or yielded.
    fn stop(&mut self) {
        self.body = None;
        self.ready.clear();
    }
}

impl<T: Element> JsonArrayStream<T> {
    fn poll_element(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        loop {
            if let Some(bytes) = self.ready.pop_front() {
                let item = decode(&bytes, self.index);
                self.index += 1;
                if item.is_err() {
                    self.stop();
                }
                return Poll::Ready(Some(item));
            }
            let Some(body) = self.body.as_mut() else {
                return Poll::Ready(None);
            };
            match body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    if let Err(e) = self.splitter.push(&chunk, &mut self.ready) {
                        self.stop();
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    self.stop();
                    return Poll::Ready(Some(Err(e.into())));
                }
                Poll::Ready(None) => {
                    self.body = None;
                    if let Err(e) = self.splitter.finish() {
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
        }
    }
}

/// Declares a named stream type over [`JsonArrayStream`].
macro_rules! list_stream {
    ($(#[$doc:meta])* $name:ident => $item:ty) => {
        $(#[$doc])*
        #[must_use = "streams do nothing unless polled"]
        pub struct $name(JsonArrayStream<$item>);

        impl $name {
            pub(crate) fn new(response: reqwest::Response) -> Self {
                $name(JsonArrayStream::new(response))
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
                    .field("finished", &self.0.body.is_none())
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
