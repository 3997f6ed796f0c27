//! The `tupli` binary end to end.

use std::time::Duration;

use serde_json::{json, Value};

use crate::{env_or, unique, url};

/// The `tupli` binary end to end, with its own config directory:
/// login → store-benchmark/store-artifact → list → load → logout.
#[test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
fn cli_login_store_list_load_logout() {
    use assert_cmd::Command;

    let config = tempfile::tempdir().unwrap();
    let credentials = config.path().join("tupli").join("credentials.json");
    let tupli = |args: &[&str]| {
        let mut command = crate::tupli_command();
        command
            .args(args)
            .env("TUPLI_CONFIG_DIR", config.path().join("tupli"))
            .env_remove("TUPLI_URL")
            .timeout(Duration::from_secs(120));
        command
    };
    let ok = |command: &mut Command| -> String {
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{command:?} failed: {stderr}");
        String::from_utf8(output.stdout).unwrap()
    };
    let json = |command: &mut Command| -> Value { serde_json::from_str(&ok(command)).unwrap() };

    let user = env_or("TUPLI_TEST_ADMIN_USER", "admin");
    let password = env_or("TUPLI_TEST_ADMIN_PASSWORD", "pytupli");
    let out = ok(
        tupli(&["login", &user, "--password-stdin", "--url", &url()])
            .write_stdin(format!("{password}\n")),
    );
    assert!(out.starts_with("Logged in to "), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&credentials), 0o600);
        assert_eq!(mode(credentials.parent().unwrap()), 0o700);
    }
    let stored: Value = serde_json::from_slice(&std::fs::read(&credentials).unwrap()).unwrap();
    assert!(stored["access_token"].is_string() && stored["refresh_token"].is_string());
    let whoami = ok(&mut tupli(&["whoami"]));
    assert!(
        whoami.starts_with(&format!("user                   {user}\n")),
        "{whoami}"
    );

    // Store a benchmark (from a file) and an artifact.
    let name = unique("cli bench & #1");
    let benchmark = config.path().join("benchmark.json");
    let query = json!({
        "hash": unique("cli-hash"),
        "serialized": json!({"env": name}).to_string(),
        "metadata": {"name": name, "description": "made by the CLI test", "difficulty": "easy"},
    });
    std::fs::write(&benchmark, query.to_string()).unwrap();
    let stored_benchmark = json(&mut tupli(&[
        "store-benchmark",
        benchmark.to_str().unwrap(),
        "--json",
    ]));
    let benchmark_id = stored_benchmark["id"].as_str().unwrap().to_string();

    let artifact_name = unique("cli artifact ü");
    let data: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .chain(artifact_name.bytes())
        .collect();
    let file = config.path().join("data.bin");
    std::fs::write(&file, &data).unwrap();
    let item = json(&mut tupli(&[
        "store-artifact",
        file.to_str().unwrap(),
        "--name",
        &artifact_name,
        "--benchmark-id",
        &benchmark_id,
        "--json",
    ]));
    let artifact_id = item["id"].as_str().unwrap().to_string();
    assert_eq!(item["hash"], tupli::artifact_hash(&data, &user));

    // List them back, as tables and as JSON, with --where.
    let table = ok(&mut tupli(&[
        "list-benchmarks",
        "--where",
        &format!("metadata.name={name}"),
    ]));
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(table.contains(&benchmark_id), "{table}");
    let listed = json(&mut tupli(&[
        "list-artifacts",
        "--where",
        &format!("name={artifact_name}"),
        "--where",
        &format!("benchmark_id={benchmark_id}"),
        "--json",
    ]));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["id"], artifact_id.as_str());

    // Load them.
    let loaded = json(&mut tupli(&["load-benchmark", &benchmark_id, "--json"]));
    assert_eq!(loaded["serialized"], query["serialized"]);
    let out = config.path().join("out.bin");
    ok(&mut tupli(&[
        "load-artifact",
        &artifact_id,
        "--output",
        out.to_str().unwrap(),
    ]));
    assert!(std::fs::read(&out).unwrap() == data, "the download differs");
    let output = tupli(&["load-artifact", &artifact_id]).output().unwrap();
    assert!(output.status.success());
    assert!(output.stdout == data, "the download to stdout differs");

    // Clean up, then log out.
    ok(&mut tupli(&["delete-artifact", &artifact_id]));
    ok(&mut tupli(&["delete-benchmark", &benchmark_id]));
    let missing = tupli(&["load-benchmark", &benchmark_id]).output().unwrap();
    assert_eq!(missing.status.code(), Some(4));
    assert_eq!(ok(&mut tupli(&["logout"])), "Logged out.\n");
    let stored: Value = serde_json::from_slice(&std::fs::read(&credentials).unwrap()).unwrap();
    assert_eq!(stored, json!({"url": url().trim_end_matches('/')}));
    let whoami = tupli(&["whoami"]).output().unwrap();
    assert_eq!(whoami.status.code(), Some(3));
}

