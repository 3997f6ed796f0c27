//! The python section's steps, in the order they take turns: each a run of
//! one program (tupli's Python package, pytupli's client, the Rust client or
//! a limit), checked by [`Checks`] before its figures count.

use anyhow::{ensure, Context, Result};

use super::measured::Run;
use super::programs::path_str;
use super::python::{agree, Checks};
use super::series::Step;

/// The labels of the steps, in order (`python_report.rs` reads the series
/// in this order).
pub(super) const LABELS: [&str; 23] = [
    "tupli py: interpreter, imports, log in",
    "pytupli: interpreter, imports, log in",
    "tupli py: TupliDataset load + d4rl (float32)",
    "tupli py: TupliDataset load + d4rl (float64)",
    "tupli Rust: Dataset::columns (f64)",
    "pytupli: TupliDataset load + d4rl (float32)",
    "tupli py: list_episodes(include_tuples=True)",
    "tupli Rust: list_episode_items",
    "pytupli: list_episodes(include_tuples=True)",
    "tupli py: record_episode",
    "tupli Rust: record_episode",
    "pytupli: record_episode",
    "tupli py: load_artifact",
    "pytupli: load_artifact",
    "limit: loopback download, reqwest discards",
    "limit: sha256 of the artifact (read + hash)",
    "gym: CartPole loop, no wrapper",
    "gym: tupli TupliEnvWrapper, recording off",
    "gym: tupli TupliEnvWrapper recording",
    "gym: pytupli TupliEnvWrapper recording",
    "gil: counting during tupli loads",
    "gil: counting during Rust loads (another process)",
    "gil: counting during pytupli loads",
];

/// The run's checksum.
fn checksum(run: &Run) -> Result<String> {
    run.checksum.clone().context("no checksum")
}

