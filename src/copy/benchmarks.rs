//! Copying the selected benchmarks: those the destination holds (by hash)
//! are mapped to its ids, the others stored there.

use std::collections::{HashMap, HashSet};

use super::items::{skipped, would_copy, ALREADY_THERE};
use super::run::{unique, Mapped, Run, ASK_BATCH};
use super::{Item, Kind, Outcome};
use crate::error::Result;
use crate::filter::Filter;
use crate::models::{BenchmarkHeader, BenchmarkQuery};

/// How a benchmark came to be in the destination.
enum Stored {
    /// Stored now.
    New(String),
    /// Storing answered 409, and the destination's benchmark of that hash
    /// was found.
    Found(String),
}

impl Run<'_> {
    /// The selected benchmarks, each found in or copied to the destination;
    /// those that could not be copied are reported and left out.
    pub(super) async fn benchmarks(&self) -> Result<Vec<Mapped>> {
        let found = self
            .from
            .list_benchmarks(self.selection.benchmark_filter())
            .await?;
        self.progress.found(Kind::Benchmark, found.len());
        // What the destination holds, by hash (the first of a hash wins).
        let mut there: HashMap<String, String> = HashMap::new();
        let hashes = unique(found.iter().map(|b| b.hash.as_str()));
        for batch in hashes.chunks(ASK_BATCH) {
            let ask = Filter::in_("hash", batch.iter().copied());
            for header in self.to.list_benchmarks(&ask).await? {
                there.entry(header.hash).or_insert(header.id);
            }
        }
        // In a dry run: the hashes that would be copied.
        let mut would: HashSet<String> = HashSet::new();
        let mut mapped = Vec::new();
        for source in found {
            let item = |outcome| Item {
                kind: Kind::Benchmark,
                source_id: source.id.clone(),
                listing: false,
                label: source.metadata.name.clone(),
                benchmark_id: None,
                bytes: 0,
                outcome,
            };
            if let Some(id) = there.get(&source.hash) {
                self.record(item(skipped(Some(id.as_str()), ALREADY_THERE.into())));
                mapped.push(Mapped {
                    target: Some(id.clone()),
                    source,
                });
                continue;
            }
            if self.dry_run {
                let outcome = if would.insert(source.hash.clone()) {
                    would_copy()
                } else {
                    skipped(
                        None,
                        "another benchmark of the copy has the same hash".into(),
                    )
                };
                self.record(item(outcome));
                mapped.push(Mapped {
                    source,
                    target: None,
                });
                continue;
            }
            let (outcome, target) = match self.copy_benchmark(&source).await {
                Ok(Stored::New(id)) => (
                    Outcome::Copied {
                        destination_id: Some(id.clone()),
                    },
                    Some(id),
                ),
                Ok(Stored::Found(id)) => (
                    skipped(
                        Some(id.as_str()),
                        format!("{ALREADY_THERE} (storing it answered 409 Conflict)"),
                    ),
                    Some(id),
                ),
                Err(error) => (Outcome::Failed { error }, None),
            };
            self.record(item(outcome));
            if let Some(id) = target {
                there.insert(source.hash.clone(), id.clone());
                mapped.push(Mapped {
                    source,
                    target: Some(id),
                });
            }
        }
        Ok(mapped)
    }

    /// Loads the benchmark whole from the source and stores it in the
    /// destination; a 409 there means it holds the hash: it is found by it.
    async fn copy_benchmark(&self, source: &BenchmarkHeader) -> Result<Stored> {
        let full = self.from.load_benchmark(&source.id).await?;
        let query = BenchmarkQuery {
            hash: full.hash,
            metadata: full.metadata,
            serialized: full.serialized,
        };
        match self.to.store_benchmark(&query).await {
            Ok(header) => Ok(Stored::New(header.id)),
            Err(error) if error.is_conflict() => {
                let found = self
                    .to
                    .list_benchmarks(&Filter::eq("hash", query.hash.as_str()))
                    .await?;
                match found.into_iter().next() {
                    Some(header) => Ok(Stored::Found(header.id)),
                    None => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }
}
