//! Datasets: from stored episodes to training arrays.
//!
//! A [`Dataset`] selects episodes as pytupli's `TupliDataset` does — the
//! episodes of the benchmarks matching a benchmark filter, AND an episode
//! filter, optionally keeping only the tuples a predicate accepts — and turns
//! them into [`Columns`]: contiguous, row-major arrays named as D4RL names
//! them (`observations`, `actions`, `next_observations`, `rewards`,
//! `terminals`, `timeouts`), plus each row's episode and step.
//!
//! ```no_run
//! # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
//! use tupli::dataset::Dataset;
//! use tupli::Filter;
//!
//! let data = Dataset::new(client.clone()).with_benchmark_filter(Filter::eq("metadata.name", "cartpole"));
//! let columns = data.columns().await?;
//! println!("{} rows of {} observations", columns.len(), columns.obs_dim());
//! # Ok(()) }
//! ```
//!
//! Columns are built straight from the streamed answer: floats go from the
//! JSON text into the arrays, one episode at a time, never through a list of
//! all episodes. `state` and `action` must be numbers or flat arrays of
//! numbers of one width across the dataset (a number is width 1), `reward` a
//! number; integers become floats when a float holds them exactly. Anything
//! else — nested arrays, objects, text, ragged widths — is an
//! [`Error::Shape`](crate::Error::Shape) naming the episode, the step and the
//! field.
//!
//! # Selecting, reading, batching
//!
//! - **Selection**: [`with_benchmark_filter`](Dataset::with_benchmark_filter)
//!   (the episodes of the benchmarks matching it),
//!   [`with_episode_filter`](Dataset::with_episode_filter) (AND a filter on
//!   the episodes), [`with_tuple_filter`](Dataset::with_tuple_filter) (a
//!   predicate on tuples); [`preview()`](Dataset::preview) lists the episode
//!   headers without downloading a tuple;
//!   [`sample_episodes(n, seed)`](Dataset::sample_episodes) draws episodes
//!   reproducibly.
//! - **Columns** ([`Columns<f64>`](Columns), or
//!   [`columns_as::<f32>()`](Dataset::columns_as)): contiguous and row-major:
//!   `observations` `[N × obs_dim]`, `actions` `[N × act_dim]`,
//!   `next_observations`, `rewards`, `terminals`, `timeouts`, and per row its
//!   `steps()` and `episode_index()` (with `episodes()` and
//!   `episode_starts()`).
//! - **[`minibatches(batch_size, seed)`](Columns::minibatches)**: every row
//!   once, shuffled reproducibly (SplitMix64 + Fisher–Yates), each batch's
//!   rows gathered into contiguous arrays.
//!
//! # Export
//!
//! With the features `npz`, `arrow` and `parquet` (each compiles its own
//! dependencies; the `tupli-cli` crate turns on all three), a dataset is
//! written to a file in bounded memory: episodes stream in, a few MiB at a
//! time go to a writer on a thread of its own, and the file appears only when
//! complete (temporary file, then rename; nothing is left behind on any
//! failure). An empty selection is
//! [`Error::EmptySelection`](crate::Error::EmptySelection) and writes
//! nothing.
//!
//! ```rust,no_run
//! # #[cfg(feature = "parquet")]
//! # async fn demo(data: tupli::dataset::Dataset) -> tupli::Result<()> {
//! use tupli::dataset::{Dtype, Format};
//!
//! let summary = data.export(Format::Parquet).dtype(Dtype::F32).to_path("cartpole.parquet").await?;
//! # Ok(()) }
//! ```
//!
//! The `tupli` command writes the same files:
//!
//! ```console
//! $ tupli export-episodes --benchmark-where metadata.name=cartpole -o cartpole.npz
//! Exported 5 episodes, 350 tuples (obs_dim 4, act_dim 1), 35.6 KiB, to cartpole.npz.
//! ```
//!
//! | format | one file holds | episode headers (metadata included) |
//! | --- | --- | --- |
//! | `npz` | one `.npy` per column: `observations`, `actions`, `next_observations`, `rewards`, `terminals`, `timeouts`, `steps`, `episode_index` (per row); `episode_starts`, `episode_ids` (per episode) | `episodes.json` in the archive, in `episode_ids` order |
//! | `arrow` (Arrow IPC) | one row per tuple: `episode_id`, `step`, `observations`, `actions`, `next_observations` (fixed-size lists), `rewards`, `terminals`, `timeouts` | JSON under `tupli.episodes` in the schema's metadata |
//! | `parquet` (zstd) | the same columns, a row group per batch of about 4 MiB of columns (so the writer's peak memory stays under 64 MiB) | JSON under `tupli.episodes` in the footer's key-value metadata |
//!
//! In Python:
//!
//! ```python
//! import json, numpy as np, pandas as pd, pyarrow as pa, pyarrow.parquet as pq
//!
//! npz = np.load("cartpole.npz")                     # npz["observations"], npz["terminals"], …
//! episodes = json.loads(npz["episodes.json"])       # headers, in npz["episode_ids"] order
//!
//! frame = pd.read_parquet("cartpole.parquet")       # or pd.read_feather("cartpole.arrow")
//! obs = np.stack(frame["observations"].to_numpy())  # [N × obs_dim]
//! meta = json.loads(pq.read_metadata("cartpole.parquet").metadata[b"tupli.episodes"])
//! table = pa.ipc.open_file("cartpole.arrow").read_all()  # table.schema.metadata[b"tupli.episodes"]
//! ```
//!
//! Polars (`pl.read_parquet`, `pl.read_ipc`) and DuckDB
//! (`select … from 'cartpole.parquet'`) read them too; the live suite checks
//! every format with numpy, pandas, pyarrow, polars and DuckDB against
//! pytupli's own `TupliDataset` on the same data.
//!
//! # What differs from pytupli's `TupliDataset`
//!
//! | | pytupli 1.2.9 `TupliDataset` | `tupli::dataset` |
//! | --- | --- | --- |
//! | `next_observations` | shifted across the whole dataset: an episode's last step points at the *next episode's* first observation | within each episode; the last step repeats its own observation (D4RL's convention) |
//! | `terminals` | `terminal OR timeout`: truncations look like terminal states | `terminals` and `timeouts` apart, as D4RL keeps them |
//! | a benchmark filter that matches no benchmark | selects *every* episode (it sends an empty `OR`, which the server reads as "all") | selects nothing |
//! | a tuple filter | the next observation of a kept tuple is the next *kept* tuple's | it is the episode's real next observation; `steps()` keeps the original step |
//! | float width | converts everything to float32 | f64 (exactly what was stored) by default; f32 on request, rounded as numpy rounds |
//! | ragged or nested values | numpy errors or object arrays | `Error::Shape` naming episode, step and field |
//! | randomness | the global `random` state | explicit seeds, the same result on every platform |
//!
//! [`.with_layout(Layout::Pytupli)`](Layout::Pytupli) reproduces pytupli's
//! `next_observations` and `terminals`, for comparisons only; the values are
//! otherwise the same (bit for bit in f64, and in f32 against pytupli's
//! float32 arrays).

