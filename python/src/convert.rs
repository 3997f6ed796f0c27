//! Values between Python and Rust: inputs (the wire form, as the package's
//! `model_dump()` gives it) read into tupli's types, answers written back as
//! plain Python values for the package to wrap.

use pyo3::prelude::*;
use pyo3::types::PyList;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tupli::Filter;

use crate::errors;

/// Reads `value` (dicts, lists, numbers, …) as a `T`; a value that does not
/// fit is an `InvalidInputError` naming `argument` and where it failed.
pub fn from_py<T: DeserializeOwned>(value: &Bound<'_, PyAny>, argument: &str) -> PyResult<T> {
    pythonize::depythonize(value).map_err(|e| errors::invalid_input(value.py(), argument, e))
}

/// Writes `value` as Python objects (objects become dicts).
pub fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| errors::internal(format!("answer to Python: {e}")))
}

/// Writes each item as Python objects, into a list.
pub fn list_to_py<'py, T: Serialize>(py: Python<'py>, items: &[T]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for item in items {
        list.append(to_py(py, item)?)?;
    }
    Ok(list)
}

/// A filter in its wire form (`None`: everything), checked as the server
/// would check it before anything is sent.
pub fn filter(value: Option<&Bound<'_, PyAny>>, argument: &str) -> PyResult<Filter> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Filter::all());
    };
    let filter: Filter = from_py(value, argument)?;
    filter
        .validate()
        .map_err(|e| errors::raise(value.py(), e))?;
    Ok(filter)
}
