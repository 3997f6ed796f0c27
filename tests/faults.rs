//! A hostile server of our own on 127.0.0.1: every misbehaviour ends in a
//! typed error (or the documented retry) — never a panic, never a hang past
//! the configured timeouts. (A refreshed token that still gets 401 is covered
//! in tests/api/auth.rs: exactly one retry.)

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tupli::models::{Episode, RlTuple};
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

/// Reads a request's head and discards its body.
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
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(20),
        })
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
    let item = serde_json::json!({
        "id": "e", "created_by": "u", "created_at": "t", "benchmark_id": "b", "metadata": {},
        "n_tuples": 1, "terminated": true, "timeout": false,
        "tuples": [{"state": [0.5], "action": 1, "reward": 0.25}],
    })
    .to_string();
    let (url, _) = server(move |stream, _, _| {
        let sent = format!("[{item},{item},{{\"id\":");
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
    assert!(results[0].is_ok() && results[1].is_ok());
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
        .retry_policy(RetryPolicy {
            max_attempts: attempts,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
        })
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

#[tokio::test]
async fn a_redirect_to_another_origin_does_not_carry_the_token() {
    let (target, _) = server(|stream, head, _| async move {
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
    let (url, _) = server(move |stream, head, _| {
        let location = location.clone();
        async move {
            assert!(
                head.contains("authorization: bearer a"),
                "the first hop gets the token"
            );
            respond(stream, "307 Temporary Redirect", &location, b"").await
        }
    })
    .await;
    let roles = guarded(client(&url).list_roles()).await.unwrap();
    assert!(roles.is_empty(), "the token followed the redirect");
}
