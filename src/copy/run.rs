//! The copy itself: benchmarks first (mapped to the destination's ids), then
//! for each one its episodes and its artifacts.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use sha2::{Digest, Sha256};

use super::{CopyProgress, CopyReport, CopyTask, Item, Kind, Outcome, Selection};
use crate::decode::decode;
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::models::{
    ArtifactMetadata, ArtifactMetadataItem, BenchmarkHeader, BenchmarkQuery, Episode,
    EpisodeHeader, EpisodeItem,
};
use crate::storage::identity::{self, episode_key};
use crate::storage::TupliStorage;
use crate::transfer::Progress;

/// Values in one `IN` filter when asking a storage about many objects.
const ASK_BATCH: usize = 200;

/// Episodes asked of the source in one listing (streamed, so this bounds
/// nothing but the size of the request).
const READ_BATCH: usize = 100;

/// Read size when hashing an artifact's bytes.
const CHUNK: usize = 256 * 1024;

const ALREADY_THERE: &str = "already there";

/// Runs `task` to its end.
pub(super) async fn run(task: CopyTask<'_>) -> Result<CopyReport> {
    let run = Run {
        from: task.from,
        to: task.to,
        selection: task.selection,
        concurrency: task.concurrency,
        dry_run: task.dry_run,
        temp_dir: task.temp_dir.unwrap_or_else(std::env::temp_dir),
        progress: task.progress,
        items: Mutex::new(Vec::new()),
        present: tokio::sync::Mutex::new(None),
    };
    for benchmark in run.benchmarks().await? {
        run.episodes(&benchmark).await;
        run.artifacts(&benchmark).await;
    }
    Ok(CopyReport {
        from: run.from.describe(),
        to: run.to.describe(),
        dry_run: run.dry_run,
        items: run.items.into_inner().unwrap_or_else(|e| e.into_inner()),
    })
}

/// One copy's state.
struct Run<'a> {
    from: &'a dyn TupliStorage,
    to: &'a dyn TupliStorage,
    selection: Selection,
    concurrency: usize,
    dry_run: bool,
    temp_dir: PathBuf,
    progress: Arc<dyn CopyProgress>,
    /// What was done so far.
    items: Mutex<Vec<Item>>,
    /// The destination's artifacts, listed once when first needed.
    present: tokio::sync::Mutex<Option<Present>>,
}

/// A selected benchmark and where its copy is.
struct Mapped {
    source: BenchmarkHeader,
    /// The copy's id; `None` in a dry run, where it would be copied.
    target: Option<String>,
}

/// How a benchmark came to be in the destination.
enum Stored {
    /// Stored now.
    New(String),
    /// Storing answered 409, and the destination's benchmark of that hash
    /// was found.
    Found(String),
}

