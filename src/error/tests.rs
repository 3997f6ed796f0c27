//! Tests of the error module: error bodies parsed and cut to size, the
//! canonical form, excerpts, and the typed local failures.

use super::detail::{EXCERPT_LEN, MAX_DETAIL_MESSAGE, MAX_VALIDATION_ERRORS};
use super::*;

#[test]
fn error_bodies_are_parsed_into_their_kind() {
    assert_eq!(
        Detail::parse(br#"{"detail":"no"}"#),
        Detail::Message("no".into())
    );
    assert!(matches!(
        Detail::parse(br#"{"detail":[{"loc":["body",0],"msg":"m","type":"t"}]}"#),
        Detail::Validation(v) if v.len() == 1 && v[0].loc[1] == ValidationErrorLocItem::Integer(0)
    ));
    assert_eq!(Detail::parse(b"  \n"), Detail::Empty);
    assert_eq!(Detail::parse(b"<html>"), Detail::Body("<html>".into()));
    assert_eq!(
        Detail::parse(br#"{"error":"x"}"#),
        Detail::Body(r#"{"error":"x"}"#.into())
    );
}

#[test]
fn what_a_server_sends_is_cut_to_size() {
    let long = format!(r#"{{"detail":"{}"}}"#, "ü".repeat(10_000));
    let Detail::Message(m) = Detail::parse(long.as_bytes()) else {
        panic!("a message")
    };
    assert!(m.len() < MAX_DETAIL_MESSAGE + 64, "{}", m.len());
    assert!(
        m.ends_with("(20000 bytes in all)"),
        "{}",
        &m[m.len() - 40..]
    );
    let many: Vec<_> = (0..100)
        .map(|i| serde_json::json!({"loc": ["body", i], "msg": "x".repeat(10_000), "type": "t"}))
        .collect();
    let body = serde_json::json!({ "detail": many }).to_string();
    let Detail::Validation(v) = Detail::parse(body.as_bytes()) else {
        panic!("a validation list")
    };
    assert_eq!(v.len(), MAX_VALIDATION_ERRORS + 1);
    assert_eq!(v[MAX_VALIDATION_ERRORS].msg, "… and 68 more");
    assert!(v.iter().all(|e| e.msg.len() < EXCERPT_LEN + 64));
}

#[test]
fn the_canonical_form_keeps_every_kind() {
    for detail in [
        Detail::Message("m".into()),
        Detail::Validation(vec![ValidationError {
            loc: vec![ValidationErrorLocItem::String("body".into())],
            msg: "x".into(),
            type_: "t".into(),
        }]),
        Detail::Body("<p>".into()),
        Detail::Empty,
    ] {
        let wire = serde_json::to_vec(&ApiError {
            detail: detail.clone(),
        })
        .unwrap();
        let back: ApiError = serde_json::from_slice(&wire).unwrap();
        assert_eq!(back.detail, detail);
    }
}

#[test]
fn excerpts_are_cut_and_say_so() {
    let long = vec![b'a'; EXCERPT_LEN + 10];
    let text = excerpt(&long);
    assert!(text.ends_with(&format!("({} bytes in all)", EXCERPT_LEN + 10)));
    assert_eq!(excerpt(b"short"), "short");
}

#[tokio::test]
async fn a_blocking_task_that_panicked_is_named() {
    let panicked = tokio::task::spawn_blocking(|| panic!("on purpose"))
        .await
        .unwrap_err();
    let error = Error::joined("tupli-decode", &panicked);
    assert!(matches!(
        error,
        Error::Worker {
            task: "tupli-decode",
            panicked: true,
            ..
        }
    ));
    assert_eq!(error.to_string(), "the tupli-decode worker panicked");
    let stopped = Error::worker("tupli-export", false);
    assert_eq!(
        stopped.to_string(),
        "the tupli-export worker stopped before it answered"
    );
    for error in [error, stopped] {
        assert!(!error.is_retryable() && !error.is_auth() && !error.is_not_found());
        assert_eq!((error.status(), error.detail()), (None, None));
    }
}

#[test]
#[cfg(any(feature = "npz", feature = "arrow", feature = "parquet"))]
fn a_writers_failure_names_the_format_and_keeps_its_message() {
    let error = Error::export("npz", "the archive is not laid out");
    assert!(matches!(error, Error::Export { format: "npz", .. }));
    assert_eq!(
        error.to_string(),
        "the npz writer failed: the archive is not laid out"
    );
    let source = std::error::Error::source(&error).map(ToString::to_string);
    assert_eq!(source.as_deref(), Some("the archive is not laid out"));
    assert!(!error.is_retryable() && error.status().is_none());
}

#[tokio::test]
async fn a_transport_error_names_where_it_went_but_not_its_query() {
    // Nothing listens on port 9.
    let failed = reqwest::Client::new()
        .get("http://user:pw@127.0.0.1:9/episodes/list?episode_id=abc#frag")
        .send()
        .await
        .unwrap_err();
    let error = Error::from(failed);
    let message = error.with_sources();
    assert!(
        message.starts_with(
            "transport error (http://127.0.0.1:9/episodes/list): error sending request"
        ),
        "{message}"
    );
    for hidden in ["abc", "user", "pw", "frag"] {
        assert!(!message.contains(hidden), "{hidden} in {message}");
    }
}
