//! Datasets: the requests a selection sends (benchmarks, then the headers of
//! their episodes AND the episode filter, then exactly those episodes), what
//! the columns hold (tuple filter, f32 rounding), seeded sampling, an `.npz`
//! over many batches, and exports that fail or are dropped half-way leaving
//! no file.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use tupli::dataset::Dataset;
use tupli::Filter;

use crate::support::*;

/// The selection's first two requests: the benchmarks (b-1), then the
/// headers of its episodes, answered with `headers`.
async fn expect_headers(api: &Mocked, headers: Value) {
    api.expect_async(benchmarks_req(all_filter()), |then| {
        json_reply(then, 200, benchmarks_json(&["b-1"]))
    })
    .await;
    api.expect_async(headers_req(in_wire("benchmark_id", &["b-1"])), |then| {
        json_reply(then, 200, headers)
    })
    .await;
}

/// Every row of `columns` against the fixture: the episodes in order, and of
/// each the `kept` steps.
fn assert_rows(columns: &tupli::dataset::Columns<f64>, expected: &[(&DataEpisode, Vec<usize>)]) {
    let mut row = 0;
    let ids: Vec<&str> = columns.episodes().iter().map(|e| e.id.as_str()).collect();
    let wanted: Vec<&str> = expected.iter().map(|(e, _)| e.id.as_str()).collect();
    assert_eq!(ids, wanted, "the episodes, in the order of the answer");
    for (index, (episode, steps)) in expected.iter().enumerate() {
        assert_eq!(columns.episode_starts()[index], row, "{}", episode.id);
        for &t in steps {
            let at = format!("{} step {t}", episode.id);
            // The real successor in the episode, whether kept or not; the last repeats its own.
            let next = if t + 1 < episode.len { t + 1 } else { t };
            assert_eq!(
                columns.observations().row(row).unwrap(),
                episode.state(t),
                "{at}"
            );
            assert_eq!(
                columns.actions().row(row).unwrap(),
                episode.action(t),
                "{at}"
            );
            assert_eq!(
                columns.next_observations().row(row).unwrap(),
                episode.state(next),
                "{at}"
            );
            assert_eq!(columns.rewards()[row], episode.reward(t), "{at}");
            assert_eq!(columns.terminals()[row], episode.terminal(t), "{at}");
            assert_eq!(columns.timeouts()[row], episode.timeout(t), "{at}");
            assert_eq!(columns.steps()[row], t as u32, "{at}");
            assert_eq!(columns.episode_index()[row], index as u32, "{at}");
            row += 1;
        }
    }
    assert_eq!(columns.len(), row, "no other rows");
    assert_eq!((columns.obs_dim(), columns.act_dim()), (OBS_DIM, ACT_DIM));
}

#[tokio::test]
async fn no_matching_benchmark_selects_nothing_and_sends_no_episode_request() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let mock = api
        .expect_async(
            benchmarks_req(compare_wire("EQ", "metadata.name", json!("nope"))),
            |then| json_reply(then, 200, json!([])),
        )
        .await;
    let data = Dataset::new(client.clone())
        .with_benchmark_filter(Filter::eq("metadata.name", "nope"))
        .with_episode_filter(Filter::geq("n_tuples", 1));
    assert!(data.preview().await.unwrap().is_empty());
    assert!(data.sample_episodes(3, 7).await.unwrap().is_empty());
    let columns = data.columns().await.unwrap();
    assert!(columns.is_empty() && columns.episodes().is_empty());
    mock.assert_calls_async(3).await;
    // No episode listing at all: it would have reached the catch-all.
    api.done_async().await;
}

