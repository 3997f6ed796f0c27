//! Copying one benchmark's artifacts: those of the same hash and creator
//! skipped, the rest read into a temporary file and, unless the destination
//! holds the same bytes, stored there.

use std::collections::HashMap;
use std::sync::Arc;

use futures::StreamExt;

use super::items::{artifact_item, skipped, would_copy, ALREADY_THERE};
use super::present::Present;
use super::run::{unique, Mapped, Run, ASK_BATCH};
use super::transit::{hash_file, Counter, TempFile};
use super::{Item, Kind, Outcome};
use crate::error::Result;
use crate::filter::Filter;
use crate::models::{ArtifactMetadata, ArtifactMetadataItem};

impl Run<'_> {
    /// Copies the artifacts of one benchmark.
    pub(super) async fn artifacts(&self, benchmark: &Mapped) {
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
            .and_then(|present| present.find(&content, self.to.artifact_hash()));
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
