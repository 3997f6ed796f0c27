//! A hostile server of our own on 127.0.0.1: every misbehaviour ends in a
//! typed error (or the documented retry) — never a panic, never a hang past
//! the configured timeouts. The README's retry table is checked here for
//! every public operation. (A refreshed token that still gets 401 is covered
//! in tests/api/auth.rs: exactly one retry.)

// (Only the path of a refresh is used here: the server is our own.)
#[allow(unused_imports)]
#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tupli::prelude::*;

use futures::future::BoxFuture;
use futures::StreamExt;
use support::REFRESH_PATH;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tupli::models::{
    ArtifactMetadata, ArtifactMetadataItem, BenchmarkQuery, Episode, EpisodeItem, Group,
    GroupMembershipQuery, RlTuple, UserRole,
};
use tupli::{Detail, Error, RetryPolicy, Tokens, TupliApiClient};

/// Nothing here may take longer: a hang fails the test instead of CI.
const GUARD: Duration = Duration::from_secs(30);

async fn guarded<T>(future: impl std::future::IntoFuture<Output = T>) -> T {
    tokio::time::timeout(GUARD, future.into_future())
        .await
        .expect("the client hung past every timeout")
}

/// What a connection saw: the request head, lower-cased.
type Head = String;

/// A server answering each connection with `behaviour(stream, head, n)` where
/// `n` counts connections from 0; returns its URL and the connection counter.
async fn server<F, Fut>(behaviour: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(TcpStream, Head, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let behaviour = Arc::new(behaviour);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let behaviour = Arc::clone(&behaviour);
            tokio::spawn(async move {
                let head = read_request(&mut stream).await;
                behaviour(stream, head, n).await;
            });
        }
    });
    (url, count)
}

/// Reads a request's head and discards its body (sized by `content-length`,
/// or chunked), so the answer never races an unread upload.
async fn read_request(stream: &mut TcpStream) -> Head {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    if head.contains("transfer-encoding: chunked") {
        loop {
            let mut size = String::new();
            if reader.read_line(&mut size).await.unwrap_or(0) == 0 {
                break;
            }
            let size =
                usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16).unwrap_or(0);
            // The chunk and its CRLF (the last chunk: the empty trailer line).
            let mut chunk = vec![0; size + 2];
            if reader.read_exact(&mut chunk).await.is_err() || size == 0 {
                break;
            }
        }
        return head;
    }
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length as usize];
    let _ = reader.read_exact(&mut body).await;
    head
}

async fn respond(mut stream: TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.shutdown().await;
}

/// Sends a head announcing `announced` bytes, then `sent`, then resets.
async fn cut_short(mut stream: TcpStream, announced: usize, sent: &[u8]) {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {announced}\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(sent).await;
    let _ = stream.flush().await;
    reset(stream);
}

/// Closes with RST instead of FIN.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

fn client(url: &str) -> TupliApiClient {
    TupliApiClient::builder()
        .url(url)
        .retry_policy(RetryPolicy::none())
        .read_timeout(Duration::from_secs(5))
        .tokens(Tokens::new("A", "R"))
        .build()
        .unwrap()
}

fn is_transport(err: &Error) -> bool {
    matches!(err, Error::Transport { .. })
}

#[tokio::test]
async fn connection_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = guarded(client(&url).list_roles()).await.unwrap_err();
    assert!(is_transport(&err) && err.is_retryable(), "{err:?}");
    // With retries on, it still ends, with the same error.
    let retrying = TupliApiClient::builder()
        .url(&url)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_backoff(Duration::from_millis(10), Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    let err = guarded(retrying.list_roles()).await.unwrap_err();
    assert!(is_transport(&err), "{err:?}");
}

#[tokio::test]
async fn reset_before_the_status_line() {
    let (url, _) = server(|stream, _, _| async move { reset(stream) }).await;
    let err = guarded(client(&url).list_roles()).await.unwrap_err();
    assert!(is_transport(&err), "{err:?}");
}

