//! `copy`: benchmarks with their episodes and artifacts from one storage to
//! another, each side a server (with the login stored for it) or a folder,
//! through the library's copy; ends with a summary.

mod summary;

use std::path::PathBuf;

use tupli::copy::{copy, Selection, Status};
use tupli::storage::{FileStorage, TupliStorage};
use tupli::TupliApiClient;

use self::summary::Summary;
use super::open_folder;
use crate::args::CopyArgs;
use crate::config::{Credentials, Store};
use crate::error::CliError;
use crate::interrupt::until_interrupted;
use crate::output;
use crate::progress::CopyIndicator;
use crate::session::{EnvScope, Session};

pub(crate) async fn run(
    args: CopyArgs,
    store: Store,
    stored: Credentials,
    env: Option<EnvScope>,
) -> Result<(), CliError> {
    let env = env.as_ref();
    let from = Side::parse(&args.from, "--from")?;
    let to = Side::parse(&args.to, "--to")?;
    if from.same_as(&to) {
        return Err(CliError::Usage(format!(
            "--from and --to are the same storage ({}): nothing to copy",
            to.name()
        )));
    }
    let source = Backend::source(&from, &store, &stored, env).await?;
    let dest = Backend::destination(&to, &store, &stored, env, args.dry_run).await?;

    let mut selection = Selection::all().with_benchmark_filter(args.benchmarks.combined());
    if let Some(episodes) = args.episodes.given() {
        selection = selection.with_episode_filter(episodes);
    }
    let progress = CopyIndicator::new(args.dry_run);
    let task = copy(source.storage(), dest.storage(), selection)
        .concurrency(usize::from(args.concurrency))
        .dry_run(args.dry_run)
        .progress(progress.clone());
    // On Ctrl-C the copy is dropped: what was written is whole, and the
    // next run skips it.
    let result = until_interrupted(async { Ok(task.await?) }, || {
        "interrupted: run the same copy again to finish it (what was copied is skipped)".into()
    })
    .await;
    progress.clear();
    // Refreshed tokens are kept, also after a failure.
    let saved = source.write_back().and(dest.write_back());
    let report = result?;
    saved?;

    let summary = Summary::new(&report, &from, &to);
    if output::machine() {
        output::object(&summary)?;
    } else {
        output::emit(&summary.text(&report))?;
    }
    let failed = report.count(None, Status::Failed);
    if failed > 0 {
        return Err(CliError::Incomplete(format!(
            "{} of {} failed (the others were {}); run the same copy again to retry {}",
            output::count(failed, "item"),
            report.items.len(),
            if report.dry_run {
                "checked"
            } else {
                "copied or skipped"
            },
            if failed == 1 { "it" } else { "them" },
        )));
    }
    Ok(())
}

/// One side of a copy, as given.
enum Side {
    /// A server, by its normalized URL.
    Server(String),
    /// A folder.
    Folder(PathBuf),
}

impl Side {
    /// `http://…` and `https://…` are servers; anything else without `://`
    /// is a folder.
    fn parse(text: &str, option: &str) -> Result<Side, CliError> {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Ok(Side::Server(TupliApiClient::with_url(text)?.url()))
        } else if text.contains("://") {
            Err(CliError::Usage(format!(
                "{option} {text}: neither a server URL (http:// or https://) nor a folder"
            )))
        } else if text.trim().is_empty() {
            Err(CliError::Usage(format!(
                "{option} is empty: give a server URL or a folder"
            )))
        } else {
            Ok(Side::Folder(PathBuf::from(text)))
        }
    }

    fn name(&self) -> String {
        match self {
            Side::Server(url) => url.clone(),
            Side::Folder(dir) => dir.display().to_string(),
        }
    }

    fn same_as(&self, other: &Side) -> bool {
        match (self, other) {
            (Side::Server(a), Side::Server(b)) => a == b,
            (Side::Folder(a), Side::Folder(b)) => {
                match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => a == b,
                }
            }
            _ => false,
        }
    }
}

/// A side, opened.
enum Backend {
    Server(Session),
    Folder {
        storage: FileStorage,
        /// Removed with the backend.
        _stand_in: Option<StandIn>,
    },
}

