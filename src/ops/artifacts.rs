//! Artifacts: files with metadata, streamed both ways and integrity-checked.
//!
//! The upload is hand-written (progenitor limit: multipart/form-data request
//! bodies are not supported, upstream issue #402). Every transfer hashes the
//! bytes as they pass and compares with the server's record
//! (`sha256(bytes ++ creator)`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use progenitor_client::{OperationInfo, ResponseValue};
use reqwest::multipart::{Form, Part};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use crate::client::{path_of, Failure, TupliApiClient};
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::hooks::send;
use crate::models::{ArtifactMetadata, ArtifactMetadataItem};
use crate::retry::Retry;
use crate::validate;

/// Header in which the server sends an artifact's metadata with its bytes.
const METADATA_HEADER: &str = "x-metadata";

/// Read size for streamed uploads.
const UPLOAD_CHUNK: usize = 256 * 1024;

/// Write buffer for downloads to a file.
const WRITE_BUFFER: usize = 1 << 20;

impl TupliApiClient {
    /// Uploads a file held in memory, with its metadata. Uploading bytes the
    /// same user already uploaded answers the existing record.
    pub async fn store_artifact(
        &self,
        data: impl Into<Bytes>,
        metadata: ArtifactMetadata,
    ) -> Result<ArtifactMetadataItem> {
        let data: Bytes = data.into();
        let length = data.len() as u64;
        self.upload(metadata, length, move || {
            let data = data.clone();
            async move { Ok(futures::stream::iter([Ok::<_, std::io::Error>(data)])) }
        })
        .await
    }

