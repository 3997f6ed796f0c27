//! Long-lived loops on threads of their own, awaited from async code.
//!
//! Tokio's blocking pool is for calls that end by themselves. A loop that
//! waits on a channel fed by async code would hold a pool thread for a whole
//! transfer; with a small `max_blocking_threads`, or hundreds of transfers at
//! once, such loops would take every pool thread and wait for ever on work
//! that needs one.

use std::io;

use tokio::sync::oneshot;

/// The answer of a thread started by [`spawn`].
pub(crate) struct Worker<T>(oneshot::Receiver<T>);

/// Runs `work` on a new thread named `name`.
pub(crate) fn spawn<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> io::Result<Worker<T>> {
    let (answer, receiver) = oneshot::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            // Nobody waits for the answer when the caller gave up.
            let _ = answer.send(work());
        })?;
    Ok(Worker(receiver))
}

impl<T> Worker<T> {
    /// Waits for the thread's answer; an error when it panicked.
    pub(crate) async fn join(self) -> io::Result<T> {
        self.0
            .await
            .map_err(|_| io::Error::other("a worker thread panicked"))
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
    async fn a_panic_is_an_error() {
        let worker = spawn("tupli-test", || -> u8 { panic!("on purpose") }).unwrap();
        let error = worker.join().await.unwrap_err();
        assert!(error.to_string().contains("panicked"), "{error}");
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
