//! `cargo xtask bench`: the Rust client against pytupli's on the same bytes,
//! and both against what the machine can do without any client logic.
//!
//! Every measured run is its own process: the release-built `bench-client`
//! of `xtask/harness`, `bench-limits` (`xtask/harness/limits`, built with
//! `-C target-cpu=native`), or `xtask/bench/pytupli_client.py` in the
//! reference-server venv. Each reports the CPU (`getrusage`, both sides),
//! wall time and peak RSS of its operation alone, counts, and a checksum of
//! the floats it decoded or sent. Within a section the programs take turns
//! (A B C A B C …, `--runs` rounds), so noise on the shared machine falls on
//! all of them; every figure is reported as min/median/max, the median of
//! each figure taken on its own (`per_run` in summary.json lists every run).
//!
//! Nothing is taken on trust: a missing field, a count that is not the
//! plan's, a checksum that differs from what the generator wrote (in any
//! run), what the canned server received, a written file that does not read
//! back: each fails the bench.

mod canned;
mod report;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};

use crate::server::{self, StartArgs};
use crate::steps::cargo;
use crate::{project_root, target_dir};
use canned::Canned;
use report::{Goal, Series, Table};

/// The sections, in the order they run.
pub const SECTIONS: [&str; 5] = ["decode", "encode", "artifacts", "e2e", "dataset"];

const MIB: f64 = (1u64 << 20) as f64;

/// Sizes of one benchmark run.
struct Plan {
    episodes: usize,
    tuples_per_episode: usize,
    encode_tuples: usize,
    artifact_bytes: u64,
    e2e_episodes: usize,
    e2e_tuples: usize,
    e2e_concurrency: usize,
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
                e2e_episodes: 8,
                e2e_tuples: 1000,
                e2e_concurrency: 4,
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
                e2e_concurrency: 16,
                runs: 3,
            }
        };
        Plan {
            runs: runs.unwrap_or(plan.runs),
            ..plan
        }
    }

    fn rows(&self) -> usize {
        self.episodes * self.tuples_per_episode
    }
}

/// One measured run, as the program reported it.
#[derive(Clone, Debug)]
pub struct Run {
    pub cpu: f64,
    pub wall: f64,
    pub rss: f64,
    pub count: f64,
    pub checksum: Option<String>,
    /// Everything the program printed.
    pub report: Value,
}

impl Run {
    /// Reads a program's report; every figure must be there.
    fn parse(report: Value) -> Result<Run> {
        let number = |k: &str| {
            report
                .get(k)
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite())
                .with_context(|| format!("the report lacks a number {k:?}: {report}"))
        };
        Ok(Run {
            cpu: number("user")? + number("sys")?,
            wall: number("wall")?,
            rss: number("peak_rss")?,
            count: number("count")?,
            checksum: report
                .get("checksum")
                .and_then(Value::as_str)
                .map(str::to_string),
            report,
        })
    }

    fn number(&self, key: &str) -> Result<f64> {
        self.report
            .get(key)
            .and_then(Value::as_f64)
            .with_context(|| format!("the report lacks a number {key:?}: {}", self.report))
    }

    fn expect_count(&self, expected: usize, what: &str) -> Result<()> {
        ensure!(
            self.count == expected as f64,
            "{what}: {} where the plan has {expected}",
            self.count
        );
        Ok(())
    }

    fn expect_number(&self, key: &str, expected: usize, what: &str) -> Result<()> {
        let got = self.number(key)?;
        ensure!(
            got == expected as f64,
            "{what}: {key} {got} where the plan has {expected}"
        );
        Ok(())
    }

    fn expect_checksum(&self, expected: &str, what: &str) -> Result<()> {
        match &self.checksum {
            Some(c) if c == expected => Ok(()),
            other => bail!("{what}: checksum {other:?}, expected {expected} (not bit-exact)"),
        }
    }
}

/// The programs a run starts.
struct Programs {
    rust: PathBuf,
    limits: PathBuf,
    python: PathBuf,
    py_client: PathBuf,
    /// Where `perf record` puts a profile of each Rust client run, if asked.
    profile: Option<PathBuf>,
    /// Rust client runs so far (numbers the profiles).
    rust_runs: std::cell::Cell<usize>,
}

impl Programs {
    fn rust(&self, args: &[&str]) -> Result<Run> {
        let Some(dir) = &self.profile else {
            return client(&self.rust, args);
        };
        let n = self.rust_runs.get() + 1;
        self.rust_runs.set(n);
        let data = dir.join(profile_name(args, n));
        let mut full = vec![
            "record",
            "-g",
            "--quiet",
            "-o",
            path_str(&data)?,
            "--",
            path_str(&self.rust)?,
        ];
        full.extend_from_slice(args);
        let run = client(Path::new("perf"), &full)?;
        eprintln!("xtask bench: profile in {}", data.display());
        Ok(run)
    }

    fn limits(&self, args: &[&str]) -> Result<Run> {
        client(&self.limits, args)
    }

    fn py(&self, args: &[&str]) -> Result<Run> {
        let mut full = vec![path_str(&self.py_client)?];
        full.extend_from_slice(args);
        client(&self.python, &full)
    }

    /// A check in Python (no measurement): the count and the checksum it
    /// printed.
    fn py_check(&self, args: &[&str]) -> Result<(usize, String)> {
        let mut full = vec![path_str(&self.py_client)?];
        full.extend_from_slice(args);
        let report = output(&self.python, &full)?;
        let count = report["count"].as_u64();
        let checksum = report["checksum"].as_str();
        match (count, checksum) {
            (Some(count), Some(checksum)) => Ok((count as usize, checksum.to_string())),
            _ => bail!("{full:?} printed no count or checksum: {report}"),
        }
    }

    /// The sha256 of a file (through `bench-client sha256`).
    fn sha256(&self, path: &Path) -> Result<String> {
        self.rust(&["sha256", path_str(path)?])?
            .checksum
            .context("sha256: no digest")
    }
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("not UTF-8: {}", path.display()))
}

fn dir() -> PathBuf {
    target_dir().join("bench")
}

