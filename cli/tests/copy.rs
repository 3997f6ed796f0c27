//! `copy`: folder to folder (the summary, a dry run, a second run, `--json`,
//! a failed item and exit 5), and servers on either side, each sent only the
//! tokens it issued — with logins at several servers in the credentials
//! file, whose old one-server form is still read.

use std::path::{Path, PathBuf};
use tupli::prelude::*;

use serde_json::{json, Value};
use tupli::models::{ArtifactMetadata, BenchmarkQuery, Episode};
use tupli::storage::FileStorage;
use tupli::Filter;

use crate::support::*;
use crate::{parse, Cli};

/// The second server's tokens.
const ACCESS_B: &str = "access-token-B";
const REFRESH_B: &str = "refresh-token-B";

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// What a source folder holds.
struct Source {
    dir: PathBuf,
    benchmark: String,
    episodes: Vec<String>,
    artifact: String,
}

/// A folder with benchmark `cartpole`, two episodes (seeds 1 and 2) and an
/// artifact of it.
fn source(dir: &Path) -> Source {
    let storage = FileStorage::create(dir).unwrap();
    block_on(async {
        let query: BenchmarkQuery = serde_json::from_value(json!({
            "hash": "c0ffee01", "serialized": "{\"env\": \"CartPole-v1\"}",
            "metadata": {"name": "cartpole", "difficulty": "easy"},
        }))
        .unwrap();
        let benchmark = storage.store_benchmark(&query).await.unwrap().id;
        let mut episodes = Vec::new();
        for seed in [1, 2] {
            let episode: Episode = serde_json::from_value(json!({
                "benchmark_id": benchmark,
                "metadata": {"seed": seed},
                "tuples": [tuple_json(), tuple_json()],
            }))
            .unwrap();
            episodes.push(storage.record_episode(&episode).await.unwrap().id);
        }
        episodes.sort();
        let metadata = ArtifactMetadata {
            name: "policy.zip".into(),
            description: "PPO".into(),
            benchmark_id: Some(benchmark.clone()),
            extra: Default::default(),
        };
        let artifact = storage
            .store_artifact(vec![7u8; 5000].into(), &metadata)
            .await
            .unwrap()
            .id;
        Source {
            dir: dir.to_path_buf(),
            benchmark,
            episodes,
            artifact,
        }
    })
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The counts table of a summary.
fn table(head: &str, counts: [[usize; 3]; 3]) -> String {
    let mut out = format!("  {:<10}  {head:>7}  skipped  failed\n", "");
    for (name, [c, s, f]) in ["benchmarks", "episodes", "artifacts"].iter().zip(counts) {
        out.push_str(&format!("  {name:<10}  {c:>7}  {s:>7}  {f:>6}\n"));
    }
    out
}

/// The summary's lines without the "Read … from …" one.
fn without_read_line(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("Read "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn folder_to_folder_with_a_dry_run_a_summary_and_a_second_run() {
    let cli = Cli::logged_in();
    let src = source(&cli.config.path().join("runs"));
    let dst = cli.config.path().join("backup");
    let (from, to) = (path(&src.dir), path(&dst));

    // A dry run lists what would be copied, and makes nothing.
    let run = cli.run(&["copy", "--from", from, "--to", to, "--dry-run"]);
    let out = run.ok();
    let b = &src.benchmark;
    assert_eq!(
        out,
        format!(
            "Would copy from {from} to {to}:\n\
             \x20 benchmark  {b}  cartpole\n\
             \x20 episode    {e1}  2 tuples, of benchmark {b}\n\
             \x20 episode    {e2}  2 tuples, of benchmark {b}\n\
             \x20 artifact   {a}  policy.zip, of benchmark {b}\n\
             {table}\
             Dry run: nothing was written.\n",
            e1 = src.episodes[0],
            e2 = src.episodes[1],
            a = src.artifact,
            table = table("to copy", [[1, 0, 0], [2, 0, 0], [1, 0, 0]]),
        )
    );
    assert_eq!(run.stderr, "", "no bar without a terminal");
    assert!(!dst.exists(), "a dry run makes nothing");

    // The copy.
    let out = cli.run(&["copy", "--from", from, "--to", to]).ok();
    assert_eq!(
        without_read_line(&out),
        format!(
            "Copied from {from} to {to}:\n{}",
            table("copied", [[1, 0, 0], [2, 0, 0], [1, 0, 0]])
        )
    );
    assert!(
        out.contains(&format!(" from {from}.\n")) && out.contains("\nRead "),
        "{out}"
    );
    let copied = FileStorage::open(&dst).unwrap();
    let episodes = block_on(copied.list_episode_items(&Filter::all())).unwrap();
    let mut keys: Vec<&str> = episodes
        .iter()
        .map(|e| e.metadata["tupli_key"].as_str().unwrap())
        .collect();
    keys.sort();
    assert_eq!(keys, src.episodes);

    // Again: everything is there.
    let out = cli.run(&["copy", "--from", from, "--to", to]).ok();
    assert_eq!(
        out,
        format!(
            "Copied from {from} to {to}:\n{}\
             Skipped 1 benchmark: already there.\n\
             Skipped 2 episodes: already there.\n\
             Skipped 1 artifact: already there.\n",
            table("copied", [[0, 1, 0], [0, 2, 0], [0, 1, 0]])
        )
    );

    // --json, with a selection.
    let json = parse(
        &cli.run(&[
            "copy",
            "--from",
            from,
            "--to",
            to,
            "--where",
            "metadata.seed=2",
            "--json",
        ])
        .ok(),
    );
    assert_eq!(
        json["counts"],
        json!({
            "benchmarks": {"copied": 0, "skipped": 1, "failed": 0},
            "episodes": {"copied": 0, "skipped": 1, "failed": 0},
            "artifacts": {"copied": 0, "skipped": 1, "failed": 0},
        })
    );
    assert_eq!(json["dry_run"], false);
    assert_eq!(json["bytes"], 0);
    let episode = &json["items"][1];
    assert_eq!(episode["kind"], "episode");
    assert_eq!(episode["status"], "skipped");
    assert_eq!(episode["reason"], "already there");
    assert_eq!(episode["benchmark_id"], b.as_str());
    assert!(episode["destination_id"].is_string());
    cli.done();
}

/// Adds to the folder an episode of `benchmark` without tuples, as a
/// hand-made file (a storage refuses to record one).
fn add_empty_episode(dir: &Path, like: &str) -> String {
    let mut episode: Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("episodes/{like}.json"))).unwrap())
            .unwrap();
    let id = "0123456789abcdef0123456789abcdef".to_string();
    episode["id"] = json!(id);
    episode["tuples"] = json!([]);
    episode["n_tuples"] = json!(0);
    std::fs::write(
        dir.join(format!("episodes/{id}.json")),
        serde_json::to_vec_pretty(&episode).unwrap(),
    )
    .unwrap();
    id
}

