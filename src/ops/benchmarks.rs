//! Benchmarks: [`BenchmarkStorage`] for the client.

use async_trait::async_trait;

use crate::client::TupliApiClient;
use crate::error::Result;
use crate::filter::Filter;
use crate::models::{Benchmark, BenchmarkHeader, BenchmarkQuery};
use crate::retry::Retry;
use crate::storage::BenchmarkStorage;
use crate::validate;

/// A missing id is not an error for deleting; a hash stored again is a
/// conflict (409, [`Error::is_conflict`](crate::Error::is_conflict)).
#[async_trait]
impl BenchmarkStorage for TupliApiClient {
    async fn store_benchmark(&self, benchmark: &BenchmarkQuery) -> Result<BenchmarkHeader> {
        validate::name("benchmark.hash", &benchmark.hash)?;
        validate::name("benchmark.metadata.name", &benchmark.metadata.name)?;
        self.call(Retry::Safe, |api| async move {
            api.store_benchmark().body(benchmark.clone()).send().await
        })
        .await
    }

    async fn load_benchmark(&self, benchmark_id: &str) -> Result<Benchmark> {
        validate::name("benchmark_id", benchmark_id)?;
        self.call(Retry::Safe, |api| async move {
            api.load_benchmark().benchmark_id(benchmark_id).send().await
        })
        .await
    }

    async fn list_benchmarks(&self, filter: &Filter) -> Result<Vec<BenchmarkHeader>> {
        filter.validate()?;
        self.call(Retry::Safe, |api| async move {
            api.list_benchmarks().body(filter.clone()).send().await
        })
        .await
    }

    async fn delete_benchmark(&self, benchmark_id: &str) -> Result<()> {
        validate::name("benchmark_id", benchmark_id)?;
        self.call(Retry::Safe, |api| async move {
            api.delete_benchmark()
                .benchmark_id(benchmark_id)
                .send()
                .await
        })
        .await
    }

    async fn publish_benchmark(&self, benchmark_id: &str, publish_in: &str) -> Result<()> {
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

    async fn unpublish_benchmark(&self, benchmark_id: &str, unpublish_from: &str) -> Result<()> {
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
