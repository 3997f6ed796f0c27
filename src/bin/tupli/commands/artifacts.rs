//! Artifacts: `store-artifact`, `load-artifact` (to a file or standard
//! output, verified), `list-artifacts`, `delete-artifact`,
//! `publish-artifact`, `unpublish-artifact`.

use std::path::Path;

use tupli::models::ArtifactMetadata;
use tupli::TupliApiClient;

use crate::args::ArtifactCommand;
use crate::error::CliError;
use crate::output;
use crate::progress::Progress;
use crate::transfer::{CountingWriter, FileReader};

pub(crate) async fn run(
    c: &TupliApiClient,
    command: ArtifactCommand,
    json: bool,
) -> Result<(), CliError> {
    match command {
        ArtifactCommand::StoreArtifact {
            file,
            name,
            description,
            benchmark_id,
            extra,
        } => {
            let length = std::fs::metadata(&file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?
                .len();
            let name = match name {
                Some(name) => name,
                None => file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| {
                        CliError::Usage(format!("{} has no file name: give --name", file.display()))
                    })?,
            };
            let metadata = ArtifactMetadata {
                name,
                description,
                benchmark_id,
                extra: extra.unwrap_or_default(),
            };
            let progress = Progress::bytes(format!("uploading {}", file.display()), Some(length));
            let item = c
                .store_artifact_from_reader(|| FileReader::new(&file, &progress), length, &metadata)
                .await?;
            progress.clear();
            output::one(&item, json)
        }
        ArtifactCommand::LoadArtifact { id, output: path } => {
            let progress = Progress::bytes(format!("downloading {id}"), None);
            match path {
                Some(path) => {
                    let written = download_to_file(c, &id, &path, &progress).await?;
                    progress.clear();
                    if !json {
                        eprintln!(
                            "Wrote {} to {} (hash verified).",
                            output::bytes(written),
                            path.display()
                        );
                    }
                    Ok(())
                }
                None => {
                    // Held until verified: nothing untrusted reaches standard output.
                    let mut writer = CountingWriter::new(Vec::new(), &progress);
                    c.download_artifact_to(&id, &mut writer).await?;
                    progress.clear();
                    output::emit_bytes(&writer.into_inner())
                }
            }
        }
        ArtifactCommand::ListArtifacts { filter } => output::list(
            &c.list_artifacts(&filter.combined()).await?,
            json,
            "artifacts",
        ),
        ArtifactCommand::DeleteArtifact { id } => {
            c.delete_artifact(&id).await?;
            output::say(json, &format!("Deleted artifact {id}."))
        }
        ArtifactCommand::PublishArtifact { id, group } => {
            c.publish_artifact(&id, &group.group).await?;
            output::say(
                json,
                &format!("Published artifact {id} in {}.", group.group),
            )
        }
        ArtifactCommand::UnpublishArtifact { id, group } => {
            c.unpublish_artifact(&id, &group.group).await?;
            output::say(
                json,
                &format!("Withdrew artifact {id} from {}.", group.group),
            )
        }
    }
}

/// Streams an artifact into a temporary file beside `path`, renamed into
/// place once the hash is verified; nothing is left behind on failure.
async fn download_to_file(
    client: &TupliApiClient,
    id: &str,
    path: &Path,
    progress: &Progress,
) -> Result<u64, CliError> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tupli-partial-{}", std::process::id()));
    let partial = path.with_file_name(name);
    let cannot_write =
        |e: std::io::Error| CliError::Local(format!("cannot write {}: {e}", path.display()));
    let result = async {
        let file = tokio::fs::File::create(&partial)
            .await
            .map_err(cannot_write)?;
        let mut writer = CountingWriter::new(file, progress);
        client.download_artifact_to(id, &mut writer).await?;
        let file = writer.into_inner();
        file.sync_all().await.map_err(cannot_write)?;
        let written = file.metadata().await.map_err(cannot_write)?.len();
        drop(file);
        tokio::fs::rename(&partial, path)
            .await
            .map_err(cannot_write)?;
        Ok(written)
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&partial).await;
    }
    result
}
