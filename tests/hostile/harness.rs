//! The response-surface harness: for any operation, an in-process server on
//! 127.0.0.1 answers every request the client makes (login, refresh, retries,
//! redirects included) with what the input bytes say — any status, headers
//! (`Content-Type`, `Content-Length`, `Transfer-Encoding`, `X-Metadata`,
//! `Location`, `Retry-After`, …) and body, including token pairs with absurd
//! claims. Each case must end in `Ok` or a typed `Error`, in bounded time,
//! without a panic, with error messages of bounded size, and without leaving
//! a file behind.
//!
//! Shared by `tests/hostile/main.rs` (generated cases and a replayed corpus)
//! and `fuzz/fuzz_targets/responses.rs` (libFuzzer); needs the crate's
//! `npz`, `arrow` and `parquet` features (dataset exports are operations too).

use std::collections::VecDeque;
use std::future::IntoFuture;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tupli::prelude::*;

use arbitrary::Unstructured;
use base64::Engine as _;
use futures::TryStreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tupli::dataset::{Dataset, Format};
use tupli::models::{
    ArtifactMetadata, ArtifactMetadataItem, BenchmarkMetadata, BenchmarkQuery, Episode, Group,
    GroupMembership, GroupMembershipQuery, RlTuple, UserRole,
};
use tupli::{Filter, RetryPolicy, Tokens, TupliApiClient};

/// No case may take longer: past it, the client hung.
const GUARD: Duration = Duration::from_secs(20);

/// The client's idle timeout: a server that stalls is cut off after it.
const READ_TIMEOUT: Duration = Duration::from_millis(200);

/// The longest error message a case may produce (server text included).
const MAX_MESSAGE: usize = 16 * 1024;

/// The longest body an answer carries (larger error bodies are capped by the client).
const MAX_BODY: usize = 2 << 20;

/// One answer of the scripted server.
#[derive(Debug, Clone)]
pub struct Answer {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    framing: Framing,
}

/// How the body is delimited on the wire.
#[derive(Debug, Clone, Copy)]
enum Framing {
    /// `Content-Length` equal to the body.
    Exact,
    /// `Content-Length` off by this much (the connection closes early or the
    /// body runs over).
    Off(i64),
    /// No length: the body ends when the connection closes.
    Close,
    /// `Transfer-Encoding: chunked`, in chunks of this size.
    Chunked(usize),
    /// Half the body, then silence with the connection open.
    Stall,
}

/// The operations, with fixed valid arguments.
#[derive(Debug, Clone, Copy)]
pub enum Op {
    Signup,
    Login,
    ListUsers,
    ChangePassword,
    DeleteUser,
    CreateGroup,
    ListGroups,
    ReadGroup,
    DeleteGroup,
    AddGroupMembers,
    RemoveGroupMembers,
    CreateRole,
    ListRoles,
    DeleteRole,
    StoreBenchmark,
    LoadBenchmark,
    ListBenchmarks,
    DeleteBenchmark,
    PublishBenchmark,
    UnpublishBenchmark,
    StoreArtifact,
    StoreArtifactFromPath,
    LoadArtifact,
    LoadArtifactWith,
    DownloadArtifactToPath,
    ListArtifacts,
    DeleteArtifact,
    PublishArtifact,
    UnpublishArtifact,
    RecordEpisode,
    ListEpisodeItems,
    ListEpisodeHeaders,
    StreamEpisodes,
    DeleteEpisode,
    PublishEpisode,
    UnpublishEpisode,
    DatasetColumns,
    ExportNpz,
    ExportArrow,
    ExportParquet,
}

const OPS: [Op; 40] = [
    Op::Signup,
    Op::Login,
    Op::ListUsers,
    Op::ChangePassword,
    Op::DeleteUser,
    Op::CreateGroup,
    Op::ListGroups,
    Op::ReadGroup,
    Op::DeleteGroup,
    Op::AddGroupMembers,
    Op::RemoveGroupMembers,
    Op::CreateRole,
    Op::ListRoles,
    Op::DeleteRole,
    Op::StoreBenchmark,
    Op::LoadBenchmark,
    Op::ListBenchmarks,
    Op::DeleteBenchmark,
    Op::PublishBenchmark,
    Op::UnpublishBenchmark,
    Op::StoreArtifact,
    Op::StoreArtifactFromPath,
    Op::LoadArtifact,
    Op::LoadArtifactWith,
    Op::DownloadArtifactToPath,
    Op::ListArtifacts,
    Op::DeleteArtifact,
    Op::PublishArtifact,
    Op::UnpublishArtifact,
    Op::RecordEpisode,
    Op::ListEpisodeItems,
    Op::ListEpisodeHeaders,
    Op::StreamEpisodes,
    Op::DeleteEpisode,
    Op::PublishEpisode,
    Op::UnpublishEpisode,
    Op::DatasetColumns,
    Op::ExportNpz,
    Op::ExportArrow,
    Op::ExportParquet,
];

