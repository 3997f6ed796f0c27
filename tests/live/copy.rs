//! `tupli::copy` against live servers: a folder to a server and back to
//! another folder, every field equal (ids and times aside), floats to the
//! bit and bytes alike; a server to a second server (`TUPLI_TEST_SHORT_URL`,
//! whose tokens are short-lived: every step there logs in afresh); each
//! copy run twice copies nothing the second time; and the `tupli` binary
//! doing the same with logins at both servers.

use std::collections::BTreeMap;
use tupli::prelude::*;

use bytes::Bytes;
use serde_json::{json, Map, Value};
use tupli::copy::{copy, CopyReport, Kind, Selection, Status};
use tupli::models::{
    ArtifactMetadata, ArtifactMetadataItem, Benchmark, Episode, EpisodeItem, RlTuple,
};
use tupli::storage::{FileStorage, TupliStorage};
use tupli::{Filter, TupliApiClient};

use crate::{admin, benchmark, env_or, unique, TestUser, NEEDS};

fn short_url() -> String {
    std::env::var("TUPLI_TEST_SHORT_URL")
        .unwrap_or_else(|_| panic!("{NEEDS} and TUPLI_TEST_SHORT_URL"))
}

/// Floats of every kind, told apart by their bits.
const FLOATS: [f64; 12] = [
    0.0,
    -0.0,
    5e-324,
    -2.2250738585072014e-308,
    1.7976931348623157e308,
    1e-07,
    0.1,
    1.0 / 3.0,
    1e16,
    1e22,
    123456.789,
    9007199254740992.0,
];

