//! Artifacts: the bytes streamed to a temporary file while they are hashed,
//! kept (or dropped, when the same bytes are there) under the artifacts
//! lock; loads and downloads streamed and checked against the stored hash.

use std::io;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::layout::{self, Kind};
use super::matcher::Scope;
use super::{blocking, json, write_json, FileStorage, CREATED_BY};
use crate::atomic_file::AtomicFile;
use crate::error::{Error, Result};
use crate::file_writer::FileWriter;
use crate::filter::Filter;
use crate::models::{ArtifactMetadata, ArtifactMetadataItem};
use crate::storage::{ArtifactHash, ArtifactStorage};
use crate::transfer::{Progress, Transfer};
use crate::validate;

/// Read size when streaming bytes.
const CHUNK: usize = 256 * 1024;

/// Copies `source` into `file` (written on a thread of its own), hashing
/// the bytes and counting them in `progress` on the way; answers the file,
/// written, and the bytes' running SHA-256. Write errors name `target`.
async fn copy_hashing<R>(
    mut source: R,
    file: std::fs::File,
    target: &Path,
    progress: &dyn Progress,
) -> Result<(std::fs::File, Sha256)>
where
    R: AsyncRead + Unpin,
{
    let mut writer = FileWriter::start(file).map_err(|e| layout::io_error(target, e))?;
    let mut hasher = Sha256::new();
    loop {
        // A buffer per chunk: the writing thread owns it until written.
        let mut buffer = BytesMut::with_capacity(CHUNK);
        let n = source.read_buf(&mut buffer).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer);
        writer
            .write(buffer.freeze())
            .await
            .map_err(|e| naming(target, e))?;
        progress.advance(n as u64);
    }
    let file = writer.finish().await.map_err(|e| naming(target, e))?;
    Ok((file, hasher))
}

/// An error writing `path`: an I/O error names it, any other is kept.
fn naming(path: &Path, error: Error) -> Error {
    match error {
        Error::Io { source } => layout::io_error(path, source),
        other => other,
    }
}

impl FileStorage {
    /// Streams `length` bytes from `reader` into a new artifact, hashing them
    /// on the way; the same bytes stored before answer the stored record.
    async fn store_artifact_from<R>(
        &self,
        reader: R,
        length: u64,
        metadata: &ArtifactMetadata,
        progress: Arc<dyn Progress>,
    ) -> Result<ArtifactMetadataItem>
    where
        R: AsyncRead + Unpin + Send,
    {
        validate::name("metadata.name", &metadata.name)?;
        let root = self.root();
        let dir = root.join(Kind::Artifact.folder());
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| layout::io_error(&dir, e))?;
        let stamp = json::Stamp::new();
        let target = layout::artifact_data_path(&root, &stamp.id);
        let mut partial = AtomicFile::create(&target).map_err(|e| layout::io_error(&target, e))?;
        progress.start(Some(length));
        let (file, hash) =
            copy_hashing(reader, partial.take_file()?, &target, progress.as_ref()).await?;
        progress.sent();
        let hash = self.artifact_hash().finish(hash, CREATED_BY);

