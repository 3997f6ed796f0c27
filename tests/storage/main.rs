//! `FileStorage` on temporary folders: every operation of the storage trait,
//! the files it writes, crash safety, concurrency, bad input, large
//! artifacts, and datasets over a folder. (Interchange with pytupli's own
//! `FileStorage` and filter answers against the reference server are in the
//! live suite, `tests/live/storage.rs`.)

mod bad_input;
mod concurrency;
mod crash;
mod files;
mod filters;
mod operations;
mod pointers;

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Map};
use tupli::models::{ArtifactMetadata, BenchmarkMetadata, BenchmarkQuery, Episode, RlTuple};
use tupli::storage::FileStorage;

/// A storage in a new temporary folder (removed when the guard drops).
fn storage() -> (tempfile::TempDir, FileStorage) {
    let dir = tempfile::tempdir().unwrap();
    let storage = FileStorage::open(dir.path()).unwrap();
    (dir, storage)
}

fn benchmark(hash: &str) -> BenchmarkQuery {
    let mut extra = Map::new();
    extra.insert("level".into(), json!(3));
    extra.insert("tags".into(), json!(["a", "ü"]));
    BenchmarkQuery {
        hash: hash.into(),
        serialized: json!({"env": hash}).to_string(),
        metadata: BenchmarkMetadata {
            name: format!("bench {hash}"),
            description: "made by the storage suite".into(),
            difficulty: Some("easy".into()),
            version: None,
            extra,
        },
    }
}

fn episode(benchmark_id: &str, n: usize, mark: i64) -> Episode {
    Episode {
        benchmark_id: benchmark_id.into(),
        metadata: Map::from_iter([
            ("mark".to_string(), json!(mark)),
            ("nested".to_string(), json!({"k": [1, 2.5, "x"]})),
        ]),
        tuples: (0..n)
            .map(|t| RlTuple {
                state: vec![t as f64, 0.1, -0.0].into(),
                action: json!(t % 3).into(),
                reward: (t as f64 * 0.25).into(),
                info: Map::from_iter([("t".to_string(), json!(t))]),
                terminal: t + 1 == n,
                timeout: false,
            })
            .collect(),
    }
}

fn artifact(name: &str) -> ArtifactMetadata {
    ArtifactMetadata {
        name: name.into(),
        description: "an artifact".into(),
        benchmark_id: None,
        extra: Map::from_iter([("source".to_string(), json!("suite"))]),
    }
}

/// Every file under `dir`, as paths relative to it, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Starts capturing what the storage logs (warnings and above, from every
/// thread) for [`logs`].
fn capture_logs() {
    log_buffer();
}

/// What the storage logged since [`capture_logs`].
fn logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap()).into_owned()
}

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Captured(Arc::clone(&buffer));
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::WARN)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        buffer
    })
}

#[derive(Clone)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
