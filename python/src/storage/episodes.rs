//! Episodes: the [`EpisodeStorage`] operations, and [`EpisodeIterator`],
//! which streams them one at a time in bounded memory.

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use pyo3::prelude::*;
use tupli::models::EpisodeList;
use tupli::storage::EpisodeStorage;
use tupli::{EpisodeHeaderStream, EpisodeStream};

use super::Storage;
use crate::convert::{self, filter};
use crate::errors;
use crate::objects;
use crate::runtime::wait;

#[pymethods]
impl Storage {
    /// Records an episode (an `Episode`'s dump), checked before it is sent;
    /// answers its header.
    fn record_episode<'py>(
        &self,
        py: Python<'py>,
        episode: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let episode = crate::inputs::episode(episode, "episode")?;
        let storage = self.shared();
        let header = wait(py, async move { storage.record_episode(&episode).await })?;
        convert::to_py(py, &header)
    }

    /// Lists the episodes matching `filter`: header dumps, or with
    /// `include_tuples` the package's `EpisodeItem` objects themselves.
    #[pyo3(signature = (filter=None, include_tuples=false))]
    fn list_episodes<'py>(
        &self,
        py: Python<'py>,
        filter: Option<&Bound<'py, PyAny>>,
        include_tuples: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let filter = self::filter(filter, "filter")?;
        let storage = self.shared();
        let list = wait(py, async move {
            storage.list_episodes(&filter, include_tuples).await
        })?;
        Ok(match list {
            EpisodeList::Headers(headers) => convert::list_to_py(py, &headers)?,
            EpisodeList::Items(items) => {
                let _paused = objects::GcPause::new(py)?;
                let list = pyo3::types::PyList::empty(py);
                for item in items {
                    list.append(objects::episode_item(py, item)?)?;
                }
                list
            }
            _ => return Err(errors::internal("an episode list of a new kind")),
        }
        .into_any())
    }

    /// The episodes matching `filter`, one at a time as they arrive: items
    /// with their tuples, or headers when not `include_tuples`.
    #[pyo3(signature = (filter=None, include_tuples=true))]
    fn iter_episodes(
        &self,
        py: Python<'_>,
        filter: Option<&Bound<'_, PyAny>>,
        include_tuples: bool,
    ) -> PyResult<EpisodeIterator> {
        let filter = self::filter(filter, "filter")?;
        let storage = self.shared();
        let stream = wait(py, async move {
            Ok(if include_tuples {
                Episodes::Items(storage.stream_episodes(&filter).await?)
            } else {
                Episodes::Headers(storage.stream_episode_headers(&filter).await?)
            })
        })?;
        Ok(EpisodeIterator {
            stream: Arc::new(Mutex::new(Some(stream))),
        })
    }
}

id_operations!(
    "episode",
    delete_episode,
    publish_episode,
    unpublish_episode
);

/// The stream an [`EpisodeIterator`] reads.
enum Episodes {
    Items(EpisodeStream),
    Headers(EpisodeHeaderStream),
}

/// Episodes as they arrive (`EpisodeItem` objects, or header dumps), in bounded memory: one episode is
/// decoded at a time while the next bytes are received.
#[pyclass(module = "tupli._tupli", frozen)]
pub struct EpisodeIterator {
    /// `None` while a thread waits on it, and once it has ended.
    stream: Arc<Mutex<Option<Episodes>>>,
}

#[pymethods]
impl EpisodeIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let taken = self
            .stream
            .lock()
            .map_err(|_| errors::internal("a poisoned lock"))?
            .take();
        let Some(mut stream) = taken else {
            return Ok(None);
        };
        let slot = self.stream.clone();
        let next = wait(py, async move {
            let next = match &mut stream {
                Episodes::Items(items) => items
                    .next()
                    .await
                    .map(|r| r.map(|i| Next::Item(Box::new(i)))),
                Episodes::Headers(headers) => headers.next().await.map(|r| r.map(Next::Header)),
            };
            if matches!(next, Some(Ok(_))) {
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(stream);
                }
            }
            next.transpose()
        })?;
        match next {
            Some(Next::Item(item)) => objects::episode_item(py, *item).map(Some),
            Some(Next::Header(header)) => convert::to_py(py, &header).map(Some),
            None => Ok(None),
        }
    }
}

/// One episode from the stream.
enum Next {
    Item(Box<tupli::models::EpisodeItem>),
    Header(tupli::models::EpisodeHeader),
}
