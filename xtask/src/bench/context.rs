//! What every section uses: the plan, the programs, and the canned server
//! with the checks on what it was asked.

use anyhow::{ensure, Result};

use super::canned::{self, Canned};
use super::measured::Run;
use super::plan::Plan;
use super::programs::Programs;
use super::series::Step;

/// What every section uses.
pub(super) struct Ctx<'a> {
    pub(super) plan: &'a Plan,
    pub(super) programs: &'a Programs,
    pub(super) canned: &'a Canned,
}

impl<'a> Ctx<'a> {
    /// A step of [`interleave`](super::series::interleave) that runs `f` on
    /// this context.
    pub(super) fn step(&'a self, f: impl Fn(&Self) -> Result<Run> + 'a) -> Step<'a> {
        Box::new(move || f(self))
    }

    /// The canned server's URL.
    pub(super) fn url(&self) -> &str {
        &self.canned.url
    }

    /// The canned server's requests since the last call, but logging in.
    pub(super) fn requests(&self) -> Vec<canned::Request> {
        self.canned
            .take_log()
            .into_iter()
            .filter(|r| !r.route.starts_with("/access/"))
            .collect()
    }

    /// The requests since the last call, which must be `expected`, each
    /// spelled `route` or `route tuples|headers`.
    pub(super) fn expect_routes(
        &self,
        expected: &[&str],
        what: &str,
    ) -> Result<Vec<canned::Request>> {
        let log = self.requests();
        let got: Vec<String> = log
            .iter()
            .map(|r| match r.include_tuples {
                Some(true) => format!("{} tuples", r.route),
                Some(false) => format!("{} headers", r.route),
                None => r.route.clone(),
            })
            .collect();
        ensure!(
            got == expected,
            "{what}: the canned server was asked {got:?}, expected {expected:?}"
        );
        Ok(log)
    }
}
