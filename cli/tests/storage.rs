//! `--storage DIR` (and `TUPLI_STORAGE`): every benchmark, artifact and
//! episode command on a folder, nothing sent to the server `TUPLI_URL`
//! names; users, groups, roles and logins are refused with a usage error.

use std::path::{Path, PathBuf};
use tupli::prelude::*;

use serde_json::{json, Value};
use tupli::storage::FileStorage;

use crate::support::*;
use crate::{parse, Cli};

/// A folder and the mock server no request may reach.
struct Folder {
    cli: Cli,
    dir: PathBuf,
}

impl Folder {
    fn new() -> Folder {
        let cli = Cli::logged_in();
        let dir = cli.config.path().join("runs");
        Folder { cli, dir }
    }

    /// `tupli --storage DIR ARGS…`.
    fn run(&self, args: &[&str]) -> crate::Run {
        let mut all = vec!["--storage", self.dir.to_str().unwrap()];
        all.extend_from_slice(args);
        self.cli.run(&all)
    }

    /// `tupli ARGS… --json` with `--storage DIR`, parsed.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        parse(&self.run(&all).ok())
    }

    fn file(&self, name: &str, content: impl AsRef<[u8]>) -> String {
        let path = self.cli.config.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_string()
    }
}

fn storage(dir: &Path) -> FileStorage {
    FileStorage::open(dir).unwrap()
}

#[test]
fn benchmarks_on_a_folder() {
    let f = Folder::new();
    let query = json!({
        "hash": "c0ffee01",
        "serialized": "{\"env\": \"CartPole-v1\"}",
        "metadata": {"name": "cartpole", "difficulty": "easy", "description": "balance ü"},
    });
    let file = f.file("b.json", query.to_string());
    // The folder is made by the first store.
    let stored = f.json(&["store-benchmark", &file]);
    let id = stored["id"].as_str().unwrap().to_string();
    assert_eq!(stored["created_by"], "local_storage");
    assert_eq!(stored["hash"], "c0ffee01");
    assert!(f.dir.join(format!("benchmarks/{id}.json")).is_file());
    // The same hash: the stored one.
    assert_eq!(f.json(&["store-benchmark", &file])["id"], id.as_str());

    let loaded = f.json(&["load-benchmark", &id]);
    assert_eq!(loaded["serialized"], query["serialized"]);
    let table = f
        .run(&["list-benchmarks", "--where", "metadata.name=cartpole"])
        .ok();
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(
        table.contains(&id) && table.contains("local_storage"),
        "{table}"
    );
    assert_eq!(
        f.json(&["list-benchmarks", "--where", "metadata.name=x"]),
        json!([])
    );

    // Publishing is accepted and changes nothing.
    let out = f.run(&["publish-benchmark", &id]).ok();
    assert_eq!(
        out,
        format!(
            "Nothing to do: benchmark {id} is in the folder, which has no groups (publishing \
             changes nothing there).\n"
        )
    );
    f.run(&["unpublish-benchmark", &id, "--from", "g"]).ok();
    assert_eq!(
        f.json(&["load-benchmark", &id])["published_in"],
        json!(["local_storage"])
    );

    assert_eq!(
        f.run(&["delete-benchmark", &id]).ok(),
        format!("Deleted benchmark {id}.\n")
    );
    let stderr = f.run(&["load-benchmark", &id]).fails(4);
    assert!(
        stderr.contains(&format!("no benchmark with id \"{id}\"")),
        "{stderr}"
    );
    let stderr = f.run(&["delete-benchmark", &id]).fails(4);
    assert!(stderr.contains("no benchmark"), "{stderr}");
    f.cli.done();
}

