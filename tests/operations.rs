//! Offline tests of every public operation of `TupliApiClient` against httpmock.
//!
//! Each test runs its requests against a [`Mocked`] server that always keeps a
//! catch-all mock registered *after* the specific ones (httpmock answers with
//! the first-registered mock that matches), so a request no specific mock
//! expects is answered 599 and fails the test; `done()` checks at the end
//! that the catch-all was never hit.

use std::cell::Cell;
use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex};

use httpmock::{HttpMockRequest, Mock, MockServer, Then, When};
use serde_json::{json, Value};
use tupli::models::{
    ArtifactMetadata, ArtifactMetadataItem, BenchmarkMetadata, BenchmarkQuery, Episode,
    EpisodeHeader, EpisodeList, Group, GroupMembership, GroupMembershipQuery, Membership, Right,
    RlTuple, UserRole, ValidationError, ValidationErrorLocItem,
};
use tupli::{Detail, Error, ExposeSecret, Filter, TupliApiClient};

/// A name that needs percent-encoding in a query: `&`, `+`, `#`, spaces, `/`, non-ASCII.
const GROUP: &str = "R&D team #1 + ü/x";
/// An id just as awkward.
const ID: &str = "id ü/1&x=2#3+4 %20";
const USER: &str = "ann + ü&co";
const PASSWORD: &str = "pw #1&+ü";
const ACCESS: &str = "A";

// ---------------------------------------------------------------------------
// The mock server with its catch-all
// ---------------------------------------------------------------------------

/// A mock server whose catch-all stays the last-registered mock.
struct Mocked {
    server: MockServer,
    catch_all: Cell<usize>,
    done: Cell<bool>,
}

async fn register_catch_all(server: &MockServer) -> usize {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(599)
                .json_body(json!({"detail": "httpmock catch-all: no mock expected this request"}));
        })
        .await
        .id
}

impl Mocked {
    async fn start() -> Self {
        let server = MockServer::start_async().await;
        let id = register_catch_all(&server).await;
        Mocked {
            server,
            catch_all: Cell::new(id),
            done: Cell::new(false),
        }
    }

    fn url(&self) -> String {
        self.server.base_url()
    }

    /// A client that sends every request once (retries are tested in faults.rs).
    fn client(&self) -> TupliApiClient {
        TupliApiClient::builder()
            .url(self.url())
            .retry_policy(tupli::RetryPolicy::none())
            .build()
            .unwrap()
    }

    fn catch_all(&self) -> Mock<'_> {
        Mock::new(self.catch_all.get(), &self.server)
    }

    /// Registers a mock ahead of the catch-all (which is re-registered behind it).
    async fn mock(&self, spec: impl FnOnce(When, Then)) -> Mock<'_> {
        let old = self.catch_all();
        old.assert_calls_async(0).await;
        old.delete_async().await;
        let mock = self.server.mock_async(spec).await;
        self.catch_all.set(register_catch_all(&self.server).await);
        mock
    }

    /// Mocks `req`, answering with `reply`.
    async fn expect(&self, req: Req, reply: impl FnOnce(Then)) -> Mock<'_> {
        self.mock(|when, then| {
            req.apply(when);
            reply(then);
        })
        .await
    }

    /// `req` answered 200 with `reply`: `call` must send it exactly once and succeed.
    async fn ok<T>(
        &self,
        req: Req,
        reply: Value,
        call: impl std::future::IntoFuture<Output = tupli::Result<T>>,
    ) -> T {
        let mock = self.expect(req, |then| json_reply(then, 200, reply)).await;
        let result = call.await;
        mock.assert_calls_async(1).await; // on a mismatch, httpmock shows the closest request
        mock.delete_async().await;
        result.unwrap_or_else(|e| panic!("unexpected error: {e}"))
    }

    /// `req` answered with `reply`: `call` must send it exactly once and fail.
    async fn err<T: Debug>(
        &self,
        req: Req,
        reply: impl FnOnce(Then),
        call: impl std::future::IntoFuture<Output = tupli::Result<T>>,
    ) -> Error {
        let mock = self.expect(req, reply).await;
        let result = call.await;
        mock.assert_calls_async(1).await;
        mock.delete_async().await;
        result.expect_err("the call should have failed")
    }

    /// A client logged in with access token [`ACCESS`].
    async fn login(&self) -> TupliApiClient {
        let client = self.client();
        self.ok(
            post("/access/users/token")
                .anonymous()
                .json(json!({"username": USER, "password": PASSWORD})),
            token_pair(),
            client.login(USER, PASSWORD),
        )
        .await;
        let tokens = client.tokens().expect("logged in");
        assert_eq!(tokens.access_token().expose_secret(), ACCESS);
        assert_eq!(tokens.refresh_token().expose_secret(), "R");
        client
    }

    /// Asserts that no request reached the catch-all.
    async fn done(&self) {
        self.catch_all().assert_calls_async(0).await;
        self.done.set(true);
    }
}

impl Drop for Mocked {
    fn drop(&mut self) {
        if !self.done.get() && !std::thread::panicking() {
            panic!("test ended without Mocked::done(): the catch-all was not checked");
        }
    }
}

fn json_reply(then: Then, status: u16, body: Value) {
    then.status(status).json_body(body);
}

fn token_pair() -> Value {
    json!({
        "access_token": {"token": ACCESS, "token_type": "bearer"},
        "refresh_token": {"token": "R", "token_type": "bearer"},
    })
}

// ---------------------------------------------------------------------------
// Expected requests
// ---------------------------------------------------------------------------

/// One expected request: method, path, exact (decoded) query, exact JSON body,
/// and the bearer token (by default [`ACCESS`]; `None`: no `Authorization`).
#[derive(Clone)]
struct Req {
    method: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
    bearer: Option<&'static str>,
}

fn request(method: &'static str, path: &str) -> Req {
    Req {
        method,
        path: path.to_string(),
        query: Vec::new(),
        body: None,
        bearer: Some(ACCESS),
    }
}

fn get(path: &str) -> Req {
    request("GET", path)
}

fn post(path: &str) -> Req {
    request("POST", path)
}

fn put(path: &str) -> Req {
    request("PUT", path)
}

fn delete(path: &str) -> Req {
    request("DELETE", path)
}

