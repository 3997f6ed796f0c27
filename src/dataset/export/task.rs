//! An export as the caller sees it: [`Dataset::export`], the [`Export`] it
//! answers, its options ([`Dtype`], [`ExportProgress`]) and what it wrote
//! ([`ExportSummary`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::pipeline;
use super::Format;
use crate::dataset::Dataset;
use crate::error::Result;

/// The element type of the float columns in a written file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Dtype {
    /// 64-bit floats: exactly what was stored.
    #[default]
    F64,
    /// 32-bit floats, each rounded to nearest (as `numpy.float32` rounds).
    F32,
}

/// Observes an export, e.g. to draw a progress bar. Every method has an
/// empty default; `()` observes nothing.
pub trait ExportProgress: Send + Sync {
    /// The selection is known: `episodes` episodes with `tuples` tuples in
    /// all (as their headers announce).
    fn start(&self, episodes: usize, tuples: usize) {
        let _ = (episodes, tuples);
    }

    /// One more episode was read: `tuples` tuples, `bytes` bytes of JSON.
    fn episode(&self, tuples: usize, bytes: usize) {
        let _ = (tuples, bytes);
    }
}

impl ExportProgress for () {}

impl<P: ExportProgress + ?Sized> ExportProgress for Arc<P> {
    fn start(&self, episodes: usize, tuples: usize) {
        (**self).start(episodes, tuples);
    }

    fn episode(&self, tuples: usize, bytes: usize) {
        (**self).episode(tuples, bytes);
    }
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ExportSummary {
    /// The file written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Episodes with at least one row.
    pub episodes: usize,
    /// Rows (tuples).
    pub tuples: usize,
    /// Values per observation.
    pub obs_dim: usize,
    /// Values per action.
    pub act_dim: usize,
}

/// An export of a dataset to a file; made by [`Dataset::export`], run by
/// [`Export::to_path`].
#[must_use = "an export does nothing until `to_path` is awaited"]
pub struct Export<'a> {
    dataset: &'a Dataset,
    format: Format,
    dtype: Dtype,
    progress: Arc<dyn ExportProgress>,
}

impl std::fmt::Debug for Export<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export")
            .field("format", &self.format)
            .field("dtype", &self.dtype)
            .finish_non_exhaustive()
    }
}

impl Dataset {
    /// Starts an export of the selected episodes to a file in `format`,
    /// one row per tuple with D4RL's column names. Finish it with
    /// [`Export::to_path`].
    pub fn export(&self, format: Format) -> Export<'_> {
        Export {
            dataset: self,
            format,
            dtype: Dtype::F64,
            progress: Arc::new(()),
        }
    }
}

impl Export<'_> {
    /// Sets the element type of the float columns (default [`Dtype::F64`]).
    pub fn dtype(mut self, dtype: Dtype) -> Self {
        self.dtype = dtype;
        self
    }

    /// Reports the export's progress to `progress`.
    pub fn progress(mut self, progress: impl ExportProgress + 'static) -> Self {
        self.progress = Arc::new(progress);
        self
    }

    /// Writes the file at `path` (replacing a file there only once the new
    /// one is complete). An empty selection is
    /// [`Error::EmptySelection`](crate::Error::EmptySelection), and writes
    /// nothing.
    pub async fn to_path(self, path: impl AsRef<Path>) -> Result<ExportSummary> {
        let path = path.as_ref();
        let selection = self.dataset.select().await?;
        let progress = &*self.progress;
        match self.dtype {
            Dtype::F64 => pipeline::write::<f64>(selection, self.format, progress, path).await,
            Dtype::F32 => pipeline::write::<f32>(selection, self.format, progress, path).await,
        }
    }
}
