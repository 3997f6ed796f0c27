//! Copying one benchmark's episodes: one per key, those the destination
//! holds skipped, the rest read from the source in batches and recorded.

use std::collections::{HashMap, HashSet};

use futures::StreamExt;

use super::items::{episode_item, skipped, would_copy, ALREADY_THERE};
use super::run::{Mapped, Run, ASK_BATCH};
use super::{Item, Kind, Outcome};
use crate::decode::decode;
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::models::{Episode, EpisodeHeader, EpisodeItem};
use crate::storage::identity::{self, episode_key};

/// Episodes asked of the source in one listing (streamed, so this bounds
/// nothing but the size of the request).
const READ_BATCH: usize = 100;

impl Run<'_> {
    /// Copies the selected episodes of one benchmark.
    pub(super) async fn episodes(&self, benchmark: &Mapped) {
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
}
