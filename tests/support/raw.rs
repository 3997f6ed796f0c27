//! A raw HTTP/1.1 server of our own on 127.0.0.1, for what httpmock cannot
//! do: an answer cut off half-way, or one that stops sending and keeps the
//! connection open. One request per connection (every answer says
//! `connection: close`); plain threads, so both the async API suite and the
//! blocking CLI suite can use it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde_json::Value;

/// The longest a stalled answer is held open.
const STALL_LIMIT: Duration = Duration::from_secs(60);

/// A request as the raw server read it.
#[derive(Clone)]
pub struct RawRequest {
    pub method: String,
    pub path: String,
    /// The request head, lower-cased.
    pub head: String,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("head", &self.head)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl RawRequest {
    /// The body as JSON (`null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// Whether the request carries `Authorization: Bearer token`.
    pub fn bearer_is(&self, token: &str) -> bool {
        let wanted = format!("authorization: bearer {}", token.to_ascii_lowercase());
        self.head.lines().any(|l| l.trim_end() == wanted)
    }
}

/// What the raw server answers.
#[derive(Clone, Debug)]
pub enum RawReply {
    /// 200 with a JSON body.
    Json(Value),
    /// A status with a JSON body; 599 for a request the test did not plan.
    Status(u16, Value),
    /// A 200 whose head announces `announced` bytes and these `headers`
    /// (each ending in CRLF), then only `sent`: the connection is closed
    /// (`stall: false`) or held open until the server is dropped.
    Partial {
        headers: String,
        announced: usize,
        sent: Vec<u8>,
        stall: bool,
    },
}

/// The raw server; dropping it ends the stalled answers.
pub struct RawServer {
    url: String,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    stop: Arc<(Mutex<bool>, Condvar)>,
}

impl RawServer {
    /// Starts a server answering each request with `reply(request)`.
    pub fn start(reply: impl Fn(&RawRequest) -> RawReply + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let reply = Arc::new(reply);
        let (seen, stopped) = (Arc::clone(&requests), Arc::clone(&stop));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if *stopped.0.lock().unwrap() {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (reply, seen, stopped) =
                    (Arc::clone(&reply), Arc::clone(&seen), Arc::clone(&stopped));
                std::thread::spawn(move || {
                    let Some(request) = read_request(&stream) else {
                        return;
                    };
                    seen.lock().unwrap().push(request.clone());
                    answer(stream, reply(&request), &stopped);
                });
            }
        });
        RawServer {
            url,
            requests,
            stop,
        }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every request so far, in the order they arrived.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        *self.stop.0.lock().unwrap() = true;
        self.stop.1.notify_all();
        // Wakes the accepting thread so it sees the stop.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn read_request(stream: &TcpStream) -> Option<RawRequest> {
    let mut reader = BufReader::new(stream);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let mut parts = first.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(RawRequest {
        method,
        path,
        head,
        body,
    })
}

fn answer(mut stream: TcpStream, reply: RawReply, stop: &(Mutex<bool>, Condvar)) {
    let (status, headers, announced, sent, stall) = match reply {
        RawReply::Json(body) => {
            let body = body.to_string().into_bytes();
            let headers = "content-type: application/json\r\n".to_string();
            (200, headers, body.len(), body, false)
        }
        RawReply::Status(status, body) => {
            let body = body.to_string().into_bytes();
            let headers = "content-type: application/json\r\n".to_string();
            (status, headers, body.len(), body, false)
        }
        RawReply::Partial {
            headers,
            announced,
            sent,
            stall,
        } => (200, headers, announced, sent, stall),
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {announced}\r\nconnection: close\r\n{headers}\r\n"
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&sent);
    let _ = stream.flush();
    if stall {
        let stopped = stop.0.lock().unwrap();
        let _ = stop
            .1
            .wait_timeout_while(stopped, STALL_LIMIT, |stopped| !*stopped);
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}
