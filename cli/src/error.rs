//! What a failed command reports, and its exit code.

use std::fmt;

use tupli::reqwest::StatusCode;
use tupli::Error;

/// Exit code for bad usage: arguments, input files, `--where`, invalid input.
pub(crate) const USAGE: u8 = 2;
/// Exit code for authentication: not logged in, session expired, 401, 403.
pub(crate) const AUTH: u8 = 3;
/// Exit code for 404, and for a selection that matched nothing.
pub(crate) const NOT_FOUND: u8 = 4;
/// Exit code for any other error answer, and for decode, integrity and local I/O errors.
pub(crate) const OTHER: u8 = 5;
/// Exit code for transport errors: connection refused, timeout, TLS, ….
pub(crate) const TRANSPORT: u8 = 6;
/// Exit code when a confirmation prompt was answered no (nothing was done).
pub(crate) const CANCELLED: u8 = 7;
/// Exit code after Ctrl-C (128 + SIGINT, as a shell reports it).
pub(crate) const INTERRUPTED: u8 = 130;

/// A failed command.
#[derive(Debug)]
pub(crate) enum CliError {
    /// The command line or an input file is wrong.
    Usage(String),
    /// Nothing is stored that this command needs (e.g. `whoami` before `login`).
    NotLoggedIn(String),
    /// The client reported an error.
    Api(Error),
    /// A local file (credentials, output) could not be read or written.
    Local(String),
    /// Nothing matched what the command was to work on (an export's selection).
    NothingMatched(String),
    /// Ctrl-C stopped the command (after it cleaned up).
    Interrupted(String),
    /// The user answered no at a confirmation prompt.
    Cancelled(String),
    /// Some items of a command over many failed (a copy); the others were done.
    Incomplete(String),
    /// Another error, and what it means for the command's output (e.g. that
    /// no file was written).
    Noted(Box<CliError>, String),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Api(e)
    }
}

impl CliError {
    /// A local file (the credentials file) that could not be read or written;
    /// the message names it.
    pub(crate) fn local(e: std::io::Error) -> CliError {
        CliError::Local(e.to_string())
    }

    /// The process exit code.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => USAGE,
            CliError::NotLoggedIn(_) => AUTH,
            CliError::Local(_) | CliError::Incomplete(_) => OTHER,
            CliError::NothingMatched(_) => NOT_FOUND,
            CliError::Interrupted(_) => INTERRUPTED,
            CliError::Cancelled(_) => CANCELLED,
            CliError::Noted(e, _) => e.exit_code(),
            CliError::Api(e) => api_exit_code(e),
        }
    }
}

fn api_exit_code(e: &Error) -> u8 {
    match e {
        Error::InvalidInput { .. } => USAGE,
        Error::Transport { .. } => TRANSPORT,
        Error::NotLoggedIn { .. } | Error::SessionExpired { .. } => AUTH,
        Error::EmptySelection | Error::NotFound { .. } => NOT_FOUND,
        // A panicked worker and a failed export writer: neither the input nor the server.
        Error::Worker { .. } | Error::Export { .. } => OTHER,
        Error::Api { status, .. } => match *status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => AUTH,
            StatusCode::NOT_FOUND => NOT_FOUND,
            _ => OTHER,
        },
        _ => OTHER,
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m)
            | CliError::NotLoggedIn(m)
            | CliError::Local(m)
            | CliError::NothingMatched(m)
            | CliError::Interrupted(m)
            | CliError::Cancelled(m)
            | CliError::Incomplete(m) => f.write_str(m),
            CliError::Noted(e, note) => write!(f, "{e} ({note})"),
            CliError::Api(Error::NotLoggedIn { detail }) => write!(
                f,
                "not logged in: run `tupli login` first (the server answered 401: {detail})"
            ),
            CliError::Api(Error::SessionExpired { detail }) => write!(
                f,
                "the session has expired: run `tupli login` again ({detail})"
            ),
            CliError::Api(e) => f.write_str(&e.with_sources()),
        }
    }
}

/// What the tool says about a library error (for errors reported among
/// others, as a copy's failed items are): its message and its sources'.
pub(crate) fn message(e: &Error) -> String {
    e.with_sources()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tupli::Detail;

    /// The error an answer with `status` and the detail "because" maps to.
    fn api(status: u16) -> CliError {
        let answer = http::Response::builder()
            .status(StatusCode::from_u16(status).unwrap())
            .body(r#"{"detail":"because"}"#)
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        CliError::Api(runtime.block_on(Error::from_response(answer.into())))
    }

    #[test]
    fn exit_codes() {
        assert_eq!(api(401).exit_code(), AUTH);
        assert_eq!(api(403).exit_code(), AUTH);
        assert_eq!(api(404).exit_code(), NOT_FOUND);
        assert_eq!(api(409).exit_code(), OTHER);
        assert_eq!(api(500).exit_code(), OTHER);
        let expired = CliError::Api(Error::SessionExpired {
            detail: Detail::Empty,
        });
        assert_eq!(expired.exit_code(), AUTH);
        assert!(expired.to_string().contains("tupli login"));
        let invalid = CliError::Api(Error::InvalidInput {
            argument: "x",
            reason: "no".into(),
        });
        assert_eq!(invalid.exit_code(), USAGE);
        assert_eq!(CliError::Usage("u".into()).exit_code(), USAGE);
        assert_eq!(CliError::Local("l".into()).exit_code(), OTHER);
        assert_eq!(CliError::NotLoggedIn("n".into()).exit_code(), AUTH);
        assert_eq!(CliError::NothingMatched("m".into()).exit_code(), NOT_FOUND);
        assert_eq!(CliError::Api(Error::EmptySelection).exit_code(), NOT_FOUND);
        assert_eq!(CliError::Interrupted("i".into()).exit_code(), INTERRUPTED);
        assert_eq!(CliError::Incomplete("i".into()).exit_code(), OTHER);
        assert_eq!(CliError::Cancelled("c".into()).exit_code(), CANCELLED);
        let missing = CliError::Api(Error::NotFound {
            kind: "episode",
            id: "e".into(),
            storage: "./runs".into(),
        });
        assert_eq!(missing.exit_code(), NOT_FOUND);
        let shape = CliError::Api(Error::Shape {
            episode_id: "e".into(),
            step: 3,
            field: "state",
            reason: "is text, not a number".into(),
        });
        assert_eq!(shape.exit_code(), OTHER);
        let noted = CliError::Noted(Box::new(shape), "nothing was written to x.npz".into());
        assert_eq!(noted.exit_code(), OTHER);
        assert_eq!(
            noted.to_string(),
            "episode e, step 3: `state` is text, not a number (nothing was written to x.npz)"
        );
        let transport = CliError::Noted(Box::new(api(404)), "n".into());
        assert_eq!(transport.exit_code(), NOT_FOUND);
        assert_eq!(
            api(404).to_string(),
            "the server answered 404 Not Found: because"
        );
    }
}
