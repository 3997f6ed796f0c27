//! [`ArtifactStorage`]: the artifact operations every storage has.

use std::path::Path;

use async_trait::async_trait;
use bytes::Bytes;

use super::ArtifactHash;
use crate::error::Result;
use crate::filter::Filter;
use crate::models::{ArtifactMetadata, ArtifactMetadataItem};
use crate::transfer::Transfer;

/// Artifacts: files with metadata, streamed both ways and checked against
/// the hash the storage recorded. Part of [`TupliStorage`](super::TupliStorage).
///
/// The transfers answer a [`Transfer`]: await it, or attach a
/// [`Progress`](crate::Progress) first.
#[async_trait]
pub trait ArtifactStorage: Send + Sync {
    /// How this storage derives an artifact's `hash` from its bytes.
    fn artifact_hash(&self) -> ArtifactHash;

    /// Stores an artifact held in memory. The same bytes stored again (by
    /// the same user, on a server) answer the existing record.
    fn store_artifact<'a>(
        &'a self,
        data: Bytes,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem>;

    /// Stores the file at `path` as an artifact, streamed, without reading
    /// it into memory.
    fn store_artifact_from_path<'a>(
        &'a self,
        path: &'a Path,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem>;

    /// Loads an artifact's bytes into memory, checked against its hash (a
    /// mismatch is [`Error::Integrity`](crate::Error::Integrity)).
    async fn load_artifact(&self, artifact_id: &str) -> Result<Bytes>;

    /// Writes an artifact to a file at `path`, streamed: written to a
    /// temporary file beside it and renamed into place only once complete
    /// and verified; on any failure `path` is left untouched.
    fn download_artifact_to_path<'a>(
        &'a self,
        artifact_id: &'a str,
        path: &'a Path,
    ) -> Transfer<'a, ArtifactMetadataItem>;

    /// Lists the metadata of the visible artifacts matching `filter`. Keys
    /// are relative to the metadata: `name`, `extra.source`, ….
    async fn list_artifacts(&self, filter: &Filter) -> Result<Vec<ArtifactMetadataItem>>;

    /// Deletes an artifact.
    async fn delete_artifact(&self, artifact_id: &str) -> Result<()>;

    /// Publishes an artifact in a group ([`GLOBAL_GROUP`](crate::GLOBAL_GROUP):
    /// for everyone).
    async fn publish_artifact(&self, artifact_id: &str, publish_in: &str) -> Result<()>;

    /// Withdraws an artifact from a group.
    async fn unpublish_artifact(&self, artifact_id: &str, unpublish_from: &str) -> Result<()>;
}
