//! Datasets written out: to a file (npz, Arrow IPC, Parquet) in bounded
//! memory, or handed to Arrow in memory through the Arrow PyCapsule
//! interface (`__arrow_c_stream__`), which pyarrow, polars and DuckDB read
//! without copying.

use std::ffi::CString;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use tupli::dataset::{Dtype, Format};

use crate::convert;
use crate::dataset::selection;
use crate::progress::PyProgress;
use crate::runtime::wait;
use crate::storage::Storage;

/// Writes the selected episodes to `path` as `format` (`"npz"`, `"arrow"`,
/// `"parquet"`) in `dtype`; the file appears only when complete. Answers the
/// summary (`path`, `bytes`, `episodes`, `tuples`, `obs_dim`, `act_dim`).
#[pyfunction]
#[pyo3(signature = (storage, benchmark_filter, episode_filter, format, path, dtype="float32", progress=None))]
#[allow(clippy::too_many_arguments)] // One per part of a Python call's signature.
pub fn export<'py>(
    py: Python<'py>,
    storage: &Storage,
    benchmark_filter: Option<&Bound<'py, PyAny>>,
    episode_filter: Option<&Bound<'py, PyAny>>,
    format: &str,
    path: PathBuf,
    dtype: &str,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let format = match format {
        "npz" => Format::Npz,
        "arrow" => Format::Arrow,
        "parquet" => Format::Parquet,
        other => {
            return Err(PyValueError::new_err(format!(
                "format must be npz, arrow or parquet, not {other:?}"
            )))
        }
    };
    let dtype = dtype_of(dtype)?;
    let dataset = selection(storage, benchmark_filter, episode_filter)?;
    let observer = progress.map(|p| Arc::new(PyProgress::new(p)));
    let watching = observer.clone();
    let summary = wait(py, async move {
        let export = dataset.export(format).dtype(dtype);
        let export = match watching {
            Some(observer) => export.progress(observer),
            None => export,
        };
        export.to_path(&path).await
    });
    if let Some(failure) = observer.and_then(|o| o.take_failure()) {
        return Err(failure);
    }
    convert::to_py(py, &summary?)
}

/// The selected episodes as one Arrow table in memory ([`ArrowTable`]).
#[pyfunction]
#[pyo3(signature = (storage, benchmark_filter=None, episode_filter=None, dtype="float32"))]
pub fn arrow_table(
    py: Python<'_>,
    storage: &Storage,
    benchmark_filter: Option<&Bound<'_, PyAny>>,
    episode_filter: Option<&Bound<'_, PyAny>>,
    dtype: &str,
) -> PyResult<ArrowTable> {
    let dataset = selection(storage, benchmark_filter, episode_filter)?;
    let batch = match dtype_of(dtype)? {
        Dtype::F64 => wait(
            py,
            async move { dataset.columns().await?.into_record_batch() },
        )?,
        _ => wait(py, async move {
            dataset.columns_as::<f32>().await?.into_record_batch()
        })?,
    };
    Ok(ArrowTable { batch })
}

/// `"float32"` or `"float64"`.
fn dtype_of(dtype: &str) -> PyResult<Dtype> {
    match dtype {
        "float32" => Ok(Dtype::F32),
        "float64" => Ok(Dtype::F64),
        other => Err(PyValueError::new_err(format!(
            "dtype must be float32 or float64, not {other:?}"
        ))),
    }
}

/// A dataset's rows as an Arrow table in Rust memory, read through the
/// Arrow PyCapsule interface: `pyarrow.table(t)`, `polars.DataFrame(t)`,
/// DuckDB. Each read shares the same buffers.
#[pyclass(module = "tupli._tupli", frozen)]
pub struct ArrowTable {
    batch: RecordBatch,
}

#[pymethods]
impl ArrowTable {
    /// The table as an `ArrowArrayStream` capsule (the stream protocol; a
    /// requested schema other than the table's own is not converted to).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let schema = self.batch.schema();
        let reader = RecordBatchIterator::new([Ok(self.batch.clone())], schema);
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        let name =
            CString::new("arrow_array_stream").map_err(|e| PyValueError::new_err(e.to_string()))?;
        PyCapsule::new(py, stream, Some(name))
    }

    /// The number of rows.
    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    fn __repr__(&self) -> String {
        format!(
            "ArrowTable({} rows, {} columns)",
            self.batch.num_rows(),
            self.batch.num_columns()
        )
    }
}
