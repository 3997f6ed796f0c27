//! `export-episodes`: the requests a selection sends, each format written
//! whole and read back, the summary line and `--json`, `--dtype f32`, the
//! format from the extension, what nothing matched and a value that is not
//! numbers exit with, and Ctrl-C during an export or a download.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int32Type};
use arrow_array::RecordBatch;
use httpmock::Mock;
use serde_json::{json, Value};

use crate::support::*;
use crate::{parse, Cli};

/// The episodes of the fixture: benchmarks b-1 and b-2, 7 tuples in all.
fn fixture() -> Vec<DataEpisode> {
    data_episodes(&[("e-1", "b-1", 3), ("e-2", "b-2", 4)])
}

/// The arguments selecting [`fixture`]: benchmarks by difficulty, episodes
/// by length.
const SELECTION: [&str; 4] = [
    "--benchmark-where",
    "metadata.difficulty=easy",
    "--where",
    "n_tuples>=2",
];

/// The three requests of an export with [`SELECTION`], answered with `episodes`.
fn mock_selection<'a>(cli: &'a Cli, episodes: &[DataEpisode], items: Value) -> [Mock<'a>; 3] {
    let benchmarks = cli.expect(
        benchmarks_req(compare_wire("EQ", "metadata.difficulty", json!("easy"))),
        |then| json_reply(then, 200, benchmarks_json(&["b-1", "b-2"])),
    );
    let headers_reply = headers_json(episodes);
    let headers = cli.expect(
        headers_req(and_wire([
            in_wire("benchmark_id", &["b-1", "b-2"]),
            compare_wire("GEQ", "n_tuples", json!(2)),
        ])),
        |then| json_reply(then, 200, headers_reply),
    );
    let items = cli.expect(items_req(episodes), |then| json_reply(then, 200, items));
    [benchmarks, headers, items]
}

