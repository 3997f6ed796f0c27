//! Crash safety: a write that fails or is abandoned half-way leaves only
//! whole files behind, and never a temporary one.

use std::future::IntoFuture;
use std::io::Write;
use std::time::Duration;
use tupli::prelude::*;

use bytes::Bytes;
use tupli::{Error, Filter};

use super::{artifact, benchmark, episode, files_under, storage};

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_dropped_half_way_leaves_nothing() {
    let (dir, storage) = storage();
    let pipe = dir.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(status.success());
    // A writer that sends 3 MiB, then holds the pipe open without sending more.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let writer_path = pipe.clone();
    let writer = std::thread::spawn(move || {
        let mut fifo = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        fifo.write_all(&vec![7u8; 3 << 20]).unwrap();
        let _ = stop_rx.recv();
    });
    let meta = artifact("stalled.bin");
    let upload = storage.store_artifact_from_path(&pipe, &meta);
    let outcome = tokio::time::timeout(Duration::from_millis(500), upload.into_future()).await;
    assert!(outcome.is_err(), "the upload cannot finish");
    let artifacts = dir.path().join("artifacts");
    assert_eq!(
        std::fs::read_dir(&artifacts).unwrap().count(),
        0,
        "the temporary file is gone"
    );
    stop_tx.send(()).unwrap();
    writer.join().unwrap();
    assert!(storage
        .list_artifacts(&Filter::all())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_upload_that_fails_to_read_leaves_nothing() {
    let (dir, storage) = storage();
    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let err = storage
        .store_artifact_from_path(&folder, &artifact("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert_eq!(files_under(dir.path()), Vec::<String>::new());
}

#[tokio::test]
async fn a_download_that_fails_its_check_leaves_nothing() {
    let (dir, storage) = storage();
    let item = storage
        .store_artifact(Bytes::from_static(b"original"), &artifact("x"))
        .await
        .unwrap();
    std::fs::write(
        dir.path().join(format!("artifacts/{}", item.id)),
        b"tampered",
    )
    .unwrap();
    let target = dir.path().join("out/copy.bin");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let err = storage
        .download_artifact_to_path(&item.id, &target)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Integrity { .. }), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path().join("out")).unwrap().count(),
        0
    );
    let err = storage.load_artifact(&item.id).await.unwrap_err();
    assert!(matches!(err, Error::Integrity { .. }), "{err}");
}

#[tokio::test]
async fn dropped_writes_finish_or_leave_nothing() {
    let (dir, storage) = storage();
    let bench = storage.store_benchmark(&benchmark("b")).await.unwrap();
    let long = episode(&bench.id, 20_000, 1);
    for _ in 0..10 {
        // Polled until the file work has started, then dropped.
        let _ = tokio::time::timeout(Duration::from_millis(1), storage.record_episode(&long)).await;
    }
    // What was started runs to its end on the blocking pool.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for name in files_under(dir.path()) {
        assert!(!name.contains("/."), "a temporary file is left: {name}");
    }
    for header in storage.list_episode_headers(&Filter::all()).await.unwrap() {
        assert_eq!(header.n_tuples, 20_000);
    }
}

#[tokio::test]
async fn temporary_files_of_an_earlier_crash_are_passed_over() {
    let (dir, storage) = storage();
    let header = storage.store_benchmark(&benchmark("b")).await.unwrap();
    let leftover = dir.path().join(format!(
        "benchmarks/.{}.json.tupli-partial-1-0",
        "0".repeat(32)
    ));
    std::fs::write(&leftover, b"{\"id\": ").unwrap();
    assert_eq!(
        storage.list_benchmarks(&Filter::all()).await.unwrap(),
        [header]
    );
}
