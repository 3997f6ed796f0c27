//! Progress indicators on standard error, shown only when it is a terminal
//! (and neither `--quiet` nor `-v` is given): an [`Indicator`] (a spinner, a
//! counter, or a bar that also observes artifact transfers as a
//! [`tupli::Progress`]), drawn here; the [`ExportIndicator`] of a dataset
//! export and the [`CopyIndicator`] of a copy, each in a file of its own, are
//! drawn by one.

mod copy;
mod export;

use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressFinish, ProgressStyle};

pub(crate) use copy::CopyIndicator;
pub(crate) use export::ExportIndicator;

/// A message and the elapsed time.
const SPINNER: &str = "{spinner} {msg} [{elapsed}]";
/// A message and a count of items.
const COUNTER: &str = "{spinner} {msg}: {human_pos} [{elapsed}]";
/// A transfer of known size.
const BAR: &str =
    "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}";
/// A transfer of unknown size.
const BYTES: &str = "{spinner} {msg}: {binary_bytes} {binary_bytes_per_sec} [{elapsed}]";

/// A progress bar or spinner, or nothing when standard error is not a
/// terminal (pipes, files, tests). Clones share one indicator; it is cleared
/// when the last clone is dropped.
#[derive(Clone)]
pub(crate) struct Indicator(Option<Shown>);

#[derive(Clone)]
struct Shown {
    bar: ProgressBar,
    /// What an upload's indicator says once its last byte is sent.
    storing: Option<Arc<str>>,
    /// Where an artifact transfer is.
    phase: Arc<Mutex<Phase>>,
}

/// Where an artifact transfer is, which decides what is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Nothing moved yet: a spinner with the elapsed time.
    Waiting,
    /// Bytes move and their total is known: a bar with bytes, total, rate, ETA.
    Bar,
    /// Bytes move, total unknown: a spinner with bytes and rate.
    Bytes,
    /// An upload's last byte is sent and the server is storing it: a
    /// spinner that says so, instead of a bar frozen at 100 %.
    Storing,
}

/// What the client reports, as far as the phase goes.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// [`tupli::Progress::start`]: also when a transfer starts over.
    Start { total: Option<u64> },
    /// [`tupli::Progress::sent`]: the upload body's last byte went out.
    Sent { upload: bool },
}

impl Phase {
    fn after(self, event: Event) -> Phase {
        match event {
            Event::Start { total: Some(_) } => Phase::Bar,
            Event::Start { total: None } => Phase::Bytes,
            Event::Sent { upload: true } => Phase::Storing,
            // A download's body has no "sent": nothing changes.
            Event::Sent { upload: false } => self,
        }
    }

    fn template(self) -> &'static str {
        match self {
            Phase::Waiting | Phase::Storing => SPINNER,
            Phase::Bar => BAR,
            Phase::Bytes => BYTES,
        }
    }
}

impl Indicator {
    /// A spinner with a message and the elapsed time.
    pub(crate) fn spinner(message: impl Into<String>) -> Indicator {
        Indicator::show(SPINNER, message.into(), None)
    }

    /// A spinner counting items: `{msg}: 1234`.
    pub(crate) fn counter(message: impl Into<String>) -> Indicator {
        Indicator::show(COUNTER, message.into(), None)
    }

    /// The upload of `file`: a bar once the transfer starts, then a spinner
    /// while the server stores the file.
    pub(crate) fn upload(file: &Path) -> Indicator {
        let file = file.display();
        Indicator::show(
            SPINNER,
            format!("uploading {file}"),
            Some(format!("sent {file}; the server is storing it…")),
        )
    }

    /// The download of artifact `id`: a bar once the size is known, else a
    /// byte-counting spinner.
    pub(crate) fn download(id: &str) -> Indicator {
        Indicator::show(SPINNER, format!("downloading {id}"), None)
    }

    fn show(template: &str, message: String, storing: Option<String>) -> Indicator {
        if !crate::output::mode().progress || !std::io::stderr().is_terminal() {
            return Indicator(None);
        }
        let indicator = Indicator::on(ProgressBar::new_spinner(), template, message, storing);
        if let Some(shown) = &indicator.0 {
            shown.bar.enable_steady_tick(Duration::from_millis(100));
        }
        indicator
    }

    /// An indicator drawn by `bar`.
    fn on(bar: ProgressBar, template: &str, message: String, storing: Option<String>) -> Indicator {
        let bar = bar.with_finish(ProgressFinish::AndClear);
        set_template(&bar, template);
        bar.set_message(message);
        Indicator(Some(Shown {
            bar,
            storing: storing.map(Arc::from),
            phase: Arc::new(Mutex::new(Phase::Waiting)),
        }))
    }

    /// Moves an artifact transfer on by `event`; the new phase, drawn.
    fn step(shown: &Shown, event: Event) -> Phase {
        // A poisoned lock still holds a whole phase.
        let mut phase = shown.phase.lock().unwrap_or_else(|e| e.into_inner());
        *phase = phase.after(event);
        set_template(&shown.bar, phase.template());
        *phase
    }

