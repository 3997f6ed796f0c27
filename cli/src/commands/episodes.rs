//! Episodes: `record-episode`, `list-episodes` (printed as they arrive in
//! every format but a table), `delete-episode`, `publish-episode`, `unpublish-episode`.

use futures::{Stream, TryStreamExt};
use serde::Serialize;
use tupli::models::Episode;

use super::Target;
use crate::args::EpisodeCommand;
use crate::error::CliError;
use crate::input::read_json;
use crate::output::{self, Row};
use crate::progress::Indicator;

pub(crate) async fn run(target: Target<'_>, command: EpisodeCommand) -> Result<(), CliError> {
    let c = target.storage;
    match command {
        EpisodeCommand::RecordEpisode { file } => {
            let episode: Episode = read_json(&file, "an episode")?;
            let progress = Indicator::spinner(format!(
                "recording an episode of {} tuples",
                episode.tuples.len()
            ));
            let header = c.record_episode(&episode).await?;
            progress.clear();
            output::one(&header)
        }
        EpisodeCommand::ListEpisodes {
            filter,
            include_tuples,
        } => {
            let progress = Indicator::counter("receiving episodes");
            // A table shows no tuples: only headers are asked for, so memory
            // stays bounded however many tuples there are.
            if include_tuples && output::machine() {
                let episodes = c.stream_episodes(&filter.combined()).await?;
                stream(episodes, &progress, "episodes").await
            } else {
                let episodes = c.stream_episode_headers(&filter.combined()).await?;
                stream(episodes, &progress, "episodes").await
            }
        }
        EpisodeCommand::DeleteEpisode { id, .. } => {
            c.delete_episode(&id).await?;
            output::say(&format!("Deleted episode {id}."))
        }
        EpisodeCommand::PublishEpisode { id, group } => {
            c.publish_episode(&id, &group.group).await?;
            target.published("episode", &id, "Published", "in", &group.group)
        }
        EpisodeCommand::UnpublishEpisode { id, group } => {
            c.unpublish_episode(&id, &group.group).await?;
            target.published("episode", &id, "Withdrew", "from", &group.group)
        }
    }
}

/// A listing that arrives element by element: printed as it comes (a table
/// once everything is there).
async fn stream<T, S>(items: S, progress: &Indicator, noun: &str) -> Result<(), CliError>
where
    T: Row + Serialize,
    S: Stream<Item = tupli::Result<T>>,
{
    let mut items = std::pin::pin!(items);
    let mut list = output::List::new(noun);
    while let Some(item) = items.try_next().await? {
        progress.inc(1);
        list.push(item)?;
    }
    progress.clear();
    list.finish()
}
