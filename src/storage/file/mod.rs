//! [`FileStorage`]: benchmarks, artifacts and episodes in a folder, laid out
//! and written as pytupli 1.2.9's `FileStorage` lays them out, so either can
//! read what the other wrote.

mod artifacts;
mod benchmarks;
mod episodes;
mod json;
mod layout;
mod matcher;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::TupliStorage;
use crate::atomic_file::AtomicFile;
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::validate;
use layout::Kind;
use matcher::Scope;

/// Who pytupli's `FileStorage` says created everything in a folder (also the
/// one group in `published_in`).
const CREATED_BY: &str = "local_storage";

/// A storage in a local folder, interchangeable with pytupli 1.2.9's
/// `FileStorage`: the same layout, file names and JSON fields, so a folder
/// written by one is read by the other.
///
/// ```text
/// <dir>/benchmarks/<id>.json
/// <dir>/artifacts/<id>                  the bytes, as stored
/// <dir>/artifacts/<id>.metadata.json
/// <dir>/episodes/<id>.json
/// ```
///
/// ```no_run
/// # async fn demo() -> tupli::Result<()> {
/// use tupli::storage::*;
/// use tupli::Filter;
///
/// let storage = FileStorage::create("runs/local")?;
/// for benchmark in storage.list_benchmarks(&Filter::eq("metadata.name", "cartpole")).await? {
///     println!("{} {}", benchmark.id, benchmark.created_at);
/// }
/// # Ok(()) }
/// ```
///
/// What it does, where pytupli's `FileStorage` and a server may differ:
///
/// - **Ids, times, creator**: ids are `uuid4().hex`, `created_at` is local
///   time as Python's `datetime.now().isoformat()` writes it, `created_by`
///   is `local_storage` and `published_in` is `["local_storage"]`.
/// - **Files** are written as pytupli writes them (`json.dumps(…,
///   indent=2)`: the same fields in the same order, ASCII escapes, floats
///   spelled as Python spells them), each to a temporary file beside it,
///   renamed into place once complete: a half-written file is never visible,
///   not even after a crash or when the future is dropped.
/// - **Benchmarks** are deduplicated by hash: storing one whose hash is
///   there answers the stored one's header (a server answers 409).
/// - **Artifacts** are streamed from and to disk; their hash is pytupli's
///   `FileStorage` rule, `sha256(bytes)` (a server's is `sha256(bytes ++
///   creator)`), and the same bytes stored twice answer the first record.
///   Loads and downloads check the bytes against it
///   ([`Error::Integrity`]).
/// - **Episodes** need their benchmark in the folder.
/// - **Filters** are evaluated here and answer what the reference server
///   answers, for every operator, `AND`/`OR`, dotted keys through objects
///   and arrays, and mixed types (see the [module docs](super) for where pytupli's own
///   local evaluation differs). Artifact keys are relative to the metadata,
///   as on a server. What a server would read as a MongoDB operator (a key
///   starting with `$`, an `EQ` value with `$` keys) is refused.
/// - **A missing id** is [`Error::NotFound`] for loading, deleting and
///   publishing (a server answers `200` for deleting a missing id).
/// - **Publishing** checks that the object exists and changes nothing: a
///   folder has no groups, whoever reads the folder reads everything.
/// - **Bad files**: listings skip what is not ours without a word (other
///   names, hidden and temporary files) and files of ours that do not parse
///   with a warning (`tracing`) naming them; loading such a file is an
///   [`Error::Io`] naming it.
/// - **Concurrency**: clones share one folder and are `Send + Sync`; within
///   one process, concurrent stores of the same benchmark hash or the same
///   artifact bytes make one file. Other processes writing the same folder
///   are not coordinated with.
#[derive(Clone)]
pub struct FileStorage {
    inner: Arc<Inner>,
}

struct Inner {
    root: PathBuf,
    /// Held from the check for an existing hash to the write of a new one.
    benchmarks: tokio::sync::Mutex<()>,
    /// The same for artifact hashes.
    artifacts: tokio::sync::Mutex<()>,
}

impl fmt::Debug for FileStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStorage")
            .field("root", &self.inner.root)
            .finish()
    }
}

