//! What parsing the bench payload costs without any client logic, for
//! `cargo xtask bench`: `bench-limits MODE FILE` reads FILE (unmeasured),
//! runs one scan over it and prints one JSON line as `bench-client` does
//! (user and system CPU seconds from `getrusage`, wall seconds, peak RSS
//! from `VmHWM`, a count).
//!
//! Modes: `sonic-skip` (sonic-rs skips the whole document, validating its
//! structure: no value is built), `simd-json-tape` (simd-json's full parse
//! into a tape, numbers included), `memchr` (counts one byte: memory
//! bandwidth).

use std::time::Instant;

use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::time::TimeVal;

type Error = Box<dyn std::error::Error>;

/// User and system CPU seconds of this process so far (microseconds).
fn cpu() -> Result<(f64, f64), Error> {
    let usage = getrusage(UsageWho::RUSAGE_SELF)?;
    let seconds = |t: TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    Ok((seconds(usage.user_time()), seconds(usage.system_time())))
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(path)) = (args.first(), args.get(1)) else {
        return Err("usage: bench-limits sonic-skip|simd-json-tape|memchr FILE".into());
    };
    let mut bytes = std::fs::read(path)?;
    let (user0, sys0) = cpu()?;
    let started = Instant::now();
    let count = match mode.as_str() {
        "sonic-skip" => sonic_rs::get_from_slice(&bytes, std::iter::empty::<usize>())?
            .as_raw_str()
            .len(),
        "simd-json-tape" => simd_json::to_tape(&mut bytes)?.0.len(),
        "memchr" => memchr::memchr_iter(b',', &bytes).count(),
        other => return Err(format!("unknown mode {other}").into()),
    };
    let wall = started.elapsed().as_secs_f64();
    let (user1, sys1) = cpu()?;
    // VmHWM: ru_maxrss would keep the peak of the image before exec.
    let peak_rss = std::fs::read_to_string("/proc/self/status")?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .ok_or("no VmHWM in /proc/self/status")?
        * 1024;
    println!(
        "{{\"mode\":\"{mode}\",\"user\":{},\"sys\":{},\"wall\":{wall},\"peak_rss\":{peak_rss},\"count\":{count}}}",
        user1 - user0,
        sys1 - sys0
    );
    Ok(())
}
