//! Progress indicators on standard error, shown only when it is a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};

/// A progress bar or spinner, or nothing when standard error is not a
/// terminal (pipes, files, tests). Clones share one indicator; it is cleared
/// when the last clone is dropped.
#[derive(Clone)]
pub(crate) struct Progress(Option<ProgressBar>);

impl Progress {
    /// A spinner with a message and the elapsed time.
    pub(crate) fn spinner(message: impl Into<String>) -> Progress {
        Progress::start(None, "{spinner} {msg} [{elapsed}]", message)
    }

    /// A spinner counting items: `{msg}: 1234`.
    pub(crate) fn counter(message: impl Into<String>) -> Progress {
        Progress::start(None, "{spinner} {msg}: {human_pos} [{elapsed}]", message)
    }

    /// A transfer: a bar when the size is known, else a byte-counting spinner.
    pub(crate) fn bytes(message: impl Into<String>, total: Option<u64>) -> Progress {
        let template = if total.is_some() {
            "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}"
        } else {
            "{spinner} {msg}: {binary_bytes} {binary_bytes_per_sec} [{elapsed}]"
        };
        Progress::start(total, template, message)
    }

    fn start(total: Option<u64>, template: &str, message: impl Into<String>) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total),
            None => ProgressBar::new_spinner(),
        }
        .with_finish(ProgressFinish::AndClear);
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress(Some(bar))
    }

    /// Advances by `n` (bytes or items).
    pub(crate) fn inc(&self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }

    /// Back to zero (a transfer starting over after a token refresh).
    pub(crate) fn restart(&self) {
        if let Some(bar) = &self.0 {
            bar.set_position(0);
        }
    }

    /// Removes the indicator now (before printing a result).
    pub(crate) fn clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
