//! `cargo xtask demo`: `examples/tour.rs` against a reference server started
//! (and stopped) for it.

use anyhow::{bail, Result};

use crate::server::{self, StartArgs, StopOnDrop};
use crate::steps::cargo;

pub fn run() -> Result<()> {
    let servers = StopOnDrop("demo".into());
    let url = server::start(&StartArgs::named("demo"))?;
    eprintln!("xtask: reference server at {url}");
    let status = cargo()
        .args(["run", "--quiet", "--example", "tour"])
        .env("TUPLI_URL", &url)
        .status()?;
    drop(servers);
    if !status.success() {
        bail!("the tour failed ({status})");
    }
    Ok(())
}
