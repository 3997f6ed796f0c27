//! No password or token ever shows up: not in any `Debug` or `Display` of the
//! client (logged in), its builder (with tokens), tokens, transfers, datasets
//! or errors (of failed logins and refreshes among others), and not in any
//! log record at TRACE level (ours, and reqwest's through the `log` bridge),
//! through a whole session with logins (one rejected), refreshes (one
//! rejected), a password change and other failures; spans included (the
//! fields of `tupli.call` and `tupli.request`, written when they close too). (The CLI's
//! stdout/stderr are checked on every run in tests/cli/.)

// (Only the mock server and its logins and refreshes are used here.)
#[allow(unused_imports)]
#[path = "support/mod.rs"]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use tupli::prelude::*;

use httpmock::prelude::*;
use serde_json::json;
use support::{token_pair, Mocked};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::prelude::*;
use tupli::{Error, TupliApiClient};

const PASSWORD: &str = "hunter2-old-secret";
const NEW_PASSWORD: &str = "correct-horse-new-secret";
const WRONG_PASSWORD: &str = "wrong-guess-secret";
const ACCESS: &str = "eyJhbGciOiJIUzI1NiJ9.eyJpc3N1ZXIiOiJhbm4ifQ.access-signature-secret";
const REFRESH: &str = "eyJhbGciOiJIUzI1NiJ9.eyJyZWZyZXNoIjoxfQ.refresh-signature-secret";
const REFRESHED: &str = "eyJhbGciOiJIUzI1NiJ9.eyJuZXciOjF9.refreshed-signature-secret";
/// Tokens of a session whose refresh the server rejects.
const STALE_ACCESS: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdGFsZSI6MX0.stale-access-secret";
const STALE_REFRESH: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdGFsZSI6Mn0.stale-refresh-secret";
/// A token the server issues that no header can carry.
const UNSENDABLE: &str = "unsendable-token-secret\r\nx-injected: 1";

/// Every secret of the session; not one may show, nor any part of a token.
const SECRETS: [&str; 9] = [
    PASSWORD,
    NEW_PASSWORD,
    WRONG_PASSWORD,
    ACCESS,
    REFRESH,
    REFRESHED,
    STALE_ACCESS,
    STALE_REFRESH,
    "unsendable-token-secret",
];

/// Everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_in_debug_display_or_trace_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    // Everything at TRACE but the mock server's own records (it logs what it receives).
    let filter = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("httpmock", LevelFilter::OFF);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                // Spans are written when they close too, with all their fields.
                .with_span_events(FmtSpan::CLOSE)
                .with_writer(move || writer.clone())
                .with_filter(filter),
        )
        .try_init()
        .expect("the only subscriber in this test binary");
    tracing::trace!("capture is on");

    let server = Mocked::start_async().await;
    let logins = [
        server
            .expect_login_async("ann", PASSWORD, token_pair(ACCESS, REFRESH))
            .await,
        server
            .expect_login_rejected_async("ann", WRONG_PASSWORD, "Incorrect username or password")
            .await,
        server
            .expect_login_async("mallory", PASSWORD, token_pair(UNSENDABLE, REFRESH))
            .await,
    ];
    let rejected = server
        .mock_async(|when, then| {
            when.method(GET).path("/access/roles/list").is_true(|req| {
                let auth = req.headers().get("authorization").cloned();
                [ACCESS, STALE_ACCESS].iter().any(|t| {
                    auth.as_ref()
                        .is_some_and(|v| v.as_bytes() == format!("Bearer {t}").as_bytes())
                })
            });
            then.status(401)
                .json_body(json!({"detail": "Could not validate credentials"}));
        })
        .await;
    let refreshes = [
        server.expect_refresh_async(REFRESH, REFRESHED).await,
        server
            .expect_refresh_rejected_async(STALE_REFRESH, "Could not validate credentials")
            .await,
    ];
    let accepted = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/access/roles/list")
                .header("authorization", format!("Bearer {REFRESHED}"));
            then.status(200).json_body(json!([]));
        })
        .await;
    let password_change = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path("/access/users/change-password")
                .json_body(json!({"username": "ann", "password": NEW_PASSWORD}));
            then.status(200).json_body(json!(null));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/access/users/create");
            then.status(409)
                .json_body(json!({"detail": "User already exists"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/access/users/list");
            then.status(500).body("Internal Server Error");
        })
        .await;

    let mut shown = Vec::new();
    let mut show = |what: &dyn std::fmt::Debug| shown.push(format!("{what:?} {what:#?}"));
    let client = TupliApiClient::builder().url(server.url()).build().unwrap();
    client.login("ann", PASSWORD).await.unwrap();
    show(&client);
    show(&client.tokens());
    show(&TupliApiClient::builder().tokens(client.tokens().unwrap()));
    client.list_roles().await.unwrap(); // 401, refresh, resend
    rejected.assert_calls(1);
    refreshes[0].assert_calls(1);
    accepted.assert_calls(1);
    show(&client);
    show(&client.tokens().unwrap());
    client.change_password("ann", NEW_PASSWORD).await.unwrap();
    password_change.assert_calls(1);

    // Everything that holds the client, or bytes on their way.
    let metadata: tupli::models::ArtifactMetadata =
        serde_json::from_value(json!({"name": "a", "description": ""})).unwrap();
    show(&client.store_artifact(PASSWORD.as_bytes().to_vec().into(), &metadata));
    let mut sink = Vec::new();
    show(&client.download_artifact_to("a", &mut sink));
    show(&client.download_artifact_to_path("a", std::path::Path::new("a.bin")));
    show(&tupli::dataset::Dataset::new(client.clone()));

    // Failures of logins and refreshes, and others, as errors.
    let stale = TupliApiClient::builder()
        .url(server.url())
        .tokens(tupli::Tokens::new(STALE_ACCESS, STALE_REFRESH))
        .build()
        .unwrap();
    show(&stale);
    let refresh_rejected = stale.list_roles().await.unwrap_err();
    assert!(
        matches!(refresh_rejected, Error::SessionExpired { .. }),
        "{refresh_rejected:?}"
    );
    refreshes[1].assert_calls(1);
    let wrong_password = client.login("ann", WRONG_PASSWORD).await.unwrap_err();
    assert_eq!(wrong_password.status().map(|s| s.as_u16()), Some(401));
    let unsendable = client.login("mallory", PASSWORD).await.unwrap_err();
    assert!(matches!(unsendable, Error::Decode { .. }), "{unsendable:?}");
    logins[0].assert_calls(1);
    logins[1].assert_calls(1);
    logins[2].assert_calls(1);
    let errors: Vec<Error> = vec![
        refresh_rejected,
        wrong_password,
        unsendable,
        client.signup("ann", NEW_PASSWORD).await.unwrap_err(),
        client.list_users().await.unwrap_err(),
        client.login("ann", "").await.unwrap_err(),
        TupliApiClient::with_url(format!("http://ann:{PASSWORD}@localhost")).unwrap_err(),
        client
            .set_url(&format!("http://ann:{NEW_PASSWORD}@localhost"))
            .unwrap_err(),
    ];
    for e in &errors {
        shown.push(format!("{e} {e:?} {e:#?}"));
    }
    client.logout();
    shown.push(format!("{client:?}"));
    server.done_async().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("capture is on"),
        "the subscriber captured nothing"
    );
    for target in ["tupli::hooks", "tupli::auth", "reqwest::", "hyper_util::"] {
        assert!(logs.contains(target), "no {target} records were captured");
    }
    // The spans are there, with their fields: operation, method, path,
    // status, elapsed time, attempt.
    for field in [
        "tupli.request{operation=\"login\" method=POST path=\"/access/users/token\"}",
        "tupli.request{operation=\"refresh_token\"",
        "tupli.call{attempt=1}",
        "status=401",
        "elapsed_ms=",
        "close",
    ] {
        assert!(logs.contains(field), "no {field} in:\n{logs}");
    }
    // Our records of the refreshes and of the failed login are there.
    assert_eq!(
        logs.matches("refreshing the access token").count(),
        2,
        "{logs}"
    );
    assert!(logs.contains("/access/users/token"), "{logs}");
    assert!(logs.contains("/access/users/change-password"), "{logs}");
    let everything = format!("{}\n{logs}", shown.join("\n"));
    for secret in SECRETS {
        assert!(
            !everything.contains(secret),
            "{secret} leaked:\n{everything}"
        );
        for part in secret.split('.').skip(1) {
            assert!(!everything.contains(part), "part of a token leaked: {part}");
        }
    }
}