        let _writing = self.inner.artifacts.lock().await;
        let metadata = metadata.clone();
        blocking(move || {
            for record in layout::read_all::<ArtifactMetadataItem>(&root, Kind::Artifact)? {
                if record.model.hash.eq_ignore_ascii_case(&hash) {
                    // Dropping `partial` removes the bytes just written.
                    return Ok(record.model);
                }
            }
            partial
                .commit_with(file)
                .map_err(|e| layout::io_error(&target, e))?;
            let record = json::ArtifactRecord::new(&stamp, &metadata, &hash);
            let path = layout::json_path(&root, Kind::Artifact, &stamp.id);
            if let Err(e) = write_json(&path, &record) {
                // Without its metadata the file would only be in the way.
                let _ = std::fs::remove_file(&target);
                return Err(e);
            }
            Ok(ArtifactMetadataItem {
                benchmark_id: metadata.benchmark_id,
                created_at: stamp.created_at,
                created_by: CREATED_BY.into(),
                description: metadata.description,
                encoding: "utf-8".into(),
                extra: metadata.extra,
                hash,
                id: stamp.id,
                name: metadata.name,
                published_in: vec![CREATED_BY.into()],
            })
        })
        .await
    }

    /// The metadata of artifact `id`.
    async fn artifact_item(&self, id: &str) -> Result<ArtifactMetadataItem> {
        self.check_id(Kind::Artifact, id)?;
        let root = self.root();
        let owned = id.to_string();
        blocking(move || layout::read_record::<ArtifactMetadataItem>(&root, Kind::Artifact, &owned))
            .await?
            .map(|record| record.model)
            .ok_or_else(|| self.not_found(Kind::Artifact, id))
    }

    /// Opens the bytes of artifact `id`.
    async fn open_artifact(&self, id: &str) -> Result<(tokio::fs::File, u64)> {
        let path = layout::artifact_data_path(&self.inner.root, id);
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(self.not_found(Kind::Artifact, id))
            }
            Err(e) => return Err(layout::io_error(&path, e)),
        };
        let length = file
            .metadata()
            .await
            .map_err(|e| layout::io_error(&path, e))?
            .len();
        Ok((file, length))
    }

    async fn read_artifact(&self, id: &str) -> Result<Bytes> {
        let item = self.artifact_item(id).await?;
        let (mut file, length) = self.open_artifact(id).await?;
        let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
        file.read_to_end(&mut bytes)
            .await
            .map_err(|e| layout::io_error(&layout::artifact_data_path(&self.inner.root, id), e))?;
        self.artifact_hash()
            .verify(&item, Sha256::new().chain_update(&bytes))?;
        Ok(Bytes::from(bytes))
    }

    /// Copies artifact `id` to a temporary file beside `path`, renamed to
    /// `path` once its hash is checked.
    async fn download_artifact(
        &self,
        id: &str,
        path: &Path,
        progress: Arc<dyn Progress>,
    ) -> Result<ArtifactMetadataItem> {
        let item = self.artifact_item(id).await?;
        let (source, length) = self.open_artifact(id).await?;
        let mut partial = AtomicFile::create(path).map_err(|e| layout::io_error(path, e))?;
        progress.start(Some(length));
        let (file, hash) =
            copy_hashing(source, partial.take_file()?, path, progress.as_ref()).await?;
        self.artifact_hash().verify(&item, hash)?;
        // Dropped while the file is flushed, the download never appears.
        partial
            .commit_async(file)
            .await
            .map_err(|e| naming(path, e))?;
        Ok(item)
    }

    /// Removes the metadata (so listings no longer show it), then the bytes;
    /// either one alone (left by a crash) is removed too.
    async fn remove_artifact(&self, id: &str) -> Result<()> {
        self.check_id(Kind::Artifact, id)?;
        let _writing = self.inner.artifacts.lock().await;
        let mut removed = false;
        for path in [
            layout::json_path(&self.inner.root, Kind::Artifact, id),
            layout::artifact_data_path(&self.inner.root, id),
        ] {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => removed = true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(layout::io_error(&path, e)),
            }
        }
        if removed {
            Ok(())
        } else {
            Err(self.not_found(Kind::Artifact, id))
        }
    }
}

/// Hashes are pytupli's `FileStorage` rule, `sha256(bytes)`; loads and
/// downloads are checked against them.
#[async_trait]
impl ArtifactStorage for FileStorage {
    fn artifact_hash(&self) -> ArtifactHash {
        ArtifactHash::Content
    }

    fn store_artifact<'a>(
        &'a self,
        data: Bytes,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        Transfer::new(move |progress| async move {
            let length = data.len() as u64;
            self.store_artifact_from(io::Cursor::new(data), length, metadata, progress)
                .await
        })
    }

    fn store_artifact_from_path<'a>(
        &'a self,
        path: &'a Path,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        Transfer::new(move |progress| async move {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| layout::io_error(path, e))?;
            let length = file
                .metadata()
                .await
                .map_err(|e| layout::io_error(path, e))?
                .len();
            self.store_artifact_from(file, length, metadata, progress)
                .await
        })
    }

    async fn load_artifact(&self, artifact_id: &str) -> Result<Bytes> {
        self.read_artifact(artifact_id).await
    }

    fn download_artifact_to_path<'a>(
        &'a self,
        artifact_id: &'a str,
        path: &'a Path,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        Transfer::new(move |progress| async move {
            self.download_artifact(artifact_id, path, progress).await
        })
    }

    async fn list_artifacts(&self, filter: &Filter) -> Result<Vec<ArtifactMetadataItem>> {
        self.list_matching(filter, Scope::Metadata, Kind::Artifact)
            .await
    }

    async fn delete_artifact(&self, artifact_id: &str) -> Result<()> {
        self.remove_artifact(artifact_id).await
    }

    async fn publish_artifact(&self, artifact_id: &str, publish_in: &str) -> Result<()> {
        self.publish(Kind::Artifact, artifact_id, "publish_in", publish_in)
            .await
    }

    async fn unpublish_artifact(&self, artifact_id: &str, unpublish_from: &str) -> Result<()> {
        self.publish(
            Kind::Artifact,
            artifact_id,
            "unpublish_from",
            unpublish_from,
        )
        .await
    }
}
