//! A canned-response HTTP server on 127.0.0.1 for client benchmarks: answers
//! from memory, so what is measured is the client; and checks what it is
//! sent, so a client that sends the wrong floats fails the bench.
//!
//! It reads each request's body: `/episodes/list` answers the episodes with
//! their tuples or only their headers as the body's `include_tuples` says
//! (with tuples and an `id IN` filter, just those episodes, as a client
//! asking by ids in batches gets them);
//! `/episodes/record` is parsed by [`episode_floats`] (numbers by Rust's
//! correctly rounded `f64` parser, independent of any client's), its tuples
//! counted and its floats hashed; `/artifacts/upload` is counted. Every request is logged
//! for [`Canned::take_log`].

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::ops::Range;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::floats::{episode_floats, Floats};

/// The id of the one benchmark the server lists; the payload's episodes
/// belong to it.
pub(super) const BENCHMARK_ID: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// What the server answers with.
pub(super) struct Content {
    /// The body of `POST /episodes/list` with `include_tuples`.
    pub(super) episodes: Vec<u8>,
    /// The body of `POST /episodes/list` without `include_tuples`.
    pub(super) headers: Vec<u8>,
    /// Length of the artifact served by `GET /artifacts/download`.
    pub(super) artifact_len: u64,
    /// One block of the artifact, repeated to its length.
    pub(super) artifact_block: Vec<u8>,
    /// `sha256(artifact ++ "bench")`, as the real server records it.
    pub(super) artifact_hash: String,
}

/// One request the server answered.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Request {
    /// Its path, without the query.
    pub(super) route: String,
    /// For `/episodes/list`: what the body asked for.
    pub(super) include_tuples: Option<bool>,
    /// For `/episodes/list`: how many ids an `IN` filter on `id` named.
    pub(super) id_filter: Option<usize>,
    /// For `/episodes/record`: what the body held.
    pub(super) record: Option<Floats>,
    /// For `/artifacts/upload`: the body's length.
    pub(super) upload_bytes: Option<u64>,
}

/// A running canned server; it lives as long as the process.
pub(super) struct Canned {
    pub(super) url: String,
    log: Arc<Mutex<Vec<Request>>>,
    last_record: Arc<Mutex<Vec<u8>>>,
}

impl Canned {
    /// The requests answered since the last call.
    pub(super) fn take_log(&self) -> Vec<Request> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The body of the last `/episodes/record`, as it was received.
    pub(super) fn last_record(&self) -> Vec<u8> {
        self.last_record
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

struct Shared {
    content: Content,
    /// Each episode's bytes in `content.episodes`, by id.
    items: std::collections::HashMap<String, Range<usize>>,
    log: Arc<Mutex<Vec<Request>>>,
    last_record: Arc<Mutex<Vec<u8>>>,
}

pub(super) fn start(content: Content) -> Result<Canned> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let log = Arc::new(Mutex::new(Vec::new()));
    let last_record = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::new(Shared {
        items: index(&content)?,
        content,
        log: Arc::clone(&log),
        last_record: Arc::clone(&last_record),
    });
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                if let Err(e) = handle(stream, &shared) {
                    eprintln!("canned server: {e:#}");
                }
            });
        }
    });
    Ok(Canned {
        url,
        log,
        last_record,
    })
}

fn token() -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 86_400;
    format!(
        "{}.{}.bench",
        base64_url(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64_url(
            json!({"issuer": "bench", "exp": exp})
                .to_string()
                .as_bytes()
        )
    )
}

/// Unpadded base64url, enough for a JWT-shaped token.
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn artifact_item(content: &Content) -> Value {
    json!({
        "name": "bench.bin", "description": "", "benchmark_id": null, "extra": {},
        "id": "bench-artifact", "created_by": "bench", "published_in": ["bench"],
        "created_at": "2026-11-25T12:00:00", "hash": content.artifact_hash, "encoding": "utf-8",
    })
}

fn benchmarks() -> Value {
    json!([{
        "id": BENCHMARK_ID, "created_by": "bench", "published_in": ["bench"],
        "created_at": "2026-11-25T12:00:00", "hash": "bench-hash",
        "metadata": {"name": "bench", "description": "", "difficulty": null,
                     "version": null, "extra": {}},
    }])
}

