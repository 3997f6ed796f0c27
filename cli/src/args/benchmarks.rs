//! The benchmarks' subcommands.

use std::path::PathBuf;

use clap::Subcommand;

use super::common::{ConfirmArgs, PublishArgs, UnpublishArgs};
use super::selection::FilterArgs;

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub(crate) enum BenchmarkCommand {
    /// Store a benchmark from a JSON file: {"hash", "serialized", "metadata": {"name", …}}
    StoreBenchmark {
        /// The benchmark as JSON (`-`: standard input)
        file: PathBuf,
    },
    /// Show a benchmark with its serialized environment
    LoadBenchmark {
        /// Benchmark id
        id: String,
    },
    /// List benchmarks
    ListBenchmarks {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Delete a benchmark
    DeleteBenchmark {
        /// Benchmark id
        id: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Publish a benchmark in a group
    PublishBenchmark {
        /// Benchmark id
        id: String,
        #[command(flatten)]
        group: PublishArgs,
    },
    /// Withdraw a benchmark from a group
    UnpublishBenchmark {
        /// Benchmark id
        id: String,
        #[command(flatten)]
        group: UnpublishArgs,
    },
}