impl Req {
    fn query(mut self, key: &'static str, value: &str) -> Self {
        self.query.push((key, value.to_string()));
        self
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn bearer(mut self, token: &'static str) -> Self {
        self.bearer = Some(token);
        self
    }

    fn anonymous(mut self) -> Self {
        self.bearer = None;
        self
    }

    fn at(mut self, prefix: &str) -> Self {
        self.path = format!("{prefix}{}", self.path);
        self
    }

    fn apply(self, when: When) {
        let mut when = when.method(self.method).path(self.path).query_param_count(
            ".*",
            ".*",
            self.query.len(),
        );
        for (key, value) in self.query {
            // httpmock compares the decoded value: the client must have encoded it.
            when = when.query_param(key, value);
        }
        when = match self.body {
            Some(body) => when
                .header("content-type", "application/json")
                .json_body(body),
            // (httpmock refuses `body("")` on a GET.)
            None => when
                .header_missing("content-type")
                .is_true(|req| req.body_ref().is_empty()),
        };
        match self.bearer {
            Some(token) => when.header("authorization", format!("Bearer {token}")),
            None => when.header_missing("authorization"),
        };
    }
}

// ---------------------------------------------------------------------------
// Sample documents
// ---------------------------------------------------------------------------

/// `Filter::all()` on the wire.
fn all_filter() -> Value {
    json!({"type": "OR", "key": null, "value": null, "filters": []})
}

/// A filter with awkward strings, and its wire form.
fn sample_filter() -> (Filter, Value) {
    let filter = Filter::eq("metadata.name", GROUP) & Filter::geq("metadata.extra.size", 3);
    let wire = json!({"type": "AND", "key": null, "value": null, "filters": [
        {"type": "EQ", "key": "metadata.name", "value": GROUP, "filters": []},
        {"type": "GEQ", "key": "metadata.extra.size", "value": 3, "filters": []},
    ]});
    (filter, wire)
}

fn benchmark_header_json() -> Value {
    json!({
        "id": ID,
        "hash": "h1",
        "created_by": USER,
        "created_at": "2025-01-02T03:04:05",
        "published_in": ["global", GROUP],
        "metadata": {"name": "cart pole ü", "description": "", "difficulty": "easy", "extra": {"k": 1}},
    })
}

fn artifact_item_json(hash: &str) -> Value {
    json!({
        "id": ID,
        "name": "weights ü.bin",
        "description": "d",
        "created_by": USER,
        "created_at": "2025-01-02T03:04:05",
        "hash": hash,
        "encoding": "utf-8",
        "extra": {"source": "unit test"},
    })
}

fn artifact_item(hash: &str) -> ArtifactMetadataItem {
    serde_json::from_value(artifact_item_json(hash)).unwrap()
}

fn episode_header_json() -> Value {
    json!({
        "id": ID,
        "benchmark_id": "b1",
        "created_by": USER,
        "created_at": "2025-01-02T03:04:05",
        "metadata": {"seed": 7},
        "n_tuples": 1,
        "terminated": true,
        "timeout": false,
    })
}

fn tuple_json() -> Value {
    json!({"state": [0.5, 1], "action": 1, "reward": -1.5, "info": {"k": "v"}, "terminal": true, "timeout": false})
}

fn episode_item_json() -> Value {
    let mut item = episode_header_json();
    item["tuples"] = json!([tuple_json()]);
    item
}

/// JSON as Python's `json.dumps` writes it (non-ASCII as `\u` escapes), as
/// the server does for the `x-metadata` header.
fn ascii_json(value: &Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------

#[tokio::test]
async fn signup_anonymous_and_logged_in() {
    let api = Mocked::start().await;
    let body = json!({"username": "bob/ü", "password": PASSWORD});
    let reply =
        json!({"username": "bob/ü", "memberships": [{"group": "global", "roles": ["guest"]}]});

    let anonymous = api.client();
    let user = api
        .ok(
            post("/access/users/create").anonymous().json(body.clone()),
            reply.clone(),
            anonymous.signup("bob/ü", PASSWORD),
        )
        .await;
    assert_eq!(user.username, "bob/ü");
    assert_eq!(
        user.memberships,
        vec![Membership {
            group: "global".into(),
            roles: vec!["guest".into()]
        }]
    );

    let client = api.login().await;
    let user = api
        .ok(
            post("/access/users/create").json(body),
            json!({"username": "bob/ü"}),
            client.signup("bob/ü", PASSWORD),
        )
        .await;
    assert!(user.memberships.is_empty());
    api.done().await;
}

#[tokio::test]
async fn signup_retries_anonymously_when_the_session_is_rejected() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let body = json!({"username": "bob", "password": PASSWORD});
    let rejected = api
        .expect(post("/access/users/create").json(body.clone()), |then| {
            json_reply(
                then,
                401,
                json!({"detail": "Could not validate credentials"}),
            )
        })
        .await;
    let refresh = api
        .expect(post("/access/users/refresh-token").bearer("R"), |then| {
            json_reply(then, 401, json!({"detail": "Refresh token expired"}))
        })
        .await;
    let user = api
        .ok(
            post("/access/users/create").anonymous().json(body),
            json!({"username": "bob"}),
            client.signup("bob", PASSWORD),
        )
        .await;
    assert_eq!(user.username, "bob");
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    assert!(!client.is_logged_in(), "the rejected session was forgotten");
    api.done().await;
}

/// Without tokens a 401 cannot be helped by signing up "anonymously" again.
#[tokio::test]
async fn signup_anonymous_401_is_sent_once() {
    let api = Mocked::start().await;
    let client = api.client();
    let err = api
        .err(
            post("/access/users/create")
                .anonymous()
                .json(json!({"username": "bob", "password": PASSWORD})),
            |then| json_reply(then, 401, json!({"detail": "Not authenticated"})),
            client.signup("bob", PASSWORD),
        )
        .await;
    assert!(matches!(err, Error::NotLoggedIn { .. }), "{err:?}");
    api.done().await;
}

#[tokio::test]
async fn login_stores_tokens_and_sends_no_bearer() {
    let api = Mocked::start().await;
    let client = api.login().await;
    assert!(client.is_logged_in());
    // A second login does not send the old token.
    api.ok(
        post("/access/users/token")
            .anonymous()
            .json(json!({"username": "bob", "password": "x"})),
        token_pair(),
        client.login("bob", "x"),
    )
    .await;
    // A rejected login is an Api error (not NotLoggedIn) and keeps the old tokens.
    let err = api
        .err(
            post("/access/users/token")
                .anonymous()
                .json(json!({"username": "bob", "password": "wrong"})),
            |then| json_reply(then, 401, json!({"detail": "Invalid username or password"})),
            client.login("bob", "wrong"),
        )
        .await;
    assert_api(&err, 401, &message("Invalid username or password"));
    assert!(client.is_logged_in());
    api.done().await;
}

#[tokio::test]
async fn list_users() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let users = api
        .ok(
            get("/access/users/list"),
            json!([
                {"username": USER, "memberships": [{"group": GROUP, "roles": ["admin", "guest"]}]},
                {"username": "bob"},
            ]),
            client.list_users(),
        )
        .await;
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].username, USER);
    assert_eq!(users[0].memberships[0].group, GROUP);
    assert_eq!(users[0].memberships[0].roles, ["admin", "guest"]);
    assert_eq!(users[1].username, "bob");
    assert!(users[1].memberships.is_empty());
    api.done().await;
}

