//! The python section: tupli's Python package (the release wheel) against
//! pytupli 1.2.9's client, both in one venv (`python_venv.rs`), each
//! operation a process of its own, on the canned server's bytes: a
//! dataset's load and D4RL arrays, `list_episodes` with every tuple,
//! `record_episode`, `load_artifact`, a gymnasium loop recorded through
//! `TupliEnvWrapper`, and a Python thread counting while a dataset loads
//! (the GIL released). Beside them, in the same turns, what bounds each:
//! the Rust client doing the same work, and the machine's limits.
//!
//! Every run is checked as the other sections check theirs ([`Checks`]):
//! counts against the plan, checksums against the generator's (or, for
//! float32 columns and the gym episodes, against every other run's), and
//! the requests the canned server answered. The steps are in
//! `python_steps.rs`, the figures judged in `python_report.rs`.

use std::cell::RefCell;
use std::fmt::Debug;

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};

use super::baseline::Bases;
use super::canned::{self, Request};
use super::context::Ctx;
use super::floats::{episode_floats, Floats};
use super::goals::Goal;
use super::inputs::{episode_file, Payload};
use super::measured::Run;
use super::programs::path_str;
use super::python_report;
use super::python_steps;
use super::python_venv::PyPrograms;
use super::series::interleave;
use super::table::Table;

/// What the section measures on, besides the context.
pub(super) struct Inputs<'a> {
    /// The episodes the canned server lists.
    pub(super) payload: &'a Payload,
    /// The sha256 of the artifact the canned server serves.
    pub(super) artifact_sha256: &'a str,
    /// Whether this is a `--quick` run (a shorter gym loop and counting).
    pub(super) quick: bool,
}

/// The seed of the gym loop: reset seeds `GYM_SEED + i`, and the action
/// space's.
const GYM_SEED: u64 = 1;

/// What the section's runs use and are checked against, and what every run
/// of a kind must agree on.
pub(super) struct Checks<'a> {
    /// The context: plan, programs, canned server.
    pub(super) ctx: &'a Ctx<'a>,
    /// The Python programs.
    pub(super) py: &'a PyPrograms,
    /// The generator's checksum of the payload's floats.
    pub(super) expected: &'a str,
    /// The sha256 of the artifact.
    pub(super) artifact_sha256: &'a str,
    /// The episode file `record_episode` sends.
    pub(super) episode: String,
    /// The generator's checksum of its floats.
    episode_checksum: String,
    /// What the server must receive of it.
    episode_sent: Floats,
    /// Episodes in each gym loop.
    pub(super) gym_episodes: usize,
    /// `EPISODES:SEED:BENCHMARK` of the gym runs.
    pub(super) gym_spec: String,
    /// `SECONDS:ALONE` of the counting runs.
    pub(super) gil_spec: &'static str,
    /// The float32 columns' checksum.
    pub(super) f32_checksum: RefCell<Option<String>>,
    /// The gym loops' steps.
    pub(super) gym_steps: RefCell<Option<u64>>,
    /// What the server received of a recorded gym loop: (tuples, hash) of
    /// each episode, sorted.
    gym_sent: RefCell<Option<Vec<(u64, u64)>>>,
    /// The requests of one tupli `TupliDataset.load()`.
    pub(super) tupli_requests: RefCell<Option<Vec<String>>>,
}

/// What every run of one kind must agree on: the first run's value.
pub(super) fn agree<T: PartialEq + Debug>(
    cell: &RefCell<Option<T>>,
    got: T,
    what: &str,
) -> Result<()> {
    let mut first = cell.borrow_mut();
    match first.as_ref() {
        Some(seen) => ensure!(
            *seen == got,
            "{what}: {got:?}, where an earlier run had {seen:?}"
        ),
        None => *first = Some(got),
    }
    Ok(())
}

/// A request as the section names it: `route`, or `route tuples|headers`.
fn route_name(r: &Request) -> String {
    match r.include_tuples {
        Some(true) => format!("{} tuples", r.route),
        Some(false) => format!("{} headers", r.route),
        None => r.route.clone(),
    }
}

