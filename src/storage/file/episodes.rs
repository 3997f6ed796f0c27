//! Episodes: recorded into one file each (their benchmark must be in the
//! folder), streamed back one file at a time.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use serde_json::Value;

use super::layout::{self, Kind};
use super::matcher::{self, Scope};
use super::{blocking, json, FileStorage, CREATED_BY};
use crate::atomic_file::AtomicFile;
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::models::{Benchmark, Episode, EpisodeHeader, EpisodeItem};
use crate::storage::EpisodeStorage;
use crate::streams::EpisodeJsonStream;
use crate::validate;

#[async_trait]
impl EpisodeStorage for FileStorage {
    async fn record_episode(&self, episode: &Episode) -> Result<EpisodeHeader> {
        // (pytupli, like the server, reads the last tuple, and fails on none.)
        validate::episode(episode)?;
        self.check_benchmark(&episode.benchmark_id).await?;

        let stamp = json::Stamp::new();
        let record = json::EpisodeRecord::new(&stamp, episode);
        let bytes = json::to_vec(&record).map_err(|e| Error::invalid("episode", e.to_string()))?;
        let header = EpisodeHeader {
            benchmark_id: episode.benchmark_id.clone(),
            created_at: stamp.created_at.clone(),
            created_by: CREATED_BY.into(),
            id: stamp.id.clone(),
            metadata: episode.metadata.clone(),
            n_tuples: i64::try_from(episode.tuples.len()).unwrap_or(i64::MAX),
            published_in: vec![CREATED_BY.into()],
            terminated: episode.tuples.last().is_some_and(|t| t.terminal),
            timeout: episode.tuples.last().is_some_and(|t| t.timeout),
        };
        let path = layout::json_path(&self.inner.root, Kind::Episode, &stamp.id);
        blocking(move || {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| layout::io_error(dir, e))?;
            }
            let mut file = AtomicFile::create(&path).map_err(|e| layout::io_error(&path, e))?;
            std::io::Write::write_all(&mut file, &bytes)
                .and_then(|()| file.commit())
                .map_err(|e| layout::io_error(&path, e))
        })
        .await?;
        Ok(header)
    }

    async fn stream_episode_json(
        &self,
        filter: &Filter,
        include_tuples: bool,
    ) -> Result<EpisodeJsonStream> {
        matcher::check(filter, Scope::Document)?;
        let root = self.root();
        let ids = {
            let root = root.clone();
            blocking(move || layout::ids(&root, Kind::Episode)).await?
        };
        let filter = Arc::new(filter.clone());
        if matcher::indexes_from_end(&filter) {
            // The server answers nothing at all when one document has an
            // array too short for the index: look at every one first.
            let (root, filter, ids) = (root.clone(), Arc::clone(&filter), ids.clone());
            let stop = blocking(move || {
                for id in &ids {
                    if let Step::Stop = read_episode(&root, id, &filter, include_tuples)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            });
            if stop.await? {
                return Ok(EpisodeJsonStream::new(futures::stream::empty()));
            }
        }
        let state = Walk {
            root,
            filter,
            include_tuples,
            ids: VecDeque::from(ids),
        };
        let stream = futures::stream::try_unfold(state, |mut walk| async move {
            while let Some(id) = walk.ids.pop_front() {
                let root = walk.root.clone();
                let filter = Arc::clone(&walk.filter);
                let include_tuples = walk.include_tuples;
                let read = blocking(move || read_episode(&root, &id, &filter, include_tuples));
                match read.await? {
                    Step::Yield(bytes) => return Ok(Some((bytes, walk))),
                    Step::Skip => {}
                    Step::Stop => return Ok(None),
                }
            }
            Ok(None)
        });
        Ok(EpisodeJsonStream::new(stream))
    }

    async fn delete_episode(&self, id: &str) -> Result<()> {
        self.remove_json(Kind::Episode, id).await
    }

    async fn publish_episode(&self, episode_id: &str, publish_in: &str) -> Result<()> {
        self.publish(Kind::Episode, episode_id, "publish_in", publish_in)
            .await
    }

    async fn unpublish_episode(&self, episode_id: &str, unpublish_from: &str) -> Result<()> {
        self.publish(Kind::Episode, episode_id, "unpublish_from", unpublish_from)
            .await
    }
}

impl FileStorage {
    /// An episode's benchmark must be in the folder.
    async fn check_benchmark(&self, id: &str) -> Result<()> {
        if !layout::is_id(id) {
            return Err(self.not_found(Kind::Benchmark, id));
        }
        let root = self.root();
        let owned = id.to_string();
        match blocking(move || layout::read_record::<Benchmark>(&root, Kind::Benchmark, &owned))
            .await?
        {
            Some(_) => Ok(()),
            None => Err(self.not_found(Kind::Benchmark, id)),
        }
    }
}

/// Where a stream of episodes is: the files still to read.
struct Walk {
    root: PathBuf,
    filter: Arc<Filter>,
    include_tuples: bool,
    ids: VecDeque<String>,
}

/// What to do with one episode file.
enum Step {
    /// Its JSON (the file as it is with tuples, the header alone without).
    Yield(Bytes),
    /// It does not match, it is gone, or it is not valid (with a warning
    /// naming it).
    Skip,
    /// The filter indexes before the start of one of its arrays, which ends
    /// a listing on the server.
    Stop,
}

/// Reads episode `id` and applies `filter`.
fn read_episode(
    root: &std::path::Path,
    id: &str,
    filter: &Filter,
    include_tuples: bool,
) -> Result<Step> {
    let path = layout::json_path(root, Kind::Episode, id);
    let bytes = match layout::read(&path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(Step::Skip),
        Err(e) => {
            layout::warn_skipped(Kind::Episode, &e);
            return Ok(Step::Skip);
        }
    };
    let checked = if include_tuples {
        layout::parse_record::<EpisodeItem>(&path, Kind::Episode, id, &bytes).map(|r| r.document)
    } else {
        layout::parse_record::<EpisodeHeader>(&path, Kind::Episode, id, &bytes).map(|r| r.document)
    };
    let mut document = match checked {
        Ok(document) => document,
        Err(e) => {
            layout::warn_skipped(Kind::Episode, &e);
            return Ok(Step::Skip);
        }
    };
    match matcher::matches(filter, &document) {
        Ok(true) => {}
        Ok(false) => return Ok(Step::Skip),
        Err(matcher::PastStart) => return Ok(Step::Stop),
    }
    if include_tuples {
        return Ok(Step::Yield(Bytes::from(bytes)));
    }
    if let Value::Object(map) = &mut document {
        map.remove("tuples");
    }
    let header =
        serde_json::to_vec(&document).map_err(|e| layout::corrupt(&path, Kind::Episode, e))?;
    Ok(Step::Yield(Bytes::from(header)))
}
