//! Users: signup, login, list, change password, delete.

use serde_json::{json, Value};
use tupli::models::Membership;
use tupli::Error;

use crate::errors::{assert_api, message};
use crate::support::*;

/// A user name that needs encoding in a query.
const AWKWARD_USER: &str = "ann + ü&co";

#[tokio::test]
async fn signup_anonymous_and_logged_in() {
    let api = Mocked::start_async().await;
    let body = json!({"username": "bob/ü", "password": PASSWORD});
    let reply =
        json!({"username": "bob/ü", "memberships": [{"group": "global", "roles": ["guest"]}]});

    let anonymous = api.client();
    let user = api
        .ok(
            post("/access/users/create").anonymous().json(body.clone()),
            reply.clone(),
            anonymous.signup("bob/ü", PASSWORD),
        )
        .await;
    assert_eq!(user.username, "bob/ü");
    assert_eq!(
        user.memberships,
        vec![Membership {
            group: "global".into(),
            roles: vec!["guest".into()]
        }]
    );

    let client = api.logged_in_client().await;
    let user = api
        .ok(
            post("/access/users/create").json(body),
            json!({"username": "bob/ü"}),
            client.signup("bob/ü", PASSWORD),
        )
        .await;
    assert!(user.memberships.is_empty());
    api.done_async().await;
}

#[tokio::test]
async fn signup_retries_anonymously_when_the_session_is_rejected() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let body = json!({"username": "bob", "password": PASSWORD});
    let rejected = api
        .expect_async(post("/access/users/create").json(body.clone()), |then| {
            json_reply(
                then,
                401,
                json!({"detail": "Could not validate credentials"}),
            )
        })
        .await;
    let refresh = api
        .expect_refresh_rejected_async(REFRESH, "Refresh token expired")
        .await;
    let user = api
        .ok(
            post("/access/users/create").anonymous().json(body),
            json!({"username": "bob"}),
            client.signup("bob", PASSWORD),
        )
        .await;
    assert_eq!(user.username, "bob");
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    assert!(!client.is_logged_in(), "the rejected session was forgotten");
    api.done_async().await;
}

/// Without tokens a 401 cannot be helped by signing up "anonymously" again.
#[tokio::test]
async fn signup_anonymous_401_is_sent_once() {
    let api = Mocked::start_async().await;
    let client = api.client();
    let err = api
        .err(
            post("/access/users/create")
                .anonymous()
                .json(json!({"username": "bob", "password": PASSWORD})),
            |then| json_reply(then, 401, json!({"detail": "Not authenticated"})),
            client.signup("bob", PASSWORD),
        )
        .await;
    assert!(matches!(err, Error::NotLoggedIn { .. }), "{err:?}");
    api.done_async().await;
}

#[tokio::test]
async fn login_stores_tokens_and_sends_no_bearer() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    assert!(client.is_logged_in());
    // A second login does not send the old token.
    api.ok(
        login_request("bob", "x"),
        token_pair(ACCESS, REFRESH),
        client.login("bob", "x"),
    )
    .await;
    // A rejected login is an Api error (not NotLoggedIn) and keeps the old tokens.
    let err = api
        .err(
            login_request("bob", "wrong"),
            |then| json_reply(then, 401, json!({"detail": "Invalid username or password"})),
            client.login("bob", "wrong"),
        )
        .await;
    assert_api(&err, 401, &message("Invalid username or password"));
    assert!(client.is_logged_in());
    api.done_async().await;
}

#[tokio::test]
async fn list_users() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let users = api
        .ok(
            get("/access/users/list"),
            json!([
                {"username": AWKWARD_USER, "memberships": [{"group": GROUP, "roles": ["admin", "guest"]}]},
                {"username": "bob"},
            ]),
            client.list_users(),
        )
        .await;
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].username, AWKWARD_USER);
    assert_eq!(users[0].memberships[0].group, GROUP);
    assert_eq!(users[0].memberships[0].roles, ["admin", "guest"]);
    assert_eq!(users[1].username, "bob");
    assert!(users[1].memberships.is_empty());
    api.done_async().await;
}

#[tokio::test]
async fn change_password_and_delete_user() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    api.ok(
        put("/access/users/change-password")
            .json(json!({"username": AWKWARD_USER, "password": "new #2&ü"})),
        Value::Null,
        client.change_password(AWKWARD_USER, "new #2&ü"),
    )
    .await;
    api.ok(
        delete("/access/users/delete").query("username", AWKWARD_USER),
        Value::Null,
        client.delete_user(AWKWARD_USER),
    )
    .await;
    api.done_async().await;
}