#[tokio::test]
async fn change_password_and_delete_user() {
    let api = Mocked::start().await;
    let client = api.login().await;
    api.ok(
        put("/access/users/change-password")
            .json(json!({"username": USER, "password": "new #2&ü"})),
        Value::Null,
        client.change_password(USER, "new #2&ü"),
    )
    .await;
    api.ok(
        delete("/access/users/delete").query("username", USER),
        Value::Null,
        client.delete_user(USER),
    )
    .await;
    api.done().await;
}

// ---------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------

fn group_with_members_json() -> Value {
    json!({"name": GROUP, "description": "research ü", "members": [USER, "bob"]})
}

#[tokio::test]
async fn create_list_read_delete_group() {
    let api = Mocked::start().await;
    let client = api.login().await;

    let group = Group {
        name: GROUP.into(),
        description: Some("research ü".into()),
    };
    let created = api
        .ok(
            post("/access/groups/create").json(json!({"name": GROUP, "description": "research ü"})),
            json!({"name": GROUP, "description": "research ü"}),
            client.create_group(&group),
        )
        .await;
    assert_eq!(created, group);

    let groups = api
        .ok(
            get("/access/groups/list"),
            json!([{"name": "global"}, {"name": GROUP, "description": "research ü"}]),
            client.list_groups(),
        )
        .await;
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].name, "global");
    assert_eq!(groups[0].description, None);
    assert_eq!(groups[1], group);

    let read = api
        .ok(
            get("/access/groups/read").query("group_name", GROUP),
            group_with_members_json(),
            client.read_group(GROUP),
        )
        .await;
    assert_eq!(read.name, GROUP);
    assert_eq!(read.description.as_deref(), Some("research ü"));
    assert_eq!(read.members, [USER, "bob"]);

    api.ok(
        delete("/access/groups/delete").query("group_name", GROUP),
        Value::Null,
        client.delete_group(GROUP),
    )
    .await;
    api.done().await;
}

#[tokio::test]
async fn add_and_remove_group_members() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let query = GroupMembershipQuery {
        group_name: GROUP.into(),
        members: vec![
            GroupMembership {
                user: "bob".into(),
                roles: Some(vec!["contributor".into(), "guest".into()]),
            },
            GroupMembership {
                user: USER.into(),
                roles: None,
            },
        ],
    };
    let wire = json!({"group_name": GROUP, "members": [
        {"user": "bob", "roles": ["contributor", "guest"]},
        {"user": USER},
    ]});

    let added = api
        .ok(
            post("/access/groups/add-members").json(wire.clone()),
            group_with_members_json(),
            client.add_group_members(&query),
        )
        .await;
    assert_eq!(added.members, [USER, "bob"]);

    let removed = api
        .ok(
            post("/access/groups/remove-members").json(wire),
            json!({"name": GROUP}),
            client.remove_group_members(&query),
        )
        .await;
    assert_eq!(removed.name, GROUP);
    assert!(removed.members.is_empty());
    api.done().await;
}

// ---------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_create_delete_role() {
    let api = Mocked::start().await;
    let client = api.login().await;

    let roles = api
        .ok(
            get("/access/roles/list"),
            json!([
                {"role": "guest", "rights": ["benchmark_read", "artifact_read", "episode_read"]},
                {"role": "admin", "description": "all", "rights": ["role_management", "user_delete"]},
            ]),
            client.list_roles(),
        )
        .await;
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[0].role, "guest");
    assert_eq!(
        roles[0].rights,
        [
            Right::BenchmarkRead,
            Right::ArtifactRead,
            Right::EpisodeRead
        ]
    );
    assert_eq!(roles[1].description.as_deref(), Some("all"));
    assert_eq!(roles[1].rights, [Right::RoleManagement, Right::UserDelete]);

    let role = UserRole {
        role: "reader & co/ü".into(),
        description: None,
        rights: vec![Right::BenchmarkRead, Right::GroupUpdate],
    };
    let created = api
        .ok(
            post("/access/roles/create").json(
                json!({"role": "reader & co/ü", "rights": ["benchmark_read", "group_update"]}),
            ),
            json!({"role": "reader & co/ü", "rights": ["benchmark_read", "group_update"]}),
            client.create_role(&role),
        )
        .await;
    assert_eq!(created, role);

    api.ok(
        delete("/access/roles/delete").query("role_name", "reader & co/ü"),
        Value::Null,
        client.delete_role("reader & co/ü"),
    )
    .await;
    api.done().await;
}

// ---------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------

