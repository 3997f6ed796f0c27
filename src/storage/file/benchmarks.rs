//! Benchmarks: one JSON file each, deduplicated by hash under the
//! benchmarks lock.

use async_trait::async_trait;

use super::layout::{self, Kind};
use super::matcher::Scope;
use super::{blocking, json, write_json, FileStorage, CREATED_BY};
use crate::error::Result;
use crate::filter::Filter;
use crate::models::{Benchmark, BenchmarkHeader, BenchmarkQuery};
use crate::storage::BenchmarkStorage;
use crate::validate;

#[async_trait]
impl BenchmarkStorage for FileStorage {
    async fn store_benchmark(&self, query: &BenchmarkQuery) -> Result<BenchmarkHeader> {
        validate::name("benchmark.hash", &query.hash)?;
        validate::name("benchmark.metadata.name", &query.metadata.name)?;
        let _writing = self.inner.benchmarks.lock().await;
        let root = self.root();
        let query = query.clone();
        blocking(move || {
            for record in layout::read_all::<BenchmarkHeader>(&root, Kind::Benchmark)? {
                if record.model.hash == query.hash {
                    return Ok(record.model);
                }
            }
            let stamp = json::Stamp::new();
            let record = json::BenchmarkRecord::new(&stamp, &query);
            write_json(
                &layout::json_path(&root, Kind::Benchmark, &stamp.id),
                &record,
            )?;
            Ok(BenchmarkHeader {
                created_at: stamp.created_at.clone(),
                created_by: CREATED_BY.into(),
                hash: query.hash.clone(),
                id: stamp.id.clone(),
                metadata: query.metadata.clone(),
                published_in: vec![CREATED_BY.into()],
            })
        })
        .await
    }

    async fn load_benchmark(&self, id: &str) -> Result<Benchmark> {
        self.check_id(Kind::Benchmark, id)?;
        let root = self.root();
        let owned = id.to_string();
        blocking(move || layout::read_record::<Benchmark>(&root, Kind::Benchmark, &owned))
            .await?
            .map(|record| record.model)
            .ok_or_else(|| self.not_found(Kind::Benchmark, id))
    }

    async fn list_benchmarks(&self, filter: &Filter) -> Result<Vec<BenchmarkHeader>> {
        self.list_matching(filter, Scope::Document, Kind::Benchmark)
            .await
    }

    async fn delete_benchmark(&self, id: &str) -> Result<()> {
        let _writing = self.inner.benchmarks.lock().await;
        self.remove_json(Kind::Benchmark, id).await
    }

    async fn publish_benchmark(&self, benchmark_id: &str, publish_in: &str) -> Result<()> {
        self.publish(Kind::Benchmark, benchmark_id, "publish_in", publish_in)
            .await
    }

    async fn unpublish_benchmark(&self, benchmark_id: &str, unpublish_from: &str) -> Result<()> {
        self.publish(
            Kind::Benchmark,
            benchmark_id,
            "unpublish_from",
            unpublish_from,
        )
        .await
    }
}
