//! Login-token handling against a mock server: bearer injection, refresh on 401,
//! proactive refresh, single flight, failure handling, redaction.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use httpmock::prelude::*;
use httpmock::Mock;
use serde_json::json;
use tupli::{Error, ExposeSecret, Tokens, TupliApiClient};

/// A JWT-shaped token (unsigned; the client never checks signatures).
fn jwt(user: &str, exp_from_now: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = json!({"issuer": user, "exp": now + exp_from_now}).to_string();
    format!(
        "{}.{}.signature",
        enc.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        enc.encode(payload)
    )
}

/// Answers any request no other mock matched with 599, so stray requests fail loudly.
fn catch_all(server: &MockServer) -> Mock<'_> {
    server.mock(|when, then| {
        when.any_request();
        then.status(599).body("unexpected request");
    })
}

fn client(server: &MockServer, tokens: Tokens) -> TupliApiClient {
    TupliApiClient::builder()
        .url(server.base_url())
        .tokens(tokens)
        .build()
        .unwrap()
}

fn roles_ok<'a>(server: &'a MockServer, bearer: &str) -> Mock<'a> {
    let header = format!("Bearer {bearer}");
    server.mock(move |when, then| {
        when.method(GET)
            .path("/access/roles/list")
            .header("authorization", header);
        then.status(200).json_body(json!([]));
    })
}

fn roles_401<'a>(server: &'a MockServer, bearer: &str) -> Mock<'a> {
    let header = format!("Bearer {bearer}");
    server.mock(move |when, then| {
        when.method(GET)
            .path("/access/roles/list")
            .header("authorization", header);
        then.status(401)
            .header("www-authenticate", "Bearer")
            .json_body(json!({"detail": "Could not validate credentials"}));
    })
}

fn refresh_answers<'a>(server: &'a MockServer, refresh: &str, new_access: &str) -> Mock<'a> {
    let header = format!("Bearer {refresh}");
    let body = json!({"token": new_access, "token_type": "bearer"});
    server.mock(move |when, then| {
        when.method(POST)
            .path("/access/users/refresh-token")
            .header("authorization", header);
        then.status(200).json_body(body);
    })
}

#[tokio::test]
async fn login_stores_tokens_and_sends_bearer() {
    let server = MockServer::start_async().await;
    let (access, refresh) = (jwt("ann", 1800), jwt("ann", 86400));
    let login = server.mock(|when, then| {
        when.method(POST)
            .path("/access/users/token")
            .json_body(json!({"username": "ann", "password": "pw"}))
            .header_missing("authorization");
        then.status(200).json_body(json!({
            "access_token": {"token": access, "token_type": "bearer"},
            "refresh_token": {"token": refresh, "token_type": "bearer"},
        }));
    });
    let roles = roles_ok(&server, &access);
    let stray = catch_all(&server);
    let client = TupliApiClient::with_url(server.base_url()).unwrap();
    client.login("ann", "pw").await.unwrap();
    client.list_roles().await.unwrap();
    login.assert();
    roles.assert();
    stray.assert_calls(0);
    let tokens = client.tokens().unwrap();
    assert_eq!(tokens.access_token().expose_secret(), access);
    assert_eq!(tokens.username().as_deref(), Some("ann"));
}

#[tokio::test]
async fn wrong_password_is_an_api_error_and_stores_nothing() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path("/access/users/token");
        then.status(401)
            .json_body(json!({"detail": "Incorrect username or password"}));
    });
    let client = TupliApiClient::with_url(server.base_url()).unwrap();
    let err = client.login("ann", "nope").await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 401),
        "{err:?}"
    );
    assert!(err.to_string().contains("Incorrect username or password"));
    assert!(!client.is_logged_in());
}

#[tokio::test]
async fn refreshes_once_on_401_and_retries() {
    let server = MockServer::start_async().await;
    let stale = roles_401(&server, "old");
    let refresh = refresh_answers(&server, "R", "new");
    let fresh = roles_ok(&server, "new");
    let stray = catch_all(&server);
    let client = client(&server, Tokens::new("old", "R"));
    client.list_roles().await.unwrap();
    stale.assert_calls(1);
    refresh.assert_calls(1);
    fresh.assert_calls(1);
    stray.assert_calls(0);
    assert_eq!(
        client.tokens().unwrap().access_token().expose_secret(),
        "new"
    );
}

#[tokio::test]
async fn proactive_refresh_when_access_token_expires_soon() {
    let server = MockServer::start_async().await;
    let (soon, later, refresh_token) = (jwt("ann", 10), jwt("ann", 1800), jwt("ann", 86400));
    let refresh = refresh_answers(&server, &refresh_token, &later);
    let fresh = roles_ok(&server, &later);
    let stray = catch_all(&server);
    let client = client(&server, Tokens::new(soon, refresh_token));
    client.list_roles().await.unwrap();
    refresh.assert_calls(1);
    fresh.assert_calls(1);
    stray.assert_calls(0);
}

#[tokio::test]
async fn no_refresh_while_the_token_is_fresh() {
    let server = MockServer::start_async().await;
    let access = jwt("ann", 1800);
    let fresh = roles_ok(&server, &access);
    let stray = catch_all(&server);
    let client = client(&server, Tokens::new(access.clone(), jwt("ann", 86400)));
    client.list_roles().await.unwrap();
    client.list_roles().await.unwrap();
    fresh.assert_calls(2);
    stray.assert_calls(0);
}