#[tokio::test]
async fn store_load_list_delete_benchmark() {
    let api = Mocked::start().await;
    let client = api.login().await;

    let query = BenchmarkQuery {
        hash: "h1".into(),
        serialized: r#"{"env": "CartPole-v1"}"#.into(),
        metadata: BenchmarkMetadata {
            name: "cart pole ü".into(),
            description: String::new(),
            difficulty: Some("easy".into()),
            version: None,
            extra: serde_json::from_value(json!({"k": 1})).unwrap(),
        },
    };
    let header = api
        .ok(
            post("/benchmarks/create").json(json!({
                "hash": "h1",
                "serialized": r#"{"env": "CartPole-v1"}"#,
                "metadata": {"name": "cart pole ü", "description": "", "difficulty": "easy", "extra": {"k": 1}},
            })),
            benchmark_header_json(),
            client.store_benchmark(&query),
        )
        .await;
    assert_eq!(header.id, ID);
    assert_eq!(header.hash, "h1");
    assert_eq!(header.created_by, USER);
    assert_eq!(header.published_in, ["global", GROUP]);
    assert_eq!(header.metadata, query.metadata);

    let mut full = benchmark_header_json();
    full["serialized"] = json!(r#"{"env": "CartPole-v1"}"#);
    let benchmark = api
        .ok(
            get("/benchmarks/load").query("benchmark_id", ID),
            full,
            client.load_benchmark(ID),
        )
        .await;
    assert_eq!(benchmark.id, ID);
    assert_eq!(benchmark.serialized, query.serialized);
    assert_eq!(benchmark.metadata.difficulty.as_deref(), Some("easy"));

    let all = api
        .ok(
            post("/benchmarks/list").json(all_filter()),
            json!([benchmark_header_json()]),
            client.list_benchmarks(&tupli::Filter::all()),
        )
        .await;
    assert_eq!(all, std::slice::from_ref(&header));
    let (filter, wire) = sample_filter();
    let none = api
        .ok(
            post("/benchmarks/list").json(wire),
            json!([]),
            client.list_benchmarks(&filter),
        )
        .await;
    assert!(none.is_empty());

    api.ok(
        delete("/benchmarks/delete").query("benchmark_id", ID),
        Value::Null,
        client.delete_benchmark(ID),
    )
    .await;
    api.done().await;
}

#[tokio::test]
async fn publish_and_unpublish_benchmark() {
    let api = Mocked::start().await;
    let client = api.login().await;
    for (publish_in, sent) in [(tupli::GLOBAL_GROUP, "global"), (GROUP, GROUP)] {
        api.ok(
            put("/benchmarks/publish")
                .query("benchmark_id", ID)
                .query("publish_in", sent),
            Value::Null,
            client.publish_benchmark(ID, publish_in),
        )
        .await;
    }
    api.ok(
        put("/benchmarks/unpublish")
            .query("benchmark_id", ID)
            .query("unpublish_from", GROUP),
        Value::Null,
        client.unpublish_benchmark(ID, GROUP),
    )
    .await;
    api.done().await;
}

// ---------------------------------------------------------------------------
// Artifacts
// ---------------------------------------------------------------------------

/// The parts of a `multipart/form-data` request: (headers, content).
fn multipart_parts(req: &HttpMockRequest) -> Vec<(String, Vec<u8>)> {
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a multipart boundary")
        .trim_matches('"');
    let delimiter = format!("\r\n--{boundary}");
    // Prefix CRLF so the first delimiter looks like the others.
    let body = [b"\r\n".as_slice(), req.body_ref()].concat();
    let mut parts = Vec::new();
    let mut rest = body.as_slice();
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let rest_part = rest
            .strip_prefix(b"\r\n".as_slice())
            .expect("CRLF after boundary");
        let end = find(rest_part, delimiter.as_bytes()).expect("closing boundary");
        let part = &rest_part[..end];
        let split = find(part, b"\r\n\r\n").expect("part headers");
        let headers = String::from_utf8(part[..split].to_vec()).unwrap();
        parts.push((headers, part[split + 4..].to_vec()));
        rest = &rest_part[end..];
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn store_artifact_is_multipart() {
    let api = Mocked::start().await;
    let client = api.login().await;
    // Binary data, including CRLF, NUL and bytes that are not UTF-8.
    let data: Vec<u8> = b"\x00\x01\r\n--not-a-boundary\r\n\xff\xfe payload ".to_vec();
    let metadata = ArtifactMetadata {
        name: "weights ü.bin".into(),
        description: "d".into(),
        benchmark_id: Some("b1".into()),
        extra: serde_json::from_value(json!({"source": "unit test"})).unwrap(),
    };
    let hash = tupli::artifact_hash(&data, USER);

    let seen: Arc<Mutex<Option<HttpMockRequest>>> = Arc::default();
    let recorder = seen.clone();
    let mock = api
        .mock(|when, then| {
            when.method("POST")
                .path("/artifacts/upload")
                .query_param_count(".*", ".*", 0)
                .header("authorization", format!("Bearer {ACCESS}"))
                .header_includes("content-type", "multipart/form-data; boundary=")
                .body_includes(r#"Content-Disposition: form-data; name="data"; filename="data""#)
                .body_includes(r#"Content-Disposition: form-data; name="metadata""#)
                .body_includes("payload")
                .is_true(move |req| {
                    *recorder.lock().unwrap() = Some(req.clone());
                    true
                });
            json_reply(then, 200, artifact_item_json(&hash));
        })
        .await;
    let item = client.store_artifact(data.clone(), &metadata).await;
    mock.assert_calls_async(1).await;
    let item = item.unwrap();
    assert_eq!(item.id, ID);
    assert_eq!(item.hash, hash);
    assert_eq!(item.created_by, USER);
    assert_eq!(item.encoding, "utf-8");

    let req = seen
        .lock()
        .unwrap()
        .take()
        .expect("the upload was recorded");
    let parts = multipart_parts(&req);
    assert_eq!(parts.len(), 2, "{parts:?}");
    let (data_headers, data_content) = &parts[0];
    assert!(
        data_headers.contains(r#"form-data; name="data"; filename="data""#),
        "{data_headers}"
    );
    assert_eq!(
        data_content, &data,
        "the file part holds the bytes unchanged"
    );
    let (meta_headers, meta_content) = &parts[1];
    assert_eq!(
        meta_headers,
        r#"Content-Disposition: form-data; name="metadata""#
    );
    let sent: Value = serde_json::from_slice(meta_content).unwrap();
    assert_eq!(
        sent,
        json!({"name": "weights ü.bin", "description": "d", "benchmark_id": "b1", "extra": {"source": "unit test"}})
    );
    api.done().await;
}

/// Mocks the download of [`ID`]: `bytes`, with `x-metadata` when given.
async fn mock_download<'a>(api: &'a Mocked, bytes: &[u8], metadata: Option<String>) -> Mock<'a> {
    let bytes = bytes.to_vec();
    api.expect(
        get("/artifacts/download").query("artifact_id", ID),
        move |then| {
            let then = then
                .status(200)
                .header("content-type", "application/octet-stream")
                .body(bytes);
            if let Some(metadata) = metadata {
                then.header("x-metadata", metadata);
            }
        },
    )
    .await
}

#[tokio::test]
async fn load_artifact_verifies_the_hash_from_the_header() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let data = b"\x00model \xff bytes".to_vec();
    let good = tupli::artifact_hash(&data, USER);

    // Matching hash (the header is ASCII JSON, as Python's json.dumps writes it).
    let header = ascii_json(&artifact_item_json(&good));
    assert!(header.is_ascii() && header.contains(r"\u00fc"));
    let mock = mock_download(&api, &data, Some(header)).await;
    let bytes = client.load_artifact(ID).await.unwrap();
    assert_eq!(bytes.as_ref(), data.as_slice());
    mock.assert_calls_async(1).await;
    mock.delete_async().await;

    // Upper-case hex is the same hash.
    let header = ascii_json(&artifact_item_json(&good.to_uppercase()));
    let mock = mock_download(&api, &data, Some(header)).await;
    assert_eq!(
        client.load_artifact(ID).await.unwrap().as_ref(),
        data.as_slice()
    );
    mock.assert_calls_async(1).await;
    mock.delete_async().await;

    // Bytes that do not match the recorded hash.
    let header = ascii_json(&artifact_item_json(&good));
    let mock = mock_download(&api, b"tampered", Some(header)).await;
    match client.load_artifact(ID).await {
        Err(Error::Integrity {
            artifact_id,
            expected,
            actual,
        }) => {
            assert_eq!(artifact_id, ID);
            assert_eq!(expected, good);
            assert_eq!(actual, tupli::artifact_hash(b"tampered", USER));
        }
        other => panic!("expected Integrity, got {other:?}"),
    }
    mock.assert_calls_async(1).await;
    mock.delete_async().await;
    api.done().await;
}

#[tokio::test]
async fn load_artifact_without_header_looks_the_metadata_up() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let data = b"file contents".to_vec();
    let good = tupli::artifact_hash(&data, USER);
    let by_id = json!({"type": "EQ", "key": "id", "value": ID, "filters": []});

    // No header, an unreadable header, and the metadata of another artifact:
    // each falls back to POST /artifacts/list with `id == ID`.
    let mut other = artifact_item_json(&good);
    other["id"] = json!("other");
    for header in [None, Some("not json".to_string()), Some(other.to_string())] {
        let download = mock_download(&api, &data, header).await;
        let bytes = api
            .ok(
                post("/artifacts/list").json(by_id.clone()),
                json!([artifact_item_json(&good)]),
                client.load_artifact(ID),
            )
            .await;
        assert_eq!(bytes.as_ref(), data.as_slice());
        download.assert_calls_async(1).await;
        download.delete_async().await;
    }

    // The looked-up hash does not match.
    let download = mock_download(&api, &data, None).await;
    let err = api
        .err(
            post("/artifacts/list").json(by_id.clone()),
            |then| json_reply(then, 200, json!([artifact_item_json("00")])),
            client.load_artifact(ID),
        )
        .await;
    assert!(
        matches!(&err, Error::Integrity { expected, .. } if expected == "00"),
        "{err:?}"
    );
    download.delete_async().await;

    // The server does not list the artifact it sent.
    let download = mock_download(&api, &data, None).await;
    let err = api
        .err(
            post("/artifacts/list").json(by_id),
            |then| json_reply(then, 200, json!([])),
            client.load_artifact(ID),
        )
        .await;
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    download.delete_async().await;
    api.done().await;
}

#[tokio::test]
async fn load_artifact_with_known_metadata() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let data = b"file contents".to_vec();
    let item = artifact_item(&tupli::artifact_hash(&data, USER));

    // No x-metadata and no list request: the caller's metadata is used.
    let mock = mock_download(&api, &data, None).await;
    assert_eq!(
        client.load_artifact_with(&item).await.unwrap().as_ref(),
        data.as_slice()
    );
    mock.assert_calls_async(1).await;
    mock.delete_async().await;

    // The caller's metadata wins over the header.
    let header = ascii_json(&artifact_item_json("ffff"));
    let mock = mock_download(&api, &data, Some(header)).await;
    assert!(client.load_artifact_with(&item).await.is_ok());
    mock.assert_calls_async(1).await;
    mock.delete_async().await;

    let mock = mock_download(&api, b"other bytes", None).await;
    let err = client.load_artifact_with(&item).await.unwrap_err();
    assert!(
        matches!(&err, Error::Integrity { artifact_id, .. } if artifact_id == ID),
        "{err:?}"
    );
    mock.assert_calls_async(1).await;
    mock.delete_async().await;
    api.done().await;
}