/// Every step, labelled ([`LABELS`]).
pub(super) fn steps<'a>(c: &'a Checks<'a>) -> Vec<(String, Step<'a>)> {
    let (url, rows) = (c.url(), c.ctx.plan.rows());
    let (rust, py) = (c.ctx.programs, c.py);
    let run: [Step<'a>; LABELS.len()] = [
        Box::new(move || {
            let run = py.tupli(&["baseline", url])?;
            c.ctx.requests();
            Ok(run)
        }),
        Box::new(move || {
            let run = py.pytupli(&["baseline", url])?;
            c.ctx.requests();
            Ok(run)
        }),
        Box::new(move || {
            let what = "tupli TupliDataset (float32)";
            let run = py.tupli(&["dataset", url, "float32"])?;
            run.expect_count(rows, what)?;
            agree(&c.f32_checksum, checksum(&run)?, what)?;
            c.benchmarks(&run, what)?;
            let names = c.loaded(what, 1, true)?;
            agree(&c.tupli_requests, names, &format!("{what}: requests"))?;
            Ok(run)
        }),
        Box::new(move || {
            let what = "tupli TupliDataset (float64)";
            let run = py.tupli(&["dataset", url, "float64"])?;
            run.expect_count(rows, what)?;
            run.expect_checksum(c.expected, what)?;
            c.benchmarks(&run, what)?;
            agree(&c.tupli_requests, c.loaded(what, 1, true)?, what)?;
            Ok(run)
        }),
        Box::new(move || {
            let what = "Rust Dataset::columns";
            let run = rust.rust(&["dataset-columns", url])?;
            run.expect_count(rows, what)?;
            run.expect_checksum(c.expected, what)?;
            c.loaded(what, 1, true)?;
            Ok(run)
        }),
        Box::new(move || {
            let what = "pytupli TupliDataset";
            let run = py.pytupli(&["d4rl", url])?;
            run.expect_count(rows, what)?;
            run.expect_number("tuples", rows, what)?;
            agree(&c.f32_checksum, checksum(&run)?, what)?;
            ensure!(
                run.report["f64_checksum"].as_str() == Some(c.expected),
                "{what}: its tuples are not the generator's floats"
            );
            c.benchmarks(&run, what)?;
            let names = c.loaded(what, 1, false)?;
            ensure!(
                names == ["/benchmarks/list", "/episodes/list tuples"],
                "{what}: the canned server was asked {names:?}"
            );
            Ok(run)
        }),
        Box::new(move || {
            let run = py.tupli(&["decode", url])?;
            c.listed(&run, "tupli list_episodes")?;
            ensure!(
                run.report["types"] == serde_json::json!(["RLTuple"]),
                "tupli list_episodes made {} objects",
                run.report["types"]
            );
            Ok(run)
        }),
        Box::new(move || {
            let run = rust.rust(&["decode-vec", url])?;
            c.listed(&run, "Rust list_episode_items")?;
            Ok(run)
        }),
        Box::new(move || {
            let run = py.pytupli(&["decode", url])?;
            c.listed(&run, "pytupli list_episodes")?;
            Ok(run)
        }),
        Box::new(move || {
            let run = py.tupli(&["encode", url, &c.episode])?;
            c.recorded(&run, "tupli record_episode")?;
            Ok(run)
        }),
        Box::new(move || {
            let run = rust.rust(&["encode", url, &c.episode])?;
            c.recorded(&run, "Rust record_episode")?;
            Ok(run)
        }),
        Box::new(move || {
            let run = py.pytupli(&["encode", url, &c.episode])?;
            c.recorded(&run, "pytupli record_episode")?;
            Ok(run)
        }),
        Box::new(move || {
            let run = py.tupli(&["load-artifact", url])?;
            c.downloaded(&run, "tupli load_artifact", true)?;
            Ok(run)
        }),
        Box::new(move || {
            let run = py.pytupli(&["load-artifact", url])?;
            c.downloaded(&run, "pytupli load_artifact", true)?;
            Ok(run)
        }),
        Box::new(move || {
            let run = rust.rust(&["loopback-download", url])?;
            c.downloaded(&run, "loopback download", false)?;
            Ok(run)
        }),
        Box::new(move || {
            let file = super::dir().join(format!("artifact-{}.bin", c.ctx.plan.artifact_bytes));
            let run = rust.rust(&["sha256", path_str(&file)?])?;
            run.expect_count(c.ctx.plan.artifact_bytes as usize, "sha256")?;
            run.expect_checksum(c.artifact_sha256, "sha256")?;
            Ok(run)
        }),
        Box::new(move || {
            let run = py.tupli(&["gym", url, "plain", &c.gym_spec])?;
            c.looped(&run, "gym loop, no wrapper", false)?;
            Ok(run)
        }),
        Box::new(move || {
            let run = py.tupli(&["gym", url, "off", &c.gym_spec])?;
            c.looped(&run, "gym loop, tupli wrapper not recording", false)?;
            Ok(run)
        }),
        Box::new(move || {
            let run = py.tupli(&["gym", url, "record", &c.gym_spec])?;
            c.looped(&run, "gym loop, tupli recording", true)?;
            Ok(run)
        }),
        Box::new(move || {
            let run = py.pytupli(&["gym", url, &c.gym_spec])?;
            c.looped(&run, "gym loop, pytupli recording", true)?;
            Ok(run)
        }),
        Box::new(move || {
            let what = "counting during tupli loads";
            let run = py.tupli(&["gil", url, c.gil_spec])?;
            run.expect_count(rows, what)?;
            agree(&c.f32_checksum, checksum(&run)?, what)?;
            c.loaded(what, run.number("loads")? as usize, true)?;
            Ok(run)
        }),
        Box::new(move || {
            let what = "counting during Rust loads";
            let client = path_str(rust.rust_path())?;
            let run = py.tupli(&["gil-control", url, c.gil_spec, client])?;
            run.expect_count(rows, what)?;
            run.expect_checksum(c.expected, what)?;
            c.loaded(what, run.number("loads")? as usize, true)?;
            Ok(run)
        }),
        Box::new(move || {
            let what = "counting during pytupli loads";
            let run = py.pytupli(&["gil", url, c.gil_spec])?;
            run.expect_count(rows, what)?;
            run.expect_checksum(c.expected, what)?;
            c.loaded(what, run.number("loads")? as usize, false)?;
            Ok(run)
        }),
    ];
    LABELS.iter().map(|l| l.to_string()).zip(run).collect()
}
