//! Where things are in the folder, which files are ours, and reading them.
//!
//! ```text
//! <dir>/benchmarks/<id>.json
//! <dir>/artifacts/<id>                 the bytes
//! <dir>/artifacts/<id>.metadata.json   their metadata
//! <dir>/episodes/<id>.json
//! ```
//!
//! An id is what pytupli makes: `uuid4().hex`, 32 lowercase hex digits.
//! Anything else in the folders — other names, hidden files such as the
//! atomic writer's temporary files, folders — is not ours and is passed over
//! without a word.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};

/// The three kinds of objects a folder holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Benchmark,
    Artifact,
    Episode,
}

impl Kind {
    /// The sub-folder.
    pub(super) fn folder(self) -> &'static str {
        match self {
            Kind::Benchmark => "benchmarks",
            Kind::Artifact => "artifacts",
            Kind::Episode => "episodes",
        }
    }

    /// The ending of the JSON file of an object of this kind.
    pub(super) fn suffix(self) -> &'static str {
        match self {
            Kind::Artifact => ".metadata.json",
            Kind::Benchmark | Kind::Episode => ".json",
        }
    }

    /// The argument that names an object of this kind, in messages.
    pub(super) fn argument(self) -> &'static str {
        match self {
            Kind::Benchmark => "benchmark_id",
            Kind::Artifact => "artifact_id",
            Kind::Episode => "episode_id",
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Benchmark => "benchmark",
            Kind::Artifact => "artifact",
            Kind::Episode => "episode",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether `text` is an id as pytupli makes them (`uuid4().hex`).
pub(super) fn is_id(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The JSON file of object `id` of `kind` under `root`.
pub(super) fn json_path(root: &Path, kind: Kind, id: &str) -> PathBuf {
    root.join(kind.folder())
        .join(format!("{id}{}", kind.suffix()))
}

/// The bytes of artifact `id`.
pub(super) fn artifact_data_path(root: &Path, id: &str) -> PathBuf {
    root.join(Kind::Artifact.folder()).join(id)
}

/// The ids of the objects of `kind` with a JSON file, in id order; none when
/// the sub-folder does not exist yet.
pub(super) fn ids(root: &Path, kind: Kind) -> Result<Vec<String>> {
    let dir = root.join(kind.folder());
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(&dir, e)),
    };
    let mut ids = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error(&dir, e))?;
        let name = entry.file_name();
        let Some(id) = name.to_str().and_then(|n| n.strip_suffix(kind.suffix())) else {
            continue;
        };
        if is_id(id) {
            ids.push(id.to_string());
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// An I/O error that names the file.
pub(super) fn io_error(path: &Path, error: io::Error) -> Error {
    Error::Io {
        source: io::Error::new(error.kind(), format!("{}: {error}", path.display())),
    }
}

/// A file of ours that cannot be read as what it should be.
pub(super) fn corrupt(path: &Path, kind: Kind, why: impl fmt::Display) -> Error {
    Error::Io {
        source: io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a valid {kind} file: {why}", path.display()),
        ),
    }
}

/// Reads the file at `path`; `None` when there is none.
pub(super) fn read(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path, e)),
    }
}

/// A JSON file of ours, read whole: its document and the model it must
/// also be (`T`), checked to carry the id its name says.
pub(super) struct Record<T> {
    pub(super) document: Value,
    pub(super) model: T,
}

/// Reads and checks the JSON file of object `id`; `Ok(None)` when there is
/// none, an error naming the file when it is not what it should be.
pub(super) fn read_record<T: DeserializeOwned>(
    root: &Path,
    kind: Kind,
    id: &str,
) -> Result<Option<Record<T>>> {
    let path = json_path(root, kind, id);
    let Some(bytes) = read(&path)? else {
        return Ok(None);
    };
    parse_record(&path, kind, id, &bytes).map(Some)
}

/// Checks the bytes of the JSON file of object `id`.
pub(super) fn parse_record<T: DeserializeOwned>(
    path: &Path,
    kind: Kind,
    id: &str,
    bytes: &[u8],
) -> Result<Record<T>> {
    let document: Value = serde_json::from_slice(bytes).map_err(|e| corrupt(path, kind, e))?;
    let model = T::deserialize(&document).map_err(|e| corrupt(path, kind, e))?;
    match document.get("id").and_then(Value::as_str) {
        Some(inner) if inner == id => Ok(Record { document, model }),
        Some(inner) => Err(corrupt(
            path,
            kind,
            format!("it holds the {kind} {inner:?}, not the one its name says"),
        )),
        None => Err(corrupt(path, kind, "it has no id")),
    }
}

/// Reads every object of `kind`: each one's record, in id order. Files that
/// are not valid are skipped with a warning naming them; a file removed
/// meanwhile is skipped silently.
pub(super) fn read_all<T: DeserializeOwned>(
    root: &Path,
    kind: Kind,
) -> Result<impl Iterator<Item = Record<T>>> {
    let root = root.to_path_buf();
    Ok(ids(&root, kind)?
        .into_iter()
        .filter_map(move |id| match read_record(&root, kind, &id) {
            Ok(record) => record,
            Err(e) => {
                warn_skipped(kind, &e);
                None
            }
        }))
}

/// Says that a file was skipped, and why.
pub(super) fn warn_skipped(kind: Kind, error: &Error) {
    tracing::warn!(%error, "skipping a file that is not a valid {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid4_hex() {
        assert!(is_id("0123456789abcdef0123456789abcdef"));
        for bad in [
            "",
            "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcde",
            "../3456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdeg",
        ] {
            assert!(!is_id(bad), "{bad}");
        }
    }
}
