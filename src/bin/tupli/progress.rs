//! Progress indicators on standard error, shown only when it is a terminal;
//! an [`Indicator`] also observes artifact transfers as a [`tupli::Progress`],
//! and an [`ExportIndicator`] dataset exports as an [`ExportProgress`].

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tupli::dataset::ExportProgress;

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
/// An export: tuples on the bar (as wide as the terminal allows), episodes
/// and bytes in the message.
const EXPORT: &str = "{prefix} [{wide_bar}] {human_pos}/{human_len} tuples, {msg}, ETA {eta}";

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

/// A dataset export: a spinner while the episodes are selected, then a bar
/// of the tuples read, with the episodes and the bytes received so far.
#[derive(Clone)]
pub(crate) struct ExportIndicator {
    indicator: Indicator,
    counts: Arc<ExportCounts>,
}

#[derive(Default)]
struct ExportCounts {
    episodes: AtomicU64,
    selected: AtomicU64,
    bytes: AtomicU64,
}

impl ExportIndicator {
    /// The export to `file`.
    pub(crate) fn new(file: &Path) -> ExportIndicator {
        let indicator =
            Indicator::spinner(format!("selecting the episodes for {}", file.display()));
        if let Some(shown) = &indicator.0 {
            let name = file.file_name().unwrap_or(file.as_os_str());
            shown.bar.set_prefix(name.to_string_lossy().into_owned());
        }
        ExportIndicator {
            indicator,
            counts: Arc::default(),
        }
    }

    /// Removes the indicator now (before printing the summary).
    pub(crate) fn clear(&self) {
        self.indicator.clear();
    }

    fn message(&self) -> String {
        let counts = &self.counts;
        format!(
            "{}/{} episodes, {} received",
            counts.episodes.load(Ordering::Relaxed),
            counts.selected.load(Ordering::Relaxed),
            crate::output::bytes(counts.bytes.load(Ordering::Relaxed)),
        )
    }
}

impl ExportProgress for ExportIndicator {
    fn start(&self, episodes: usize, tuples: usize) {
        self.counts
            .selected
            .store(episodes as u64, Ordering::Relaxed);
        let Some(shown) = &self.indicator.0 else {
            return;
        };
        // The time spent selecting counts for neither the rate nor the ETA.
        shown.bar.reset();
        shown.bar.set_length(tuples as u64);
        set_template(&shown.bar, EXPORT);
        shown.bar.set_message(self.message());
    }

    fn episode(&self, tuples: usize, bytes: usize) {
        self.counts.episodes.fetch_add(1, Ordering::Relaxed);
        self.counts.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        let Some(shown) = &self.indicator.0 else {
            return;
        };
        shown.bar.inc(tuples as u64);
        shown.bar.set_message(self.message());
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
        for template in [SPINNER, COUNTER, BAR, BYTES, EXPORT] {
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
    fn an_export_counts_episodes_tuples_and_bytes() {
        let bar = ProgressBar::hidden();
        let export = ExportIndicator {
            indicator: Indicator::on(bar.clone(), SPINNER, "selecting".into(), None),
            counts: Arc::default(),
        };
        bar.inc(5);
        export.start(3, 10);
        assert_eq!((bar.position(), bar.length()), (0, Some(10)));
        assert_eq!(bar.message(), "0/3 episodes, 0 B received");
        export.episode(4, 1000);
        export.episode(6, 1500);
        assert_eq!(bar.position(), 10);
        assert_eq!(bar.message(), "2/3 episodes, 2.4 KiB received");

        let hidden = ExportIndicator {
            indicator: Indicator(None),
            counts: Arc::default(),
        };
        hidden.start(1, 1);
        hidden.episode(1, 1);
        hidden.clear();
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
