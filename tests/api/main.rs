//! Offline tests of the library: every public operation of `TupliApiClient`
//! against httpmock, token handling, filters, floats and trait bounds.
//!
//! Each test runs its requests against a [`Mocked`] server that keeps a
//! catch-all mock registered *after* the specific ones, so a request no
//! specific mock expects is answered 599 and fails the test; `done_async()`
//! checks at the end that the catch-all was never hit.

#[path = "../support/mod.rs"]
mod support;

mod artifacts;
mod auth;
mod benchmarks;
mod datasets;
mod episodes;
mod errors;
mod filters;
mod floats;
mod groups;
mod invalid_input;
mod publish;
mod roles;
mod streams;
mod traits;
mod transfers;
mod urls;
mod users;

use std::fmt::Debug;

use httpmock::Then;
use serde_json::{json, Value};
use support::*;
use tupli::Error;

/// The library API's helpers on top of the shared mock server.
impl Mocked {
    /// `req` answered 200 with `reply`: `call` must send it exactly once and succeed.
    async fn ok<T>(
        &self,
        req: Req,
        reply: Value,
        call: impl std::future::IntoFuture<Output = tupli::Result<T>>,
    ) -> T {
        let mock = self
            .expect_async(req, |then| json_reply(then, 200, reply))
            .await;
        let result = call.await;
        mock.assert_calls_async(1).await; // on a mismatch, httpmock shows the closest request
        mock.delete_async().await;
        result.unwrap_or_else(|e| panic!("unexpected error: {e}"))
    }

    /// `req` answered with `reply`: `call` must send it exactly once and fail.
    async fn err<T: Debug>(
        &self,
        req: Req,
        reply: impl FnOnce(Then),
        call: impl std::future::IntoFuture<Output = tupli::Result<T>>,
    ) -> Error {
        let mock = self.expect_async(req, reply).await;
        let result = call.await;
        mock.assert_calls_async(1).await;
        mock.delete_async().await;
        result.expect_err("the call should have failed")
    }
}

/// The catch-all really catches: a request no mock expects fails the call
/// with its 599 and is counted.
#[tokio::test]
async fn the_catch_all_catches_unexpected_requests() {
    let api = Mocked::start_async().await;
    let client = api.client();
    // Expect another query value than the one sent.
    let mock = api
        .expect_async(
            get("/access/groups/read")
                .anonymous()
                .query("group_name", "R&D team #1"),
            |then| json_reply(then, 200, json!({"name": GROUP})),
        )
        .await;
    let err = client.read_group(GROUP).await.unwrap_err();
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(CATCH_ALL_STATUS),
        "{err}"
    );
    mock.assert_calls_async(0).await;
    api.catch_all().assert_calls_async(1).await;
    // A hit catch-all fails `done()` (and the next `mock()`).
    let checked =
        futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(api.done_async())).await;
    assert!(
        checked.is_err(),
        "done() must fail after the catch-all was hit"
    );
    api.skip_done_check();
}