/// How the client is logged in before the operation.
#[derive(Debug, Clone)]
enum Start {
    /// No tokens.
    Anonymous,
    /// Tokens handed in (as if restored from a file), with these shapes.
    Restored(String, String),
    /// A login answered by the script first.
    LoggedIn,
}

/// One case: a start, an operation, and the server's answers in order.
#[derive(Debug, Clone)]
pub struct Case {
    start: Start,
    op: Op,
    answers: Vec<Answer>,
}

/// The parts of the case that the answers may name (to look plausible).
const ARTIFACT_ID: &str = "a1";
const CREATOR: &str = "ann";

impl Case {
    /// Reads a case from fuzzer bytes; `None` when they run out too early.
    pub fn from_bytes(data: &[u8]) -> Option<Case> {
        let mut u = Unstructured::new(data);
        let op = *u.choose(&OPS).ok()?;
        let start = match u.int_in_range(0u8..=3).ok()? {
            0 => Start::Anonymous,
            1 => Start::Restored(token(&mut u)?, token(&mut u)?),
            _ => Start::LoggedIn,
        };
        let count = u.int_in_range(1usize..=6).ok()?;
        let mut answers = Vec::with_capacity(count);
        for i in 0..count {
            let login = matches!(start, Start::LoggedIn) && i == 0;
            answers.push(answer(&mut u, op, login)?);
        }
        Some(Case { start, op, answers })
    }
}

fn pick<'a, T>(u: &mut Unstructured<'_>, items: &'a [T]) -> Option<&'a T> {
    u.choose(items).ok()
}

/// A JWT-ish token of a hostile shape.
fn token(u: &mut Unstructured<'_>) -> Option<String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let exp = pick(
        u,
        &[
            json!(now + 1800),
            json!(now.saturating_sub(10)),
            json!(now + 2),
            json!(1e30),
            json!(1.8e19),
            json!(u64::MAX),
            json!(1e308),
            json!(-1),
            json!(-1e30),
            json!(0),
            json!("tomorrow"),
            json!(null),
            json!([1]),
            json!({"at": 1}),
            json!(true),
        ],
    )?
    .clone();
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = enc.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let shape = u.int_in_range(0u8..=9).ok()?;
    Some(match shape {
        0 => format!(
            "{header}.{}.sig",
            enc.encode(json!({"issuer": "ann"}).to_string())
        ),
        1 => format!("{header}.!!!not base64!!!.sig"),
        2 => format!("{header}.{}.sig", enc.encode("not json")),
        3 => "only.two".to_string(),
        4 => "a.b.c.d".to_string(),
        5 => String::new(),
        6 => format!("{header}.{}.sig\r\nX-Injected: 1", enc.encode("{}")),
        7 => "ü".repeat(u.int_in_range(1usize..=64).ok()?),
        8 => "t".repeat(u.int_in_range(1usize..=70_000).ok()?),
        _ => format!(
            "{header}.{}.sig",
            enc.encode(json!({"issuer": CREATOR, "exp": exp}).to_string())
        ),
    })
}

/// A body shaped like what `op` expects, or like an error, or anything.
fn body(u: &mut Unstructured<'_>, op: Op, login: bool) -> Option<Vec<u8>> {
    let choice = u.int_in_range(0u8..=11).ok()?;
    let value = match choice {
        0 => {
            let n = u.int_in_range(0usize..=256).ok()?;
            return u.bytes(n).ok().map(<[u8]>::to_vec);
        }
        1 => return Some(Vec::new()),
        2 => json!({"detail": "no"}),
        3 => json!({"detail": [{"loc": ["body", 0], "msg": "bad", "type": "t"}]}),
        4 => json!({"detail": "d".repeat(u.int_in_range(0usize..=MAX_BODY).ok()?)}),
        5 => {
            json!({"detail": vec![json!({"loc": ["body"], "msg": "x".repeat(100), "type": "t"}); u.int_in_range(0usize..=5_000).ok()?]})
        }
        6 => {
            let n = u.int_in_range(1usize..=MAX_BODY).ok()?;
            return Some(vec![b'['; n]);
        }
        _ if login || choice == 7 => json!({
            "access_token": {"token": token(u)?, "token_type": "bearer"},
            "refresh_token": {"token": token(u)?, "token_type": "bearer"},
            "token": token(u)?,
        }),
        _ => plausible(u, op)?,
    };
    let mut text = serde_json::to_vec(&value).ok()?;
    // Sometimes cut or damaged.
    match u.int_in_range(0u8..=7).ok()? {
        0 => text.truncate(u.int_in_range(0..=text.len()).ok()?),
        1 if !text.is_empty() => {
            let at = u.int_in_range(0..=text.len() - 1).ok()?;
            if let Some(byte) = text.get_mut(at) {
                *byte = u.arbitrary().ok()?;
            }
        }
        _ => {}
    }
    Some(text)
}