#[tokio::test]
async fn the_selection_is_the_benchmarks_in_filter_and_the_episode_filter() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let episodes = data_episodes(&[("e-1", "b-1", 3), ("e-2", "b-2", 2)]);
    // The benchmark filter as given; the benchmarks in the order answered.
    let (benchmark_filter, benchmark_wire) = sample_filter();
    let benchmarks = api
        .expect_async(benchmarks_req(benchmark_wire), |then| {
            json_reply(then, 200, benchmarks_json(&["b-2", "b-1"]))
        })
        .await;
    // One AND: the benchmarks' ids, then the episode filter's own terms.
    let headers = api
        .expect_async(
            headers_req(and_wire([
                in_wire("benchmark_id", &["b-2", "b-1"]),
                compare_wire("GEQ", "n_tuples", json!(2)),
                compare_wire("NE", "metadata.number", json!(9)),
            ])),
            |then| json_reply(then, 200, headers_json(&episodes)),
        )
        .await;
    // Exactly the episodes listed, by id, with their tuples.
    let items = api
        .expect_async(items_req(&episodes), |then| {
            json_reply(then, 200, items_json(&episodes))
        })
        .await;
    let data = Dataset::new(client.clone())
        .with_benchmark_filter(benchmark_filter)
        .with_episode_filter(Filter::geq("n_tuples", 2) & Filter::ne("metadata.number", 9));

    let columns = data.columns().await.unwrap();
    assert_rows(
        &columns,
        &[(&episodes[0], vec![0, 1, 2]), (&episodes[1], vec![0, 1])],
    );
    assert_eq!(columns.episodes()[1].metadata["number"], 1);
    benchmarks.assert_calls_async(1).await;
    headers.assert_calls_async(1).await;
    items.assert_calls_async(1).await;
    api.done_async().await;
}

#[tokio::test]
async fn preview_lists_headers_without_a_tuple() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let episodes = data_episodes(&[("e-1", "b-1", 4), ("e-2", "b-1", 1)]);
    let benchmarks = api
        .expect_async(benchmarks_req(all_filter()), |then| {
            json_reply(then, 200, benchmarks_json(&["b-1"]))
        })
        .await;
    // `include_tuples: false`, and no episode filter but the benchmarks'.
    let headers = api
        .expect_async(headers_req(in_wire("benchmark_id", &["b-1"])), |then| {
            json_reply(then, 200, headers_json(&episodes))
        })
        .await;
    let preview = Dataset::new(client.clone()).preview().await.unwrap();
    let ids: Vec<&str> = preview.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["e-1", "e-2"]);
    assert_eq!(preview[0].n_tuples, 4);
    benchmarks.assert_calls_async(1).await;
    headers.assert_calls_async(1).await;
    // No item listing: it would have reached the catch-all.
    api.done_async().await;
}

#[tokio::test]
async fn a_tuple_filter_keeps_rows_their_steps_and_their_real_successors() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let episodes = data_episodes(&[("e-0", "b-1", 5), ("e-1", "b-1", 2), ("e-2", "b-1", 3)]);
    expect_headers(&api, headers_json(&episodes)).await;
    api.expect_async(items_req(&episodes), |then| {
        json_reply(then, 200, items_json(&episodes))
    })
    .await;
    // Even steps only, and nothing of episode 2 (which is then left out).
    let data = Dataset::new(client.clone()).with_tuple_filter(|tuple| {
        let even = tuple.info["t"].as_u64().unwrap() % 2 == 0;
        even && tuple.state.as_floats().unwrap()[0] != 2.0
    });
    let columns = data.columns().await.unwrap();
    assert_rows(
        &columns,
        &[(&episodes[0], vec![0, 2, 4]), (&episodes[1], vec![0])],
    );
    // Step 0's next observation is step 1's state, which was not kept.
    assert_eq!(
        columns.next_observations().row(0).unwrap(),
        episodes[0].state(1)
    );
    api.done_async().await;
}