#[tokio::test]
async fn reset_in_the_middle_of_a_json_list() {
    let (url, _) = server(|stream, _, _| async move {
        cut_short(
            stream,
            4000,
            br#"[{"role":"admin","rights":["benchmark_read"]},{"ro"#,
        )
        .await
    })
    .await;
    let err = guarded(client(&url).list_roles()).await.unwrap_err();
    assert!(is_transport(&err), "{err:?}");
}

#[tokio::test]
async fn content_length_longer_than_the_body() {
    let (url, _) = server(|mut stream, _, _| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n[]")
            .await;
        let _ = stream.shutdown().await;
    })
    .await;
    let err = guarded(client(&url).list_users()).await.unwrap_err();
    assert!(is_transport(&err), "{err:?}");
}

#[tokio::test]
async fn reset_in_the_middle_of_an_artifact_download() {
    let (url, _) =
        server(|stream, _, _| async move { cut_short(stream, 1 << 20, &[7u8; 4096]).await }).await;
    let client = client(&url);
    let err = guarded(client.load_artifact("a")).await.unwrap_err();
    assert!(is_transport(&err), "{err:?}");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("a.bin");
    let err = guarded(client.download_artifact_to_path("a", &target))
        .await
        .unwrap_err();
    assert!(is_transport(&err), "{err:?}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing partial is left"
    );
}

#[tokio::test]
async fn reset_in_the_middle_of_streamed_episodes() {
    let item = |id: &str, state: f64| {
        serde_json::json!({
            "id": id, "created_by": "u", "created_at": "t", "benchmark_id": "b", "metadata": {},
            "n_tuples": 1, "terminated": true, "timeout": false,
            "tuples": [{"state": [state], "action": 1, "reward": 0.25}],
        })
    };
    let (first, second) = (item("e1", 0.5), item("e2", -1.5));
    let sent = format!("[{first},{second},{{\"id\":");
    let (url, _) = server(move |stream, _, _| {
        let sent = sent.clone();
        async move { cut_short(stream, 1 << 20, sent.as_bytes()).await }
    })
    .await;
    let stream = guarded(client(&url).stream_episodes(&tupli::Filter::all()))
        .await
        .unwrap();
    let results: Vec<_> = guarded(stream.collect::<Vec<_>>()).await;
    assert_eq!(
        results.len(),
        3,
        "two episodes, then the error: {results:?}"
    );
    // The two episodes that arrived whole, each with its own values.
    for (result, (sent, id, state)) in results
        .iter()
        .zip([(&first, "e1", 0.5), (&second, "e2", -1.5)])
    {
        let episode = result.as_ref().expect("an episode that arrived whole");
        let expected: EpisodeItem = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(episode, &expected);
        assert_eq!(episode.id, id);
        assert_eq!(episode.tuples.len(), 1);
        assert_eq!(episode.tuples[0].state.as_floats(), Some(&[state][..]));
        assert_eq!(episode.tuples[0].action.as_f64(), Some(1.0));
        assert_eq!(episode.tuples[0].reward.as_f64(), Some(0.25));
    }
    assert!(
        matches!(&results[2], Err(e) if is_transport(e)),
        "{:?}",
        results[2]
    );
}

#[tokio::test]
async fn a_body_that_trickles_hits_the_read_timeout() {
    let (url, _) = server(|mut stream, _, _| async move {
        let _ = stream
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 60\r\n\r\n[",
            )
            .await;
        for _ in 0..60 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if stream.write_all(b" ").await.is_err() {
                return;
            }
        }
    })
    .await;
    let client = TupliApiClient::builder()
        .url(&url)
        .retry_policy(RetryPolicy::none())
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = guarded(client.list_roles()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport { source } if source.is_timeout()),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_total_timeout_cuts_a_slow_but_steady_answer() {
    let (url, _) = server(|mut stream, _, _| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n[")
            .await;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if stream.write_all(b" ").await.is_err() {
                return;
            }
        }
    })
    .await;
    let client = TupliApiClient::builder()
        .url(&url)
        .retry_policy(RetryPolicy::none())
        .read_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let err = guarded(client.list_roles()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport { source } if source.is_timeout()),
        "{err:?}"
    );
}

