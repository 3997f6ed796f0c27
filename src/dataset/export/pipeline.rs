//! The reading side of an export: the selected episodes read in batches of
//! whole episodes and handed to the format's writer, the rows checked against
//! what the headers announced, the file committed.
//!
//! It takes the [`Selection`] it writes as an argument, and knows nothing of
//! the [`Dataset`](crate::dataset::Dataset) it came from.

use std::path::Path;

use super::writer::{spawn_writer, EpisodeIndex, ExportFloat, Message, Plan};
use super::{ExportProgress, ExportSummary, Format};
use crate::atomic_file::AtomicFile;
use crate::dataset::columns::{ColumnsBuilder, Layout};
use crate::dataset::Selection;
use crate::error::{Error, Result};

/// Writes the episodes of `selection` to a file in `format` at `path`, with
/// floats as `T`, telling `progress` as they are read.
pub(super) async fn write<T: ExportFloat>(
    mut selection: Selection,
    format: Format,
    progress: &dyn ExportProgress,
    path: &Path,
) -> Result<ExportSummary> {
    if selection.headers.is_empty() {
        return Err(Error::EmptySelection);
    }
    let announced = selection.announced_rows();
    progress.start(selection.headers.len(), announced);
    // With a tuple filter, how many rows there will be is not known.
    let expected = (!selection.filtered).then_some(announced);
    let episodes =
        serde_json::to_string(&selection.headers).map_err(|e| Error::export(format.name(), e))?;
    let mut target = AtomicFile::create(path)?;
    let plan = Plan {
        rows: expected,
        episodes,
    };
    let (batches, writer) = spawn_writer::<T>(format, target.take_file()?, plan)?;
    let batch_bytes = format.batch_bytes();

    let read = async {
        let mut builder = ColumnsBuilder::<T>::new(Layout::D4rl, 0);
        let mut index = EpisodeIndex::default();
        while let Some((episode, bytes)) = selection.next().await? {
            progress.episode(episode.rows.len(), bytes);
            builder.push(&episode)?;
            if builder.approx_bytes() >= batch_bytes {
                let next = builder.next_batch();
                let batch = std::mem::replace(&mut builder, next).finish();
                index.add(&batch);
                // Checked before the writer sees the rows: the `.npz`
                // layout holds only the rows announced.
                if let Some(expected) = expected.filter(|e| index.rows > *e) {
                    return Err(not_as_announced(expected, index.rows, "at least "));
                }
                if batches.send(Message::Batch(batch)).await.is_err() {
                    // The writer failed; its error is the one to report.
                    return Ok(None);
                }
            }
        }
        let batch = builder.finish();
        index.add(&batch);
        if index.rows == 0 {
            return Err(Error::EmptySelection);
        }
        if let Some(expected) = expected.filter(|e| *e != index.rows) {
            return Err(not_as_announced(expected, index.rows, ""));
        }
        let sent = batches.send(Message::Batch(batch)).await.is_ok()
            && batches.send(Message::Finish(index.clone())).await.is_ok();
        Ok(sent.then_some(index))
    }
    .await;
    drop(batches);
    let written = writer.join().await;
    // A reading error comes first; the writer then only saw the channel close.
    let index = read?;
    let file = written??;
    let Some(index) = index else {
        // The writer took no more batches, yet answered a file.
        return Err(Error::worker("tupli-export", false));
    };
    let bytes = file.metadata()?.len();
    target.commit_async(file).await?;
    Ok(ExportSummary {
        path: path.to_path_buf(),
        bytes,
        episodes: index.episodes.len(),
        tuples: index.rows,
        obs_dim: index.obs_dim,
        act_dim: index.act_dim,
    })
}

/// The episodes held `held` tuples where their headers announced `expected`.
fn not_as_announced(expected: usize, held: usize, at_least: &str) -> Error {
    Error::Decode {
        path: ".".into(),
        message: format!(
            "the episode headers announced {expected} tuples but the episodes held \
             {at_least}{held} (did they change during the export?)"
        ),
        excerpt: String::new(),
    }
}
