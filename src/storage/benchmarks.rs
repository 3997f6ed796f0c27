//! [`BenchmarkStorage`]: the benchmark operations every storage has.

use async_trait::async_trait;

use crate::error::Result;
use crate::filter::Filter;
use crate::models::{Benchmark, BenchmarkHeader, BenchmarkQuery};

/// Benchmarks: stored once per hash, loaded with their serialized
/// environment, listed, deleted and published. Part of
/// [`TupliStorage`](super::TupliStorage).
#[async_trait]
pub trait BenchmarkStorage: Send + Sync {
    /// Stores a benchmark; one with the same hash is not stored twice (a
    /// server answers a conflict, 409, for a hash the caller already stored
    /// or one published globally; a folder answers the stored header).
    async fn store_benchmark(&self, benchmark: &BenchmarkQuery) -> Result<BenchmarkHeader>;

    /// Loads a benchmark with its serialized environment.
    async fn load_benchmark(&self, benchmark_id: &str) -> Result<Benchmark>;

    /// Lists the headers of the visible benchmarks matching `filter`
    /// ([`Filter::all`] for every one).
    async fn list_benchmarks(&self, filter: &Filter) -> Result<Vec<BenchmarkHeader>>;

    /// Deletes a benchmark.
    async fn delete_benchmark(&self, benchmark_id: &str) -> Result<()>;

    /// Publishes a benchmark in a group ([`GLOBAL_GROUP`](crate::GLOBAL_GROUP):
    /// for everyone).
    async fn publish_benchmark(&self, benchmark_id: &str, publish_in: &str) -> Result<()>;

    /// Withdraws a benchmark from a group.
    async fn unpublish_benchmark(&self, benchmark_id: &str, unpublish_from: &str) -> Result<()>;
}
