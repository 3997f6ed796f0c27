//! `cargo xtask codegen`: keeps `build/generated.rs.snapshot`, the exact code
//! build.rs generates, committed for review; `--check` fails when it is stale.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use similar::TextDiff;

use crate::generate;
use crate::project_root;

/// The committed copy of the generated code, relative to the project root.
/// Not `.rs`: it is read, never compiled.
pub const SNAPSHOT: &str = "build/generated.rs.snapshot";

/// Lines of diff shown when the snapshot is stale.
const DIFF_LINES: usize = 40;

/// What build.rs generates from `openapi.yaml` now: prettyplease's output,
/// byte for byte what lands in `OUT_DIR`.
pub fn generated_source() -> Result<String> {
    let spec = std::fs::read_to_string(project_root().join("openapi.yaml"))
        .context("read openapi.yaml")?;
    generate::generate(&spec).map_err(|e| anyhow!(e))
}

/// Rewrites the snapshot (or `out`), or with `check` fails if it is stale.
pub fn run(out: Option<PathBuf>, check: bool) -> Result<()> {
    let fix = match &out {
        Some(out) => format!("cargo xtask codegen --out {}", out.display()),
        None => "cargo xtask codegen".to_string(),
    };
    let out = out.unwrap_or_else(|| project_root().join(SNAPSHOT));
    let shown = out
        .strip_prefix(project_root())
        .unwrap_or(&out)
        .display()
        .to_string();
    let code = generated_source()?;
    if check {
        let kept = std::fs::read_to_string(&out)
            .with_context(|| format!("no generated copy to check at {shown}; run `{fix}`"))?;
        if let Some(report) = stale_report(&shown, &kept, &code, &fix) {
            bail!("{report}");
        }
        println!("codegen: {shown} is current");
        return Ok(());
    }
    let before = std::fs::read_to_string(&out).ok();
    write(&out, &code)?;
    let what = match before {
        Some(before) if before == code => "unchanged",
        Some(_) => "changed: review it with `git diff`",
        None => "new",
    };
    println!("wrote {shown} ({} lines, {what})", code.lines().count());
    Ok(())
}

fn write(out: &Path, code: &str) -> Result<()> {
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, code).with_context(|| format!("write {}", out.display()))
}

/// `None` if `kept` is exactly `generated`; else what differs, as the first
/// lines of a unified diff, and how to fix it.
pub fn stale_report(name: &str, kept: &str, generated: &str, fix: &str) -> Option<String> {
    if kept == generated {
        return None;
    }
    let diff = TextDiff::configure()
        .timeout(Duration::from_secs(5))
        .diff_lines(kept, generated);
    let (mut removed, mut added) = (0, 0);
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => removed += 1,
            similar::ChangeTag::Insert => added += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    let unified = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{name} (committed)"),
            &format!("{name} (generated now)"),
        )
        .to_string();
    let lines: Vec<&str> = unified.lines().collect();
    let mut report = format!(
        "{name} is stale: openapi.yaml and build/generate.rs now generate something else \
         ({removed} line(s) removed, {added} added)\n"
    );
    for line in lines.iter().take(DIFF_LINES) {
        let _ = writeln!(report, "{line}");
    }
    if lines.len() > DIFF_LINES {
        let _ = writeln!(
            report,
            "… {} more line(s) of diff",
            lines.len() - DIFF_LINES
        );
    }
    let _ = write!(report, "run `{fix}` to update it, and review the change");
    Some(report)
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    fn snapshot() -> String {
        std::fs::read_to_string(project_root().join(SNAPSHOT)).expect("the snapshot is committed")
    }

    /// Generated once for all tests (progenitor takes a moment).
    fn generated() -> &'static str {
        static CODE: OnceLock<String> = OnceLock::new();
        CODE.get_or_init(|| generated_source().unwrap())
    }

    #[test]
    fn the_committed_snapshot_is_current() {
        if let Some(report) =
            stale_report(SNAPSHOT, &snapshot(), generated(), "cargo xtask codegen")
        {
            panic!("{report}");
        }
    }

    #[test]
    fn a_changed_line_is_shown_with_its_place_and_the_fix() {
        let kept = snapshot();
        let lines: Vec<&str> = kept.lines().collect();
        // A line in the middle, so there is context on both sides.
        let n = lines.len() / 2;
        let mut stale: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        stale[n] = "// edited by hand".into();
        let stale = stale.join("\n") + "\n";
        let report = stale_report(SNAPSHOT, &stale, &kept, "cargo xtask codegen").unwrap();
        assert!(
            report.starts_with(&format!("{SNAPSHOT} is stale")),
            "{report}"
        );
        assert!(report.contains("(1 line(s) removed, 1 added)"), "{report}");
        assert!(report.contains(&format!("@@ -{}", n - 1)), "{report}");
        assert!(report.contains("\n-// edited by hand\n"), "{report}");
        assert!(report.contains(&format!("\n+{}\n", lines[n])), "{report}");
        assert!(report.ends_with("run `cargo xtask codegen` to update it, and review the change"));
    }

    #[test]
    fn a_long_difference_is_cut_short() {
        let kept = snapshot();
        let report = stale_report(SNAPSHOT, "", &kept, "cargo xtask codegen").unwrap();
        assert!(report.lines().count() < DIFF_LINES + 5, "{report}");
        assert!(report.contains("more line(s) of diff"), "{report}");
    }

    #[test]
    fn a_spec_change_is_reported() {
        let spec = std::fs::read_to_string(project_root().join("openapi.yaml")).unwrap();
        let (before, after) = (
            "operationId: load_benchmark",
            "operationId: fetch_benchmark",
        );
        assert!(spec.contains(before));
        let code = generate::generate(&spec.replacen(before, after, 1)).unwrap();
        let report = stale_report(SNAPSHOT, generated(), &code, "cargo xtask codegen").unwrap();
        assert!(report.contains("fn fetch_benchmark"), "{report}");
        assert!(report.contains("fn load_benchmark"), "{report}");
    }

    #[test]
    fn check_passes_on_a_fresh_copy_and_fails_on_a_stale_one() {
        let dir = crate::target_dir().join("xtask-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("codegen-{}.rs", std::process::id()));
        std::fs::write(&path, generated()).unwrap();
        run(Some(path.clone()), true).unwrap();
        std::fs::write(&path, generated().replacen("pub", "pub(crate)", 1)).unwrap();
        let error = run(Some(path.clone()), true).unwrap_err().to_string();
        let _ = std::fs::remove_file(&path);
        assert!(error.contains("is stale"), "{error}");
        assert!(
            error.contains(&format!(
                "run `cargo xtask codegen --out {}`",
                path.display()
            )),
            "{error}"
        );
    }
}
