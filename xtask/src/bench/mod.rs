//! `cargo xtask bench`: the Rust client against pytupli's on the same bytes,
//! and both against what the machine can do without any client logic.
//!
//! Every measured run is its own process: the release-built `bench-client`
//! of `xtask/harness`, `bench-limits` (`xtask/harness/limits`, built with
//! `-C target-cpu=native`), or `xtask/bench/pytupli_client.py` in the
//! reference-server venv. Each reports the CPU (`getrusage`, both sides),
//! wall time and peak RSS of its operation alone, counts, and a checksum of
//! the floats it decoded or sent. Within a section the programs take turns
//! (A B C A B C …, `--runs` rounds), so noise on the shared machine falls on
//! all of them; every figure is reported as min/median/max, the median of
//! each figure taken on its own (`per_run` in summary.json lists every run).
//!
//! Nothing is taken on trust: a missing field, a count that is not the
//! plan's, a checksum that differs from what the generator wrote (in any
//! run), what the canned server received, a written file that does not read
//! back: each fails the bench.

mod artifacts;
mod baseline;
mod canned;
mod context;
mod dataset;
mod decode;
mod encode;
mod end_to_end;
mod floats;
mod goals;
mod inputs;
mod measured;
mod payload_limits;
mod plan;
mod programs;
mod python;
mod python_report;
mod python_steps;
mod python_venv;
mod series;
mod table;

use std::path::PathBuf;
use std::process::Command;

use anyhow::{ensure, Result};
use serde_json::{json, Value};

use crate::server;
use crate::target_dir;
use context::Ctx;
use goals::Goal;
use plan::Plan;
use table::Table;

/// The sections, in the order they run.
pub const SECTIONS: [&str; 6] = ["decode", "encode", "artifacts", "e2e", "dataset", "python"];

/// One mebibyte, for the RSS goals.
const MIB: f64 = (1u64 << 20) as f64;

/// Where the bench keeps its inputs, what the programs write, and
/// summary.json.
fn dir() -> PathBuf {
    target_dir().join("bench")
}

/// Runs the sections asked for (all of them if `only` is empty), prints
/// the table and the goals, and writes summary.json.
pub fn run(
    quick: bool,
    runs: Option<usize>,
    only: &[String],
    profile: Option<PathBuf>,
) -> Result<()> {
    for section in only {
        ensure!(
            SECTIONS.contains(&section.as_str()),
            "unknown section {section:?}; the sections are {}",
            SECTIONS.join(", ")
        );
    }
    let wanted = |section: &str| only.is_empty() || only.iter().any(|s| s == section);
    let plan = Plan::new(quick, runs);
    ensure!(plan.runs >= 1, "--runs must be at least 1");
    std::fs::create_dir_all(dir())?;
    let python = server::ensure_venv()?;
    let mut programs = programs::build(python)?;
    if let Some(dir) = profile {
        let found = Command::new("perf").arg("--version").output();
        ensure!(
            found.is_ok_and(|o| o.status.success()),
            "--profile needs `perf` on the PATH"
        );
        std::fs::create_dir_all(&dir)?;
        programs.profile = Some(dir);
    }
    let python_programs = if wanted("python") {
        Some(python_venv::prepare(&programs.python)?)
    } else {
        None
    };

    let payload = if wanted("decode") || wanted("dataset") || wanted("python") {
        Some(inputs::episodes_payload(&programs, &plan)?)
    } else {
        None
    };
    let (artifact_file, block, artifact_hash) = if wanted("artifacts") || wanted("python") {
        let (path, block, hash) = inputs::artifact(&programs.python, plan.artifact_bytes)?;
        (Some(path), block, hash)
    } else {
        (None, Vec::new(), String::new())
    };
    let canned = canned::start(canned::Content {
        episodes: match &payload {
            Some(p) => std::fs::read(&p.items)?,
            None => Vec::new(),
        },
        headers: match &payload {
            Some(p) => std::fs::read(&p.headers)?,
            None => Vec::new(),
        },
        artifact_len: if artifact_file.is_some() {
            plan.artifact_bytes
        } else {
            0
        },
        artifact_block: block,
        artifact_hash: artifact_hash.clone(),
    })?;

    let mut table = Table::default();
    let mut goals: Vec<Goal> = Vec::new();
    let mut summary = serde_json::Map::new();
    summary.insert("machine".into(), json!(machine()));
    summary.insert("quick".into(), json!(quick));
    summary.insert("runs".into(), json!(plan.runs));
    summary.insert(
        "method".into(),
        json!(
            "each program a process of its own, taking turns within a section (A B C A B C …); \
             CPU = user + sys from getrusage, read before any checksum; every figure is \
             min/median/max over the runs, the median of each figure taken on its own \
             (per_run lists every run); ratio_* fields divide medians"
        ),
    );

    let ctx = Ctx {
        plan: &plan,
        programs: &programs,
        canned: &canned,
    };
    let (bases, baseline) = baseline::measure(&ctx, &mut table)?;
    summary.insert("baseline".into(), baseline);

    if let (true, Some(payload)) = (wanted("decode"), &payload) {
        let value = decode::measure(&ctx, payload, &bases, &mut table, &mut goals)?;
        summary.insert("decode".into(), value);
    }
    if wanted("encode") {
        let value = encode::measure(&ctx, &bases, &mut table, &mut goals)?;
        summary.insert("encode".into(), value);
    }
    if let (true, Some(file)) = (wanted("artifacts"), &artifact_file) {
        let value = artifacts::measure(&ctx, file, &artifact_hash, &bases, &mut table, &mut goals)?;
        summary.insert("artifacts".into(), value);
    }
    if wanted("e2e") {
        let value = end_to_end::measure(&ctx, &mut table)?;
        summary.insert("end_to_end".into(), value);
    }
    if let (true, Some(payload)) = (wanted("dataset"), &payload) {
        let value = dataset::measure(&ctx, payload, &bases, &mut table, &mut goals)?;
        summary.insert("dataset".into(), value);
    }
    if let (Some(py), Some(payload), Some(file)) = (&python_programs, &payload, &artifact_file) {
        let inputs = python::Inputs {
            payload,
            artifact_sha256: &programs.sha256(file)?,
            quick,
        };
        let value = python::measure(&ctx, py, &inputs, &bases, &mut table, &mut goals)?;
        summary.insert("python".into(), value);
    }
    summary.insert(
        "goals".into(),
        Value::Array(goals.iter().map(Goal::json).collect()),
    );

    let summary = Value::Object(summary);
    let out = dir().join("summary.json");
    std::fs::write(&out, serde_json::to_string_pretty(&summary)? + "\n")?;
    println!("\n{}", machine());
    print!("{}", table.render(plan.runs));
    println!("{}", goals::render_goals(&goals));
    println!("wrote {}", out.display());
    Ok(())
}

/// `a / b`: how many times `b` fits in `a`.
fn ratio(a: f64, b: f64) -> f64 {
    a / b
}

/// The CPU model and how many cores: printed, and in summary.json.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}