/// Asserts each mock was called `n` times, and removes them.
fn called(mocks: [Mock<'_>; 3], n: usize) {
    for mut mock in mocks {
        mock.assert_calls(n);
        mock.delete();
    }
}

/// A byte count as the tool prints it.
fn human_bytes(n: u64) -> String {
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < 3 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", ["KiB", "MiB", "GiB", "TiB"][unit])
}

/// The fixture's rows, in order: (episode, step).
fn rows(episodes: &[DataEpisode]) -> Vec<(&DataEpisode, usize)> {
    episodes
        .iter()
        .flat_map(|e| (0..e.len).map(move |t| (e, t)))
        .collect()
}

/// An `.npz` holds every array, of the right shapes and values.
fn check_npz(path: &Path, episodes: &[DataEpisode], float: &str) {
    let zip = std::fs::read(path).unwrap();
    let names: Vec<String> = zip_entries(&zip).into_iter().map(|e| e.0).collect();
    assert_eq!(
        names,
        [
            "observations.npy",
            "actions.npy",
            "next_observations.npy",
            "rewards.npy",
            "terminals.npy",
            "timeouts.npy",
            "steps.npy",
            "episode_index.npy",
            "episode_starts.npy",
            "episode_ids.npy",
            "episodes.json",
        ]
    );
    let rows = rows(episodes);
    let n = rows.len();
    let width = if float == "<f8" { 8 } else { 4 };
    let floats = |bytes: &[u8]| -> Vec<f64> {
        if width == 8 {
            f64s(bytes)
        } else {
            f32s(bytes).into_iter().map(f64::from).collect()
        }
    };
    let (header, data) = npy(&zip, "rewards.npy");
    assert!(header.contains(&format!("'descr': '{float}'")), "{header}");
    assert!(header.contains(&format!("'shape': ({n},)")), "{header}");
    assert_eq!(data.len(), n * width);
    let rewards: Vec<f64> = rows.iter().map(|(e, t)| e.reward(*t)).collect();
    assert_eq!(floats(data), rewards);
    let (header, data) = npy(&zip, "observations.npy");
    assert!(
        header.contains(&format!("'shape': ({n}, {OBS_DIM})")),
        "{header}"
    );
    let states: Vec<f64> = rows.iter().flat_map(|(e, t)| e.state(*t)).collect();
    assert_eq!(floats(data), states);
    let (header, data) = npy(&zip, "next_observations.npy");
    assert!(
        header.contains(&format!("'shape': ({n}, {OBS_DIM})")),
        "{header}"
    );
    let next: Vec<f64> = rows
        .iter()
        .flat_map(|(e, t)| e.state((*t + 1).min(e.len - 1)))
        .collect();
    assert_eq!(floats(data), next);
    let (header, data) = npy(&zip, "actions.npy");
    assert!(
        header.contains(&format!("'shape': ({n}, {ACT_DIM})")),
        "{header}"
    );
    assert_eq!(data.len(), n * ACT_DIM * width);
    let (_, data) = npy(&zip, "terminals.npy");
    let terminals: Vec<u8> = rows.iter().map(|(e, t)| u8::from(e.terminal(*t))).collect();
    assert_eq!(data, terminals);
    let (header, data) = npy(&zip, "episode_ids.npy");
    assert!(header.contains("'descr': '<U3'"), "{header}");
    assert_eq!(data.len(), episodes.len() * 3 * 4);
    let (_, size, at) = zip_entries(&zip)
        .into_iter()
        .find(|e| e.0 == "episodes.json")
        .unwrap();
    let headers: Value = serde_json::from_slice(&zip[at..at + size as usize]).unwrap();
    assert_eq!(headers, headers_json(episodes));
}

/// Arrow and Parquet hold one row per tuple, with the episode headers in
/// the metadata.
fn check_batches(batches: &[RecordBatch], episodes: &[DataEpisode], single: bool) {
    let rows = rows(episodes);
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(total, rows.len());
    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "episode_id",
            "step",
            "observations",
            "actions",
            "next_observations",
            "rewards",
            "terminals",
            "timeouts",
        ]
    );
    let mut ids = Vec::new();
    let (mut steps, mut rewards, mut states) = (Vec::new(), Vec::new(), Vec::new());
    for batch in batches {
        let column = |name: &str| batch.column_by_name(name).unwrap().clone();
        ids.extend(
            column("episode_id")
                .as_string::<i32>()
                .iter()
                .map(|s| s.unwrap().to_string()),
        );
        steps.extend(column("step").as_primitive::<Int32Type>().values().to_vec());
        let observations = column("observations");
        let observations = observations.as_fixed_size_list();
        assert_eq!(observations.value_length(), OBS_DIM as i32);
        if single {
            let f = |a: &arrow_array::ArrayRef| -> Vec<f64> {
                a.as_primitive::<Float32Type>()
                    .values()
                    .iter()
                    .map(|v| f64::from(*v))
                    .collect()
            };
            rewards.extend(f(&column("rewards")));
            states.extend(f(observations.values()));
        } else {
            let f = |a: &arrow_array::ArrayRef| -> Vec<f64> {
                a.as_primitive::<Float64Type>().values().to_vec()
            };
            rewards.extend(f(&column("rewards")));
            states.extend(f(observations.values()));
        }
    }
    let want_ids: Vec<String> = rows.iter().map(|(e, _)| e.id.clone()).collect();
    let want_steps: Vec<i32> = rows.iter().map(|(_, t)| *t as i32).collect();
    let want_rewards: Vec<f64> = rows.iter().map(|(e, t)| e.reward(*t)).collect();
    let want_states: Vec<f64> = rows.iter().flat_map(|(e, t)| e.state(*t)).collect();
    assert_eq!(
        (ids, steps, rewards, states),
        (want_ids, want_steps, want_rewards, want_states)
    );
}

fn read_arrow(path: &Path, episodes: &[DataEpisode], single: bool) {
    let file = std::fs::File::open(path).unwrap();
    let reader = arrow_ipc::reader::FileReader::try_new(file, None).unwrap();
    let metadata = reader.schema().metadata().clone();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    check_batches(&batches, episodes, single);
    let headers: Value = serde_json::from_str(&metadata["tupli.episodes"]).unwrap();
    assert_eq!(headers, headers_json(episodes));
}

fn read_parquet(path: &Path, episodes: &[DataEpisode], single: bool) {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let footer = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap();
    let episodes_json = footer
        .iter()
        .find(|kv| kv.key == "tupli.episodes")
        .and_then(|kv| kv.value.clone())
        .unwrap();
    let batches: Vec<RecordBatch> = builder.build().unwrap().map(Result::unwrap).collect();
    check_batches(&batches, episodes, single);
    let headers: Value = serde_json::from_str(&episodes_json).unwrap();
    assert_eq!(headers, headers_json(episodes));
}

