//! Writing a dataset to a file: `.npz` for NumPy, Arrow IPC, or Parquet,
//! each behind its own cargo feature.
//!
//! Episodes are read from the stream in batches of whole episodes (a few
//! MiB each) and handed to a writer on a blocking thread, so memory stays
//! bounded whatever the selection's size, and decoding and encoding run side
//! by side. The file is written under a temporary name beside the target and
//! renamed into place only when complete; on any failure (or if the export
//! is dropped) nothing is left behind.

#[cfg(feature = "arrow")]
mod arrow;
#[cfg(feature = "npz")]
mod npy;
#[cfg(feature = "npz")]
mod npz;
#[cfg(feature = "parquet")]
mod parquet;
#[cfg(feature = "npz")]
mod zip;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::columns::{Columns, ColumnsBuilder, Float, Layout};
use super::Dataset;
use crate::atomic_file::AtomicFile;
use crate::error::{Error, Result};
use crate::models::EpisodeHeader;
use crate::worker::{self, Worker};

/// Bytes of column data per batch handed to the Arrow writer (a record
/// batch each).
#[cfg(feature = "arrow")]
const BATCH_BYTES: usize = 8 << 20;
/// The same for Parquet, whose writer holds a whole row group (one batch)
/// encoded and compressed in memory besides the batch itself.
#[cfg(feature = "parquet")]
const PARQUET_BATCH_BYTES: usize = 4 << 20;
/// The same for `.npz`, whose arrays are contiguous in the file whatever
/// the batches: small ones, whose memory is reused while still in cache.
#[cfg(feature = "npz")]
const NPZ_BATCH_BYTES: usize = 1 << 20;

/// The float types every enabled writer takes.
#[cfg(feature = "arrow")]
pub(crate) trait ExportFloat: arrow::ArrowFloat {}
#[cfg(feature = "arrow")]
impl<T: arrow::ArrowFloat> ExportFloat for T {}
/// The float types every enabled writer takes.
#[cfg(not(feature = "arrow"))]
pub(crate) trait ExportFloat: Float {}
#[cfg(not(feature = "arrow"))]
impl<T: Float> ExportFloat for T {}

/// A file format a dataset can be written in.
///
/// Each format is behind a cargo feature of its own. [`Format::ALL`] lists
/// those of this build, with their [names](Format::name), the
/// [extensions](Format::extensions) that stand for them
/// ([`Format::from_extension`]) and a [description](Format::description) for
/// people; with the `clap` feature the type is a `clap::ValueEnum` built from
/// them, so a command line takes the formats by name as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// A NumPy `.npz` archive: one array per D4RL key (`numpy.load`).
    #[cfg(feature = "npz")]
    Npz,
    /// An Arrow IPC file (`pyarrow.ipc.open_file`, `pandas.read_feather`,
    /// `polars.read_ipc`).
    #[cfg(feature = "arrow")]
    Arrow,
    /// A Parquet file, zstd-compressed (`pandas.read_parquet`,
    /// `polars.read_parquet`, DuckDB).
    #[cfg(feature = "parquet")]
    Parquet,
}

