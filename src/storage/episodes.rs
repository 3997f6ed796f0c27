//! [`EpisodeStorage`]: the episode operations every storage has.

use async_trait::async_trait;
use futures::TryStreamExt;

use crate::error::Result;
use crate::filter::Filter;
use crate::models::{Episode, EpisodeHeader, EpisodeItem, EpisodeList};
use crate::streams::{EpisodeHeaderStream, EpisodeJsonStream, EpisodeStream};

/// Episodes of RL tuples: recorded, streamed, listed, deleted and
/// published. Part of [`TupliStorage`](super::TupliStorage).
///
/// A backend writes [`EpisodeStorage::stream_episode_json`]; the streams of
/// decoded episodes and headers, and the listings, are built on it.
#[async_trait]
pub trait EpisodeStorage: Send + Sync {
    /// Records an episode of a stored benchmark (one the caller can read).
    /// It needs at least one tuple, and finite floats.
    async fn record_episode(&self, episode: &Episode) -> Result<EpisodeHeader>;

    /// Streams the episodes matching `filter` as raw JSON, one object at a
    /// time (with their tuples when `include_tuples`), for decoders of your
    /// own. Datasets read episodes straight into columns from it.
    async fn stream_episode_json(
        &self,
        filter: &Filter,
        include_tuples: bool,
    ) -> Result<EpisodeJsonStream>;

    /// Deletes an episode.
    async fn delete_episode(&self, episode_id: &str) -> Result<()>;

    /// Publishes an episode in a group ([`GLOBAL_GROUP`](crate::GLOBAL_GROUP):
    /// for everyone).
    async fn publish_episode(&self, episode_id: &str, publish_in: &str) -> Result<()>;

    /// Withdraws an episode from a group.
    async fn unpublish_episode(&self, episode_id: &str, unpublish_from: &str) -> Result<()>;

    /// Streams the episodes matching `filter` with their tuples, one at a
    /// time as they arrive: memory is bounded by the largest episode, not by
    /// the answer. Errors of the request come first; decode or transport
    /// errors end the stream.
    ///
    /// ```no_run
    /// # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
    /// use futures::TryStreamExt;
    /// use tupli::storage::EpisodeStorage;
    /// use tupli::Filter;
    ///
    /// let mut episodes = client.stream_episodes(&Filter::all()).await?;
    /// while let Some(episode) = episodes.try_next().await? {
    ///     println!("{}: {} tuples", episode.id, episode.tuples.len());
    /// }
    /// # Ok(()) }
    /// ```
    async fn stream_episodes(&self, filter: &Filter) -> Result<EpisodeStream> {
        self.stream_episode_json(filter, true)
            .await
            .map(EpisodeStream::new)
    }

    /// Streams the headers of the episodes matching `filter`, one at a time.
    async fn stream_episode_headers(&self, filter: &Filter) -> Result<EpisodeHeaderStream> {
        self.stream_episode_json(filter, false)
            .await
            .map(EpisodeHeaderStream::new)
    }

    /// Lists the headers of the episodes matching `filter`.
    async fn list_episode_headers(&self, filter: &Filter) -> Result<Vec<EpisodeHeader>> {
        self.stream_episode_headers(filter)
            .await?
            .try_collect()
            .await
    }

    /// Lists the episodes matching `filter` with their tuples, decoded while
    /// they arrive: the raw answer is never held whole.
    async fn list_episode_items(&self, filter: &Filter) -> Result<Vec<EpisodeItem>> {
        self.stream_episodes(filter).await?.try_collect().await
    }

    /// Lists the episodes matching `filter`: full items when
    /// `include_tuples`, else headers (pytupli's union return, as an enum).
    async fn list_episodes(&self, filter: &Filter, include_tuples: bool) -> Result<EpisodeList> {
        if include_tuples {
            self.list_episode_items(filter)
                .await
                .map(EpisodeList::Items)
        } else {
            self.list_episode_headers(filter)
                .await
                .map(EpisodeList::Headers)
        }
    }
}
