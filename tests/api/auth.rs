//! Login-token handling against a mock server: bearer injection, refresh on 401,
//! proactive refresh, single flight, failure handling, redaction.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use httpmock::prelude::*;
use httpmock::{HttpMockRequest, Mock};
use serde_json::json;
use tupli::{Error, ExposeSecret, Tokens, TupliApiClient};

use crate::support::{
    json_reply, jwt_expiring, login_request, refresh_request, refreshed_token, token_pair,
    tokens_without_a_usable_expiry, Mocked, PASSWORD, REFRESH_PATH, USER,
};

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

#[tokio::test]
async fn login_stores_tokens_and_sends_bearer() {
    let api = Mocked::start_async().await;
    let (access, refresh) = (jwt_expiring("ann", 1800), jwt_expiring("ann", 86400));
    let login = api
        .expect_login_async("ann", "pw", token_pair(&access, &refresh))
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
    api.expect_login_rejected_async("ann", "nope", "Incorrect username or password")
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
    let refresh = api.expect_refresh_async("R", "new").await;
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
    let refresh = api.expect_refresh_async(&refresh_token, &later).await;
    let fresh = roles_ok(&api, &later).await;
    let client = client(&api, Tokens::new(soon, refresh_token));
    client.list_roles().await.unwrap();
    refresh.assert_calls(1);
    fresh.assert_calls(1);
    api.done_async().await;
}