pub fn run(
    quick: bool,
    runs: Option<usize>,
    only: &[String],
    profile: Option<PathBuf>,
) -> Result<()> {
    for section in only {
        ensure!(
            SECTIONS.contains(&section.as_str()),
            "unknown section {section:?}; the sections are {}",
            SECTIONS.join(", ")
        );
    }
    let wanted = |section: &str| only.is_empty() || only.iter().any(|s| s == section);
    let plan = Plan::new(quick, runs);
    ensure!(plan.runs >= 1, "--runs must be at least 1");
    std::fs::create_dir_all(dir())?;
    let python = server::ensure_venv()?;
    let mut programs = build(python)?;
    if let Some(dir) = profile {
        let found = Command::new("perf").arg("--version").output();
        ensure!(
            found.is_ok_and(|o| o.status.success()),
            "--profile needs `perf` on the PATH"
        );
        std::fs::create_dir_all(&dir)?;
        programs.profile = Some(dir);
    }

    let payload = if wanted("decode") || wanted("dataset") {
        Some(episodes_payload(&programs, &plan)?)
    } else {
        None
    };
    let (artifact_file, block, artifact_hash) = if wanted("artifacts") {
        let (path, block, hash) = artifact(&programs.python, plan.artifact_bytes)?;
        (Some(path), block, hash)
    } else {
        (None, Vec::new(), String::new())
    };
    let canned = canned::start(canned::Content {
        episodes: match &payload {
            Some(p) => std::fs::read(&p.items)?,
            None => Vec::new(),
        },
        headers: match &payload {
            Some(p) => std::fs::read(&p.headers)?,
            None => Vec::new(),
        },
        artifact_len: if artifact_file.is_some() {
            plan.artifact_bytes
        } else {
            0
        },
        artifact_block: block,
        artifact_hash: artifact_hash.clone(),
    })?;

    let mut table = Table::default();
    let mut goals: Vec<Goal> = Vec::new();
    let mut summary = serde_json::Map::new();
    summary.insert("machine".into(), json!(machine()));
    summary.insert("quick".into(), json!(quick));
    summary.insert("runs".into(), json!(plan.runs));
    summary.insert(
        "method".into(),
        json!(
            "each program a process of its own, taking turns within a section (A B C A B C …); \
             CPU = user + sys from getrusage, read before any checksum; every figure is \
             min/median/max over the runs, the median of each figure taken on its own \
             (per_run lists every run); ratio_* fields divide medians"
        ),
    );

    let ctx = Ctx {
        plan: &plan,
        programs: &programs,
        canned: &canned,
    };
    eprintln!("xtask bench: baselines (log in, nothing else)…");
    let baseline = report::interleave(
        plan.runs,
        vec![
            ("tupli: log in only".into(), ctx.step(|c| c.rust_baseline())),
            (
                "pytupli: interpreter, imports, log in".into(),
                ctx.step(|c| c.py_baseline()),
            ),
        ],
    )?;
    let (rust_base, py_base) = (&baseline[0], &baseline[1]);
    table.section("baseline RSS: the process before any operation (subtracted for net RSS)");
    table.baseline(rust_base);
    table.baseline(py_base);
    summary.insert(
        "baseline".into(),
        json!({"tupli": rust_base.json(), "pytupli": py_base.json()}),
    );
    let bases = Bases {
        rust: rust_base.rss().median,
        py: py_base.rss().median,
    };

    if let (true, Some(payload)) = (wanted("decode"), &payload) {
        let value = decode(&ctx, payload, &bases, &mut table, &mut goals)?;
        summary.insert("decode".into(), value);
    }
    if wanted("encode") {
        let value = encode(&ctx, &bases, &mut table, &mut goals)?;
        summary.insert("encode".into(), value);
    }
    if let (true, Some(file)) = (wanted("artifacts"), &artifact_file) {
        let value = artifacts(&ctx, file, &artifact_hash, &bases, &mut table, &mut goals)?;
        summary.insert("artifacts".into(), value);
    }
    if wanted("e2e") {
        let value = end_to_end(&ctx, &mut table)?;
        summary.insert("end_to_end".into(), value);
    }
    if let (true, Some(payload)) = (wanted("dataset"), &payload) {
        let value = dataset(&ctx, payload, &bases, &mut table, &mut goals)?;
        summary.insert("dataset".into(), value);
    }
    summary.insert(
        "goals".into(),
        Value::Array(goals.iter().map(Goal::json).collect()),
    );

    let summary = Value::Object(summary);
    let out = dir().join("summary.json");
    std::fs::write(&out, serde_json::to_string_pretty(&summary)? + "\n")?;
    println!("\n{}", machine());
    print!("{}", table.render(plan.runs));
    println!("{}", report::render_goals(&goals));
    println!("wrote {}", out.display());
    Ok(())
}

/// Median peak RSS of each side's baseline process.
struct Bases {
    rust: f64,
    py: f64,
}

/// What every section uses.
struct Ctx<'a> {
    plan: &'a Plan,
    programs: &'a Programs,
    canned: &'a Canned,
}

impl<'a> Ctx<'a> {
    fn step(&'a self, f: impl Fn(&Self) -> Result<Run> + 'a) -> report::Step<'a> {
        Box::new(move || f(self))
    }

    fn url(&self) -> &str {
        &self.canned.url
    }

    /// The canned server's requests since the last call, but logging in,
    /// spelled `route` or `route tuples|headers`.
    fn requests(&self) -> Vec<canned::Request> {
        self.canned
            .take_log()
            .into_iter()
            .filter(|r| !r.route.starts_with("/access/"))
            .collect()
    }

    fn expect_routes(&self, expected: &[&str], what: &str) -> Result<Vec<canned::Request>> {
        let log = self.requests();
        let got: Vec<String> = log
            .iter()
            .map(|r| match r.include_tuples {
                Some(true) => format!("{} tuples", r.route),
                Some(false) => format!("{} headers", r.route),
                None => r.route.clone(),
            })
            .collect();
        ensure!(
            got == expected,
            "{what}: the canned server was asked {got:?}, expected {expected:?}"
        );
        Ok(log)
    }

    fn rust_baseline(&self) -> Result<Run> {
        let run = self.programs.rust(&["baseline", self.url()])?;
        self.requests();
        Ok(run)
    }

    fn py_baseline(&self) -> Result<Run> {
        let run = self.programs.py(&["baseline", self.url()])?;
        self.requests();
        Ok(run)
    }
}

