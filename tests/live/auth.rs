//! Tokens that expire: refreshed, then a clear "log in again".

use std::time::Duration;

use tupli::{Error, TupliApiClient};

use crate::{env_or, NEEDS};

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn expired_tokens_refresh_then_ask_to_log_in_again() {
    let url = std::env::var("TUPLI_TEST_SHORT_URL")
        .unwrap_or_else(|_| panic!("{NEEDS} and TUPLI_TEST_SHORT_URL"));
    let secs = |name: &str| -> f64 {
        std::env::var(name)
            .unwrap_or_else(|_| panic!("{name} unset"))
            .parse()
            .unwrap()
    };
    let (access, refresh) = (
        secs("TUPLI_TEST_SHORT_ACCESS_SECS"),
        secs("TUPLI_TEST_SHORT_REFRESH_SECS"),
    );
    let client = TupliApiClient::with_url(url).unwrap();
    client
        .login(
            &env_or("TUPLI_TEST_ADMIN_USER", "admin"),
            &env_or("TUPLI_TEST_ADMIN_PASSWORD", "pytupli"),
        )
        .await
        .unwrap();
    let first = client.tokens().unwrap();
    client.list_roles().await.unwrap();

    // Past the access token's lifetime: the call still works, through a refresh.
    tokio::time::sleep(Duration::from_secs_f64(access + 1.5)).await;
    let clones: Vec<_> = (0..8).map(|_| client.clone()).collect();
    let results = futures::future::join_all(clones.iter().map(|c| c.list_roles())).await;
    for r in results {
        r.unwrap();
    }
    let refreshed = client.tokens().unwrap();
    use tupli::ExposeSecret;
    assert_ne!(
        refreshed.access_token().expose_secret(),
        first.access_token().expose_secret()
    );

    // Past the refresh token's lifetime too: a clear "log in again".
    tokio::time::sleep(Duration::from_secs_f64(refresh - access)).await;
    let err = client.list_roles().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired { .. }), "{err:?}");
    assert!(err.to_string().contains("log in again"));
    assert!(!client.is_logged_in());
}
