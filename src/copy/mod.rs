//! Copying between storages: benchmarks, their episodes and their artifacts
//! from one [`TupliStorage`] to another — a server to a folder, a folder to
//! a server, a server to another server — idempotently.
//!
//! ```no_run
//! # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
//! use tupli::copy::{copy, Kind, Selection, Status};
//! use tupli::storage::FileStorage;
//! use tupli::Filter;
//!
//! let folder = FileStorage::create("runs/backup")?;
//! let selection = Selection::all()
//!     .with_benchmark_filter(Filter::eq("metadata.name", "cartpole"))
//!     .with_episode_filter(Filter::geq("metadata.seed", 3));
//! let report = copy(&client, &folder, selection).concurrency(8).await?;
//! println!(
//!     "{} episodes copied, {} already there, {} failed",
//!     report.count(Some(Kind::Episode), Status::Copied),
//!     report.count(Some(Kind::Episode), Status::Skipped),
//!     report.count(Some(Kind::Episode), Status::Failed),
//! );
//! # Ok(()) }
//! ```
//!
//! **What is copied.** The [`Selection`] is made as a
//! [`Dataset`](crate::dataset::Dataset)'s: the benchmarks matching its
//! benchmark filter, then their episodes that match its episode filter; and
//! the artifacts whose `benchmark_id` is one of those benchmarks. Each
//! benchmark is loaded whole (with its serialized environment) and stored;
//! benchmark ids differ between storages, so the copies of its episodes and
//! artifacts carry the destination's id of the benchmark. Everything else is
//! copied as it is: metadata, tuples (floats to the bit), artifact bytes.
//! Ids, creation times and creators are the destination's; publication is
//! not copied (a copy is private to whoever made it, a folder has no groups).
//!
//! **Idempotent.** Running the same copy twice copies nothing the second
//! time, and a copy that was interrupted (or that failed half-way) resumes
//! where it stopped, without duplicates, because the destination is asked
//! first what it holds:
//!
//! - A **benchmark** is there when the destination holds one with the same
//!   `hash` (asked first, for all of them, in batches: a server does not
//!   reliably refuse a hash its caller stored before). Storing one whose
//!   hash a server has answers 409; it is then found by its hash and used.
//! - An **episode** is there when the destination holds one with the same
//!   *key* under the benchmark's copy. An episode's key is its
//!   `metadata.tupli_key` when it has one (a non-empty string), else its
//!   `id`; a copy gets its original's key written as `metadata.tupli_key`, so
//!   a copy of a copy keeps the first key. The destination holds the key
//!   when one of the benchmark's episodes there has it as its `id` or its
//!   `metadata.tupli_key` (asked in batches, one filter per batch). Episodes
//!   of the selection that share a key are copied once.
//! - An **artifact** is there when the destination holds the same bytes: a
//!   server records `sha256(bytes ++ creator)`, a folder `sha256(bytes)`, so
//!   the hashes are compared first (same hash, same creator: same bytes);
//!   when they cannot be compared (a folder and a server), the bytes are
//!   read from the source into a temporary file and hashed by the rule the
//!   destination reports ([`ArtifactStorage::artifact_hash`](crate::storage::ArtifactStorage::artifact_hash)). The destination dedupes the same bytes too: a
//!   server answers the first record of the same user's bytes, a folder the
//!   first record of the same bytes.
//!
//! **Failures** of one item (a benchmark, an episode, an artifact, or a
//! listing of one benchmark's episodes or artifacts) are recorded in the
//! [`CopyReport`] with their error, and the copy goes on; a benchmark that
//! could not be copied is reported, and its episodes and artifacts are not
//! looked at. Only what fails before anything is copied — listing the
//! source's benchmarks, asking the destination which of them it has — is the
//! copy's own `Err`.
//!
//! **Bounded.** Episodes are read from the source in batches, streamed, with
//! at most [`CopyTask::concurrency`] of them (default 4) being written at a
//! time; artifacts go through temporary files, so memory is bounded by a few
//! episodes whatever the sizes. A [`CopyProgress`] observer sees the counts
//! and bytes as they move. Dropping the copy's future stops it; what was
//! written is whole (a folder's files appear complete or not at all, a
//! server's records are made by one request each), and the next run
//! completes it.
//!
//! **Dry run.** [`CopyTask::dry_run`] asks the destination the same
//! questions and writes nothing: the report says what would be copied
//! ([`Outcome::Copied`] without a destination id) and what is already there.
//! Telling whether an artifact's bytes are there may still read them from
//! the source (not when the destination holds no artifact at all).
//!
//! **Worth knowing.** An artifact of no benchmark is not copied, and one
//! whose bytes the destination holds is not copied again, whatever benchmark
//! its record there names (a record the destination answers for bytes it
//! deduplicated is reported as already there). The destination is asked for
//! episodes with one filter per batch of keys and benchmark
//! (`benchmark_id EQ … AND (id IN [...] OR metadata.tupli_key IN [...])`),
//! never one request per episode. Because a copied episode carries its
//! original's key (`metadata.tupli_key`, else the original's id), copying
//! back to where an episode came from finds it by its id, and nothing is
//! copied twice; whatever records episodes can give each one a fresh key the
//! same way, as the [recorder](crate::recorder) does.

