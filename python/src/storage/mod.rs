//! `Storage`: a server (a [`TupliApiClient`]) or a folder (a
//! [`FileStorage`]) behind one Python class, which the package's
//! `TupliAPIClient` and `FileStorage` hold. Its methods, one file per
//! resource, take and answer the wire form (dicts, lists, bytes) and run
//! with the GIL released; the package wraps the answers in its schema
//! classes.

/// The three operations each resource has on an id — delete it, publish it
/// in a group, withdraw it from one — as methods forwarding to the storage
/// traits' of the same names (which must be in scope).
macro_rules! id_operations {
    ($resource:literal, $delete:ident, $publish:ident, $unpublish:ident) => {
        #[pyo3::pymethods]
        impl $crate::storage::Storage {
            #[doc = concat!("Deletes the ", $resource, " with id `uri`.")]
            fn $delete(&self, py: pyo3::Python<'_>, uri: String) -> pyo3::PyResult<()> {
                let storage = self.shared();
                $crate::runtime::wait(py, async move { storage.$delete(&uri).await })
            }

            #[doc = concat!("Publishes the ", $resource, " in the group `publish_in`.")]
            fn $publish(
                &self,
                py: pyo3::Python<'_>,
                uri: String,
                publish_in: String,
            ) -> pyo3::PyResult<()> {
                let storage = self.shared();
                $crate::runtime::wait(py, async move { storage.$publish(&uri, &publish_in).await })
            }

            #[doc = concat!("Withdraws the ", $resource, " from the group `unpublish_from`.")]
            fn $unpublish(
                &self,
                py: pyo3::Python<'_>,
                uri: String,
                unpublish_from: String,
            ) -> pyo3::PyResult<()> {
                let storage = self.shared();
                $crate::runtime::wait(py, async move {
                    storage.$unpublish(&uri, &unpublish_from).await
                })
            }
        }
    };
}

mod access;
mod artifacts;
mod benchmarks;
mod episodes;
mod session;

use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use tupli::storage::TupliStorage;
use tupli::{FileStorage, TupliApiClient};

pub use episodes::EpisodeIterator;

/// A server or a folder. Immutable (`frozen`), so one can be used from
/// several Python threads at once; a client's clones share one session.
#[pyclass(module = "tupli._tupli", frozen)]
pub struct Storage {
    storage: Arc<dyn TupliStorage>,
    client: Option<TupliApiClient>,
}

#[pymethods]
impl Storage {
    /// A client of the server at `url`, not logged in.
    #[staticmethod]
    fn client(py: Python<'_>, url: &str) -> PyResult<Storage> {
        let client = TupliApiClient::with_url(url).map_err(|e| crate::errors::raise(py, e))?;
        Ok(Storage {
            storage: Arc::new(client.clone()),
            client: Some(client),
        })
    }

    /// The folder at `path`, created when missing.
    #[staticmethod]
    fn folder(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Storage> {
        let folder = py
            .detach(|| FileStorage::create(&path))
            .map_err(|e| crate::errors::raise(py, e))?;
        Ok(Storage {
            storage: Arc::new(folder),
            client: None,
        })
    }

    /// What the storage is, for messages: the server's URL or the folder.
    fn describe(&self) -> String {
        self.storage.describe()
    }

    fn __repr__(&self) -> String {
        format!("Storage({})", self.storage.describe())
    }
}

impl Storage {
    /// The storage, shared, for a call's future.
    pub fn shared(&self) -> Arc<dyn TupliStorage> {
        self.storage.clone()
    }

    /// The client, for the operations only a server has.
    fn server(&self, operation: &str) -> PyResult<TupliApiClient> {
        self.client.clone().ok_or_else(|| {
            PyTypeError::new_err(format!(
                "{operation} needs a server: {} is a folder",
                self.storage.describe()
            ))
        })
    }
}
