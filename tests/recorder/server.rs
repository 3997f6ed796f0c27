//! A small Tupli server of our own on 127.0.0.1 that records episodes and
//! answers key look-ups, and misbehaves as a plan says: slow answers, 503s,
//! answers lost after the episode was stored (504, a held connection, a cut
//! connection), 500s, stalls until released, and stretches of refused
//! connections. Plain threads, one request per connection.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Which endpoint a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Record,
    List,
}

/// What the server does with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answers normally.
    None,
    /// Answers normally after a pause.
    Slow(Duration),
    /// 503, nothing stored.
    Unavailable,
    /// 500, nothing stored.
    Broken,
    /// This status with `Retry-After: seconds`, nothing stored.
    RetryAfter(u16, u64),
    /// Stores the episode, then answers 504 (a gateway gave up waiting).
    StoreThen504,
    /// Stores the episode, then answers 500.
    StoreThen500,
    /// Stores the episode, then holds the connection open this long without
    /// answering (longer than the client's read timeout), then closes it.
    StoreThenHold(Duration),
    /// Stores the episode, then closes the connection without an answer.
    StoreThenCut,
    /// Answers only once [`FlakyServer::release`] is called (or the server drops).
    Stall,
    /// Answers 503 and refuses every connection for this long.
    Down(Duration),
}

type Plan = dyn Fn(Endpoint, u64) -> Fault + Send + Sync;

/// An episode as the server holds it.
#[derive(Clone, Debug)]
pub struct Stored {
    pub id: String,
    pub key: Option<String>,
    pub benchmark_id: String,
    pub n_tuples: usize,
    pub metadata: Value,
}

#[derive(Default)]
struct State {
    stored: Vec<Stored>,
    records: u64,
    lists: u64,
    /// Keys whose record answer was lost after storing.
    lost_answers: Vec<String>,
    refusals: u64,
    down_until: Option<Instant>,
}

struct Shared {
    state: Mutex<State>,
    plan: Box<Plan>,
    benchmarks: HashSet<String>,
    released: (Mutex<bool>, Condvar),
    stop: AtomicBool,
    /// Whether the port is open: cleared by the accept thread once it has
    /// stopped listening, set again when it listens anew.
    listening: AtomicBool,
}

/// The server; dropping it stops it.
pub struct FlakyServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FlakyServer {
    /// Starts a server that knows the benchmarks `benchmarks` and treats
    /// request `n` (counted per endpoint, from 0) of each endpoint as
    /// `plan(endpoint, n)` says.
    pub fn start(
        benchmarks: &[&str],
        plan: impl Fn(Endpoint, u64) -> Fault + Send + Sync + 'static,
    ) -> FlakyServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            plan: Box::new(plan),
            benchmarks: benchmarks.iter().map(|b| b.to_string()).collect(),
            released: (Mutex::new(false), Condvar::new()),
            stop: AtomicBool::new(false),
            listening: AtomicBool::new(true),
        });
        let accepting = Arc::clone(&shared);
        std::thread::spawn(move || accept(listener, addr, accepting));
        FlakyServer { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Lets every stalled answer (and every later one) go.
    pub fn release(&self) {
        *self.shared.released.0.lock().unwrap() = true;
        self.shared.released.1.notify_all();
    }

    /// The episodes stored, in the order they were stored.
    pub fn stored(&self) -> Vec<Stored> {
        self.shared.state.lock().unwrap().stored.clone()
    }

    /// How many episodes hold each key.
    pub fn count_by_key(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for episode in self.stored() {
            *counts.entry(episode.key.unwrap_or_default()).or_default() += 1;
        }
        counts
    }

    /// Record requests received.
    pub fn records(&self) -> u64 {
        self.shared.state.lock().unwrap().records
    }

    /// Look-up (list) requests received.
    pub fn lists(&self) -> u64 {
        self.shared.state.lock().unwrap().lists
    }

    /// Keys whose episode was stored but whose answer was lost.
    pub fn lost_answers(&self) -> Vec<String> {
        self.shared.state.lock().unwrap().lost_answers.clone()
    }

    /// Stretches of refused connections so far.
    pub fn refusals(&self) -> u64 {
        self.shared.state.lock().unwrap().refusals
    }
}

impl Drop for FlakyServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.release();
    }
}