/// A server that always gives this answer.
async fn answering(status: &'static str, headers: &'static str, body: Vec<u8>) -> String {
    let body = Arc::new(body);
    server(move |stream, _, _| {
        let body = Arc::clone(&body);
        async move { respond(stream, status, headers, &body).await }
    })
    .await
    .0
}

#[tokio::test]
async fn success_answers_of_the_wrong_kind_are_decode_errors() {
    let json = "content-type: application/json\r\n";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "content-type: text/html\r\n",
            b"<html><body>Welcome to nginx</body></html>".to_vec(),
            ".",
        ),
        (json, b"{not json".to_vec(), "."),
        (json, br#"null"#.to_vec(), "."),
        (json, br#"{"role":"x"}"#.to_vec(), "."),
        (json, br#"[{"rights":[]}]"#.to_vec(), "[0]"),
        (json, br#"[{"role":5,"rights":[]}]"#.to_vec(), "[0].role"),
        (
            json,
            br#"[{"role":"r","rights":["fly"]}]"#.to_vec(),
            "[0].rights[0]",
        ),
        (
            json,
            br#"[{"role":"r","rights":null}]"#.to_vec(),
            "[0].rights",
        ),
    ];
    for (headers, body, path) in cases {
        let url = answering("200 OK", headers, body.clone()).await;
        let err = guarded(client(&url).list_roles()).await.unwrap_err();
        match &err {
            Error::Decode { path: got, .. } => {
                assert_eq!(got, path, "{}", String::from_utf8_lossy(&body))
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(&body)),
        }
    }
    // Extra fields are fine.
    let url = answering(
        "200 OK",
        "content-type: application/json\r\n",
        br#"[{"role":"r","rights":[],"description":null,"color":"red"}]"#.to_vec(),
    )
    .await;
    assert_eq!(
        guarded(client(&url).list_roles()).await.unwrap()[0].role,
        "r"
    );
}

#[tokio::test]
async fn a_ten_megabyte_detail_is_cut_to_an_excerpt() {
    let huge = format!(r#"{{"detail":"{}"}}"#, "x".repeat(10 << 20));
    let url = answering(
        "500 Internal Server Error",
        "content-type: application/json\r\n",
        huge.into_bytes(),
    )
    .await;
    let err = guarded(client(&url).list_roles()).await.unwrap_err();
    let shown = err.to_string();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(shown.len() < 2_000, "{} bytes of message", shown.len());
    assert!(matches!(err.detail(), Some(Detail::Body(_))), "{err:?}");
}

#[tokio::test]
async fn server_errors_with_and_without_bodies() {
    for (status, body, retryable) in [
        ("500 Internal Server Error", &b""[..], false),
        (
            "500 Internal Server Error",
            &br#"{"detail":"boom"}"#[..],
            false,
        ),
        ("502 Bad Gateway", &b"<html>bad gateway</html>"[..], true),
        ("502 Bad Gateway", &b""[..], true),
        ("503 Service Unavailable", &b""[..], true),
        (
            "503 Service Unavailable",
            &br#"{"detail":"maintenance"}"#[..],
            true,
        ),
    ] {
        let url = answering(status, "", body.to_vec()).await;
        let err = guarded(client(&url).list_roles()).await.unwrap_err();
        assert!(matches!(err, Error::Api { .. }), "{status}: {err:?}");
        assert_eq!(err.is_retryable(), retryable, "{status}");
        let expected = match body {
            b"" => Detail::Empty,
            b"{\"detail\":\"boom\"}" => Detail::Message("boom".into()),
            b"{\"detail\":\"maintenance\"}" => Detail::Message("maintenance".into()),
            _ => Detail::Body("<html>bad gateway</html>".into()),
        };
        assert_eq!(err.detail(), Some(&expected), "{status}");
    }
}

#[tokio::test]
async fn invalid_utf8_in_a_detail() {
    let url = answering(
        "404 Not Found",
        "content-type: application/json\r\n",
        b"{\"detail\":\"gr\xfc\xdfe\"}".to_vec(),
    )
    .await;
    let err = guarded(client(&url).load_benchmark("b")).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(
        matches!(err.detail(), Some(Detail::Body(b)) if b.contains('\u{fffd}')),
        "{err:?}"
    );
}

/// A server answering 503 to the first `failures` connections, then `ok`.
async fn flaky(failures: usize, ok: &'static [u8]) -> (String, Arc<AtomicUsize>) {
    server(move |stream, _, n| async move {
        if n < failures {
            respond(stream, "503 Service Unavailable", "", b"").await;
        } else {
            respond(stream, "200 OK", "content-type: application/json\r\n", ok).await;
        }
    })
    .await
}

fn quick_retries(url: &str, attempts: u32) -> TupliApiClient {
    TupliApiClient::builder()
        .url(url)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(attempts)
                .with_backoff(Duration::from_millis(5), Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn safe_requests_are_retried_after_503() {
    let (url, count) = flaky(2, b"[]").await;
    assert!(guarded(quick_retries(&url, 3).list_roles())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(count.load(Ordering::SeqCst), 3);

    let (url, count) = flaky(5, b"[]").await;
    let err = guarded(quick_retries(&url, 2).list_roles())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count.load(Ordering::SeqCst), 2, "bounded by max_attempts");

    let (url, count) = flaky(1, b"[]").await;
    let err = guarded(quick_retries(&url, 1).list_roles())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "RetryPolicy::none sends once"
    );
}

/// A server answering `first` (status and headers) to the first connection,
/// then `[]`.
async fn asks_to_wait(first: &'static str, headers: &'static str) -> (String, Arc<AtomicUsize>) {
    server(move |stream, _, n| async move {
        if n == 0 {
            respond(stream, first, headers, b"").await;
        } else {
            respond(
                stream,
                "200 OK",
                "content-type: application/json\r\n",
                b"[]",
            )
            .await;
        }
    })
    .await
}

#[tokio::test]
async fn retry_after_is_waited_for_or_refused_when_too_long() {
    // 429 and 503 with a delay in seconds: waited for (not the 5 ms backoff).
    for status in ["429 Too Many Requests", "503 Service Unavailable"] {
        let (url, count) = asks_to_wait(status, "retry-after: 1\r\n").await;
        let started = std::time::Instant::now();
        assert!(guarded(quick_retries(&url, 3).list_roles())
            .await
            .unwrap()
            .is_empty());
        assert!(
            started.elapsed() >= Duration::from_millis(950),
            "{status}: {:?}",
            started.elapsed()
        );
        assert_eq!(count.load(Ordering::SeqCst), 2, "{status}");
    }
    // An HTTP date in the past: no wait at all.
    let (url, count) = asks_to_wait(
        "429 Too Many Requests",
        "retry-after: Wed, 21 Oct 2015 07:28:00 GMT\r\n",
    )
    .await;
    assert!(guarded(quick_retries(&url, 3).list_roles())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(count.load(Ordering::SeqCst), 2);
    // Longer than the policy allows: an error that says so, at once.
    let (url, count) = asks_to_wait("429 Too Many Requests", "retry-after: 3600\r\n").await;
    let started = std::time::Instant::now();
    let err = guarded(quick_retries(&url, 3).list_roles())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "it waited");
    match &err {
        Error::RetryAfterTooLong {
            retry_after,
            allowed,
            ..
        } => assert_eq!((retry_after.as_secs(), allowed.as_secs()), (3600, 30)),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert!(err.to_string().contains("retry after 3600 s"), "{err}");
    assert_eq!(count.load(Ordering::SeqCst), 1);
    // A creating request is not repeated, whatever the server asks.
    let (url, count) = asks_to_wait("429 Too Many Requests", "retry-after: 0\r\n").await;
    let err = guarded(
        quick_retries(&url, 3).create_role(&tupli::models::UserRole {
            role: "r".into(),
            rights: Vec::new(),
            description: None,
        }),
    )
    .await
    .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::ZERO));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn creating_requests_are_never_retried() {
    let (url, count) = flaky(1, b"{}").await;
    let episode = Episode {
        benchmark_id: "b".into(),
        metadata: Default::default(),
        tuples: vec![RlTuple::new(vec![0.5], 1.0, 0.0)],
    };
    let err = guarded(quick_retries(&url, 5).record_episode(&episode))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count.load(Ordering::SeqCst), 1);

    let (url, count) = flaky(1, b"{}").await;
    let err = guarded(quick_retries(&url, 5).signup("u", "p"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

/// What every operation needs to send its request.
struct Inputs {
    benchmark: BenchmarkQuery,
    group: Group,
    members: GroupMembershipQuery,
    role: UserRole,
    metadata: ArtifactMetadata,
    item: ArtifactMetadataItem,
    episode: Episode,
    filter: tupli::Filter,
    upload: PathBuf,
    download: PathBuf,
}

fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

impl Inputs {
    fn new(dir: &std::path::Path) -> Inputs {
        let upload = dir.join("upload.bin");
        std::fs::write(&upload, b"artifact bytes").unwrap();
        Inputs {
            benchmark: from_json(
                serde_json::json!({"hash": "h", "serialized": "{}", "metadata": {"name": "b"}}),
            ),
            group: from_json(serde_json::json!({"name": "g"})),
            members: from_json(serde_json::json!({"group_name": "g", "members": [{"user": "u"}]})),
            role: from_json(serde_json::json!({"role": "r", "rights": ["benchmark_read"]})),
            metadata: from_json(serde_json::json!({"name": "a", "description": ""})),
            item: from_json(serde_json::json!({
                "id": "a", "name": "a", "description": "", "created_by": "u",
                "created_at": "t", "hash": "00", "encoding": "utf-8", "published_in": [],
            })),
            episode: Episode {
                benchmark_id: "b".into(),
                metadata: Default::default(),
                tuples: vec![RlTuple::new(vec![0.5], 1.0, 0.0)],
            },
            filter: tupli::Filter::all(),
            upload,
            download: dir.join("download.bin"),
        }
    }
}

/// One call of a public method; `method` is its name as the README's retry
/// table names it, `variant` tells calls of one method apart.
struct Operation {
    method: &'static str,
    variant: &'static str,
    call: fn(TupliApiClient, Arc<Inputs>) -> BoxFuture<'static, tupli::Result<()>>,
}

macro_rules! operations {
    ($($method:literal $variant:literal => |$c:ident, $i:ident| $call:expr;)*) => {
        vec![$(Operation {
            method: $method,
            variant: $variant,
            call: {
                fn call($c: TupliApiClient, $i: Arc<Inputs>) -> BoxFuture<'static, tupli::Result<()>> {
                    Box::pin(async move {
                        let _ = &$i;
                        $call.map(drop)
                    })
                }
                call
            },
        }),*]
    };
}

/// Every public method that sends a request, with the variants of lists,
/// streams and transfers.
fn all_operations() -> Vec<Operation> {
    operations! {
        "signup" "" => |c, i| c.signup("u", "p").await;
        "login" "" => |c, i| c.login("u", "p").await;
        "list_users" "" => |c, i| c.list_users().await;
        "change_password" "" => |c, i| c.change_password("u", "p").await;
        "delete_user" "" => |c, i| c.delete_user("u").await;
        "create_group" "" => |c, i| c.create_group(&i.group).await;
        "list_groups" "" => |c, i| c.list_groups().await;
        "read_group" "" => |c, i| c.read_group("g").await;
        "delete_group" "" => |c, i| c.delete_group("g").await;
        "add_group_members" "" => |c, i| c.add_group_members(&i.members).await;
        "remove_group_members" "" => |c, i| c.remove_group_members(&i.members).await;
        "list_roles" "" => |c, i| c.list_roles().await;
        "create_role" "" => |c, i| c.create_role(&i.role).await;
        "delete_role" "" => |c, i| c.delete_role("r").await;
        "store_benchmark" "" => |c, i| c.store_benchmark(&i.benchmark).await;
        "load_benchmark" "" => |c, i| c.load_benchmark("b").await;
        "list_benchmarks" "" => |c, i| c.list_benchmarks(&i.filter).await;
        "delete_benchmark" "" => |c, i| c.delete_benchmark("b").await;
        "publish_benchmark" "" => |c, i| c.publish_benchmark("b", "g").await;
        "unpublish_benchmark" "" => |c, i| c.unpublish_benchmark("b", "g").await;
        "store_artifact" "" => |c, i| c.store_artifact(b"bytes".to_vec().into(), &i.metadata).await;
        "store_artifact_from_path" "" =>
            |c, i| c.store_artifact_from_path(&i.upload, &i.metadata).await;
        "store_artifact_from_reader" "" => |c, i| {
            c.store_artifact_from_reader(|| std::io::Cursor::new(b"bytes".to_vec()), 5, &i.metadata)
                .await
        };
        "load_artifact" "" => |c, i| c.load_artifact("a").await;
        "load_artifact_with" "" => |c, i| c.load_artifact_with(&i.item).await;
        "download_artifact_to" "" => |c, i| {
            let mut sink = Vec::new();
            c.download_artifact_to("a", &mut sink).await
        };
        "download_artifact_to_path" "" => |c, i| c.download_artifact_to_path("a", &i.download).await;
        "list_artifacts" "" => |c, i| c.list_artifacts(&i.filter).await;
        "delete_artifact" "" => |c, i| c.delete_artifact("a").await;
        "publish_artifact" "" => |c, i| c.publish_artifact("a", "g").await;
        "unpublish_artifact" "" => |c, i| c.unpublish_artifact("a", "g").await;
        "record_episode" "" => |c, i| c.record_episode(&i.episode).await;
        "list_episodes" "with tuples" => |c, i| c.list_episodes(&i.filter, true).await;
        "list_episodes" "headers" => |c, i| c.list_episodes(&i.filter, false).await;
        "list_episode_headers" "" => |c, i| c.list_episode_headers(&i.filter).await;
        "list_episode_items" "" => |c, i| c.list_episode_items(&i.filter).await;
        "stream_episodes" "" => |c, i| c.stream_episodes(&i.filter).await;
        "stream_episode_headers" "" => |c, i| c.stream_episode_headers(&i.filter).await;
        "delete_episode" "" => |c, i| c.delete_episode("e").await;
        "publish_episode" "" => |c, i| c.publish_episode("e", "g").await;
        "unpublish_episode" "" => |c, i| c.unpublish_episode("e", "g").await;
    }
}

/// The guide's retry table (the crate docs in src/lib.rs): (names or
/// `prefix*` patterns, retried).
fn readme_retry_table() -> Vec<(Vec<String>, bool)> {
    let guide =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let rows: Vec<(Vec<String>, bool)> = guide
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(str::trim_start)
        .skip_while(|l| l.trim() != "| operations | retried |")
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
            let names = cells[0]
                .split('`')
                .skip(1)
                .step_by(2)
                .map(String::from)
                .collect();
            let retried = match *cells.last().unwrap() {
                "yes" => true,
                "never" => false,
                other => panic!("README retry table: {other:?} is neither yes nor never"),
            };
            (names, retried)
        })
        .collect();
    assert_eq!(rows.len(), 4, "the README's retry table: {rows:?}");
    rows
}

/// Whether the README says `method` is retried: exactly one row must name it.
fn readme_says_retried(table: &[(Vec<String>, bool)], method: &str) -> bool {
    let rows: Vec<bool> = table
        .iter()
        .filter(|(names, _)| {
            names.iter().any(|name| match name.strip_suffix('*') {
                Some(prefix) => method.starts_with(prefix),
                None => method == name,
            })
        })
        .map(|(_, retried)| *retried)
        .collect();
    assert_eq!(
        rows.len(),
        1,
        "{method} is in {} rows of the README's retry table",
        rows.len()
    );
    rows[0]
}

/// Answers every name with 127.0.0.1:`port` (where nothing listens) and
/// counts the lookups of each name: one per connection attempt.
struct Refusing {
    port: u16,
    lookups: Mutex<HashMap<String, Arc<AtomicUsize>>>,
}

impl Refusing {
    /// The lookup counter of `host`.
    fn counter(&self, host: &str) -> Arc<AtomicUsize> {
        let mut lookups = self.lookups.lock().unwrap();
        Arc::clone(lookups.entry(host.to_string()).or_default())
    }
}

impl reqwest::dns::Resolve for Refusing {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        self.counter(name.as_str()).fetch_add(1, Ordering::SeqCst);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        Box::pin(async move { Ok(Box::new(std::iter::once(addr)) as reqwest::dns::Addrs) })
    }
}

/// How the server (or the network) fails every attempt.
#[derive(Clone, Copy, Debug)]
enum Failing {
    Status(&'static str),
    Refused,
}

/// HTTP clients shared by all cases (building one is slow in a debug build).
struct Networks {
    plain: reqwest::Client,
    refusing: reqwest::Client,
    resolver: Arc<Refusing>,
    /// Bound but not listening: connections are refused, and no server of
    /// the test can take the port meanwhile.
    _port: tokio::net::TcpSocket,
}

impl Networks {
    fn new() -> Networks {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
        let resolver = Arc::new(Refusing {
            port: socket.local_addr().unwrap().port(),
            lookups: Mutex::default(),
        });
        let refusing = reqwest::Client::builder()
            .no_proxy()
            .dns_resolver(Arc::clone(&resolver))
            .build()
            .unwrap();
        let plain = reqwest::Client::builder()
            .no_proxy()
            .read_timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        Networks {
            plain,
            refusing,
            resolver,
            _port: socket,
        }
    }

    /// A client (case `n`) whose every attempt fails as `failing`, with the
    /// default retry policy; and the counter of its attempts.
    async fn failing_client(
        &self,
        failing: Failing,
        n: usize,
    ) -> (TupliApiClient, Arc<AtomicUsize>) {
        let builder = TupliApiClient::builder()
            .retry_policy(RetryPolicy::default())
            .tokens(Tokens::new("A", "R"));
        let (builder, count) = match failing {
            Failing::Status(status) => {
                let (url, count) =
                    server(
                        move |stream, _, _| async move { respond(stream, status, "", b"").await },
                    )
                    .await;
                (builder.url(url).http_client(self.plain.clone()), count)
            }
            Failing::Refused => {
                let host = format!("case-{n}.test");
                let count = self.resolver.counter(&host);
                let url = format!("http://{host}:{}", self.resolver.port);
                (builder.url(url).http_client(self.refusing.clone()), count)
            }
        };
        (builder.build().unwrap(), count)
    }
}

/// Whether `result` is the failure the server (or the network) caused.
fn failed_as(result: &tupli::Result<()>, failing: Failing) -> bool {
    match (result, failing) {
        (Err(e), Failing::Status(status)) => {
            e.status().map(|s| s.as_u16().to_string()).as_deref() == status.get(..3)
        }
        (Err(Error::Transport { source }), Failing::Refused) => source.is_connect(),
        _ => false,
    }
}

/// The README's retry table holds for every public operation: with the
/// default policy, 3 attempts after 502, 503, 504 or a refused connection
/// for the operations it says are retried, 1 for the others.
#[tokio::test]
async fn the_readme_retry_table_holds_for_every_operation() {
    let table = readme_retry_table();
    let operations = all_operations();
    // Every operation of the spec (but the refresh behind every call, tested
    // below) is in the list.
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    for id in spec
        .lines()
        .filter_map(|l| l.trim().strip_prefix("operationId:"))
        .map(str::trim)
        .filter(|&id| id != "refresh_token")
    {
        assert!(
            operations.iter().any(|op| op.method == id),
            "operation {id} is missing from this test"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let inputs = Arc::new(Inputs::new(dir.path()));
    let failures = [
        Failing::Status("502 Bad Gateway"),
        Failing::Status("503 Service Unavailable"),
        Failing::Status("504 Gateway Timeout"),
        Failing::Refused,
    ];
    let networks = Networks::new();
    let mut runs = Vec::new();
    for op in &operations {
        for &failing in &failures {
            let expected = if readme_says_retried(&table, op.method) {
                3
            } else {
                1
            };
            let (client, count) = networks.failing_client(failing, runs.len()).await;
            let inputs = Arc::clone(&inputs);
            runs.push(async move {
                let result = guarded((op.call)(client, inputs)).await;
                let seen = if failed_as(&result, failing) {
                    Ok(count.load(Ordering::SeqCst))
                } else {
                    Err(format!("ended with {result:?}"))
                };
                (op.method, op.variant, failing, expected, seen)
            });
        }
    }
    let mut wrong = Vec::new();
    for (method, variant, failing, expected, seen) in futures::future::join_all(runs).await {
        if seen != Ok(expected) {
            wrong.push(format!(
                "{method} {variant} after {failing:?}: expected {expected} attempts, got {seen:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A refresh that fails with 503 fails the attempt it serves: a retried
/// operation tries again (refresh included), the others give up.
#[tokio::test]
async fn a_refresh_answered_503_is_retried_only_with_a_retried_operation() {
    for (retried, expected) in [(true, 3), (false, 1)] {
        let refreshes = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&refreshes);
        let (url, requests) = server(move |stream, head, _| {
            let counter = Arc::clone(&counter);
            async move {
                if head.starts_with(&format!("post {REFRESH_PATH} ")) {
                    counter.fetch_add(1, Ordering::SeqCst);
                    respond(stream, "503 Service Unavailable", "", b"").await
                } else {
                    respond(
                        stream,
                        "401 Unauthorized",
                        "content-type: application/json\r\n",
                        br#"{"detail":"Could not validate credentials"}"#,
                    )
                    .await
                }
            }
        })
        .await;
        let client = TupliApiClient::builder()
            .url(&url)
            .tokens(Tokens::new("A", "R"))
            .build()
            .unwrap();
        let role: UserRole =
            serde_json::from_value(serde_json::json!({"role": "r", "rights": []})).unwrap();
        let err = if retried {
            guarded(client.list_roles()).await.map(drop).unwrap_err()
        } else {
            guarded(client.create_role(&role))
                .await
                .map(drop)
                .unwrap_err()
        };
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
        assert_eq!(
            refreshes.load(Ordering::SeqCst),
            expected,
            "retried: {retried}"
        );
        assert_eq!(
            requests.load(Ordering::SeqCst),
            2 * expected,
            "retried: {retried}"
        );
        assert!(client.is_logged_in(), "a failed refresh keeps the tokens");
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_does_not_carry_the_token() {
    let (target, target_hits) = server(|stream, head, _| async move {
        let body = if head.contains("authorization:") {
            b"[\"leaked\"]".to_vec()
        } else {
            b"[]".to_vec()
        };
        respond(
            stream,
            "200 OK",
            "content-type: application/json\r\n",
            &body,
        )
        .await
    })
    .await;
    let location = format!("location: {target}/access/roles/list\r\n");
    // What the first hop received, reported back to the test (a panic in
    // the server's task would go unnoticed).
    let (heads, mut first_hop) = tokio::sync::mpsc::unbounded_channel::<Head>();
    let (url, _) = server(move |stream, head, _| {
        let (location, heads) = (location.clone(), heads.clone());
        async move {
            let _ = heads.send(head);
            respond(stream, "307 Temporary Redirect", &location, b"").await
        }
    })
    .await;
    let roles = guarded(client(&url).list_roles()).await.unwrap();
    let head = first_hop.try_recv().expect("the first hop was asked");
    assert!(
        head.contains("authorization: bearer a\r\n"),
        "the first hop gets the token: {head}"
    );
    assert!(
        first_hop.try_recv().is_err(),
        "one request to the first hop"
    );
    assert_eq!(
        target_hits.load(Ordering::SeqCst),
        1,
        "the redirect was followed"
    );
    assert!(roles.is_empty(), "the token followed the redirect");
}
