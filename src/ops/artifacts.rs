//! Artifacts: files with metadata, streamed both ways and integrity-checked.
//!
//! The upload is hand-built (progenitor limit: multipart/form-data request
//! bodies are not supported, upstream issue #402). Every transfer hashes the
//! bytes as they pass and compares with the server's record
//! (`sha256(bytes ++ creator)`); see `transfer.rs` for the plumbing.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::Stream;
use progenitor_client::ResponseValue;
use reqwest::multipart::{Form, Part};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::atomic_file::AtomicFile;
use crate::call::Failure;
use crate::client::TupliApiClient;
use crate::error::{path_of, ApiError, Error, Result};
use crate::file_reader::file_chunks;
use crate::file_writer::FileWriter;
use crate::filter::Filter;
use crate::hooks::send;
use crate::models::{ArtifactMetadata, ArtifactMetadataItem};
use crate::operation_id;
use crate::retry::Retry;
use crate::storage::{ArtifactHash, ArtifactStorage};
use crate::transfer::{
    content_length, metadata_header, observed_upload, reader_stream, receive, Memory, Progress,
    SentHash, Sink, Transfer, Writer,
};
use crate::validate;

/// Every transfer hashes the bytes as they pass and compares them with the
/// server's record; a mismatch is [`Error::Integrity`]. The metadata of a
/// download comes with it (its `X-Metadata` header); when that is missing it
/// is looked up by id. A missing id is not an error for deleting.
#[async_trait]
impl ArtifactStorage for TupliApiClient {
    fn artifact_hash(&self) -> ArtifactHash {
        ArtifactHash::WithCreator
    }

    fn store_artifact<'a>(
        &'a self,
        data: Bytes,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        Transfer::new(move |progress| async move {
            let length = data.len() as u64;
            self.upload(metadata, length, progress, move || {
                let data = data.clone();
                async move { Ok(futures::stream::iter([Ok::<_, std::io::Error>(data)])) }
            })
            .await
        })
    }

    fn store_artifact_from_path<'a>(
        &'a self,
        path: &'a Path,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        Transfer::new(move |progress| async move {
            let length = tokio::fs::metadata(path).await?.len();
            self.upload(metadata, length, progress, move || {
                let path = path.to_path_buf();
                async move {
                    let file = tokio::fs::File::open(&path).await?.into_std().await;
                    Ok(file_chunks(file)?)
                }
            })
            .await
        })
    }

    async fn load_artifact(&self, artifact_id: &str) -> Result<Bytes> {
        let mut memory = Memory(Vec::new());
        self.download_verified(artifact_id, &mut memory, &())
            .await?;
        Ok(Bytes::from(memory.0))
    }

    fn download_artifact_to_path<'a>(
        &'a self,
        artifact_id: &'a str,
        path: &'a Path,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        Transfer::new(move |progress| async move {
            let mut partial = AtomicFile::create(path)?;
            let mut file = FileWriter::start(partial.take_file()?)?;
            let item = self
                .download_verified(artifact_id, &mut file, &*progress)
                .await?;
            let file = file.finish().await?;
            partial.commit_async(file).await?;
            Ok(item)
        })
    }

    async fn list_artifacts(&self, filter: &Filter) -> Result<Vec<ArtifactMetadataItem>> {
        filter.validate()?;
        self.call(Retry::Safe, |api| async move {
            api.list_artifacts().body(filter.clone()).send().await
        })
        .await
    }

    async fn delete_artifact(&self, artifact_id: &str) -> Result<()> {
        validate::name("artifact_id", artifact_id)?;
        self.call(Retry::Safe, |api| async move {
            api.delete_artifact().artifact_id(artifact_id).send().await
        })
        .await
    }

    async fn publish_artifact(&self, artifact_id: &str, publish_in: &str) -> Result<()> {
        validate::name("artifact_id", artifact_id)?;
        validate::name("publish_in", publish_in)?;
        self.call(Retry::Safe, |api| async move {
            api.publish_artifact()
                .artifact_id(artifact_id)
                .publish_in(publish_in)
                .send()
                .await
        })
        .await
    }

    async fn unpublish_artifact(&self, artifact_id: &str, unpublish_from: &str) -> Result<()> {
        validate::name("artifact_id", artifact_id)?;
        validate::name("unpublish_from", unpublish_from)?;
        self.call(Retry::Safe, |api| async move {
            api.unpublish_artifact()
                .artifact_id(artifact_id)
                .unpublish_from(unpublish_from)
                .send()
                .await
        })
        .await
    }
}

impl TupliApiClient {
    /// Uploads `length` bytes from readers made by `open` (called again for a
    /// retry after a token refresh), without holding them in memory.
    pub fn store_artifact_from_reader<'a, F, R>(
        &'a self,
        open: F,
        length: u64,
        metadata: &ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem>
    where
        F: Fn() -> R + Send + Sync + 'a,
        R: AsyncRead + Send + Sync + 'static,
    {
        let metadata = metadata.clone();
        Transfer::new(move |progress| async move {
            self.upload(&metadata, length, progress, move || {
                let reader = open();
                async move { Ok(reader_stream(reader)) }
            })
            .await
        })
    }

