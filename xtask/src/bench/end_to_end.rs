//! The e2e section: recording episodes into the reference server, one at a
//! time and many in flight, tupli against pytupli (server-bound, so no
//! client limit).

use anyhow::{bail, Result};
use serde_json::{json, Value};

use super::context::Ctx;
use super::inputs::episode_file;
use super::measured::Run;
use super::programs::path_str;
use super::ratio;
use super::series::{interleave, Series, Stat, Step};
use super::table::Table;
use crate::server::{self, StartArgs};

/// Measures the section and adds its rows and note; its summary.json
/// entry.
pub(super) fn measure(ctx: &Ctx, table: &mut Table) -> Result<Value> {
    let plan = ctx.plan;
    let (episodes, tuples, concurrency) =
        (plan.e2e_episodes, plan.e2e_tuples, plan.e2e_concurrency);
    eprintln!("xtask bench: end to end against the reference server…");
    let (file, meta) = episode_file(ctx.programs, tuples, 2)?;
    let _stop = server::StopOnDrop("bench".into());
    let reference = server::start(&StartArgs::named("bench"))?;
    create_bench_user(&reference)?;
    let spec = |c: usize| -> Result<String> { Ok(format!("{}:{episodes}:{c}", path_str(&file)?)) };
    let (sequential, parallel) = (spec(1)?, spec(concurrency)?);
    let recorded = |run: &Run, what: &str| -> Result<()> {
        run.expect_count(episodes, what)?;
        run.expect_number("tuples", episodes * tuples, what)?;
        run.expect_checksum(&meta.checksum, what)?;
        Ok(())
    };
    let reference = reference.as_str();
    let programs = ctx.programs;
    let step = |rust: bool, spec: &str, what: &'static str| -> Step<'_> {
        let spec = spec.to_string();
        Box::new(move || {
            let args = ["e2e", reference, spec.as_str()];
            let run = if rust {
                programs.rust(&args)?
            } else {
                programs.py(&args)?
            };
            recorded(&run, what)?;
            Ok(run)
        })
    };
    let series = interleave(
        plan.runs,
        vec![
            (
                "tupli, one request at a time".into(),
                step(true, &sequential, "tupli e2e sequential"),
            ),
            (
                "pytupli, one request at a time".into(),
                step(false, &sequential, "pytupli e2e sequential"),
            ),
            (
                format!("tupli, {concurrency} in flight (one client)"),
                step(true, &parallel, "tupli e2e concurrent"),
            ),
            (
                format!("pytupli, {concurrency} threads"),
                step(false, &parallel, "pytupli e2e concurrent"),
            ),
        ],
    )?;
    let [rust_seq, py_seq, rust_par, py_par] = &series[..] else {
        bail!("e2e: {} series", series.len());
    };
    let per_s = |s: &Series| Stat::of(s.runs.iter().map(|r| r.count / r.wall));
    table.section(&format!(
        "end to end: record {episodes} episodes of {tuples} tuples into the reference server (server-bound: no client limit)"
    ));
    for s in &series {
        table.row(s, None);
    }
    let eps = |s: &Series| per_s(s).median;
    table.note(&format!(
        "episodes/s: sequential tupli {:.1}, pytupli {:.1} ({:.1}×); {concurrency} in flight tupli {:.1}, pytupli {:.1} ({:.1}×)",
        eps(rust_seq),
        eps(py_seq),
        ratio(eps(rust_seq), eps(py_seq)),
        eps(rust_par),
        eps(py_par),
        ratio(eps(rust_par), eps(py_par)),
    ));
    let rate = |s: &Series| json!({"figures": s.json(), "episodes_per_s": per_s(s).json()});
    Ok(json!({
        "episodes": episodes,
        "tuples_per_episode": tuples,
        "concurrency": concurrency,
        "tupli_sequential": rate(rust_seq),
        "pytupli_sequential": rate(py_seq),
        "tupli_concurrent": rate(rust_par),
        "pytupli_concurrent": rate(py_par),
        "ratio_throughput_sequential": ratio(eps(rust_seq), eps(py_seq)),
        "ratio_throughput_concurrent": ratio(eps(rust_par), eps(py_par)),
        "ratio_cpu_sequential": ratio(py_seq.cpu().median, rust_seq.cpu().median),
        "ratio_cpu_concurrent": ratio(py_par.cpu().median, rust_par.cpu().median),
    }))
}

/// Signs up the `bench` user both clients log in as.
fn create_bench_user(url: &str) -> Result<()> {
    let body = json!({"username": "bench", "password": "bench-password"}).to_string();
    let (status, answer) = crate::http::post_json(&format!("{url}/access/users/create"), &body)?;
    if status != 200 && status != 409 {
        bail!(
            "creating the bench user: {status} {}",
            String::from_utf8_lossy(&answer)
        );
    }
    Ok(())
}
