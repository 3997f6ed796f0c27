//! Episodes straight into the package's schema objects, for the paths where
//! their number matters (an episode list with its tuples: hundreds of
//! thousands of `RLTuple`s). Each object is made as `_from_dump` makes it —
//! `object.__new__(cls)`, then its `__dict__`, every field present — with
//! interned keys and no dict in between.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use pyo3::{intern, IntoPyObjectExt};
use serde_json::{Map, Value};
use tupli::models::{EpisodeItem, RlTuple, TupleValue};

/// `object.__new__` and the classes made with it.
struct Schema {
    new: Py<PyAny>,
    episode_item: Py<PyAny>,
    rl_tuple: Py<PyAny>,
}

static SCHEMA: PyOnceLock<Schema> = PyOnceLock::new();

fn schema(py: Python<'_>) -> PyResult<&Schema> {
    SCHEMA.get_or_try_init(py, || {
        let module = py.import("tupli.schema")?;
        Ok(Schema {
            new: py
                .import("builtins")?
                .getattr("object")?
                .getattr("__new__")?
                .unbind(),
            episode_item: module.getattr("EpisodeItem")?.unbind(),
            rl_tuple: module.getattr("RLTuple")?.unbind(),
        })
    })
}

/// An instance of `class` whose attributes are `fields`.
fn instance<'py>(
    py: Python<'py>,
    schema: &Schema,
    class: &Py<PyAny>,
    fields: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let object = schema.new.bind(py).call1((class.bind(py),))?;
    object.setattr(intern!(py, "__dict__"), fields)?;
    Ok(object)
}

/// Python's cyclic garbage collector, paused while many objects are made
/// (none of them can be garbage yet): left running, it walks every object
/// made so far again and again, which took over 40% of a long list's time.
/// Resumed when dropped, if it was running.
pub struct GcPause<'py> {
    gc: Option<Bound<'py, PyAny>>,
}

impl<'py> GcPause<'py> {
    /// Pauses the collector.
    pub fn new(py: Python<'py>) -> PyResult<Self> {
        let gc = py.import(intern!(py, "gc"))?.into_any();
        let running = gc.call_method0(intern!(py, "isenabled"))?.is_truthy()?;
        if running {
            gc.call_method0(intern!(py, "disable"))?;
        }
        Ok(GcPause {
            gc: running.then_some(gc),
        })
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.gc {
            let _ = gc.call_method0(intern!(gc.py(), "enable"));
        }
    }
}

/// An `EpisodeItem` with its `RLTuple`s.
pub fn episode_item(py: Python<'_>, item: EpisodeItem) -> PyResult<Bound<'_, PyAny>> {
    let schema = schema(py)?;
    let _paused = GcPause::new(py)?;
    let tuples = PyList::empty(py);
    for tuple in &item.tuples {
        tuples.append(rl_tuple_in(py, schema, tuple)?)?;
    }
    let fields = PyDict::new(py);
    fields.set_item(intern!(py, "id"), item.id)?;
    fields.set_item(intern!(py, "created_by"), item.created_by)?;
    fields.set_item(intern!(py, "published_in"), item.published_in)?;
    fields.set_item(intern!(py, "created_at"), item.created_at)?;
    fields.set_item(intern!(py, "benchmark_id"), item.benchmark_id)?;
    fields.set_item(intern!(py, "metadata"), object(py, &item.metadata)?)?;
    fields.set_item(intern!(py, "n_tuples"), item.n_tuples)?;
    fields.set_item(intern!(py, "terminated"), item.terminated)?;
    fields.set_item(intern!(py, "timeout"), item.timeout)?;
    fields.set_item(intern!(py, "tuples"), tuples)?;
    instance(py, schema, &schema.episode_item, fields)
}

/// An `RLTuple`.
pub fn rl_tuple<'py>(py: Python<'py>, tuple: &RlTuple) -> PyResult<Bound<'py, PyAny>> {
    rl_tuple_in(py, schema(py)?, tuple)
}

fn rl_tuple_in<'py>(
    py: Python<'py>,
    schema: &Schema,
    tuple: &RlTuple,
) -> PyResult<Bound<'py, PyAny>> {
    let fields = PyDict::new(py);
    fields.set_item(intern!(py, "state"), tuple_value(py, &tuple.state)?)?;
    fields.set_item(intern!(py, "action"), tuple_value(py, &tuple.action)?)?;
    fields.set_item(intern!(py, "reward"), tuple_value(py, &tuple.reward)?)?;
    fields.set_item(intern!(py, "info"), object(py, &tuple.info)?)?;
    fields.set_item(intern!(py, "terminal"), tuple.terminal)?;
    fields.set_item(intern!(py, "timeout"), tuple.timeout)?;
    instance(py, schema, &schema.rl_tuple, fields)
}

/// A tuple's value as the JSON it was: a list of floats, a float, or any
/// other JSON.
fn tuple_value<'py>(py: Python<'py>, value: &TupleValue) -> PyResult<Bound<'py, PyAny>> {
    match value {
        TupleValue::Floats(floats) => Ok(PyList::new(py, floats)?.into_any()),
        TupleValue::Float(float) => float.into_bound_py_any(py),
        TupleValue::Json(json) => self::value(py, json),
        _ => crate::convert::to_py(py, value),
    }
}

/// A JSON object as a dict.
fn object<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    for (key, item) in map {
        dict.set_item(key, value(py, item)?)?;
    }
    Ok(dict.into_any())
}

/// A JSON value as Python's `json` module reads it (integers as `int`).
fn value<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_bound_py_any(py),
            (None, Some(u)) => u.into_bound_py_any(py),
            _ => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py),
        },
        Value::String(s) => s.into_bound_py_any(py),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(self::value(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => object(py, map),
    }
}