/// Builds bench-client (as users build the client) and bench-limits (for
/// this CPU).
fn build(python: PathBuf) -> Result<Programs> {
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
    ensure!(status.success(), "building bench-client failed");
    eprintln!("xtask bench: building the parse limits (release, target-cpu=native)…");
    let limits_dir = target_dir().join("bench-limits");
    let status = cargo()
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(project_root().join("xtask/harness/limits/Cargo.toml"))
        .arg("--target-dir")
        .arg(&limits_dir)
        .env("RUSTFLAGS", "-C target-cpu=native")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()?;
    ensure!(status.success(), "building bench-limits failed");
    Ok(Programs {
        rust: target_dir().join("release/bench-client"),
        limits: limits_dir.join("release/bench-limits"),
        python,
        py_client: project_root().join("xtask/bench/pytupli_client.py"),
        profile: None,
        rust_runs: std::cell::Cell::new(0),
    })
}

/// The file name of the `n`th Rust client run's profile: its mode, and for
/// an export the format, e.g. `3-dataset-export-parquet.data`.
fn profile_name(args: &[&str], n: usize) -> String {
    let mut name = format!("{n}");
    let words = args
        .iter()
        .enumerate()
        // The URL and file arguments say nothing a reader needs.
        .filter(|(i, a)| *i == 0 || !(a.contains('/') || a.contains(':')))
        .map(|(_, a)| *a);
    for word in words {
        name.push('-');
        name.extend(word.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        }));
    }
    name + ".data"
}

fn client(program: &Path, args: &[&str]) -> Result<Run> {
    Run::parse(output(program, args)?).with_context(|| format!("{} {args:?}", program.display()))
}

/// What a program printed last: one JSON line.
fn output(program: &Path, args: &[&str]) -> Result<Value> {
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
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or("");
    serde_json::from_str(line)
        .with_context(|| format!("{} {args:?} printed {text:?}", program.display()))
}

/// What `make_payload.py` wrote beside its files.
struct Meta {
    checksum: String,
    tuples: usize,
}

/// Runs `make_payload.py ARGS` unless its files are there, made by this
/// generator with these arguments, with the content it recorded; checks
/// them again after making them.
fn generated(programs: &Programs, args: &[String], first: &Path) -> Result<Meta> {
    let meta_path = PathBuf::from(format!("{}.meta.json", first.display()));
    let generator = project_root().join("xtask/bench/make_payload.py");
    let generator_sha = programs.sha256(&generator)?;
    let check = || -> Result<Meta> {
        let text = std::fs::read_to_string(&meta_path)
            .with_context(|| format!("read {}", meta_path.display()))?;
        let meta: Value = serde_json::from_str(&text)?;
        ensure!(
            meta["generator_sha256"].as_str() == Some(generator_sha.as_str()),
            "made by another version of make_payload.py"
        );
        let recorded: Vec<&str> = meta["args"]
            .as_array()
            .context("no args")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        ensure!(
            recorded == args.iter().map(String::as_str).collect::<Vec<_>>(),
            "made with other arguments: {recorded:?}"
        );
        let files = meta["files"].as_object().context("no files")?;
        ensure!(!files.is_empty(), "no files");
        for (path, expected) in files {
            let path = Path::new(path);
            let len = std::fs::metadata(path)
                .with_context(|| format!("{} is missing", path.display()))?
                .len();
            ensure!(
                Some(len) == expected["bytes"].as_u64(),
                "{} has {len} bytes, not {}",
                path.display(),
                expected["bytes"]
            );
            let sha = programs.sha256(path)?;
            ensure!(
                Some(sha.as_str()) == expected["sha256"].as_str(),
                "{} is not what was generated (sha256 {sha})",
                path.display()
            );
        }
        Ok(Meta {
            checksum: meta["checksum"]
                .as_str()
                .context("no checksum")?
                .to_string(),
            tuples: meta["tuples"].as_u64().context("no tuples")? as usize,
        })
    };
    match check() {
        Ok(meta) => return Ok(meta),
        Err(why) if meta_path.exists() => {
            eprintln!("xtask bench: regenerating {}: {why:#}", first.display())
        }
        Err(_) => eprintln!("xtask bench: writing {}…", first.display()),
    }
    let status = Command::new(&programs.python)
        .arg(&generator)
        .args(args)
        .status()?;
    ensure!(status.success(), "make_payload.py {args:?} failed");
    check().with_context(|| format!("{} right after making it", first.display()))
}

/// The decode and dataset payload: the episodes with tuples, and their headers.
struct Payload {
    items: PathBuf,
    headers: PathBuf,
    bytes: u64,
    meta: Meta,
}

fn episodes_payload(programs: &Programs, plan: &Plan) -> Result<Payload> {
    let name = format!("{}x{}", plan.episodes, plan.tuples_per_episode);
    let items = dir().join(format!("episodes-{name}.json"));
    let headers = dir().join(format!("headers-{name}.json"));
    let args = vec![
        "episodes".to_string(),
        path_str(&items)?.to_string(),
        path_str(&headers)?.to_string(),
        plan.episodes.to_string(),
        plan.tuples_per_episode.to_string(),
    ];
    let meta = generated(programs, &args, &items)?;
    ensure!(
        meta.tuples == plan.rows(),
        "the payload has {} tuples",
        meta.tuples
    );
    Ok(Payload {
        bytes: std::fs::metadata(&items)?.len(),
        items,
        headers,
        meta,
    })
}

/// One episode to record, the same bytes for both clients.
fn episode_file(programs: &Programs, tuples: usize, seed: u64) -> Result<(PathBuf, Meta)> {
    let path = dir().join(format!("episode-{tuples}-{seed}.json"));
    let args = vec![
        "episode".to_string(),
        path_str(&path)?.to_string(),
        tuples.to_string(),
        seed.to_string(),
    ];
    let meta = generated(programs, &args, &path)?;
    ensure!(
        meta.tuples == tuples,
        "the episode has {} tuples",
        meta.tuples
    );
    Ok((path, meta))
}

