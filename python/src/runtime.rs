//! The one tokio runtime the module's calls run on, and [`wait`]: a call's
//! future run to its end with the GIL released, Ctrl-C still heard.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

use crate::errors;

/// How often a waiting call takes the GIL back to see whether Python has a
/// signal to handle (Ctrl-C).
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// The runtime and the process it was built in: a forked child (a
/// DataLoader worker) builds its own, as the parent's threads are not in it.
static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// Returns this process's runtime, built on first use.
pub fn runtime() -> PyResult<Arc<Runtime>> {
    let pid = std::process::id();
    let mut slot = RUNTIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((owner, runtime)) = slot.as_ref() {
        if *owner == pid {
            return Ok(runtime.clone());
        }
        // The parent's runtime cannot be shut down from a forked child (its
        // threads are not here): it is left as it is.
        std::mem::forget(slot.take());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tupli-io")
        .enable_all()
        .build()
        .map(Arc::new)
        .map_err(|e| {
            PyRuntimeError::new_err(format!("tupli: cannot start its I/O threads: {e}"))
        })?;
    *slot = Some((pid, runtime.clone()));
    Ok(runtime)
}

/// Runs `future` on the runtime with the GIL released and answers its
/// result, a tupli error raised as its Python class. Every [`SIGNAL_POLL`]
/// the GIL is taken back to run Python's signal handlers: when one raises
/// (Ctrl-C's `KeyboardInterrupt`), the call is cancelled — its temporary
/// files removed as on any failure — and that exception propagates.
pub fn wait<F, T>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = tupli::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let runtime = runtime()?;
    let mut task = runtime.spawn(future);
    loop {
        let outcome = py.detach(|| {
            runtime.block_on(async { tokio::time::timeout(SIGNAL_POLL, &mut task).await })
        });
        match outcome {
            Ok(Ok(answer)) => return answer.map_err(|error| errors::raise(py, error)),
            Ok(Err(join)) => {
                return Err(PyRuntimeError::new_err(format!(
                    "tupli: the call's task {}",
                    if join.is_panic() {
                        "panicked"
                    } else {
                        "was cancelled"
                    }
                )))
            }
            Err(_still_running) => {
                if let Err(signal) = py.check_signals() {
                    task.abort();
                    return Err(signal);
                }
            }
        }
    }
}
