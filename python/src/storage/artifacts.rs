//! Artifacts: the [`ArtifactStorage`] operations.

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;
use tupli::models::ArtifactMetadata;
use tupli::storage::ArtifactStorage;

use super::Storage;
use crate::convert::{self, filter, from_py};
use crate::runtime::wait;

#[pymethods]
impl Storage {
    /// Stores `artifact`'s bytes with `metadata` (an `ArtifactMetadata`'s
    /// dump); answers the stored item.
    fn store_artifact<'py>(
        &self,
        py: Python<'py>,
        artifact: PyBackedBytes,
        metadata: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let metadata: ArtifactMetadata = from_py(metadata, "metadata")?;
        let storage = self.shared();
        let data = Bytes::from_owner(artifact);
        let item = wait(
            py,
            async move { storage.store_artifact(data, &metadata).await },
        )?;
        convert::to_py(py, &item)
    }

    /// Loads an artifact's bytes, checked against its hash.
    fn load_artifact<'py>(&self, py: Python<'py>, uri: String) -> PyResult<Bound<'py, PyBytes>> {
        let storage = self.shared();
        let data = wait(py, async move { storage.load_artifact(&uri).await })?;
        Ok(PyBytes::new(py, &data))
    }

    /// Lists the artifacts matching `filter` (a dump).
    #[pyo3(signature = (filter=None))]
    fn list_artifacts<'py>(
        &self,
        py: Python<'py>,
        filter: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let filter = self::filter(filter, "filter")?;
        let storage = self.shared();
        let items = wait(py, async move { storage.list_artifacts(&filter).await })?;
        Ok(convert::list_to_py(py, &items)?.into_any())
    }
}

id_operations!(
    "artifact",
    delete_artifact,
    publish_artifact,
    unpublish_artifact
);