#[tokio::test]
async fn list_delete_publish_unpublish_artifact() {
    let api = Mocked::start().await;
    let client = api.login().await;

    let items = api
        .ok(
            post("/artifacts/list").json(all_filter()),
            json!([artifact_item_json("abc")]),
            client.list_artifacts(&tupli::Filter::all()),
        )
        .await;
    assert_eq!(items, [artifact_item("abc")]);
    assert_eq!(items[0].extra["source"], "unit test");
    assert_eq!(items[0].benchmark_id, None);
    let (filter, wire) = sample_filter();
    let items = api
        .ok(
            post("/artifacts/list").json(wire),
            json!([]),
            client.list_artifacts(&filter),
        )
        .await;
    assert!(items.is_empty());

    api.ok(
        delete("/artifacts/delete").query("artifact_id", ID),
        Value::Null,
        client.delete_artifact(ID),
    )
    .await;
    for (publish_in, sent) in [(tupli::GLOBAL_GROUP, "global"), (GROUP, GROUP)] {
        api.ok(
            put("/artifacts/publish")
                .query("artifact_id", ID)
                .query("publish_in", sent),
            Value::Null,
            client.publish_artifact(ID, publish_in),
        )
        .await;
    }
    api.ok(
        put("/artifacts/unpublish")
            .query("artifact_id", ID)
            .query("unpublish_from", GROUP),
        Value::Null,
        client.unpublish_artifact(ID, GROUP),
    )
    .await;
    api.done().await;
}

// ---------------------------------------------------------------------------
// Episodes
// ---------------------------------------------------------------------------

fn sample_episode() -> Episode {
    Episode {
        benchmark_id: "b1".into(),
        metadata: serde_json::from_value(json!({"seed": 7})).unwrap(),
        tuples: vec![serde_json::from_value::<RlTuple>(tuple_json()).unwrap()],
    }
}

#[tokio::test]
async fn record_episode() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let header = api
        .ok(
            post("/episodes/record").json(json!({
                "benchmark_id": "b1",
                "metadata": {"seed": 7},
                "tuples": [tuple_json()],
            })),
            episode_header_json(),
            client.record_episode(&sample_episode()),
        )
        .await;
    assert_eq!(header.id, ID);
    assert_eq!(header.benchmark_id, "b1");
    assert_eq!(header.n_tuples, 1);
    assert!(header.terminated && !header.timeout);
    assert_eq!(header.metadata["seed"], 7);
    assert!(header.published_in.is_empty());
    api.done().await;
}

#[tokio::test]
async fn list_episodes_with_and_without_tuples() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let (filter, wire) = sample_filter();
    let with = |mut body: Value, include: bool| {
        body["include_tuples"] = json!(include);
        body
    };

    let list = api
        .ok(
            post("/episodes/list").json(with(all_filter(), false)),
            json!([episode_header_json()]),
            client.list_episodes(&tupli::Filter::all(), false),
        )
        .await;
    let header: EpisodeHeader = serde_json::from_value(episode_header_json()).unwrap();
    assert_eq!(list, EpisodeList::Headers(vec![header.clone()]));
    assert_eq!(list.len(), 1);

    let list = api
        .ok(
            post("/episodes/list").json(with(wire.clone(), true)),
            json!([episode_item_json()]),
            client.list_episodes(&filter, true),
        )
        .await;
    match list {
        EpisodeList::Items(items) => {
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].tuples, sample_episode().tuples);
            assert_eq!(EpisodeHeader::from(items[0].clone()), header);
        }
        other => panic!("expected items, got {other:?}"),
    }

    // The typed variants.
    let headers = api
        .ok(
            post("/episodes/list").json(with(wire.clone(), false)),
            json!([episode_header_json()]),
            client.list_episode_headers(&filter),
        )
        .await;
    assert_eq!(headers, std::slice::from_ref(&header));
    // Items where headers were asked for lose their tuples.
    let headers = api
        .ok(
            post("/episodes/list").json(with(all_filter(), false)),
            json!([episode_item_json()]),
            client.list_episode_headers(&tupli::Filter::all()),
        )
        .await;
    assert_eq!(headers, [header]);
    let items = api
        .ok(
            post("/episodes/list").json(with(all_filter(), true)),
            json!([episode_item_json()]),
            client.list_episode_items(&tupli::Filter::all()),
        )
        .await;
    assert_eq!(items[0].tuples.len(), 1);
    let items = api
        .ok(
            post("/episodes/list").json(with(wire, true)),
            json!([]),
            client.list_episode_items(&filter),
        )
        .await;
    assert!(items.is_empty());

    // Headers where tuples were asked for: a decode error.
    let err = api
        .err(
            post("/episodes/list").json(with(all_filter(), true)),
            |then| json_reply(then, 200, json!([episode_header_json()])),
            client.list_episode_items(&tupli::Filter::all()),
        )
        .await;
    assert!(
        matches!(&err, Error::Decode { path, message, .. } if path == "[0]" && message.contains("missing field `tuples`")),
        "{err:?}"
    );
    api.done().await;
}