/// The artifact file (a 1 MiB block repeated, checked byte for byte), its
/// block, and its server hash.
fn artifact(python: &Path, bytes: u64) -> Result<(PathBuf, Vec<u8>, String)> {
    use std::io::{Read, Write};
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let block: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 56) as u8
        })
        .collect();
    let path = dir().join(format!("artifact-{bytes}.bin"));
    let matches = || -> Result<bool> {
        let Ok(file) = std::fs::File::open(&path) else {
            return Ok(false);
        };
        if file.metadata()?.len() != bytes {
            return Ok(false);
        }
        let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
        let mut chunk = vec![0u8; block.len()];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            reader.read_exact(&mut chunk[..n])?;
            if chunk[..n] != block[..n] {
                return Ok(false);
            }
            left -= n as u64;
        }
        Ok(true)
    };
    if !matches()? {
        eprintln!("xtask bench: writing {}…", path.display());
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut left = bytes;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            file.write_all(&block[..n])?;
            left -= n as u64;
        }
        file.flush()?;
        ensure!(matches()?, "{} does not read back", path.display());
    }
    let output = Command::new(python)
        .args([
            "-c",
            "import hashlib,sys\nh=hashlib.sha256()\nwith open(sys.argv[1],'rb') as f:\n    for c in iter(lambda: f.read(1<<20), b''): h.update(c)\nh.update(b'bench')\nprint(h.hexdigest())",
        ])
        .arg(&path)
        .output()?;
    let hash = String::from_utf8(output.stdout)?.trim().to_string();
    ensure!(hash.len() == 64, "could not hash the artifact");
    Ok((path, block, hash))
}

fn ratio(a: f64, b: f64) -> f64 {
    a / b
}

fn decode(
    ctx: &Ctx,
    payload: &Payload,
    bases: &Bases,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<Value> {
    let plan = ctx.plan;
    eprintln!(
        "xtask bench: decode ({:.1} MB)…",
        payload.bytes as f64 / 1e6
    );
    let file = path_str(&payload.items)?;
    let expected = payload.meta.checksum.as_str();
    let (episodes, rows) = (plan.episodes, plan.rows());
    let listed = |run: &Run, what: &str| -> Result<()> {
        run.expect_count(episodes, what)?;
        run.expect_number("tuples", rows, what)?;
        run.expect_checksum(expected, what)?;
        ctx.expect_routes(&["/episodes/list tuples"], what)?;
        Ok(())
    };
    // Scans over the whole body count its bytes; the others, what they found.
    let whole = |run: Run, what: &str| -> Result<Run> {
        run.expect_count(payload.bytes as usize, what)?;
        Ok(run)
    };
    let found = |run: Run, what: &str| -> Result<Run> {
        ensure!(run.count > 0.0, "{what}: found nothing");
        Ok(run)
    };
    let series = report::interleave(
        plan.runs,
        vec![
            (
                "tupli list_episode_items (every episode kept)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["decode-vec", c.url()])?;
                    listed(&run, "tupli list_episode_items")?;
                    Ok(run)
                }),
            ),
            (
                "pytupli list_episodes(include_tuples=True)".into(),
                ctx.step(|c| {
                    let run = c.programs.py(&["decode", c.url()])?;
                    listed(&run, "pytupli list_episodes")?;
                    Ok(run)
                }),
            ),
            (
                "tupli stream_episodes (keeps none; capability)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["decode-stream", c.url()])?;
                    listed(&run, "tupli stream_episodes")?;
                    Ok(run)
                }),
            ),
            (
                "limit: loopback, reqwest reads, discards (bytes)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["loopback-episodes", c.url()])?;
                    c.expect_routes(&["/episodes/list tuples"], "loopback")?;
                    whole(run, "loopback bytes")
                }),
            ),
            (
                "limit: serde_json IgnoredAny (bytes)".into(),
                ctx.step(|c| whole(c.programs.rust(&["floor", file])?, "serde bytes")),
            ),
            (
                "limit: sonic-rs skip, SIMD (bytes)".into(),
                ctx.step(|c| whole(c.programs.limits(&["sonic-skip", file])?, "sonic bytes")),
            ),
            (
                "limit: simd-json tape, numbers parsed".into(),
                ctx.step(|c| found(c.programs.limits(&["simd-json-tape", file])?, "simd-json")),
            ),
            (
                "limit: memchr one byte (memory bandwidth)".into(),
                ctx.step(|c| found(c.programs.limits(&["memchr", file])?, "memchr")),
            ),
        ],
    )?;
    let [vec, py, stream, loopback, serde_skip, sonic, simd_tape, memchr] = &series[..] else {
        bail!("decode: {} series", series.len());
    };
    let parse_limit = serde_skip.cpu().median.min(sonic.cpu().median);
    let ratio_cpu_list = ratio(py.cpu().median, vec.cpu().median);
    let list_to_parse = ratio(vec.cpu().median, parse_limit);
    table.section(&format!(
        "decode: {episodes} episodes × {} tuples, {:.1} MB of JSON, all in one answer",
        plan.tuples_per_episode,
        payload.bytes as f64 / 1e6
    ));
    table.row(vec, Some(bases.rust));
    table.row(py, Some(bases.py));
    table.row(stream, Some(bases.rust));
    for limit in [loopback, serde_skip, sonic, simd_tape, memchr] {
        table.row(limit, None);
    }
    table.note(&format!(
        "pytupli/tupli list CPU {:.1}×, RSS {:.1}× (net of baselines {:.1}×); list CPU = {:.2}× the parse limit ({:.3} s, the faster skip); list wall = {:.2}× loopback",
        ratio_cpu_list,
        ratio(py.rss().median, vec.rss().median),
        ratio(py.rss().median - bases.py, vec.rss().median - bases.rust),
        list_to_parse,
        parse_limit,
        ratio(vec.wall().median, loopback.wall().median),
    ));
    table.note(&format!(
        "a client at the parse limit would be {:.1}× pytupli's CPU",
        ratio(py.cpu().median, parse_limit)
    ));
    table.note(&format!(
        "stream (a capability, no pytupli counterpart): CPU {:.2}× the parse limit, peak RSS {:.0} MB; bit-exact with the generator in every run: yes",
        ratio(stream.cpu().median, parse_limit),
        stream.rss().median / 1e6
    ));
    goals.push(Goal::at_least(
        "decode: pytupli CPU / tupli list_episode_items CPU",
        ratio_cpu_list,
        20.0,
    ));
    goals.push(Goal::at_most(
        "decode: tupli list_episode_items CPU / parse limit",
        list_to_parse,
        2.0,
    ));
    Ok(json!({
        "payload_bytes": payload.bytes,
        "episodes": episodes,
        "tuples_per_episode": plan.tuples_per_episode,
        "checksum": expected,
        "bit_exact": true,
        "tupli_list_episode_items": vec.json(),
        "pytupli_list_episodes": py.json(),
        "tupli_stream_episodes_capability": stream.json(),
        "limits": {
            "loopback": loopback.json(),
            "serde_ignored_any": serde_skip.json(),
            "sonic_rs_skip": sonic.json(),
            "simd_json_tape": simd_tape.json(),
            "memchr": memchr.json(),
            "parse_limit_cpu_s": parse_limit,
        },
        "ratio_cpu_list": ratio_cpu_list,
        "ratio_rss_list": ratio(py.rss().median, vec.rss().median),
        "ratio_rss_net_list": ratio(py.rss().median - bases.py, vec.rss().median - bases.rust),
        "ratio_list_cpu_to_parse_limit": list_to_parse,
        "ratio_list_cpu_to_serde_skip": ratio(vec.cpu().median, serde_skip.cpu().median),
        "ratio_list_cpu_to_sonic_skip": ratio(vec.cpu().median, sonic.cpu().median),
        "ratio_list_wall_to_loopback": ratio(vec.wall().median, loopback.wall().median),
        "ratio_stream_cpu_to_parse_limit": ratio(stream.cpu().median, parse_limit),
        "ratio_cpu_list_at_parse_limit": ratio(py.cpu().median, parse_limit),
        "rss_list_to_payload": vec.rss().median / payload.bytes as f64,
    }))
}