mod artifacts;
mod benchmarks;
mod episodes;
mod items;
mod present;
mod run;
mod transit;

use std::fmt;
use std::future::{Future, IntoFuture};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::storage::TupliStorage;

/// How many episodes are written at a time unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// What a copy takes from the source: the benchmarks matching a benchmark
/// filter (all by default), their episodes matching an episode filter (all
/// by default), and their artifacts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    benchmarks: Filter,
    episodes: Option<Filter>,
}

impl Selection {
    /// Every benchmark, with all its episodes and artifacts.
    pub fn all() -> Self {
        Selection::default()
    }

    /// Returns this selection restricted to the benchmarks matching `filter`
    /// (replacing an earlier benchmark filter).
    pub fn with_benchmark_filter(mut self, filter: Filter) -> Self {
        self.benchmarks = filter;
        self
    }

    /// Returns this selection restricted to the episodes matching `filter`
    /// (replacing an earlier episode filter). Artifacts are not filtered by
    /// it.
    pub fn with_episode_filter(mut self, filter: Filter) -> Self {
        self.episodes = Some(filter);
        self
    }

    /// The filter on benchmarks.
    pub fn benchmark_filter(&self) -> &Filter {
        &self.benchmarks
    }

    /// The filter on episodes, when there is one.
    pub fn episode_filter(&self) -> Option<&Filter> {
        self.episodes.as_ref()
    }
}

/// What kind of object an [`Item`] of a report is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A benchmark.
    Benchmark,
    /// An episode.
    Episode,
    /// An artifact.
    Artifact,
}

impl Kind {
    /// `benchmark`, `episode` or `artifact`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Benchmark => "benchmark",
            Kind::Episode => "episode",
            Kind::Artifact => "artifact",
        }
    }

    /// Every kind, in the order a copy goes through them.
    pub const ALL: [Kind; 3] = [Kind::Benchmark, Kind::Episode, Kind::Artifact];
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What happened to an item, without the details: for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Copied (in a dry run: would be copied).
    Copied,
    /// Not copied, for a reason: it is already there.
    Skipped,
    /// Not copied: an error.
    Failed,
}

/// What happened to an item.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Copied: `destination_id` is the copy's id (`None` in a dry run,
    /// where it would be copied).
    Copied {
        /// The copy's id in the destination.
        destination_id: Option<String>,
    },
    /// Not copied: the destination already has it (as `destination_id`),
    /// or another item of the copy stands for it.
    Skipped {
        /// The id in the destination of what stands for it.
        destination_id: Option<String>,
        /// Why, in words (`already there`, …).
        reason: String,
    },
    /// Not copied: the error.
    Failed {
        /// What went wrong.
        error: Error,
    },
}

impl Outcome {
    /// The outcome without its details.
    pub fn status(&self) -> Status {
        match self {
            Outcome::Copied { .. } => Status::Copied,
            Outcome::Skipped { .. } => Status::Skipped,
            Outcome::Failed { .. } => Status::Failed,
        }
    }
}

/// One line of a [`CopyReport`]: a benchmark, an episode or an artifact
/// (or, for a failure, the listing of one benchmark's episodes or
/// artifacts), and what happened to it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Item {
    /// What kind of object.
    pub kind: Kind,
    /// Its id in the source; for a listing, the id of the benchmark whose
    /// episodes or artifacts it lists.
    pub source_id: String,
    /// Whether this is the listing of a benchmark's episodes or artifacts
    /// (of kind [`Kind::Episode`] or [`Kind::Artifact`]) rather than one
    /// object: only a failure is reported so.
    pub listing: bool,
    /// A few words about it for people: a benchmark's or an artifact's name,
    /// an episode's number of tuples.
    pub label: String,
    /// For an episode or an artifact, the id of its benchmark in the source.
    pub benchmark_id: Option<String>,
    /// Bytes read from the source for it (an episode's JSON, an artifact's
    /// bytes).
    pub bytes: u64,
    /// What happened.
    pub outcome: Outcome,
}

impl Item {
    /// The outcome without its details.
    pub fn status(&self) -> Status {
        self.outcome.status()
    }
}