#[test]
fn each_format_is_written_whole_with_the_selection_asked_for() {
    let cli = Cli::logged_in();
    let dir = tempfile::tempdir().unwrap();
    let episodes = fixture();
    let mocks = mock_selection(&cli, &episodes, items_json(&episodes));
    for (format, name) in [
        ("npz", "out.npz"),
        ("arrow", "out.arrow"),
        ("parquet", "out.parquet"),
    ] {
        let path = dir.path().join(name);
        let path_arg = path.to_str().unwrap();
        let args = [
            &["export-episodes"][..],
            &SELECTION,
            &["--file-format", format, "-o", path_arg],
        ]
        .concat();
        let run = cli.run(&args);
        let stdout = run.ok();
        // Not a terminal: no progress bar, nothing on standard error.
        assert_eq!(run.stderr, "");
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size > 0);
        assert_eq!(
            stdout,
            format!(
                "Exported 2 episodes, 7 tuples (obs_dim 3, act_dim 2), {}, to {path_arg}.\n",
                human_bytes(size)
            )
        );
        match format {
            "npz" => check_npz(&path, &episodes, "<f8"),
            "arrow" => read_arrow(&path, &episodes, false),
            _ => read_parquet(&path, &episodes, false),
        }
        // Nothing else in the folder: no temporary file left.
        let mut names = dir_names(dir.path());
        names.retain(|n| n.starts_with('.'));
        assert_eq!(names, Vec::<String>::new());

        // --json: the summary as JSON; the file is replaced.
        let json = cli.run(&[&args[..], &["--json"]].concat()).ok();
        assert_eq!(
            parse(&json),
            json!({
                "path": path_arg, "format": format, "dtype": "f64", "episodes": 2,
                "tuples": 7, "obs_dim": 3, "act_dim": 2, "bytes": size,
            })
        );
    }
    assert_eq!(
        dir_names(dir.path()),
        ["out.arrow", "out.npz", "out.parquet"]
    );
    called(mocks, 6);
    cli.done();
}

#[test]
fn dtype_f32_writes_single_floats() {
    let cli = Cli::logged_in();
    let dir = tempfile::tempdir().unwrap();
    let episodes = fixture();
    let mocks = mock_selection(&cli, &episodes, items_json(&episodes));
    for (name, check) in [
        (
            "single.npz",
            (|p, e| check_npz(p, e, "<f4")) as fn(&Path, &[DataEpisode]),
        ),
        ("single.feather", |p, e| read_arrow(p, e, true)),
        ("single.parquet", |p, e| read_parquet(p, e, true)),
    ] {
        let path = dir.path().join(name);
        let args = [
            &["export-episodes"][..],
            &SELECTION,
            &[
                "--dtype",
                "f32",
                "--output",
                path.to_str().unwrap(),
                "--json",
            ],
        ]
        .concat();
        let summary = parse(&cli.run(&args).ok());
        assert_eq!(summary["dtype"], "f32");
        check(&path, &episodes);
    }
    called(mocks, 3);
    cli.done();
}

#[test]
fn benchmark_filter_and_filter_take_json_beside_where() {
    let cli = Cli::logged_in();
    let dir = tempfile::tempdir().unwrap();
    let episodes = fixture();
    let benchmarks = cli.expect(
        benchmarks_req(and_wire([
            compare_wire("EQ", "hash", json!("h")),
            compare_wire("EQ", "metadata.name", json!("cartpole")),
        ])),
        |then| json_reply(then, 200, benchmarks_json(&["b-1"])),
    );
    let headers = cli.expect(
        headers_req(and_wire([
            in_wire("benchmark_id", &["b-1"]),
            compare_wire("EQ", "metadata.number", json!(1)),
            compare_wire("LT", "n_tuples", json!(100)),
        ])),
        |then| json_reply(then, 200, headers_json(&episodes[1..])),
    );
    let items = cli.expect(items_req(&episodes[1..]), |then| {
        json_reply(then, 200, items_json(&episodes[1..]))
    });
    let path = dir.path().join("one.parquet");
    let stdout = cli
        .run(&[
            "export-episodes",
            "--benchmark-filter",
            r#"{"type": "EQ", "key": "hash", "value": "h"}"#,
            "--benchmark-where",
            "metadata.name=cartpole",
            "--filter",
            r#"{"type": "EQ", "key": "metadata.number", "value": 1}"#,
            "--where",
            "n_tuples<100",
            "-o",
            path.to_str().unwrap(),
        ])
        .ok();
    assert!(
        stdout.starts_with("Exported 1 episode, 4 tuples (obs_dim 3, act_dim 2), "),
        "{stdout}"
    );
    read_parquet(&path, &episodes[1..], false);
    called([benchmarks, headers, items], 1);
    cli.done();
}

