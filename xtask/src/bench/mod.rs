//! `cargo xtask bench`: the Rust client against pytupli's on the same bytes.
//!
//! Every client run is its own process (the release-built
//! `bench-client` of `xtask/harness`, or `xtask/bench/pytupli_client.py` in the
//! reference-server venv) reporting the CPU, wall time and peak RSS of its
//! operation; the figures are medians over `--runs`.

mod canned;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::server::{self, StartArgs};
use crate::steps::cargo;
use crate::{project_root, target_dir};

/// Sizes of one benchmark run.
struct Plan {
    episodes: usize,
    tuples_per_episode: usize,
    encode_tuples: usize,
    artifact_bytes: u64,
    e2e_episodes: usize,
    e2e_tuples: usize,
    e2e_concurrency: usize,
    e2e_python_episodes: usize,
    runs: usize,
}

impl Plan {
    fn new(quick: bool, runs: Option<usize>) -> Plan {
        let plan = if quick {
            Plan {
                episodes: 20,
                tuples_per_episode: 1800,
                encode_tuples: 10_000,
                artifact_bytes: 64 << 20,
                e2e_episodes: 16,
                e2e_tuples: 1000,
                e2e_concurrency: 16,
                e2e_python_episodes: 8,
                runs: 1,
            }
        } else {
            Plan {
                episodes: 200,
                tuples_per_episode: 1800,
                encode_tuples: 100_000,
                artifact_bytes: 1 << 30,
                e2e_episodes: 64,
                e2e_tuples: 1000,
                e2e_concurrency: 64,
                e2e_python_episodes: 32,
                runs: 3,
            }
        };
        Plan {
            runs: runs.unwrap_or(plan.runs),
            ..plan
        }
    }
}

/// One measured run, as the client reported it.
#[derive(Clone)]
struct Run {
    cpu: f64,
    wall: f64,
    rss: f64,
    count: f64,
    checksum: String,
}

fn dir() -> PathBuf {
    target_dir().join("bench")
}

