//! Errors: typed, with the server's detail.

use serde_json::{json, Value};
use tupli::prelude::*;
use tupli::{Detail, Error, Filter, TupliApiClient};

use crate::{admin, api_status, unique, url};

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn errors_are_typed_with_the_server_detail() {
    let admin = admin().await;
    let guest = TupliApiClient::with_url(url()).unwrap();
    let forbidden = guest.list_users().await.unwrap_err();
    assert_eq!(api_status(&forbidden), 403, "{forbidden}");
    assert!(forbidden.is_auth());

    let missing = admin
        .load_benchmark(&unique("no-such-id"))
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    assert!(
        matches!(missing.detail(), Some(Detail::Message(m)) if m.contains("not found")),
        "{missing:?}"
    );

    let taken = TupliApiClient::with_url(url())
        .unwrap()
        .signup("admin", "x")
        .await
        .unwrap_err();
    assert!(taken.is_conflict(), "{taken}");

    // The facade rejects every invalid filter before sending, so a 422 is
    // provoked with a raw request and read through the crate's error mapping.
    let raw = reqwest::Client::new()
        .post(format!("{}/benchmarks/list", url()))
        .json(&json!({"type": "EQ", "key": "metadata.name", "filters": []}))
        .send()
        .await
        .unwrap();
    match Error::from_response(raw).await {
        Error::Api {
            status,
            detail: Detail::Validation(errors),
            ..
        } => {
            assert_eq!(status.as_u16(), 422);
            assert!(!errors.is_empty());
        }
        other => panic!("expected a 422 with validation errors, got {other:?}"),
    }
    let rejected = admin
        .list_benchmarks(&Filter::eq("metadata.name", Value::Null))
        .await
        .unwrap_err();
    assert!(
        matches!(
            rejected,
            Error::InvalidInput {
                argument: "filter",
                ..
            }
        ),
        "{rejected}"
    );
}