#[tokio::test]
async fn sampled_episodes_depend_on_the_seed_only() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let names: Vec<String> = (0..12).map(|i| format!("e-{i:02}")).collect();
    let spec: Vec<(&str, &str, usize)> = names.iter().map(|n| (n.as_str(), "b-1", 1)).collect();
    let episodes = data_episodes(&spec);
    let benchmarks = api
        .expect_async(benchmarks_req(all_filter()), |then| {
            json_reply(then, 200, benchmarks_json(&["b-1"]))
        })
        .await;
    let headers = api
        .expect_async(headers_req(in_wire("benchmark_id", &["b-1"])), |then| {
            json_reply(then, 200, headers_json(&episodes))
        })
        .await;
    let data = Dataset::new(client.clone());
    let ids = |headers: Vec<tupli::models::EpisodeHeader>| -> Vec<String> {
        headers.into_iter().map(|h| h.id).collect()
    };
    let first = ids(data.sample_episodes(5, 42).await.unwrap());
    let again = ids(data.sample_episodes(5, 42).await.unwrap());
    let other = ids(data.sample_episodes(5, 43).await.unwrap());
    assert_eq!(first.len(), 5);
    assert_eq!(first.iter().collect::<BTreeSet<_>>().len(), 5, "no repeats");
    assert_eq!(first, again, "the same seed, the same sample");
    assert_ne!(first, other, "another seed, another sample");
    // More than there are: every episode once.
    let all = ids(data.sample_episodes(20, 42).await.unwrap());
    assert_eq!(
        all.iter().cloned().collect::<BTreeSet<_>>(),
        names.iter().cloned().collect::<BTreeSet<_>>()
    );
    assert_eq!(all.len(), names.len());
    benchmarks.assert_calls_async(4).await;
    headers.assert_calls_async(4).await;
    api.done_async().await;
}

/// Values whose f32 is a rounding (ties to even), an underflow, an overflow,
/// a kept sign: `(stored, what numpy.float32 makes of it)`.
const ROUNDINGS: [(f64, f32); 8] = [
    (0.1, 0.1),
    (16_777_217.0, 16_777_216.0),
    (16_777_219.0, 16_777_220.0),
    (1.000_000_059_604_644_8, 1.0),
    (1e-46, 0.0),
    (1e39, f32::INFINITY),
    (-0.0, -0.0),
    (3.402_823_466_385_288_6e38, f32::MAX),
];

/// One episode of one tuple whose state holds [`ROUNDINGS`].
fn rounding_episode() -> Value {
    let mut item = data_episodes(&[("e-f", "b-1", 1)])[0].item();
    let state: Vec<f64> = ROUNDINGS.iter().map(|(stored, _)| *stored).collect();
    item["tuples"][0]["state"] = json!(state);
    item["tuples"][0]["reward"] = json!(0.1);
    item
}

#[tokio::test]
async fn f32_columns_round_as_numpy_does() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let item = rounding_episode();
    let mut header = item.clone();
    header.as_object_mut().unwrap().remove("tuples");
    expect_headers(&api, json!([header])).await;
    let episodes = data_episodes(&[("e-f", "b-1", 1)]);
    api.expect_async(items_req(&episodes), |then| {
        json_reply(then, 200, json!([item]))
    })
    .await;
    let data = Dataset::new(client.clone());
    let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();

    let single = data.columns_as::<f32>().await.unwrap();
    let rounded: Vec<f32> = ROUNDINGS.iter().map(|(_, f)| *f).collect();
    assert_eq!(bits(single.observations().values()), bits(&rounded));
    assert_eq!(single.rewards(), [0.1f32]);
    // f64 keeps what was stored, bit for bit.
    let double = data.columns().await.unwrap();
    let stored: Vec<u64> = ROUNDINGS.iter().map(|(f, _)| f.to_bits()).collect();
    let got: Vec<u64> = double
        .observations()
        .values()
        .iter()
        .map(|f| f.to_bits())
        .collect();
    assert_eq!(got, stored);

    #[cfg(feature = "npz")]
    {
        use tupli::dataset::{Dtype, Format};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.npz");
        let summary = data
            .export(Format::Npz)
            .dtype(Dtype::F32)
            .to_path(&path)
            .await
            .unwrap();
        assert_eq!((summary.tuples, summary.obs_dim), (1, ROUNDINGS.len()));
        let zip = std::fs::read(&path).unwrap();
        let (header, data) = npy(&zip, "observations.npy");
        assert!(header.contains("'descr': '<f4'"), "{header}");
        assert!(header.contains("'shape': (1, 8)"), "{header}");
        assert_eq!(bits(&f32s(data)), bits(&rounded));
    }
    api.done_async().await;
}

