//! Episodes of RL tuples.

use progenitor_client::ResponseValue;

use crate::client::{path_of, TupliApiClient};
use crate::error::{Error, Result};
use crate::filter::{EpisodesListRequest, Filter};
use crate::generated::types::EpisodeList as Wire;
use crate::models::{Episode, EpisodeHeader, EpisodeItem, EpisodeList};
use crate::validate;

impl TupliApiClient {
    /// Records an episode of a benchmark the caller can read.
    pub async fn record_episode(&self, episode: Episode) -> Result<EpisodeHeader> {
        validate::name("episode.benchmark_id", &episode.benchmark_id)?;
        if episode.tuples.is_empty() {
            // The server indexes the last tuple and answers 500 for none.
            return Err(Error::invalid(
                "episode.tuples",
                "an episode needs at least one tuple",
            ));
        }
        self.call(|api| {
            let episode = episode.clone();
            async move { api.record_episode().body(episode).send().await }
        })
        .await
    }

    /// Episodes matching `filter`: full items when `include_tuples`, else headers
    /// (pytupli's union return, as an enum).
    pub async fn list_episodes(
        &self,
        filter: Option<Filter>,
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

    /// Headers of the episodes matching `filter`.
    pub async fn list_episode_headers(&self, filter: Option<Filter>) -> Result<Vec<EpisodeHeader>> {
        Ok(match self.list_episodes_wire(filter, false).await? {
            Wire::Variant1(headers) => headers,
            Wire::Variant0(items) => items.into_iter().map(EpisodeHeader::from).collect(),
        })
    }

    /// Episodes matching `filter`, with their tuples.
    pub async fn list_episode_items(&self, filter: Option<Filter>) -> Result<Vec<EpisodeItem>> {
        match self.list_episodes_wire(filter, true).await? {
            Wire::Variant0(items) => Ok(items),
            // An empty array decodes as either variant.
            Wire::Variant1(headers) if headers.is_empty() => Ok(Vec::new()),
            Wire::Variant1(_) => Err(Error::Decode {
                path: "[0].tuples".into(),
                message: "asked for tuples, but the server sent episode headers".into(),
                excerpt: String::new(),
            }),
        }
    }

    async fn list_episodes_wire(
        &self,
        filter: Option<Filter>,
        include_tuples: bool,
    ) -> Result<Wire> {
        let request = EpisodesListRequest {
            filter: validate::filter(filter)?,
            include_tuples,
        };
        // The wire type is an untagged enum; report decode errors against
        // the variant that was asked for.
        let path = if include_tuples {
            path_of::<Vec<EpisodeItem>>
        } else {
            path_of::<Vec<EpisodeHeader>>
        };
        self.call_raw(
            |api| {
                let request = request.clone();
                async move { api.list_episodes().body(request).send().await }
            },
            path,
        )
        .await
        .map(ResponseValue::into_inner)
    }

    /// Deletes an episode (a missing id is not an error).
    pub async fn delete_episode(&self, episode_id: &str) -> Result<()> {
        validate::name("episode_id", episode_id)?;
        self.call(|api| async move { api.delete_episode().episode_id(episode_id).send().await })
            .await
    }

    /// Publishes an episode in a group; `None` means [`GLOBAL_GROUP`](crate::GLOBAL_GROUP).
    pub async fn publish_episode(&self, episode_id: &str, publish_in: Option<&str>) -> Result<()> {
        validate::name("episode_id", episode_id)?;
        let group = validate::publish_target(publish_in)?;
        self.call(|api| async move {
            api.publish_episode()
                .episode_id(episode_id)
                .publish_in(group)
                .send()
                .await
        })
        .await
    }

    /// Withdraws an episode from a group.
    pub async fn unpublish_episode(&self, episode_id: &str, unpublish_from: &str) -> Result<()> {
        validate::name("episode_id", episode_id)?;
        validate::name("unpublish_from", unpublish_from)?;
        self.call(|api| async move {
            api.unpublish_episode()
                .episode_id(episode_id)
                .unpublish_from(unpublish_from)
                .send()
                .await
        })
        .await
    }
}