mod columns;
mod convert;
#[cfg(any(feature = "npz", feature = "arrow", feature = "parquet"))]
mod export;
mod shuffle;

use futures::{StreamExt, TryStreamExt};

pub use columns::{Column, ColumnParts, Columns, Float, Layout};
#[cfg(any(feature = "npz", feature = "arrow", feature = "parquet"))]
pub use export::{Dtype, Export, ExportProgress, ExportSummary, Format};
pub use shuffle::{Minibatch, Minibatches};

use std::sync::Arc;

use crate::error::Result;
use crate::filter::{Filter, ID_BATCH};
use crate::models::{EpisodeHeader, RlTuple};
use crate::storage::TupliStorage;
use crate::streams::{decode_each, Boxed, EpisodeJsonStream};
use columns::ColumnsBuilder;
use convert::{Episode, TupleFilter};
use shuffle::Rng;

/// A selection of stored episodes, to preview, sample, or turn into columns.
///
/// Built like pytupli's `TupliDataset`: each `with_…` returns a new dataset,
/// and nothing is fetched until a method asks for data.
#[derive(Clone)]
pub struct Dataset {
    storage: Arc<dyn TupliStorage>,
    benchmark_filter: Filter,
    episode_filter: Option<Filter>,
    tuple_filter: Option<TupleFilter>,
    layout: Layout,
}

impl std::fmt::Debug for Dataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dataset")
            .field("storage", &self.storage.describe())
            .field("benchmark_filter", &self.benchmark_filter)
            .field("episode_filter", &self.episode_filter)
            .field("tuple_filter", &self.tuple_filter.is_some())
            .field("layout", &self.layout)
            .finish()
    }
}

/// The episodes a dataset selects, about to be read.
pub(crate) struct Selection {
    /// Their headers, as listed just before.
    pub(crate) headers: Vec<EpisodeHeader>,
    /// The episodes read (with tuples) and the size of their JSON, in the
    /// order of the answer.
    pub(crate) episodes: Option<Boxed<(Episode, usize)>>,
    /// Whether tuples are filtered (so the headers' counts are not the rows').
    #[cfg_attr(
        not(any(feature = "npz", feature = "arrow", feature = "parquet")),
        allow(dead_code)
    )]
    pub(crate) filtered: bool,
}

impl Selection {
    /// The tuples the headers announce (a hostile count is clamped).
    pub(crate) fn announced_rows(&self) -> usize {
        self.headers
            .iter()
            .map(|h| usize::try_from(h.n_tuples).unwrap_or(0))
            .fold(0usize, usize::saturating_add)
    }

    /// The next episode and the size of its JSON; `None` at the end.
    pub(crate) async fn next(&mut self) -> Result<Option<(Episode, usize)>> {
        match self.episodes.as_mut() {
            Some(episodes) => episodes.try_next().await,
            None => Ok(None),
        }
    }
}

