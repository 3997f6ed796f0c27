//! Episodes of RL tuples: [`EpisodeStorage`] for the client.
//!
//! Recording and listing bypass the generated methods (progenitor limit: a
//! request body must be an owned model, re-cloned for a retry, and an answer
//! is read whole before it is decoded): the episode is serialized once into
//! the request body, and list answers are decoded element by element as they
//! arrive.

use async_trait::async_trait;
use progenitor_client::ResponseValue;

use crate::call::{json_body, post_json, Failure};
use crate::client::TupliApiClient;
use crate::encode;
use crate::error::{path_of, Error, Result};
use crate::filter::{EpisodesListRequest, Filter};
use crate::models::{Episode, EpisodeHeader};
use crate::operation_id;
use crate::retry::Retry;
use crate::storage::EpisodeStorage;
use crate::streams::EpisodeJsonStream;
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

/// A missing id is not an error for deleting. An episode is serialized
/// once, straight into the request body; a retry after a token refresh
/// resends those bytes.
#[async_trait]
impl EpisodeStorage for TupliApiClient {
    async fn record_episode(&self, episode: &Episode) -> Result<EpisodeHeader> {
        // (The server indexes the last tuple and answers 500 for none.)
        validate::episode(episode)?;
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

    async fn stream_episode_json(
        &self,
        filter: &Filter,
        include_tuples: bool,
    ) -> Result<EpisodeJsonStream> {
        self.list_response(filter, include_tuples)
            .await
            .map(EpisodeJsonStream::from_response)
    }

    async fn delete_episode(&self, episode_id: &str) -> Result<()> {
        validate::name("episode_id", episode_id)?;
        self.call(Retry::Safe, |api| async move {
            api.delete_episode().episode_id(episode_id).send().await
        })
        .await
    }

    async fn publish_episode(&self, episode_id: &str, publish_in: &str) -> Result<()> {
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

    async fn unpublish_episode(&self, episode_id: &str, unpublish_from: &str) -> Result<()> {
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

impl TupliApiClient {
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
}
