//! Benchmarks: the [`BenchmarkStorage`] operations.

use pyo3::prelude::*;
use tupli::models::BenchmarkQuery;
use tupli::storage::BenchmarkStorage;

use super::Storage;
use crate::convert::{self, filter, from_py};
use crate::runtime::wait;

#[pymethods]
impl Storage {
    /// Stores a benchmark (a `BenchmarkQuery`'s dump); answers its header.
    fn store_benchmark<'py>(
        &self,
        py: Python<'py>,
        benchmark_query: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let query: BenchmarkQuery = from_py(benchmark_query, "benchmark_query")?;
        let storage = self.shared();
        let header = wait(py, async move { storage.store_benchmark(&query).await })?;
        convert::to_py(py, &header)
    }

    /// Loads a benchmark with its serialized environment.
    fn load_benchmark<'py>(&self, py: Python<'py>, uri: String) -> PyResult<Bound<'py, PyAny>> {
        let storage = self.shared();
        let benchmark = wait(py, async move { storage.load_benchmark(&uri).await })?;
        convert::to_py(py, &benchmark)
    }

    /// Lists the headers of the benchmarks matching `filter` (a dump).
    #[pyo3(signature = (filter=None))]
    fn list_benchmarks<'py>(
        &self,
        py: Python<'py>,
        filter: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let filter = self::filter(filter, "filter")?;
        let storage = self.shared();
        let headers = wait(py, async move { storage.list_benchmarks(&filter).await })?;
        Ok(convert::list_to_py(py, &headers)?.into_any())
    }
}

id_operations!(
    "benchmark",
    delete_benchmark,
    publish_benchmark,
    unpublish_benchmark
);