fn artifact_json(u: &mut Unstructured<'_>) -> Option<serde_json::Value> {
    let hash = pick(
        u,
        &[
            tupli::artifact_hash(b"data", CREATOR),
            "0".repeat(64),
            String::new(),
            "Ü".into(),
        ],
    )?
    .clone();
    Some(
        json!({"id": ARTIFACT_ID, "name": "f", "description": "", "created_by": CREATOR,
                "created_at": "2026-01-01T00:00:00", "hash": hash, "published_in": [CREATOR]}),
    )
}

/// A success body for `op`, right or subtly wrong.
fn plausible(u: &mut Unstructured<'_>, op: Op) -> Option<serde_json::Value> {
    let episode_item = json!({"id": "e", "created_by": CREATOR, "created_at": "t", "benchmark_id": "b",
        "metadata": {}, "n_tuples": 1, "terminated": false, "timeout": false, "published_in": [],
        "tuples": [{"state": [0.5, -0.0, 5e-324], "action": [1.0], "reward": 1e308, "info": {}, "terminal": false, "timeout": false}]});
    let header = json!({"id": "e", "created_by": CREATOR, "created_at": "t", "benchmark_id": "b",
        "metadata": {}, "n_tuples": u.int_in_range(-1i64..=3).ok()?, "terminated": false, "timeout": false});
    let benchmark = json!({"id": "b", "hash": "h", "created_by": CREATOR, "created_at": "t",
        "metadata": {"name": "n"}, "serialized": "{}", "published_in": []});
    let group = json!({"name": "g", "description": null});
    let members =
        json!({"name": "g", "description": null, "members": [{"user": "u", "roles": ["r"]}]});
    let role = json!({"role": "r", "rights": ["user_read"], "description": null});
    let user = json!({"username": "u", "memberships": []});
    let value = match op {
        Op::Signup => user,
        Op::ListUsers => json!([user]),
        Op::CreateGroup => group,
        Op::ListGroups => json!([group]),
        Op::ReadGroup | Op::AddGroupMembers | Op::RemoveGroupMembers => members,
        Op::CreateRole => role,
        Op::ListRoles => json!([role, {"role": "x", "rights": ["no_such_right"]}]),
        Op::StoreBenchmark | Op::LoadBenchmark => benchmark,
        Op::ListBenchmarks => json!([benchmark]),
        Op::StoreArtifact | Op::StoreArtifactFromPath => artifact_json(u)?,
        Op::ListArtifacts | Op::LoadArtifact | Op::DownloadArtifactToPath => {
            json!([artifact_json(u)?])
        }
        Op::RecordEpisode => header,
        Op::ListEpisodeHeaders => json!([header, header]),
        Op::ListEpisodeItems | Op::StreamEpisodes => json!([episode_item, episode_item]),
        // A dataset asks for benchmarks, then episode headers, then episodes.
        Op::DatasetColumns | Op::ExportNpz | Op::ExportArrow | Op::ExportParquet => {
            match u.int_in_range(0u8..=2).ok()? {
                0 => json!([benchmark]),
                1 => json!([header, header]),
                _ => json!([episode_item, episode_item]),
            }
        }
        _ => serde_json::Value::Null,
    };
    Some(value)
}

