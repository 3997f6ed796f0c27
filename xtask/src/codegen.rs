//! `cargo xtask codegen`: the exact code build.rs generates, rustfmt-ed, for review.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};

use crate::generate;
use crate::project_root;

/// Default place for the reviewed copy.
pub fn default_out() -> PathBuf {
    project_root().join("target/codegen/tupli.rs")
}

/// The generated client, formatted by rustfmt (prettyplease's output when
/// rustfmt is not installed).
pub fn generated_source() -> Result<String> {
    let spec = std::fs::read_to_string(project_root().join("openapi.yaml"))?;
    let code = generate::generate(&spec).map_err(|e| anyhow!(e))?;
    Ok(rustfmt(&code).unwrap_or(code))
}

fn rustfmt(code: &str) -> Option<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(code.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8(output.stdout).ok())?
}

/// Writes the code to `out`, or with `check` compares it with what `out` holds.
pub fn run(out: Option<PathBuf>, check: bool) -> Result<()> {
    let out = out.unwrap_or_else(default_out);
    let code = generated_source()?;
    if check {
        let kept = std::fs::read_to_string(&out)
            .with_context(|| format!("no generated copy to check at {}", out.display()))?;
        if let Some((line, ours, theirs)) = first_difference(&kept, &code) {
            bail!(
                "{} is not what openapi.yaml generates now; first difference at line {line}:\n  kept:      {ours}\n  generated: {theirs}\nrun `cargo xtask codegen --out {}` to update it",
                out.display(),
                out.display()
            );
        }
        println!("codegen: {} is current", out.display());
        return Ok(());
    }
    write(&out, &code)?;
    println!("wrote {} ({} lines)", out.display(), code.lines().count());
    Ok(())
}

fn write(out: &Path, code: &str) -> Result<()> {
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, code).with_context(|| format!("write {}", out.display()))
}

fn first_difference<'a>(a: &'a str, b: &'a str) -> Option<(usize, &'a str, &'a str)> {
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (None, None) => return None,
            (x, y) if x == y => continue,
            (x, y) => return Some((n, x.unwrap_or("(end)"), y.unwrap_or("(end)"))),
        }
    }
    None
}