#[test]
fn a_failed_item_is_in_the_summary_and_exits_5() {
    let cli = Cli::logged_in();
    let src = source(&cli.config.path().join("runs"));
    let empty = add_empty_episode(&src.dir, &src.episodes[0]);
    let dst = cli.config.path().join("backup");
    let (from, to) = (path(&src.dir), path(&dst));

    let run = cli.run(&["copy", "--from", from, "--to", to]);
    let stderr = run.fails(5);
    assert_eq!(
        stderr,
        "error: 1 item of 5 failed (the others were copied or skipped); run the same copy \
         again to retry it\n"
    );
    assert_eq!(
        without_read_line(&run.stdout()),
        format!(
            "Copied from {from} to {to}:\n{}\
             Failed: episode {empty} (0 tuples, of benchmark {}): invalid argument \
             `episode.tuples`: an episode needs at least one tuple\n",
            table("copied", [[1, 0, 0], [2, 0, 1], [1, 0, 0]]),
            src.benchmark,
        )
    );
    // The next run tries it again, and only it.
    let json = parse(
        &cli.run(&["copy", "--from", from, "--to", to, "--json"])
            .stdout(),
    );
    assert_eq!(
        json["counts"]["episodes"],
        json!({"copied": 0, "skipped": 2, "failed": 1})
    );
    assert_eq!(json["counts"]["benchmarks"]["skipped"], 1);
    assert_eq!(json["counts"]["artifacts"]["skipped"], 1);
    let failed: Vec<&Value> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["source_id"], empty.as_str());
    assert!(failed[0]["error"]
        .as_str()
        .unwrap()
        .contains("at least one tuple"));
    cli.done();
}

