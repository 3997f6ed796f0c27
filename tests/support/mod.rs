//! Test support shared by the offline suites (`tests/api/`, the CLI's `cli/tests/`, …):
//! the mock server with its catch-all, the expected-request matcher, logins
//! and refreshes as it expects them, JWTs, token pairs, JSON fixtures of the
//! models and of datasets, and a raw server for answers httpmock cannot give
//! (cut off, stalled).
//!
//! Each suite compiles this module with `#[path = "../support/mod.rs"] mod support;`
//! (`cli/tests/main.rs` with `#[path = "../../tests/support/mod.rs"]`).

// Each test crate compiles this module and uses a part of it.
#![allow(dead_code)]

mod auth;
mod datasets;
mod fixtures;
mod jwt;
mod mock;
mod raw;
mod req;
mod wire;

// A binary may use only the methods `auth` adds to `Mocked`, which need no import.
#[allow(unused_imports)]
pub use auth::*;
pub use datasets::*;
pub use fixtures::*;
pub use jwt::*;
pub use mock::*;
pub use raw::*;
pub use req::*;
pub use wire::*;

/// An id that needs percent-encoding in a query: `&`, `+`, `#`, `%`, spaces, `/`, non-ASCII.
pub const ID: &str = "id ü/1&x=2#3+4 %20";
/// A group name just as awkward.
pub const GROUP: &str = "R&D team #1 + ü/x";
/// The user who logs in, and who made every object of the fixtures.
pub const USER: &str = "ann";
pub const PASSWORD: &str = "pw #1&+ü";
/// The access token of a logged-in client: every request carries it unless
/// [`Req::anonymous`] or [`Req::bearer`] says otherwise.
pub const ACCESS: &str = "access-token-A";
pub const REFRESH: &str = "refresh-token-R";

/// A runtime whose blocking pool has a single thread: work that holds a pool
/// thread while waiting for another's would wait for ever on it.
pub fn runtime_with_one_blocking_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(1)
        .enable_all()
        .build()
        .unwrap()
}