/// A client that starts from a refresh token alone refreshes before its
/// first call (never sending an empty bearer), once for concurrent calls, and
/// then uses the access token it got; a rejected refresh ends the session.
#[tokio::test]
async fn a_refresh_token_alone_is_refreshed_before_the_first_call() {
    let api = Mocked::start_async().await;
    let (access, refresh_token) = (jwt_expiring("ann", 1800), jwt_expiring("ann", 86400));
    let refresh = api.expect_refresh_async(&refresh_token, &access).await;
    let fresh = roles_ok(&api, &access).await;
    let client = client(&api, Tokens::from_refresh_token(refresh_token.clone()));
    let (a, b) = tokio::join!(client.list_roles(), client.list_roles());
    a.unwrap();
    b.unwrap();
    client.list_roles().await.unwrap();
    refresh.assert_calls_async(1).await;
    fresh.assert_calls_async(3).await;
    let tokens = client.tokens().unwrap();
    assert_eq!(tokens.access_token().expose_secret(), access);
    assert_eq!(tokens.refresh_token().expose_secret(), refresh_token);
    api.done_async().await;

    let api = Mocked::start_async().await;
    let rejected = api
        .expect_refresh_rejected_async("revoked", "Could not validate credentials")
        .await;
    let revoked = self::client(&api, Tokens::from_refresh_token("revoked"));
    let err = revoked.list_roles().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert!(!err.to_string().contains("revoked"), "{err}");
    assert!(!revoked.is_logged_in());
    rejected.assert_calls_async(1).await;
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

/// How long the mock holds a 401 (or a refresh) before answering, so that
/// concurrent requests really overlap.
const HOLD: Duration = Duration::from_secs(1);

/// How many tasks share one client in the single-flight tests.
const TASKS: usize = 16;

/// Spawns [`TASKS`] tasks that wait for each other, then each count
/// themselves in `started` and call `list_roles` once; all must succeed.
async fn list_roles_together(client: &TupliApiClient, started: &Arc<AtomicUsize>) {
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (client, barrier, started) =
                (client.clone(), Arc::clone(&barrier), Arc::clone(started));
            tokio::spawn(async move {
                barrier.wait().await;
                started.fetch_add(1, Ordering::SeqCst);
                client.list_roles().await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
}

/// A request's `Authorization` header is `Bearer {token}`.
fn carries(req: &HttpMockRequest, token: &str) -> bool {
    req.headers()
        .get("authorization")
        .is_some_and(|v| v.as_bytes() == format!("Bearer {token}").as_bytes())
}

/// The 401s overlap (each is held [`HOLD`] before it is answered, and all
/// [`TASKS`] requests with the stale token reach the server before the
/// refresh does); exactly one refresh follows, and every task resends once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_401s_cause_a_single_refresh() {
    let api = Mocked::start_async().await;
    let stale_seen = Arc::new(AtomicUsize::new(0));
    let stale_seen_at_refresh = Arc::new(AtomicUsize::new(usize::MAX));
    let counter = Arc::clone(&stale_seen);
    let stale = api
        .mock_async(move |when, then| {
            when.method(GET)
                .path("/access/roles/list")
                .is_true(move |req| {
                    let old = req.uri().path() == "/access/roles/list" && carries(req, "old");
                    if old {
                        counter.fetch_add(1, Ordering::SeqCst);
                    }
                    old
                });
            then.status(401)
                .delay(HOLD)
                .header("www-authenticate", "Bearer")
                .json_body(json!({"detail": "Could not validate credentials"}));
        })
        .await;
    let (seen, at_refresh) = (Arc::clone(&stale_seen), Arc::clone(&stale_seen_at_refresh));
    let refresh = api
        .mock_async(move |when, then| {
            refresh_request("R").apply(when).is_true(move |req| {
                if req.uri().path() == REFRESH_PATH && carries(req, "R") {
                    // The first refresh records how many stale requests came before it.
                    let _ = at_refresh.compare_exchange(
                        usize::MAX,
                        seen.load(Ordering::SeqCst),
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    );
                }
                true
            });
            json_reply(then, 200, refreshed_token("new"));
        })
        .await;
    let fresh = roles_ok(&api, "new").await;
    let client = client(&api, Tokens::new("old", "R"));
    let started = Arc::new(AtomicUsize::new(0));
    list_roles_together(&client, &started).await;
    assert_eq!(
        stale_seen_at_refresh.load(Ordering::SeqCst),
        TASKS,
        "every task's request with the stale token was in flight before the refresh"
    );
    stale.assert_calls_async(TASKS).await;
    refresh.assert_calls_async(1).await;
    fresh.assert_calls_async(TASKS).await;
    assert_eq!(
        client.tokens().unwrap().access_token().expose_secret(),
        "new"
    );
    api.done_async().await;
}

/// All tasks find the token expired while the one refresh is in flight (it
/// is held [`HOLD`]): none sends the stale token, none refreshes again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_expired_tokens_cause_a_single_proactive_refresh() {
    let api = Mocked::start_async().await;
    let (expired, later, refresh_token) = (
        jwt_expiring("ann", -5),
        jwt_expiring("ann", 1800),
        jwt_expiring("ann", 86400),
    );
    let (request, answer) = (refresh_request(&refresh_token), refreshed_token(&later));
    let refresh = api
        .mock_async(move |when, then| {
            request.apply(when);
            json_reply(then.delay(HOLD), 200, answer);
        })
        .await;
    let started = Arc::new(AtomicUsize::new(0));
    let started_at_first_fresh = Arc::new(AtomicUsize::new(usize::MAX));
    let (seen, at_fresh, token) = (
        Arc::clone(&started),
        Arc::clone(&started_at_first_fresh),
        later.clone(),
    );
    let fresh = api
        .mock_async(move |when, then| {
            when.method(GET)
                .path("/access/roles/list")
                .header("authorization", format!("Bearer {later}"))
                .is_true(move |req| {
                    if req.uri().path() == "/access/roles/list" && carries(req, &token) {
                        let _ = at_fresh.compare_exchange(
                            usize::MAX,
                            seen.load(Ordering::SeqCst),
                            Ordering::SeqCst,
                            Ordering::SeqCst,
                        );
                    }
                    true
                });
            then.status(200).json_body(json!([]));
        })
        .await;
    let client = client(&api, Tokens::new(expired, refresh_token));
    list_roles_together(&client, &started).await;
    assert_eq!(
        started_at_first_fresh.load(Ordering::SeqCst),
        TASKS,
        "every task had started its call while the refresh was in flight"
    );
    refresh.assert_calls_async(1).await;
    fresh.assert_calls_async(TASKS).await;
    api.done_async().await;
}

#[tokio::test]
async fn rejected_refresh_clears_tokens_and_says_log_in_again() {
    let api = Mocked::start_async().await;
    let stale = roles_401(&api, "old").await;
    let refresh = api
        .expect_refresh_rejected_async("R", "Could not validate credentials")
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
    let refresh = api.expect_refresh_async("R", "new").await;
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
        .expect_refresh_rejected_async("R", "Could not validate credentials")
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

/// With tokens whose expiry is unknown, calls carry the token as it is (no
/// proactive refresh: the catch-all would catch one), and a 401 leads to
/// exactly one refresh and one resend.
async fn works_with_an_unknown_expiry(api: &Mocked, client: &TupliApiClient, what: &str) {
    let tokens = client.tokens().expect("logged in");
    let access = tokens.access_token().expose_secret().to_string();
    let refresh = tokens.refresh_token().expose_secret().to_string();
    assert_eq!(tokens.access_expires_at(), None, "{what}");
    assert_eq!(tokens.refresh_expires_at(), None, "{what}");

    let ok = roles_ok(api, &access).await;
    client.list_roles().await.unwrap();
    client.list_roles().await.unwrap();
    ok.assert_calls_async(2).await;
    ok.delete_async().await;

    let stale = roles_401(api, &access).await;
    let refreshed = api.expect_refresh_async(&refresh, "fresh").await;
    let fresh = roles_ok(api, "fresh").await;
    client.list_roles().await.unwrap();
    stale.assert_calls_async(1).await;
    refreshed.assert_calls_async(1).await;
    fresh.assert_calls_async(1).await;
    for mock in [stale, refreshed, fresh] {
        mock.delete_async().await;
    }
    assert_eq!(
        client.tokens().unwrap().access_token().expose_secret(),
        "fresh",
        "{what}"
    );
}

/// A login answered with such tokens succeeds; the session works.
#[tokio::test]
async fn login_with_tokens_without_a_usable_expiry() {
    for (what, access, user) in tokens_without_a_usable_expiry() {
        let api = Mocked::start_async().await;
        let refresh = format!("{access}R");
        let login = api
            .expect_login_async(USER, PASSWORD, token_pair(&access, &refresh))
            .await;
        let client = api.client();
        client.login(USER, PASSWORD).await.unwrap();
        login.assert_calls_async(1).await;
        login.delete_async().await;
        let tokens = client.tokens().unwrap();
        assert_eq!(tokens.access_token().expose_secret(), access, "{what}");
        assert_eq!(tokens.refresh_token().expose_secret(), refresh, "{what}");
        assert_eq!(tokens.username().as_deref(), user, "{what}");
        works_with_an_unknown_expiry(&api, &client, what).await;
        api.done_async().await;
    }
}

/// The same tokens restored with `Tokens::new` (e.g. from a file).
#[tokio::test]
async fn restored_tokens_without_a_usable_expiry() {
    for (what, access, user) in tokens_without_a_usable_expiry() {
        let api = Mocked::start_async().await;
        let tokens = Tokens::new(access.clone(), format!("{access}R"));
        assert_eq!(tokens.username().as_deref(), user, "{what}");
        let client = TupliApiClient::builder()
            .url(api.url())
            .retry_policy(tupli::RetryPolicy::none())
            .tokens(tokens)
            .build()
            .unwrap();
        works_with_an_unknown_expiry(&api, &client, what).await;
        api.done_async().await;
    }
}

/// A token the server issues that an HTTP header cannot carry: the login
/// fails with a decode error and stores nothing (the tokens held before
/// stay), and the error does not show the token.
#[tokio::test]
async fn a_login_token_no_header_can_carry_is_a_decode_error() {
    let api = Mocked::start_async().await;
    let good = jwt_expiring(USER, 1800);
    for bad in ["abc\r\ndef", "line\nbreak", "nul\0byte", "del\u{7f}char"] {
        for (access, refresh) in [(bad, good.as_str()), (good.as_str(), bad)] {
            for before in [None, Some(Tokens::new("old", "R"))] {
                let client = api.client();
                client.set_tokens(before.clone());
                let err = api
                    .err(
                        login_request(USER, PASSWORD),
                        |then| json_reply(then, 200, token_pair(access, refresh)),
                        client.login(USER, PASSWORD),
                    )
                    .await;
                match &err {
                    Error::Decode { message, .. } => {
                        assert!(message.contains("HTTP header cannot carry"), "{err:?}")
                    }
                    other => panic!("{bad:?}: expected Decode, got {other:?}"),
                }
                let shown = format!("{err} {err:?}");
                assert!(!shown.contains(bad), "{shown}");
                let after = client
                    .tokens()
                    .map(|t| t.access_token().expose_secret().to_string());
                assert_eq!(
                    after,
                    before.map(|t| t.access_token().expose_secret().to_string()),
                    "{bad:?}: the tokens held before are kept, nothing new stored"
                );
            }
        }
    }
    api.done_async().await;
}
