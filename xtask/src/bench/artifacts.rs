//! The artifacts section: uploading and downloading one large artifact,
//! tupli against pytupli, and both against loopback and sha256 limits.

use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};

use super::baseline::Bases;
use super::context::Ctx;
use super::goals::Goal;
use super::measured::Run;
use super::programs::path_str;
use super::series::{interleave, Series};
use super::table::Table;
use super::{dir, ratio, MIB};

/// Measures the section, adds its rows, notes and goals; its summary.json
/// entry.
pub(super) fn measure(
    ctx: &Ctx,
    file: &Path,
    hash: &str,
    bases: &Bases,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<Value> {
    let plan = ctx.plan;
    let bytes = plan.artifact_bytes;
    eprintln!("xtask bench: artifacts ({} MiB)…", bytes >> 20);
    let artifact = path_str(file)?;
    let download = dir().join("download.bin");
    let download_path = path_str(&download)?;
    let uploaded = |run: &Run, what: &str, exact: bool| -> Result<()> {
        run.expect_count(bytes as usize, what)?;
        let log = ctx.expect_routes(&["/artifacts/upload"], what)?;
        let got = log[0].upload_bytes.context("no upload")?;
        // Multipart framing around the file.
        let framing = if exact { 0 } else { 64 << 10 };
        ensure!(
            got >= bytes && got <= bytes + framing,
            "{what}: the server received {got} bytes for a {bytes}-byte artifact"
        );
        Ok(())
    };
    let downloaded = |run: &Run, what: &str| -> Result<()> {
        run.expect_count(bytes as usize, what)?;
        ctx.expect_routes(&["/artifacts/download"], what)?;
        if std::fs::metadata(&download).is_ok() {
            let len = std::fs::metadata(&download)?.len();
            ensure!(len == bytes, "{what}: wrote {len} bytes");
            std::fs::remove_file(&download)?;
        }
        Ok(())
    };
    let series = interleave(
        plan.runs,
        vec![
            (
                "tupli store_artifact_from_path (hashes)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["upload", c.url(), artifact])?;
                    uploaded(&run, "tupli upload", false)?;
                    run.expect_checksum(hash, "tupli upload")?;
                    Ok(run)
                }),
            ),
            (
                "pytupli store_artifact (file read before)".into(),
                ctx.step(|c| {
                    let run = c.programs.py(&["upload", c.url(), artifact])?;
                    uploaded(&run, "pytupli upload", false)?;
                    Ok(run)
                }),
            ),
            (
                "tupli download_artifact_to_path (verifies)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["download", c.url(), download_path])?;
                    downloaded(&run, "tupli download")?;
                    run.expect_checksum(hash, "tupli download")?;
                    Ok(run)
                }),
            ),
            (
                "pytupli load_artifact, then write".into(),
                ctx.step(|c| {
                    let run = c.programs.py(&["download", c.url(), download_path])?;
                    downloaded(&run, "pytupli download")?;
                    Ok(run)
                }),
            ),
            (
                "limit: loopback upload, reqwest from memory".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["loopback-upload", c.url(), artifact])?;
                    uploaded(&run, "loopback upload", true)?;
                    Ok(run)
                }),
            ),
            (
                "limit: loopback download, reqwest discards".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["loopback-download", c.url()])?;
                    downloaded(&run, "loopback download")?;
                    Ok(run)
                }),
            ),
            (
                "limit: sha256 of the file (read + hash)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["sha256", artifact])?;
                    run.expect_count(bytes as usize, "sha256")?;
                    Ok(run)
                }),
            ),
        ],
    )?;
    let [up, py_up, down, py_down, loop_up, loop_down, sha] = &series[..] else {
        bail!("artifacts: {} series", series.len());
    };
    let gbps = |s: &Series| bytes as f64 / s.wall().median / 1e9;
    let share = |s: &Series, limit: &Series| ratio(limit.wall().median, s.wall().median);
    table.section(&format!(
        "artifacts: {} MiB each way (GB/s from the median wall time)",
        bytes >> 20
    ));
    for (s, base) in [
        (up, bases.rust),
        (py_up, bases.py),
        (down, bases.rust),
        (py_down, bases.py),
    ] {
        table.row(s, Some(base));
    }
    for s in [loop_up, loop_down, sha] {
        table.row(s, None);
    }
    table.note(&format!(
        "GB/s up/down: tupli {:.2}/{:.2}, pytupli {:.2}/{:.2}; limits: loopback {:.2}/{:.2}, sha256 {:.2}",
        gbps(up),
        gbps(down),
        gbps(py_up),
        gbps(py_down),
        gbps(loop_up),
        gbps(loop_down),
        gbps(sha)
    ));
    table.note(&format!(
        "tupli reaches {:.0}% (up) and {:.0}% (down) of the loopback limit, {:.0}%/{:.0}% of the sha256 limit",
        100.0 * share(up, loop_up),
        100.0 * share(down, loop_down),
        100.0 * share(up, sha),
        100.0 * share(down, sha)
    ));
    for (name, s, limit) in [("upload", up, loop_up), ("download", down, loop_down)] {
        goals.push(Goal::either(
            &format!("artifacts: tupli {name} GB/s (wall) ≥ 1, or share of loopback ≥ 80%"),
            gbps(s),
            1.0,
            share(s, limit),
            0.8,
        ));
        goals.push(Goal::at_most(
            &format!("artifacts: tupli {name} peak RSS MiB"),
            s.rss().median / MIB,
            64.0,
        ));
    }
    Ok(json!({
        "bytes": bytes,
        "tupli_upload": up.json(),
        "tupli_download": down.json(),
        "pytupli_upload": py_up.json(),
        "pytupli_download": py_down.json(),
        "limits": {
            "loopback_upload": loop_up.json(),
            "loopback_download": loop_down.json(),
            "sha256": sha.json(),
        },
        "tupli_upload_gb_per_s": gbps(up),
        "tupli_download_gb_per_s": gbps(down),
        "pytupli_upload_gb_per_s": gbps(py_up),
        "pytupli_download_gb_per_s": gbps(py_down),
        "loopback_upload_gb_per_s": gbps(loop_up),
        "loopback_download_gb_per_s": gbps(loop_down),
        "sha256_gb_per_s": gbps(sha),
        "ratio_upload_to_loopback": share(up, loop_up),
        "ratio_download_to_loopback": share(down, loop_down),
        "ratio_upload_to_sha256": share(up, sha),
        "ratio_download_to_sha256": share(down, sha),
        "ratio_rss_upload": ratio(py_up.rss().median, up.rss().median),
        "ratio_rss_download": ratio(py_down.rss().median, down.rss().median),
        "ratio_rss_net_upload": ratio(py_up.rss().median - bases.py, up.rss().median - bases.rust),
        "ratio_rss_net_download": ratio(py_down.rss().median - bases.py, down.rss().median - bases.rust),
    }))
}