#[test]
fn the_format_comes_from_the_extension_unless_given() {
    let cli = Cli::logged_in();
    let dir = tempfile::tempdir().unwrap();
    let episodes = fixture();
    let mocks = mock_selection(&cli, &episodes, items_json(&episodes));
    for (name, format, magic) in [
        ("a.NPZ", None, &b"PK\x03\x04"[..]),
        ("a.ipc", None, b"ARROW1"),
        ("a.arrow", None, b"ARROW1"),
        ("a.parquet", None, b"PAR1"),
        ("a.bin", Some(("--file-format", "parquet")), b"PAR1"),
        ("b.npz", Some(("--file-format", "arrow")), b"ARROW1"),
        // The global --format names the file's format too, for this command.
        ("c.bin", Some(("--format", "npz")), b"PK\x03\x04"),
        ("d.npz", Some(("--format", "parquet")), b"PAR1"),
    ] {
        let path = dir.path().join(name);
        let mut args = [
            &["export-episodes"][..],
            &SELECTION,
            &["-o", path.to_str().unwrap()],
        ]
        .concat();
        if let Some((flag, format)) = format {
            args.extend([flag, format]);
        }
        cli.run(&args).ok();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(magic), "{name}");
        if magic != b"PK\x03\x04" {
            assert!(bytes.ends_with(magic), "{name}: the file is complete");
        }
    }
    called(mocks, 8);

    // Usage errors, before anything is sent (the catch-all would see it).
    for (args, says) in [
        (
            &["-o", "data.csv"][..],
            "cannot tell the format from the name data.csv",
        ),
        (&["-o", "data"], "give --file-format npz, arrow or parquet"),
        (
            &["--file-format", "csv", "-o", "data.npz"],
            "invalid value 'csv'",
        ),
        (
            &[
                "--format",
                "npz",
                "--file-format",
                "arrow",
                "-o",
                "data.npz",
            ],
            "--format npz and --file-format arrow disagree",
        ),
        (&["--dtype", "f16", "-o", "data.npz"], "invalid value 'f16'"),
        (&["--file-format", "npz"], "--output <FILE>"),
        (
            &["--file-format", "npz", "-o", dir.path().to_str().unwrap()],
            "is a directory",
        ),
    ] {
        let args = [&["export-episodes"][..], args].concat();
        let stderr = cli.run(&args).fails(2);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // A file format is no output format for other commands.
    let stderr = cli.run(&["list-roles", "--format", "npz"]).fails(2);
    assert!(
        stderr.contains("--format npz is a file format, for export-episodes only"),
        "{stderr}"
    );
    let missing = dir.path().join("no/such/dir/x.npz");
    let stderr = cli
        .run(&["export-episodes", "-o", missing.to_str().unwrap()])
        .fails(5);
    assert!(stderr.contains("there is no directory"), "{stderr}");

    let help = cli.run(&["--help"]).ok();
    assert!(help.contains("  export-episodes "), "{help}");
    cli.done();
}

#[test]
fn nothing_matched_exits_4_and_writes_nothing() {
    let cli = Cli::logged_in();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.npz");
    let args = [
        &["export-episodes"][..],
        &SELECTION,
        &["-o", path.to_str().unwrap()],
    ]
    .concat();
    let expected = "error: nothing matched: no episode with tuples matches the selection; no file was written\n";

    // No benchmark matches: no episode is asked for.
    let mut benchmarks = cli.expect(
        benchmarks_req(compare_wire("EQ", "metadata.difficulty", json!("easy"))),
        |then| json_reply(then, 200, json!([])),
    );
    assert_eq!(cli.run(&args).fails(4), expected);
    benchmarks.assert_calls(1);
    benchmarks.delete();

    // Benchmarks match, no episode does: no item listing.
    let [benchmarks, headers, mut items] = mock_selection(&cli, &[], json!([]));
    assert_eq!(cli.run(&args).fails(4), expected);
    items.assert_calls(0);
    items.delete();
    for mut mock in [benchmarks, headers] {
        mock.assert_calls(1);
        mock.delete();
    }
    assert_eq!(dir_names(dir.path()), Vec::<String>::new());
    cli.done();
}

