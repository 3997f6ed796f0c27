//! Artifacts: `store-artifact`, `load-artifact` (to a file or standard
//! output, verified), `list-artifacts`, `delete-artifact`,
//! `publish-artifact`, `unpublish-artifact`.

use std::path::Path;

use tupli::models::ArtifactMetadata;

use super::Target;
use crate::args::ArtifactCommand;
use crate::binary_output;
use crate::error::CliError;
use crate::interrupt::until_interrupted;
use crate::output;
use crate::progress::Indicator;

pub(crate) async fn run(target: Target<'_>, command: ArtifactCommand) -> Result<(), CliError> {
    let c = target.storage;
    match command {
        ArtifactCommand::StoreArtifact {
            file,
            name,
            description,
            benchmark_id,
            extra,
        } => {
            // A file that cannot be read is a usage error; nothing is sent.
            std::fs::metadata(&file)
                .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
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
            let progress = Indicator::upload(&file);
            let item = c
                .store_artifact_from_path(&file, &metadata)
                .progress(progress.clone())
                .await
                .map_err(|e| about_file(e, "read", &file))?;
            progress.clear();
            output::one(&item)
        }
        ArtifactCommand::LoadArtifact {
            id,
            output: Some(path),
        } if path.as_os_str() != "-" => {
            // Written beside `path` and renamed into place once verified; on
            // Ctrl-C the download is dropped, which removes the temporary file.
            let progress = Indicator::download(&id);
            let download = c
                .download_artifact_to_path(&id, &path)
                .progress(progress.clone());
            until_interrupted(
                async { download.await.map_err(|e| about_file(e, "write", &path)) },
                || format!("interrupted: nothing was written to {}", path.display()),
            )
            .await?;
            progress.clear();
            if !output::machine() {
                let written = std::fs::metadata(&path)
                    .map_err(|e| CliError::Local(format!("cannot read {}: {e}", path.display())))?
                    .len();
                output::note(&format!(
                    "Wrote {} to {} (hash verified).",
                    output::bytes(written),
                    path.display()
                ));
            }
            Ok(())
        }
        // Standard output: refused for binary data on a terminal, unless
        // `-o -` says so.
        ArtifactCommand::LoadArtifact { id, output } => {
            // Held until verified: nothing untrusted reaches standard output.
            let bytes = match target.client {
                Some(client) => {
                    let progress = Indicator::download(&id);
                    let mut bytes = Vec::new();
                    let download = client
                        .download_artifact_to(&id, &mut bytes)
                        .progress(progress.clone());
                    until_interrupted(async { Ok(download.await?) }, || {
                        "interrupted: nothing was written".into()
                    })
                    .await?;
                    progress.clear();
                    bytes::Bytes::from(bytes)
                }
                // A folder's bytes are checked as they are read.
                None => c.load_artifact(&id).await?,
            };
            binary_output::check_stdout(&bytes, output.is_some())?;
            output::emit_bytes(&bytes)
        }
        ArtifactCommand::ListArtifacts { filter } => {
            output::list(&c.list_artifacts(&filter.combined()).await?, "artifacts")
        }
        ArtifactCommand::DeleteArtifact { id, .. } => {
            c.delete_artifact(&id).await?;
            output::say(&format!("Deleted artifact {id}."))
        }
        ArtifactCommand::PublishArtifact { id, group } => {
            c.publish_artifact(&id, &group.group).await?;
            target.published("artifact", &id, "Published", "in", &group.group)
        }
        ArtifactCommand::UnpublishArtifact { id, group } => {
            c.unpublish_artifact(&id, &group.group).await?;
            target.published("artifact", &id, "Withdrew", "from", &group.group)
        }
    }
}

/// The client's I/O errors in a file transfer are about `path` (reading
/// it for an upload, writing it for a download): say so.
fn about_file(e: tupli::Error, verb: &str, path: &Path) -> CliError {
    match e {
        tupli::Error::Io { source } => {
            CliError::Local(format!("cannot {verb} {}: {source}", path.display()))
        }
        e => CliError::Api(e),
    }
}
