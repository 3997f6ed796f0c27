//! Login-token handling against a mock server: bearer injection, refresh on 401,
//! proactive refresh, single flight, failure handling, redaction.

use httpmock::prelude::*;
use httpmock::Mock;
use serde_json::json;
use tupli::{Error, ExposeSecret, Tokens, TupliApiClient};

use crate::support::{jwt_expiring, token_pair, Mocked};

/// A client with `tokens` and the default retry policy.
fn client(api: &Mocked, tokens: Tokens) -> TupliApiClient {
    TupliApiClient::builder()
        .url(api.url())
        .tokens(tokens)
        .build()
        .unwrap()
}

async fn roles_ok<'a>(api: &'a Mocked, bearer: &str) -> Mock<'a> {
    let header = format!("Bearer {bearer}");
    api.mock_async(move |when, then| {
        when.method(GET)
            .path("/access/roles/list")
            .header("authorization", header);
        then.status(200).json_body(json!([]));
    })
    .await
}

async fn roles_401<'a>(api: &'a Mocked, bearer: &str) -> Mock<'a> {
    let header = format!("Bearer {bearer}");
    api.mock_async(move |when, then| {
        when.method(GET)
            .path("/access/roles/list")
            .header("authorization", header);
        then.status(401)
            .header("www-authenticate", "Bearer")
            .json_body(json!({"detail": "Could not validate credentials"}));
    })
    .await
}

async fn refresh_answers<'a>(api: &'a Mocked, refresh: &str, new_access: &str) -> Mock<'a> {
    let header = format!("Bearer {refresh}");
    let body = json!({"token": new_access, "token_type": "bearer"});
    api.mock_async(move |when, then| {
        when.method(POST)
            .path("/access/users/refresh-token")
            .header("authorization", header);
        then.status(200).json_body(body);
    })
    .await
}

#[tokio::test]
async fn login_stores_tokens_and_sends_bearer() {
    let api = Mocked::start_async().await;
    let (access, refresh) = (jwt_expiring("ann", 1800), jwt_expiring("ann", 86400));
    let login = api
        .mock_async(|when, then| {
            when.method(POST)
                .path("/access/users/token")
                .json_body(json!({"username": "ann", "password": "pw"}))
                .header_missing("authorization");
            then.status(200).json_body(token_pair(&access, &refresh));
        })
        .await;
    let roles = roles_ok(&api, &access).await;
    let client = TupliApiClient::with_url(api.url()).unwrap();
    client.login("ann", "pw").await.unwrap();
    client.list_roles().await.unwrap();
    login.assert();
    roles.assert();
    let tokens = client.tokens().unwrap();
    assert_eq!(tokens.access_token().expose_secret(), access);
    assert_eq!(tokens.username().as_deref(), Some("ann"));
    api.done_async().await;
}

#[tokio::test]
async fn wrong_password_is_an_api_error_and_stores_nothing() {
    let api = Mocked::start_async().await;
    api.mock_async(|when, then| {
        when.method(POST).path("/access/users/token");
        then.status(401)
            .json_body(json!({"detail": "Incorrect username or password"}));
    })
    .await;
    let client = TupliApiClient::with_url(api.url()).unwrap();
    let err = client.login("ann", "nope").await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 401),
        "{err:?}"
    );
    assert!(err.to_string().contains("Incorrect username or password"));
    assert!(!client.is_logged_in());
    api.done_async().await;
}

#[tokio::test]
async fn refreshes_once_on_401_and_retries() {
    let api = Mocked::start_async().await;
    let stale = roles_401(&api, "old").await;
    let refresh = refresh_answers(&api, "R", "new").await;
    let fresh = roles_ok(&api, "new").await;
    let client = client(&api, Tokens::new("old", "R"));
    client.list_roles().await.unwrap();
    stale.assert_calls(1);
    refresh.assert_calls(1);
    fresh.assert_calls(1);
    assert_eq!(
        client.tokens().unwrap().access_token().expose_secret(),
        "new"
    );
    api.done_async().await;
}

#[tokio::test]
async fn proactive_refresh_when_access_token_expires_soon() {
    let api = Mocked::start_async().await;
    let (soon, later, refresh_token) = (
        jwt_expiring("ann", 10),
        jwt_expiring("ann", 1800),
        jwt_expiring("ann", 86400),
    );
    let refresh = refresh_answers(&api, &refresh_token, &later).await;
    let fresh = roles_ok(&api, &later).await;
    let client = client(&api, Tokens::new(soon, refresh_token));
    client.list_roles().await.unwrap();
    refresh.assert_calls(1);
    fresh.assert_calls(1);
    api.done_async().await;
}