fn encode(ctx: &Ctx, bases: &Bases, table: &mut Table, goals: &mut Vec<Goal>) -> Result<Value> {
    let plan = ctx.plan;
    eprintln!("xtask bench: encode ({} tuples)…", plan.encode_tuples);
    let (file, meta) = episode_file(ctx.programs, plan.encode_tuples, 1)?;
    let expected = canned::episode_floats(&std::fs::read(&file)?)?;
    let file = path_str(&file)?;
    let sent_by_tupli = dir().join("encode-sent-by-tupli.json");
    let received = |run: &Run, what: &str| -> Result<()> {
        run.expect_count(plan.encode_tuples, &format!("{what}: n_tuples answered"))?;
        run.expect_checksum(&meta.checksum, &format!("{what} loading the episode"))?;
        let log = ctx.expect_routes(&["/episodes/record"], what)?;
        let got = log[0].record.as_ref().context("no record")?;
        ensure!(
            *got == expected,
            "{what} sent other floats than the file's: {got:?}, expected {expected:?}"
        );
        Ok(())
    };
    let series = report::interleave(
        plan.runs,
        vec![
            (
                "tupli record_episode".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["encode", c.url(), file])?;
                    received(&run, "tupli record_episode")?;
                    // What tupli sent, read back as the Python server reads it.
                    std::fs::write(&sent_by_tupli, c.canned.last_record())?;
                    let (tuples, checksum) = c
                        .programs
                        .py_check(&["readback", path_str(&sent_by_tupli)?])
                        .context("reading back what tupli sent")?;
                    ensure!(
                        tuples == plan.encode_tuples && checksum == meta.checksum,
                        "Python read {tuples} tuples with checksum {checksum} from what tupli \
                         sent; expected {} with {}",
                        plan.encode_tuples,
                        meta.checksum
                    );
                    Ok(run)
                }),
            ),
            (
                "pytupli record_episode".into(),
                ctx.step(|c| {
                    let run = c.programs.py(&["encode", c.url(), file])?;
                    received(&run, "pytupli record_episode")?;
                    Ok(run)
                }),
            ),
            (
                "limit: serde_json formats the float arrays".into(),
                ctx.step(|c| c.programs.rust(&["format", file])),
            ),
        ],
    )?;
    let [rust, py, format] = &series[..] else {
        bail!("encode: {} series", series.len());
    };
    let ratio_cpu = ratio(py.cpu().median, rust.cpu().median);
    table.section(&format!(
        "encode: record_episode of one episode of {} tuples (the same file, loaded untimed)",
        plan.encode_tuples
    ));
    table.row(rust, Some(bases.rust));
    table.row(py, Some(bases.py));
    table.row(format, None);
    table.note(&format!(
        "pytupli/tupli CPU {ratio_cpu:.1}×; tupli CPU = {:.2}× the formatting limit; the server parsed {} tuples with the file's floats from both; Python read tupli's body back bit-exactly",
        ratio(rust.cpu().median, format.cpu().median),
        expected.tuples
    ));
    table.note(&format!(
        "a client at the formatting limit would be {:.1}× pytupli's CPU",
        ratio(py.cpu().median, format.cpu().median)
    ));
    goals.push(Goal::at_least(
        "encode: pytupli CPU / tupli record_episode CPU",
        ratio_cpu,
        30.0,
    ));
    Ok(json!({
        "tuples": plan.encode_tuples,
        "checksum": meta.checksum,
        "server_received": {"tuples": expected.tuples, "floats": expected.floats, "hash": expected.hex()},
        "bit_exact": true,
        "tupli": rust.json(),
        "pytupli": py.json(),
        "limits": {"serde_json_format": format.json()},
        "ratio_cpu": ratio_cpu,
        "ratio_rss": ratio(py.rss().median, rust.rss().median),
        "ratio_rss_net": ratio(py.rss().median - bases.py, rust.rss().median - bases.rust),
        "ratio_cpu_to_format_limit": ratio(rust.cpu().median, format.cpu().median),
        "ratio_cpu_at_format_limit": ratio(py.cpu().median, format.cpu().median),
    }))
}

