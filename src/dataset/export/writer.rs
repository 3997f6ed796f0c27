//! The writer's side of an export: [`BatchWriter`], what a writer is told
//! before the first row ([`Plan`]) and at the end ([`EpisodeIndex`]), and
//! [`spawn_writer`], which starts the format's writer on a thread of its own.

use std::fs::File;

use super::Format;
use crate::dataset::columns::{Columns, Float};
use crate::error::{Error, Result};
use crate::models::EpisodeHeader;
use crate::worker::{self, Worker};

/// The float types every enabled writer takes.
#[cfg(feature = "arrow")]
pub(crate) trait ExportFloat: super::arrow::ArrowFloat {}
#[cfg(feature = "arrow")]
impl<T: super::arrow::ArrowFloat> ExportFloat for T {}
/// The float types every enabled writer takes.
#[cfg(not(feature = "arrow"))]
pub(crate) trait ExportFloat: Float {}
#[cfg(not(feature = "arrow"))]
impl<T: Float> ExportFloat for T {}

/// Every episode written so far, and where its rows start.
#[derive(Clone, Debug, Default)]
pub(crate) struct EpisodeIndex {
    /// The episodes with at least one row, in row order.
    pub(crate) episodes: Vec<EpisodeHeader>,
    /// Each episode's first row.
    pub(crate) starts: Vec<usize>,
    /// Rows so far.
    pub(crate) rows: usize,
    /// Values per observation.
    pub(crate) obs_dim: usize,
    /// Values per action.
    pub(crate) act_dim: usize,
}

impl EpisodeIndex {
    pub(super) fn add<T>(&mut self, batch: &Columns<T>) {
        if batch.is_empty() {
            return;
        }
        self.obs_dim = batch.obs_dim();
        self.act_dim = batch.act_dim();
        self.episodes.extend_from_slice(batch.episodes());
        self.starts
            .extend(batch.episode_starts().iter().map(|s| s + self.rows));
        self.rows += batch.len();
    }
}

/// What the reading side sends the writer.
pub(super) enum Message<T> {
    /// Rows to write, whole episodes.
    Batch(Columns<T>),
    /// Every row was sent: complete the file.
    Finish(EpisodeIndex),
}

/// A file format's writer, fed batch by batch on a thread of its own.
pub(crate) trait BatchWriter<T: Float>: Send {
    /// Writes the rows of `batch` after those written before.
    fn batch(&mut self, batch: Columns<T>) -> Result<()>;

    /// Completes the file; `index` lists every episode written.
    fn finish(self: Box<Self>, index: EpisodeIndex) -> Result<File>;
}

/// The writer's thread, answering the file it wrote.
type WriterTask = Worker<Result<File>>;

/// What a writer knows before the first row.
pub(crate) struct Plan {
    /// The rows there will be, when known (the `.npz` layout needs them).
    #[cfg_attr(not(feature = "npz"), allow(dead_code))]
    pub(crate) rows: Option<usize>,
    /// Every selected episode's header, as JSON (the Arrow and Parquet side table).
    #[cfg_attr(not(feature = "arrow"), allow(dead_code))]
    pub(crate) episodes: String,
}

/// Starts the writer for `format` on a thread of its own; it ends when told
/// to finish (answering the file) or when the channel closes (an error).
pub(super) fn spawn_writer<T: ExportFloat>(
    format: Format,
    file: File,
    plan: Plan,
) -> Result<(tokio::sync::mpsc::Sender<Message<T>>, WriterTask)> {
    // One batch in flight: bounded memory, and decoding goes on meanwhile.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Message<T>>(1);
    let task = worker::spawn("tupli-export", move || -> Result<File> {
        let mut writer: Box<dyn BatchWriter<T>> = match format {
            #[cfg(feature = "npz")]
            Format::Npz => Box::new(super::npz::NpzWriter::new(file, plan)),
            #[cfg(feature = "arrow")]
            Format::Arrow => Box::new(super::arrow::ArrowWriter::new(file, plan)),
            #[cfg(feature = "parquet")]
            Format::Parquet => Box::new(super::parquet::ParquetWriter::new(file, plan)),
        };
        while let Some(message) = receiver.blocking_recv() {
            match message {
                Message::Batch(batch) => writer.batch(batch)?,
                Message::Finish(index) => return writer.finish(index),
            }
        }
        // The reading side stopped without a finish: its own error (or the
        // caller's giving up) is what is reported.
        Err(Error::worker("tupli-export", false))
    })?;
    Ok((sender, task))
}