fn answer(u: &mut Unstructured<'_>, op: Op, login: bool) -> Option<Answer> {
    let status = match u.int_in_range(0u8..=4).ok()? {
        0 | 1 => 200,
        2 => *pick(u, &[401, 403, 404, 409, 422, 429, 500, 502, 503, 504])?,
        3 => *pick(u, &[201, 204, 206, 301, 302, 303, 307, 308, 400, 418])?,
        _ => u.int_in_range(100u16..=999).ok()?,
    };
    let mut body = body(u, op, login)?;
    // Downloads answer raw bytes.
    if matches!(
        op,
        Op::LoadArtifact | Op::LoadArtifactWith | Op::DownloadArtifactToPath
    ) && status == 200
        && u.arbitrary::<bool>().ok()?
    {
        body = b"data".to_vec();
    }
    let mut headers = Vec::new();
    for _ in 0..u.int_in_range(0usize..=4).ok()? {
        let name = *pick(
            u,
            &[
                "content-type",
                "x-metadata",
                "location",
                "retry-after",
                "www-authenticate",
                "content-encoding",
                "x-other",
            ],
        )?;
        let value: Vec<u8> = match name {
            "content-type" => pick(
                u,
                &[
                    "application/json",
                    "text/html",
                    "application/octet-stream",
                    ";;;",
                ],
            )?
            .as_bytes()
            .to_vec(),
            "x-metadata" => match u.int_in_range(0u8..=4).ok()? {
                0 => serde_json::to_vec(&artifact_json(u)?).ok()?,
                1 => b"{not json".to_vec(),
                2 => vec![0xFC; u.int_in_range(1usize..=100).ok()?],
                3 => vec![b'x'; u.int_in_range(1usize..=60_000).ok()?],
                _ => br#"{"id":"other","name":"f","created_by":"x","created_at":"t","hash":"00"}"#
                    .to_vec(),
            },
            "location" => pick(
                u,
                &["/access/groups/list", "http://127.0.0.1:1/x", "::::", ""],
            )?
            .as_bytes()
            .to_vec(),
            "retry-after" => pick(
                u,
                &[
                    "0",
                    "1",
                    "99999999999",
                    "Wed, 21 Oct 2015 07:28:00 GMT",
                    "soon",
                ],
            )?
            .as_bytes()
            .to_vec(),
            "content-encoding" => pick(u, &["gzip", "br", "identity"])?.as_bytes().to_vec(),
            _ => {
                let n = u.int_in_range(0usize..=32).ok()?;
                u.bytes(n).ok()?.to_vec()
            }
        };
        headers.push((name.to_string(), value));
    }
    // A stall costs the client's whole read timeout: kept rare.
    let framing = match u.int_in_range(0u8..=39).ok()? {
        0..=3 => Framing::Off(*pick(u, &[-1, 1, 1000, -1000])?),
        4..=7 => Framing::Close,
        8..=11 => Framing::Chunked(u.int_in_range(1usize..=4096).ok()?),
        12 => Framing::Stall,
        _ => Framing::Exact,
    };
    Some(Answer {
        status,
        headers,
        body,
        framing,
    })
}

/// The scripted server and a runtime to drive clients against it.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    url: String,
    script: Arc<Mutex<VecDeque<Answer>>>,
    /// One HTTP client for every case (building one per case costs more
    /// than the case); each case still gets a fresh `TupliApiClient`.
    http: tupli::reqwest::Client,
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Harness {
    /// Starts the server.
    pub fn new() -> Harness {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let script: Arc<Mutex<VecDeque<Answer>>> = Arc::default();
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("a port on 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let answers = Arc::clone(&script);
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let answers = Arc::clone(&answers);
                tokio::spawn(serve(stream, answers));
            }
        });
        let http = tupli::reqwest::Client::builder()
            .connect_timeout(READ_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .build()
            .expect("an HTTP client");
        Harness {
            runtime,
            url,
            script,
            http,
        }
    }

    /// Runs one case and checks every property (panics on a violation).
    pub fn run(&self, case: &Case) {
        *self.script.lock().unwrap_or_else(|e| e.into_inner()) =
            case.answers.iter().cloned().collect();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let outcome = self.runtime.block_on(async {
            tokio::time::timeout(GUARD, run_case(&self.url, &self.http, case, dir.path())).await
        });
        let result = outcome.unwrap_or_else(|_| panic!("the client hung on {case:?}"));
        if let Err(message) = &result {
            assert!(
                message.len() <= MAX_MESSAGE,
                "an error message of {} bytes for {:?}",
                message.len(),
                case.op
            );
        }
        // Nothing but the finished download may be left in the folder.
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("the temporary directory")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "upload.bin")
            .collect();
        let allowed: &[&str] = match (case.op, &result) {
            (Op::DownloadArtifactToPath, Ok(())) => &["download.bin"],
            (Op::ExportNpz | Op::ExportArrow | Op::ExportParquet, Ok(())) => &["export"],
            _ => &[],
        };
        assert_eq!(
            left, allowed,
            "files left behind by {:?}: {result:?}",
            case.op
        );
    }
}

