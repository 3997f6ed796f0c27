//! The python section's figures: its rows and notes in the table, its goals,
//! and its summary.json entry (`python.*`, the ratios as `ratio_*`).

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::baseline::Bases;
use super::context::Ctx;
use super::goals::Goal;
use super::series::{Series, Stat};
use super::table::Table;
use super::{ratio, MIB};

/// What the runs were checked against, for the summary.
pub(super) struct Checked {
    /// The generator's checksum of the payload's floats (f64).
    pub(super) checksum: String,
    /// The float32 columns' checksum every run agreed on.
    pub(super) checksum_f32: String,
    /// The steps every gym loop took.
    pub(super) gym_steps: u64,
    /// The episodes of each gym loop.
    pub(super) gym_episodes: usize,
    /// The requests one `TupliDataset.load()` of tupli's made.
    pub(super) tupli_requests_per_load: Vec<String>,
    /// The revision of the work tree the wheel was built from.
    pub(super) revision: String,
}

/// A figure of each run's report (found by `path`, keys into nested
/// objects), min/median/max over the runs.
fn reported(series: &Series, path: &[&str]) -> Result<Stat> {
    let values = series
        .runs
        .iter()
        .map(|run| {
            path.iter()
                .try_fold(&run.report, |v, key| v.get(key))
                .and_then(Value::as_f64)
                .with_context(|| format!("{}: no {path:?} in {}", series.label, run.report))
        })
        .collect::<Result<Vec<f64>>>()?;
    Ok(Stat::of(values))
}

/// Per run, `f` of its report, min/median/max.
fn per_run(series: &Series, f: impl Fn(&Value) -> Option<f64>) -> Result<Stat> {
    let values = series
        .runs
        .iter()
        .map(|run| f(&run.report).with_context(|| format!("{}: {}", series.label, run.report)))
        .collect::<Result<Vec<f64>>>()?;
    Ok(Stat::of(values))
}

/// The counting runs' figures: the rate during the loads over the rate
/// alone, and how the counter thread spent the loads' time (running,
/// runnable with no core free, or blocked: on the GIL, mostly).
fn counting(series: &Series) -> Result<Value> {
    let share = |key: &'static str| {
        move |r: &Value| Some(r["during"][key].as_f64()? / r["during"]["wall"].as_f64()?)
    };
    let blocked = |r: &Value| {
        let d = &r["during"];
        let wall = d["wall"].as_f64()?;
        Some(1.0 - (d["cpu"].as_f64()? + d["runnable_wait"].as_f64()?) / wall)
    };
    Ok(json!({
        "series": series.json(),
        "ratio_rate": per_run(series, |r| Some(r["rate_during"].as_f64()? / r["rate_alone"].as_f64()?))?.json(),
        "rate_alone_per_s": reported(series, &["rate_alone"])?.json(),
        "rate_during_per_s": reported(series, &["rate_during"])?.json(),
        "loads": reported(series, &["loads"])?.json(),
        "counter_running_share": per_run(series, share("cpu"))?.json(),
        "counter_runnable_wait_share": per_run(series, share("runnable_wait"))?.json(),
        "counter_blocked_share": per_run(series, blocked)?.json(),
    }))
}

/// What the counting rate during the loads would have been had the counter
/// never been blocked (on the GIL, mostly): the rate it reached while it ran,
/// over all the time it was not waiting for a core.
fn gil_limit(value: &Value) -> f64 {
    let running = median(value, "counter_running_share");
    let waiting = median(value, "counter_runnable_wait_share");
    median(value, "ratio_rate") * (1.0 - waiting) / running
}

/// The median of a figure of [`counting`]'s answer.
fn median(value: &Value, key: &str) -> f64 {
    value[key]["median"].as_f64().unwrap_or(f64::NAN)
}

/// A split's median CPU seconds in the core's call `name` (0 when the run
/// made no such call).
fn core_cpu(series: &Series, name: &str) -> f64 {
    reported(series, &["split", name, "cpu"]).map_or(0.0, |s| s.median)
}

/// A split's median wall seconds in the core's call `name`.
fn core_wall(series: &Series, name: &str) -> f64 {
    reported(series, &["split", name, "wall"]).map_or(0.0, |s| s.median)
}

