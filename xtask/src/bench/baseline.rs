//! The baselines: each client's process logging in and doing nothing else,
//! whose peak RSS the sections subtract for their net RSS.

use anyhow::Result;
use serde_json::{json, Value};

use super::context::Ctx;
use super::measured::Run;
use super::series::interleave;
use super::table::Table;

/// Median peak RSS of each side's baseline process.
pub(super) struct Bases {
    pub(super) rust: f64,
    pub(super) py: f64,
}

/// Measures both baselines, adds their rows to the table; their medians,
/// and their figures for summary.json.
pub(super) fn measure(ctx: &Ctx, table: &mut Table) -> Result<(Bases, Value)> {
    eprintln!("xtask bench: baselines (log in, nothing else)…");
    let baseline = interleave(
        ctx.plan.runs,
        vec![
            ("tupli: log in only".into(), ctx.step(rust_baseline)),
            (
                "pytupli: interpreter, imports, log in".into(),
                ctx.step(py_baseline),
            ),
        ],
    )?;
    let (rust_base, py_base) = (&baseline[0], &baseline[1]);
    table.section("baseline RSS: the process before any operation (subtracted for net RSS)");
    table.baseline(rust_base);
    table.baseline(py_base);
    let value = json!({"tupli": rust_base.json(), "pytupli": py_base.json()});
    let bases = Bases {
        rust: rust_base.rss().median,
        py: py_base.rss().median,
    };
    Ok((bases, value))
}

fn rust_baseline(ctx: &Ctx) -> Result<Run> {
    let run = ctx.programs.rust(&["baseline", ctx.url()])?;
    ctx.requests();
    Ok(run)
}

fn py_baseline(ctx: &Ctx) -> Result<Run> {
    let run = ctx.programs.py(&["baseline", ctx.url()])?;
    ctx.requests();
    Ok(run)
}
