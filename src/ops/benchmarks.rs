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
    pub async fn store_benchmark(&self, benchmark: &BenchmarkQuery) -> Result<BenchmarkHeader> {
        validate::name("benchmark.hash", &benchmark.hash)?;
        validate::name("benchmark.metadata.name", &benchmark.metadata.name)?;
        self.call(Retry::Safe, |api| async move {
            api.store_benchmark().body(benchmark.clone()).send().await
        })
        .await
    }

    /// Loads a benchmark with its serialized environment.
    pub async fn load_benchmark(&self, benchmark_id: &str) -> Result<Benchmark> {
        validate::name("benchmark_id", benchmark_id)?;
        self.call(Retry::Safe, |api| async move {
            api.load_benchmark().benchmark_id(benchmark_id).send().await
        })
        .await
    }

    /// Lists the headers of the visible benchmarks matching `filter`
    /// ([`Filter::all`] for every one).
    pub async fn list_benchmarks(&self, filter: &Filter) -> Result<Vec<BenchmarkHeader>> {
        filter.validate()?;
        self.call(Retry::Safe, |api| async move {
            api.list_benchmarks().body(filter.clone()).send().await
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

    /// Publishes a benchmark in a group ([`GLOBAL_GROUP`](crate::GLOBAL_GROUP):
    /// for everyone).
    pub async fn publish_benchmark(&self, benchmark_id: &str, publish_in: &str) -> Result<()> {
        validate::name("benchmark_id", benchmark_id)?;
        validate::name("publish_in", publish_in)?;
        self.call(Retry::Safe, |api| async move {
            api.publish_benchmark()
                .benchmark_id(benchmark_id)
                .publish_in(publish_in)
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