impl Checks<'_> {
    /// The canned server's URL.
    pub(super) fn url(&self) -> &str {
        self.ctx.url()
    }

    /// `loads` loads of the dataset: only listing requests; for the tuples,
    /// with `ids`, requests naming the episodes' ids (`loads` times each in
    /// all, in batches), else `loads` requests; the requests, named.
    pub(super) fn loaded(&self, what: &str, loads: usize, ids: bool) -> Result<Vec<String>> {
        let episodes = self.ctx.plan.episodes;
        let log = self.ctx.requests();
        let names: Vec<String> = log.iter().map(route_name).collect();
        let tuples: Vec<&Request> = log
            .iter()
            .filter(|r| r.include_tuples == Some(true))
            .collect();
        let named: Option<usize> = tuples.iter().map(|r| r.id_filter).sum();
        ensure!(
            if ids {
                named == Some(loads * episodes) && tuples.len() >= loads
            } else {
                tuples.len() == loads
            },
            "{what}: {} requests for the tuples (naming {named:?} ids) for {loads} loads: {names:?}",
            tuples.len()
        );
        ensure!(
            log.iter()
                .all(|r| matches!(r.route.as_str(), "/benchmarks/list" | "/episodes/list")),
            "{what}: the canned server was asked {names:?}"
        );
        Ok(names)
    }

    /// The run listed the canned server's one benchmark.
    pub(super) fn benchmarks(&self, run: &Run, what: &str) -> Result<()> {
        ensure!(
            run.report["benchmarks"] == json!([canned::BENCHMARK_ID]),
            "{what}: listed the benchmarks {}",
            run.report["benchmarks"]
        );
        Ok(())
    }

    /// The run listed every episode with the generator's floats.
    pub(super) fn listed(&self, run: &Run, what: &str) -> Result<()> {
        run.expect_count(self.ctx.plan.episodes, what)?;
        run.expect_number("tuples", self.ctx.plan.rows(), what)?;
        run.expect_checksum(self.expected, what)?;
        self.ctx.expect_routes(&["/episodes/list tuples"], what)?;
        Ok(())
    }

    /// The run recorded the episode file's floats, as the server read them.
    pub(super) fn recorded(&self, run: &Run, what: &str) -> Result<()> {
        let tuples = self.ctx.plan.encode_tuples;
        run.expect_count(tuples, &format!("{what}: n_tuples answered"))?;
        run.expect_checksum(
            &self.episode_checksum,
            &format!("{what} building the episode"),
        )?;
        let log = self.ctx.expect_routes(&["/episodes/record"], what)?;
        let got = log[0].record.as_ref().context("no record")?;
        ensure!(
            *got == self.episode_sent,
            "{what} sent other floats than the file's: {got:?}, expected {:?}",
            self.episode_sent
        );
        Ok(())
    }

    /// The run downloaded the artifact (`checked`: its sha256 reported).
    pub(super) fn downloaded(&self, run: &Run, what: &str, checked: bool) -> Result<()> {
        run.expect_count(self.ctx.plan.artifact_bytes as usize, what)?;
        if checked {
            run.expect_checksum(self.artifact_sha256, what)?;
        }
        self.ctx.expect_routes(&["/artifacts/download"], what)?;
        Ok(())
    }

    /// A gym loop: its steps as every other run's; when it `records`, the
    /// server received each episode once, with the floats every recording
    /// run sent (compared as a multiset: tupli stores in the background).
    pub(super) fn looped(&self, run: &Run, what: &str, records: bool) -> Result<()> {
        let episodes = self.gym_episodes;
        run.expect_count(episodes, what)?;
        let steps = run.number("steps")? as u64;
        agree(&self.gym_steps, steps, &format!("{what}: steps"))?;
        if !records {
            self.ctx.expect_routes(&[], what)?;
            return Ok(());
        }
        let log = self.ctx.requests();
        ensure!(
            log.len() == episodes && log.iter().all(|r| r.route == "/episodes/record"),
            "{what}: {} requests ({:?}…), not {episodes} /episodes/record",
            log.len(),
            log.iter().take(3).map(route_name).collect::<Vec<_>>()
        );
        let mut got: Vec<(u64, u64)> = log
            .iter()
            .map(|r| r.record.as_ref().map(|f| (f.tuples, f.hash)))
            .collect::<Option<_>>()
            .context("an episode the server did not parse")?;
        let tuples: u64 = got.iter().map(|g| g.0).sum();
        ensure!(
            tuples == steps,
            "{what}: the server received {tuples} tuples of {steps} steps"
        );
        got.sort_unstable();
        agree(
            &self.gym_sent,
            got,
            &format!("{what}: the episodes received"),
        )
    }
}

/// The work tree's revision (`git describe --always --dirty`), which the
/// wheel was built from: the figures are of that code.
fn revision() -> String {
    std::process::Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .current_dir(crate::project_root())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Measures the section, adds its rows, notes and goals; its summary.json
/// entry.
pub(super) fn measure(
    ctx: &Ctx,
    py: &PyPrograms,
    inputs: &Inputs,
    bases: &Bases,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<Value> {
    let plan = ctx.plan;
    eprintln!(
        "xtask bench: python ({} tuples; tupli's wheel and pytupli in one venv)…",
        plan.rows()
    );
    let (episode, meta) = episode_file(ctx.programs, plan.encode_tuples, 1)?;
    let gym_episodes = if inputs.quick { 200 } else { 1000 };
    let checks = Checks {
        ctx,
        py,
        expected: &inputs.payload.meta.checksum,
        artifact_sha256: inputs.artifact_sha256,
        episode_sent: episode_floats(&std::fs::read(&episode)?)?,
        episode: path_str(&episode)?.to_string(),
        episode_checksum: meta.checksum,
        gym_episodes,
        gym_spec: format!("{gym_episodes}:{GYM_SEED}:{}", canned::BENCHMARK_ID),
        gil_spec: if inputs.quick { "3:1" } else { "10:3" },
        f32_checksum: RefCell::default(),
        gym_steps: RefCell::default(),
        gym_sent: RefCell::default(),
        tupli_requests: RefCell::default(),
    };
    let series = interleave(plan.runs, python_steps::steps(&checks))?;
    let checked = python_report::Checked {
        checksum: checks.expected.to_string(),
        checksum_f32: checks.f32_checksum.take().unwrap_or_default(),
        gym_steps: checks.gym_steps.take().unwrap_or_default(),
        gym_episodes,
        tupli_requests_per_load: checks.tupli_requests.take().unwrap_or_default(),
        revision: revision(),
    };
    python_report::report(ctx, &series, &checked, bases, table, goals)
}
