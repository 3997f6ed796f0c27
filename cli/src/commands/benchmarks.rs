//! Benchmarks: `store-benchmark`, `load-benchmark`, `list-benchmarks`,
//! `delete-benchmark`, `publish-benchmark`, `unpublish-benchmark`.

use tupli::models::BenchmarkQuery;

use super::Target;
use crate::args::BenchmarkCommand;
use crate::error::CliError;
use crate::input::read_json;
use crate::output;

pub(crate) async fn run(target: Target<'_>, command: BenchmarkCommand) -> Result<(), CliError> {
    let c = target.storage;
    match command {
        BenchmarkCommand::StoreBenchmark { file } => {
            let benchmark: BenchmarkQuery = read_json(&file, "a benchmark")?;
            output::one(&c.store_benchmark(&benchmark).await?)
        }
        BenchmarkCommand::LoadBenchmark { id } => output::one(&c.load_benchmark(&id).await?),
        BenchmarkCommand::ListBenchmarks { filter } => {
            output::list(&c.list_benchmarks(&filter.combined()).await?, "benchmarks")
        }
        BenchmarkCommand::DeleteBenchmark { id, .. } => {
            c.delete_benchmark(&id).await?;
            output::say(&format!("Deleted benchmark {id}."))
        }
        BenchmarkCommand::PublishBenchmark { id, group } => {
            c.publish_benchmark(&id, &group.group).await?;
            target.published("benchmark", &id, "Published", "in", &group.group)
        }
        BenchmarkCommand::UnpublishBenchmark { id, group } => {
            c.unpublish_benchmark(&id, &group.group).await?;
            target.published("benchmark", &id, "Withdrew", "from", &group.group)
        }
    }
}
