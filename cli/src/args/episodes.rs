//! The episodes' subcommands.

use std::path::PathBuf;

use clap::Subcommand;

use super::common::{ConfirmArgs, PublishArgs, UnpublishArgs};
use super::selection::FilterArgs;

/// Episodes: recorded tuples of a benchmark.
#[derive(Debug, Subcommand)]
pub(crate) enum EpisodeCommand {
    /// Record an episode from a JSON file: {"benchmark_id", "metadata", "tuples": […]}
    RecordEpisode {
        /// The episode as JSON (`-`: standard input)
        file: PathBuf,
    },
    /// List episodes
    ListEpisodes {
        #[command(flatten)]
        filter: FilterArgs,
        /// Include each episode's tuples in --json (a table shows each episode's header and
        /// tuple count only, so no tuples are asked for)
        #[arg(long)]
        include_tuples: bool,
    },
    /// Delete an episode
    DeleteEpisode {
        /// Episode id
        id: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Publish an episode in a group
    PublishEpisode {
        /// Episode id
        id: String,
        #[command(flatten)]
        group: PublishArgs,
    },
    /// Withdraw an episode from a group
    UnpublishEpisode {
        /// Episode id
        id: String,
        #[command(flatten)]
        group: UnpublishArgs,
    },
}