fn artifacts(
    ctx: &Ctx,
    file: &Path,
    hash: &str,
    bases: &Bases,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<Value> {
    let plan = ctx.plan;
    let bytes = plan.artifact_bytes;
    eprintln!("xtask bench: artifacts ({} MiB)…", bytes >> 20);
    let artifact = path_str(file)?;
    let download = dir().join("download.bin");
    let download_path = path_str(&download)?;
    let uploaded = |run: &Run, what: &str, exact: bool| -> Result<()> {
        run.expect_count(bytes as usize, what)?;
        let log = ctx.expect_routes(&["/artifacts/upload"], what)?;
        let got = log[0].upload_bytes.context("no upload")?;
        // Multipart framing around the file.
        let framing = if exact { 0 } else { 64 << 10 };
        ensure!(
            got >= bytes && got <= bytes + framing,
            "{what}: the server received {got} bytes for a {bytes}-byte artifact"
        );
        Ok(())
    };
    let downloaded = |run: &Run, what: &str| -> Result<()> {
        run.expect_count(bytes as usize, what)?;
        ctx.expect_routes(&["/artifacts/download"], what)?;
        if std::fs::metadata(&download).is_ok() {
            let len = std::fs::metadata(&download)?.len();
            ensure!(len == bytes, "{what}: wrote {len} bytes");
            std::fs::remove_file(&download)?;
        }
        Ok(())
    };
    let series = report::interleave(
        plan.runs,
        vec![
            (
                "tupli store_artifact_from_path (hashes)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["upload", c.url(), artifact])?;
                    uploaded(&run, "tupli upload", false)?;
                    run.expect_checksum(hash, "tupli upload")?;
                    Ok(run)
                }),
            ),
            (
                "pytupli store_artifact (file read before)".into(),
                ctx.step(|c| {
                    let run = c.programs.py(&["upload", c.url(), artifact])?;
                    uploaded(&run, "pytupli upload", false)?;
                    Ok(run)
                }),
            ),
            (
                "tupli download_artifact_to_path (verifies)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["download", c.url(), download_path])?;
                    downloaded(&run, "tupli download")?;
                    run.expect_checksum(hash, "tupli download")?;
                    Ok(run)
                }),
            ),
            (
                "pytupli load_artifact, then write".into(),
                ctx.step(|c| {
                    let run = c.programs.py(&["download", c.url(), download_path])?;
                    downloaded(&run, "pytupli download")?;
                    Ok(run)
                }),
            ),
            (
                "limit: loopback upload, reqwest from memory".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["loopback-upload", c.url(), artifact])?;
                    uploaded(&run, "loopback upload", true)?;
                    Ok(run)
                }),
            ),
            (
                "limit: loopback download, reqwest discards".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["loopback-download", c.url()])?;
                    downloaded(&run, "loopback download")?;
                    Ok(run)
                }),
            ),
            (
                "limit: sha256 of the file (read + hash)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["sha256", artifact])?;
                    run.expect_count(bytes as usize, "sha256")?;
                    Ok(run)
                }),
            ),
        ],
    )?;
    let [up, py_up, down, py_down, loop_up, loop_down, sha] = &series[..] else {
        bail!("artifacts: {} series", series.len());
    };
    let gbps = |s: &Series| bytes as f64 / s.wall().median / 1e9;
    let share = |s: &Series, limit: &Series| ratio(limit.wall().median, s.wall().median);
    table.section(&format!(
        "artifacts: {} MiB each way (GB/s from the median wall time)",
        bytes >> 20
    ));
    for (s, base) in [
        (up, bases.rust),
        (py_up, bases.py),
        (down, bases.rust),
        (py_down, bases.py),
    ] {
        table.row(s, Some(base));
    }
    for s in [loop_up, loop_down, sha] {
        table.row(s, None);
    }
    table.note(&format!(
        "GB/s up/down: tupli {:.2}/{:.2}, pytupli {:.2}/{:.2}; limits: loopback {:.2}/{:.2}, sha256 {:.2}",
        gbps(up),
        gbps(down),
        gbps(py_up),
        gbps(py_down),
        gbps(loop_up),
        gbps(loop_down),
        gbps(sha)
    ));
    table.note(&format!(
        "tupli reaches {:.0}% (up) and {:.0}% (down) of the loopback limit, {:.0}%/{:.0}% of the sha256 limit",
        100.0 * share(up, loop_up),
        100.0 * share(down, loop_down),
        100.0 * share(up, sha),
        100.0 * share(down, sha)
    ));
    for (name, s, limit) in [("upload", up, loop_up), ("download", down, loop_down)] {
        goals.push(Goal::either(
            &format!("artifacts: tupli {name} GB/s (wall) ≥ 1, or share of loopback ≥ 80%"),
            gbps(s),
            1.0,
            share(s, limit),
            0.8,
        ));
        goals.push(Goal::at_most(
            &format!("artifacts: tupli {name} peak RSS MiB"),
            s.rss().median / MIB,
            64.0,
        ));
    }
    Ok(json!({
        "bytes": bytes,
        "tupli_upload": up.json(),
        "tupli_download": down.json(),
        "pytupli_upload": py_up.json(),
        "pytupli_download": py_down.json(),
        "limits": {
            "loopback_upload": loop_up.json(),
            "loopback_download": loop_down.json(),
            "sha256": sha.json(),
        },
        "tupli_upload_gb_per_s": gbps(up),
        "tupli_download_gb_per_s": gbps(down),
        "pytupli_upload_gb_per_s": gbps(py_up),
        "pytupli_download_gb_per_s": gbps(py_down),
        "loopback_upload_gb_per_s": gbps(loop_up),
        "loopback_download_gb_per_s": gbps(loop_down),
        "sha256_gb_per_s": gbps(sha),
        "ratio_upload_to_loopback": share(up, loop_up),
        "ratio_download_to_loopback": share(down, loop_down),
        "ratio_upload_to_sha256": share(up, sha),
        "ratio_download_to_sha256": share(down, sha),
        "ratio_rss_upload": ratio(py_up.rss().median, up.rss().median),
        "ratio_rss_download": ratio(py_down.rss().median, down.rss().median),
        "ratio_rss_net_upload": ratio(py_up.rss().median - bases.py, up.rss().median - bases.rust),
        "ratio_rss_net_download": ratio(py_down.rss().median - bases.py, down.rss().median - bases.rust),
    }))
}

