//! Error answers and bodies that do not decode: how each maps to `Error`.

use std::fmt::Debug;
use std::future::Future;
use tupli::prelude::*;

use serde_json::{json, Value};
use tupli::models::{Group, ValidationError, ValidationErrorLocItem};
use tupli::{Detail, Error};

use crate::support::*;

pub(crate) fn message(text: &str) -> Detail {
    Detail::Message(text.into())
}

const BAD_GATEWAY_HTML: &str = "<html><body><h1>502 Bad Gateway</h1></body></html>";

/// An error answer and the detail it must map to.
struct Case {
    status: u16,
    content_type: &'static str,
    body: String,
    detail: Detail,
}

fn error_cases() -> Vec<Case> {
    let json = |status: u16, body: Value, detail: Detail| Case {
        status,
        content_type: "application/json",
        body: body.to_string(),
        detail,
    };
    vec![
        json(
            403,
            json!({"detail": "Not enough rights"}),
            message("Not enough rights"),
        ),
        json(
            404,
            json!({"detail": "Not found ü"}),
            message("Not found ü"),
        ),
        json(
            409,
            json!({"detail": "Already exists"}),
            message("Already exists"),
        ),
        json(
            422,
            json!({"detail": [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}]}),
            Detail::Validation(vec![ValidationError {
                loc: vec![
                    ValidationErrorLocItem::String("body".into()),
                    ValidationErrorLocItem::String("name".into()),
                ],
                msg: "Field required".into(),
                type_: "missing".into(),
            }]),
        ),
        json(
            422,
            json!({"detail": [{
                "type": "float_parsing",
                "loc": ["body", "tuples", 0, "reward"],
                "msg": "Input should be a valid number",
                "input": "x",
                "url": "https://errors.pydantic.dev/2.11/v/float_parsing",
            }]}),
            Detail::Validation(vec![ValidationError {
                loc: vec![
                    ValidationErrorLocItem::String("body".into()),
                    ValidationErrorLocItem::String("tuples".into()),
                    ValidationErrorLocItem::Integer(0),
                    ValidationErrorLocItem::String("reward".into()),
                ],
                msg: "Input should be a valid number".into(),
                type_: "float_parsing".into(),
            }]),
        ),
        json(
            500,
            json!({"detail": "Internal error"}),
            message("Internal error"),
        ),
        json(503, json!({"detail": "Try later"}), message("Try later")),
        Case {
            status: 502,
            content_type: "text/html",
            body: BAD_GATEWAY_HTML.into(),
            detail: Detail::Body(BAD_GATEWAY_HTML.into()),
        },
        Case {
            status: 500,
            content_type: "text/plain",
            body: String::new(),
            detail: Detail::Empty,
        },
    ]
}

/// `err` is `Error::Api` with `status` and `detail`, and its predicates agree.
pub(crate) fn assert_api(err: &Error, status: u16, detail: &Detail) {
    match err {
        Error::Api {
            status: got,
            detail: got_detail,
            ..
        } => {
            assert_eq!(got.as_u16(), status, "{err}");
            assert_eq!(got_detail, detail, "{err}");
        }
        other => panic!("expected Api({status}), got {other:?}"),
    }
    assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
    assert_eq!(err.detail(), Some(detail));
    assert_eq!(
        err.is_retryable(),
        matches!(status, 429 | 502..=504),
        "{status}"
    );
    assert_eq!(err.is_not_found(), status == 404);
    assert_eq!(err.is_conflict(), status == 409);
    assert_eq!(err.is_auth(), matches!(status, 401 | 403));
}

impl Mocked {
    /// Every [`error_cases`] answer to `req` maps to `Error::Api` with its detail.
    async fn assert_error_mapping<T: Debug, F: Future<Output = tupli::Result<T>>>(
        &self,
        req: Req,
        call: impl Fn() -> F,
    ) {
        for case in error_cases() {
            let Case {
                status,
                content_type,
                body,
                detail,
            } = case;
            let err = self
                .err(
                    req.clone(),
                    move |then| {
                        then.status(status)
                            .header("content-type", content_type)
                            .body(body);
                    },
                    call(),
                )
                .await;
            assert_api(&err, status, &detail);
        }
    }
}

