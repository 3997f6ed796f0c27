//! Logins and token refreshes as the mock server expects and answers them:
//! the two requests (matched exactly, as every [`Req`]), their answers, and
//! the clients most tests start from.
//!
//! The `expect_*` methods register a mock ahead of the catch-all and return
//! it, for the test to count its calls; each has a blocking form (for the
//! CLI suite) and an `_async` one.

use httpmock::Mock;
use serde_json::{json, Value};
use tupli::{ExposeSecret, RetryPolicy, Tokens, TupliApiClient};

use super::{json_reply, post, token_pair, Mocked, Req, ACCESS, PASSWORD, REFRESH, USER};

/// Where a login is sent.
pub const LOGIN_PATH: &str = "/access/users/token";
/// Where a refresh is sent.
pub const REFRESH_PATH: &str = "/access/users/refresh-token";

/// A login of `user` with `password`: `POST` [`LOGIN_PATH`] with exactly
/// that JSON body, and no bearer (not even a logged-in client sends one).
pub fn login_request(user: &str, password: &str) -> Req {
    post(LOGIN_PATH)
        .anonymous()
        .json(json!({"username": user, "password": password}))
}

/// A refresh with `refresh`: `POST` [`REFRESH_PATH`] with the refresh token
/// as the bearer, and no body.
pub fn refresh_request(refresh: &str) -> Req {
    post(REFRESH_PATH).bearer(refresh)
}

/// A refresh's answer: the new access token (the refresh token stays).
pub fn refreshed_token(access: &str) -> Value {
    json!({"token": access, "token_type": "bearer"})
}

/// A 401's body.
fn unauthorized(detail: &str) -> Value {
    json!({ "detail": detail })
}

impl Mocked {
    /// Expects [`login_request`]`(user, password)`, answering 200 with
    /// `tokens` (a [`token_pair`]).
    pub fn expect_login(&self, user: &str, password: &str, tokens: Value) -> Mock<'_> {
        self.expect(login_request(user, password), |then| {
            json_reply(then, 200, tokens)
        })
    }

    /// Expects [`login_request`]`(user, password)`, answering 200 with
    /// `tokens` (a [`token_pair`]).
    pub async fn expect_login_async(&self, user: &str, password: &str, tokens: Value) -> Mock<'_> {
        self.expect_async(login_request(user, password), |then| {
            json_reply(then, 200, tokens)
        })
        .await
    }

    /// Expects [`login_request`]`(user, password)`, answering 401 with `detail`.
    pub fn expect_login_rejected(&self, user: &str, password: &str, detail: &str) -> Mock<'_> {
        self.expect(login_request(user, password), |then| {
            json_reply(then, 401, unauthorized(detail))
        })
    }

    /// Expects [`login_request`]`(user, password)`, answering 401 with `detail`.
    pub async fn expect_login_rejected_async(
        &self,
        user: &str,
        password: &str,
        detail: &str,
    ) -> Mock<'_> {
        self.expect_async(login_request(user, password), |then| {
            json_reply(then, 401, unauthorized(detail))
        })
        .await
    }

    /// Expects [`refresh_request`]`(refresh)`, answering 200 with the new
    /// access token `access`.
    pub fn expect_refresh(&self, refresh: &str, access: &str) -> Mock<'_> {
        self.expect(refresh_request(refresh), |then| {
            json_reply(then, 200, refreshed_token(access))
        })
    }

    /// Expects [`refresh_request`]`(refresh)`, answering 200 with the new
    /// access token `access`.
    pub async fn expect_refresh_async(&self, refresh: &str, access: &str) -> Mock<'_> {
        self.expect_async(refresh_request(refresh), |then| {
            json_reply(then, 200, refreshed_token(access))
        })
        .await
    }

    /// Expects [`refresh_request`]`(refresh)`, answering 401 with `detail`.
    pub fn expect_refresh_rejected(&self, refresh: &str, detail: &str) -> Mock<'_> {
        self.expect(refresh_request(refresh), |then| {
            json_reply(then, 401, unauthorized(detail))
        })
    }

    /// Expects [`refresh_request`]`(refresh)`, answering 401 with `detail`.
    pub async fn expect_refresh_rejected_async(&self, refresh: &str, detail: &str) -> Mock<'_> {
        self.expect_async(refresh_request(refresh), |then| {
            json_reply(then, 401, unauthorized(detail))
        })
        .await
    }

    /// A client of this server, not logged in, that sends every request once
    /// (retries are tested in faults.rs).
    pub fn client(&self) -> TupliApiClient {
        TupliApiClient::builder()
            .url(self.url())
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    }

    /// [`Mocked::client`] holding [`ACCESS`] and [`REFRESH`] as if restored
    /// from a file: no login is sent.
    pub fn restored_client(&self) -> TupliApiClient {
        self.client().with_tokens(Tokens::new(ACCESS, REFRESH))
    }

    /// [`Mocked::client`] logged in as [`USER`] with [`PASSWORD`]: the login
    /// is sent exactly once and answered with [`ACCESS`] and [`REFRESH`],
    /// which the client then holds; its mock is removed, so another login
    /// reaches the catch-all unless the test expects it.
    pub async fn logged_in_client(&self) -> TupliApiClient {
        let client = self.client();
        let login = self
            .expect_login_async(USER, PASSWORD, token_pair(ACCESS, REFRESH))
            .await;
        let result = client.login(USER, PASSWORD).await;
        login.assert_calls_async(1).await; // on a mismatch, httpmock shows the closest request
        login.delete_async().await;
        result.unwrap_or_else(|e| panic!("unexpected error: {e}"));
        let tokens = client.tokens().expect("logged in");
        assert_eq!(tokens.access_token().expose_secret(), ACCESS);
        assert_eq!(tokens.refresh_token().expose_secret(), REFRESH);
        client
    }
}
