//! Progress reported to a Python callable, `progress(done, total)`: bytes
//! for a transfer, tuples for an export, items for a copy (`total` is
//! `None` while unknown, and grows as a copy finds more). The callable is
//! called with the GIL taken, from tupli's threads; its first error is kept
//! and raised when the call ends.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use pyo3::prelude::*;
use tupli::copy::{CopyProgress, Item, Kind};
use tupli::dataset::ExportProgress;
use tupli::Progress;

/// A Python callable observing a transfer, an export or a copy.
pub struct PyProgress {
    callback: Py<PyAny>,
    done: AtomicU64,
    /// `u64::MAX`: unknown.
    total: AtomicU64,
    failure: Mutex<Option<PyErr>>,
}

impl PyProgress {
    /// Observes with `callback`.
    pub fn new(callback: Py<PyAny>) -> Self {
        PyProgress {
            callback,
            done: AtomicU64::new(0),
            total: AtomicU64::new(u64::MAX),
            failure: Mutex::new(None),
        }
    }

    /// The callable's first error, if it raised.
    pub fn take_failure(&self) -> Option<PyErr> {
        self.failure.lock().ok().and_then(|mut f| f.take())
    }

    fn report(&self) {
        let done = self.done.load(Ordering::Relaxed);
        let total = Some(self.total.load(Ordering::Relaxed)).filter(|&t| t != u64::MAX);
        Python::attach(|py| {
            if let Err(error) = self.callback.call1(py, (done, total)) {
                if let Ok(mut failure) = self.failure.lock() {
                    failure.get_or_insert(error);
                }
            }
        });
    }
}

impl Progress for PyProgress {
    fn start(&self, total: Option<u64>) {
        self.done.store(0, Ordering::Relaxed);
        self.total
            .store(total.unwrap_or(u64::MAX), Ordering::Relaxed);
        self.report();
    }

    fn advance(&self, bytes: u64) {
        self.done.fetch_add(bytes, Ordering::Relaxed);
        self.report();
    }
}

impl ExportProgress for PyProgress {
    fn start(&self, _episodes: usize, tuples: usize) {
        self.total.store(tuples as u64, Ordering::Relaxed);
        self.report();
    }

    fn episode(&self, tuples: usize, _bytes: usize) {
        self.done.fetch_add(tuples as u64, Ordering::Relaxed);
        self.report();
    }
}

impl CopyProgress for PyProgress {
    fn found(&self, _kind: Kind, count: usize) {
        let _ = self
            .total
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                Some(if t == u64::MAX {
                    count as u64
                } else {
                    t + count as u64
                })
            });
        self.report();
    }

    fn done(&self, _item: &Item) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.report();
    }
}