#[test]
fn artifacts_and_episodes_on_a_folder_and_an_export() {
    let f = Folder::new();
    let folder = {
        std::fs::create_dir(&f.dir).unwrap();
        storage(&f.dir)
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let benchmark = rt
        .block_on(
            folder.store_benchmark(
                &serde_json::from_value(json!({
                    "hash": "h", "serialized": "{}", "metadata": {"name": "bench"},
                }))
                .unwrap(),
            ),
        )
        .unwrap()
        .id;

    // Artifacts: store, list, load to a file and to stdout, publish, delete.
    let data: Vec<u8> = (0..70_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let file = f.file("weights.bin", &data);
    let item = f.json(&[
        "store-artifact",
        &file,
        "--benchmark-id",
        &benchmark,
        "--extra",
        r#"{"source": "cli"}"#,
    ]);
    let id = item["id"].as_str().unwrap().to_string();
    assert_eq!(item["name"], "weights.bin");
    assert_eq!(item["benchmark_id"], benchmark.as_str());
    assert_eq!(
        item["hash"],
        sha256_hex(&data),
        "a folder's rule: the bytes alone"
    );
    let listed = f.json(&["list-artifacts", "--where", "extra.source=cli"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let out = f.cli.config.path().join("out.bin");
    let run = f.run(&["load-artifact", &id, "--output", out.to_str().unwrap()]);
    run.ok();
    assert!(run.stderr.contains("(hash verified)"), "{}", run.stderr);
    assert!(std::fs::read(&out).unwrap() == data);
    let run = f.run(&["load-artifact", &id]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout == data, "the bytes on stdout");
    f.run(&["publish-artifact", &id, "--in", "g"]).ok();
    f.run(&["unpublish-artifact", &id, "--from", "g"]).ok();
    f.run(&["delete-artifact", &id]).ok();
    f.run(&["load-artifact", &id]).fails(4);

    // Episodes: record, list (tables, JSON, with tuples), publish, delete.
    let mut ids = Vec::new();
    for seed in 0..2 {
        let episode = json!({
            "benchmark_id": benchmark,
            "metadata": {"seed": seed},
            "tuples": [
                {"state": [0.1, -0.0], "action": 1, "reward": 5e-324, "terminal": false, "timeout": false},
                {"state": [0.2, 1e16], "action": 0, "reward": 1.5, "terminal": true, "timeout": false},
            ],
        });
        let file = f.file(&format!("e{seed}.json"), episode.to_string());
        let header = f.json(&["record-episode", &file]);
        assert_eq!(header["n_tuples"], 2);
        ids.push(header["id"].as_str().unwrap().to_string());
    }
    let table = f.run(&["list-episodes"]).ok();
    assert_eq!(table.lines().count(), 4, "{table}");
    let items = f.json(&[
        "list-episodes",
        "--where",
        "metadata.seed=1",
        "--include-tuples",
    ]);
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["id"], ids[1].as_str());
    assert_eq!(items[0]["tuples"][0]["reward"], json!(5e-324));
    f.run(&["publish-episode", &ids[0]]).ok();
    f.run(&["unpublish-episode", &ids[0], "--from", "global"])
        .ok();

    // An export of the folder's episodes.
    let npz = f.cli.config.path().join("all.npz");
    let out = f
        .run(&[
            "export-episodes",
            "-o",
            npz.to_str().unwrap(),
            "--benchmark-where",
            "metadata.name=bench",
        ])
        .ok();
    assert!(
        out.starts_with("Exported 2 episodes, 4 tuples (obs_dim 2, act_dim 1), "),
        "{out}"
    );
    assert!(npz.is_file());

    f.run(&["delete-episode", &ids[0]]).ok();
    assert_eq!(f.json(&["list-episodes"]).as_array().unwrap().len(), 1);
    let stderr = f.run(&["delete-episode", &ids[0]]).fails(4);
    assert!(stderr.contains("no episode"), "{stderr}");
    f.cli.done();
}

#[test]
fn tupli_storage_names_the_folder_too() {
    let f = Folder::new();
    std::fs::create_dir(&f.dir).unwrap();
    let run = f.cli.run_command(
        f.cli
            .command(&["list-benchmarks", "--json"])
            .env("TUPLI_STORAGE", &f.dir),
    );
    assert_eq!(parse(&run.ok()), json!([]));
    // Also over --url: the folder wins.
    let run = f.cli.run_command(
        f.cli
            .command(&["list-benchmarks", "--url", "http://127.0.0.1:9"])
            .env("TUPLI_STORAGE", &f.dir),
    );
    run.ok();
    assert_eq!(run.stderr, "No benchmarks.\n");
    f.cli.done();
}

#[test]
fn a_missing_folder_is_a_usage_error_for_what_reads() {
    let f = Folder::new();
    let stderr = f.run(&["list-episodes"]).fails(2);
    assert_eq!(
        stderr,
        format!("error: there is no folder {}\n", f.dir.display())
    );
    assert!(!f.dir.exists(), "nothing made");
    let file = f.file("not-a-dir", "x");
    let run = f.cli.run(&["--storage", &file, "list-benchmarks"]);
    let stderr = run.fails(2);
    assert_eq!(stderr, format!("error: {file} is not a folder\n"));
    f.cli.done();
}

#[test]
fn users_groups_roles_and_logins_need_a_server() {
    let f = Folder::new();
    std::fs::create_dir(&f.dir).unwrap();
    for args in [
        &["login", USER, "--password-stdin"][..],
        &["signup", "bob", "--password-stdin"],
        &["list-users"],
        &["change-password", "bob", "--password-stdin"],
        &["delete-user", "bob"],
        &["create-group", "g"],
        &["list-groups"],
        &["read-group", "g"],
        &["delete-group", "g"],
        &["add-group-members", "g", "bob", "--role", "guest"],
        &["remove-group-members", "g", "bob"],
        &["list-roles"],
        &["create-role", "r", "--right", "benchmark_read"],
        &["delete-role", "r"],
    ] {
        let stderr = f.run(args).fails(2);
        assert_eq!(
            stderr,
            format!(
                "error: `{}` needs a server: users, groups, roles and logins are a server's, and \
                 --storage (or TUPLI_STORAGE) names the folder {}; run it without --storage\n",
                args[0],
                f.dir.display()
            ),
        );
    }
    // The credentials file is another matter: these still work.
    f.run(&["whoami"]).ok();
    f.cli.done();
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(data))
}
