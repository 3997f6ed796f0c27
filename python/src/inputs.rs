//! Episodes read straight from Python objects — the package's `Episode`
//! and `RLTuple`, pytupli's pydantic ones (both keep their fields in
//! `__dict__`), or dicts — without dumping them first: the hot path of a
//! long episode's `record_episode` and of the recorder.

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString};
use serde_json::{Map, Value};
use tupli::models::{Episode, RlTuple, TupleValue};

use crate::convert::from_py;

/// Reads an episode: a dict (its wire form) or an object with the fields.
pub fn episode(value: &Bound<'_, PyAny>, argument: &str) -> PyResult<Episode> {
    let Some(fields) = fields_of(value)? else {
        return from_py(value, argument);
    };
    let at = |field: &str| format!("{argument}.{field}");
    let benchmark_id = field(&fields, "benchmark_id", argument)?;
    let benchmark_id = benchmark_id
        .cast::<PyString>()
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "{}: must be a str, not {}",
                at("benchmark_id"),
                type_name(&benchmark_id)
            ))
        })?
        .to_string();
    let metadata: Map<String, Value> =
        from_py(&field(&fields, "metadata", argument)?, &at("metadata"))?;
    let listed = field(&fields, "tuples", argument)?;
    let list = listed.cast::<PyList>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{}: must be a list, not {}",
            at("tuples"),
            type_name(&listed)
        ))
    })?;
    let mut tuples = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        tuples.push(rl_tuple(&item, &format!("{argument}.tuples[{i}]"))?);
    }
    Ok(Episode {
        benchmark_id,
        metadata,
        tuples,
    })
}

/// Reads a tuple: a dict or an object with the fields.
fn rl_tuple(value: &Bound<'_, PyAny>, at: &str) -> PyResult<RlTuple> {
    let Some(fields) = fields_of(value)? else {
        return from_py(value, at);
    };
    let py = value.py();
    let flag = |name: &str| -> PyResult<bool> {
        match fields.get_item(name)? {
            Some(v) => v.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{at}.{name}: must be a bool, not {}",
                    type_name(&v)
                ))
            }),
            None => Ok(false),
        }
    };
    Ok(RlTuple {
        state: tuple_value(&field(&fields, "state", at)?, &format!("{at}.state"))?,
        action: tuple_value(&field(&fields, "action", at)?, &format!("{at}.action"))?,
        reward: tuple_value(&field(&fields, "reward", at)?, &format!("{at}.reward"))?,
        info: match fields.get_item(intern!(py, "info"))? {
            Some(info) => from_py(&info, &format!("{at}.info"))?,
            None => Map::new(),
        },
        terminal: flag("terminal")?,
        timeout: flag("timeout")?,
    })
}

/// A tuple's value as its JSON would read: a list of floats, a float, or
/// any other JSON; a numpy value or array by its `tolist()`.
fn tuple_value(value: &Bound<'_, PyAny>, at: &str) -> PyResult<TupleValue> {
    if let Ok(float) = value.cast::<PyFloat>() {
        return Ok(TupleValue::Float(float.value()));
    }
    if let Ok(list) = value.cast::<PyList>() {
        if !list.is_empty() {
            let floats: Option<Vec<f64>> = list
                .iter()
                .map(|item| item.cast::<PyFloat>().ok().map(|f| f.value()))
                .collect();
            if let Some(floats) = floats {
                return Ok(TupleValue::Floats(floats));
            }
        }
        return Ok(TupleValue::Json(from_py(value, at)?));
    }
    let py = value.py();
    if value.hasattr(intern!(py, "tolist"))? && !value.is_instance_of::<PyString>() {
        return tuple_value(&value.call_method0(intern!(py, "tolist"))?, at);
    }
    Ok(TupleValue::Json(from_py(value, at)?))
}

/// The fields of an object that keeps them in `__dict__`; `None` for a dict
/// (read as the wire form).
fn fields_of<'py>(value: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyDict>>> {
    if value.is_instance_of::<PyDict>() {
        return Ok(None);
    }
    let py = value.py();
    match value.getattr(intern!(py, "__dict__")) {
        Ok(fields) => Ok(Some(fields.cast_into::<PyDict>()?)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "expected an episode or a tuple (an object or a dict), not {}",
            type_name(value)
        ))),
    }
}

/// A required field.
fn field<'py>(fields: &Bound<'py, PyDict>, name: &str, at: &str) -> PyResult<Bound<'py, PyAny>> {
    fields
        .get_item(name)?
        .ok_or_else(|| PyTypeError::new_err(format!("{at}: the field `{name}` is missing")))
}

/// A value's type name, for messages.
fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}
