//! `Recorder`: episodes handed over at their end and stored in the
//! background by tupli's [`EpisodeRecorder`], each exactly once (the
//! package's `TupliEnvWrapper` records through it).

use std::sync::Arc;

use futures::FutureExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use tokio::sync::Mutex;
use tupli::{EpisodeRecorder, RecorderReport};

use crate::errors;
use crate::runtime::{runtime, wait};
use crate::storage::Storage;

/// Stores episodes in the background; `close()` waits for them and says
/// what could not be stored.
#[pyclass(module = "tupli._tupli", frozen)]
pub struct Recorder {
    /// `None` once closed.
    recorder: Arc<Mutex<Option<EpisodeRecorder>>>,
}

#[pymethods]
impl Recorder {
    /// A recorder storing episodes of `benchmark_id` into `storage`, holding
    /// at most `capacity` tuples of episodes not yet stored (a hand-over
    /// waits for room beyond that).
    #[new]
    #[pyo3(signature = (storage, benchmark_id, capacity=None))]
    fn new(
        py: Python<'_>,
        storage: &Storage,
        benchmark_id: String,
        capacity: Option<usize>,
    ) -> PyResult<Recorder> {
        let runtime = runtime()?;
        let _inside = runtime.enter();
        let mut builder = EpisodeRecorder::builder(storage.shared(), benchmark_id);
        if let Some(capacity) = capacity {
            builder = builder.capacity(capacity);
        }
        let recorder = builder.build().map_err(|e| errors::raise(py, e))?;
        Ok(Recorder {
            recorder: Arc::new(Mutex::new(Some(recorder))),
        })
    }

    /// Hands an episode (an `Episode`'s dump) over, checked first; answers
    /// the key it is stored under. Waits only while the recorder is full.
    fn record(&self, py: Python<'_>, episode: &Bound<'_, PyAny>) -> PyResult<String> {
        let episode = crate::inputs::episode(episode, "episode")?;
        // With room for it (the usual case) the hand-over completes at once:
        // done here, without a trip to the I/O threads.
        if let Ok(mut held) = self.recorder.try_lock() {
            if let Some(recorder) = held.as_mut() {
                let room = recorder.capacity() - recorder.held_tuples();
                if episode.tuples.len() <= room {
                    let handed = recorder.record(episode).now_or_never();
                    return match handed {
                        Some(answer) => answer.map_err(|e| errors::raise(py, e)),
                        None => Err(errors::internal("a hand-over with room waited")),
                    };
                }
            }
        }
        let recorder = self.recorder.clone();
        wait(py, async move {
            match recorder.lock().await.as_mut() {
                Some(recorder) => recorder.record(episode).await,
                None => Err(tupli::Error::InvalidInput {
                    argument: "recorder",
                    reason: "the recorder is closed".into(),
                }),
            }
        })
    }

    /// The episodes handed over and not yet stored.
    fn pending(&self) -> usize {
        self.recorder
            .try_lock()
            .ok()
            .and_then(|r| r.as_ref().map(EpisodeRecorder::pending_episodes))
            .unwrap_or(0)
    }

    /// Waits until every episode handed over is stored or has failed, and
    /// answers the report: `stored`, `found_by_key` (stored before, found
    /// again rather than stored twice) and `failed`, one dict per episode
    /// (`key`, `n_tuples`, `attempts`, `maybe_stored`, `error`: the
    /// exception). Closing again answers an empty report.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let recorder = self.recorder.clone();
        let report = wait(py, async move {
            Ok(match recorder.lock().await.take() {
                Some(recorder) => Some(recorder.close().await),
                None => None,
            })
        })?;
        report_to_py(py, report)
    }
}

/// The report as a dict.
fn report_to_py(py: Python<'_>, report: Option<RecorderReport>) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    let failed = PyList::empty(py);
    let (stored, found) = report
        .as_ref()
        .map_or((0, 0), |r| (r.stored, r.found_by_key));
    if let Some(report) = report {
        for failure in report.failed {
            let item = PyDict::new(py);
            item.set_item("key", &failure.key)?;
            item.set_item("n_tuples", failure.episode.tuples.len())?;
            item.set_item("attempts", failure.attempts)?;
            item.set_item("maybe_stored", failure.maybe_stored)?;
            item.set_item("error", errors::raise(py, failure.error).into_value(py))?;
            failed.append(item)?;
        }
    }
    dict.set_item("stored", stored)?;
    dict.set_item("found_by_key", found)?;
    dict.set_item("failed", failed)?;
    Ok(dict)
}
