//! Steps of a long task (`cargo xtask test`): cargo commands and in-process
//! checks run in turn, each failure recorded, all reported at the end.

use std::process::Command;

use anyhow::{bail, Result};

/// `cargo` (the one running xtask, if any), run in the project root.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(crate::project_root());
    command
}

/// The failures so far; a failing step does not stop the ones after it.
#[derive(Default)]
pub struct Steps {
    failures: Vec<String>,
}

impl Steps {
    /// Runs a command as a step, printing a header first.
    pub fn command(&mut self, name: &str, command: &mut Command) {
        eprintln!("\n== xtask: {name}");
        match command.status() {
            Ok(s) if s.success() => {}
            Ok(s) => self.failures.push(format!("{name} ({s})")),
            Err(e) => self.failures.push(format!("{name} (could not run: {e})")),
        }
    }

    /// Runs an in-process task as a step, like [`Steps::command`].
    pub fn task(&mut self, name: &str, run: impl FnOnce() -> Result<()>) {
        eprintln!("\n== xtask: {name}");
        if let Err(e) = run() {
            eprintln!("{e:#}");
            self.failures.push(name.to_string());
        }
    }

    /// Ok if every step passed, else an error naming the failed ones.
    pub fn finish(self, what: &str) -> Result<()> {
        if self.failures.is_empty() {
            eprintln!("\n{what}: all steps passed");
            Ok(())
        } else {
            bail!("failed steps: {}", self.failures.join(", "))
        }
    }
}
