//! The indicator of a dataset export: a spinner while the episodes are
//! selected, then a bar of the tuples read; an [`ExportProgress`] for the
//! library's exporter.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tupli::dataset::ExportProgress;

use super::{set_template, Indicator};

/// An export: tuples on the bar (as wide as the terminal allows), episodes
/// and bytes in the message.
const EXPORT: &str = "{prefix} [{wide_bar}] {human_pos}/{human_len} tuples, {msg}, ETA {eta}";

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

#[cfg(test)]
mod tests {
    use super::super::SPINNER;
    use super::*;
    use indicatif::{ProgressBar, ProgressStyle};

    #[test]
    fn the_template_parses() {
        ProgressStyle::with_template(EXPORT).unwrap();
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
}