#[tokio::test]
async fn error_answers_become_api_errors() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let group = Group {
        name: GROUP.into(),
        description: None,
    };
    api.assert_error_mapping(
        post("/access/groups/create").json(json!({"name": GROUP})),
        || client.create_group(&group),
    )
    .await;
    api.assert_error_mapping(
        get("/access/groups/read").query("group_name", GROUP),
        || client.read_group(GROUP),
    )
    .await;
    api.assert_error_mapping(
        delete("/benchmarks/delete").query("benchmark_id", ID),
        || client.delete_benchmark(ID),
    )
    .await;
    api.assert_error_mapping(
        put("/artifacts/publish")
            .query("artifact_id", ID)
            .query("publish_in", "global"),
        || client.publish_artifact(ID, tupli::GLOBAL_GROUP),
    )
    .await;
    api.assert_error_mapping(get("/artifacts/download").query("artifact_id", ID), || {
        client.load_artifact(ID)
    })
    .await;
    let all = tupli::Filter::all();
    api.assert_error_mapping(
        post("/episodes/list").json(json!({"type": "OR", "key": null, "value": null, "filters": [], "include_tuples": true})),
        || client.list_episodes(&all, true),
    )
    .await;
    api.assert_error_mapping(login_request(USER, PASSWORD), || {
        client.login(USER, PASSWORD)
    })
    .await;
    api.done_async().await;
}

#[tokio::test]
async fn store_artifact_errors_become_api_errors() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let metadata = plain_artifact("n");
    for case in error_cases() {
        let mock = api
            .mock_async(|when, then| {
                when.method("POST").path("/artifacts/upload");
                then.status(case.status)
                    .header("content-type", case.content_type)
                    .body(case.body.clone());
            })
            .await;
        let err = client
            .store_artifact(b"x".to_vec().into(), &metadata)
            .await
            .unwrap_err();
        mock.assert_calls_async(1).await;
        mock.delete_async().await;
        assert_api(&err, case.status, &case.detail);
    }
    api.done_async().await;
}

#[tokio::test]
async fn anonymous_401_is_not_logged_in() {
    let api = Mocked::start_async().await;
    let client = api.client();
    let err = api
        .err(
            get("/access/users/list").anonymous(),
            |then| json_reply(then, 401, json!({"detail": "Not authenticated"})),
            client.list_users(),
        )
        .await;
    match &err {
        Error::NotLoggedIn { detail } => assert_eq!(detail, &message("Not authenticated")),
        other => panic!("expected NotLoggedIn, got {other:?}"),
    }
    assert!(err.is_auth());
    assert!(!err.is_retryable());
    api.done_async().await;
}

#[tokio::test]
async fn bad_success_bodies_are_decode_errors() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let decode = |err: Error| match err {
        Error::Decode { path, excerpt, .. } => (path, excerpt),
        other => panic!("expected Decode, got {other:?}"),
    };

    let err = api
        .err(
            get("/access/users/list"),
            |then| json_reply(then, 200, json!([{"username": "ok"}, {"username": 5}])),
            client.list_users(),
        )
        .await;
    let (path, excerpt) = decode(err);
    assert_eq!(path, "[1].username");
    assert!(excerpt.contains(r#""username":5"#), "{excerpt}");

    let err = api
        .err(
            get("/benchmarks/load").query("benchmark_id", ID),
            |then| json_reply(then, 200, json!({"id": ID, "metadata": {"name": 1}})),
            client.load_benchmark(ID),
        )
        .await;
    let (path, _) = decode(err);
    assert_eq!(path, "metadata.name");

    let err = api
        .err(
            get("/access/groups/read").query("group_name", GROUP),
            |then| {
                then.status(200)
                    .header("content-type", "application/json")
                    .body("this is not json");
            },
            client.read_group(GROUP),
        )
        .await;
    assert!(!err.is_retryable());
    let (path, excerpt) = decode(err);
    // Not JSON at all: the error is at the root of the answer.
    assert_eq!(path, ".");
    assert_eq!(excerpt, "this is not json");

    let err = api
        .err(
            post("/episodes/list").json(json!({"type": "OR", "key": null, "value": null, "filters": [], "include_tuples": false})),
            |then| json_reply(then, 200, json!([{"id": 5}])),
            client.list_episodes(&tupli::Filter::all(), false),
        )
        .await;
    // Lists decode element by element: the error shows the offending element.
    let (path, excerpt) = decode(err);
    assert_eq!(path, "[0].id");
    assert_eq!(excerpt, r#"{"id":5}"#);
    api.done_async().await;
}
