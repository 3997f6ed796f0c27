//! Benchmarks.

use crate::client::TupliApiClient;
use crate::error::Result;
use crate::filter::Filter;
use crate::models::{Benchmark, BenchmarkHeader, BenchmarkQuery};
use crate::retry::Retry;
use crate::validate;

impl TupliApiClient {
    /// Stores a benchmark. A hash the caller already stored, or one published
    /// globally, is a conflict (409, [`Error::is_conflict`](crate::Error::is_conflict)).
    pub async fn store_benchmark(&self, benchmark: BenchmarkQuery) -> Result<BenchmarkHeader> {
        validate::name("benchmark.hash", &benchmark.hash)?;
        validate::name("benchmark.metadata.name", &benchmark.metadata.name)?;
        self.call(Retry::Safe, |api| {
            let benchmark = benchmark.clone();
            async move { api.store_benchmark().body(benchmark).send().await }
        })
        .await
    }

    /// A benchmark with its serialized environment.
    pub async fn load_benchmark(&self, benchmark_id: &str) -> Result<Benchmark> {
        validate::name("benchmark_id", benchmark_id)?;
        self.call(Retry::Safe, |api| async move {
            api.load_benchmark().benchmark_id(benchmark_id).send().await
        })
        .await
    }

    /// Headers of the benchmarks matching `filter` (`None`: all visible ones).
    pub async fn list_benchmarks(&self, filter: Option<Filter>) -> Result<Vec<BenchmarkHeader>> {
        let filter = validate::filter(filter)?;
        self.call(Retry::Safe, |api| {
            let filter = filter.clone();
            async move { api.list_benchmarks().body(filter).send().await }
        })
        .await
    }

    /// Deletes a benchmark (a missing id is not an error).
    pub async fn delete_benchmark(&self, benchmark_id: &str) -> Result<()> {
        validate::name("benchmark_id", benchmark_id)?;
        self.call(Retry::Safe, |api| async move {
            api.delete_benchmark()
                .benchmark_id(benchmark_id)
                .send()
                .await
        })
        .await
    }

    /// Publishes a benchmark in a group; `None` means [`GLOBAL_GROUP`](crate::GLOBAL_GROUP).
    pub async fn publish_benchmark(
        &self,
        benchmark_id: &str,
        publish_in: Option<&str>,
    ) -> Result<()> {
        validate::name("benchmark_id", benchmark_id)?;
        let group = validate::publish_target(publish_in)?;
        self.call(Retry::Safe, |api| async move {
            api.publish_benchmark()
                .benchmark_id(benchmark_id)
                .publish_in(group)
                .send()
                .await
        })
        .await
    }

    /// Withdraws a benchmark from a group.
    pub async fn unpublish_benchmark(
        &self,
        benchmark_id: &str,
        unpublish_from: &str,
    ) -> Result<()> {
        validate::name("benchmark_id", benchmark_id)?;
        validate::name("unpublish_from", unpublish_from)?;
        self.call(Retry::Safe, |api| async move {
            api.unpublish_benchmark()
                .benchmark_id(benchmark_id)
                .unpublish_from(unpublish_from)
                .send()
                .await
        })
        .await
    }
}