impl Dataset {
    /// Creates a dataset of every episode in `storage` (a
    /// [`TupliApiClient`](crate::TupliApiClient): every episode it can see).
    /// The dataset keeps the storage: pass a clone (a client's clones share
    /// one session), an `Arc`, or the storage itself.
    pub fn new(storage: impl TupliStorage + 'static) -> Self {
        Dataset {
            storage: Arc::new(storage),
            benchmark_filter: Filter::all(),
            episode_filter: None,
            tuple_filter: None,
            layout: Layout::D4rl,
        }
    }

    /// Returns this dataset restricted to the episodes of the benchmarks
    /// matching `filter` (replacing an earlier benchmark filter).
    pub fn with_benchmark_filter(mut self, filter: Filter) -> Self {
        self.benchmark_filter = filter;
        self
    }

    /// Returns this dataset restricted to the episodes matching `filter`
    /// (replacing an earlier episode filter).
    pub fn with_episode_filter(mut self, filter: Filter) -> Self {
        self.episode_filter = Some(filter);
        self
    }

    /// Returns this dataset keeping only the tuples `keep` accepts. A kept
    /// tuple's next observation is still its episode's next one.
    pub fn with_tuple_filter(
        mut self,
        keep: impl Fn(&RlTuple) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.tuple_filter = Some(std::sync::Arc::new(keep));
        self
    }

    /// Returns this dataset with columns made as `layout` says
    /// (default [`Layout::D4rl`]).
    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// The filter on episodes, or `None` when no benchmark matches (and so
    /// no episode can).
    async fn episode_selection(&self) -> Result<Option<Filter>> {
        let benchmarks = self.storage.list_benchmarks(&self.benchmark_filter).await?;
        if benchmarks.is_empty() {
            return Ok(None);
        }
        let of_benchmarks = Filter::in_("benchmark_id", benchmarks.into_iter().map(|b| b.id));
        Ok(Some(match &self.episode_filter {
            Some(filter) => of_benchmarks & filter.clone(),
            None => of_benchmarks,
        }))
    }

    /// Lists the headers of the selected episodes; no tuple is downloaded.
    pub async fn preview(&self) -> Result<Vec<EpisodeHeader>> {
        match self.episode_selection().await? {
            Some(filter) => self.storage.list_episode_headers(&filter).await,
            None => Ok(Vec::new()),
        }
    }

    /// Draws `n` of the selected episodes (all when there are fewer), at
    /// random but the same for the same `seed`; answers their headers.
    /// Restrict a dataset to them with
    /// `with_episode_filter(Filter::in_("id", ids))`.
    pub async fn sample_episodes(&self, n: usize, seed: u64) -> Result<Vec<EpisodeHeader>> {
        let mut headers = self.preview().await?;
        Rng::new(seed).shuffle(&mut headers, n);
        headers.truncate(n);
        Ok(headers)
    }

    /// Lists the selected episodes' headers, then opens the stream of
    /// exactly those episodes with their tuples.
    pub(crate) async fn select(&self) -> Result<Selection> {
        let headers = self.preview().await?;
        let episodes = if headers.is_empty() {
            None
        } else {
            let json = self.stream_by_id(&headers).await?;
            let filter = self.tuple_filter.clone();
            // Read beside the receiving, a few episodes at a time, in order.
            Some(decode_each(json, move |bytes, index| {
                let mut episode = Episode::default();
                episode.read(bytes, index, filter.as_ref())?;
                Ok((episode, bytes.len()))
            }))
        };
        Ok(Selection {
            headers,
            episodes,
            filtered: self.tuple_filter.is_some(),
        })
    }

    /// The episodes of `headers` with their tuples, in their order: one `id
    /// IN` request per [`ID_BATCH`] ids, as `copy` asks. The first is sent
    /// now; each next one when the one before has ended.
    async fn stream_by_id(&self, headers: &[EpisodeHeader]) -> Result<EpisodeJsonStream> {
        let mut batches = headers
            .chunks(ID_BATCH)
            .map(|batch| Filter::in_("id", batch.iter().map(|h| h.id.clone())))
            .collect::<Vec<Filter>>()
            .into_iter();
        let Some(first) = batches.next() else {
            return Ok(EpisodeJsonStream::new(futures::stream::empty()));
        };
        let first = self.storage.stream_episode_json(&first, true).await?;
        let storage = self.storage.clone();
        let rest = futures::stream::iter(batches)
            .then(move |ids| {
                let storage = storage.clone();
                async move { storage.stream_episode_json(&ids, true).await }
            })
            .try_flatten();
        Ok(EpisodeJsonStream::new(first.chain(rest)))
    }

    /// Reads the selected episodes into `f64` columns.
    pub async fn columns(&self) -> Result<Columns<f64>> {
        self.columns_as().await
    }

    /// Reads the selected episodes into columns of `T` (`f32` rounds each
    /// value to nearest, as `numpy.float32` does).
    pub async fn columns_as<T: Float>(&self) -> Result<Columns<T>> {
        let mut selection = self.select().await?;
        let mut builder = ColumnsBuilder::new(self.layout, selection.announced_rows());
        while let Some((episode, _)) = selection.next().await? {
            builder.push(&episode)?;
        }
        Ok(builder.finish())
    }
}