/// An `.npz` export larger than several of the writer's batches holds every
/// row in order, episodes' boundaries included.
#[cfg(feature = "npz")]
#[tokio::test]
async fn an_npz_export_over_many_batches_holds_every_row() {
    use tupli::dataset::Format;
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    // About 82 bytes of columns a row: 30,000 rows are several batches.
    let episodes = data_episodes(&[
        ("e-1", "b-1", 9_000),
        ("e-2", "b-1", 12_000),
        ("e-3", "b-1", 9_000),
    ]);
    expect_headers(&api, headers_json(&episodes)).await;
    api.expect_async(items_req(&episodes), |then| {
        json_reply(then, 200, items_json(&episodes))
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.npz");
    let summary = Dataset::new(client.clone())
        .export(Format::Npz)
        .to_path(&path)
        .await
        .unwrap();
    assert_eq!(summary.tuples, 30_000);
    let zip = std::fs::read(&path).unwrap();
    let rows: Vec<(&DataEpisode, usize)> = episodes
        .iter()
        .flat_map(|e| (0..e.len).map(move |t| (e, t)))
        .collect();
    let column = |name: &str| f64s(npy(&zip, name).1);
    let states: Vec<f64> = rows.iter().flat_map(|(e, t)| e.state(*t)).collect();
    assert!(column("observations.npy") == states);
    // Within each episode; its last step repeats its own observation.
    let next: Vec<f64> = rows
        .iter()
        .flat_map(|(e, t)| e.state((*t + 1).min(e.len - 1)))
        .collect();
    assert!(column("next_observations.npy") == next);
    let actions: Vec<f64> = rows.iter().flat_map(|(e, t)| e.action(*t)).collect();
    assert!(column("actions.npy") == actions);
    let rewards: Vec<f64> = rows.iter().map(|(e, t)| e.reward(*t)).collect();
    assert!(column("rewards.npy") == rewards);
    let terminals: Vec<u8> = rows.iter().map(|(e, t)| u8::from(e.terminal(*t))).collect();
    assert_eq!(npy(&zip, "terminals.npy").1, terminals);
    let index: Vec<u8> = rows
        .iter()
        .flat_map(|(e, _)| {
            let i = episodes.iter().position(|x| x.id == e.id).unwrap() as i32;
            i.to_le_bytes()
        })
        .collect();
    assert!(npy(&zip, "episode_index.npy").1 == index);
    api.done_async().await;
}

/// A runtime with a single blocking thread still completes an export of
/// large episodes (each decoded on the blocking pool): the export's writer
/// runs on a thread of its own, not on the pool's only thread.
#[cfg(feature = "npz")]
#[test]
fn an_export_completes_with_a_single_blocking_thread() {
    use tupli::dataset::Format;
    let runtime = runtime_with_one_blocking_thread();
    runtime.block_on(async {
        let api = Mocked::start_async().await;
        let client = api.logged_in_client().await;
        // Each episode's JSON is far above the size decoded on the pool.
        let episodes = data_episodes(&[("e-1", "b-1", 3_000), ("e-2", "b-1", 3_000)]);
        expect_headers(&api, headers_json(&episodes)).await;
        api.expect_async(items_req(&episodes), |then| {
            json_reply(then, 200, items_json(&episodes))
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.npz");
        let dataset = Dataset::new(client.clone());
        let export = dataset.export(Format::Npz);
        let summary =
            tokio::time::timeout(std::time::Duration::from_secs(60), export.to_path(&path))
                .await
                .expect("the export completes")
                .unwrap();
        assert_eq!(summary.tuples, 6_000);
        assert!(path.exists());
        api.done_async().await;
    });
}

/// Exports that fail, or are dropped, half-way.
#[cfg(all(feature = "npz", feature = "arrow", feature = "parquet"))]
mod export {
    use std::path::Path;
    use std::time::Duration;

    use super::*;
    use tupli::dataset::Format;
    use tupli::{Error, RetryPolicy, Tokens, TupliApiClient};

    /// Nothing here may take longer: a hang fails the test instead of CI.
    const GUARD: Duration = Duration::from_secs(30);

    async fn guarded<T>(future: impl std::future::IntoFuture<Output = T>) -> T {
        tokio::time::timeout(GUARD, future.into_future())
            .await
            .expect("the export hung")
    }

    /// A client of the raw server at `url`, logged in with [`ACCESS`].
    fn raw_client(url: &str) -> TupliApiClient {
        TupliApiClient::builder()
            .url(url)
            .retry_policy(RetryPolicy::none())
            .read_timeout(Duration::from_secs(5))
            .tokens(Tokens::new(ACCESS, REFRESH))
            .build()
            .unwrap()
    }

    /// The names in `dir` of the temporary files for `name`.
    fn partials(dir: &Path, name: &str) -> Vec<String> {
        let prefix = format!(".{name}.tupli-partial-");
        dir_names(dir)
            .into_iter()
            .filter(|n| n.starts_with(&prefix))
            .collect()
    }

    const FORMATS: [(Format, &str); 3] = [
        (Format::Npz, "x.npz"),
        (Format::Arrow, "x.arrow"),
        (Format::Parquet, "x.parquet"),
    ];

    /// The requests of `exports` exports of `episodes` (of benchmark b-1), as
    /// the raw server saw them: three each.
    fn assert_requests(server: &RawServer, episodes: &[DataEpisode], exports: usize) {
        let requests = server.requests();
        assert_eq!(requests.len(), 3 * exports, "{requests:#?}");
        let ids: Vec<&str> = episodes.iter().map(|e| e.id.as_str()).collect();
        for export in requests.chunks(3) {
            assert!(export
                .iter()
                .all(|r| r.method == "POST" && r.bearer_is(ACCESS)));
            let paths: Vec<&str> = export.iter().map(|r| r.path.as_str()).collect();
            assert_eq!(
                paths,
                ["/benchmarks/list", "/episodes/list", "/episodes/list"]
            );
            assert_eq!(export[0].json(), all_filter());
            assert_eq!(
                export[1].json(),
                list_episodes_body(in_wire("benchmark_id", &["b-1"]), false)
            );
            assert_eq!(
                export[2].json(),
                list_episodes_body(in_wire("id", &ids), true)
            );
        }
    }

    #[tokio::test]
    async fn a_connection_cut_mid_export_leaves_no_file() {
        let episodes = data_episodes(&[("e-1", "b-1", 40), ("e-2", "b-1", 40)]);
        let server = dataset_server(&["b-1"], &episodes, |whole| half_of(whole, false));
        let client = raw_client(&server.url());
        let data = Dataset::new(client.clone());
        for (format, name) in FORMATS {
            let dir = tempfile::tempdir().unwrap();
            let err = guarded(data.export(format).to_path(dir.path().join(name)))
                .await
                .unwrap_err();
            assert!(
                matches!(err, Error::Transport { .. } | Error::Decode { .. }),
                "{format:?}: {err:?}"
            );
            assert_eq!(dir_names(dir.path()), Vec::<String>::new(), "{format:?}");
        }
        assert_requests(&server, &episodes, FORMATS.len());
    }

    #[tokio::test]
    async fn dropping_the_export_half_way_leaves_no_file() {
        let episodes = data_episodes(&[("e-1", "b-1", 40), ("e-2", "b-1", 40)]);
        let server = dataset_server(&["b-1"], &episodes, |whole| half_of(whole, true));
        let client = raw_client(&server.url());
        let data = Dataset::new(client.clone());
        for (format, name) in FORMATS {
            let dir = tempfile::tempdir().unwrap();
            let export = data.export(format).to_path(dir.path().join(name));
            // Until the temporary file is there, with the answer stalled half-way.
            let writing = async {
                while partials(dir.path(), name).is_empty() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            };
            guarded(async {
                tokio::select! {
                    done = export => panic!("{format:?}: the export ended: {done:?}"),
                    () = writing => {}
                }
            })
            .await;
            // The export is dropped: its temporary file is gone with it.
            assert_eq!(dir_names(dir.path()), Vec::<String>::new(), "{format:?}");
        }
        assert_requests(&server, &episodes, FORMATS.len());
    }

    #[tokio::test]
    async fn an_empty_selection_writes_nothing() {
        let api = Mocked::start_async().await;
        let client = api.logged_in_client().await;
        let dir = tempfile::tempdir().unwrap();
        let data = Dataset::new(client.clone());
        let benchmarks = api
            .expect_async(benchmarks_req(all_filter()), |then| {
                json_reply(then, 200, benchmarks_json(&["b-1"]))
            })
            .await;
        let export_all = |data: Dataset| {
            let dir = dir.path().to_path_buf();
            async move {
                for (format, name) in FORMATS {
                    let result = data.export(format).to_path(dir.join(name)).await;
                    assert!(
                        matches!(result, Err(Error::EmptySelection)),
                        "{format:?}: {result:?}"
                    );
                }
            }
        };

        // No episode matches: not even an item listing.
        let headers = api
            .expect_async(headers_req(in_wire("benchmark_id", &["b-1"])), |then| {
                json_reply(then, 200, json!([]))
            })
            .await;
        export_all(data.clone()).await;
        headers.assert_calls_async(3).await;
        headers.delete_async().await;

        // Episodes match, but the tuple filter keeps none of their tuples.
        let episodes = data_episodes(&[("e-1", "b-1", 2), ("e-2", "b-1", 1)]);
        // Then: episodes without a tuple.
        let empty = data_episodes(&[("e-3", "b-1", 0), ("e-4", "b-1", 0)]);
        for (selected, data) in [
            (&episodes, data.clone().with_tuple_filter(|_| false)),
            (&empty, data.clone()),
        ] {
            let headers = api
                .expect_async(headers_req(in_wire("benchmark_id", &["b-1"])), |then| {
                    json_reply(then, 200, headers_json(selected))
                })
                .await;
            let items = api
                .expect_async(items_req(selected), |then| {
                    json_reply(then, 200, items_json(selected))
                })
                .await;
            export_all(data).await;
            headers.assert_calls_async(3).await;
            items.assert_calls_async(3).await;
            headers.delete_async().await;
            items.delete_async().await;
        }

        assert_eq!(dir_names(dir.path()), Vec::<String>::new());
        benchmarks.assert_calls_async(9).await;
        benchmarks.delete_async().await;
        api.done_async().await;
    }

    #[tokio::test]
    async fn a_shape_error_or_a_changed_selection_leaves_no_file() {
        let api = Mocked::start_async().await;
        let client = api.logged_in_client().await;
        let dir = tempfile::tempdir().unwrap();
        let episodes = data_episodes(&[("e-1", "b-1", 2), ("e-2", "b-1", 3)]);
        expect_headers(&api, headers_json(&episodes)).await;
        // Episode e-2's step 1 has a state of another width.
        let mut ragged = items_json(&episodes);
        ragged[1]["tuples"][1]["state"] = json!([1.0, 2.0]);
        let mock = api
            .expect_async(items_req(&episodes), |then| json_reply(then, 200, ragged))
            .await;
        let data = Dataset::new(client.clone());
        for (format, name) in FORMATS {
            match data.export(format).to_path(dir.path().join(name)).await {
                Err(Error::Shape {
                    episode_id,
                    step,
                    field,
                    reason,
                }) => {
                    assert_eq!((episode_id.as_str(), step, field), ("e-2", 1, "state"));
                    assert!(reason.contains("has 2 values"), "{reason}");
                }
                other => panic!("{format:?}: {other:?}"),
            }
        }
        mock.assert_calls_async(3).await;
        mock.delete_async().await;

        // The episodes hold another number of tuples than their headers announced.
        let mut grown = items_json(&episodes);
        grown[0]["tuples"]
            .as_array_mut()
            .unwrap()
            .push(episodes[0].tuple(1));
        let mock = api
            .expect_async(items_req(&episodes), |then| json_reply(then, 200, grown))
            .await;
        for (format, name) in FORMATS {
            let err = data.export(format).to_path(dir.path().join(name)).await;
            assert!(
                matches!(&err, Err(Error::Decode { message, .. }) if message.contains("announced 5 tuples but the episodes held 6")),
                "{format:?}: {err:?}"
            );
        }
        mock.assert_calls_async(3).await;
        assert_eq!(dir_names(dir.path()), Vec::<String>::new());
        api.done_async().await;
    }

    /// More tuples than the headers announced, past the first batch the
    /// writer gets (1 to 8 MiB of columns, by format): the same error as
    /// for a small dataset, not a failed write.
    #[tokio::test]
    async fn more_tuples_than_announced_is_the_same_error_at_any_size() {
        let api = Mocked::start_async().await;
        let client = api.logged_in_client().await;
        let dir = tempfile::tempdir().unwrap();
        let episodes = data_episodes(&[("e-1", "b-1", 10), ("e-2", "b-1", 10), ("e-3", "b-1", 10)]);
        expect_headers(&api, headers_json(&episodes)).await;
        // e-1 and e-2 hold 1100 states of 512 values each: a batch of over
        // 8 MiB each, more rows than the file was laid out for.
        let mut items = items_json(&episodes);
        let wide = json!(vec![0.5; 512]);
        let tuples = |n: usize| -> Value {
            (0..n)
                .map(|_| json!({"state": wide, "action": [0.5, 1.0], "reward": 0.5}))
                .collect()
        };
        items[0]["tuples"] = tuples(1100);
        items[1]["tuples"] = tuples(1100);
        items[2]["tuples"] = tuples(10);
        let mock = api
            .expect_async(items_req(&episodes), |then| json_reply(then, 200, items))
            .await;
        let data = Dataset::new(client.clone());
        for (format, name) in FORMATS {
            let err = data.export(format).to_path(dir.path().join(name)).await;
            assert!(
                matches!(&err, Err(Error::Decode { message, .. }) if message.contains("announced 30 tuples")),
                "{format:?}: {err:?}"
            );
        }
        mock.assert_calls_async(3).await;
        assert_eq!(dir_names(dir.path()), Vec::<String>::new());
        api.done_async().await;
    }
}

#[tokio::test]
async fn a_large_selection_reads_its_episodes_100_ids_a_request_in_order() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let ids: Vec<String> = (0..250).map(|i| format!("e-{i:03}")).collect();
    let spec: Vec<(&str, &str, usize)> = ids.iter().map(|id| (id.as_str(), "b-1", 2)).collect();
    let episodes = data_episodes(&spec);
    expect_headers(&api, headers_json(&episodes)).await;
    let mut batches = Vec::new();
    for batch in episodes.chunks(100) {
        let mock = api
            .expect_async(items_req(batch), |then| {
                json_reply(then, 200, items_json(batch))
            })
            .await;
        batches.push(mock);
    }

    let columns = Dataset::new(client.clone()).columns().await.unwrap();
    let expected: Vec<_> = episodes.iter().map(|e| (e, vec![0, 1])).collect();
    assert_rows(&columns, &expected);
    assert_eq!(batches.len(), 3);
    for mock in &batches {
        mock.assert_calls_async(1).await;
    }
    api.done_async().await;
}
