//! The dataset section: the benchmark's episodes as columns and as npz,
//! arrow and parquet exports, each read back in Python, tupli against
//! pytupli's load and `numpy.savez`.

use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};

use super::baseline::Bases;
use super::canned;
use super::context::Ctx;
use super::goals::Goal;
use super::inputs::Payload;
use super::measured::Run;
use super::payload_limits;
use super::programs::path_str;
use super::series::interleave;
use super::table::Table;
use super::{dir, ratio, MIB};

/// How many episode ids the library asks for in one request (its
/// `filter::ID_BATCH`).
const ID_BATCH: usize = 100;

/// Measures the section, adds its rows, notes and goals; its summary.json
/// entry.
pub(super) fn measure(
    ctx: &Ctx,
    payload: &Payload,
    bases: &Bases,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<Value> {
    let plan = ctx.plan;
    let rows = plan.rows();
    let (obs_dim, act_dim) = (17usize, 6usize);
    // The .npz's per-row arrays: observations, next_observations, actions,
    // rewards as f64; terminals and timeouts (1 byte), steps and
    // episode_index (4 bytes).
    let arrays_bytes = rows * ((2 * obs_dim + act_dim + 1) * 8 + 1 + 1 + 4 + 4);
    eprintln!("xtask bench: dataset ({rows} tuples)…");
    let expected = payload.meta.checksum.as_str();
    let file = path_str(&payload.items)?;
    let out = |name: &str| dir().join(format!("dataset-{name}"));
    let tupli_requests = |what: &str| -> Result<()> {
        // The library asks for the episodes by id, at most `ID_BATCH` a request.
        let batches = plan.episodes.div_ceil(ID_BATCH);
        let mut routes = vec!["/benchmarks/list", "/episodes/list headers"];
        routes.extend(std::iter::repeat_n("/episodes/list tuples", batches));
        let log = ctx.expect_routes(&routes, what)?;
        let asked: Vec<Option<usize>> = log[2..].iter().map(|r| r.id_filter).collect();
        let expected: Vec<Option<usize>> = (0..batches)
            .map(|b| Some(ID_BATCH.min(plan.episodes - b * ID_BATCH)))
            .collect();
        ensure!(
            asked == expected,
            "{what}: asked for {asked:?} episode ids per request, not {expected:?}"
        );
        Ok(())
    };
    let verify = |format: &str, path: &Path, checksum: Option<&str>| -> Result<()> {
        let len = std::fs::metadata(path)
            .with_context(|| format!("{} was not written", path.display()))?
            .len();
        ensure!(len > 0, "{} is empty", path.display());
        let (got_rows, got) = ctx
            .programs
            .py_check(&["verify-export", format, path_str(path)?])?;
        ensure!(
            got_rows == rows,
            "{} reads back with {got_rows} rows, not {rows}",
            path.display()
        );
        if let Some(checksum) = checksum {
            ensure!(
                got == checksum,
                "{} reads back with other floats (checksum {got}, expected {checksum})",
                path.display()
            );
        }
        std::fs::remove_file(path)?;
        Ok(())
    };
    let export = |format: &'static str| {
        move || -> Result<Run> {
            let path = out(&format!("tupli.{format}"));
            let run =
                ctx.programs
                    .rust(&["dataset-export", ctx.url(), format, path_str(&path)?])?;
            let what = format!("tupli export {format}");
            run.expect_count(rows, &what)?;
            tupli_requests(&what)?;
            ensure!(
                run.number("bytes")? == std::fs::metadata(&path)?.len() as f64,
                "{what}: the summary's size is not the file's"
            );
            verify(format, &path, Some(expected))?;
            Ok(run)
        }
    };
    let series = interleave(
        plan.runs,
        vec![
            (
                "tupli list_episode_items (the reference)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["decode-vec", c.url()])?;
                    run.expect_count(plan.episodes, "list_episode_items")?;
                    run.expect_checksum(expected, "list_episode_items")?;
                    c.expect_routes(&["/episodes/list tuples"], "list_episode_items")?;
                    Ok(run)
                }),
            ),
            (
                "tupli Dataset::columns (f64)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["dataset-columns", c.url()])?;
                    run.expect_count(rows, "columns")?;
                    run.expect_checksum(expected, "columns")?;
                    tupli_requests("columns")?;
                    Ok(run)
                }),
            ),
            ("tupli export npz (f64)".into(), Box::new(export("npz"))),
            ("tupli export arrow (f64)".into(), Box::new(export("arrow"))),
            (
                "tupli export parquet (f64)".into(),
                Box::new(export("parquet")),
            ),
            (
                "pytupli load, d4rl, numpy.savez".into(),
                ctx.step(|c| {
                    let path = out("pytupli.npz");
                    let run = c.programs.py(&["dataset", c.url(), path_str(&path)?])?;
                    run.expect_count(rows, "pytupli dataset tuples")?;
                    run.expect_number("rows", rows, "pytupli d4rl arrays")?;
                    run.expect_checksum(expected, "pytupli dataset")?;
                    ensure!(
                        run.report["benchmarks"] == json!([canned::BENCHMARK_ID]),
                        "pytupli's dataset listed benchmarks {}",
                        run.report["benchmarks"]
                    );
                    c.expect_routes(
                        &["/benchmarks/list", "/episodes/list tuples"],
                        "pytupli dataset",
                    )?;
                    // Its arrays are float32: rows only.
                    verify("npz", &path, None)?;
                    Ok(run)
                }),
            ),
            (
                payload_limits::LOOPBACK.into(),
                ctx.step(|c| payload_limits::loopback(c, payload)),
            ),
            (
                payload_limits::SERDE_SKIP.into(),
                ctx.step(|c| payload_limits::serde_skip(c, file)),
            ),
            (
                payload_limits::SONIC_SKIP.into(),
                ctx.step(|c| payload_limits::sonic_skip(c, file)),
            ),
        ],
    )?;
    let [list, columns, npz, arrow, parquet, py, loopback, serde_skip, sonic] = &series[..] else {
        bail!("dataset: {} series", series.len());
    };
    let parse_limit = payload_limits::parse_limit(serde_skip, sonic);
    table.section(&format!(
        "dataset: {rows} tuples ({} episodes; state {obs_dim}, action {act_dim} floats), benchmark filter, all rows",
        plan.episodes
    ));
    table.row(list, Some(bases.rust));
    table.row(columns, Some(bases.rust));
    for s in [npz, arrow, parquet] {
        table.row(s, Some(bases.rust));
    }
    table.row(py, Some(bases.py));
    for s in [loopback, serde_skip, sonic] {
        table.row(s, None);
    }
    let py_cpu = py.cpu().median;
    let list_cpu = list.cpu().median;
    let mut figures = serde_json::Map::new();
    let rss_goal = |format: &str| -> f64 {
        match format {
            "npz" => arrays_bytes as f64 + 64.0 * MIB,
            _ => 64.0 * MIB,
        }
    };
    let mut notes = Vec::new();
    for (name, s) in [
        ("columns", columns),
        ("npz", npz),
        ("arrow", arrow),
        ("parquet", parquet),
    ] {
        let ratio_cpu = ratio(py_cpu, s.cpu().median);
        let to_list = ratio(s.cpu().median, list_cpu);
        figures.insert(format!("ratio_cpu_{name}"), json!(ratio_cpu));
        figures.insert(format!("ratio_export_to_list_{name}"), json!(to_list));
        figures.insert(
            format!("ratio_cpu_to_parse_limit_{name}"),
            json!(ratio(s.cpu().median, parse_limit)),
        );
        figures.insert(
            format!("ratio_rss_{name}"),
            json!(ratio(py.rss().median, s.rss().median)),
        );
        notes.push(format!("{name} {ratio_cpu:.1}×/{to_list:.2}"));
        goals.push(Goal::at_least(
            &format!("dataset: pytupli CPU / tupli {name} CPU"),
            ratio_cpu,
            20.0,
        ));
        if name != "columns" {
            goals.push(Goal::at_most(
                &format!("dataset: tupli export {name} CPU / list_episode_items CPU"),
                to_list,
                1.2,
            ));
            let goal = rss_goal(name);
            figures.insert(format!("rss_goal_{name}_bytes"), json!(goal));
            goals.push(Goal::at_most(
                &format!(
                    "dataset: tupli export {name} peak RSS MiB (goal {})",
                    if name == "npz" {
                        "the arrays + 64"
                    } else {
                        "64"
                    }
                ),
                s.rss().median / MIB,
                goal / MIB,
            ));
        }
    }
    table.note(&format!(
        "pytupli CPU / tupli CPU, and tupli CPU / list_episode_items CPU: {}",
        notes.join(", ")
    ));
    table.note(&format!(
        "a client at the parse limit would be {:.1}× pytupli's CPU",
        ratio(py_cpu, parse_limit)
    ));
    table.note(&format!(
        "RSS goals: arrow, parquet ≤ 64 MiB; npz ≤ the arrays ({:.1} MiB) + 64 MiB; parse limit {:.3} s CPU; tupli columns/exports and pytupli's raw lists hold the generator's floats bit for bit",
        arrays_bytes as f64 / MIB,
        parse_limit
    ));
    let mut value = json!({
        "rows": rows,
        "episodes": plan.episodes,
        "obs_dim": obs_dim,
        "act_dim": act_dim,
        "arrays_bytes": arrays_bytes,
        "checksum": expected,
        "bit_exact": true,
        "tupli_list_episode_items": list.json(),
        "tupli_columns": columns.json(),
        "tupli_export_npz": npz.json(),
        "tupli_export_arrow": arrow.json(),
        "tupli_export_parquet": parquet.json(),
        "pytupli_load_d4rl_savez": py.json(),
        "limits": {
            "loopback": loopback.json(),
            "serde_ignored_any": serde_skip.json(),
            "sonic_rs_skip": sonic.json(),
            "parse_limit_cpu_s": parse_limit,
        },
        "ratio_rss_net_columns": ratio(py.rss().median - bases.py, columns.rss().median - bases.rust),
        "ratio_list_wall_to_loopback": ratio(list.wall().median, loopback.wall().median),
        "ratio_cpu_at_parse_limit": ratio(py_cpu, parse_limit),
    });
    if let Value::Object(map) = &mut value {
        map.extend(figures);
    }
    Ok(value)
}