/// What a copy did (or in a dry run, would do), item by item, in the order
/// the items were finished.
#[derive(Debug)]
#[non_exhaustive]
pub struct CopyReport {
    /// The source ([`TupliStorage::describe`]).
    pub from: String,
    /// The destination ([`TupliStorage::describe`]).
    pub to: String,
    /// Whether nothing was written: a dry run.
    pub dry_run: bool,
    /// Every item looked at.
    pub items: Vec<Item>,
}

impl CopyReport {
    /// How many items of `kind` (any kind for `None`) had the `status`.
    pub fn count(&self, kind: Option<Kind>, status: Status) -> usize {
        self.items
            .iter()
            .filter(|i| kind.is_none_or(|k| i.kind == k) && i.status() == status)
            .count()
    }

    /// The items of `kind` that had the `status`.
    pub fn items_with(&self, kind: Kind, status: Status) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(move |i| i.kind == kind && i.status() == status)
    }

    /// Whether any item failed.
    pub fn has_failures(&self) -> bool {
        self.items.iter().any(|i| i.status() == Status::Failed)
    }

    /// The bytes read from the source.
    pub fn bytes(&self) -> u64 {
        self.items.iter().map(|i| i.bytes).sum()
    }
}

/// Observes a copy, e.g. to draw a progress bar. Every method has an empty
/// default; `()` observes nothing.
pub trait CopyProgress: Send + Sync {
    /// `count` more items of `kind` were found to look at (called as each
    /// listing comes in: the totals grow during a copy).
    fn found(&self, kind: Kind, count: usize) {
        let _ = (kind, count);
    }

    /// An item is finished (copied, skipped or failed).
    fn done(&self, item: &Item) {
        let _ = item;
    }

    /// `bytes` more bytes were read from the source.
    fn bytes(&self, bytes: u64) {
        let _ = bytes;
    }
}

impl CopyProgress for () {}

impl<P: CopyProgress + ?Sized> CopyProgress for Arc<P> {
    fn found(&self, kind: Kind, count: usize) {
        (**self).found(kind, count);
    }

    fn done(&self, item: &Item) {
        (**self).done(item);
    }

    fn bytes(&self, bytes: u64) {
        (**self).bytes(bytes);
    }
}

/// Copies the `selection` of `from` into `to`: `.await` it, optionally after
/// setting the concurrency, a dry run or a progress observer. See the
/// [module docs](self) for what is copied and how it stays idempotent.
///
/// The storages are borrowed for the copy: pass `&client`, `&folder` (or
/// anything that is a [`TupliStorage`], such as an `Arc<dyn TupliStorage>`).
pub fn copy<'a>(
    from: impl TupliStorage + 'a,
    to: impl TupliStorage + 'a,
    selection: Selection,
) -> CopyTask<'a> {
    CopyTask {
        from: Box::new(from),
        to: Box::new(to),
        selection,
        concurrency: DEFAULT_CONCURRENCY,
        dry_run: false,
        temp_dir: None,
        progress: Arc::new(()),
    }
}

/// A copy about to run ([`copy`]): `.await` it.
#[must_use = "a copy does nothing until it is awaited"]
pub struct CopyTask<'a> {
    from: Box<dyn TupliStorage + 'a>,
    to: Box<dyn TupliStorage + 'a>,
    selection: Selection,
    concurrency: usize,
    dry_run: bool,
    temp_dir: Option<PathBuf>,
    progress: Arc<dyn CopyProgress>,
}

impl fmt::Debug for CopyTask<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CopyTask")
            .field("from", &self.from.describe())
            .field("to", &self.to.describe())
            .field("selection", &self.selection)
            .field("concurrency", &self.concurrency)
            .field("dry_run", &self.dry_run)
            .field("temp_dir", &self.temp_dir)
            .finish_non_exhaustive()
    }
}

impl<'a> CopyTask<'a> {
    /// Writes at most `n` episodes (and artifacts) at a time (at least 1;
    /// default [`DEFAULT_CONCURRENCY`]). Each episode in flight is held in
    /// memory.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Asks the destination what it holds but writes nothing: the report
    /// says what would be copied.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Where artifacts are held on their way (default: the system's
    /// temporary folder). Each is removed once copied, or when the copy is
    /// dropped.
    pub fn temp_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.temp_dir = Some(dir.into());
        self
    }

    /// Reports counts and bytes to `progress` as the copy goes.
    pub fn progress(mut self, progress: impl CopyProgress + 'static) -> Self {
        self.progress = Arc::new(progress);
        self
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl<'a> IntoFuture for CopyTask<'a> {
    type Output = Result<CopyReport>;
    type IntoFuture = BoxFuture<'a, Result<CopyReport>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run::run(self))
    }
}
