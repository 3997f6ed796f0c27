//! The decode section: listing every episode with its tuples, tupli against
//! pytupli, and both against reading and parsing the same bytes without a
//! client.

use anyhow::{bail, ensure, Result};
use serde_json::{json, Value};

use super::baseline::Bases;
use super::context::Ctx;
use super::goals::Goal;
use super::inputs::Payload;
use super::measured::Run;
use super::payload_limits;
use super::programs::path_str;
use super::ratio;
use super::series::interleave;
use super::table::Table;

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
    eprintln!(
        "xtask bench: decode ({:.1} MB)…",
        payload.bytes as f64 / 1e6
    );
    let file = path_str(&payload.items)?;
    let expected = payload.meta.checksum.as_str();
    let (episodes, rows) = (plan.episodes, plan.rows());
    let listed = |run: &Run, what: &str| -> Result<()> {
        run.expect_count(episodes, what)?;
        run.expect_number("tuples", rows, what)?;
        run.expect_checksum(expected, what)?;
        ctx.expect_routes(&["/episodes/list tuples"], what)?;
        Ok(())
    };
    // Scans over the whole body count its bytes; the others, what they found.
    let whole = |run: Run, what: &str| -> Result<Run> {
        run.expect_count(payload.bytes as usize, what)?;
        Ok(run)
    };
    let found = |run: Run, what: &str| -> Result<Run> {
        ensure!(run.count > 0.0, "{what}: found nothing");
        Ok(run)
    };
    let series = interleave(
        plan.runs,
        vec![
            (
                "tupli list_episode_items (every episode kept)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["decode-vec", c.url()])?;
                    listed(&run, "tupli list_episode_items")?;
                    Ok(run)
                }),
            ),
            (
                "pytupli list_episodes(include_tuples=True)".into(),
                ctx.step(|c| {
                    let run = c.programs.py(&["decode", c.url()])?;
                    listed(&run, "pytupli list_episodes")?;
                    Ok(run)
                }),
            ),
            (
                "tupli stream_episodes (keeps none; capability)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["decode-stream", c.url()])?;
                    listed(&run, "tupli stream_episodes")?;
                    Ok(run)
                }),
            ),
            (
                payload_limits::LOOPBACK.into(),
                ctx.step(|c| payload_limits::loopback(c, payload)),
            ),
            (
                payload_limits::SERDE_SKIP.into(),
                ctx.step(|c| whole(payload_limits::serde_skip(c, file)?, "serde bytes")),
            ),
            (
                payload_limits::SONIC_SKIP.into(),
                ctx.step(|c| whole(payload_limits::sonic_skip(c, file)?, "sonic bytes")),
            ),
            (
                "limit: simd-json tape, numbers parsed".into(),
                ctx.step(|c| found(c.programs.limits(&["simd-json-tape", file])?, "simd-json")),
            ),
            (
                "limit: memchr one byte (memory bandwidth)".into(),
                ctx.step(|c| found(c.programs.limits(&["memchr", file])?, "memchr")),
            ),
        ],
    )?;
    let [vec, py, stream, loopback, serde_skip, sonic, simd_tape, memchr] = &series[..] else {
        bail!("decode: {} series", series.len());
    };
    let parse_limit = payload_limits::parse_limit(serde_skip, sonic);
    let ratio_cpu_list = ratio(py.cpu().median, vec.cpu().median);
    let list_to_parse = ratio(vec.cpu().median, parse_limit);
    table.section(&format!(
        "decode: {episodes} episodes × {} tuples, {:.1} MB of JSON, all in one answer",
        plan.tuples_per_episode,
        payload.bytes as f64 / 1e6
    ));
    table.row(vec, Some(bases.rust));
    table.row(py, Some(bases.py));
    table.row(stream, Some(bases.rust));
    for limit in [loopback, serde_skip, sonic, simd_tape, memchr] {
        table.row(limit, None);
    }
    table.note(&format!(
        "pytupli/tupli list CPU {:.1}×, RSS {:.1}× (net of baselines {:.1}×); list CPU = {:.2}× the parse limit ({:.3} s, the faster skip); list wall = {:.2}× loopback",
        ratio_cpu_list,
        ratio(py.rss().median, vec.rss().median),
        ratio(py.rss().median - bases.py, vec.rss().median - bases.rust),
        list_to_parse,
        parse_limit,
        ratio(vec.wall().median, loopback.wall().median),
    ));
    table.note(&format!(
        "a client at the parse limit would be {:.1}× pytupli's CPU",
        ratio(py.cpu().median, parse_limit)
    ));
    table.note(&format!(
        "stream (a capability, no pytupli counterpart): CPU {:.2}× the parse limit, peak RSS {:.0} MB; bit-exact with the generator in every run: yes",
        ratio(stream.cpu().median, parse_limit),
        stream.rss().median / 1e6
    ));
    goals.push(Goal::at_least(
        "decode: pytupli CPU / tupli list_episode_items CPU",
        ratio_cpu_list,
        20.0,
    ));
    goals.push(Goal::at_most(
        "decode: tupli list_episode_items CPU / parse limit",
        list_to_parse,
        2.0,
    ));
    Ok(json!({
        "payload_bytes": payload.bytes,
        "episodes": episodes,
        "tuples_per_episode": plan.tuples_per_episode,
        "checksum": expected,
        "bit_exact": true,
        "tupli_list_episode_items": vec.json(),
        "pytupli_list_episodes": py.json(),
        "tupli_stream_episodes_capability": stream.json(),
        "limits": {
            "loopback": loopback.json(),
            "serde_ignored_any": serde_skip.json(),
            "sonic_rs_skip": sonic.json(),
            "simd_json_tape": simd_tape.json(),
            "memchr": memchr.json(),
            "parse_limit_cpu_s": parse_limit,
        },
        "ratio_cpu_list": ratio_cpu_list,
        "ratio_rss_list": ratio(py.rss().median, vec.rss().median),
        "ratio_rss_net_list": ratio(py.rss().median - bases.py, vec.rss().median - bases.rust),
        "ratio_list_cpu_to_parse_limit": list_to_parse,
        "ratio_list_cpu_to_serde_skip": ratio(vec.cpu().median, serde_skip.cpu().median),
        "ratio_list_cpu_to_sonic_skip": ratio(vec.cpu().median, sonic.cpu().median),
        "ratio_list_wall_to_loopback": ratio(vec.wall().median, loopback.wall().median),
        "ratio_stream_cpu_to_parse_limit": ratio(stream.cpu().median, parse_limit),
        "ratio_cpu_list_at_parse_limit": ratio(py.cpu().median, parse_limit),
        "rss_list_to_payload": vec.rss().median / payload.bytes as f64,
    }))
}
