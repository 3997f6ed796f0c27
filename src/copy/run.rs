//! The copy itself: benchmarks first (mapped to the destination's ids), then
//! for each one its episodes and its artifacts. Each kind's steps are in its
//! own file: `benchmarks`, `episodes`, `artifacts`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::present::Present;
use super::{CopyProgress, CopyReport, CopyTask, Item, Selection};
use crate::error::Result;
use crate::models::BenchmarkHeader;
use crate::storage::TupliStorage;

/// Values in one `IN` filter when asking a storage about many objects.
pub(super) const ASK_BATCH: usize = 200;

/// Runs `task` to its end.
pub(super) async fn run(task: CopyTask<'_>) -> Result<CopyReport> {
    let run = Run {
        from: task.from,
        to: task.to,
        selection: task.selection,
        concurrency: task.concurrency,
        dry_run: task.dry_run,
        temp_dir: task.temp_dir.unwrap_or_else(std::env::temp_dir),
        progress: task.progress,
        items: Mutex::new(Vec::new()),
        present: tokio::sync::Mutex::new(None),
    };
    for benchmark in run.benchmarks().await? {
        run.episodes(&benchmark).await;
        run.artifacts(&benchmark).await;
    }
    Ok(CopyReport {
        from: run.from.describe(),
        to: run.to.describe(),
        dry_run: run.dry_run,
        items: run.items.into_inner().unwrap_or_else(|e| e.into_inner()),
    })
}

/// One copy's state.
pub(super) struct Run<'a> {
    pub(super) from: Box<dyn TupliStorage + 'a>,
    pub(super) to: Box<dyn TupliStorage + 'a>,
    pub(super) selection: Selection,
    pub(super) concurrency: usize,
    pub(super) dry_run: bool,
    pub(super) temp_dir: PathBuf,
    pub(super) progress: Arc<dyn CopyProgress>,
    /// What was done so far.
    pub(super) items: Mutex<Vec<Item>>,
    /// The destination's artifacts, listed once when first needed.
    pub(super) present: tokio::sync::Mutex<Option<Present>>,
}

/// A selected benchmark and where its copy is.
pub(super) struct Mapped {
    pub(super) source: BenchmarkHeader,
    /// The copy's id; `None` in a dry run, where it would be copied.
    pub(super) target: Option<String>,
}

/// The distinct values, in their first order.
pub(super) fn unique<'s>(values: impl Iterator<Item = &'s str>) -> Vec<&'s str> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(*v)).collect()
}