#[tokio::test]
async fn no_refresh_while_the_token_is_fresh() {
    let api = Mocked::start_async().await;
    let access = jwt_expiring("ann", 1800);
    let fresh = roles_ok(&api, &access).await;
    let client = client(
        &api,
        Tokens::new(access.clone(), jwt_expiring("ann", 86400)),
    );
    client.list_roles().await.unwrap();
    client.list_roles().await.unwrap();
    fresh.assert_calls(2);
    api.done_async().await;
}

#[tokio::test]
async fn concurrent_401s_cause_a_single_refresh() {
    let api = Mocked::start_async().await;
    let stale = roles_401(&api, "old").await;
    let refresh = refresh_answers(&api, "R", "new").await;
    let fresh = roles_ok(&api, "new").await;
    let client = client(&api, Tokens::new("old", "R"));
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
    api.done_async().await;
}

#[tokio::test]
async fn concurrent_expired_tokens_cause_a_single_proactive_refresh() {
    let api = Mocked::start_async().await;
    let (expired, later, refresh_token) = (
        jwt_expiring("ann", -5),
        jwt_expiring("ann", 1800),
        jwt_expiring("ann", 86400),
    );
    let refresh = refresh_answers(&api, &refresh_token, &later).await;
    let fresh = roles_ok(&api, &later).await;
    let client = client(&api, Tokens::new(expired, refresh_token));
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
    api.done_async().await;
}

#[tokio::test]
async fn rejected_refresh_clears_tokens_and_says_log_in_again() {
    let api = Mocked::start_async().await;
    let stale = roles_401(&api, "old").await;
    let refresh = api
        .mock_async(|when, then| {
            when.method(POST).path("/access/users/refresh-token");
            then.status(401)
                .json_body(json!({"detail": "Could not validate credentials"}));
        })
        .await;
    let client = client(&api, Tokens::new("old", "R"));
    let err = client.list_roles().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert!(err.to_string().contains("log in again"));
    assert!(!client.is_logged_in());
    stale.assert_calls(1);
    refresh.assert_calls(1);
    api.done_async().await;
}

#[tokio::test]
async fn expired_refresh_token_fails_without_a_request() {
    let api = Mocked::start_async().await;
    let client = client(
        &api,
        Tokens::new(jwt_expiring("ann", -60), jwt_expiring("ann", -1)),
    );
    let err = client.list_roles().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert!(!client.is_logged_in());
    api.done_async().await;
}

#[tokio::test]
async fn a_refreshed_token_that_still_gets_401_is_retried_once_only() {
    let api = Mocked::start_async().await;
    let stale = roles_401(&api, "old").await;
    let refresh = refresh_answers(&api, "R", "new").await;
    let still = roles_401(&api, "new").await;
    let client = client(&api, Tokens::new("old", "R"));
    let err = client.list_roles().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(err.is_auth());
    stale.assert_calls(1);
    refresh.assert_calls(1);
    still.assert_calls(1);
    api.done_async().await;
}

#[tokio::test]
async fn a_401_without_tokens_means_not_logged_in() {
    let api = Mocked::start_async().await;
    api.mock_async(|when, then| {
        when.method(GET).path("/access/roles/list");
        then.status(401)
            .json_body(json!({"detail": "Could not validate credentials"}));
    })
    .await;
    let client = TupliApiClient::with_url(api.url()).unwrap();
    let err = client.list_roles().await.unwrap_err();
    assert!(matches!(err, Error::NotLoggedIn { .. }), "{err:?}");
    api.done_async().await;
}

#[tokio::test]
async fn signup_with_rejected_tokens_falls_back_to_anonymous() {
    let api = Mocked::start_async().await;
    let with_token = api
        .mock_async(|when, then| {
            when.method(POST)
                .path("/access/users/create")
                .header("authorization", "Bearer old");
            then.status(401)
                .json_body(json!({"detail": "Could not validate credentials"}));
        })
        .await;
    let refresh = api
        .mock_async(|when, then| {
            when.method(POST).path("/access/users/refresh-token");
            then.status(401)
                .json_body(json!({"detail": "Could not validate credentials"}));
        })
        .await;
    let anonymous = api
        .mock_async(|when, then| {
            when.method(POST)
                .path("/access/users/create")
                .header_missing("authorization")
                .json_body(json!({"username": "bob", "password": "pw"}));
            then.status(200)
                .json_body(json!({"username": "bob", "memberships": []}));
        })
        .await;
    let client = client(&api, Tokens::new("old", "R"));
    let user = client.signup("bob", "pw").await.unwrap();
    assert_eq!(user.username, "bob");
    with_token.assert_calls(1);
    refresh.assert_calls(1);
    anonymous.assert_calls(1);
    api.done_async().await;
}

#[tokio::test]
async fn debug_output_never_shows_secrets() {
    let api = Mocked::start_async().await;
    let (access, refresh) = (jwt_expiring("ann", 1800), jwt_expiring("ann", 86400));
    let client = client(&api, Tokens::new(access.clone(), refresh.clone()));
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
    api.done_async().await;
}
