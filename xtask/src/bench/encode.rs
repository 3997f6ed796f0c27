//! The encode section: `record_episode` of one episode, tupli against
//! pytupli, each checked by the floats the canned server received, and
//! both against formatting the floats without a client.

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};

use super::baseline::Bases;
use super::context::Ctx;
use super::floats::episode_floats;
use super::goals::Goal;
use super::inputs::episode_file;
use super::measured::Run;
use super::programs::path_str;
use super::series::interleave;
use super::table::Table;
use super::{dir, ratio};

/// Measures the section, adds its rows, notes and goals; its summary.json
/// entry.
pub(super) fn measure(
    ctx: &Ctx,
    bases: &Bases,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<Value> {
    let plan = ctx.plan;
    eprintln!("xtask bench: encode ({} tuples)…", plan.encode_tuples);
    let (file, meta) = episode_file(ctx.programs, plan.encode_tuples, 1)?;
    let expected = episode_floats(&std::fs::read(&file)?)?;
    let file = path_str(&file)?;
    let sent_by_tupli = dir().join("encode-sent-by-tupli.json");
    let received = |run: &Run, what: &str| -> Result<()> {
        run.expect_count(plan.encode_tuples, &format!("{what}: n_tuples answered"))?;
        run.expect_checksum(&meta.checksum, &format!("{what} loading the episode"))?;
        let log = ctx.expect_routes(&["/episodes/record"], what)?;
        let got = log[0].record.as_ref().context("no record")?;
        ensure!(
            *got == expected,
            "{what} sent other floats than the file's: {got:?}, expected {expected:?}"
        );
        Ok(())
    };
    let series = interleave(
        plan.runs,
        vec![
            (
                "tupli record_episode".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["encode", c.url(), file])?;
                    received(&run, "tupli record_episode")?;
                    // What tupli sent, read back as the Python server reads it.
                    std::fs::write(&sent_by_tupli, c.canned.last_record())?;
                    let (tuples, checksum) = c
                        .programs
                        .py_check(&["readback", path_str(&sent_by_tupli)?])
                        .context("reading back what tupli sent")?;
                    ensure!(
                        tuples == plan.encode_tuples && checksum == meta.checksum,
                        "Python read {tuples} tuples with checksum {checksum} from what tupli \
                         sent; expected {} with {}",
                        plan.encode_tuples,
                        meta.checksum
                    );
                    Ok(run)
                }),
            ),
            (
                "pytupli record_episode".into(),
                ctx.step(|c| {
                    let run = c.programs.py(&["encode", c.url(), file])?;
                    received(&run, "pytupli record_episode")?;
                    Ok(run)
                }),
            ),
            (
                "limit: serde_json formats the float arrays".into(),
                ctx.step(|c| c.programs.rust(&["format", file])),
            ),
        ],
    )?;
    let [rust, py, format] = &series[..] else {
        bail!("encode: {} series", series.len());
    };
    let ratio_cpu = ratio(py.cpu().median, rust.cpu().median);
    table.section(&format!(
        "encode: record_episode of one episode of {} tuples (the same file, loaded untimed)",
        plan.encode_tuples
    ));
    table.row(rust, Some(bases.rust));
    table.row(py, Some(bases.py));
    table.row(format, None);
    table.note(&format!(
        "pytupli/tupli CPU {ratio_cpu:.1}×; tupli CPU = {:.2}× the formatting limit; the server parsed {} tuples with the file's floats from both; Python read tupli's body back bit-exactly",
        ratio(rust.cpu().median, format.cpu().median),
        expected.tuples
    ));
    table.note(&format!(
        "a client at the formatting limit would be {:.1}× pytupli's CPU",
        ratio(py.cpu().median, format.cpu().median)
    ));
    goals.push(Goal::at_least(
        "encode: pytupli CPU / tupli record_episode CPU",
        ratio_cpu,
        30.0,
    ));
    Ok(json!({
        "tuples": plan.encode_tuples,
        "checksum": meta.checksum,
        "server_received": {"tuples": expected.tuples, "floats": expected.floats, "hash": expected.hex()},
        "bit_exact": true,
        "tupli": rust.json(),
        "pytupli": py.json(),
        "limits": {"serde_json_format": format.json()},
        "ratio_cpu": ratio_cpu,
        "ratio_rss": ratio(py.rss().median, rust.rss().median),
        "ratio_rss_net": ratio(py.rss().median - bases.py, rust.rss().median - bases.rust),
        "ratio_cpu_to_format_limit": ratio(rust.cpu().median, format.cpu().median),
        "ratio_cpu_at_format_limit": ratio(py.cpu().median, format.cpu().median),
    }))
}
