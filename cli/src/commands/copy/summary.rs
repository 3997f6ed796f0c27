//! What `copy` reports when it ends: counts per kind, the reasons for
//! skipping and each failure, as text for people or as one object.

use std::collections::BTreeMap;

use serde::Serialize;
use tupli::copy::{CopyReport, Item, Kind, Outcome, Status};

use super::Side;
use crate::error;
use crate::output;

/// Failed items listed one by one in the summary; more are counted.
const FAILURES_SHOWN: usize = 20;

/// What `copy` reports (`--json`: as JSON).
#[derive(Serialize)]
pub(super) struct Summary {
    from: String,
    to: String,
    dry_run: bool,
    /// Per kind (`benchmarks`, `episodes`, `artifacts`): copied, skipped, failed.
    counts: BTreeMap<&'static str, Counts>,
    /// Bytes read from the source.
    bytes: u64,
    items: Vec<Line>,
}

#[derive(Serialize, Default)]
struct Counts {
    copied: usize,
    skipped: usize,
    failed: usize,
}

/// One item of the summary.
#[derive(Serialize)]
struct Line {
    kind: &'static str,
    source_id: String,
    /// The listing of a benchmark's episodes or artifacts, not one object.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    listing: bool,
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    benchmark_id: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn plural(kind: Kind) -> &'static str {
    match kind {
        Kind::Benchmark => "benchmarks",
        Kind::Episode => "episodes",
        Kind::Artifact => "artifacts",
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Copied => "copied",
        Status::Skipped => "skipped",
        Status::Failed => "failed",
    }
}

impl Summary {
    pub(super) fn new(report: &CopyReport, from: &Side, to: &Side) -> Summary {
        let counts = Kind::ALL
            .into_iter()
            .map(|kind| {
                let counts = Counts {
                    copied: report.count(Some(kind), Status::Copied),
                    skipped: report.count(Some(kind), Status::Skipped),
                    failed: report.count(Some(kind), Status::Failed),
                };
                (plural(kind), counts)
            })
            .collect();
        Summary {
            from: from.name(),
            to: to.name(),
            dry_run: report.dry_run,
            counts,
            bytes: report.bytes(),
            items: report.items.iter().map(line).collect(),
        }
    }

    /// The summary for people: what would be copied (in a dry run), the
    /// counts, the reasons for skipping, and each failure.
    pub(super) fn text(&self, report: &CopyReport) -> String {
        let mut out = String::new();
        let dry = self.dry_run;
        if dry {
            out.push_str(&format!("Would copy from {} to {}:\n", self.from, self.to));
            let would: Vec<&Item> = report
                .items
                .iter()
                .filter(|i| i.status() == Status::Copied)
                .collect();
            if would.is_empty() {
                out.push_str("  nothing\n");
            }
            for item in would {
                out.push_str(&format!(
                    "  {:<9}  {}  {}\n",
                    item.kind.name(),
                    item.source_id,
                    describe(item)
                ));
            }
        } else {
            out.push_str(&format!("Copied from {} to {}:\n", self.from, self.to));
        }
        let head = if dry { "to copy" } else { "copied" };
        out.push_str(&format!(
            "  {:<10}  {head:>7}  {:>7}  {:>6}\n",
            "", "skipped", "failed"
        ));
        for kind in Kind::ALL {
            let c = &self.counts[plural(kind)];
            out.push_str(&format!(
                "  {:<10}  {:>7}  {:>7}  {:>6}\n",
                plural(kind),
                c.copied,
                c.skipped,
                c.failed
            ));
        }
        if self.bytes > 0 {
            out.push_str(&format!(
                "Read {} from {}.\n",
                output::bytes(self.bytes),
                self.from
            ));
        }
        // Skipped, by kind and reason.
        let mut reasons: BTreeMap<(Kind, &str), usize> = BTreeMap::new();
        for item in &report.items {
            if let Outcome::Skipped { reason, .. } = &item.outcome {
                *reasons.entry((item.kind, reason.as_str())).or_default() += 1;
            }
        }
        for ((kind, reason), n) in reasons {
            let noun = if n == 1 { kind.name() } else { plural(kind) };
            out.push_str(&format!("Skipped {n} {noun}: {reason}.\n"));
        }
        let failed: Vec<&Item> = report
            .items
            .iter()
            .filter(|i| i.status() == Status::Failed)
            .collect();
        for item in failed.iter().take(FAILURES_SHOWN) {
            let Outcome::Failed { error } = &item.outcome else {
                continue;
            };
            let what = if item.listing {
                item.label.clone()
            } else {
                format!(
                    "{} {} ({})",
                    item.kind.name(),
                    item.source_id,
                    describe(item)
                )
            };
            out.push_str(&format!("Failed: {what}: {}\n", error::message(error)));
        }
        if failed.len() > FAILURES_SHOWN {
            out.push_str(&format!(
                "Failed: … and {} more (--json lists every one).\n",
                failed.len() - FAILURES_SHOWN
            ));
        }
        if dry {
            out.push_str("Dry run: nothing was written.\n");
        }
        out
    }
}

/// An item's label, and for an episode or artifact its benchmark.
fn describe(item: &Item) -> String {
    match (&item.benchmark_id, item.kind) {
        (Some(benchmark), Kind::Episode | Kind::Artifact) => {
            format!("{}, of benchmark {benchmark}", item.label)
        }
        _ => item.label.clone(),
    }
}

fn line(item: &Item) -> Line {
    let (destination_id, reason, error) = match &item.outcome {
        Outcome::Copied { destination_id } => (destination_id.clone(), None, None),
        Outcome::Skipped {
            destination_id,
            reason,
        } => (destination_id.clone(), Some(reason.clone()), None),
        Outcome::Failed { error } => (None, None, Some(error::message(error))),
        _ => (None, None, None),
    };
    Line {
        kind: item.kind.name(),
        source_id: item.source_id.clone(),
        listing: item.listing,
        label: item.label.clone(),
        benchmark_id: item.benchmark_id.clone(),
        status: status_name(item.status()),
        destination_id,
        reason,
        error,
    }
}