impl FileStorage {
    /// Opens the storage in the existing folder `dir`; a missing folder is
    /// an [`Error::Io`] of kind `NotFound` ([`FileStorage::create`] makes it).
    /// Its sub-folders are made when first written to.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let root = dir.as_ref().to_path_buf();
        match std::fs::metadata(&root) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(Error::Io {
                    source: io::Error::new(
                        io::ErrorKind::NotADirectory,
                        format!("the storage {} is not a folder", root.display()),
                    ),
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Error::Io {
                    source: io::Error::new(
                        io::ErrorKind::NotFound,
                        format!(
                            "the storage folder {} does not exist (FileStorage::create makes it)",
                            root.display()
                        ),
                    ),
                })
            }
            Err(e) => return Err(layout::io_error(&root, e)),
        }
        Ok(FileStorage {
            inner: Arc::new(Inner {
                root,
                benchmarks: tokio::sync::Mutex::new(()),
                artifacts: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// Opens the storage in the folder `dir`, making it (and its parents)
    /// when missing.
    pub fn create(dir: impl AsRef<Path>) -> Result<Self> {
        let root = dir.as_ref();
        std::fs::create_dir_all(root).map_err(|e| layout::io_error(root, e))?;
        FileStorage::open(root)
    }

    /// Returns the folder.
    pub fn path(&self) -> &Path {
        &self.inner.root
    }

    fn root(&self) -> PathBuf {
        self.inner.root.clone()
    }

    fn not_found(&self, kind: Kind, id: &str) -> Error {
        Error::NotFound {
            kind: kind.name(),
            id: id.to_string(),
            storage: self.describe(),
        }
    }

    /// Checks an id argument: empty or control characters are invalid
    /// input; anything that is not an id of a folder does not exist.
    fn check_id(&self, kind: Kind, id: &str) -> Result<()> {
        validate::name(kind.argument(), id)?;
        if layout::is_id(id) {
            Ok(())
        } else {
            Err(self.not_found(kind, id))
        }
    }

    /// Checks that object `id` exists (for publishing, which changes nothing).
    async fn exists(&self, kind: Kind, id: &str) -> Result<()> {
        self.check_id(kind, id)?;
        let path = layout::json_path(&self.inner.root, kind, id);
        match tokio::fs::try_exists(&path).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(self.not_found(kind, id)),
            Err(e) => Err(layout::io_error(&path, e)),
        }
    }

    /// Publishing checks the group's name and that the object exists; it
    /// changes nothing (a folder has no groups).
    async fn publish(
        &self,
        kind: Kind,
        id: &str,
        group_argument: &'static str,
        group: &str,
    ) -> Result<()> {
        validate::name(group_argument, group)?;
        self.exists(kind, id).await
    }

    /// Removes the JSON file of object `id`; a missing one is not found.
    async fn remove_json(&self, kind: Kind, id: &str) -> Result<()> {
        self.check_id(kind, id)?;
        let path = layout::json_path(&self.inner.root, kind, id);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(self.not_found(kind, id)),
            Err(e) => Err(layout::io_error(&path, e)),
        }
    }

    /// The records of `kind` whose documents match `filter` (checked for
    /// `scope` first), as the server lists them.
    async fn list_matching<T>(&self, filter: &Filter, scope: Scope, kind: Kind) -> Result<Vec<T>>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        matcher::check(filter, scope)?;
        let root = self.root();
        let filter = filter.clone();
        blocking(move || {
            let mut found = Vec::new();
            for record in layout::read_all::<T>(&root, kind)? {
                match matcher::matches(&filter, &record.document) {
                    Ok(true) => found.push(record.model),
                    Ok(false) => {}
                    // As the server: nothing at all.
                    Err(matcher::PastStart) => return Ok(Vec::new()),
                }
            }
            Ok(found)
        })
        .await
    }
}

/// Writes `value` as pytupli does to a temporary file, renamed to `path`
/// once complete; makes the folder when missing.
fn write_json<T: serde::Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| layout::io_error(dir, e))?;
    }
    let mut file = AtomicFile::create(path).map_err(|e| layout::io_error(path, e))?;
    json::to_writer(io::BufWriter::new(&mut file), value).map_err(|e| Error::Io {
        source: io::Error::other(format!("{}: {e}", path.display())),
    })?;
    file.commit().map_err(|e| layout::io_error(path, e))
}

/// Runs blocking file work off the async threads. It runs to its end even
/// when the caller's future is dropped, so a write is finished or undone.
async fn blocking<T, F>(work: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::joined("tupli-file", &e))?
}

impl TupliStorage for FileStorage {
    /// The folder.
    fn describe(&self) -> String {
        self.inner.root.display().to_string()
    }
}