impl Format {
    /// Every format this build writes (one per enabled feature), in the
    /// order they are listed to people.
    pub const ALL: &'static [Format] = &[
        #[cfg(feature = "npz")]
        Format::Npz,
        #[cfg(feature = "arrow")]
        Format::Arrow,
        #[cfg(feature = "parquet")]
        Format::Parquet,
    ];

    /// Returns the format's name, lower-case: `npz`, `arrow`, `parquet` (as a
    /// command line takes it).
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "npz")]
            Format::Npz => "npz",
            #[cfg(feature = "arrow")]
            Format::Arrow => "arrow",
            #[cfg(feature = "parquet")]
            Format::Parquet => "parquet",
        }
    }

    /// Returns the format's usual file extension (the first of
    /// [`Format::extensions`]).
    pub fn extension(self) -> &'static str {
        match self.extensions() {
            [usual, ..] => usual,
            [] => self.name(),
        }
    }

    /// Returns every file extension that stands for the format, lower-case
    /// and without the dot, the usual one ([`Format::extension`]) first:
    /// Arrow IPC files are also `.feather` (Feather v2 is Arrow IPC) and `.ipc`.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            #[cfg(feature = "npz")]
            Format::Npz => &["npz"],
            #[cfg(feature = "arrow")]
            Format::Arrow => &["arrow", "feather", "ipc"],
            #[cfg(feature = "parquet")]
            Format::Parquet => &["parquet"],
        }
    }

    /// Returns the format whose [extensions](Format::extensions) include
    /// `path`'s, in any case (`A.NPZ` is an `.npz` file); `None` when it has
    /// none or another one. A name that only starts with a dot (`.npz`) has no
    /// extension.
    ///
    /// ```
    /// # #[cfg(feature = "arrow")] {
    /// use std::path::Path;
    /// use tupli::dataset::Format;
    ///
    /// assert_eq!(Format::from_extension(Path::new("runs/a.Feather")), Some(Format::Arrow));
    /// assert_eq!(Format::from_extension(Path::new("a.csv")), None);
    /// # }
    /// ```
    pub fn from_extension(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::ALL
            .iter()
            .copied()
            .find(|format| format.extensions().contains(&extension.as_str()))
    }

    /// Returns one line for people on what the format is and what reads it,
    /// e.g. for a command line's help.
    pub fn description(self) -> &'static str {
        match self {
            #[cfg(feature = "npz")]
            Format::Npz => "NumPy: one .npy array per column, for numpy.load",
            #[cfg(feature = "arrow")]
            Format::Arrow => "Arrow IPC (Feather v2), for pyarrow, pandas.read_feather, polars",
            #[cfg(feature = "parquet")]
            Format::Parquet => "Parquet, zstd-compressed, for pandas, polars, DuckDB",
        }
    }

    /// Bytes of column data per batch handed to this format's writer.
    fn batch_bytes(self) -> usize {
        match self {
            #[cfg(feature = "npz")]
            Format::Npz => NPZ_BATCH_BYTES,
            #[cfg(feature = "parquet")]
            Format::Parquet => PARQUET_BATCH_BYTES,
            #[cfg(feature = "arrow")]
            Format::Arrow => BATCH_BYTES,
        }
    }
}

/// By hand, not derived: clap's derive lists every variant, also those whose
/// feature is off. The values are [`Format::ALL`], by [`Format::name`], with
/// [`Format::description`] as their help.
#[cfg(feature = "clap")]
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        Format::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.description()))
    }
}

#[cfg(all(test, feature = "npz", feature = "arrow", feature = "parquet"))]
mod format_tests {
    use super::Format;
    use std::path::Path;

    #[test]
    fn formats_follow_the_extension() {
        for (name, format) in [
            ("a.npz", Some(Format::Npz)),
            ("dir.d/A.NPZ", Some(Format::Npz)),
            ("a.arrow", Some(Format::Arrow)),
            ("a.feather", Some(Format::Arrow)),
            ("a.ipc", Some(Format::Arrow)),
            ("a.parquet", Some(Format::Parquet)),
            ("a.csv", None),
            ("a", None),
            (".npz", None),
            ("npz.d/a", None),
        ] {
            assert_eq!(Format::from_extension(Path::new(name)), format, "{name}");
        }
    }

