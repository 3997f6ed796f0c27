//! The credentials file: the servers and their login tokens, kept between runs.
//!
//! `$TUPLI_CONFIG_DIR/credentials.json`, else `<platform config dir>/tupli/credentials.json`:
//!
//! ```json
//! {"url": "http://a:8080", "access_token": "…", "refresh_token": "…",
//!  "servers": {"http://b:8080": {"access_token": "…", "refresh_token": "…"}}}
//! ```
//!
//! `url` is the default server and the two tokens its login, as in the file
//! of a single server that older versions wrote (and still read); `servers`
//! holds the logins at other servers, by URL (left out when there are
//! none). A login is only ever used for the URL it is stored under. The
//! directory is created 0700, the file 0600, and every write goes to a
//! temporary file in the same directory that is then renamed over the old
//! one, so a reader sees either the old or the new file, never half of one.

use std::collections::BTreeMap;
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
    /// The default server, as normalized by the client.
    pub(crate) url: Option<String>,
    /// The login tokens at the default server, when logged in there.
    pub(crate) tokens: Option<Tokens>,
    /// Logins at other servers, by their normalized URL.
    pub(crate) others: BTreeMap<String, Tokens>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("url", &self.url)
            .field("tokens", &self.tokens.as_ref().map(|_| "[REDACTED]"))
            .field("others", &self.others.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Credentials {
    /// The login stored for the server at `url` (normalized), if any.
    pub(crate) fn tokens_for(&self, url: &str) -> Option<&Tokens> {
        if self.url.as_deref() == Some(url) {
            self.tokens.as_ref()
        } else {
            self.others.get(url)
        }
    }

    /// Stores (or with `None` forgets) the login for the server at `url`,
    /// the default one or another.
    pub(crate) fn set_tokens_for(&mut self, url: &str, tokens: Option<Tokens>) {
        if self.url.as_deref() == Some(url) {
            self.tokens = tokens;
        } else if let Some(tokens) = tokens {
            self.others.insert(url.to_string(), tokens);
        } else {
            self.others.remove(url);
        }
    }

    /// Makes `url` the default server: its login (if stored) becomes the
    /// default's, and the old default's login is kept with the others.
    pub(crate) fn make_default(&mut self, url: &str) {
        if self.url.as_deref() == Some(url) {
            return;
        }
        let promoted = self.others.remove(url);
        if let (Some(old), Some(tokens)) = (self.url.take(), self.tokens.take()) {
            self.others.insert(old, tokens);
        }
        self.url = Some(url.to_string());
        self.tokens = promoted;
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
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    servers: BTreeMap<String, WireLogin>,
}

/// A login at another server than the default. Deliberately without `Debug`.
#[derive(Serialize, Deserialize)]
struct WireLogin {
    access_token: String,
    refresh_token: String,
}

impl WireLogin {
    fn new(tokens: &Tokens) -> Self {
        WireLogin {
            access_token: tokens.access_token().expose_secret().to_string(),
            refresh_token: tokens.refresh_token().expose_secret().to_string(),
        }
    }
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
        let others = wire
            .servers
            .into_iter()
            .map(|(url, login)| (url, Tokens::new(login.access_token, login.refresh_token)))
            .collect();
        Ok(Credentials {
            url: wire.url,
            tokens,
            others,
        })
    }

    /// Loads the file, changes it with `change`, and saves it: for updates
    /// made at the end of a run, so what another run saved meanwhile (for
    /// another server) is kept.
    pub(crate) fn update(&self, change: impl FnOnce(&mut Credentials)) -> io::Result<()> {
        let mut credentials = self.load()?;
        change(&mut credentials);
        self.save(&credentials)
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
            servers: credentials
                .others
                .iter()
                .filter(|(url, _)| credentials.url.as_ref() != Some(*url))
                .map(|(url, tokens)| (url.clone(), WireLogin::new(tokens)))
                .collect(),
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
                others: BTreeMap::new(),
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
            others: BTreeMap::from([("http://o".into(), Tokens::new("secret-b", "secret-s"))]),
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("http://h"), "{shown}");
        assert!(shown.contains("http://o"), "{shown}");
    }

    fn access(tokens: Option<&Tokens>) -> Option<&str> {
        tokens.map(|t| t.access_token().expose_secret())
    }

    #[test]
    fn logins_at_several_servers() {
        let temp = tempfile::tempdir().unwrap();
        let store = Store::at(temp.path());
        // The one-server file of older versions.
        fs::write(
            store.path(),
            r#"{"url": "http://a", "access_token": "a1", "refresh_token": "a2"}"#,
        )
        .unwrap();
        let mut c = store.load().unwrap();
        assert_eq!(access(c.tokens_for("http://a")), Some("a1"));
        assert_eq!(access(c.tokens_for("http://b")), None);

        // Logging in at b: b becomes the default, a's login is kept.
        c.make_default("http://b");
        c.set_tokens_for("http://b", Some(Tokens::new("b1", "b2")));
        store.save(&c).unwrap();
        let saved: serde_json::Value =
            serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(
            saved,
            serde_json::json!({
                "url": "http://b", "access_token": "b1", "refresh_token": "b2",
                "servers": {"http://a": {"access_token": "a1", "refresh_token": "a2"}},
            })
        );
        let mut c = store.load().unwrap();
        assert_eq!(access(c.tokens_for("http://a")), Some("a1"));
        assert_eq!(access(c.tokens_for("http://b")), Some("b1"));

        // A refresh at a, then back to a as the default.
        c.set_tokens_for("http://a", Some(Tokens::new("a3", "a2")));
        c.make_default("http://a");
        assert_eq!(access(c.tokens.as_ref()), Some("a3"));
        assert_eq!(access(c.tokens_for("http://b")), Some("b1"));
        // Forgetting b's.
        c.set_tokens_for("http://b", None);
        assert!(c.others.is_empty());
        store.save(&c).unwrap();
        let saved: serde_json::Value =
            serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(
            saved,
            serde_json::json!({"url": "http://a", "access_token": "a3", "refresh_token": "a2"}),
            "one server: the old format"
        );
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