/// Serves one request on a connection, then closes it.
fn handle(stream: TcpStream, shared: &Shared) -> Result<()> {
    let content = &shared.content;
    let mut reader = BufReader::with_capacity(1 << 20, stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (mut length, mut chunked) = (0u64, false);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().context("content-length")?;
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let route = path.split('?').next().unwrap_or("").to_string();
    let mut request = Request {
        route: route.clone(),
        include_tuples: None,
        id_filter: None,
        record: None,
        upload_bytes: None,
    };
    let mut out = stream;
    let answer = match route.as_str() {
        "/artifacts/upload" => {
            request.upload_bytes = Some(body(&mut reader, length, chunked, None)?);
            Answer::Json(artifact_item(content).to_string().into_bytes())
        }
        _ => {
            let mut bytes = Vec::new();
            body(&mut reader, length, chunked, Some(&mut bytes))?;
            answer(&route, &bytes, &mut request, shared)
        }
    };
    shared
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(request);
    match answer {
        Answer::Json(body) => respond(&mut out, "200 OK", &body),
        Answer::Episodes(include_tuples) => respond(
            &mut out,
            "200 OK",
            if include_tuples {
                &content.episodes
            } else {
                &content.headers
            },
        ),
        Answer::Selected(items) => {
            let len = items.iter().map(|r| r.len() + 1).sum::<usize>().max(1) + 1;
            write!(
                out,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n["
            )?;
            for (i, item) in items.into_iter().enumerate() {
                out.write_all(if i == 0 { b"" } else { b"," })?;
                out.write_all(&content.episodes[item])?;
            }
            out.write_all(b"]")?;
            Ok(out.flush()?)
        }
        Answer::Status(status, detail) => respond(
            &mut out,
            status,
            json!({ "detail": detail }).to_string().as_bytes(),
        ),
        Answer::Artifact => {
            let metadata = artifact_item(content).to_string();
            write!(
                out,
                "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\nx-metadata: {metadata}\r\nconnection: close\r\n\r\n",
                content.artifact_len
            )?;
            let mut left = content.artifact_len;
            while left > 0 {
                let n = left.min(content.artifact_block.len() as u64) as usize;
                out.write_all(&content.artifact_block[..n])?;
                left -= n as u64;
            }
            Ok(())
        }
    }
}

enum Answer {
    Json(Vec<u8>),
    /// The episodes with their tuples (`true`) or their headers.
    Episodes(bool),
    /// Some of the episodes with their tuples: their bytes.
    Selected(Vec<Range<usize>>),
    Status(&'static str, String),
    Artifact,
}

fn answer(route: &str, body: &[u8], request: &mut Request, shared: &Shared) -> Answer {
    match route {
        "/access/users/token" => {
            let t = token();
            Answer::Json(
                json!({"access_token": {"token": t, "token_type": "bearer"},
                       "refresh_token": {"token": t, "token_type": "bearer"}})
                .to_string()
                .into_bytes(),
            )
        }
        "/access/users/refresh-token" => Answer::Json(
            json!({"token": token(), "token_type": "bearer"})
                .to_string()
                .into_bytes(),
        ),
        "/benchmarks/list" => Answer::Json(benchmarks().to_string().into_bytes()),
        "/episodes/list" => match serde_json::from_slice::<Value>(body) {
            Ok(query) => {
                // The server's default, as pytupli's: headers only.
                let include_tuples = query["include_tuples"].as_bool().unwrap_or(false);
                request.include_tuples = Some(include_tuples);
                request.id_filter = id_filter(&query);
                match id_values(&query) {
                    Some(ids) if include_tuples && !shared.items.is_empty() => Answer::Selected(
                        ids.iter()
                            .filter_map(|id| shared.items.get(id.as_str()?).cloned())
                            .collect(),
                    ),
                    _ => Answer::Episodes(include_tuples),
                }
            }
            Err(e) => Answer::Status("422 Unprocessable Entity", format!("body: {e}")),
        },
        "/episodes/record" => match episode_floats(body) {
            Ok(floats) => {
                let header = json!({"id": "e", "created_by": "bench", "published_in": ["bench"],
                    "created_at": "2026-11-25T12:00:00", "benchmark_id": "bench",
                    "metadata": {}, "n_tuples": floats.tuples, "terminated": floats.terminal,
                    "timeout": false});
                request.record = Some(floats);
                *shared.last_record.lock().unwrap_or_else(|e| e.into_inner()) = body.to_vec();
                Answer::Json(header.to_string().into_bytes())
            }
            Err(e) => Answer::Status("422 Unprocessable Entity", format!("episode: {e:#}")),
        },
        "/artifacts/download" => Answer::Artifact,
        _ => Answer::Status("404 Not Found", "Not Found".into()),
    }
}

/// How many ids the first `IN` filter on `id` in a query names.
fn id_filter(query: &Value) -> Option<usize> {
    id_values(query).map(Vec::len)
}

/// The ids the first `IN` filter on `id` in a query names.
fn id_values(query: &Value) -> Option<&Vec<Value>> {
    match query {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("IN")
                && map.get("key").and_then(Value::as_str) == Some("id")
            {
                return map.get("value").and_then(Value::as_array);
            }
            map.values().find_map(id_values)
        }
        Value::Array(items) => items.iter().find_map(id_values),
        _ => None,
    }
}

/// Each episode's bytes in the episodes array, by the id its header (in
/// the same order) has; none without headers.
fn index(content: &Content) -> Result<std::collections::HashMap<String, Range<usize>>> {
    if content.headers.is_empty() {
        return Ok(Default::default());
    }
    let headers: Vec<Value> = serde_json::from_slice(&content.headers).context("headers")?;
    let (bytes, mut items) = (&content.episodes, Vec::new());
    let (mut depth, mut string, mut escaped, mut start) = (0usize, false, false, None);
    for (i, &b) in bytes.iter().enumerate() {
        if string {
            (escaped, string) = (!escaped && b == b'\\', escaped || b != b'"');
            continue;
        }
        if depth == 1 && start.is_none() && !b" \t\r\n,]".contains(&b) {
            start = Some(i);
        }
        match b {
            b'"' => string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.checked_sub(1).context("unbalanced episodes")?,
            _ => {}
        }
        if (b == b',' && depth == 1) || (b == b']' && depth == 0) {
            items.extend(start.take().map(|s| s..i));
        }
    }
    if items.len() != headers.len() {
        bail!("{} episodes for {} headers", items.len(), headers.len());
    }
    headers
        .iter()
        .zip(items)
        .map(|(h, item)| Ok((h["id"].as_str().context("a header's id")?.to_string(), item)))
        .collect()
}

fn respond(out: &mut TcpStream, status: &str, body: &[u8]) -> Result<()> {
    write!(
        out,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)?;
    out.flush()?;
    Ok(())
}

/// Reads a request body into `keep` (or discards it); its length.
fn body(
    reader: &mut impl BufRead,
    length: u64,
    chunked: bool,
    mut keep: Option<&mut Vec<u8>>,
) -> Result<u64> {
    let mut copy = |reader: &mut dyn Read, n: u64| -> Result<u64> {
        let mut part = reader.take(n);
        let copied = match keep.as_deref_mut() {
            Some(buffer) => std::io::copy(&mut part, buffer)?,
            None => std::io::copy(&mut part, &mut std::io::sink())?,
        };
        if copied != n {
            bail!("the body ended after {copied} of {n} bytes");
        }
        Ok(copied)
    };
    if !chunked {
        return copy(reader, length);
    }
    let mut total = 0;
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let n = u64::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)?;
        if n == 0 {
            let mut end = String::new();
            reader.read_line(&mut end)?;
            return Ok(total);
        }
        total += copy(reader, n)?;
        let mut end = [0u8; 2];
        reader.read_exact(&mut end)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_id_filter() {
        let query = json!({"type": "AND", "filters": [
            {"type": "IN", "key": "benchmark_id", "value": ["b"]},
            {"type": "IN", "key": "id", "value": ["1", "2", "3"]}],
            "include_tuples": true});
        assert_eq!(id_filter(&query), Some(3));
        assert_eq!(id_filter(&json!({"include_tuples": true})), None);
        let content = Content {
            episodes: br#"[{"id":"a","t":[1,"],"]} , {"id":"b\"","t":{}}]"#.to_vec(),
            headers: br#"[{"id":"a"},{"id":"b\""}]"#.to_vec(),
            artifact_len: 0,
            artifact_block: Vec::new(),
            artifact_hash: String::new(),
        };
        let at = index(&content).unwrap();
        let text =
            |id: &str| String::from_utf8_lossy(&content.episodes[at[id].clone()]).into_owned();
        assert_eq!(text("a"), r#"{"id":"a","t":[1,"],"]} "#);
        assert_eq!(text("b\""), r#"{"id":"b\"","t":{}}"#);
    }
}