/// Runs the case's operation; `Err` carries the error's message.
async fn run_case(
    url: &str,
    http: &tupli::reqwest::Client,
    case: &Case,
    dir: &Path,
) -> Result<(), String> {
    let client = TupliApiClient::builder()
        .url(url)
        .http_client(http.clone())
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(2)),
        )
        .build()
        .map_err(|e| e.to_string())?;
    match &case.start {
        Start::Anonymous => {}
        Start::Restored(access, refresh) => client.set_tokens(Some(Tokens::new(access, refresh))),
        Start::LoggedIn => {
            // Whatever the login answer, the operation runs next.
            let _ = client.login("ann", "pw").await;
        }
    }
    // Reading the claims of whatever tokens are stored must not panic either.
    if let Some(tokens) = client.tokens() {
        let _ = (
            tokens.access_expires_at(),
            tokens.refresh_expires_at(),
            tokens.username(),
            format!("{tokens:?}"),
        );
    }
    operation(&client, case.op, dir)
        .await
        .map_err(|e| format!("{e} / {e:?}"))
}

async fn operation(client: &TupliApiClient, op: Op, dir: &Path) -> tupli::Result<()> {
    let all = Filter::all();
    let group = Group {
        name: "g".into(),
        description: None,
    };
    let members = GroupMembershipQuery {
        group_name: "g".into(),
        members: vec![GroupMembership {
            user: "u".into(),
            roles: Some(vec!["r".into()]),
        }],
    };
    let role = UserRole {
        role: "r".into(),
        rights: Vec::new(),
        description: None,
    };
    let benchmark = BenchmarkQuery {
        hash: "h".into(),
        serialized: "{}".into(),
        metadata: BenchmarkMetadata {
            name: "n".into(),
            description: String::new(),
            difficulty: None,
            version: None,
            extra: Default::default(),
        },
    };
    let metadata = ArtifactMetadata {
        name: "f".into(),
        description: String::new(),
        benchmark_id: None,
        extra: Default::default(),
    };
    let episode = Episode {
        benchmark_id: "b".into(),
        metadata: Default::default(),
        tuples: vec![RlTuple::new(vec![0.5], vec![1.0], 1.0)],
    };
    let known: ArtifactMetadataItem =
        serde_json::from_value(json!({"id": ARTIFACT_ID, "name": "f",
        "created_by": CREATOR, "created_at": "t", "hash": tupli::artifact_hash(b"data", CREATOR)}))
        .map_err(|e| tupli::Error::Io { source: e.into() })?;
    match op {
        Op::Signup => client.signup("u", "pw").await.map(drop),
        Op::Login => client.login("u", "pw").await,
        Op::ListUsers => client.list_users().await.map(drop),
        Op::ChangePassword => client.change_password("u", "pw2").await,
        Op::DeleteUser => client.delete_user("u").await,
        Op::CreateGroup => client.create_group(&group).await.map(drop),
        Op::ListGroups => client.list_groups().await.map(drop),
        Op::ReadGroup => client.read_group("g").await.map(drop),
        Op::DeleteGroup => client.delete_group("g").await,
        Op::AddGroupMembers => client.add_group_members(&members).await.map(drop),
        Op::RemoveGroupMembers => client.remove_group_members(&members).await.map(drop),
        Op::CreateRole => client.create_role(&role).await.map(drop),
        Op::ListRoles => client.list_roles().await.map(drop),
        Op::DeleteRole => client.delete_role("r").await,
        Op::StoreBenchmark => client.store_benchmark(&benchmark).await.map(drop),
        Op::LoadBenchmark => client.load_benchmark("b").await.map(drop),
        Op::ListBenchmarks => client.list_benchmarks(&all).await.map(drop),
        Op::DeleteBenchmark => client.delete_benchmark("b").await,
        Op::PublishBenchmark => client.publish_benchmark("b", tupli::GLOBAL_GROUP).await,
        Op::UnpublishBenchmark => client.unpublish_benchmark("b", "g").await,
        Op::StoreArtifact => client
            .store_artifact(b"data".to_vec().into(), &metadata)
            .await
            .map(drop),
        Op::StoreArtifactFromPath => {
            let source = dir.join("upload.bin");
            tokio::fs::write(&source, b"data").await?;
            client
                .store_artifact_from_path(&source, &metadata)
                .await
                .map(drop)
        }
        Op::LoadArtifact => client.load_artifact(ARTIFACT_ID).await.map(drop),
        Op::LoadArtifactWith => client.load_artifact_with(&known).await.map(drop),
        Op::DownloadArtifactToPath => client
            .download_artifact_to_path(ARTIFACT_ID, &dir.join("download.bin"))
            .into_future()
            .await
            .map(drop),
        Op::ListArtifacts => client.list_artifacts(&all).await.map(drop),
        Op::DeleteArtifact => client.delete_artifact(ARTIFACT_ID).await,
        Op::PublishArtifact => client.publish_artifact(ARTIFACT_ID, "g").await,
        Op::UnpublishArtifact => client.unpublish_artifact(ARTIFACT_ID, "g").await,
        Op::RecordEpisode => client.record_episode(&episode).await.map(drop),
        Op::ListEpisodeItems => client.list_episode_items(&all).await.map(drop),
        Op::ListEpisodeHeaders => client.list_episode_headers(&all).await.map(drop),
        Op::StreamEpisodes => {
            let mut stream = client.stream_episodes(&all).await?;
            while stream.try_next().await?.is_some() {}
            Ok(())
        }
        Op::DatasetColumns => Dataset::new(client.clone()).columns().await.map(drop),
        Op::ExportNpz | Op::ExportArrow | Op::ExportParquet => {
            let format = match op {
                Op::ExportNpz => Format::Npz,
                Op::ExportArrow => Format::Arrow,
                _ => Format::Parquet,
            };
            Dataset::new(client.clone())
                .export(format)
                .to_path(dir.join("export"))
                .await
                .map(drop)
        }
        Op::DeleteEpisode => client.delete_episode("e").await,
        Op::PublishEpisode => client.publish_episode("e", "g").await,
        Op::UnpublishEpisode => client.unpublish_episode("e", "g").await,
    }
}

