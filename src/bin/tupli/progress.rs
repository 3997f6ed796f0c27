//! Progress indicators on standard error, shown only when it is a terminal;
//! an [`Indicator`] also observes artifact transfers as a [`tupli::Progress`].

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};

/// A message and the elapsed time.
const SPINNER: &str = "{spinner} {msg} [{elapsed}]";
/// A message and a count of items.
const COUNTER: &str = "{spinner} {msg}: {human_pos} [{elapsed}]";
/// A transfer of known size.
const BAR: &str =
    "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}";
/// A transfer of unknown size.
const BYTES: &str = "{spinner} {msg}: {binary_bytes} {binary_bytes_per_sec} [{elapsed}]";

/// A progress bar or spinner, or nothing when standard error is not a
/// terminal (pipes, files, tests). Clones share one indicator; it is cleared
/// when the last clone is dropped.
#[derive(Clone)]
pub(crate) struct Indicator(Option<Shown>);

#[derive(Clone)]
struct Shown {
    bar: ProgressBar,
    /// What an upload's indicator says once its last byte is sent.
    storing: Option<Arc<str>>,
}

impl Indicator {
    /// A spinner with a message and the elapsed time.
    pub(crate) fn spinner(message: impl Into<String>) -> Indicator {
        Indicator::show(SPINNER, message.into(), None)
    }

    /// A spinner counting items: `{msg}: 1234`.
    pub(crate) fn counter(message: impl Into<String>) -> Indicator {
        Indicator::show(COUNTER, message.into(), None)
    }

    /// The upload of `file`: a bar once the transfer starts, then a spinner
    /// while the server stores the file.
    pub(crate) fn upload(file: &Path) -> Indicator {
        let file = file.display();
        Indicator::show(
            SPINNER,
            format!("uploading {file}"),
            Some(format!("sent {file}; the server is storing it…")),
        )
    }

    /// The download of artifact `id`: a bar once the size is known, else a
    /// byte-counting spinner.
    pub(crate) fn download(id: &str) -> Indicator {
        Indicator::show(SPINNER, format!("downloading {id}"), None)
    }

    fn show(template: &str, message: String, storing: Option<String>) -> Indicator {
        if !std::io::stderr().is_terminal() {
            return Indicator(None);
        }
        let indicator = Indicator::on(ProgressBar::new_spinner(), template, message, storing);
        if let Some(shown) = &indicator.0 {
            shown.bar.enable_steady_tick(Duration::from_millis(100));
        }
        indicator
    }

    /// An indicator drawn by `bar`.
    fn on(bar: ProgressBar, template: &str, message: String, storing: Option<String>) -> Indicator {
        let bar = bar.with_finish(ProgressFinish::AndClear);
        set_template(&bar, template);
        bar.set_message(message);
        Indicator(Some(Shown {
            bar,
            storing: storing.map(Arc::from),
        }))
    }

    /// Advances by `n` (bytes or items).
    pub(crate) fn inc(&self, n: u64) {
        if let Some(shown) = &self.0 {
            shown.bar.inc(n);
        }
    }

    /// Removes the indicator now (before printing a result).
    pub(crate) fn clear(&self) {
        if let Some(shown) = &self.0 {
            shown.bar.finish_and_clear();
        }
    }
}

/// What the client reports about an artifact upload or download.
impl tupli::Progress for Indicator {
    /// Also when a transfer starts over (after a token refresh): from zero.
    fn start(&self, total: Option<u64>) {
        let Some(shown) = &self.0 else { return };
        match total {
            Some(total) => {
                shown.bar.set_length(total);
                set_template(&shown.bar, BAR);
            }
            None => {
                shown.bar.unset_length();
                set_template(&shown.bar, BYTES);
            }
        }
        shown.bar.reset();
    }

    fn advance(&self, bytes: u64) {
        self.inc(bytes);
    }

    /// Not a bar frozen at 100 % while the server hashes and stores the file
    /// (10 s and more for a few hundred MB), but a spinner that says so.
    fn sent(&self) {
        let Some(Shown {
            bar,
            storing: Some(storing),
        }) = &self.0
        else {
            return;
        };
        // The elapsed time now counts the server's part.
        bar.reset_elapsed();
        set_template(bar, SPINNER);
        bar.set_message(storing.to_string());
    }
}

fn set_template(bar: &ProgressBar, template: &str) {
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tupli::Progress;

    #[test]
    fn templates_parse() {
        for template in [SPINNER, COUNTER, BAR, BYTES] {
            ProgressStyle::with_template(template).unwrap();
        }
    }

    #[test]
    fn an_upload_counts_restarts_and_then_waits_for_the_server() {
        let bar = ProgressBar::hidden();
        let upload = Indicator::on(
            bar.clone(),
            SPINNER,
            "uploading f".into(),
            Some("storing f".into()),
        );
        upload.start(Some(100));
        upload.advance(40);
        assert_eq!((bar.position(), bar.length()), (40, Some(100)));
        // A repeated attempt (after a token refresh) starts from zero.
        upload.start(Some(100));
        assert_eq!(bar.position(), 0);
        upload.advance(100);
        assert_eq!(bar.message(), "uploading f");
        upload.sent();
        assert_eq!(bar.message(), "storing f");

        let download = Indicator::on(ProgressBar::hidden(), SPINNER, "downloading".into(), None);
        download.start(None);
        download.advance(7);
        download.sent();
        let Some(shown) = &download.0 else { panic!() };
        assert_eq!((shown.bar.position(), shown.bar.length()), (7, None));
        assert_eq!(shown.bar.message(), "downloading");
    }

    #[test]
    fn without_a_terminal_nothing_is_shown() {
        let hidden = Indicator(None);
        hidden.start(Some(1));
        hidden.advance(1);
        hidden.sent();
        hidden.inc(1);
        hidden.clear();
    }
}
