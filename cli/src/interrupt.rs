//! Ctrl-C during a command that writes a file: the command's future is
//! dropped, so the library's destructors remove its temporary file, and the
//! tool then exits with 130 instead of dying with the file left behind.

use std::future::Future;
use std::pin::pin;

use futures::future::{select, Either};

use crate::error::CliError;

/// Runs `command` to its end, or until Ctrl-C: then `command` is dropped
/// (which removes whatever it had started writing) and the answer is
/// [`CliError::Interrupted`] with `message()`.
///
/// Only for commands that never block the thread (no password prompt, no
/// blocking read of standard input): once Ctrl-C is caught, it no longer ends
/// the process by itself for the rest of the run.
pub(crate) async fn until_interrupted<T>(
    command: impl Future<Output = Result<T, CliError>>,
    message: impl FnOnce() -> String,
) -> Result<T, CliError> {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No handler could be installed: Ctrl-C ends the process as usual.
            std::future::pending::<()>().await;
        }
    };
    until(command, ctrl_c, message).await
}

/// Runs `command` until it ends or `interrupt` does; in that case `command`
/// is dropped before the answer is made.
async fn until<T>(
    command: impl Future<Output = Result<T, CliError>>,
    interrupt: impl Future<Output = ()>,
    message: impl FnOnce() -> String,
) -> Result<T, CliError> {
    let mut command = Box::pin(command);
    // The interrupt is polled first, so Ctrl-C is caught before the command
    // starts (tokio installs its handler on the first poll).
    match select(pin!(interrupt), command.as_mut()).await {
        Either::Left(((), _)) => {}
        Either::Right((result, _)) => return result,
    }
    // Its destructors run now, before the tool says anything or exits.
    drop(command);
    Err(CliError::Interrupted(message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Removes its file when dropped, as the library's temporary files do.
    struct Partial(std::path::PathBuf);

    impl Drop for Partial {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn block_on<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn a_finished_command_answers_its_own_result() {
        let never = std::future::pending::<()>;
        let answer = block_on(until(async { Ok(7) }, never(), || "no".into()));
        assert_eq!(answer.unwrap(), 7);
        let failed = block_on(until(
            async { Err::<(), _>(CliError::Usage("bad".into())) },
            never(),
            || "no".into(),
        ));
        assert!(matches!(failed, Err(CliError::Usage(m)) if m == "bad"));
    }

    #[test]
    fn an_interrupted_command_is_dropped_before_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".x.partial");
        std::fs::write(&path, "half").unwrap();
        let partial = Partial(path.clone());
        let command = async move {
            let _partial = partial;
            std::future::pending::<Result<(), CliError>>().await
        };
        let message = || {
            assert!(!path.exists(), "the command's destructors ran first");
            "interrupted".to_string()
        };
        let answer = block_on(until(command, async {}, message));
        assert!(matches!(answer, Err(CliError::Interrupted(m)) if m == "interrupted"));
    }
}