impl Backend {
    fn folder(storage: FileStorage, stand_in: Option<StandIn>) -> Backend {
        Backend::Folder {
            storage,
            _stand_in: stand_in,
        }
    }
}

impl Backend {
    /// The source: a folder that exists, or a server (anonymously, with a
    /// note, when there is no login for it: it shows what is public).
    async fn source(
        side: &Side,
        store: &Store,
        stored: &Credentials,
        env: Option<&EnvScope>,
    ) -> Result<Backend, CliError> {
        match side {
            Side::Folder(dir) => Ok(Backend::folder(open_folder(dir, false)?, None)),
            Side::Server(url) => {
                let session = Session::at_with(store.clone(), stored, url, env).await?;
                if !session.has_login() {
                    output::note(&format!(
                        "tupli: note: not logged in to {url}: copying what it shows to anyone \
                         (`tupli login USER --url {url}` to copy what you can read there)"
                    ));
                }
                Ok(Backend::Server(session))
            }
        }
    }

    /// The destination: a folder, made when missing (in a dry run, a missing
    /// one is answered for by an empty stand-in), or a server with a login.
    async fn destination(
        side: &Side,
        store: &Store,
        stored: &Credentials,
        env: Option<&EnvScope>,
        dry_run: bool,
    ) -> Result<Backend, CliError> {
        match side {
            Side::Folder(dir) if dry_run && !dir.exists() => {
                let stand_in = StandIn::new()?;
                let storage = open_folder(&stand_in.0, false)?;
                Ok(Backend::folder(storage, Some(stand_in)))
            }
            Side::Folder(dir) => Ok(Backend::folder(open_folder(dir, !dry_run)?, None)),
            Side::Server(url) => {
                let session = Session::at_with(store.clone(), stored, url, env).await?;
                if !session.has_login() {
                    return Err(CliError::NotLoggedIn(format!(
                        "not logged in to {url}, where the copy goes: run `tupli login USER --url \
                         {url}` first"
                    )));
                }
                Ok(Backend::Server(session))
            }
        }
    }

    fn storage(&self) -> &dyn TupliStorage {
        match self {
            Backend::Server(session) => session.client(),
            Backend::Folder { storage, .. } => storage,
        }
    }

    fn write_back(&self) -> Result<(), CliError> {
        match self {
            Backend::Server(session) => session.write_back(),
            Backend::Folder { .. } => Ok(()),
        }
    }
}

/// An empty folder answering for a destination folder that does not exist
/// yet (a dry run makes nothing); removed when dropped.
struct StandIn(PathBuf);

impl StandIn {
    fn new() -> Result<StandIn, CliError> {
        let dir = std::env::temp_dir().join(format!(
            ".tupli-dry-run-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir(&dir)
            .map_err(|e| CliError::Local(format!("cannot make {}: {e}", dir.display())))?;
        Ok(StandIn(dir))
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
impl Side {
    fn folder(&self) -> Option<&std::path::Path> {
        match self {
            Side::Folder(dir) => Some(dir),
            Side::Server(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn sides_are_servers_or_folders() {
        assert!(matches!(
            Side::parse("HTTP://Example.org:8080/", "--to").unwrap(),
            Side::Server(url) if url == "http://example.org:8080"
        ));
        assert_eq!(
            Side::parse("./runs", "--from").unwrap().folder(),
            Some(Path::new("./runs"))
        );
        assert_eq!(
            Side::parse("C:runs", "--from").unwrap().folder(),
            Some(Path::new("C:runs"))
        );
        for bad in ["ftp://x", "", "  ", "http://user:secret@h"] {
            let err = Side::parse(bad, "--to").err().expect(bad);
            assert_eq!(err.exit_code(), crate::error::USAGE, "{bad}: {err}");
            assert!(!err.to_string().contains("secret"), "{err}");
        }
        let a = Side::parse("http://h:1/", "--from").unwrap();
        let b = Side::parse("http://h:1", "--to").unwrap();
        assert!(a.same_as(&b));
        let dir = tempfile::tempdir().unwrap();
        let here = Side::Folder(dir.path().to_path_buf());
        let there = Side::Folder(dir.path().join("x/.."));
        std::fs::create_dir(dir.path().join("x")).unwrap();
        assert!(here.same_as(&there));
        assert!(!here.same_as(&a));
    }
}
