//! The limits on the episodes payload that decode and dataset both measure:
//! reading it over loopback without parsing it, and skipping through it
//! with serde_json and with sonic-rs, the faster of which is the parse limit.

use anyhow::Result;

use super::context::Ctx;
use super::inputs::Payload;
use super::measured::Run;
use super::series::Series;

/// The label of [`loopback`].
pub(super) const LOOPBACK: &str = "limit: loopback, reqwest reads, discards (bytes)";
/// The label of [`serde_skip`].
pub(super) const SERDE_SKIP: &str = "limit: serde_json IgnoredAny (bytes)";
/// The label of [`sonic_skip`].
pub(super) const SONIC_SKIP: &str = "limit: sonic-rs skip, SIMD (bytes)";

/// The payload asked of the canned server, read by reqwest and discarded;
/// it counts the bytes.
pub(super) fn loopback(ctx: &Ctx, payload: &Payload) -> Result<Run> {
    let run = ctx.programs.rust(&["loopback-episodes", ctx.url()])?;
    ctx.expect_routes(&["/episodes/list tuples"], "loopback")?;
    run.expect_count(payload.bytes as usize, "loopback bytes")?;
    Ok(run)
}

/// The payload `file` skipped through by serde_json's `IgnoredAny`; it
/// counts the bytes.
pub(super) fn serde_skip(ctx: &Ctx, file: &str) -> Result<Run> {
    ctx.programs.rust(&["floor", file])
}

/// The payload `file` skipped through by sonic-rs (SIMD); it counts the
/// bytes.
pub(super) fn sonic_skip(ctx: &Ctx, file: &str) -> Result<Run> {
    ctx.programs.limits(&["sonic-skip", file])
}

/// The parse limit: the median CPU of the faster skip.
pub(super) fn parse_limit(serde_skip: &Series, sonic_skip: &Series) -> f64 {
    serde_skip.cpu().median.min(sonic_skip.cpu().median)
}
