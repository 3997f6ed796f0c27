//! A mock server whose catch-all stays the last-registered mock.
//!
//! httpmock answers with the first-registered mock that matches, so a request
//! no specific mock expects reaches the catch-all, which answers 599 (a status
//! no server sends) and so fails the call; `done()` checks at the end of each
//! test that the catch-all was never hit, and a test that forgets to call it
//! panics when the server is dropped.
//!
//! Every method has a blocking form (for the CLI suite's `#[test]`s) and an
//! `_async` one (for `#[tokio::test]`s), as httpmock's own API has.

use std::cell::Cell;

use httpmock::{Mock, MockServer, Then, When};
use serde_json::{json, Value};

use super::Req;

/// The status the catch-all answers with.
pub const CATCH_ALL_STATUS: u16 = 599;

/// A mock server whose catch-all stays the last-registered mock.
pub struct Mocked {
    server: MockServer,
    catch_all: Cell<usize>,
    done: Cell<bool>,
}

fn catch_all_spec(when: When, then: Then) {
    when.any_request();
    then.status(CATCH_ALL_STATUS)
        .json_body(json!({"detail": "httpmock catch-all: no mock expected this request"}));
}

/// Answers `status` with a JSON `body`.
pub fn json_reply(then: Then, status: u16, body: Value) {
    then.status(status).json_body(body);
}

impl Mocked {
    fn new(server: MockServer, catch_all: usize) -> Self {
        Mocked {
            server,
            catch_all: Cell::new(catch_all),
            done: Cell::new(false),
        }
    }

    pub fn start() -> Self {
        let server = MockServer::start();
        let id = server.mock(catch_all_spec).id;
        Self::new(server, id)
    }

    pub async fn start_async() -> Self {
        let server = MockServer::start_async().await;
        let id = server.mock_async(catch_all_spec).await.id;
        Self::new(server, id)
    }

    pub fn url(&self) -> String {
        self.server.base_url()
    }

    pub fn catch_all(&self) -> Mock<'_> {
        Mock::new(self.catch_all.get(), &self.server)
    }

    /// Registers a mock ahead of the catch-all (which is re-registered behind it).
    pub fn mock(&self, spec: impl FnOnce(When, Then)) -> Mock<'_> {
        let mut old = self.catch_all();
        old.assert_calls(0);
        old.delete();
        let mock = self.server.mock(spec);
        self.catch_all.set(self.server.mock(catch_all_spec).id);
        mock
    }

    /// Registers a mock ahead of the catch-all (which is re-registered behind it).
    pub async fn mock_async(&self, spec: impl FnOnce(When, Then)) -> Mock<'_> {
        let old = self.catch_all();
        old.assert_calls_async(0).await;
        old.delete_async().await;
        let mock = self.server.mock_async(spec).await;
        self.catch_all
            .set(self.server.mock_async(catch_all_spec).await.id);
        mock
    }

    /// Mocks `req`, answering with `reply`.
    pub fn expect(&self, req: Req, reply: impl FnOnce(Then)) -> Mock<'_> {
        self.mock(|when, then| {
            req.apply(when);
            reply(then);
        })
    }

    /// Mocks `req`, answering with `reply`.
    pub async fn expect_async(&self, req: Req, reply: impl FnOnce(Then)) -> Mock<'_> {
        self.mock_async(|when, then| {
            req.apply(when);
            reply(then);
        })
        .await
    }

    /// Asserts that no request reached the catch-all.
    pub fn done(&self) {
        self.catch_all().assert_calls(0);
        self.done.set(true);
    }

    /// Asserts that no request reached the catch-all.
    pub async fn done_async(&self) {
        self.catch_all().assert_calls_async(0).await;
        self.done.set(true);
    }

    /// Ends the test without `done()`: only for the test that hits the
    /// catch-all on purpose and checks it itself.
    pub fn skip_done_check(&self) {
        self.done.set(true);
    }
}

impl Drop for Mocked {
    fn drop(&mut self) {
        if !self.done.get() && !std::thread::panicking() {
            panic!("test ended without Mocked::done(): the catch-all was not checked");
        }
    }
}