fn end_to_end(ctx: &Ctx, table: &mut Table) -> Result<Value> {
    let plan = ctx.plan;
    let (episodes, tuples, concurrency) =
        (plan.e2e_episodes, plan.e2e_tuples, plan.e2e_concurrency);
    eprintln!("xtask bench: end to end against the reference server…");
    let (file, meta) = episode_file(ctx.programs, tuples, 2)?;
    let _stop = server::StopOnDrop("bench".into());
    let reference = server::start(&StartArgs::named("bench"))?;
    create_bench_user(&reference)?;
    let spec = |c: usize| -> Result<String> { Ok(format!("{}:{episodes}:{c}", path_str(&file)?)) };
    let (sequential, parallel) = (spec(1)?, spec(concurrency)?);
    let recorded = |run: &Run, what: &str| -> Result<()> {
        run.expect_count(episodes, what)?;
        run.expect_number("tuples", episodes * tuples, what)?;
        run.expect_checksum(&meta.checksum, what)?;
        Ok(())
    };
    let reference = reference.as_str();
    let programs = ctx.programs;
    let step = |rust: bool, spec: &str, what: &'static str| -> report::Step<'_> {
        let spec = spec.to_string();
        Box::new(move || {
            let args = ["e2e", reference, spec.as_str()];
            let run = if rust {
                programs.rust(&args)?
            } else {
                programs.py(&args)?
            };
            recorded(&run, what)?;
            Ok(run)
        })
    };
    let series = report::interleave(
        plan.runs,
        vec![
            (
                "tupli, one request at a time".into(),
                step(true, &sequential, "tupli e2e sequential"),
            ),
            (
                "pytupli, one request at a time".into(),
                step(false, &sequential, "pytupli e2e sequential"),
            ),
            (
                format!("tupli, {concurrency} in flight (one client)"),
                step(true, &parallel, "tupli e2e concurrent"),
            ),
            (
                format!("pytupli, {concurrency} threads"),
                step(false, &parallel, "pytupli e2e concurrent"),
            ),
        ],
    )?;
    let [rust_seq, py_seq, rust_par, py_par] = &series[..] else {
        bail!("e2e: {} series", series.len());
    };
    let per_s = |s: &Series| report::Stat::of(s.runs.iter().map(|r| r.count / r.wall));
    table.section(&format!(
        "end to end: record {episodes} episodes of {tuples} tuples into the reference server (server-bound: no client limit)"
    ));
    for s in &series {
        table.row(s, None);
    }
    let eps = |s: &Series| per_s(s).median;
    table.note(&format!(
        "episodes/s: sequential tupli {:.1}, pytupli {:.1} ({:.1}×); {concurrency} in flight tupli {:.1}, pytupli {:.1} ({:.1}×)",
        eps(rust_seq),
        eps(py_seq),
        ratio(eps(rust_seq), eps(py_seq)),
        eps(rust_par),
        eps(py_par),
        ratio(eps(rust_par), eps(py_par)),
    ));
    let rate = |s: &Series| json!({"figures": s.json(), "episodes_per_s": per_s(s).json()});
    Ok(json!({
        "episodes": episodes,
        "tuples_per_episode": tuples,
        "concurrency": concurrency,
        "tupli_sequential": rate(rust_seq),
        "pytupli_sequential": rate(py_seq),
        "tupli_concurrent": rate(rust_par),
        "pytupli_concurrent": rate(py_par),
        "ratio_throughput_sequential": ratio(eps(rust_seq), eps(py_seq)),
        "ratio_throughput_concurrent": ratio(eps(rust_par), eps(py_par)),
        "ratio_cpu_sequential": ratio(py_seq.cpu().median, rust_seq.cpu().median),
        "ratio_cpu_concurrent": ratio(py_par.cpu().median, rust_par.cpu().median),
    }))
}

