//! The indicator of a copy between storages: a bar of the items finished
//! among those found so far; a [`CopyProgress`] for the library's copy.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tupli::copy::{CopyProgress, Item, Status};

use super::Indicator;

/// A copy: items done of those found so far, the outcomes and bytes in the message.
const COPY: &str = "{prefix} [{wide_bar}] {human_pos}/{human_len} items, {msg} [{elapsed}]";

/// A copy between storages: a bar of the items finished among those found
/// so far (benchmarks, episodes, artifacts: the total grows as listings
/// come in), with how many were copied, skipped and failed, and the bytes
/// read.
#[derive(Clone)]
pub(crate) struct CopyIndicator {
    indicator: Indicator,
    counts: Arc<CopyCounts>,
    dry_run: bool,
}

#[derive(Default)]
struct CopyCounts {
    copied: AtomicU64,
    skipped: AtomicU64,
    failed: AtomicU64,
    bytes: AtomicU64,
}

impl CopyIndicator {
    /// A copy (`dry_run`: the check of one).
    pub(crate) fn new(dry_run: bool) -> CopyIndicator {
        let prefix = if dry_run { "checking" } else { "copying" };
        let indicator = Indicator::show(COPY, String::new(), None);
        if let Some(shown) = &indicator.0 {
            shown.bar.set_length(0);
            shown.bar.set_prefix(prefix);
        }
        let copy = CopyIndicator {
            indicator,
            counts: Arc::default(),
            dry_run,
        };
        copy.refresh();
        copy
    }

    /// Removes the indicator now (before printing the summary).
    pub(crate) fn clear(&self) {
        self.indicator.clear();
    }

    fn message(&self) -> String {
        let counts = &self.counts;
        format!(
            "{} {}, {} skipped, {} failed, {} read",
            counts.copied.load(Ordering::Relaxed),
            if self.dry_run { "to copy" } else { "copied" },
            counts.skipped.load(Ordering::Relaxed),
            counts.failed.load(Ordering::Relaxed),
            crate::output::bytes(counts.bytes.load(Ordering::Relaxed)),
        )
    }

    fn refresh(&self) {
        if let Some(shown) = &self.indicator.0 {
            shown.bar.set_message(self.message());
        }
    }
}

impl CopyProgress for CopyIndicator {
    fn found(&self, _kind: tupli::copy::Kind, count: usize) {
        if let Some(shown) = &self.indicator.0 {
            shown.bar.inc_length(count as u64);
        }
    }

    fn done(&self, item: &Item) {
        let count = match item.status() {
            Status::Copied => &self.counts.copied,
            Status::Skipped => &self.counts.skipped,
            Status::Failed => &self.counts.failed,
        };
        count.fetch_add(1, Ordering::Relaxed);
        // A listing that failed is not one of the items found.
        if !item.listing {
            self.indicator.inc(1);
        }
        self.refresh();
    }

    fn bytes(&self, bytes: u64) {
        self.counts.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.refresh();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::{ProgressBar, ProgressStyle};

    #[test]
    fn the_template_parses() {
        ProgressStyle::with_template(COPY).unwrap();
    }

    #[test]
    fn a_copy_counts_items_outcomes_and_bytes() {
        use tupli::copy::Kind;
        let bar = ProgressBar::hidden();
        bar.set_length(0);
        let copy = CopyIndicator {
            indicator: Indicator::on(bar.clone(), COPY, String::new(), None),
            counts: Arc::default(),
            dry_run: false,
        };
        copy.refresh();
        assert_eq!(bar.message(), "0 copied, 0 skipped, 0 failed, 0 B read");
        copy.found(Kind::Benchmark, 2);
        copy.found(Kind::Episode, 3);
        assert_eq!(bar.length(), Some(5));
        copy.bytes(2048);
        assert_eq!(bar.message(), "0 copied, 0 skipped, 0 failed, 2.0 KiB read");

        let hidden = CopyIndicator::new(true);
        hidden.found(Kind::Artifact, 1);
        hidden.bytes(1);
        hidden.clear();
        assert_eq!(hidden.message(), "0 to copy, 0 skipped, 0 failed, 1 B read");
    }
}
