//! Long-lived loops on threads of their own, awaited from async code.
//!
//! Tokio's blocking pool is for calls that end by themselves. A loop that
//! waits on a channel fed by async code would hold a pool thread for a whole
//! transfer; with a small `max_blocking_threads`, or hundreds of transfers at
//! once, such loops would take every pool thread and wait for ever on work
//! that needs one.

use std::io;

use tokio::sync::oneshot;

use crate::error::{Error, Result};

/// The answer of a thread started by [`spawn`].
pub(crate) struct Worker<T> {
    answer: oneshot::Receiver<T>,
    name: &'static str,
}

/// Runs `work` on a new thread named `name` (which its errors name).
pub(crate) fn spawn<T: Send + 'static>(
    name: &'static str,
    work: impl FnOnce() -> T + Send + 'static,
) -> io::Result<Worker<T>> {
    let (answer, receiver) = oneshot::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            // Nobody waits for the answer when the caller gave up.
            let _ = answer.send(work());
        })?;
    Ok(Worker {
        answer: receiver,
        name,
    })
}

impl<T> Worker<T> {
    /// Waits for the thread's answer; an error naming the thread when it
    /// panicked (its answer is dropped unsent only by a panic).
    pub(crate) async fn join(self) -> Result<T> {
        let name = self.name;
        self.answer.await.map_err(|_| Error::worker(name, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_what_the_thread_returns() {
        let worker = spawn("tupli-test", || {
            std::thread::current().name().map(String::from)
        });
        assert_eq!(
            worker.unwrap().join().await.unwrap().as_deref(),
            Some("tupli-test")
        );
    }

    #[tokio::test]
    async fn a_panic_is_an_error_naming_the_thread() {
        let worker = spawn("tupli-test", || -> u8 { panic!("on purpose") }).unwrap();
        let error = worker.join().await.unwrap_err();
        assert!(
            matches!(
                error,
                Error::Worker {
                    task: "tupli-test",
                    panicked: true,
                    ..
                }
            ),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("tupli-test") && message.contains("panicked"),
            "{message}"
        );
        assert!(!message.contains("on purpose"), "{message}");
    }

    /// Loops that wait on async code do not starve the blocking pool: a
    /// runtime with one blocking thread still runs a blocking call while
    /// such a loop waits.
    #[test]
    fn a_waiting_loop_leaves_the_blocking_pool_free() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (sender, mut receiver) = tokio::sync::mpsc::channel::<u32>(1);
            let worker = spawn("tupli-test", move || receiver.blocking_recv()).unwrap();
            let call = tokio::task::spawn_blocking(|| 7);
            let value = tokio::time::timeout(std::time::Duration::from_secs(10), call)
                .await
                .expect("the blocking call ran")
                .unwrap();
            sender.send(value).await.unwrap();
            assert_eq!(worker.join().await.unwrap(), Some(7));
        });
    }
}