#[tokio::test]
async fn delete_publish_unpublish_episode() {
    let api = Mocked::start().await;
    let client = api.login().await;
    api.ok(
        delete("/episodes/delete").query("episode_id", ID),
        Value::Null,
        client.delete_episode(ID),
    )
    .await;
    for (publish_in, sent) in [(tupli::GLOBAL_GROUP, "global"), (GROUP, GROUP)] {
        api.ok(
            put("/episodes/publish")
                .query("episode_id", ID)
                .query("publish_in", sent),
            Value::Null,
            client.publish_episode(ID, publish_in),
        )
        .await;
    }
    api.ok(
        put("/episodes/unpublish")
            .query("episode_id", ID)
            .query("unpublish_from", GROUP),
        Value::Null,
        client.unpublish_episode(ID, GROUP),
    )
    .await;
    api.done().await;
}

/// The query as sent: every reserved character percent-encoded (space as `+`,
/// as form encoding has it), so the server decodes exactly the names given.
#[tokio::test]
async fn query_strings_are_percent_encoded() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let raw: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = raw.clone();
    let mock = api
        .mock(|when, then| {
            when.method("PUT")
                .path("/benchmarks/publish")
                .query_param("benchmark_id", ID)
                .query_param("publish_in", GROUP)
                .is_true(move |req| {
                    let query = req.uri().query().unwrap_or_default().to_string();
                    recorder.lock().unwrap().push(query);
                    true
                });
            json_reply(then, 200, Value::Null);
        })
        .await;
    client.publish_benchmark(ID, GROUP).await.unwrap();
    mock.assert_calls_async(1).await;
    let raw = raw.lock().unwrap().pop().expect("recorded");
    assert_eq!(
        raw,
        "benchmark_id=id+%C3%BC%2F1%26x%3D2%233%2B4+%2520&publish_in=R%26D+team+%231+%2B+%C3%BC%2Fx"
    );
    api.done().await;
}

// ---------------------------------------------------------------------------
// set_url
// ---------------------------------------------------------------------------

#[tokio::test]
async fn set_url_moves_requests_and_forgets_tokens() {
    let one = Mocked::start().await;
    let two = Mocked::start().await;
    let client = one.login().await;
    let clone = client.clone();

    // The same server (spelled with a trailing slash) keeps the login.
    client.set_url(&format!("{}/", one.url())).unwrap();
    assert!(client.is_logged_in());

    client.set_url(&two.url()).unwrap();
    assert_eq!(client.url(), two.url());
    assert!(!client.is_logged_in());
    assert!(client.tokens().is_none());
    assert_eq!(clone.url(), two.url(), "clones share the URL");
    assert!(!clone.is_logged_in(), "clones share the login state");
    let groups = two
        .ok(
            get("/access/groups/list").anonymous(),
            json!([{"name": "global"}]),
            clone.list_groups(),
        )
        .await;
    assert_eq!(groups[0].name, "global");

    // set_url moves back; login logs in there.
    client.set_url(&one.url()).unwrap();
    one.ok(
        post("/access/users/token")
            .anonymous()
            .json(json!({"username": USER, "password": PASSWORD})),
        token_pair(),
        client.login(USER, PASSWORD),
    )
    .await;
    assert_eq!(client.url(), one.url());
    one.ok(get("/access/groups/list"), json!([]), client.list_groups())
        .await;

    // Rejected URLs change nothing.
    for bad in [
        "ftp://x",
        "http://user:hunter2@h",
        "not a url",
        "http://h/?q=1",
    ] {
        match client.set_url(bad) {
            Err(Error::InvalidInput { argument, reason }) => {
                assert_eq!(argument, "url");
                assert!(!reason.contains("hunter2"), "{reason}");
            }
            other => panic!("{bad}: expected InvalidInput, got {other:?}"),
        }
    }
    assert_eq!(client.url(), one.url());
    assert!(client.is_logged_in());
    one.done().await;
    two.done().await;
}

