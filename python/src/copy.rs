//! `copy`: a selection of one storage into another, idempotent (what the
//! destination holds already is skipped), as tupli's [`tupli::copy`].

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use tupli::copy::{CopyReport, Outcome, Selection, Status};

use crate::convert::filter;
use crate::errors;
use crate::progress::PyProgress;
use crate::runtime::wait;
use crate::storage::Storage;

/// Copies the benchmarks of `source` matching `benchmark_filter`, their
/// episodes matching `episode_filter`, and their artifacts into
/// `destination`. Answers the report as a dict.
#[pyfunction]
#[pyo3(signature = (source, destination, benchmark_filter=None, episode_filter=None, dry_run=false, concurrency=4, progress=None))]
#[allow(clippy::too_many_arguments)] // One per part of a Python call's signature.
pub fn copy<'py>(
    py: Python<'py>,
    source: &Storage,
    destination: &Storage,
    benchmark_filter: Option<&Bound<'py, PyAny>>,
    episode_filter: Option<&Bound<'py, PyAny>>,
    dry_run: bool,
    concurrency: usize,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut selection =
        Selection::all().with_benchmark_filter(filter(benchmark_filter, "benchmark_filter")?);
    if episode_filter.is_some_and(|f| !f.is_none()) {
        selection = selection.with_episode_filter(filter(episode_filter, "episode_filter")?);
    }
    let (from, to) = (source.shared(), destination.shared());
    let observer = progress.map(|p| Arc::new(PyProgress::new(p)));
    let watching = observer.clone();
    let report = wait(py, async move {
        let task = tupli::copy::copy(from, to, selection)
            .dry_run(dry_run)
            .concurrency(concurrency);
        match watching {
            Some(observer) => task.progress(observer).await,
            None => task.await,
        }
    });
    if let Some(failure) = observer.and_then(|o| o.take_failure()) {
        return Err(failure);
    }
    report_to_py(py, report?)
}

/// The report: `source`, `destination`, `dry_run`, counts (`copied`,
/// `skipped`, `failed`), `bytes`, and `items`, a dict each (`kind`,
/// `source_id`, `label`, `status`, `destination_id`, `reason`, `error`).
fn report_to_py(py: Python<'_>, report: CopyReport) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("source", &report.from)?;
    dict.set_item("destination", &report.to)?;
    dict.set_item("dry_run", report.dry_run)?;
    dict.set_item("copied", report.count(None, Status::Copied))?;
    dict.set_item("skipped", report.count(None, Status::Skipped))?;
    dict.set_item("failed", report.count(None, Status::Failed))?;
    dict.set_item("bytes", report.bytes())?;
    let items = PyList::empty(py);
    for item in report.items {
        let entry = PyDict::new(py);
        entry.set_item("kind", item.kind.name())?;
        entry.set_item("source_id", &item.source_id)?;
        entry.set_item("label", &item.label)?;
        let (status, id, reason, error) = match item.outcome {
            Outcome::Copied { destination_id } => ("copied", destination_id, None, None),
            Outcome::Skipped {
                destination_id,
                reason,
            } => ("skipped", destination_id, Some(reason), None),
            Outcome::Failed { error } => (
                "failed",
                None,
                None,
                Some(errors::raise(py, error).into_value(py)),
            ),
            _ => ("unknown", None, None, None),
        };
        entry.set_item("status", status)?;
        entry.set_item("destination_id", id)?;
        entry.set_item("reason", reason)?;
        entry.set_item("error", error)?;
        items.append(entry)?;
    }
    dict.set_item("items", items)?;
    Ok(dict)
}
