//! Artifacts: files with metadata, integrity-checked on download.

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{HeaderValue, ACCEPT};
use reqwest::multipart::{Form, Part};
use sha2::{Digest, Sha256};

use crate::client::{GenError, TupliApiClient};
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::generated;
use crate::models::{ArtifactMetadata, ArtifactMetadataItem};
use crate::validate;

/// Header in which the server sends an artifact's metadata with its bytes.
const METADATA_HEADER: &str = "x-metadata";

impl TupliApiClient {
    /// Uploads a file with its metadata. Uploading bytes the same user already
    /// uploaded answers the existing record.
    pub async fn store_artifact(
        &self,
        data: impl Into<Bytes>,
        metadata: ArtifactMetadata,
    ) -> Result<ArtifactMetadataItem> {
        validate::name("metadata.name", &metadata.name)?;
        let data = data.into();
        let metadata = serde_json::to_string(&metadata)
            .map_err(|e| Error::invalid("metadata", e.to_string()))?;
        self.call(|api| upload(api, data.clone(), metadata.clone()))
            .await
    }

    /// Downloads an artifact and verifies it against the hash the server
    /// recorded (`sha256(bytes ++ creator)`); a mismatch is [`Error::Integrity`].
    ///
    /// The metadata comes with the download (its `X-Metadata` header); when
    /// that is missing it is looked up by id.
    pub async fn load_artifact(&self, artifact_id: &str) -> Result<Bytes> {
        let (bytes, header) = self.download(artifact_id).await?;
        let item = match header {
            Some(item) if item.id == artifact_id => item,
            _ => self.artifact_metadata(artifact_id).await?,
        };
        verify(&item, &bytes)?;
        Ok(bytes)
    }

    /// [`Self::load_artifact`] with metadata the caller already has (from
    /// `list_artifacts` or `store_artifact`), checked against that.
    pub async fn load_artifact_with(&self, item: &ArtifactMetadataItem) -> Result<Bytes> {
        let (bytes, _) = self.download(&item.id).await?;
        verify(item, &bytes)?;
        Ok(bytes)
    }

    /// Metadata of the artifacts matching `filter` (`None`: all visible ones).
    /// Keys are relative to the metadata: `name`, `extra.source`, ….
    pub async fn list_artifacts(
        &self,
        filter: Option<Filter>,
    ) -> Result<Vec<ArtifactMetadataItem>> {
        let filter = validate::filter(filter)?;
        self.call(|api| {
            let filter = filter.clone();
            async move { api.list_artifacts().body(filter).send().await }
        })
        .await
    }

    /// Deletes an artifact.
    pub async fn delete_artifact(&self, artifact_id: &str) -> Result<()> {
        validate::name("artifact_id", artifact_id)?;
        self.call(|api| async move { api.delete_artifact().artifact_id(artifact_id).send().await })
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
        self.call(|api| async move {
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
        self.call(|api| async move {
            api.unpublish_artifact()
                .artifact_id(artifact_id)
                .unpublish_from(unpublish_from)
                .send()
                .await
        })
        .await
    }

    async fn download(&self, artifact_id: &str) -> Result<(Bytes, Option<ArtifactMetadataItem>)> {
        validate::name("artifact_id", artifact_id)?;
        let stream = self
            .call_raw(
                |api| async move { api.load_artifact().artifact_id(artifact_id).send().await },
                |_| ".".into(),
            )
            .await?;
        let header = stream.headers().get(METADATA_HEADER).and_then(|v| {
            // Starlette encodes header values as Latin-1, not UTF-8.
            let text: String = v.as_bytes().iter().map(|&b| char::from(b)).collect();
            serde_json::from_str::<ArtifactMetadataItem>(&text).ok()
        });
        let mut response = stream.into_inner().into_inner();
        let mut bytes = bytes::BytesMut::new();
        while let Some(chunk) = futures::StreamExt::next(&mut response).await {
            bytes.extend_from_slice(&chunk?);
        }
        Ok((bytes.freeze(), header))
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

/// The server's artifact hash: hex `sha256(bytes ++ utf8(creator))`.
pub fn artifact_hash(bytes: &[u8], created_by: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(bytes);
    hasher.update(created_by.as_bytes());
    hex::encode(hasher.finalize())
}

fn verify(item: &ArtifactMetadataItem, bytes: &[u8]) -> Result<()> {
    let actual = artifact_hash(bytes, &item.created_by);
    if actual.eq_ignore_ascii_case(&item.hash) {
        Ok(())
    } else {
        Err(Error::Integrity {
            artifact_id: item.id.clone(),
            expected: item.hash.clone(),
            actual,
        })
    }
}

/// One multipart upload (hand-written: progenitor cannot generate multipart).
/// Shaped like a generated operation so the facade's auth/retry path serves it.
async fn upload(
    api: generated::Client,
    data: Bytes,
    metadata: String,
) -> std::result::Result<ResponseValue<ArtifactMetadataItem>, GenError> {
    let form = Form::new()
        .part("data", Part::stream(data).file_name("data"))
        .text("metadata", metadata);
    let mut request = api
        .client
        .post(format!("{}/artifacts/upload", api.baseurl))
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header("api-version", generated::Client::api_version())
        .multipart(form)
        .build()?;
    let info = OperationInfo {
        operation_id: "store_artifact",
    };
    api.pre(&mut request, &info).await?;
    let response = api.exec(request, &info).await?;
    match response.status().as_u16() {
        200 => ResponseValue::from_response(response).await,
        400..=599 => Err(progenitor_client::Error::ErrorResponse(
            ResponseValue::from_response(response).await?,
        )),
        _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
    }
}