/// Accepts connections, polling so that it can stop listening (and refuse
/// connections) while the server is down.
fn accept(listener: TcpListener, addr: SocketAddr, shared: Arc<Shared>) {
    listener.set_nonblocking(true).unwrap();
    let mut listener = Some(listener);
    while !shared.stop.load(Ordering::SeqCst) {
        let down_until = shared.state.lock().unwrap().down_until;
        match (&listener, down_until) {
            (Some(l), Some(until)) if Instant::now() < until => {
                // Serve what already connected, then stop listening: new
                // connections are refused.
                while let Ok((stream, _)) = l.accept() {
                    serve(stream, &shared);
                }
                listener = None;
                shared.listening.store(false, Ordering::SeqCst);
            }
            (None, until) if until.is_none_or(|u| Instant::now() >= u) => {
                // Back up, on the same port.
                match TcpListener::bind(addr) {
                    Ok(l) => {
                        l.set_nonblocking(true).unwrap();
                        listener = Some(l);
                        shared.state.lock().unwrap().down_until = None;
                        shared.listening.store(true, Ordering::SeqCst);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            (Some(l), _) => match l.accept() {
                Ok((stream, _)) => serve(stream, &shared),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_micros(500))
                }
                Err(_) => {}
            },
            (None, _) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

fn serve(stream: TcpStream, shared: &Arc<Shared>) {
    stream.set_nonblocking(false).unwrap();
    let shared = Arc::clone(shared);
    std::thread::spawn(move || handle(stream, &shared));
}

fn handle(mut stream: TcpStream, shared: &Shared) {
    let Some((path, body)) = read_request(&stream) else {
        return;
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let endpoint = match path.as_str() {
        "/episodes/record" => Endpoint::Record,
        "/episodes/list" => Endpoint::List,
        _ => return respond(&mut stream, 404, &json!({"detail": "Not Found"})),
    };
    let n = {
        let mut state = shared.state.lock().unwrap();
        let counter = match endpoint {
            Endpoint::Record => &mut state.records,
            Endpoint::List => &mut state.lists,
        };
        *counter += 1;
        *counter - 1
    };
    let fault = (shared.plan)(endpoint, n);
    match fault {
        Fault::Slow(pause) => std::thread::sleep(pause),
        Fault::Stall => {
            let released = shared.released.0.lock().unwrap();
            drop(shared.released.1.wait_while(released, |r| !*r).unwrap());
        }
        Fault::Unavailable => {
            return respond(&mut stream, 503, &json!({"detail": "Service Unavailable"}))
        }
        Fault::Broken => return respond(&mut stream, 500, &json!({"detail": "boom"})),
        Fault::RetryAfter(status, seconds) => {
            let body = json!({"detail": "later"});
            return respond_with(
                &mut stream,
                status,
                &format!("retry-after: {seconds}\r\n"),
                &body,
            );
        }
        Fault::Down(stretch) => {
            let mut state = shared.state.lock().unwrap();
            state.down_until = Some(Instant::now() + stretch);
            state.refusals += 1;
            drop(state);
            // The answer waits until the port is closed, so that a retry
            // right after it is refused, however late the accept thread
            // runs on a loaded machine.
            let deadline = Instant::now() + stretch;
            while shared.listening.load(Ordering::SeqCst) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_micros(200));
            }
            return respond(&mut stream, 503, &json!({"detail": "going down"}));
        }
        _ => {}
    }
    match endpoint {
        Endpoint::List => {
            let answer = list(shared, &body);
            respond(&mut stream, 200, &answer);
        }
        Endpoint::Record => {
            let benchmark_id = body["benchmark_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if !shared.benchmarks.contains(&benchmark_id) {
                return respond(
                    &mut stream,
                    404,
                    &json!({"detail": "Referenced benchmark does not exist"}),
                );
            }
            let header = store(shared, &body);
            let key = header["metadata"]["tupli_key"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let lose = |state: &mut State| state.lost_answers.push(key.clone());
            match fault {
                Fault::StoreThen504 => {
                    lose(&mut shared.state.lock().unwrap());
                    respond(&mut stream, 504, &json!({"detail": "Gateway Timeout"}))
                }
                Fault::StoreThen500 => {
                    lose(&mut shared.state.lock().unwrap());
                    respond(&mut stream, 500, &json!({"detail": "stored, then failed"}))
                }
                Fault::StoreThenHold(pause) => {
                    lose(&mut shared.state.lock().unwrap());
                    std::thread::sleep(pause);
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                }
                Fault::StoreThenCut => {
                    lose(&mut shared.state.lock().unwrap());
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                }
                _ => respond(&mut stream, 200, &header),
            }
        }
    }
}

/// Stores an episode; returns its header.
fn store(shared: &Shared, body: &Value) -> Value {
    let mut state = shared.state.lock().unwrap();
    let id = format!("ep{:06}", state.stored.len());
    let tuples = body["tuples"].as_array().map_or(0, Vec::len);
    let last = body["tuples"].as_array().and_then(|t| t.last()).cloned();
    let stored = Stored {
        id: id.clone(),
        key: body["metadata"]["tupli_key"].as_str().map(str::to_string),
        benchmark_id: body["benchmark_id"].as_str().unwrap_or_default().into(),
        n_tuples: tuples,
        metadata: body["metadata"].clone(),
    };
    state.stored.push(stored.clone());
    header(&stored, last.as_ref())
}

fn header(stored: &Stored, last: Option<&Value>) -> Value {
    let flag = |name: &str| last.and_then(|t| t[name].as_bool()).unwrap_or(false);
    json!({
        "id": stored.id,
        "benchmark_id": stored.benchmark_id,
        "metadata": stored.metadata,
        "n_tuples": stored.n_tuples,
        "created_by": "flaky",
        "created_at": "2025-01-01T00:00:00",
        "published_in": [],
        "terminated": flag("terminal"),
        "timeout": flag("timeout"),
    })
}

/// Answers a list request: the filter must be one `EQ` on a metadata key
/// (the recorder's look-up) or match everything.
fn list(shared: &Shared, body: &Value) -> Value {
    let state = shared.state.lock().unwrap();
    let matches = |stored: &Stored| match body["type"].as_str() {
        Some("EQ") => {
            let key = body["key"].as_str().unwrap();
            let field = key.strip_prefix("metadata.").expect("a metadata key");
            stored.metadata[field] == body["value"]
        }
        _ => true,
    };
    Value::Array(
        state
            .stored
            .iter()
            .filter(|s| matches(s))
            .map(|s| header(s, None))
            .collect(),
    )
}

fn read_request(stream: &TcpStream) -> Option<(String, Vec<u8>)> {
    let mut reader = BufReader::new(stream);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let path = first.split_whitespace().nth(1)?.to_string();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, body))
}

fn respond(stream: &mut TcpStream, status: u16, body: &Value) {
    respond_with(stream, status, "", body);
}

/// Answers with extra `headers` (each ending in CRLF).
fn respond_with(stream: &mut TcpStream, status: u16, headers: &str, body: &Value) {
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n{headers}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}
