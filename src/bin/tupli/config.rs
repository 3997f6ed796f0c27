//! The credentials file: the server URL and the login tokens, kept between runs.
//!
//! `$TUPLI_CONFIG_DIR/credentials.json`, else `<platform config dir>/tupli/credentials.json`,
//! as `{"url": …, "access_token": …, "refresh_token": …}`. The directory is
//! created 0700, the file 0600, and every write goes to a temporary file in
//! the same directory that is then renamed over the old one, so a reader sees
//! either the old or the new file, never half of one.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tupli::{ExposeSecret, Tokens};

/// Environment variable naming the directory of the credentials file.
pub(crate) const CONFIG_DIR_ENV: &str = "TUPLI_CONFIG_DIR";

/// Name of the credentials file in that directory.
pub(crate) const FILE_NAME: &str = "credentials.json";

/// What is stored between runs. `Debug` never shows the tokens.
#[derive(Clone, Default)]
pub(crate) struct Credentials {
    /// The server, as normalized by the client.
    pub(crate) url: Option<String>,
    /// The login tokens, when logged in.
    pub(crate) tokens: Option<Tokens>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("url", &self.url)
            .field("tokens", &self.tokens.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

/// The file's JSON. Deliberately without `Debug`.
#[derive(Serialize, Deserialize, Default)]
struct Wire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

/// Where the credentials file lives.
#[derive(Clone, Debug)]
pub(crate) struct Store {
    dir: PathBuf,
}

impl Store {
    /// `$TUPLI_CONFIG_DIR`, else the platform's config directory + `tupli/`.
    pub(crate) fn locate() -> io::Result<Store> {
        let dir = match std::env::var_os(CONFIG_DIR_ENV) {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => dirs::config_dir()
                .ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::NotFound,
                        format!(
                            "no config directory known for this platform; set {CONFIG_DIR_ENV}"
                        ),
                    )
                })?
                .join("tupli"),
        };
        Ok(Store { dir })
    }

    /// A store in `dir` (for tests).
    #[cfg(test)]
    pub(crate) fn at(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The credentials file's path.
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// The stored credentials; none when there is no file yet.
    pub(crate) fn load(&self) -> io::Result<Credentials> {
        let path = self.path();
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Credentials::default()),
            Err(e) => return Err(with_path(e, &path)),
        };
        let wire: Wire = serde_json::from_slice(&bytes).map_err(|e| {
            // serde_json's message names a position, never the content.
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a valid credentials file: {e}", path.display()),
            )
        })?;
        let tokens = match (wire.access_token, wire.refresh_token) {
            (Some(access), Some(refresh)) => Some(Tokens::new(access, refresh)),
            _ => None,
        };
        Ok(Credentials {
            url: wire.url,
            tokens,
        })
    }

    /// Replaces the file atomically (mode 0600, directory 0700).
    pub(crate) fn save(&self, credentials: &Credentials) -> io::Result<()> {
        let wire = Wire {
            url: credentials.url.clone(),
            access_token: credentials
                .tokens
                .as_ref()
                .map(|t| t.access_token().expose_secret().to_string()),
            refresh_token: credentials
                .tokens
                .as_ref()
                .map(|t| t.refresh_token().expose_secret().to_string()),
        };
        let mut bytes = serde_json::to_vec_pretty(&wire).map_err(io::Error::other)?;
        bytes.push(b'\n');
        create_private_dir(&self.dir).map_err(|e| with_path(e, &self.dir))?;
        let path = self.path();
        write_atomic(&path, &bytes).map_err(|e| with_path(e, &path))
    }
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes `bytes` to a new 0600 file next to `path`, flushes it, and renames
/// it over `path`.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let temp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));

    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    // Make the rename itself durable; not every platform can open a directory.
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_private_modes() {
        let temp = tempfile::tempdir().unwrap();
        let store = Store::at(temp.path().join("nested/tupli"));
        assert!(store.load().unwrap().tokens.is_none());
        store
            .save(&Credentials {
                url: Some("http://h:1".into()),
                tokens: Some(Tokens::new("acc", "ref")),
            })
            .unwrap();
        let back = store.load().unwrap();
        assert_eq!(back.url.as_deref(), Some("http://h:1"));
        let tokens = back.tokens.unwrap();
        assert_eq!(tokens.access_token().expose_secret(), "acc");
        assert_eq!(tokens.refresh_token().expose_secret(), "ref");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&store.path()), 0o600);
            assert_eq!(mode(&temp.path().join("nested/tupli")), 0o700);
        }
        let entries: Vec<_> = fs::read_dir(temp.path().join("nested/tupli"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(entries, [FILE_NAME], "no temporary file is left behind");
    }

    #[test]
    fn debug_hides_tokens() {
        let c = Credentials {
            url: Some("http://h".into()),
            tokens: Some(Tokens::new("secret-a", "secret-r")),
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("http://h"), "{shown}");
    }

    #[test]
    fn a_broken_file_is_an_error_that_shows_no_content() {
        let temp = tempfile::tempdir().unwrap();
        let store = Store::at(temp.path());
        fs::write(store.path(), "{\"access_token\": \"secret-a\", ").unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains("not a valid credentials file"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }
}
