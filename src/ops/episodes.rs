//! Episodes of RL tuples.
//!
//! Recording and listing bypass the generated methods (progenitor limit: a
//! request body must be an owned model, re-cloned for a retry, and an answer
//! is read whole before it is decoded): the episode is serialized once into
//! the request body, and list answers are decoded element by element as they
//! arrive.

use futures::TryStreamExt;
use progenitor_client::ResponseValue;

use crate::call::{json_body, post_json, Failure};
use crate::client::TupliApiClient;
use crate::encode;
use crate::error::{path_of, Error, Result};
use crate::filter::{EpisodesListRequest, Filter};
use crate::models::{Episode, EpisodeHeader, EpisodeItem, EpisodeList};
use crate::operation_id;
use crate::retry::Retry;
use crate::streams::{EpisodeHeaderStream, EpisodeJsonStream, EpisodeStream};
use crate::validate;

/// A generous guess of an episode's JSON size: a float takes at most 24 bytes.
fn episode_size(episode: &Episode) -> usize {
    let numbers: usize = episode
        .tuples
        .iter()
        .map(|t| {
            [&t.state, &t.action, &t.reward]
                .iter()
                .map(|v| v.as_floats().map_or(1, <[f64]>::len))
                .sum::<usize>()
        })
        .sum();
    numbers * 24 + episode.tuples.len() * 96 + 1024
}

/// NaN and infinities have no JSON form (serde_json would silently write
/// `null`): refuse them, naming where they are.
pub(crate) fn check_finite(episode: &Episode) -> Result<()> {
    for (i, tuple) in episode.tuples.iter().enumerate() {
        if let Some(at) = tuple.first_non_finite() {
            return Err(Error::invalid(
                "episode",
                format!("tuples[{i}].{at} is NaN or infinite, which JSON cannot carry"),
            ));
        }
    }
    Ok(())
}

impl TupliApiClient {
    /// Records an episode of a benchmark the caller can read.
    ///
    /// The episode is serialized once, straight into the request body; a retry
    /// after a token refresh resends those bytes.
    pub async fn record_episode(&self, episode: &Episode) -> Result<EpisodeHeader> {
        validate::name("episode.benchmark_id", &episode.benchmark_id)?;
        if episode.tuples.is_empty() {
            // The server indexes the last tuple and answers 500 for none.
            return Err(Error::invalid(
                "episode.tuples",
                "an episode needs at least one tuple",
            ));
        }
        check_finite(episode)?;
        let mut body = Vec::with_capacity(episode_size(episode));
        encode::episode(episode, &mut body)
            .map_err(|e| Error::invalid("episode", e.to_string()))?;
        let body = bytes::Bytes::from(body);
        self.call_raw(
            Retry::Never,
            |api| {
                let body = body.clone();
                async move {
                    let response =
                        post_json(&api, "/episodes/record", operation_id::RECORD_EPISODE, body)
                            .await?;
                    Ok::<_, Failure>(ResponseValue::from_response(response).await?)
                }
            },
            path_of::<EpisodeHeader>,
        )
        .await
        .map(ResponseValue::into_inner)
    }

    /// Lists the episodes matching `filter`: full items when `include_tuples`,
    /// else headers (pytupli's union return, as an enum).
    pub async fn list_episodes(
        &self,
        filter: &Filter,
        include_tuples: bool,
    ) -> Result<EpisodeList> {
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

    /// Lists the headers of the episodes matching `filter`.
    pub async fn list_episode_headers(&self, filter: &Filter) -> Result<Vec<EpisodeHeader>> {
        self.stream_episode_headers(filter)
            .await?
            .try_collect()
            .await
    }

    /// Lists the episodes matching `filter` with their tuples, decoded while
    /// the answer arrives: the raw answer is never held whole.
    pub async fn list_episode_items(&self, filter: &Filter) -> Result<Vec<EpisodeItem>> {
        self.stream_episodes(filter).await?.try_collect().await
    }

    /// Streams the episodes matching `filter` with their tuples, one at a time
    /// as the answer arrives: memory is bounded by the largest episode, not by the
    /// answer. Errors of the request come first; decode or transport errors
    /// end the stream.
    ///
    /// ```no_run
    /// # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
    /// use futures::TryStreamExt;
    /// use tupli::Filter;
    ///
    /// let mut episodes = client.stream_episodes(&Filter::all()).await?;
    /// while let Some(episode) = episodes.try_next().await? {
    ///     println!("{}: {} tuples", episode.id, episode.tuples.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stream_episodes(&self, filter: &Filter) -> Result<EpisodeStream> {
        self.stream_episode_json(filter, true)
            .await
            .map(EpisodeStream::new)
    }

    /// Streams the episodes matching `filter` as raw JSON, one object at a
    /// time (with their tuples when `include_tuples`), for decoders of your
    /// own. Datasets read episodes straight into columns from it.
    pub async fn stream_episode_json(
        &self,
        filter: &Filter,
        include_tuples: bool,
    ) -> Result<EpisodeJsonStream> {
        self.list_response(filter, include_tuples)
            .await
            .map(EpisodeJsonStream::from_response)
    }

    /// Streams the headers of the episodes matching `filter`, one at a time.
    pub async fn stream_episode_headers(&self, filter: &Filter) -> Result<EpisodeHeaderStream> {
        self.stream_episode_json(filter, false)
            .await
            .map(EpisodeHeaderStream::new)
    }

    /// The answer of `POST /episodes/list`, its body not yet read.
    async fn list_response(
        &self,
        filter: &Filter,
        include_tuples: bool,
    ) -> Result<reqwest::Response> {
        filter.validate()?;
        let request = EpisodesListRequest {
            filter: filter.clone(),
            include_tuples,
        };
        let body = json_body(&request, 256, "filter")?;
        self.call_raw(
            Retry::Safe,
            |api| {
                let body = body.clone();
                async move {
                    post_json(&api, "/episodes/list", operation_id::LIST_EPISODES, body).await
                }
            },
            path_of::<serde::de::IgnoredAny>,
        )
        .await
    }

    /// Deletes an episode (a missing id is not an error).
    pub async fn delete_episode(&self, episode_id: &str) -> Result<()> {
        validate::name("episode_id", episode_id)?;
        self.call(Retry::Safe, |api| async move {
            api.delete_episode().episode_id(episode_id).send().await
        })
        .await
    }

    /// Publishes an episode in a group ([`GLOBAL_GROUP`](crate::GLOBAL_GROUP):
    /// for everyone).
    pub async fn publish_episode(&self, episode_id: &str, publish_in: &str) -> Result<()> {
        validate::name("episode_id", episode_id)?;
        validate::name("publish_in", publish_in)?;
        self.call(Retry::Safe, |api| async move {
            api.publish_episode()
                .episode_id(episode_id)
                .publish_in(publish_in)
                .send()
                .await
        })
        .await
    }

    /// Withdraws an episode from a group.
    pub async fn unpublish_episode(&self, episode_id: &str, unpublish_from: &str) -> Result<()> {
        validate::name("episode_id", episode_id)?;
        validate::name("unpublish_from", unpublish_from)?;
        self.call(Retry::Safe, |api| async move {
            api.unpublish_episode()
                .episode_id(episode_id)
                .unpublish_from(unpublish_from)
                .send()
                .await
        })
        .await
    }
}