pub fn run(quick: bool, runs: Option<usize>, only: &[String]) -> Result<()> {
    let wanted = |section: &str| only.is_empty() || only.iter().any(|s| s == section);
    let plan = Plan::new(quick, runs);
    std::fs::create_dir_all(dir())?;
    let python = server::ensure_venv()?;
    eprintln!("xtask bench: building the Rust client (release)…");
    let status = cargo()
        .args([
            "build",
            "--release",
            "--quiet",
            "--package",
            "tupli-harness",
        ])
        .args(["--bin", "bench-client"])
        .status()?;
    if !status.success() {
        bail!("building bench-client failed");
    }
    let rust = target_dir().join("release/bench-client");
    let py_client = project_root().join("xtask/bench/pytupli_client.py");

    let payload = payload(&python, &plan)?;
    let (artifact, block, hash) = artifact(&python, plan.artifact_bytes)?;
    let episodes = std::fs::read(&payload)?;
    let payload_bytes = episodes.len() as f64;
    let canned = canned::start(canned::Content {
        episodes,
        artifact_len: plan.artifact_bytes,
        artifact_block: block,
        artifact_hash: hash,
    })?;
    let url = canned.url.clone();
    let download = dir().join("download.bin");
    let measure = |program: &Path, args: &[&str]| -> Result<Run> {
        median(plan.runs, || client(program, args))
    };
    let py = |args: &[&str]| -> Result<Run> {
        let mut full = vec![py_client.to_str().unwrap_or_default()];
        full.extend_from_slice(args);
        median(plan.runs, || client(&python, &full))
    };

    let mut summary = serde_json::Map::new();
    summary.insert("machine".into(), json!(machine()));
    summary.insert("quick".into(), json!(quick));
    summary.insert("runs".into(), json!(plan.runs));

    if wanted("decode") {
        eprintln!("xtask bench: decode ({:.1} MB)…", payload_bytes / 1e6);
        let floor = measure(&rust, &["floor", "", payload.to_str().unwrap_or_default()])?;
        let vec = measure(&rust, &["decode-vec", &url])?;
        let stream = measure(&rust, &["decode-stream", &url])?;
        let py_decode = py(&["decode", &url])?;
        let bit_exact = vec.checksum == py_decode.checksum && stream.checksum == py_decode.checksum;
        summary.insert(
            "decode".into(),
            json!({
                "payload_bytes": payload_bytes,
                "episodes": plan.episodes,
                "tuples_per_episode": plan.tuples_per_episode,
                "floor_cpu_s": floor.cpu,
                "rust_vec": figures(&vec),
                "rust_stream": figures(&stream),
                "pytupli": figures(&py_decode),
                "bit_exact": bit_exact,
                "ratio_cpu_vec": py_decode.cpu / vec.cpu,
                "ratio_cpu_stream": py_decode.cpu / stream.cpu,
                "ratio_rss_vec": py_decode.rss / vec.rss,
                "ratio_rss_stream": py_decode.rss / stream.rss,
                "ratio_typed_to_floor": vec.cpu / floor.cpu,
                "ratio_stream_to_floor": stream.cpu / floor.cpu,
                "rss_vec_to_payload": vec.rss / payload_bytes,
            }),
        );
    }

    if wanted("encode") {
        eprintln!("xtask bench: encode ({} tuples)…", plan.encode_tuples);
        let n = plan.encode_tuples.to_string();
        let encode = measure(&rust, &["encode", &url, &n])?;
        let py_encode = py(&["encode", &url, &n])?;
        summary.insert(
            "encode".into(),
            json!({
                "tuples": plan.encode_tuples,
                "rust": figures(&encode),
                "pytupli": figures(&py_encode),
                "ratio_cpu": py_encode.cpu / encode.cpu,
                "ratio_rss": py_encode.rss / encode.rss,
            }),
        );
    }

    if wanted("artifacts") {
        eprintln!(
            "xtask bench: artifacts ({} MiB)…",
            plan.artifact_bytes >> 20
        );
        let artifact_path = artifact.to_str().unwrap_or_default();
        let download_path = download.to_str().unwrap_or_default();
        let upload = measure(&rust, &["upload", &url, artifact_path])?;
        let down = measure(&rust, &["download", &url, download_path])?;
        let py_upload = py(&["upload", &url, artifact_path])?;
        let py_down = py(&["download", &url, download_path])?;
        let _ = std::fs::remove_file(&download);
        let bytes = plan.artifact_bytes as f64;
        summary.insert(
            "artifacts".into(),
            json!({
                "bytes": plan.artifact_bytes,
                "rust_upload": figures(&upload),
                "rust_download": figures(&down),
                "pytupli_upload": figures(&py_upload),
                "pytupli_download": figures(&py_down),
                "rust_upload_gb_per_s": bytes / upload.wall / 1e9,
                "rust_download_gb_per_s": bytes / down.wall / 1e9,
                "pytupli_upload_gb_per_s": bytes / py_upload.wall / 1e9,
                "pytupli_download_gb_per_s": bytes / py_down.wall / 1e9,
                "ratio_rss_upload": py_upload.rss / upload.rss,
                "ratio_rss_download": py_down.rss / down.rss,
            }),
        );
    }

    if wanted("e2e") {
        eprintln!("xtask bench: end to end against the reference server…");
        let _stop = server::StopOnDrop("bench".into());
        let reference = server::start(&StartArgs::named("bench"))?;
        create_bench_user(&reference)?;
        let spec = format!(
            "{}:{}:{}",
            plan.e2e_episodes, plan.e2e_tuples, plan.e2e_concurrency
        );
        let e2e = measure(&rust, &["e2e", &reference, &spec])?;
        let py_spec = format!("{}:{}", plan.e2e_python_episodes, plan.e2e_tuples);
        let py_e2e = py(&["e2e", &reference, &py_spec])?;
        summary.insert(
            "end_to_end".into(),
            json!({
                "rust_episodes_per_s": e2e.count / e2e.wall,
                "rust_concurrency": plan.e2e_concurrency,
                "pytupli_episodes_per_s": py_e2e.count / py_e2e.wall,
                "ratio_throughput": (e2e.count / e2e.wall) / (py_e2e.count / py_e2e.wall),
                "tuples_per_episode": plan.e2e_tuples,
            }),
        );
    }
    let summary = Value::Object(summary);
    let out = dir().join("summary.json");
    std::fs::write(&out, serde_json::to_string_pretty(&summary)? + "\n")?;
    print_table(&summary);
    println!("\nwrote {}", out.display());
    Ok(())
}

