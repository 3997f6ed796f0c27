//! The report's items: how each is made and recorded (and shown to the
//! progress observer).

use super::run::Run;
use super::{Item, Kind, Outcome};
use crate::error::Error;
use crate::models::{ArtifactMetadataItem, BenchmarkHeader, EpisodeHeader};

pub(super) const ALREADY_THERE: &str = "already there";

impl Run<'_> {
    /// Records a finished item, and shows it to the progress observer.
    pub(super) fn record(&self, item: Item) {
        self.progress.done(&item);
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(item);
    }

    /// A failure to list (or ask about) some of `benchmark`'s items of `kind`.
    pub(super) fn listing_failed(
        &self,
        kind: Kind,
        benchmark: &BenchmarkHeader,
        what: String,
        error: Error,
    ) {
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
}

/// Not copied: what stands for it in the destination, and why.
pub(super) fn skipped(destination_id: Option<&str>, reason: String) -> Outcome {
    Outcome::Skipped {
        destination_id: destination_id.map(str::to_string),
        reason,
    }
}

/// Would be copied (a dry run).
pub(super) fn would_copy() -> Outcome {
    Outcome::Copied {
        destination_id: None,
    }
}

/// An episode's item.
pub(super) fn episode_item(header: &EpisodeHeader, bytes: u64, outcome: Outcome) -> Item {
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

/// An artifact's item.
pub(super) fn artifact_item(
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
