//! Which objects a command works on: `--filter`/`--where` (a listing's, or
//! the episodes of an export or copy) and `--benchmark-filter`/`--benchmark-where`.

use clap::Args;
use tupli::Filter;

use crate::where_parser;

/// Which objects a listing shows.
#[derive(Debug, Args)]
pub(crate) struct FilterArgs {
    /// A filter as pytupli's JSON, e.g. '{"type": "EQ", "key": "metadata.name", "value": "x"}'
    #[arg(long, value_name = "JSON", value_parser = parse_filter)]
    pub(crate) filter: Option<Filter>,
    /// KEY=VALUE, KEY!=VALUE, KEY>=VALUE, KEY<=VALUE, KEY>VALUE, KEY<VALUE, KEY~=A,B or
    /// 'KEY in [JSON]'; repeatable, all must hold (values are JSON when they parse, else strings)
    #[arg(long = "where", value_name = "CONDITION", value_parser = where_parser::parse)]
    pub(crate) conditions: Vec<Filter>,
}

impl FilterArgs {
    /// `--filter` and every `--where`, combined with AND; everything when none is given.
    pub(crate) fn combined(&self) -> Filter {
        self.given().unwrap_or_default()
    }

    /// `--filter` and every `--where`, combined with AND; `None` when none is given.
    pub(crate) fn given(&self) -> Option<Filter> {
        all_of(self.filter.as_ref(), &self.conditions)
    }
}

/// Which benchmarks a dataset's episodes come from: `FilterArgs` for benchmarks.
#[derive(Debug, Args)]
pub(crate) struct BenchmarkFilterArgs {
    /// A filter on benchmarks as pytupli's JSON, e.g. '{"type": "EQ", "key": "metadata.name",
    /// "value": "cartpole"}'
    #[arg(long, value_name = "JSON", value_parser = parse_filter)]
    pub(crate) benchmark_filter: Option<Filter>,
    /// A condition on benchmarks, in --where's forms, e.g. metadata.name=cartpole; repeatable,
    /// all must hold
    #[arg(long = "benchmark-where", value_name = "CONDITION", value_parser = where_parser::parse)]
    pub(crate) benchmark_conditions: Vec<Filter>,
}

impl BenchmarkFilterArgs {
    /// `--benchmark-filter` and every `--benchmark-where`, combined with AND;
    /// everything when none is given.
    pub(crate) fn combined(&self) -> Filter {
        all_of(self.benchmark_filter.as_ref(), &self.benchmark_conditions).unwrap_or_default()
    }
}

/// `filter` and `conditions`, combined with AND; `None` when there are none.
fn all_of(filter: Option<&Filter>, conditions: &[Filter]) -> Option<Filter> {
    filter
        .into_iter()
        .chain(conditions)
        .cloned()
        .reduce(|all, next| all & next)
}

fn parse_filter(text: &str) -> Result<Filter, String> {
    let filter: Filter =
        serde_json::from_str(text).map_err(|e| format!("not a filter in JSON: {e}"))?;
    filter.validate().map_err(|e| e.to_string())?;
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::super::{ApiCommand, BenchmarkCommand, Cli, Command, EpisodeCommand};
    use super::*;
    use clap::Parser;

    #[test]
    fn filters_combine_with_and() {
        let cli = Cli::try_parse_from([
            "tupli",
            "list-benchmarks",
            "--filter",
            r#"{"type": "EQ", "key": "a", "value": 1}"#,
            "--where",
            "b>=2",
            "--where",
            "c=x",
        ])
        .unwrap();
        let Command::Api(ApiCommand::Benchmarks(BenchmarkCommand::ListBenchmarks { filter })) =
            cli.command
        else {
            panic!("parsed as {:?}", cli.command)
        };
        assert_eq!(
            filter.combined(),
            Filter::and([
                Filter::eq("a", 1),
                Filter::geq("b", 2),
                Filter::eq("c", "x")
            ])
        );
    }

    #[test]
    fn one_condition_is_not_wrapped() {
        let cli = Cli::try_parse_from(["tupli", "list-episodes", "--where", "n<3"]).unwrap();
        let Command::Api(ApiCommand::Episodes(EpisodeCommand::ListEpisodes { filter, .. })) =
            cli.command
        else {
            panic!()
        };
        assert_eq!(filter.combined(), Filter::lt("n", 3));
    }
}