/// Credentials for CI: `login --print-token` prints a refresh token and
/// writes nothing; `TUPLI_REFRESH_TOKEN` then runs real commands (the first
/// one refreshes), again writing nothing.
#[test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
fn cli_print_token_then_refresh_token_from_the_environment() {
    let config = tempfile::tempdir().unwrap();
    let tupli = |args: &[&str]| {
        let mut command = crate::tupli_command();
        command
            .args(args)
            .env("TUPLI_CONFIG_DIR", config.path())
            .env("TUPLI_URL", url())
            .env_remove("TUPLI_REFRESH_TOKEN")
            .env_remove("TUPLI_USER")
            .env_remove("TUPLI_PASSWORD")
            .timeout(Duration::from_secs(120));
        command
    };
    let user = env_or("TUPLI_TEST_ADMIN_USER", "admin");
    let password = env_or("TUPLI_TEST_ADMIN_PASSWORD", "pytupli");
    let printed = tupli(&["login", &user, "--password-stdin", "--print-token"])
        .write_stdin(format!("{password}\n"))
        .output()
        .unwrap();
    assert!(printed.status.success(), "{printed:?}");
    assert!(printed.stderr.is_empty(), "{printed:?}");
    let stdout = String::from_utf8(printed.stdout).unwrap();
    let token = stdout.strip_suffix('\n').expect("one line");
    assert!(!token.is_empty() && !token.contains('\n'), "{stdout}");
    let nothing_written = || {
        let entries: Vec<_> = std::fs::read_dir(config.path()).unwrap().collect();
        assert!(entries.is_empty(), "{entries:?}");
    };
    nothing_written();

    // A real command with the token from the environment: a benchmark made
    // and deleted, listed in between.
    let name = unique("env token bench");
    let benchmark = tempfile::NamedTempFile::new().unwrap();
    let query = json!({
        "hash": unique("env-token-hash"),
        "serialized": json!({"env": name}).to_string(),
        "metadata": {"name": name, "description": "made with TUPLI_REFRESH_TOKEN"},
    });
    std::fs::write(benchmark.path(), query.to_string()).unwrap();
    let with_token = |args: &[&str]| {
        let output = tupli(args)
            .env("TUPLI_REFRESH_TOKEN", token)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{args:?} failed: {stderr}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(!stdout.contains(token) && !stderr.contains(token));
        stdout
    };
    let stored: Value = serde_json::from_str(&with_token(&[
        "store-benchmark",
        benchmark.path().to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    let id = stored["id"].as_str().unwrap().to_string();
    let listed = with_token(&[
        "list-benchmarks",
        "--where",
        &format!("metadata.name={name}"),
    ]);
    assert!(listed.contains(&id), "{listed}");
    with_token(&["delete-benchmark", &id, "--yes"]);
    nothing_written();

    // A token the server did not issue: exit 3, the variable named.
    let output = tupli(&["list-benchmarks"])
        .env("TUPLI_REFRESH_TOKEN", "not-a-token")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TUPLI_REFRESH_TOKEN"), "{stderr}");
    assert!(!stderr.contains("not-a-token"), "{stderr}");
    nothing_written();
}
