//! The artifacts' subcommands, and how `--extra` metadata is read.

use std::path::PathBuf;

use clap::Subcommand;

use super::common::{ConfirmArgs, PublishArgs, UnpublishArgs};
use super::selection::FilterArgs;

/// Artifacts: files with metadata.
#[derive(Debug, Subcommand)]
pub(crate) enum ArtifactCommand {
    /// Upload a file as an artifact
    StoreArtifact {
        /// The file to upload
        file: PathBuf,
        /// Name (default: the file's name)
        #[arg(long)]
        name: Option<String>,
        /// Description
        #[arg(long, default_value = "")]
        description: String,
        /// The benchmark the file belongs to
        #[arg(long, value_name = "ID")]
        benchmark_id: Option<String>,
        /// Further metadata, a JSON object
        #[arg(long, value_name = "JSON", value_parser = parse_object)]
        extra: Option<serde_json::Map<String, serde_json::Value>>,
    },
    /// Download an artifact (checked against its recorded hash)
    LoadArtifact {
        /// Artifact id
        id: String,
        /// Write the bytes to this file instead of standard output (`-`: standard output, even
        /// binary data to a terminal, which is refused without it)
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List artifacts (keys are relative to the metadata: name, extra.source, …)
    ListArtifacts {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Delete an artifact
    DeleteArtifact {
        /// Artifact id
        id: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Publish an artifact in a group
    PublishArtifact {
        /// Artifact id
        id: String,
        #[command(flatten)]
        group: PublishArgs,
    },
    /// Withdraw an artifact from a group
    UnpublishArtifact {
        /// Artifact id
        id: String,
        #[command(flatten)]
        group: UnpublishArgs,
    },
}

fn parse_object(text: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))
}
