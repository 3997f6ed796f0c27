//! The files the bench measures on: the episodes payload and the episodes
//! to record, made by `make_payload.py` and checked against what it
//! recorded, and the artifact, checked byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{ensure, Context, Result};
use serde_json::Value;

use super::dir;
use super::plan::Plan;
use super::programs::{path_str, Programs};
use crate::project_root;

/// What `make_payload.py` wrote beside its files.
pub(super) struct Meta {
    /// The checksum of the floats it wrote.
    pub(super) checksum: String,
    /// How many tuples it wrote.
    pub(super) tuples: usize,
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
pub(super) struct Payload {
    /// The episodes with their tuples.
    pub(super) items: PathBuf,
    /// Their headers only.
    pub(super) headers: PathBuf,
    /// The size of `items`.
    pub(super) bytes: u64,
    /// What the generator recorded of `items`.
    pub(super) meta: Meta,
}

/// The payload of the plan's size, made if need be.
pub(super) fn episodes_payload(programs: &Programs, plan: &Plan) -> Result<Payload> {
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
pub(super) fn episode_file(
    programs: &Programs,
    tuples: usize,
    seed: u64,
) -> Result<(PathBuf, Meta)> {
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
pub(super) fn artifact(python: &Path, bytes: u64) -> Result<(PathBuf, Vec<u8>, String)> {
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