    /// Downloads an artifact into memory like [`ArtifactStorage::load_artifact`], checked
    /// against metadata the caller already has (from `list_artifacts` or
    /// `store_artifact`).
    pub async fn load_artifact_with(&self, item: &ArtifactMetadataItem) -> Result<Bytes> {
        let mut buffer = Vec::new();
        let (hasher, _) = self
            .download_into(&item.id, &mut Writer(&mut buffer), &())
            .await?;
        self.artifact_hash().verify(item, hasher)?;
        Ok(Bytes::from(buffer))
    }

    /// Streams an artifact into `writer`, hashing on the fly, and returns its
    /// metadata once the bytes are verified. On [`Error::Integrity`] the
    /// writer has received bytes that must not be trusted.
    pub fn download_artifact_to<'a, W>(
        &'a self,
        artifact_id: &'a str,
        writer: &'a mut W,
    ) -> Transfer<'a, ArtifactMetadataItem>
    where
        W: AsyncWrite + Unpin + Send + ?Sized,
    {
        Transfer::new(move |progress| async move {
            self.download_verified(artifact_id, &mut Writer(writer), &*progress)
                .await
        })
    }

    /// One streamed multipart upload per attempt; `open` yields the bytes
    /// afresh each time. The bytes sent are hashed and compared with the
    /// server's record.
    async fn upload<F, Fut, S>(
        &self,
        metadata: &ArtifactMetadata,
        length: u64,
        progress: Arc<dyn Progress>,
        open: F,
    ) -> Result<ArtifactMetadataItem>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = std::result::Result<S, Failure>>,
        S: Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
    {
        validate::name("metadata.name", &metadata.name)?;
        let metadata = serde_json::to_string(metadata)
            .map_err(|e| Error::invalid("metadata", e.to_string()))?;
        let hash = SentHash::default();
        let item = self
            .call_raw(
                Retry::Never,
                |api| {
                    let metadata = metadata.clone();
                    let hash = hash.clone();
                    let progress = Arc::clone(&progress);
                    let opened = open();
                    async move {
                        hash.reset();
                        progress.start(Some(length));
                        let body = observed_upload(opened.await?, hash, progress)?;
                        let data =
                            Part::stream_with_length(reqwest::Body::wrap_stream(body), length)
                                .file_name("data");
                        let form = Form::new().part("data", data).text("metadata", metadata);
                        let request = api
                            .client
                            .post(format!("{}/artifacts/upload", api.baseurl))
                            .multipart(form);
                        let response = send(&api, operation_id::STORE_ARTIFACT, request).await?;
                        Ok::<_, Failure>(
                            ResponseValue::<ArtifactMetadataItem>::from_response::<ApiError>(
                                response,
                            )
                            .await?,
                        )
                    }
                },
                path_of::<ArtifactMetadataItem>,
            )
            .await?
            .into_inner();
        let sent = hash.take().ok_or_else(|| Error::Io {
            source: std::io::Error::other("the upload's hash was not computed"),
        })?;
        self.artifact_hash().verify(&item, sent)?;
        Ok(item)
    }

    /// [`Self::download_into`], then the check against the metadata the
    /// download came with (or that is looked up).
    async fn download_verified<S: Sink>(
        &self,
        artifact_id: &str,
        sink: &mut S,
        progress: &dyn Progress,
    ) -> Result<ArtifactMetadataItem> {
        let (hasher, header) = self.download_into(artifact_id, sink, progress).await?;
        let item = match header {
            Some(item) if item.id == artifact_id => item,
            _ => self.artifact_metadata(artifact_id).await?,
        };
        self.artifact_hash().verify(&item, hasher)?;
        Ok(item)
    }

    /// Streams the bytes of an artifact into `sink`; returns their running
    /// hash (the creator still to be appended) and the metadata header.
    async fn download_into<S: Sink>(
        &self,
        artifact_id: &str,
        sink: &mut S,
        progress: &dyn Progress,
    ) -> Result<(sha2::Sha256, Option<ArtifactMetadataItem>)> {
        validate::name("artifact_id", artifact_id)?;
        let response = self
            .call_raw(
                Retry::Safe,
                |api| async move { api.load_artifact().artifact_id(artifact_id).send().await },
                path_of::<serde::de::IgnoredAny>,
            )
            .await?;
        let header = metadata_header(response.headers());
        let total = content_length(response.headers());
        let body = response.into_inner().into_inner();
        let hasher = receive(body, total, sink, progress).await?;
        Ok((hasher, header))
    }

    async fn artifact_metadata(&self, artifact_id: &str) -> Result<ArtifactMetadataItem> {
        self.list_artifacts(&Filter::eq("id", artifact_id))
            .await?
            .into_iter()
            .find(|item| item.id == artifact_id)
            .ok_or_else(|| Error::Decode {
                path: ".".into(),
                message: format!(
                    "the server sent artifact {artifact_id} but does not list its metadata"
                ),
                excerpt: String::new(),
            })
    }
}