    /// Advances by `n` (bytes or items).
    pub(crate) fn inc(&self, n: u64) {
        if let Some(shown) = &self.0 {
            shown.bar.inc(n);
        }
    }

    /// Removes the indicator now (before printing a result).
    pub(crate) fn clear(&self) {
        if let Some(shown) = &self.0 {
            shown.bar.finish_and_clear();
        }
    }
}

/// What the client reports about an artifact upload or download.
impl tupli::Progress for Indicator {
    /// Also when a transfer starts over (after a token refresh): from zero.
    fn start(&self, total: Option<u64>) {
        let Some(shown) = &self.0 else { return };
        match total {
            Some(total) => shown.bar.set_length(total),
            None => shown.bar.unset_length(),
        }
        Indicator::step(shown, Event::Start { total });
        shown.bar.reset();
    }

    fn advance(&self, bytes: u64) {
        self.inc(bytes);
    }

    /// Not a bar frozen at 100 % while the server hashes and stores the file
    /// (10 s and more for a few hundred MB), but a spinner that says so.
    fn sent(&self) {
        let Some(shown) = &self.0 else { return };
        let upload = shown.storing.is_some();
        if Indicator::step(shown, Event::Sent { upload }) == Phase::Storing {
            // The elapsed time now counts the server's part.
            shown.bar.reset_elapsed();
            if let Some(storing) = &shown.storing {
                shown.bar.set_message(storing.to_string());
            }
        }
    }
}

fn set_template(bar: &ProgressBar, template: &str) {
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tupli::Progress;

    #[test]
    fn templates_parse() {
        for template in [SPINNER, COUNTER, BAR, BYTES] {
            ProgressStyle::with_template(template).unwrap();
        }
    }

    fn phase(indicator: &Indicator) -> Phase {
        let Some(shown) = &indicator.0 else {
            panic!("hidden")
        };
        *shown.phase.lock().unwrap()
    }

    #[test]
    fn transfer_phases() {
        use Event::*;
        use Phase::*;
        let known = Start { total: Some(10) };
        let unknown = Start { total: None };
        let upload = Sent { upload: true };
        let download = Sent { upload: false };
        for (from, event, to) in [
            (Waiting, known, Bar),
            (Waiting, unknown, Bytes),
            (Bar, upload, Storing),
            (Bytes, upload, Storing),
            (Bar, download, Bar),
            (Bytes, download, Bytes),
            // Started over (after a token refresh), from any phase.
            (Storing, known, Bar),
            (Bar, unknown, Bytes),
        ] {
            assert_eq!(from.after(event), to, "{from:?} + {event:?}");
        }
        assert_eq!(Waiting.template(), SPINNER);
        assert_eq!(Bar.template(), BAR);
        assert_eq!(Bytes.template(), BYTES);
        assert_eq!(Storing.template(), SPINNER);
    }

    #[test]
    fn an_upload_counts_restarts_and_then_waits_for_the_server() {
        let bar = ProgressBar::hidden();
        let upload = Indicator::on(
            bar.clone(),
            SPINNER,
            "uploading f".into(),
            Some("storing f".into()),
        );
        assert_eq!(phase(&upload), Phase::Waiting);
        upload.start(Some(100));
        assert_eq!(phase(&upload), Phase::Bar);
        upload.advance(40);
        assert_eq!((bar.position(), bar.length()), (40, Some(100)));
        // A repeated attempt (after a token refresh) starts from zero.
        upload.start(Some(100));
        assert_eq!(bar.position(), 0);
        upload.advance(100);
        assert_eq!(bar.message(), "uploading f");
        assert_eq!(phase(&upload), Phase::Bar, "sending, not yet sent");
        upload.sent();
        assert_eq!(phase(&upload), Phase::Storing);
        assert_eq!(bar.message(), "storing f");

        let download = Indicator::on(ProgressBar::hidden(), SPINNER, "downloading".into(), None);
        download.start(None);
        assert_eq!(phase(&download), Phase::Bytes);
        download.advance(7);
        download.sent();
        assert_eq!(phase(&download), Phase::Bytes);
        let sized = Indicator::on(ProgressBar::hidden(), SPINNER, "downloading".into(), None);
        sized.start(Some(7));
        assert_eq!(phase(&sized), Phase::Bar);
        let Some(shown) = &download.0 else { panic!() };
        assert_eq!((shown.bar.position(), shown.bar.length()), (7, None));
        assert_eq!(shown.bar.message(), "downloading");
    }

    #[test]
    fn without_a_terminal_nothing_is_shown() {
        let hidden = Indicator(None);
        hidden.start(Some(1));
        hidden.advance(1);
        hidden.sent();
        hidden.inc(1);
        hidden.clear();
    }
}