    /// Uploads a file from disk without reading it into memory. A retry after
    /// a token refresh reads the file again.
    pub async fn store_artifact_from_path(
        &self,
        path: impl AsRef<Path>,
        metadata: ArtifactMetadata,
    ) -> Result<ArtifactMetadataItem> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let length = tokio::fs::metadata(&path).await?.len();
        self.upload(metadata, length, move || {
            let path = path.clone();
            async move {
                let file = tokio::fs::File::open(&path).await?;
                Ok(reader_stream(file))
            }
        })
        .await
    }

    /// Uploads `length` bytes from readers made by `open` (called again for a
    /// retry after a token refresh), without holding them in memory.
    pub async fn store_artifact_from_reader<F, R>(
        &self,
        open: F,
        length: u64,
        metadata: ArtifactMetadata,
    ) -> Result<ArtifactMetadataItem>
    where
        F: Fn() -> R + Send + Sync,
        R: AsyncRead + Send + Sync + 'static,
    {
        self.upload(metadata, length, move || {
            let reader = open();
            async move { Ok(reader_stream(reader)) }
        })
        .await
    }

    /// Downloads an artifact into memory and verifies it against the hash the
    /// server recorded; a mismatch is [`Error::Integrity`].
    ///
    /// The metadata comes with the download (its `X-Metadata` header); when
    /// that is missing it is looked up by id.
    pub async fn load_artifact(&self, artifact_id: &str) -> Result<Bytes> {
        let mut buffer = Vec::new();
        self.download_artifact_to(artifact_id, &mut buffer).await?;
        Ok(Bytes::from(buffer))
    }

    /// [`Self::load_artifact`] with metadata the caller already has (from
    /// `list_artifacts` or `store_artifact`), checked against that.
    pub async fn load_artifact_with(&self, item: &ArtifactMetadataItem) -> Result<Bytes> {
        let mut buffer = Vec::new();
        let (mut hasher, _) = self.download_into(&item.id, &mut buffer).await?;
        hasher.update(item.created_by.as_bytes());
        verify(item, &hex::encode(hasher.finalize()))?;
        Ok(Bytes::from(buffer))
    }

    /// Streams an artifact into `writer`, hashing on the fly; returns its
    /// metadata once the bytes are verified. On [`Error::Integrity`] the
    /// writer has received bytes that must not be trusted.
    pub async fn download_artifact_to<W>(
        &self,
        artifact_id: &str,
        writer: &mut W,
    ) -> Result<ArtifactMetadataItem>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let (mut hasher, header) = self.download_into(artifact_id, writer).await?;
        let item = match header {
            Some(item) if item.id == artifact_id => item,
            _ => self.artifact_metadata(artifact_id).await?,
        };
        hasher.update(item.created_by.as_bytes());
        verify(&item, &hex::encode(hasher.finalize()))?;
        Ok(item)
    }

    /// Streams an artifact into a file at `path`: written to a temporary file
    /// beside it and renamed into place only once verified; on any failure the
    /// partial file is removed and `path` is left untouched.
    pub async fn download_artifact_to_path(
        &self,
        artifact_id: &str,
        path: impl AsRef<Path>,
    ) -> Result<ArtifactMetadataItem> {
        let path = path.as_ref();
        let partial = partial_path(path);
        let result = async {
            // Large writes: each one is a trip to tokio's blocking pool.
            let file = tokio::fs::File::create(&partial).await?;
            let mut file = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
            let item = self.download_artifact_to(artifact_id, &mut file).await?;
            let file = file.into_inner();
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&partial, path).await?;
            Ok(item)
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&partial).await;
        }
        result
    }

    /// Metadata of the artifacts matching `filter` (`None`: all visible ones).
    /// Keys are relative to the metadata: `name`, `extra.source`, ….
    pub async fn list_artifacts(
        &self,
        filter: Option<Filter>,
    ) -> Result<Vec<ArtifactMetadataItem>> {
        let filter = validate::filter(filter)?;
        self.call(Retry::Safe, |api| {
            let filter = filter.clone();
            async move { api.list_artifacts().body(filter).send().await }
        })
        .await
    }

    /// Deletes an artifact.
    pub async fn delete_artifact(&self, artifact_id: &str) -> Result<()> {
        validate::name("artifact_id", artifact_id)?;
        self.call(Retry::Safe, |api| async move {
            api.delete_artifact().artifact_id(artifact_id).send().await
        })
        .await
    }

    /// Publishes an artifact in a group; `None` means [`GLOBAL_GROUP`](crate::GLOBAL_GROUP).
    pub async fn publish_artifact(
        &self,
        artifact_id: &str,
        publish_in: Option<&str>,
    ) -> Result<()> {
        validate::name("artifact_id", artifact_id)?;
        let group = validate::publish_target(publish_in)?;
        self.call(Retry::Safe, |api| async move {
            api.publish_artifact()
                .artifact_id(artifact_id)
                .publish_in(group)
                .send()
                .await
        })
        .await
    }

    /// Withdraws an artifact from a group.
    pub async fn unpublish_artifact(&self, artifact_id: &str, unpublish_from: &str) -> Result<()> {
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

    /// One streamed multipart upload per attempt; `open` yields the bytes
    /// afresh each time. The bytes sent are hashed and compared with the
    /// server's record.
    async fn upload<F, Fut, S>(
        &self,
        metadata: ArtifactMetadata,
        length: u64,
        open: F,
    ) -> Result<ArtifactMetadataItem>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = std::result::Result<S, Failure>>,
        S: Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
    {
        validate::name("metadata.name", &metadata.name)?;
        let metadata = serde_json::to_string(&metadata)
            .map_err(|e| Error::invalid("metadata", e.to_string()))?;
        let hasher = Arc::new(Mutex::new(Sha256::new()));
        let item = self
            .call_raw(
                Retry::Never,
                |api| {
                    let metadata = metadata.clone();
                    let hasher = Arc::clone(&hasher);
                    let opened = open();
                    async move {
                        *lock(&hasher) = Sha256::new();
                        let body = opened.await?.inspect_ok({
                            let hasher = Arc::clone(&hasher);
                            move |chunk| lock(&hasher).update(chunk)
                        });
                        let data =
                            Part::stream_with_length(reqwest::Body::wrap_stream(body), length)
                                .file_name("data");
                        let form = Form::new().part("data", data).text("metadata", metadata);
                        let request = api
                            .client
                            .post(format!("{}/artifacts/upload", api.baseurl))
                            .multipart(form);
                        let info = OperationInfo {
                            operation_id: "store_artifact",
                        };
                        let response = send(&api, info, request).await?;
                        Ok::<_, Failure>(
                            ResponseValue::<ArtifactMetadataItem>::from_response::<
                                crate::models::ApiError,
                            >(response)
                            .await?,
                        )
                    }
                },
                path_of::<ArtifactMetadataItem>,
            )
            .await?
            .into_inner();
        let mut hasher = lock(&hasher).clone();
        hasher.update(item.created_by.as_bytes());
        verify(&item, &hex::encode(hasher.finalize()))?;
        Ok(item)
    }

    /// Streams the bytes of an artifact into `writer`; returns their running
    /// hash (the creator still to be appended) and the metadata header.
    async fn download_into<W>(
        &self,
        artifact_id: &str,
        writer: &mut W,
    ) -> Result<(Sha256, Option<ArtifactMetadataItem>)>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        validate::name("artifact_id", artifact_id)?;
        let response = self
            .call_raw(
                Retry::Safe,
                |api| async move { api.load_artifact().artifact_id(artifact_id).send().await },
                path_of::<serde::de::IgnoredAny>,
            )
            .await?;
        let header = response.headers().get(METADATA_HEADER).and_then(|v| {
            // Starlette encodes header values as Latin-1, not UTF-8.
            let text: String = v.as_bytes().iter().map(|&b| char::from(b)).collect();
            serde_json::from_str::<ArtifactMetadataItem>(&text).ok()
        });
        let mut body = response.into_inner().into_inner();
        let mut hasher = Sha256::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            hasher.update(&chunk);
            writer.write_all(&chunk).await?;
        }
        writer.flush().await?;
        Ok((hasher, header))
    }

    async fn artifact_metadata(&self, artifact_id: &str) -> Result<ArtifactMetadataItem> {
        self.list_artifacts(Some(Filter::eq("id", artifact_id)))
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

fn lock(hasher: &Mutex<Sha256>) -> std::sync::MutexGuard<'_, Sha256> {
    hasher.lock().unwrap_or_else(|e| e.into_inner())
}

fn reader_stream(
    reader: impl AsyncRead + Send + Sync + 'static,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + Sync {
    tokio_util::io::ReaderStream::with_capacity(reader, UPLOAD_CHUNK)
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tupli-partial-{}", std::process::id()));
    path.with_file_name(name)
}

/// The server's artifact hash: hex `sha256(bytes ++ utf8(creator))`.
pub fn artifact_hash(bytes: &[u8], created_by: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(bytes);
    hasher.update(created_by.as_bytes());
    hex::encode(hasher.finalize())
}

fn verify(item: &ArtifactMetadataItem, actual: &str) -> Result<()> {
    if actual.eq_ignore_ascii_case(&item.hash) {
        Ok(())
    } else {
        Err(Error::Integrity {
            artifact_id: item.id.clone(),
            expected: item.hash.clone(),
            actual: actual.to_string(),
        })
    }
}