    #[test]
    fn every_format_has_a_name_and_its_own_extensions() {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names, ["npz", "arrow", "parquet"]);
        let mut all: Vec<&str> = Vec::new();
        for &format in Format::ALL {
            assert_eq!(format.extensions()[0], format.extension());
            assert_eq!(
                Format::from_extension(Path::new(&format!("x.{}", format.extension()))),
                Some(format)
            );
            assert!(!format.description().is_empty());
            all.extend(format.extensions());
        }
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count, "no extension stands for two formats");
    }

    #[cfg(feature = "clap")]
    #[test]
    fn a_command_line_takes_the_names() {
        use clap::ValueEnum;
        assert_eq!(Format::value_variants(), Format::ALL);
        for &format in Format::ALL {
            assert_eq!(Format::from_str(format.name(), false), Ok(format));
        }
        assert_eq!(Format::from_str("PARQUET", true), Ok(Format::Parquet));
        assert!(Format::from_str("csv", false).is_err());
    }
}

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
    /// one is complete). An empty selection is [`Error::EmptySelection`],
    /// and writes nothing.
    pub async fn to_path(self, path: impl AsRef<Path>) -> Result<ExportSummary> {
        match self.dtype {
            Dtype::F64 => self.run::<f64>(path.as_ref()).await,
            Dtype::F32 => self.run::<f32>(path.as_ref()).await,
        }
    }

    async fn run<T: ExportFloat>(self, path: &Path) -> Result<ExportSummary> {
        let mut selection = self.dataset.select().await?;
        if selection.headers.is_empty() {
            return Err(Error::EmptySelection);
        }
        let announced = selection.announced_rows();
        self.progress.start(selection.headers.len(), announced);
        // With a tuple filter, how many rows there will be is not known.
        let expected = (!selection.filtered).then_some(announced);
        let episodes = serde_json::to_string(&selection.headers)
            .map_err(|e| Error::export(self.format.name(), e))?;
        let mut target = AtomicFile::create(path)?;
        let plan = Plan {
            rows: expected,
            episodes,
        };
        let (batches, writer) = spawn_writer::<T>(self.format, target.take_file()?, plan)?;
        let batch_bytes = self.format.batch_bytes();

        let read = async {
            let mut builder = ColumnsBuilder::<T>::new(Layout::D4rl, 0);
            let mut index = EpisodeIndex::default();
            while let Some((episode, bytes)) = selection.next().await? {
                self.progress.episode(episode.rows.len(), bytes);
                builder.push(&episode)?;
                if builder.approx_bytes() >= batch_bytes {
                    let next = builder.next_batch();
                    let batch = std::mem::replace(&mut builder, next).finish();
                    index.add(&batch);
                    // Checked before the writer sees the rows: the `.npz`
                    // layout holds only the rows announced.
                    if let Some(expected) = expected.filter(|e| index.rows > *e) {
                        return Err(not_as_announced(expected, index.rows, "at least "));
                    }
                    if batches.send(Message::Batch(batch)).await.is_err() {
                        // The writer failed; its error is the one to report.
                        return Ok(None);
                    }
                }
            }
            let batch = builder.finish();
            index.add(&batch);
            if index.rows == 0 {
                return Err(Error::EmptySelection);
            }
            if let Some(expected) = expected.filter(|e| *e != index.rows) {
                return Err(not_as_announced(expected, index.rows, ""));
            }
            let sent = batches.send(Message::Batch(batch)).await.is_ok()
                && batches.send(Message::Finish(index.clone())).await.is_ok();
            Ok(sent.then_some(index))
        }
        .await;
        drop(batches);
        let written = writer.join().await;
        // A reading error comes first; the writer then only saw the channel close.
        let index = read?;
        let file = written??;
        let Some(index) = index else {
            // The writer took no more batches, yet answered a file.
            return Err(Error::worker("tupli-export", false));
        };
        let bytes = file.metadata()?.len();
        target.commit_async(file).await?;
        Ok(ExportSummary {
            path: path.to_path_buf(),
            bytes,
            episodes: index.episodes.len(),
            tuples: index.rows,
            obs_dim: index.obs_dim,
            act_dim: index.act_dim,
        })
    }
}

/// The episodes held `held` tuples where their headers announced `expected`.
fn not_as_announced(expected: usize, held: usize, at_least: &str) -> Error {
    Error::Decode {
        path: ".".into(),
        message: format!(
            "the episode headers announced {expected} tuples but the episodes held \
             {at_least}{held} (did they change during the export?)"
        ),
        excerpt: String::new(),
    }
}

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
    fn add<T>(&mut self, batch: &Columns<T>) {
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
enum Message<T> {
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
fn spawn_writer<T: ExportFloat>(
    format: Format,
    file: File,
    plan: Plan,
) -> Result<(tokio::sync::mpsc::Sender<Message<T>>, WriterTask)> {
    // One batch in flight: bounded memory, and decoding goes on meanwhile.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Message<T>>(1);
    let task = worker::spawn("tupli-export", move || -> Result<File> {
        let mut writer: Box<dyn BatchWriter<T>> = match format {
            #[cfg(feature = "npz")]
            Format::Npz => Box::new(npz::NpzWriter::new(file, plan)),
            #[cfg(feature = "arrow")]
            Format::Arrow => Box::new(arrow::ArrowWriter::new(file, plan)),
            #[cfg(feature = "parquet")]
            Format::Parquet => Box::new(parquet::ParquetWriter::new(file, plan)),
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