#[tokio::test]
async fn base_url_with_a_path_prefix() {
    let api = Mocked::start().await;
    let client = TupliApiClient::with_url(format!("{}/api/v1/", api.url())).unwrap();
    assert_eq!(client.url(), format!("{}/api/v1", api.url()));
    api.ok(
        get("/access/groups/read")
            .at("/api/v1")
            .anonymous()
            .query("group_name", GROUP),
        json!({"name": GROUP}),
        client.read_group(GROUP),
    )
    .await;
    api.ok(
        post("/artifacts/list")
            .at("/api/v1")
            .anonymous()
            .json(all_filter()),
        json!([]),
        client.list_artifacts(&tupli::Filter::all()),
    )
    .await;
    api.done().await;
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

fn message(text: &str) -> Detail {
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

fn assert_api(err: &Error, status: u16, detail: &Detail) {
    match err {
        Error::Api {
            status: got,
            detail: got_detail,
        } => {
            assert_eq!(got.as_u16(), status, "{err}");
            assert_eq!(got_detail, detail, "{err}");
        }
        other => panic!("expected Api({status}), got {other:?}"),
    }
    assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
    assert_eq!(err.detail(), Some(detail));
    assert_eq!(err.is_retryable(), matches!(status, 502..=504), "{status}");
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
    let api = Mocked::start().await;
    let client = api.login().await;
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
    api.assert_error_mapping(
        post("/access/users/token")
            .anonymous()
            .json(json!({"username": USER, "password": PASSWORD})),
        || client.login(USER, PASSWORD),
    )
    .await;
    api.done().await;
}

#[tokio::test]
async fn store_artifact_errors_become_api_errors() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let metadata = ArtifactMetadata {
        name: "n".into(),
        description: String::new(),
        benchmark_id: None,
        extra: Default::default(),
    };
    for case in error_cases() {
        let mock = api
            .mock(|when, then| {
                when.method("POST").path("/artifacts/upload");
                then.status(case.status)
                    .header("content-type", case.content_type)
                    .body(case.body.clone());
            })
            .await;
        let err = client
            .store_artifact(b"x".to_vec(), &metadata)
            .await
            .unwrap_err();
        mock.assert_calls_async(1).await;
        mock.delete_async().await;
        assert_api(&err, case.status, &case.detail);
    }
    api.done().await;
}

#[tokio::test]
async fn anonymous_401_is_not_logged_in() {
    let api = Mocked::start().await;
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
    api.done().await;
}

#[tokio::test]
async fn bad_success_bodies_are_decode_errors() {
    let api = Mocked::start().await;
    let client = api.login().await;
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
    assert!(!path.is_empty());
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
    api.done().await;
}

// ---------------------------------------------------------------------------
// Invalid input: rejected before anything is sent
// ---------------------------------------------------------------------------

macro_rules! assert_invalid {
    ($call:expr, $argument:expr) => {
        match $call.await {
            Err(Error::InvalidInput { argument, .. }) => {
                assert_eq!(argument, $argument, "{}", stringify!($call))
            }
            other => panic!(
                "{}: expected InvalidInput, got {other:?}",
                stringify!($call)
            ),
        }
    };
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let null_filter = || Filter::eq("k", Value::Null);
    let group = |name: &str| Group {
        name: name.into(),
        description: None,
    };
    let members = |user: &str, role: &str| GroupMembershipQuery {
        group_name: GROUP.into(),
        members: vec![GroupMembership {
            user: user.into(),
            roles: Some(vec![role.into()]),
        }],
    };
    let role = |name: &str| UserRole {
        role: name.into(),
        description: None,
        rights: vec![],
    };
    let benchmark = |hash: &str, name: &str| BenchmarkQuery {
        hash: hash.into(),
        serialized: "{}".into(),
        metadata: BenchmarkMetadata {
            name: name.into(),
            description: String::new(),
            difficulty: None,
            version: None,
            extra: Default::default(),
        },
    };
    let artifact = |name: &str| ArtifactMetadata {
        name: name.into(),
        description: String::new(),
        benchmark_id: None,
        extra: Default::default(),
    };

    // Users.
    assert_invalid!(client.signup("", PASSWORD), "username");
    assert_invalid!(client.signup("  ", PASSWORD), "username");
    assert_invalid!(client.signup("ann", ""), "password");
    assert_invalid!(client.login("a\0b", PASSWORD), "username");
    assert_invalid!(client.login(USER, "p\0w"), "password");
    assert_invalid!(client.change_password(USER, ""), "password");
    assert_invalid!(client.delete_user(" \t"), "username");
    // Groups and roles.
    assert_invalid!(client.create_group(&group("")), "group.name");
    assert_invalid!(client.create_group(&group("a\0b")), "group.name");
    assert_invalid!(client.read_group("   "), "group_name");
    assert_invalid!(client.delete_group("x\ny"), "group_name");
    assert_invalid!(client.add_group_members(&members("", "r")), "members.user");
    assert_invalid!(
        client.remove_group_members(&members("bob", " ")),
        "members.roles"
    );
    assert_invalid!(client.create_role(&role("")), "role.role");
    assert_invalid!(client.delete_role("\0"), "role_name");
    // Benchmarks.
    assert_invalid!(
        client.store_benchmark(&benchmark("", "n")),
        "benchmark.hash"
    );
    assert_invalid!(
        client.store_benchmark(&benchmark("h", " ")),
        "benchmark.metadata.name"
    );
    assert_invalid!(client.load_benchmark(""), "benchmark_id");
    assert_invalid!(client.list_benchmarks(&null_filter()), "filter");
    assert_invalid!(
        client.list_benchmarks(&Filter::and([Filter::eq("a", 1), Filter::eq("", 2)])),
        "filter"
    );
    assert_invalid!(client.delete_benchmark("a\0"), "benchmark_id");
    assert_invalid!(
        client.publish_benchmark("", tupli::GLOBAL_GROUP),
        "benchmark_id"
    );
    assert_invalid!(client.publish_benchmark(ID, " "), "publish_in");
    assert_invalid!(client.unpublish_benchmark(ID, ""), "unpublish_from");
    // Artifacts.
    assert_invalid!(
        client.store_artifact(b"x".to_vec(), &artifact(" ")),
        "metadata.name"
    );
    assert_invalid!(client.load_artifact(""), "artifact_id");
    let mut item = artifact_item("h");
    item.id = "a\0b".into();
    assert_invalid!(client.load_artifact_with(&item), "artifact_id");
    assert_invalid!(client.list_artifacts(&null_filter()), "filter");
    assert_invalid!(client.delete_artifact(" "), "artifact_id");
    assert_invalid!(client.publish_artifact(ID, "g\0"), "publish_in");
    assert_invalid!(client.unpublish_artifact("", GROUP), "artifact_id");
    // Episodes.
    let mut empty = sample_episode();
    empty.tuples.clear();
    assert_invalid!(client.record_episode(&empty), "episode.tuples");
    let mut no_benchmark = sample_episode();
    no_benchmark.benchmark_id = " ".into();
    assert_invalid!(client.record_episode(&no_benchmark), "episode.benchmark_id");
    assert_invalid!(client.list_episodes(&null_filter(), false), "filter");
    assert_invalid!(client.list_episodes(&null_filter(), true), "filter");
    assert_invalid!(client.list_episode_headers(&null_filter()), "filter");
    assert_invalid!(client.list_episode_items(&null_filter()), "filter");
    assert_invalid!(client.delete_episode(""), "episode_id");
    assert_invalid!(
        client.publish_episode("\0", tupli::GLOBAL_GROUP),
        "episode_id"
    );
    assert_invalid!(client.unpublish_episode(ID, "\t"), "unpublish_from");
    // URLs.
    assert_invalid!(async { client.set_url("ftp://x") }, "url");
    assert_invalid!(async { client.set_url("http://user:password@h") }, "url");
    assert_invalid!(
        async { TupliApiClient::with_url("http://user:password@h") },
        "url"
    );
    assert_invalid!(
        async { TupliApiClient::with_url("https://:secret@h") },
        "url"
    );
    assert_eq!(client.url(), api.url());
    assert!(client.is_logged_in());
    api.done().await;
}

/// The catch-all really catches: a request no mock expects fails the call
/// with its 599 and is counted.
#[tokio::test]
async fn the_catch_all_catches_unexpected_requests() {
    let api = Mocked::start().await;
    let client = api.client();
    // Expect another query value than the one sent.
    let mock = api
        .expect(
            get("/access/groups/read")
                .anonymous()
                .query("group_name", "R&D team #1"),
            |then| json_reply(then, 200, json!({"name": GROUP})),
        )
        .await;
    let err = client.read_group(GROUP).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(599), "{err}");
    mock.assert_calls_async(0).await;
    api.catch_all().assert_calls_async(1).await;
    // A hit catch-all fails `done()` (and the next `mock()`).
    let checked = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(api.done())).await;
    assert!(
        checked.is_err(),
        "done() must fail after the catch-all was hit"
    );
    api.done.set(true);
}

