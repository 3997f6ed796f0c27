//! `copy`: from where to where, and which benchmarks and episodes.

use clap::Args;

use super::selection::{BenchmarkFilterArgs, FilterArgs};

/// What `copy` copies, from where to where.
#[derive(Debug, Args)]
pub(crate) struct CopyArgs {
    /// The source: a server URL (http://… or https://…) or a folder
    #[arg(long, value_name = "URL|DIR")]
    pub(crate) from: String,
    /// The destination: a server URL (you must be logged in there) or a folder (made when
    /// missing)
    #[arg(long, value_name = "URL|DIR")]
    pub(crate) to: String,
    /// List what would be copied and what is already there; write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// How many episodes (or artifacts) are written at a time
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) concurrency: u16,
    #[command(
        flatten,
        next_help_heading = "Benchmarks (copied with their episodes and artifacts)"
    )]
    pub(crate) benchmarks: BenchmarkFilterArgs,
    #[command(flatten, next_help_heading = "Episodes (of those benchmarks)")]
    pub(crate) episodes: FilterArgs,
}

#[cfg(test)]
mod tests {
    use super::super::{Cli, Command};
    use clap::Parser;
    use tupli::Filter;

    #[test]
    fn a_copy_filters_benchmarks_and_episodes_apart() {
        let cli = Cli::try_parse_from([
            "tupli",
            "copy",
            "--from",
            "./runs",
            "--to",
            "http://h:1",
            "--benchmark-where",
            "metadata.name=cartpole",
            "--where",
            "n_tuples>=3",
            "--dry-run",
        ])
        .unwrap();
        let Command::Copy(args) = cli.command else {
            panic!("parsed as {:?}", cli.command)
        };
        assert_eq!(
            (args.from.as_str(), args.to.as_str()),
            ("./runs", "http://h:1")
        );
        assert!(args.dry_run);
        assert_eq!(args.concurrency, 4);
        assert_eq!(
            args.benchmarks.combined(),
            Filter::eq("metadata.name", "cartpole")
        );
        assert_eq!(args.episodes.given(), Some(Filter::geq("n_tuples", 3)));
        for bad in ["0", "65", "x"] {
            let parsed = Cli::try_parse_from([
                "tupli",
                "copy",
                "--from",
                "a",
                "--to",
                "b",
                "--concurrency",
                bad,
            ]);
            assert!(parsed.is_err(), "{bad}");
        }
    }
}
