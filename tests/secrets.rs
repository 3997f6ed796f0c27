//! No password or token ever shows up: not in any `Debug` or `Display` of the
//! client, its builder, tokens or errors, and not in any log record at TRACE
//! level (ours, and reqwest's through the `log` bridge), through a whole
//! session with login, refresh, password change and failures. (The CLI's
//! stdout/stderr are checked on every run in tests/cli/.)

use std::io::Write;
use std::sync::{Arc, Mutex};

use httpmock::prelude::*;
use serde_json::json;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;
use tupli::{Error, TupliApiClient};

const PASSWORD: &str = "hunter2-old-secret";
const NEW_PASSWORD: &str = "correct-horse-new-secret";
const ACCESS: &str = "eyJhbGciOiJIUzI1NiJ9.eyJpc3N1ZXIiOiJhbm4ifQ.access-signature-secret";
const REFRESH: &str = "eyJhbGciOiJIUzI1NiJ9.eyJyZWZyZXNoIjoxfQ.refresh-signature-secret";
const REFRESHED: &str = "eyJhbGciOiJIUzI1NiJ9.eyJuZXciOjF9.refreshed-signature-secret";

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
                .with_writer(move || writer.clone())
                .with_filter(filter),
        )
        .try_init()
        .expect("the only subscriber in this test binary");
    tracing::trace!("capture is on");

    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path("/access/users/token");
        then.status(200).json_body(json!({
            "access_token": {"token": ACCESS, "token_type": "bearer"},
            "refresh_token": {"token": REFRESH, "token_type": "bearer"},
        }));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/access/roles/list")
            .header("authorization", format!("Bearer {ACCESS}"));
        then.status(401)
            .json_body(json!({"detail": "Could not validate credentials"}));
    });
    server.mock(|when, then| {
        when.method(POST).path("/access/users/refresh-token");
        then.status(200)
            .json_body(json!({"token": REFRESHED, "token_type": "bearer"}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/access/roles/list");
        then.status(200).json_body(json!([]));
    });
    server.mock(|when, then| {
        when.method(PUT).path("/access/users/change-password");
        then.status(200).json_body(json!(null));
    });
    server.mock(|when, then| {
        when.method(POST).path("/access/users/create");
        then.status(409)
            .json_body(json!({"detail": "User already exists"}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/access/users/list");
        then.status(500).body("Internal Server Error");
    });

    let mut shown = Vec::new();
    let client = TupliApiClient::builder()
        .url(server.base_url())
        .build()
        .unwrap();
    client.login("ann", PASSWORD).await.unwrap();
    shown.push(format!(
        "{client:?} {:?} {:#?}",
        client.tokens(),
        client.tokens()
    ));
    client.list_roles().await.unwrap(); // 401, refresh, retry
    shown.push(format!("{:?}", client.tokens()));
    client.change_password("ann", NEW_PASSWORD).await.unwrap();
    let errors: Vec<Error> = vec![
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
    let builder = TupliApiClient::builder().tokens(client.tokens().unwrap());
    shown.push(format!("{builder:?}"));
    client.logout();
    shown.push(format!("{client:?}"));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("capture is on"),
        "the subscriber captured nothing"
    );
    for target in ["tupli::hooks", "tupli::auth", "reqwest::", "hyper_util::"] {
        assert!(logs.contains(target), "no {target} records were captured");
    }
    assert!(
        logs.contains("refreshing the access token"),
        "our TRACE/DEBUG records are there: {logs}"
    );
    let everything = format!("{}\n{logs}", shown.join("\n"));
    for secret in [PASSWORD, NEW_PASSWORD, ACCESS, REFRESH, REFRESHED] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked:\n{everything}"
        );
        for part in secret.split('.').skip(1) {
            assert!(!everything.contains(part), "part of a token leaked: {part}");
        }
    }
}