impl Run<'_> {
    fn record(&self, item: Item) {
        self.progress.done(&item);
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(item);
    }

    /// The selected benchmarks, each found in or copied to the destination;
    /// those that could not be copied are reported and left out.
    async fn benchmarks(&self) -> Result<Vec<Mapped>> {
        let found = self
            .from
            .list_benchmarks(self.selection.benchmark_filter())
            .await?;
        self.progress.found(Kind::Benchmark, found.len());
        // What the destination holds, by hash (the first of a hash wins).
        let mut there: HashMap<String, String> = HashMap::new();
        let hashes = unique(found.iter().map(|b| b.hash.as_str()));
        for batch in hashes.chunks(ASK_BATCH) {
            let ask = Filter::in_("hash", batch.iter().copied());
            for header in self.to.list_benchmarks(&ask).await? {
                there.entry(header.hash).or_insert(header.id);
            }
        }
        // In a dry run: the hashes that would be copied.
        let mut would: HashSet<String> = HashSet::new();
        let mut mapped = Vec::new();
        for source in found {
            let item = |outcome| Item {
                kind: Kind::Benchmark,
                source_id: source.id.clone(),
                listing: false,
                label: source.metadata.name.clone(),
                benchmark_id: None,
                bytes: 0,
                outcome,
            };
            if let Some(id) = there.get(&source.hash) {
                self.record(item(skipped(Some(id.as_str()), ALREADY_THERE.into())));
                mapped.push(Mapped {
                    target: Some(id.clone()),
                    source,
                });
                continue;
            }
            if self.dry_run {
                let outcome = if would.insert(source.hash.clone()) {
                    would_copy()
                } else {
                    skipped(
                        None,
                        "another benchmark of the copy has the same hash".into(),
                    )
                };
                self.record(item(outcome));
                mapped.push(Mapped {
                    source,
                    target: None,
                });
                continue;
            }
            let (outcome, target) = match self.copy_benchmark(&source).await {
                Ok(Stored::New(id)) => (
                    Outcome::Copied {
                        destination_id: Some(id.clone()),
                    },
                    Some(id),
                ),
                Ok(Stored::Found(id)) => (
                    skipped(
                        Some(id.as_str()),
                        format!("{ALREADY_THERE} (storing it answered 409 Conflict)"),
                    ),
                    Some(id),
                ),
                Err(error) => (Outcome::Failed { error }, None),
            };
            self.record(item(outcome));
            if let Some(id) = target {
                there.insert(source.hash.clone(), id.clone());
                mapped.push(Mapped {
                    source,
                    target: Some(id),
                });
            }
        }
        Ok(mapped)
    }

    /// Loads the benchmark whole from the source and stores it in the
    /// destination; a 409 there means it holds the hash: it is found by it.
    async fn copy_benchmark(&self, source: &BenchmarkHeader) -> Result<Stored> {
        let full = self.from.load_benchmark(&source.id).await?;
        let query = BenchmarkQuery {
            hash: full.hash,
            metadata: full.metadata,
            serialized: full.serialized,
        };
        match self.to.store_benchmark(&query).await {
            Ok(header) => Ok(Stored::New(header.id)),
            Err(error) if error.is_conflict() => {
                let found = self
                    .to
                    .list_benchmarks(&Filter::eq("hash", query.hash.as_str()))
                    .await?;
                match found.into_iter().next() {
                    Some(header) => Ok(Stored::Found(header.id)),
                    None => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// A failure to list (or ask about) some of `benchmark`'s items of `kind`.
    fn listing_failed(&self, kind: Kind, benchmark: &BenchmarkHeader, what: String, error: Error) {
        self.record(Item {
            kind,
            source_id: benchmark.id.clone(),
            listing: true,
            label: what,
            benchmark_id: Some(benchmark.id.clone()),
            bytes: 0,
            outcome: Outcome::Failed { error },
        });
    }

    /// Copies the selected episodes of one benchmark.
    async fn episodes(&self, benchmark: &Mapped) {
        let source = &benchmark.source;
        let mut filter = Filter::eq("benchmark_id", source.id.as_str());
        if let Some(episodes) = self.selection.episode_filter() {
            filter = filter & episodes.clone();
        }
        let headers = match self.from.list_episode_headers(&filter).await {
            Ok(headers) => headers,
            Err(error) => {
                let what = format!("the episodes of benchmark {}", source.metadata.name);
                return self.listing_failed(Kind::Episode, source, what, error);
            }
        };
        self.progress.found(Kind::Episode, headers.len());
        let item = |header: &EpisodeHeader, outcome| episode_item(header, 0, outcome);

        // One copy per key: the first episode with a key stands for the others.
        let mut first: HashSet<&str> = HashSet::new();
        let mut todo = Vec::new();
        for header in &headers {
            if first.insert(episode_key(header)) {
                todo.push(header);
            } else {
                let reason = "another episode of the copy has the same key".into();
                self.record(item(header, skipped(None, reason)));
            }
        }
        let Some(target) = benchmark.target.as_deref() else {
            // A dry run, and the benchmark would be new: so would they.
            for header in todo {
                self.record(item(header, would_copy()));
            }
            return;
        };

        // Which keys the destination holds, a batch at a time.
        let mut copy = Vec::new();
        for batch in todo.chunks(ASK_BATCH) {
            let keys: Vec<&str> = batch.iter().map(|h| episode_key(h)).collect();
            let held = match self
                .to
                .list_episode_headers(&identity::holding(target, &keys))
                .await
            {
                Ok(held) => held,
                Err(error) => {
                    let what = format!(
                        "asking the destination which of {} episodes of benchmark {} it holds",
                        batch.len(),
                        source.metadata.name
                    );
                    self.listing_failed(Kind::Episode, source, what, error);
                    continue;
                }
            };
            let mut there: HashMap<&str, &str> = HashMap::new();
            for header in &held {
                for key in identity::keys_answered(header) {
                    there.entry(key).or_insert(&header.id);
                }
            }
            for header in batch {
                match there.get(episode_key(header)) {
                    Some(id) => self.record(item(header, skipped(Some(id), ALREADY_THERE.into()))),
                    None if self.dry_run => self.record(item(header, would_copy())),
                    None => copy.push(*header),
                }
            }
        }
        for batch in copy.chunks(READ_BATCH) {
            self.copy_episodes(target, batch).await;
        }
    }

    /// Reads `batch` from the source in one listing and records each one in
    /// the destination, `concurrency` at a time; what the listing did not
    /// bring (it failed, or an element did not decode) is read one by one.
    async fn copy_episodes(&self, target: &str, batch: &[&EpisodeHeader]) {
        // (Owned values through the stream: borrowed ones make the future
        // lose `Send` to a compiler limit on higher-ranked lifetimes.)
        let mut left: HashMap<String, EpisodeHeader> =
            batch.iter().map(|h| (h.id.clone(), (*h).clone())).collect();
        let ids = Filter::in_("id", batch.iter().map(|h| h.id.as_str()));
        if let Ok(stream) = self.from.stream_episode_json(&ids, true).await {
            let mut index = 0;
            let left = &mut left;
            stream
                .filter_map(|element| {
                    // An error ends the stream: the rest is read one by one.
                    let read = element.ok().and_then(|bytes| {
                        self.progress.bytes(bytes.len() as u64);
                        index += 1;
                        // One that does not decode is read again on its own,
                        // to report its error.
                        let episode = decode::<EpisodeItem>(&bytes, index - 1).ok()?;
                        let header = left.remove(&episode.id)?;
                        Some((header, episode, bytes.len() as u64))
                    });
                    std::future::ready(read)
                })
                .map(|(header, episode, bytes)| self.record_episode(target, header, episode, bytes))
                .buffer_unordered(self.concurrency)
                .for_each(|item| {
                    self.record(item);
                    std::future::ready(())
                })
                .await;
        }
        let mut rest: Vec<EpisodeHeader> = left.into_values().collect();
        rest.sort_by(|a, b| a.id.cmp(&b.id));
        futures::stream::iter(rest)
            .map(|header| async move {
                match self.read_episode(&header).await {
                    Ok((episode, bytes)) => {
                        self.record_episode(target, header, episode, bytes).await
                    }
                    Err(error) => episode_item(&header, 0, Outcome::Failed { error }),
                }
            })
            .buffer_unordered(self.concurrency)
            .for_each(|item| {
                self.record(item);
                std::future::ready(())
            })
            .await;
    }

    /// Reads one episode from the source, with its tuples.
    async fn read_episode(&self, header: &EpisodeHeader) -> Result<(EpisodeItem, u64)> {
        let filter = Filter::eq("id", header.id.as_str());
        let mut stream = self.from.stream_episode_json(&filter, true).await?;
        match stream.next().await {
            Some(bytes) => {
                let bytes = bytes?;
                self.progress.bytes(bytes.len() as u64);
                let episode = decode::<EpisodeItem>(&bytes, 0)?;
                Ok((episode, bytes.len() as u64))
            }
            None => Err(Error::NotFound {
                kind: "episode",
                id: header.id.clone(),
                storage: self.from.describe(),
            }),
        }
    }

    /// Records a copy of `episode` (listed as `header`) under `target`,
    /// with its key.
    async fn record_episode(
        &self,
        target: &str,
        header: EpisodeHeader,
        episode: EpisodeItem,
        bytes: u64,
    ) -> Item {
        let copy = Episode {
            benchmark_id: target.to_string(),
            metadata: identity::with_key(episode.metadata, episode_key(&header)),
            tuples: episode.tuples,
        };
        let outcome = match self.to.record_episode(&copy).await {
            Ok(recorded) => Outcome::Copied {
                destination_id: Some(recorded.id),
            },
            Err(error) => Outcome::Failed { error },
        };
        episode_item(&header, bytes, outcome)
    }

    /// Copies the artifacts of one benchmark.
    async fn artifacts(&self, benchmark: &Mapped) {
        let source = &benchmark.source;
        let listed = match self
            .from
            .list_artifacts(&Filter::eq("benchmark_id", source.id.as_str()))
            .await
        {
            Ok(listed) => listed,
            Err(error) => {
                let what = format!("the artifacts of benchmark {}", source.metadata.name);
                return self.listing_failed(Kind::Artifact, source, what, error);
            }
        };
        self.progress.found(Kind::Artifact, listed.len());
        if listed.is_empty() {
            return;
        }
        // The same hash by the same creator: the same bytes, on either side.
        let mut same: HashMap<(String, String), String> = HashMap::new();
        let hashes = unique(listed.iter().map(|a| a.hash.as_str()));
        for batch in hashes.chunks(ASK_BATCH) {
            let ask = Filter::in_("hash", batch.iter().copied());
            match self.to.list_artifacts(&ask).await {
                Ok(found) => {
                    for item in found {
                        same.entry((item.hash, item.created_by)).or_insert(item.id);
                    }
                }
                Err(error) => {
                    let what = format!(
                        "asking the destination about the artifacts of benchmark {}",
                        source.metadata.name
                    );
                    return self.listing_failed(Kind::Artifact, source, what, error);
                }
            }
        }
        let mut rest = Vec::new();
        for artifact in listed {
            match same.get(&(artifact.hash.clone(), artifact.created_by.clone())) {
                Some(id) => self.record(artifact_item(
                    &artifact,
                    &source.id,
                    0,
                    skipped(Some(id.as_str()), ALREADY_THERE.into()),
                )),
                None => rest.push(artifact),
            }
        }
        if rest.is_empty() {
            return;
        }
        // The rest are compared by their bytes with what the destination holds.
        if let Err(error) = self.load_present().await {
            let what = "listing the destination's artifacts".to_string();
            return self.listing_failed(Kind::Artifact, source, what, error);
        }
        let target = benchmark.target.as_deref();
        futures::stream::iter(rest)
            .map(|artifact| self.copy_artifact(target, &source.id, artifact))
            .buffer_unordered(self.concurrency)
            .for_each(|item| {
                self.record(item);
                std::future::ready(())
            })
            .await;
    }

    /// Lists the destination's artifacts, once.
    async fn load_present(&self) -> Result<()> {
        let mut present = self.present.lock().await;
        if present.is_none() {
            let listed = self.to.list_artifacts(&Filter::all()).await?;
            let mut loaded = Present::default();
            for item in &listed {
                loaded.before.insert(item.id.clone());
                loaded.add(item);
            }
            *present = Some(loaded);
        }
        Ok(())
    }

    async fn destination_has_no_artifacts(&self) -> bool {
        self.present
            .lock()
            .await
            .as_ref()
            .is_some_and(|present| present.by_hash.is_empty())
    }

    /// Reads an artifact's bytes into a temporary file and, unless the
    /// destination holds the same bytes, stores them there under `target`.
    async fn copy_artifact(
        &self,
        target: Option<&str>,
        source_benchmark: &str,
        artifact: ArtifactMetadataItem,
    ) -> Item {
        let mut bytes = 0;
        let outcome = match self.try_copy_artifact(target, &artifact, &mut bytes).await {
            Ok(outcome) => outcome,
            Err(error) => Outcome::Failed { error },
        };
        artifact_item(&artifact, source_benchmark, bytes, outcome)
    }

    async fn try_copy_artifact(
        &self,
        target: Option<&str>,
        artifact: &ArtifactMetadataItem,
        bytes: &mut u64,
    ) -> Result<Outcome> {
        if self.dry_run && self.destination_has_no_artifacts().await {
            // Nothing to compare the bytes with: no need to read them.
            return Ok(would_copy());
        }
        let temp = TempFile::new(&self.temp_dir);
        let counter = Arc::new(Counter {
            progress: Arc::clone(&self.progress),
            bytes: std::sync::atomic::AtomicU64::new(0),
        });
        let download = self
            .from
            .download_artifact_to_path(&artifact.id, temp.path())
            .progress(Arc::clone(&counter))
            .await;
        *bytes = counter.bytes.load(std::sync::atomic::Ordering::Relaxed);
        download?;
        let content = hash_file(temp.path().to_path_buf()).await?;
        let held = self
            .present
            .lock()
            .await
            .as_ref()
            .and_then(|present| present.find(&content));
        if let Some(id) = held {
            return Ok(skipped(Some(id.as_str()), ALREADY_THERE.into()));
        }
        let Some(target) = target.filter(|_| !self.dry_run) else {
            return Ok(would_copy());
        };
        let metadata = ArtifactMetadata {
            name: artifact.name.clone(),
            description: artifact.description.clone(),
            benchmark_id: Some(target.to_string()),
            extra: artifact.extra.clone(),
        };
        let stored = self
            .to
            .store_artifact_from_path(temp.path(), &metadata)
            .await?;
        let mut present = self.present.lock().await;
        let present = present.get_or_insert_with(Present::default);
        Ok(if present.before.contains(&stored.id) {
            // The destination answered its record of the same bytes.
            skipped(Some(stored.id.as_str()), ALREADY_THERE.into())
        } else if !present.copied.insert(stored.id.clone()) {
            skipped(
                Some(stored.id.as_str()),
                "the same bytes as another artifact of the copy".into(),
            )
        } else {
            present.add(&stored);
            Outcome::Copied {
                destination_id: Some(stored.id),
            }
        })
    }
}

/// The destination's artifacts, to tell whether it holds some bytes.
#[derive(Default)]
struct Present {
    /// Hash → (id, creator) of the artifacts with that hash.
    by_hash: HashMap<String, Vec<(String, String)>>,
    /// Every creator (a server's hash appends it to the bytes).
    creators: BTreeSet<String>,
    /// The artifacts there before the copy.
    before: HashSet<String>,
    /// The artifacts the copy made.
    copied: HashSet<String>,
}

impl Present {
    fn add(&mut self, item: &ArtifactMetadataItem) {
        self.by_hash
            .entry(item.hash.to_ascii_lowercase())
            .or_default()
            .push((item.id.clone(), item.created_by.clone()));
        self.creators.insert(item.created_by.clone());
    }

    /// The artifact holding the bytes whose hash so far is `content`: one
    /// whose hash is theirs (a folder's rule), or theirs with its creator
    /// appended (a server's).
    fn find(&self, content: &Sha256) -> Option<String> {
        let plain = hex::encode(content.clone().finalize());
        if let Some((id, _)) = self.by_hash.get(&plain).and_then(|v| v.first()) {
            return Some(id.clone());
        }
        self.creators.iter().find_map(|creator| {
            let hash = hex::encode(content.clone().chain_update(creator.as_bytes()).finalize());
            self.by_hash
                .get(&hash)?
                .iter()
                .find(|(_, by)| by == creator)
                .map(|(id, _)| id.clone())
        })
    }
}

/// Counts the bytes of a transfer, and passes them on.
struct Counter {
    progress: Arc<dyn CopyProgress>,
    bytes: std::sync::atomic::AtomicU64,
}

impl Progress for Counter {
    fn start(&self, _total: Option<u64>) {
        // A repeated attempt starts over.
        self.bytes.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    fn advance(&self, bytes: u64) {
        self.bytes
            .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        self.progress.bytes(bytes);
    }
}

/// A path in a folder for an artifact on its way, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(dir: &Path) -> TempFile {
        TempFile(dir.join(format!(
            ".tupli-copy-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        )))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The sha256 state after the bytes of the file at `path` (not finalized,
/// so a suffix can still be appended).
async fn hash_file(path: PathBuf) -> Result<Sha256> {
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path)?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; CHUNK];
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(buffer.get(..n).unwrap_or_default());
        }
        Ok(hasher)
    })
    .await
    .map_err(|e| Error::Io {
        source: std::io::Error::other(format!("a hashing task failed: {e}")),
    })?
}

/// The distinct values, in their first order.
fn unique<'s>(values: impl Iterator<Item = &'s str>) -> Vec<&'s str> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(*v)).collect()
}

fn skipped(destination_id: Option<&str>, reason: String) -> Outcome {
    Outcome::Skipped {
        destination_id: destination_id.map(str::to_string),
        reason,
    }
}

fn would_copy() -> Outcome {
    Outcome::Copied {
        destination_id: None,
    }
}

fn episode_item(header: &EpisodeHeader, bytes: u64, outcome: Outcome) -> Item {
    Item {
        kind: Kind::Episode,
        source_id: header.id.clone(),
        listing: false,
        label: match header.n_tuples {
            1 => "1 tuple".into(),
            n => format!("{n} tuples"),
        },
        benchmark_id: Some(header.benchmark_id.clone()),
        bytes,
        outcome,
    }
}

fn artifact_item(
    artifact: &ArtifactMetadataItem,
    source_benchmark: &str,
    bytes: u64,
    outcome: Outcome,
) -> Item {
    Item {
        kind: Kind::Artifact,
        source_id: artifact.id.clone(),
        listing: false,
        label: artifact.name.clone(),
        benchmark_id: Some(source_benchmark.to_string()),
        bytes,
        outcome,
    }
}
