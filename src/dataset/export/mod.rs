//! Writing a dataset to a file: `.npz` for NumPy, Arrow IPC, or Parquet,
//! each behind its own cargo feature.
//!
//! Episodes are read from the stream in batches of whole episodes (a few
//! MiB each) and handed to a writer on a blocking thread, so memory stays
//! bounded whatever the selection's size, and decoding and encoding run side
//! by side. The file is written under a temporary name beside the target and
//! renamed into place only when complete; on any failure (or if the export
//! is dropped) nothing is left behind.
//!
//! - `task.rs`: the export as the caller builds it ([`Dataset::export`](crate::dataset::Dataset::export),
//!   [`Export`], [`Dtype`], [`ExportProgress`], [`ExportSummary`]); the one
//!   place that asks the dataset for its selection;
//! - `format.rs`: [`Format`], its names and extensions;
//! - `pipeline.rs`: the reading side, given the selection to write;
//! - `writer.rs`: the writer's side, and which writer each format gets;
//! - `npz.rs` (with `npy.rs`, `zip.rs`), `arrow.rs`, `parquet.rs`: the writers.

#[cfg(feature = "arrow")]
mod arrow;
mod format;
#[cfg(feature = "npz")]
mod npy;
#[cfg(feature = "npz")]
mod npz;
#[cfg(feature = "parquet")]
mod parquet;
mod pipeline;
mod task;
mod writer;
#[cfg(feature = "npz")]
mod zip;

pub use format::Format;
pub use task::{Dtype, Export, ExportProgress, ExportSummary};