fn figures(run: &Run) -> Value {
    json!({"cpu_s": run.cpu, "wall_s": run.wall, "peak_rss_bytes": run.rss})
}

/// Runs a client `runs` times; the median of each figure.
fn median(runs: usize, mut once: impl FnMut() -> Result<Run>) -> Result<Run> {
    let all: Vec<Run> = (0..runs.max(1)).map(|_| once()).collect::<Result<_>>()?;
    let mid = |f: fn(&Run) -> f64| {
        let mut v: Vec<f64> = all.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Ok(Run {
        cpu: mid(|r| r.cpu),
        wall: mid(|r| r.wall),
        rss: mid(|r| r.rss),
        count: mid(|r| r.count),
        checksum: all[0].checksum.clone(),
    })
}

fn client(program: &Path, args: &[&str]) -> Result<Run> {
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("run {}", program.display()))?;
    if !output.status.success() {
        bail!(
            "{} {args:?} failed: {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let line = String::from_utf8_lossy(&output.stdout);
    let v: Value = serde_json::from_str(line.lines().last().unwrap_or(""))
        .with_context(|| format!("client output: {line}"))?;
    let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
    Ok(Run {
        cpu: f("user") + f("sys"),
        wall: f("wall"),
        rss: f("peak_rss"),
        count: f("count"),
        checksum: v["checksum"].as_str().unwrap_or("").to_string(),
    })
}

/// The decode payload, made once by the same Python that serves it for real.
fn payload(python: &Path, plan: &Plan) -> Result<PathBuf> {
    let path = dir().join(format!(
        "episodes-{}x{}.json",
        plan.episodes, plan.tuples_per_episode
    ));
    if !path.exists() {
        eprintln!("xtask bench: writing {}…", path.display());
        let status = Command::new(python)
            .arg(project_root().join("xtask/bench/make_payload.py"))
            .arg(&path)
            .args([
                plan.episodes.to_string(),
                plan.tuples_per_episode.to_string(),
            ])
            .status()?;
        if !status.success() {
            bail!("make_payload.py failed");
        }
    }
    Ok(path)
}

/// The artifact file (a 1 MiB block repeated), its block, and its server hash.
fn artifact(python: &Path, bytes: u64) -> Result<(PathBuf, Vec<u8>, String)> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let block: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 56) as u8
        })
        .collect();
    let path = dir().join(format!("artifact-{}.bin", bytes));
    if std::fs::metadata(&path).map(|m| m.len()).ok() != Some(bytes) {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut left = bytes;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            file.write_all(&block[..n])?;
            left -= n as u64;
        }
        file.flush()?;
    }
    let output = Command::new(python)
        .args([
            "-c",
            "import hashlib,sys\nh=hashlib.sha256()\nwith open(sys.argv[1],'rb') as f:\n    for c in iter(lambda: f.read(1<<20), b''): h.update(c)\nh.update(b'bench')\nprint(h.hexdigest())",
        ])
        .arg(&path)
        .output()?;
    let hash = String::from_utf8(output.stdout)?.trim().to_string();
    if hash.len() != 64 {
        bail!("could not hash the artifact");
    }
    Ok((path, block, hash))
}