// ---------------------------------------------------------------------------
// Streaming transfers
// ---------------------------------------------------------------------------

#[tokio::test]
async fn stream_episodes_yields_the_same_items_as_the_vec_api() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let mut items: Vec<Value> = (0..5)
        .map(|i| {
            let mut item = episode_item_json();
            item["id"] = json!(format!("episode {i}"));
            item["tuples"][0]["state"] = json!([i as f64 / 3.0, -0.0, 1e-7]);
            item
        })
        .collect();
    items[2]["metadata"] = json!({"text": "a ] , [ { \" } inside a string"});
    let body = json!(items);
    let mock = api
        .expect(post("/episodes/list").json(with_tuples(true)), |then| {
            json_reply(then, 200, body)
        })
        .await;
    let collected = client
        .list_episode_items(&tupli::Filter::all())
        .await
        .unwrap();
    let mut streamed = Vec::new();
    let mut stream = Box::pin(client.stream_episodes(&tupli::Filter::all()).await.unwrap());
    while let Some(item) = futures::StreamExt::next(&mut stream).await {
        streamed.push(item.unwrap());
    }
    mock.assert_calls_async(2).await;
    assert_eq!(streamed, collected);
    assert_eq!(serde_json::to_value(&streamed).unwrap(), json!(items));
    api.done().await;
}

fn with_tuples(include: bool) -> Value {
    let mut body = all_filter();
    body["include_tuples"] = json!(include);
    body
}

#[tokio::test]
async fn a_bad_element_ends_the_stream_after_the_good_ones() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let body = json!([episode_header_json(), {"id": 1}, episode_header_json()]);
    api.expect(post("/episodes/list").json(with_tuples(false)), |then| {
        json_reply(then, 200, body)
    })
    .await;
    let results: Vec<_> = futures::StreamExt::collect(
        client
            .stream_episode_headers(&tupli::Filter::all())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(results.len(), 2, "the stream stops at the first error");
    assert!(results[0].is_ok());
    assert!(
        matches!(&results[1], Err(Error::Decode { path, .. }) if path == "[1].id"),
        "{:?}",
        results[1]
    );
    api.done().await;
}

#[tokio::test]
async fn download_to_path_writes_only_verified_bytes() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("weights.bin");
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let header = ascii_json(&artifact_item_json(&tupli::artifact_hash(&data, USER)));
    let mock = mock_download(&api, &data, Some(header)).await;
    let item = client.download_artifact_to_path(ID, &target).await.unwrap();
    mock.assert_calls_async(1).await;
    mock.delete_async().await;
    assert_eq!(item.id, ID);
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no partial file left"
    );

    // A mismatch: the existing file stays as it was and nothing partial remains.
    let tampered = [data.as_slice(), b"!"].concat();
    let header = ascii_json(&artifact_item_json(&tupli::artifact_hash(&data, USER)));
    let mock = mock_download(&api, &tampered, Some(header)).await;
    let err = client
        .download_artifact_to_path(ID, &target)
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert!(matches!(err, Error::Integrity { .. }), "{err:?}");
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    api.done().await;
}

#[tokio::test]
async fn download_to_a_writer_streams_and_verifies() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let data = b"streamed bytes".to_vec();
    let header = ascii_json(&artifact_item_json(&tupli::artifact_hash(&data, USER)));
    mock_download(&api, &data, Some(header)).await;
    let mut sink = Vec::new();
    let item = client.download_artifact_to(ID, &mut sink).await.unwrap();
    assert_eq!(sink, data);
    assert_eq!(item.created_by, USER);
    api.done().await;
}

#[tokio::test]
async fn upload_from_path_is_resent_whole_after_a_token_refresh() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let hash = tupli::artifact_hash(&data, USER);

    let bodies: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let record = |bodies: &Arc<Mutex<Vec<Vec<u8>>>>| {
        let bodies = bodies.clone();
        move |req: &HttpMockRequest| {
            let parts = multipart_parts(req);
            bodies.lock().unwrap().push(parts[0].1.clone());
            true
        }
    };
    let rejected = api
        .mock(|when, then| {
            when.method("POST")
                .path("/artifacts/upload")
                .header("authorization", "Bearer A")
                .is_true(record(&bodies));
            json_reply(
                then,
                401,
                json!({"detail": "Could not validate credentials"}),
            );
        })
        .await;
    let refresh = api
        .mock(|when, then| {
            when.method("POST")
                .path("/access/users/refresh-token")
                .header("authorization", "Bearer R");
            json_reply(then, 200, json!({"token": "B", "token_type": "bearer"}));
        })
        .await;
    let accepted = api
        .mock(|when, then| {
            when.method("POST")
                .path("/artifacts/upload")
                .header("authorization", "Bearer B")
                .is_true(record(&bodies));
            json_reply(then, 200, artifact_item_json(&hash));
        })
        .await;
    let metadata = ArtifactMetadata {
        name: "data.bin".into(),
        description: String::new(),
        benchmark_id: None,
        extra: Default::default(),
    };
    let item = client
        .store_artifact_from_path(&path, &metadata)
        .await
        .unwrap();
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
    assert_eq!(item.hash, hash);
    let bodies = bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 2);
    assert!(
        bodies.iter().all(|b| *b == data),
        "both attempts sent the whole file"
    );
    api.done().await;
}

#[tokio::test]
async fn an_upload_the_server_recorded_differently_is_an_integrity_error() {
    let api = Mocked::start().await;
    let client = api.login().await;
    let wrong = tupli::artifact_hash(b"other bytes", USER);
    api.mock(|when, then| {
        when.method("POST").path("/artifacts/upload");
        json_reply(then, 200, artifact_item_json(&wrong));
    })
    .await;
    let reader_data = b"from a reader".to_vec();
    let metadata = ArtifactMetadata {
        name: "r".into(),
        description: String::new(),
        benchmark_id: None,
        extra: Default::default(),
    };
    let err = client
        .store_artifact_from_reader(
            || std::io::Cursor::new(reader_data.clone()),
            reader_data.len() as u64,
            &metadata,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Integrity { ref expected, .. } if *expected == wrong),
        "{err:?}"
    );
    api.done().await;
}