/// A folder with this test's benchmark (named `name`), three episodes
/// (floats of every kind, nested metadata) and two artifacts of it, and an
/// artifact of no benchmark (not copied).
async fn fill(folder: &FileStorage, name: &str) -> String {
    let query = benchmark(name, "hard");
    let b = folder.store_benchmark(&query).await.unwrap().id;
    for mark in 0..3i64 {
        let tuples = (0..40)
            .map(|t: usize| RlTuple {
                state: vec![FLOATS[t % 12], FLOATS[(t + 5) % 12], t as f64].into(),
                action: json!([t % 3, -0.0, "a"]).into(),
                reward: FLOATS[(t + mark as usize) % 12].into(),
                info: Map::from_iter([("step".to_string(), json!(t)), ("x".into(), json!(0.1))]),
                terminal: t == 39 && mark != 1,
                timeout: t == 39 && mark == 1,
            })
            .collect();
        let episode = Episode {
            benchmark_id: b.clone(),
            metadata: Map::from_iter([
                ("mark".to_string(), json!(mark)),
                ("run".to_string(), json!(name)),
                (
                    "nested".to_string(),
                    json!({"lr": 3e-4, "tags": ["é", "日本"], "none": null}),
                ),
            ]),
            tuples,
        };
        folder.record_episode(&episode).await.unwrap();
    }
    for (label, size) in [("policy Größe.bin", 300_000usize), ("notes.txt", 10)] {
        let mut data: Vec<u8> = (0..size as u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        // New bytes for the server too (it dedupes a user's same bytes).
        data.extend_from_slice(name.as_bytes());
        let metadata = ArtifactMetadata {
            name: label.into(),
            description: format!("{label} of {name}"),
            benchmark_id: Some(b.clone()),
            extra: Map::from_iter([("source".to_string(), json!({"run": 7, "lr": 1e-3}))]),
        };
        folder
            .store_artifact(Bytes::from(data), &metadata)
            .await
            .unwrap();
    }
    let loose = ArtifactMetadata {
        name: "loose".into(),
        description: String::new(),
        benchmark_id: None,
        extra: Map::new(),
    };
    folder
        .store_artifact(Bytes::from(name.as_bytes().to_vec()), &loose)
        .await
        .unwrap();
    b
}

fn this_test(name: &str) -> Selection {
    Selection::all().with_benchmark_filter(Filter::eq("metadata.name", name))
}

fn assert_all(report: &CopyReport, status: Status) {
    assert!(!report.has_failures(), "{:#?}", report.items);
    assert_eq!(counts_of(report, status), [1, 3, 2], "{:#?}", report.items);
}

fn counts_of(report: &CopyReport, status: Status) -> [usize; 3] {
    Kind::ALL.map(|kind| report.count(Some(kind), status))
}

/// Everything of benchmark `name` in `storage`: the benchmark, its episodes
/// by key, its artifacts by name with their bytes.
struct Held {
    benchmark: Benchmark,
    episodes: BTreeMap<String, EpisodeItem>,
    artifacts: BTreeMap<String, (ArtifactMetadataItem, Bytes)>,
}

async fn held(storage: &dyn TupliStorage, name: &str) -> Held {
    let listed = storage
        .list_benchmarks(&Filter::eq("metadata.name", name))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let benchmark = storage.load_benchmark(&listed[0].id).await.unwrap();
    let mut episodes = BTreeMap::new();
    let of = Filter::eq("benchmark_id", benchmark.id.as_str());
    for item in storage.list_episode_items(&of).await.unwrap() {
        let key = match item.metadata.get("tupli_key") {
            Some(Value::String(key)) => key.clone(),
            _ => item.id.clone(),
        };
        assert!(episodes.insert(key, item).is_none(), "a duplicate");
    }
    let mut artifacts = BTreeMap::new();
    for item in storage.list_artifacts(&of).await.unwrap() {
        let bytes = storage.load_artifact(&item.id).await.unwrap();
        assert!(artifacts.insert(item.name.clone(), (item, bytes)).is_none());
    }
    Held {
        benchmark,
        episodes,
        artifacts,
    }
}

fn spelled<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

/// `copy` holds what `original` holds, every field equal but ids, times and
/// (when `same_creator` is false) creators; episodes carry the original's
/// keys.
fn assert_same(original: &Held, copy: &Held, same_creator: bool) {
    let (a, b) = (&original.benchmark, &copy.benchmark);
    assert_eq!(
        (&b.hash, &b.metadata, &b.serialized),
        (&a.hash, &a.metadata, &a.serialized)
    );
    assert_eq!(spelled(&b.metadata), spelled(&a.metadata));
    assert_eq!(
        original.episodes.keys().collect::<Vec<_>>(),
        copy.episodes.keys().collect::<Vec<_>>()
    );
    for (key, a) in &original.episodes {
        let b = &copy.episodes[key];
        let mut metadata = a.metadata.clone();
        metadata.insert("tupli_key".into(), json!(key));
        assert_eq!(b.metadata, metadata);
        assert_eq!(spelled(&b.metadata), spelled(&metadata));
        assert_eq!(spelled(&b.tuples), spelled(&a.tuples), "tuples to the bit");
        assert_eq!(
            (b.n_tuples, b.terminated, b.timeout),
            (a.n_tuples, a.terminated, a.timeout)
        );
        assert_eq!(b.benchmark_id, copy.benchmark.id, "remapped");
        if same_creator {
            assert_eq!(b.created_by, a.created_by);
        }
    }
    assert_eq!(
        original.artifacts.keys().collect::<Vec<_>>(),
        copy.artifacts.keys().collect::<Vec<_>>()
    );
    for (name, (a, bytes)) in &original.artifacts {
        let (b, copied) = &copy.artifacts[name];
        assert!(copied == bytes, "{name}: the bytes differ");
        assert_eq!(
            (&b.description, &b.extra, &b.encoding),
            (&a.description, &a.extra, &a.encoding)
        );
        assert_eq!(
            b.benchmark_id.as_ref(),
            Some(&copy.benchmark.id),
            "remapped"
        );
        if same_creator {
            assert_eq!((&b.created_by, &b.hash), (&a.created_by, &a.hash));
        }
    }
}

/// A client of `url` logged in as `user` (password `pw-1`).
async fn login(url: &str, user: &str) -> TupliApiClient {
    let client = TupliApiClient::with_url(url).unwrap();
    client.login(user, "pw-1").await.expect("login");
    client
}

/// Removes benchmark `name` with its episodes and artifacts from a server.
async fn remove(client: &TupliApiClient, name: &str) {
    for benchmark in client
        .list_benchmarks(&Filter::eq("metadata.name", name))
        .await
        .unwrap()
    {
        let of = Filter::eq("benchmark_id", benchmark.id.as_str());
        for artifact in client.list_artifacts(&of).await.unwrap() {
            client.delete_artifact(&artifact.id).await.unwrap();
        }
        for episode in client.list_episode_headers(&of).await.unwrap() {
            client.delete_episode(&episode.id).await.unwrap();
        }
        client.delete_benchmark(&benchmark.id).await.unwrap();
    }
}

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn copy_folder_to_server_to_folder_with_every_field_equal() {
    let name = unique("copy round trip");
    let user = TestUser::new("copier").await;
    let (first_dir, last_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (first, last) = (
        FileStorage::open(first_dir.path()).unwrap(),
        FileStorage::open(last_dir.path()).unwrap(),
    );
    fill(&first, &name).await;

    let report = copy(&first, &user.client, this_test(&name)).await.unwrap();
    assert_all(&report, Status::Copied);
    let on_server = held(&user.client, &name).await;
    assert_same(&held(&first, &name).await, &on_server, false);
    for (a, _) in on_server.artifacts.values() {
        assert_eq!(a.created_by, user.name);
    }
    // Twice: nothing is copied (a folder's artifact hash and a server's
    // differ, so the artifacts' bytes are read from the folder to tell).
    let again = copy(&first, &user.client, this_test(&name)).await.unwrap();
    assert_all(&again, Status::Skipped);

    // Back to another folder: every field as in the first folder.
    let report = copy(&user.client, &last, this_test(&name)).await.unwrap();
    assert_all(&report, Status::Copied);
    let (a, b) = (held(&first, &name).await, held(&last, &name).await);
    assert_same(&a, &b, true);
    assert_eq!(a.benchmark.published_in, b.benchmark.published_in);
    let again = copy(&user.client, &last, this_test(&name)).await.unwrap();
    assert_all(&again, Status::Skipped);
    // The first folder holds every key as an id: nothing goes back there.
    let back = copy(&last, &first, this_test(&name)).await.unwrap();
    assert_all(&back, Status::Skipped);
    let dry = copy(&user.client, &first, this_test(&name))
        .dry_run(true)
        .await
        .unwrap();
    assert_all(&dry, Status::Skipped);

    remove(&user.client, &name).await;
    user.delete(&admin().await).await;
}

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn copy_server_to_second_server() {
    let name = unique("copy two servers");
    // The same user name on both servers: the artifacts' hashes are equal.
    let user = TestUser::new("copier2").await;
    TupliApiClient::with_url(short_url())
        .unwrap()
        .signup(&user.name, "pw-1")
        .await
        .expect("signup on the second server");
    let dir = tempfile::tempdir().unwrap();
    let folder = FileStorage::open(dir.path()).unwrap();
    fill(&folder, &name).await;
    copy(&folder, &user.client, this_test(&name)).await.unwrap();

    // (The second server's tokens may be short-lived: log in for each step.)
    let second = login(&short_url(), &user.name).await;
    let report = copy(&user.client, &second, this_test(&name)).await.unwrap();
    assert_all(&report, Status::Copied);
    let second = login(&short_url(), &user.name).await;
    assert_same(
        &held(&user.client, &name).await,
        &held(&second, &name).await,
        true,
    );

    let second = login(&short_url(), &user.name).await;
    let again = copy(&user.client, &second, this_test(&name)).await.unwrap();
    assert_all(&again, Status::Skipped);
    assert_eq!(again.bytes(), 0, "same user, same hashes: no byte is read");
    let second = login(&short_url(), &user.name).await;
    let back = copy(&second, &user.client, this_test(&name))
        .dry_run(true)
        .await
        .unwrap();
    assert_all(&back, Status::Skipped);

    let second = login(&short_url(), &user.name).await;
    remove(&second, &name).await;
    remove(&user.client, &name).await;
    admin_at(&short_url())
        .await
        .delete_user(&user.name)
        .await
        .unwrap();
    user.delete(&admin().await).await;
}

/// The binary: logins at both servers in one credentials file, a folder to
/// the first server, to the second, to another folder; each run again
/// copies nothing.
#[test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
fn copy_with_the_cli_between_folders_and_two_servers() {
    use assert_cmd::Command;
    use std::time::Duration;

    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = unique("cli copy");
    let user = rt.block_on(TestUser::new("clicopier"));
    rt.block_on(async {
        TupliApiClient::with_url(short_url())
            .unwrap()
            .signup(&user.name, "pw-1")
            .await
            .unwrap()
    });
    let work = tempfile::tempdir().unwrap();
    let (first, last) = (work.path().join("first"), work.path().join("last"));
    rt.block_on(fill(&FileStorage::create(&first).unwrap(), &name));
    let tupli = |args: &[&str]| {
        let mut command = crate::tupli_command();
        command
            .args(args)
            .env("TUPLI_CONFIG_DIR", work.path().join("config"))
            .env_remove("TUPLI_URL")
            .env_remove("TUPLI_STORAGE")
            .timeout(Duration::from_secs(300));
        command
    };
    let ok = |command: &mut Command| -> String {
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{command:?} failed: {stderr}");
        String::from_utf8(output.stdout).unwrap()
    };
    let cli_login = |url: &str| {
        ok(tupli(&["login", &user.name, "--password-stdin", "--url", url]).write_stdin("pw-1"));
    };
    let copy = |from: &str, to: &str| -> Value {
        let out = ok(&mut tupli(&[
            "copy",
            "--from",
            from,
            "--to",
            to,
            "--benchmark-where",
            &format!("metadata.name={name}"),
            "--json",
        ]));
        serde_json::from_str(&out).unwrap()
    };
    let all = |status: &str| {
        json!({
            "benchmarks": {"copied": 0, "skipped": 0, "failed": 0, status: 1},
            "episodes": {"copied": 0, "skipped": 0, "failed": 0, status: 3},
            "artifacts": {"copied": 0, "skipped": 0, "failed": 0, status: 2},
        })
    };
    let (a, b) = (crate::url(), short_url());
    cli_login(&a);
    assert_eq!(copy(first.to_str().unwrap(), &a)["counts"], all("copied"));
    assert_eq!(copy(first.to_str().unwrap(), &a)["counts"], all("skipped"));
    // Logged in at both: the second login keeps the first.
    cli_login(&b);
    assert_eq!(copy(&a, &b)["counts"], all("copied"));
    cli_login(&b);
    assert_eq!(copy(&a, &b)["counts"], all("skipped"));
    cli_login(&b);
    assert_eq!(copy(&b, last.to_str().unwrap())["counts"], all("copied"));
    cli_login(&b);
    assert_eq!(copy(&b, last.to_str().unwrap())["counts"], all("skipped"));
    rt.block_on(async {
        let (first, last) = (
            FileStorage::open(&first).unwrap(),
            FileStorage::open(&last).unwrap(),
        );
        assert_same(&held(&first, &name).await, &held(&last, &name).await, true);
        let second = login(&b, &user.name).await;
        remove(&second, &name).await;
        remove(&user.client, &name).await;
        let admin_b = admin_at(&b).await;
        admin_b.delete_user(&user.name).await.unwrap();
        let admin = admin().await;
        user.delete(&admin).await;
    });
}

async fn admin_at(url: &str) -> TupliApiClient {
    let client = TupliApiClient::with_url(url).unwrap();
    client
        .login(
            &env_or("TUPLI_TEST_ADMIN_USER", "admin"),
            &env_or("TUPLI_TEST_ADMIN_PASSWORD", "pytupli"),
        )
        .await
        .unwrap();
    client
}