/// The rows, notes and goals of the section; its summary.json entry.
pub(super) fn report(
    ctx: &Ctx,
    series: &[Series],
    checks: &Checked,
    bases: &Bases,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<Value> {
    let [tb, pb, t32, t64, rcols, pd, tdec, rdec, pdec, tenc, renc, penc, tart, part, loop_down, sha, plain, off, tgym, pgym, tgil, cgil, pgil] =
        series
    else {
        bail!("python: {} series", series.len());
    };
    let plan = ctx.plan;
    let (tbase, pbase) = (tb.rss().median, pb.rss().median);
    let cpu = |s: &Series| s.cpu().median;
    let wall = |s: &Series| s.wall().median;
    let rss = |s: &Series| s.rss().median;
    let gbps = |s: &Series| plan.artifact_bytes as f64 / wall(s) / 1e9;
    let steps = checks.gym_steps as f64;
    let per_step_us = |s: &Series| (wall(s) - wall(plain)) / steps * 1e6;
    let arrays = reported(t32, &["arrays_bytes"])?.median;
    let (tupli_gil, control_gil, pytupli_gil) = (counting(tgil)?, counting(cgil)?, counting(pgil)?);

    table.section(&format!(
        "python: tupli's wheel against pytupli 1.2.9 in one venv; {} tuples ({} episodes), record {} tuples, artifact {} MiB, gym {} episodes",
        plan.rows(),
        plan.episodes,
        plan.encode_tuples,
        plan.artifact_bytes >> 20,
        checks.gym_episodes
    ));
    table.baseline(tb);
    table.baseline(pb);
    for s in [t32, t64, tdec, tenc, tart, plain, off, tgym, tgil, cgil] {
        table.row(s, Some(tbase));
    }
    for s in [pd, pdec, penc, part, pgym, pgil] {
        table.row(s, Some(pbase));
    }
    for s in [rcols, rdec, renc] {
        table.row(s, Some(bases.rust));
    }
    for s in [loop_down, sha] {
        table.row(s, None);
    }
    let ratio_cpu_dataset = ratio(cpu(pd), cpu(t32));
    let ratio_rss_dataset = ratio(rss(pd), rss(t32));
    let ratio_cpu_to_rust = ratio(cpu(t64), cpu(rcols));
    let ratio_cpu_list = ratio(cpu(pdec), cpu(tdec));
    let ratio_cpu_record = ratio(cpu(penc), cpu(tenc));
    let ratio_speed_artifact = ratio(wall(part), wall(tart));
    let ratio_gym_tupli = ratio(wall(tgym), wall(plain));
    let ratio_gym_off = ratio(wall(off), wall(plain));
    let ratio_gym_pytupli = ratio(wall(pgym), wall(plain));
    let gil = |v: &Value| median(v, "ratio_rate");
    let artifact_limit = gbps(loop_down).min(gbps(sha)) / gbps(part);
    let dataset_core = |s: &Series| core_cpu(s, "load_columns") + core_cpu(s, "preview");

    table.note(&format!(
        "dataset: pytupli/tupli CPU {ratio_cpu_dataset:.1}×, RSS {ratio_rss_dataset:.1}× (net of baselines {:.1}×; tupli's arrays {:.1} MiB); tupli float64 = {ratio_cpu_to_rust:.2}× the Rust Dataset::columns CPU (float32 {:.2}×)",
        ratio(rss(pd) - pbase, rss(t32) - tbase),
        arrays / MIB,
        ratio(cpu(t32), cpu(rcols)),
    ));
    table.note(&format!(
        "dataset CPU in the core's calls (load_columns, preview): float64 {:.3} of {:.3} s, float32 {:.3} of {:.3} s; requests per tupli load: {}",
        dataset_core(t64),
        cpu(t64),
        dataset_core(t32),
        cpu(t32),
        checks.tupli_requests_per_load.join(", ")
    ));
    table.note(&format!(
        "list_episodes pytupli/tupli CPU {ratio_cpu_list:.1}×, RSS {:.1}×; tupli's {:.3} s CPU: the Rust decode alone (list_episode_items) {:.3} s, the rest making the Python objects",
        ratio(rss(pdec), rss(tdec)),
        cpu(tdec),
        cpu(rdec),
    ));
    table.note(&format!(
        "record_episode pytupli/tupli CPU {ratio_cpu_record:.1}×; tupli's {:.3} s CPU: the core's call {:.3} s (Rust alone {:.3} s), the rest in Python (the episode's dump)",
        cpu(tenc),
        core_cpu(tenc, "record_episode"),
        cpu(renc),
    ));
    table.note(&format!(
        "load_artifact GB/s: tupli {:.2} (the core's call {:.3} of {:.3} s wall), pytupli {:.2}: {ratio_speed_artifact:.1}×; limits: loopback {:.2}, sha256 {:.2}",
        gbps(tart),
        core_wall(tart, "load_artifact"),
        wall(tart),
        gbps(part),
        gbps(loop_down),
        gbps(sha),
    ));
    table.note(&format!(
        "gym ({} steps): wall / no wrapper: tupli recording {ratio_gym_tupli:.2}×, not recording {ratio_gym_off:.2}×, pytupli recording {ratio_gym_pytupli:.2}×; µs per step over the bare loop ({:.1} µs): tupli {:.1} ({:.1} not recording), pytupli {:.1}",
        checks.gym_steps,
        wall(plain) / steps * 1e6,
        per_step_us(tgym),
        per_step_us(off),
        per_step_us(pgym),
    ));
    table.note(&format!(
        "gym, tupli recording: record() (each episode's hand-over) took {:.3} s wall, {:.3} s of the loop thread's CPU; close() waited {:.3} s",
        core_wall(tgym, "record"),
        reported(tgym, &["split", "record", "thread_cpu"]).map_or(0.0, |s| s.median),
        core_wall(tgym, "close"),
    ));
    for (name, value) in [
        ("tupli", &tupli_gil),
        ("Rust (another process)", &control_gil),
        ("pytupli", &pytupli_gil),
    ] {
        table.note(&format!(
            "counting during {name} loads: {:.0}% of the rate alone; the counter ran {:.0}% of the time, waited for a core {:.0}%, was blocked (GIL) {:.0}%",
            100.0 * gil(value),
            100.0 * median(value, "counter_running_share"),
            100.0 * median(value, "counter_runnable_wait_share"),
            100.0 * median(value, "counter_blocked_share"),
        ));
    }
    table.note("same bytes: every list and float64 load has the generator's checksum, every float32 load (tupli's and pytupli's) the same one, every gym loop the same steps, both wrappers sent the same episodes");

    goals.extend([
        Goal::at_least(
            "python: pytupli CPU / tupli TupliDataset load + d4rl CPU",
            ratio_cpu_dataset,
            10.0,
        ),
        Goal::at_least(
            "python: pytupli peak RSS / tupli TupliDataset peak RSS",
            ratio_rss_dataset,
            5.0,
        )
        .with_limit(
            ratio(rss(pd), tbase + arrays),
            "tupli's baseline process holding just its arrays",
        ),
        Goal::at_most(
            "python: tupli TupliDataset (float64) CPU / Rust Dataset::columns CPU",
            ratio_cpu_to_rust,
            1.3,
        ),
        Goal::at_least(
            "python: pytupli CPU / tupli list_episodes CPU",
            ratio_cpu_list,
            5.0,
        )
        .with_limit(
            ratio(cpu(pdec), cpu(rdec)),
            "the Rust decode alone, no Python object",
        ),
        Goal::at_least(
            "python: pytupli CPU / tupli record_episode CPU",
            ratio_cpu_record,
            5.0,
        )
        .with_limit(
            ratio(cpu(penc), cpu(renc)),
            "the Rust record_episode alone, no Python object read",
        ),
        Goal::at_least(
            "python: tupli load_artifact speed / pytupli's (wall)",
            ratio_speed_artifact,
            3.0,
        )
        .with_limit(
            artifact_limit,
            "the slower of the loopback download and the sha256 limit (read + hash of the file)",
        ),
        Goal::at_most(
            "python: gym loop wall, tupli recording / no recording",
            ratio_gym_tupli,
            1.1,
        )
        .with_limit(
            ratio_gym_off,
            "the wrapper not recording: an RLTuple per step, as pytupli's API makes",
        ),
        Goal::at_least(
            "python: counting rate during tupli loads / alone",
            gil(&tupli_gil),
            0.8,
        )
        .with_limit(
            gil_limit(&tupli_gil),
            "the same, had the counter never been blocked: its time not waiting for a core",
        ),
    ]);

    Ok(json!({
        "revision": checks.revision,
        "rows": plan.rows(),
        "episodes": plan.episodes,
        "checksum": checks.checksum,
        "checksum_f32": checks.checksum_f32,
        "bit_exact": true,
        "baseline": {"tupli": tb.json(), "pytupli": pb.json()},
        "dataset": {
            "tupli_float32": t32.json(),
            "tupli_float64": t64.json(),
            "rust_dataset_columns_f64": rcols.json(),
            "pytupli": pd.json(),
            "tupli_arrays_bytes": arrays,
            "core_cpu_s_float32": dataset_core(t32),
            "core_cpu_s_float64": dataset_core(t64),
            "tupli_requests_per_load": checks.tupli_requests_per_load,
        },
        "list_episodes": {"tupli": tdec.json(), "rust_list_episode_items": rdec.json(), "pytupli": pdec.json()},
        "record_episode": {
            "tuples": plan.encode_tuples,
            "tupli": tenc.json(),
            "rust": renc.json(),
            "pytupli": penc.json(),
            "core_cpu_s": core_cpu(tenc, "record_episode"),
        },
        "load_artifact": {
            "bytes": plan.artifact_bytes,
            "tupli": tart.json(),
            "pytupli": part.json(),
            "limits": {"loopback_download": loop_down.json(), "sha256": sha.json()},
            "tupli_gb_per_s": gbps(tart),
            "pytupli_gb_per_s": gbps(part),
            "loopback_gb_per_s": gbps(loop_down),
            "sha256_gb_per_s": gbps(sha),
        },
        "gym": {
            "env": "CartPole-v1",
            "episodes": checks.gym_episodes,
            "steps": checks.gym_steps,
            "no_wrapper": plain.json(),
            "tupli_not_recording": off.json(),
            "tupli": tgym.json(),
            "pytupli": pgym.json(),
            "tupli_us_per_step": per_step_us(tgym),
            "tupli_not_recording_us_per_step": per_step_us(off),
            "pytupli_us_per_step": per_step_us(pgym),
            "tupli_record_wall_s": core_wall(tgym, "record"),
            "tupli_record_thread_cpu_s": reported(tgym, &["split", "record", "thread_cpu"]).map_or(0.0, |s| s.median),
            "tupli_close_wall_s": core_wall(tgym, "close"),
        },
        "gil": {"tupli": tupli_gil, "rust_other_process": control_gil, "pytupli": pytupli_gil},
        "ratio_cpu_dataset": ratio_cpu_dataset,
        "ratio_rss_dataset": ratio_rss_dataset,
        "ratio_rss_net_dataset": ratio(rss(pd) - pbase, rss(t32) - tbase),
        "ratio_cpu_dataset_float64_to_rust": ratio_cpu_to_rust,
        "ratio_cpu_dataset_float32_to_rust_f64": ratio(cpu(t32), cpu(rcols)),
        "ratio_cpu_list_episodes": ratio_cpu_list,
        "ratio_cpu_list_episodes_to_rust": ratio(cpu(tdec), cpu(rdec)),
        "ratio_rss_list_episodes": ratio(rss(pdec), rss(tdec)),
        "ratio_cpu_record_episode": ratio_cpu_record,
        "ratio_cpu_record_episode_to_rust": ratio(cpu(tenc), cpu(renc)),
        "ratio_speed_load_artifact": ratio_speed_artifact,
        "ratio_speed_load_artifact_limit": artifact_limit,
        "ratio_rss_load_artifact": ratio(rss(part), rss(tart)),
        "ratio_wall_gym_tupli_to_plain": ratio_gym_tupli,
        "ratio_wall_gym_tupli_not_recording_to_plain": ratio_gym_off,
        "ratio_wall_gym_pytupli_to_plain": ratio_gym_pytupli,
        "ratio_rate_gil_tupli": gil(&tupli_gil),
        "ratio_rate_gil_tupli_unblocked_limit": gil_limit(&tupli_gil),
        "ratio_rate_gil_rust_other_process": gil(&control_gil),
        "ratio_rate_gil_pytupli": gil(&pytupli_gil),
    }))
}