/// Answers one connection: reads the request, then writes the next answer.
async fn serve(mut stream: TcpStream, script: Arc<Mutex<VecDeque<Answer>>>) {
    if read_request(&mut stream).await.is_none() {
        return;
    }
    let answer = script
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop_front()
        .unwrap_or_else(|| Answer {
            status: 503,
            headers: Vec::new(),
            body: br#"{"detail":"the script has no more answers"}"#.to_vec(),
            framing: Framing::Exact,
        });
    let mut head = format!("HTTP/1.1 {} X\r\nconnection: close\r\n", answer.status).into_bytes();
    for (name, value) in &answer.headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    let body = &answer.body;
    let wire: Vec<u8> = match answer.framing {
        Framing::Exact | Framing::Stall => {
            head.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
            body.clone()
        }
        Framing::Off(delta) => {
            let claimed = (body.len() as i64 + delta).max(0);
            head.extend_from_slice(format!("content-length: {claimed}\r\n\r\n").as_bytes());
            body.clone()
        }
        Framing::Close => {
            head.extend_from_slice(b"\r\n");
            body.clone()
        }
        Framing::Chunked(size) => {
            head.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
            let mut wire = Vec::new();
            for chunk in body.chunks(size.max(1)) {
                wire.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                wire.extend_from_slice(chunk);
                wire.extend_from_slice(b"\r\n");
            }
            wire.extend_from_slice(b"0\r\n\r\n");
            wire
        }
    };
    if stream.write_all(&head).await.is_err() {
        return;
    }
    if let Framing::Stall = answer.framing {
        let _ = stream.write_all(&wire[..wire.len() / 2]).await;
        tokio::time::sleep(READ_TIMEOUT * 3).await;
        return;
    }
    let _ = stream.write_all(&wire).await;
    let _ = stream.shutdown().await;
}

/// Reads a request's head and its body (by `Content-Length` or chunked).
async fn read_request(stream: &mut TcpStream) -> Option<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = find(&buffer, b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(chunk.get(..n)?);
    };
    let head = String::from_utf8_lossy(buffer.get(..head_end)?).to_ascii_lowercase();
    let length: Option<usize> = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    let mut body = buffer.split_off(head_end);
    loop {
        let done = match length {
            Some(n) => body.len() >= n,
            None if chunked => find(&body, b"0\r\n\r\n").is_some(),
            None => true,
        };
        if done {
            return Some(());
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return Some(());
        }
        body.extend_from_slice(chunk.get(..n)?);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