fn dataset(
    ctx: &Ctx,
    payload: &Payload,
    bases: &Bases,
    table: &mut Table,
    goals: &mut Vec<Goal>,
) -> Result<Value> {
    let plan = ctx.plan;
    let rows = plan.rows();
    let (obs_dim, act_dim) = (17usize, 6usize);
    // The .npz's per-row arrays: observations, next_observations, actions,
    // rewards as f64; terminals and timeouts (1 byte), steps and
    // episode_index (4 bytes).
    let arrays_bytes = rows * ((2 * obs_dim + act_dim + 1) * 8 + 1 + 1 + 4 + 4);
    eprintln!("xtask bench: dataset ({rows} tuples)…");
    let expected = payload.meta.checksum.as_str();
    let file = path_str(&payload.items)?;
    let out = |name: &str| dir().join(format!("dataset-{name}"));
    let tupli_requests = |what: &str| -> Result<()> {
        let log = ctx.expect_routes(
            &[
                "/benchmarks/list",
                "/episodes/list headers",
                "/episodes/list tuples",
            ],
            what,
        )?;
        ensure!(
            log[2].id_filter == Some(plan.episodes),
            "{what}: asked for {:?} episode ids, not {}",
            log[2].id_filter,
            plan.episodes
        );
        Ok(())
    };
    let verify = |format: &str, path: &Path, checksum: Option<&str>| -> Result<()> {
        let len = std::fs::metadata(path)
            .with_context(|| format!("{} was not written", path.display()))?
            .len();
        ensure!(len > 0, "{} is empty", path.display());
        let (got_rows, got) = ctx
            .programs
            .py_check(&["verify-export", format, path_str(path)?])?;
        ensure!(
            got_rows == rows,
            "{} reads back with {got_rows} rows, not {rows}",
            path.display()
        );
        if let Some(checksum) = checksum {
            ensure!(
                got == checksum,
                "{} reads back with other floats (checksum {got}, expected {checksum})",
                path.display()
            );
        }
        std::fs::remove_file(path)?;
        Ok(())
    };
    let export = |format: &'static str| {
        move || -> Result<Run> {
            let path = out(&format!("tupli.{format}"));
            let run =
                ctx.programs
                    .rust(&["dataset-export", ctx.url(), format, path_str(&path)?])?;
            let what = format!("tupli export {format}");
            run.expect_count(rows, &what)?;
            tupli_requests(&what)?;
            ensure!(
                run.number("bytes")? == std::fs::metadata(&path)?.len() as f64,
                "{what}: the summary's size is not the file's"
            );
            verify(format, &path, Some(expected))?;
            Ok(run)
        }
    };
    let series = report::interleave(
        plan.runs,
        vec![
            (
                "tupli list_episode_items (the reference)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["decode-vec", c.url()])?;
                    run.expect_count(plan.episodes, "list_episode_items")?;
                    run.expect_checksum(expected, "list_episode_items")?;
                    c.expect_routes(&["/episodes/list tuples"], "list_episode_items")?;
                    Ok(run)
                }),
            ),
            (
                "tupli Dataset::columns (f64)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["dataset-columns", c.url()])?;
                    run.expect_count(rows, "columns")?;
                    run.expect_checksum(expected, "columns")?;
                    tupli_requests("columns")?;
                    Ok(run)
                }),
            ),
            ("tupli export npz (f64)".into(), Box::new(export("npz"))),
            ("tupli export arrow (f64)".into(), Box::new(export("arrow"))),
            (
                "tupli export parquet (f64)".into(),
                Box::new(export("parquet")),
            ),
            (
                "pytupli load, d4rl, numpy.savez".into(),
                ctx.step(|c| {
                    let path = out("pytupli.npz");
                    let run = c.programs.py(&["dataset", c.url(), path_str(&path)?])?;
                    run.expect_count(rows, "pytupli dataset tuples")?;
                    run.expect_number("rows", rows, "pytupli d4rl arrays")?;
                    run.expect_checksum(expected, "pytupli dataset")?;
                    ensure!(
                        run.report["benchmarks"] == json!([canned::BENCHMARK_ID]),
                        "pytupli's dataset listed benchmarks {}",
                        run.report["benchmarks"]
                    );
                    c.expect_routes(
                        &["/benchmarks/list", "/episodes/list tuples"],
                        "pytupli dataset",
                    )?;
                    // Its arrays are float32: rows only.
                    verify("npz", &path, None)?;
                    Ok(run)
                }),
            ),
            (
                "limit: loopback, reqwest reads, discards (bytes)".into(),
                ctx.step(|c| {
                    let run = c.programs.rust(&["loopback-episodes", c.url()])?;
                    c.expect_routes(&["/episodes/list tuples"], "loopback")?;
                    run.expect_count(payload.bytes as usize, "loopback bytes")?;
                    Ok(run)
                }),
            ),
            (
                "limit: serde_json IgnoredAny (bytes)".into(),
                ctx.step(|c| c.programs.rust(&["floor", file])),
            ),
            (
                "limit: sonic-rs skip, SIMD (bytes)".into(),
                ctx.step(|c| c.programs.limits(&["sonic-skip", file])),
            ),
        ],
    )?;
    let [list, columns, npz, arrow, parquet, py, loopback, serde_skip, sonic] = &series[..] else {
        bail!("dataset: {} series", series.len());
    };
    let parse_limit = serde_skip.cpu().median.min(sonic.cpu().median);
    table.section(&format!(
        "dataset: {rows} tuples ({} episodes; state {obs_dim}, action {act_dim} floats), benchmark filter, all rows",
        plan.episodes
    ));
    table.row(list, Some(bases.rust));
    table.row(columns, Some(bases.rust));
    for s in [npz, arrow, parquet] {
        table.row(s, Some(bases.rust));
    }
    table.row(py, Some(bases.py));
    for s in [loopback, serde_skip, sonic] {
        table.row(s, None);
    }
    let py_cpu = py.cpu().median;
    let list_cpu = list.cpu().median;
    let mut figures = serde_json::Map::new();
    let rss_goal = |format: &str| -> f64 {
        match format {
            "npz" => arrays_bytes as f64 + 64.0 * MIB,
            _ => 64.0 * MIB,
        }
    };
    let mut notes = Vec::new();
    for (name, s) in [
        ("columns", columns),
        ("npz", npz),
        ("arrow", arrow),
        ("parquet", parquet),
    ] {
        let ratio_cpu = ratio(py_cpu, s.cpu().median);
        let to_list = ratio(s.cpu().median, list_cpu);
        figures.insert(format!("ratio_cpu_{name}"), json!(ratio_cpu));
        figures.insert(format!("ratio_export_to_list_{name}"), json!(to_list));
        figures.insert(
            format!("ratio_cpu_to_parse_limit_{name}"),
            json!(ratio(s.cpu().median, parse_limit)),
        );
        figures.insert(
            format!("ratio_rss_{name}"),
            json!(ratio(py.rss().median, s.rss().median)),
        );
        notes.push(format!("{name} {ratio_cpu:.1}×/{to_list:.2}"));
        goals.push(Goal::at_least(
            &format!("dataset: pytupli CPU / tupli {name} CPU"),
            ratio_cpu,
            20.0,
        ));
        if name != "columns" {
            goals.push(Goal::at_most(
                &format!("dataset: tupli export {name} CPU / list_episode_items CPU"),
                to_list,
                1.2,
            ));
            let goal = rss_goal(name);
            figures.insert(format!("rss_goal_{name}_bytes"), json!(goal));
            goals.push(Goal::at_most(
                &format!(
                    "dataset: tupli export {name} peak RSS MiB (goal {})",
                    if name == "npz" {
                        "the arrays + 64"
                    } else {
                        "64"
                    }
                ),
                s.rss().median / MIB,
                goal / MIB,
            ));
        }
    }
    table.note(&format!(
        "pytupli CPU / tupli CPU, and tupli CPU / list_episode_items CPU: {}",
        notes.join(", ")
    ));
    table.note(&format!(
        "a client at the parse limit would be {:.1}× pytupli's CPU",
        ratio(py_cpu, parse_limit)
    ));
    table.note(&format!(
        "RSS goals: arrow, parquet ≤ 64 MiB; npz ≤ the arrays ({:.1} MiB) + 64 MiB; parse limit {:.3} s CPU; tupli columns/exports and pytupli's raw lists hold the generator's floats bit for bit",
        arrays_bytes as f64 / MIB,
        parse_limit
    ));
    let mut value = json!({
        "rows": rows,
        "episodes": plan.episodes,
        "obs_dim": obs_dim,
        "act_dim": act_dim,
        "arrays_bytes": arrays_bytes,
        "checksum": expected,
        "bit_exact": true,
        "tupli_list_episode_items": list.json(),
        "tupli_columns": columns.json(),
        "tupli_export_npz": npz.json(),
        "tupli_export_arrow": arrow.json(),
        "tupli_export_parquet": parquet.json(),
        "pytupli_load_d4rl_savez": py.json(),
        "limits": {
            "loopback": loopback.json(),
            "serde_ignored_any": serde_skip.json(),
            "sonic_rs_skip": sonic.json(),
            "parse_limit_cpu_s": parse_limit,
        },
        "ratio_rss_net_columns": ratio(py.rss().median - bases.py, columns.rss().median - bases.rust),
        "ratio_list_wall_to_loopback": ratio(list.wall().median, loopback.wall().median),
        "ratio_cpu_at_parse_limit": ratio(py_cpu, parse_limit),
    });
    if let Value::Object(map) = &mut value {
        map.extend(figures);
    }
    Ok(value)
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

#[cfg(test)]
mod tests {
    use super::profile_name;

    #[test]
    fn profiles_are_named_by_run_mode_and_format() {
        assert_eq!(
            profile_name(&["decode-vec", "http://127.0.0.1:4000"], 1),
            "1-decode-vec.data"
        );
        assert_eq!(
            profile_name(
                &[
                    "dataset-export",
                    "http://127.0.0.1:4000",
                    "parquet",
                    "/tmp/x/out.parquet"
                ],
                12
            ),
            "12-dataset-export-parquet.data"
        );
        assert_eq!(
            profile_name(&["encode", "target/bench/episode.json"], 3),
            "3-encode.data"
        );
    }
}