#[tokio::test]
async fn concurrent_401s_cause_a_single_refresh() {
    let server = MockServer::start_async().await;
    let stale = roles_401(&server, "old");
    let refresh = refresh_answers(&server, "R", "new");
    let fresh = roles_ok(&server, "new");
    let stray = catch_all(&server);
    let client = client(&server, Tokens::new("old", "R"));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.list_roles().await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    refresh.assert_calls(1);
    assert!(stale.calls() <= 16);
    assert_eq!(fresh.calls(), 16);
    stray.assert_calls(0);
}

#[tokio::test]
async fn concurrent_expired_tokens_cause_a_single_proactive_refresh() {
    let server = MockServer::start_async().await;
    let (expired, later, refresh_token) = (jwt("ann", -5), jwt("ann", 1800), jwt("ann", 86400));
    let refresh = refresh_answers(&server, &refresh_token, &later);
    let fresh = roles_ok(&server, &later);
    let stray = catch_all(&server);
    let client = client(&server, Tokens::new(expired, refresh_token));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.list_roles().await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    refresh.assert_calls(1);
    fresh.assert_calls(16);
    stray.assert_calls(0);
}

#[tokio::test]
async fn rejected_refresh_clears_tokens_and_says_log_in_again() {
    let server = MockServer::start_async().await;
    let stale = roles_401(&server, "old");
    let refresh = server.mock(|when, then| {
        when.method(POST).path("/access/users/refresh-token");
        then.status(401)
            .json_body(json!({"detail": "Could not validate credentials"}));
    });
    let stray = catch_all(&server);
    let client = client(&server, Tokens::new("old", "R"));
    let err = client.list_roles().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert!(err.to_string().contains("log in again"));
    assert!(!client.is_logged_in());
    stale.assert_calls(1);
    refresh.assert_calls(1);
    stray.assert_calls(0);
}

#[tokio::test]
async fn expired_refresh_token_fails_without_a_request() {
    let server = MockServer::start_async().await;
    let stray = catch_all(&server);
    let client = client(&server, Tokens::new(jwt("ann", -60), jwt("ann", -1)));
    let err = client.list_roles().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert!(!client.is_logged_in());
    stray.assert_calls(0);
}

#[tokio::test]
async fn a_refreshed_token_that_still_gets_401_is_retried_once_only() {
    let server = MockServer::start_async().await;
    let stale = roles_401(&server, "old");
    let refresh = refresh_answers(&server, "R", "new");
    let still = roles_401(&server, "new");
    let stray = catch_all(&server);
    let client = client(&server, Tokens::new("old", "R"));
    let err = client.list_roles().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(err.is_auth());
    stale.assert_calls(1);
    refresh.assert_calls(1);
    still.assert_calls(1);
    stray.assert_calls(0);
}

#[tokio::test]
async fn a_401_without_tokens_means_not_logged_in() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(GET).path("/access/roles/list");
        then.status(401)
            .json_body(json!({"detail": "Could not validate credentials"}));
    });
    let client = TupliApiClient::with_url(server.base_url()).unwrap();
    let err = client.list_roles().await.unwrap_err();
    assert!(matches!(err, Error::NotLoggedIn { .. }), "{err:?}");
}

#[tokio::test]
async fn signup_with_rejected_tokens_falls_back_to_anonymous() {
    let server = MockServer::start_async().await;
    let with_token = server.mock(|when, then| {
        when.method(POST)
            .path("/access/users/create")
            .header("authorization", "Bearer old");
        then.status(401)
            .json_body(json!({"detail": "Could not validate credentials"}));
    });
    let refresh = server.mock(|when, then| {
        when.method(POST).path("/access/users/refresh-token");
        then.status(401)
            .json_body(json!({"detail": "Could not validate credentials"}));
    });
    let anonymous = server.mock(|when, then| {
        when.method(POST)
            .path("/access/users/create")
            .header_missing("authorization")
            .json_body(json!({"username": "bob", "password": "pw"}));
        then.status(200)
            .json_body(json!({"username": "bob", "memberships": []}));
    });
    let stray = catch_all(&server);
    let client = client(&server, Tokens::new("old", "R"));
    let user = client.signup("bob", "pw").await.unwrap();
    assert_eq!(user.username, "bob");
    with_token.assert_calls(1);
    refresh.assert_calls(1);
    anonymous.assert_calls(1);
    stray.assert_calls(0);
}

#[tokio::test]
async fn debug_output_never_shows_secrets() {
    let server = MockServer::start_async().await;
    let (access, refresh) = (jwt("ann", 1800), jwt("ann", 86400));
    let client = client(&server, Tokens::new(access.clone(), refresh.clone()));
    let builder = TupliApiClient::builder().tokens(Tokens::new(access.clone(), refresh.clone()));
    let shown = format!(
        "{client:?} {:?} {builder:?} {:#?}",
        client.tokens().unwrap(),
        client.tokens()
    );
    for secret in [&access, &refresh] {
        assert!(!shown.contains(secret.as_str()), "{shown}");
        // Not even the payload part of the JWT.
        assert!(
            !shown.contains(secret.split('.').nth(1).unwrap()),
            "{shown}"
        );
    }
    assert!(shown.contains("logged_in: true"), "{shown}");
}
