//! How this run prints: the output format, JSON indentation and quietness, chosen once from
//! the command line before any command runs.

use std::sync::OnceLock;

use crate::args::OutputFormat;

/// The run's output settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mode {
    /// What standard output gets.
    pub(crate) format: OutputFormat,
    /// Whether JSON documents are indented.
    pub(crate) pretty: bool,
    /// No notes on standard error (errors are still printed).
    pub(crate) quiet: bool,
    /// Whether progress indicators may be drawn (on a terminal still).
    pub(crate) progress: bool,
}

impl Default for Mode {
    fn default() -> Mode {
        Mode {
            format: OutputFormat::Table,
            pretty: true,
            quiet: false,
            progress: true,
        }
    }
}

// The one place the output mode lives. Not a parameter handed to every
// command: it is a fact of the whole run, settled once from the command line
// before any command runs and never changed, and it is read where printing
// happens (the printers, notes on standard error, progress indicators, which
// the library also calls back as observers), several calls below the
// commands; a parameter would have to be passed through all of them, and a
// copy of it (the `json: bool` the commands were once given) can disagree
// with it.
static MODE: OnceLock<Mode> = OnceLock::new();

/// Sets the run's mode; only the first call counts (it is made once, in `main`).
pub(crate) fn set(mode: Mode) {
    let _ = MODE.set(mode);
}

/// The run's mode (the default one until [`set`] is called).
pub(crate) fn get() -> Mode {
    MODE.get().copied().unwrap_or_default()
}