#[test]
fn a_value_that_is_not_numbers_exits_5_naming_it() {
    let cli = Cli::logged_in();
    let dir = tempfile::tempdir().unwrap();
    let episodes = fixture();
    let mut ragged = items_json(&episodes);
    ragged[1]["tuples"][2]["state"] = json!([1.0, "x", 3.0]);
    let mocks = mock_selection(&cli, &episodes, ragged);
    // An earlier file stays as it was.
    let path = dir.path().join("kept.parquet");
    std::fs::write(&path, "earlier").unwrap();
    for format in ["npz", "arrow", "parquet"] {
        let args = [
            &["export-episodes"][..],
            &SELECTION,
            &["--file-format", format, "-o", path.to_str().unwrap()],
        ]
        .concat();
        assert_eq!(
            cli.run(&args).fails(5),
            "error: episode e-2, step 2: `state` [1] is text, not a number (no file was written)\n"
        );
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier");
    assert_eq!(dir_names(dir.path()), ["kept.parquet"]);
    called(mocks, 3);
    cli.done();
}

/// Ctrl-C (SIGINT) while the tool writes a file: the temporary file is
/// removed and the tool exits 130.
#[cfg(unix)]
mod interrupted {
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use super::*;

    /// A run of the tool against the raw server, logged in there.
    fn spawn(cli: &Cli, server: &RawServer, args: &[&str]) -> Child {
        cli.write_credentials(json!({
            "url": server.url(),
            "access_token": ACCESS,
            "refresh_token": REFRESH,
        }));
        Command::new(env!("CARGO_BIN_EXE_tupli"))
            .args(args)
            .env("TUPLI_CONFIG_DIR", cli.config.path())
            .env("TUPLI_URL", server.url())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Waits until `ready`, then sends SIGINT to `child`; its exit code and
    /// standard error (checked for tokens).
    fn interrupt(mut child: Child, ready: impl Fn() -> bool) -> (Option<i32>, String) {
        let start = Instant::now();
        while !ready() {
            if let Some(status) = child.try_wait().unwrap() {
                let output = child.wait_with_output().unwrap();
                panic!(
                    "the tool ended first ({status}): {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            assert!(start.elapsed() < Duration::from_secs(30), "never ready");
            std::thread::sleep(Duration::from_millis(10));
        }
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        for secret in [ACCESS, REFRESH] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{secret} shown"
            );
        }
        assert_eq!(stdout, "", "no summary");
        (output.status.code(), stderr)
    }

    /// The temporary files for `name` in `dir`.
    fn partials(dir: &Path, name: &str) -> usize {
        let prefix = format!(".{name}.tupli-partial-");
        dir_names(dir)
            .iter()
            .filter(|n| n.starts_with(&prefix))
            .count()
    }

    #[test]
    fn during_an_export() {
        let cli = Cli::logged_in();
        let episodes = data_episodes(&[("e-1", "b-1", 50), ("e-2", "b-1", 50)]);
        // The episodes stop half-way and the connection stays open.
        let server = dataset_server(&["b-1"], &episodes, |whole| half_of(whole, true));
        for name in ["x.npz", "x.arrow", "x.parquet"] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(name);
            let child = spawn(
                &cli,
                &server,
                &["export-episodes", "-o", path.to_str().unwrap()],
            );
            let (code, stderr) = interrupt(child, || partials(dir.path(), name) == 1);
            assert_eq!(code, Some(130), "{stderr}");
            assert_eq!(
                stderr,
                format!(
                    "error: interrupted: no file was written to {}\n",
                    path.display()
                )
            );
            assert_eq!(dir_names(dir.path()), Vec::<String>::new(), "{name}");
        }
        let requests = server.requests();
        assert_eq!(requests.len(), 9, "{requests:#?}");
        assert!(requests.iter().all(|r| r.bearer_is(ACCESS)));
        cli.done();
    }

    #[test]
    fn during_a_download() {
        let cli = Cli::logged_in();
        let data = vec![7u8; 100_000];
        let metadata = ascii_json(&artifact_item_json(&tupli::artifact_hash(&data, USER)));
        let server = RawServer::start(move |request| {
            if request.method == "GET" && request.path.starts_with("/artifacts/download?") {
                RawReply::Partial {
                    headers: format!(
                        "content-type: application/octet-stream\r\nx-metadata: {metadata}\r\n"
                    ),
                    announced: data.len(),
                    sent: data[..data.len() / 2].to_vec(),
                    stall: true,
                }
            } else {
                RawReply::Status(599, json!({"detail": "not expected"}))
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("weights.bin");
        let child = spawn(
            &cli,
            &server,
            &["load-artifact", ID, "-o", path.to_str().unwrap()],
        );
        let (code, stderr) = interrupt(child, || {
            partials(dir.path(), "weights.bin") == 1 && server.requests().len() == 1
        });
        assert_eq!(code, Some(130), "{stderr}");
        assert_eq!(
            stderr,
            format!(
                "error: interrupted: nothing was written to {}\n",
                path.display()
            )
        );
        assert_eq!(dir_names(dir.path()), Vec::<String>::new());
        cli.done();
    }
}