/// Signs up the `bench` user both clients log in as.
fn create_bench_user(url: &str) -> Result<()> {
    let body = json!({"username": "bench", "password": "bench-password"}).to_string();
    let (status, answer) = crate::http::post_json(&format!("{url}/access/users/create"), &body)?;
    if status != 200 && status != 409 {
        bail!(
            "creating the bench user: {status} {}",
            String::from_utf8_lossy(&answer)
        );
    }
    Ok(())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

fn print_table(s: &Value) {
    let mb = |v: &Value| v.as_f64().unwrap_or(0.0) / 1e6;
    let f = |v: &Value| v.as_f64().unwrap_or(0.0);
    println!("\n{}", s["machine"].as_str().unwrap_or(""));
    println!(
        "{:<34} {:>10} {:>10} {:>12}",
        "", "CPU s", "wall s", "peak RSS MB"
    );
    let row = |name: &str, v: &Value| {
        println!(
            "{name:<34} {:>10.2} {:>10.2} {:>12.0}",
            f(&v["cpu_s"]),
            f(&v["wall_s"]),
            mb(&v["peak_rss_bytes"])
        );
    };
    let d = &s["decode"];
    if !d.is_null() {
        println!("decode, {:.0} MB of episodes", mb(&d["payload_bytes"]));
        println!(
            "{:<34} {:>10.2}",
            "  floor (serde IgnoredAny)",
            f(&d["floor_cpu_s"])
        );
        row("  tupli list_episode_items", &d["rust_vec"]);
        row("  tupli stream_episodes", &d["rust_stream"]);
        row("  pytupli list_episodes", &d["pytupli"]);
        println!(
            "  pytupli/tupli CPU {:.1}× (vec) {:.1}× (stream); RSS {:.1}× / {:.1}×",
            f(&d["ratio_cpu_vec"]),
            f(&d["ratio_cpu_stream"]),
            f(&d["ratio_rss_vec"]),
            f(&d["ratio_rss_stream"]),
        );
        println!(
            "  typed/floor {:.2}; Vec RSS/payload {:.2}; bit-exact with pytupli: {}",
            f(&d["ratio_typed_to_floor"]),
            f(&d["rss_vec_to_payload"]),
            d["bit_exact"]
        );
    }
    let e = &s["encode"];
    if !e.is_null() {
        println!("encode, record_episode of {} tuples", e["tuples"]);
        row("  tupli", &e["rust"]);
        row("  pytupli", &e["pytupli"]);
        println!(
            "  pytupli/tupli CPU {:.1}×, RSS {:.1}×",
            f(&e["ratio_cpu"]),
            f(&e["ratio_rss"])
        );
    }
    let a = &s["artifacts"];
    if !a.is_null() {
        println!("artifacts, {} MiB", f(&a["bytes"]) / (1u64 << 20) as f64);
        row("  tupli upload (from file)", &a["rust_upload"]);
        row("  tupli download (to file)", &a["rust_download"]);
        row("  pytupli upload", &a["pytupli_upload"]);
        row("  pytupli download", &a["pytupli_download"]);
        println!(
            "  GB/s up/down: tupli {:.2}/{:.2}, pytupli {:.2}/{:.2}",
            f(&a["rust_upload_gb_per_s"]),
            f(&a["rust_download_gb_per_s"]),
            f(&a["pytupli_upload_gb_per_s"]),
            f(&a["pytupli_download_gb_per_s"])
        );
    }
    let x = &s["end_to_end"];
    if !x.is_null() {
        println!(
            "end to end (reference server), episodes/s: tupli {:.1} ({} concurrent), pytupli {:.1} (sequential): {:.1}×",
            f(&x["rust_episodes_per_s"]),
            x["rust_concurrency"],
            f(&x["pytupli_episodes_per_s"]),
            f(&x["ratio_throughput"])
        );
    }
}
