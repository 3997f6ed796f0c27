//! Datasets: the episodes a selection picks, previewed or read into columns
//! that become numpy arrays owning the Rust buffers (no copy, no Python
//! float per number).

use std::sync::{Arc, Mutex};

use numpy::{Element, PyArray1, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tupli::dataset::{Column, ColumnParts, Dataset, Float, Layout};
use tupli::models::RlTuple;

use crate::convert::{self, filter};
use crate::runtime::wait;
use crate::storage::Storage;

/// The dataset of `storage`'s episodes of the benchmarks matching
/// `benchmark_filter`, AND `episode_filter` (both dumps).
pub fn selection(
    storage: &Storage,
    benchmark_filter: Option<&Bound<'_, PyAny>>,
    episode_filter: Option<&Bound<'_, PyAny>>,
) -> PyResult<Dataset> {
    let dataset = Dataset::new(storage.shared())
        .with_benchmark_filter(filter(benchmark_filter, "benchmark_filter")?);
    Ok(match episode_filter.filter(|f| !f.is_none()) {
        Some(episode_filter) => {
            dataset.with_episode_filter(filter(Some(episode_filter), "episode_filter")?)
        }
        None => dataset,
    })
}

/// The headers of the selected episodes; no tuple is downloaded.
#[pyfunction]
#[pyo3(signature = (storage, benchmark_filter=None, episode_filter=None))]
pub fn preview<'py>(
    py: Python<'py>,
    storage: &Storage,
    benchmark_filter: Option<&Bound<'py, PyAny>>,
    episode_filter: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let dataset = selection(storage, benchmark_filter, episode_filter)?;
    let headers = wait(py, async move { dataset.preview().await })?;
    Ok(convert::list_to_py(py, &headers)?.into_any())
}

/// The selected episodes' tuples as columns: a dict of numpy arrays
/// (`observations`, `actions`, `next_observations`, `rewards`, `terminals`,
/// `timeouts`, `steps`, `episode_index`, `episode_starts`) and `episodes`,
/// the headers. `tuple_filter`, when given, is called with each tuple as an
/// `RLTuple` and keeps those it answers true for; `layout` is `"d4rl"` or
/// `"pytupli"`, `dtype` `"float32"` or `"float64"`.
#[pyfunction]
#[pyo3(signature = (storage, benchmark_filter=None, episode_filter=None, tuple_filter=None, layout="d4rl", dtype="float32"))]
pub fn load_columns<'py>(
    py: Python<'py>,
    storage: &Storage,
    benchmark_filter: Option<&Bound<'py, PyAny>>,
    episode_filter: Option<&Bound<'py, PyAny>>,
    tuple_filter: Option<Py<PyAny>>,
    layout: &str,
    dtype: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let layout = match layout {
        "d4rl" => Layout::D4rl,
        "pytupli" => Layout::Pytupli,
        other => {
            return Err(PyValueError::new_err(format!(
                "layout must be 'd4rl' or 'pytupli', not {other:?}"
            )))
        }
    };
    let mut dataset = selection(storage, benchmark_filter, episode_filter)?.with_layout(layout);
    let failure: Arc<Mutex<Option<PyErr>>> = Arc::default();
    if let Some(keep) = tuple_filter.filter(|f| !f.is_none(py)) {
        let failure = failure.clone();
        dataset = dataset.with_tuple_filter(move |tuple| {
            Python::attach(|py| match call_filter(py, &keep, tuple) {
                Ok(kept) => kept,
                Err(error) => {
                    if let Ok(mut slot) = failure.lock() {
                        slot.get_or_insert(error);
                    }
                    false
                }
            })
        });
    }
    let columns = match dtype {
        "float32" => {
            let parts = wait(py, async move { dataset.columns_as::<f32>().await })?.into_parts();
            columns_to_py(py, parts)
        }
        "float64" => {
            let parts = wait(py, async move { dataset.columns().await })?.into_parts();
            columns_to_py(py, parts)
        }
        other => Err(PyValueError::new_err(format!(
            "dtype must be float32 or float64, not {other:?}"
        ))),
    };
    if let Some(error) = failure.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(error);
    }
    columns
}

/// Calls the user's tuple filter with `tuple` as an `RLTuple`.
fn call_filter(py: Python<'_>, keep: &Py<PyAny>, tuple: &RlTuple) -> PyResult<bool> {
    keep.bind(py)
        .call1((crate::objects::rl_tuple(py, tuple)?,))?
        .is_truthy()
}

/// The columns as numpy arrays (each owning its Rust buffer).
fn columns_to_py<T: Float + Element>(
    py: Python<'_>,
    parts: ColumnParts<T>,
) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("observations", matrix(py, parts.observations)?)?;
    dict.set_item("actions", matrix(py, parts.actions)?)?;
    dict.set_item("next_observations", matrix(py, parts.next_observations)?)?;
    dict.set_item("rewards", PyArray1::from_vec(py, parts.rewards))?;
    dict.set_item("terminals", PyArray1::from_vec(py, parts.terminals))?;
    dict.set_item("timeouts", PyArray1::from_vec(py, parts.timeouts))?;
    dict.set_item("steps", PyArray1::from_vec(py, parts.steps))?;
    dict.set_item("episode_index", PyArray1::from_vec(py, parts.episode_index))?;
    let starts: Vec<i64> = parts.episode_starts.iter().map(|&s| s as i64).collect();
    dict.set_item("episode_starts", PyArray1::from_vec(py, starts))?;
    dict.set_item("episodes", convert::list_to_py(py, &parts.episodes)?)?;
    Ok(dict)
}

/// A `[rows × width]` array over the column's buffer.
fn matrix<T: Element>(py: Python<'_>, column: Column<T>) -> PyResult<Bound<'_, PyAny>> {
    let (rows, width) = (column.len(), column.width());
    let flat = PyArray1::from_vec(py, column.into_values());
    Ok(flat.reshape([rows, width])?.into_any())
}