/// When the destination cannot even be asked about a benchmark's episodes,
/// that is one failure, and the rest is copied.
#[test]
fn a_failed_question_is_in_the_summary_and_exits_5() {
    let cli = Cli::logged_in();
    let src = source(&cli.config.path().join("runs"));
    let dst = cli.config.path().join("backup");
    std::fs::create_dir(&dst).unwrap();
    // A file stands where the episodes' folder goes.
    std::fs::write(dst.join("episodes"), "in the way").unwrap();
    let (from, to) = (path(&src.dir), path(&dst));
    let run = cli.run(&["copy", "--from", from, "--to", to]);
    let stderr = run.fails(5);
    assert_eq!(
        stderr,
        "error: 1 item of 3 failed (the others were copied or skipped); run the same copy \
         again to retry it\n"
    );
    let out = run.stdout();
    assert!(
        out.starts_with(&format!(
            "Copied from {from} to {to}:\n{}",
            table("copied", [[1, 0, 0], [0, 0, 1], [1, 0, 0]])
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "\nFailed: asking the destination which of 2 episodes of benchmark cartpole it \
             holds: I/O error: "
        ),
        "{out}"
    );
    std::fs::remove_file(dst.join("episodes")).unwrap();
    let json = parse(
        &cli.run(&["copy", "--from", from, "--to", to, "--json"])
            .ok(),
    );
    assert_eq!(
        json["counts"]["episodes"],
        json!({"copied": 2, "skipped": 0, "failed": 0})
    );
    cli.done();
}

#[test]
fn sides_are_checked_before_anything_is_done() {
    let cli = Cli::logged_in();
    let src = source(&cli.config.path().join("runs"));
    let from = path(&src.dir);
    let missing = cli.config.path().join("missing");
    for (args, code, message) in [
        (
            vec!["copy", "--from", path(&missing), "--to", from],
            2,
            format!("error: there is no folder {}\n", missing.display()),
        ),
        (
            vec!["copy", "--from", from, "--to", "ftp://x"],
            2,
            "error: --to ftp://x: neither a server URL (http:// or https://) nor a folder\n"
                .to_string(),
        ),
        (
            vec!["copy", "--from", from, "--to", from],
            2,
            format!("error: --from and --to are the same storage ({from}): nothing to copy\n"),
        ),
        (
            vec!["copy", "--from", from, "--to", "http://127.0.0.1:9/"],
            3,
            "error: not logged in to http://127.0.0.1:9, where the copy goes: run `tupli login \
             USER --url http://127.0.0.1:9` first\n"
                .to_string(),
        ),
    ] {
        assert_eq!(cli.run(&args).fails(code), message, "{args:?}");
    }
    cli.done();
}

/// A benchmark as the first server answers it.
fn benchmark_json() -> Value {
    json!({
        "id": "a-1", "hash": "h-1", "created_by": USER, "created_at": "2025-01-02T03:04:05",
        "metadata": {"name": "cartpole"}, "serialized": "{\"env\": 1}",
    })
}

fn header_of(mut full: Value) -> Value {
    full.as_object_mut().unwrap().remove("serialized");
    full
}

/// An episode of benchmark `b` as a server answers it.
fn episode_json(id: &str, b: &str, with_tuples: bool) -> Value {
    let mut item = if with_tuples {
        episode_item_json(id)
    } else {
        episode_header_json(id, 1)
    };
    item["benchmark_id"] = json!(b);
    item
}

/// The question about keys, as sent to `b`'s episodes.
fn holding(benchmark_id: &str, keys: &[&str]) -> Value {
    json!({"type": "AND", "key": null, "value": null, "include_tuples": false, "filters": [
        {"type": "EQ", "key": "benchmark_id", "value": benchmark_id, "filters": []},
        {"type": "OR", "key": null, "value": null, "filters": [
            {"type": "IN", "key": "id", "value": keys, "filters": []},
            {"type": "IN", "key": "metadata.tupli_key", "value": keys, "filters": []},
        ]},
    ]})
}

/// Server A (the default login, [`ACCESS`]) to server B (its own login,
/// [`ACCESS_B`]): each server is sent its own token and no other (any other
/// request reaches a catch-all, and fails the test).
#[test]
fn server_to_server_sends_each_its_own_tokens() {
    let cli = Cli::start();
    let b = Mocked::start();
    cli.write_credentials(json!({
        "url": cli.url(), "access_token": ACCESS, "refresh_token": REFRESH,
        "servers": {b.url(): {"access_token": ACCESS_B, "refresh_token": REFRESH_B}},
    }));
    let before = cli.credentials();
    let on_a = [
        cli.expect(post("/benchmarks/list").json(all_filter()), |then| {
            json_reply(then, 200, json!([header_of(benchmark_json())]))
        }),
        cli.expect(
            get("/benchmarks/load").query("benchmark_id", "a-1"),
            |then| json_reply(then, 200, benchmark_json()),
        ),
        cli.expect(
            post("/episodes/list").json(list_episodes_body(
                json!({"type": "EQ", "key": "benchmark_id", "value": "a-1", "filters": []}),
                false,
            )),
            |then| json_reply(then, 200, json!([episode_json("e-1", "a-1", false)])),
        ),
        cli.expect(
            post("/episodes/list").json(list_episodes_body(
                json!({"type": "IN", "key": "id", "value": ["e-1"], "filters": []}),
                true,
            )),
            |then| json_reply(then, 200, json!([episode_json("e-1", "a-1", true)])),
        ),
        cli.expect(
            post("/artifacts/list")
                .json(json!({"type": "EQ", "key": "benchmark_id", "value": "a-1", "filters": []})),
            |then| json_reply(then, 200, json!([])),
        ),
    ];
    let on_b = [
        b.expect(
            post("/benchmarks/list")
                .bearer(ACCESS_B)
                .json(json!({"type": "IN", "key": "hash", "value": ["h-1"], "filters": []})),
            |then| json_reply(then, 200, json!([])),
        ),
        b.expect(
            post("/benchmarks/create").bearer(ACCESS_B).json(json!({
                "hash": "h-1", "serialized": "{\"env\": 1}",
                "metadata": {"name": "cartpole", "description": ""},
            })),
            |then| {
                let mut header = header_of(benchmark_json());
                header["id"] = json!("b-1");
                json_reply(then, 200, header)
            },
        ),
        b.expect(
            post("/episodes/list")
                .bearer(ACCESS_B)
                .json(holding("b-1", &["e-1"])),
            |then| json_reply(then, 200, json!([])),
        ),
        b.expect(
            post("/episodes/record").bearer(ACCESS_B).json(json!({
                "benchmark_id": "b-1",
                "metadata": {"seed": 7, "tupli_key": "e-1"},
                "tuples": [tuple_json()],
            })),
            |then| json_reply(then, 200, episode_json("b-e-1", "b-1", false)),
        ),
    ];
    let out = cli
        .run(&["copy", "--from", &cli.url(), "--to", &b.url()])
        .ok();
    assert_eq!(
        without_read_line(&out),
        format!(
            "Copied from {} to {}:\n{}",
            cli.url(),
            b.url(),
            table("copied", [[1, 0, 0], [1, 0, 0], [0, 0, 0]])
        )
    );
    for mock in on_a.iter().chain(&on_b) {
        mock.assert_calls(1);
    }
    assert_eq!(cli.credentials(), before, "nothing to write back");
    b.done();
    cli.done();
}

/// The old one-server file: its login is the default server's, and another
/// server gets none of it — as a destination the copy stops before sending
/// anything, as a source it is read anonymously.
#[test]
fn the_old_credentials_file_is_read_and_its_tokens_stay_home() {
    let cli = Cli::logged_in();
    let b = Mocked::start();
    let src = source(&cli.config.path().join("runs"));
    let stderr = cli
        .run(&["copy", "--from", path(&src.dir), "--to", &b.url()])
        .fails(3);
    assert!(
        stderr.contains(&format!("not logged in to {}", b.url())),
        "{stderr}"
    );

    // From B, anonymously: it shows nothing here.
    let nothing = b.expect(
        post("/benchmarks/list").anonymous().json(all_filter()),
        |then| json_reply(then, 200, json!([])),
    );
    let dst = cli.config.path().join("from-b");
    let run = cli.run(&["copy", "--from", &b.url(), "--to", path(&dst)]);
    run.ok();
    assert!(
        run.stderr.starts_with(&format!(
            "tupli: note: not logged in to {}: copying what it shows to anyone",
            b.url()
        )),
        "{}",
        run.stderr
    );
    nothing.assert_calls(1);
    b.done();
    cli.done();
}

/// `login --url B` adds B's login and makes B the default; A's stays, and
/// is used for A only; `logout` forgets the default's.
#[test]
fn logins_at_two_servers() {
    let cli = Cli::logged_in();
    let b = Mocked::start();
    let login = b.expect_login(USER, PASSWORD, token_pair(ACCESS_B, REFRESH_B));
    let run = cli.run_command(
        cli.command(&["login", USER, "--password-stdin", "--url", &b.url()])
            .write_stdin(PASSWORD),
    );
    assert_eq!(run.ok(), format!("Logged in to {} as {USER}.\n", b.url()));
    assert_eq!(run.stderr, "", "no note about the other server's tokens");
    login.assert_calls(1);
    assert_eq!(
        cli.credentials(),
        json!({
            "url": b.url(), "access_token": ACCESS_B, "refresh_token": REFRESH_B,
            "servers": {cli.url(): {"access_token": ACCESS, "refresh_token": REFRESH}},
        })
    );
    #[cfg(unix)]
    assert_eq!(crate::mode(&cli.credentials_path()), 0o600);

    // Each server gets its own token, without a note.
    let on_a = cli.expect(get("/access/roles/list").bearer(ACCESS), |then| {
        json_reply(then, 200, json!([]))
    });
    let on_b = b.expect(get("/access/roles/list").bearer(ACCESS_B), |then| {
        json_reply(then, 200, json!([]))
    });
    let run = cli.run(&["list-roles", "--json"]);
    assert_eq!((run.ok(), run.stderr.as_str()), ("[]\n".to_string(), ""));
    let run = cli.run_command(
        cli.command(&["list-roles", "--json"])
            .env_remove("TUPLI_URL"),
    );
    assert_eq!((run.ok(), run.stderr.as_str()), ("[]\n".to_string(), ""));
    on_a.assert_calls(1);
    on_b.assert_calls(1);
    let who = parse(&cli.run(&["whoami", "--json", "--url", &cli.url()]).ok());
    assert_eq!(who["url"], cli.url());

    // Logging out forgets the default's login (B's) only.
    let run = cli.run_command(cli.command(&["logout"]).env_remove("TUPLI_URL"));
    assert_eq!(run.ok(), "Logged out.\n");
    assert_eq!(
        cli.credentials(),
        json!({
            "url": b.url(),
            "servers": {cli.url(): {"access_token": ACCESS, "refresh_token": REFRESH}},
        })
    );
    cli.run(&["list-roles"]).ok();
    on_a.assert_calls(2);
    b.done();
    cli.done();
}
