"""What tupli offers beyond pytupli's API, marked ``beyond`` (``-m beyond`` / ``-m "not
beyond"``) since these names may still change:

- ``tupli.copy(source, destination, benchmark_filter=None)``: benchmarks with their episodes
  and artifacts, idempotent;
- ``storage.iter_episodes(filter=None)``: EpisodeItems streamed one at a time;
- dataset exports: ``to_npz(path)`` and ``to_parquet(path)`` (or ``export(path,
  format=...)``, as the package spells it today, which also writes Arrow files), and
  ``to_arrow()``, an Arrow table or an object with ``__arrow_c_stream__``.
"""

import json

import numpy as np
import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq
import pytest

import tupli
from support import DATASET_EPISODES, same_bits, store_dataset, unique

pytestmark = pytest.mark.beyond

ROWS = sum(length for length, _ in DATASET_EPISODES)
ARTIFACT = bytes(range(256)) * 50
EXPORT_COLUMNS = ("observations", "actions", "next_observations", "rewards", "terminals",
                  "timeouts")  # fmt: skip


def exact(obj):
    """A model (or dict) as JSON text, equal only if every value is."""
    return json.dumps(obj.model_dump() if hasattr(obj, "model_dump") else obj, sort_keys=True)


def contents(storage, benchmark_hash, artifact_name):
    """What ``storage`` holds of a dataset: its benchmark, the episodes' metadata (without
    ``tupli_key``, which a copy writes) and tuples (as sorted JSON), and the artifact's bytes,
    which must belong to the benchmark there."""
    [header] = storage.list_benchmarks(tupli.FilterEQ(key="hash", value=benchmark_hash))
    benchmark = storage.load_benchmark(header.id)
    episodes = storage.list_episodes(
        tupli.FilterEQ(key="benchmark_id", value=header.id), include_tuples=True
    )
    [artifact] = storage.list_artifacts(tupli.FilterEQ(key="name", value=artifact_name))
    assert artifact.benchmark_id == header.id
    metadata = [{k: v for k, v in e.metadata.items() if k != "tupli_key"} for e in episodes]
    return {
        "benchmark": (benchmark.hash, benchmark.serialized, exact(benchmark.metadata)),
        "episodes": sorted(
            json.dumps([m, [t.model_dump() for t in e.tuples]], sort_keys=True)
            for m, e in zip(metadata, episodes)
        ),
        "artifact": (storage.load_artifact(artifact.id), artifact.description, artifact.extra),
    }


def fill(storage):
    """A dataset and an artifact of its benchmark on ``storage``; answers (benchmark hash,
    artifact name)."""
    header, _ = store_dataset(storage)
    name = unique("artifact")
    storage.store_artifact(
        ARTIFACT, {"name": name, "description": "copied", "benchmark_id": header.id,
                   "extra": {"kind": "weights"}}  # fmt: skip
    )
    return header.hash, name


def counts(storage, benchmark_hash, artifact_name):
    """How many benchmarks of the hash, episodes of them and artifacts of the name ``storage``
    lists."""
    benchmarks = storage.list_benchmarks(tupli.FilterEQ(key="hash", value=benchmark_hash))
    episodes = [
        e for b in benchmarks
        for e in storage.list_episodes(tupli.FilterEQ(key="benchmark_id", value=b.id))
    ]  # fmt: skip
    artifacts = storage.list_artifacts(tupli.FilterEQ(key="name", value=artifact_name))
    return len(benchmarks), len(episodes), len(artifacts)


def test_copy_folder_to_server(user, tmp_path):
    folder = tupli.FileStorage(str(tmp_path / "store"))
    benchmark_hash, name = fill(folder)
    tupli.copy(folder, user.client)
    copied = contents(user.client, benchmark_hash, name)
    assert copied == contents(folder, benchmark_hash, name)
    assert len(copied["episodes"]) == len(DATASET_EPISODES)
    assert copied["artifact"] == (ARTIFACT, "copied", {"kind": "weights"})
    # Copying again copies nothing.
    assert counts(user.client, benchmark_hash, name) == (1, len(DATASET_EPISODES), 1)
    tupli.copy(folder, user.client)
    assert counts(user.client, benchmark_hash, name) == (1, len(DATASET_EPISODES), 1)


def test_copy_server_to_folder(user, tmp_path):
    benchmark_hash, name = fill(user.client)
    folder = tupli.FileStorage(str(tmp_path / "copy"))
    # Only this test's benchmark: the server also lists what other tests published.
    only = tupli.FilterEQ(key="hash", value=benchmark_hash)
    tupli.copy(user.client, folder, benchmark_filter=only)
    assert [b.hash for b in folder.list_benchmarks()] == [benchmark_hash]
    assert contents(folder, benchmark_hash, name) == contents(user.client, benchmark_hash, name)
    assert counts(folder, benchmark_hash, name) == (1, len(DATASET_EPISODES), 1)
    tupli.copy(user.client, folder, benchmark_filter=only)
    assert counts(folder, benchmark_hash, name) == (1, len(DATASET_EPISODES), 1)


@pytest.mark.parametrize("where", ["folder", "server"])
def test_iter_episodes_streams_episode_items(where, request, tmp_path):
    if where == "folder":
        storage = tupli.FileStorage(str(tmp_path / "store"))
    else:
        storage = request.getfixturevalue("user").client
    header, _ = store_dataset(storage)
    only = tupli.FilterEQ(key="benchmark_id", value=header.id)
    stream = storage.iter_episodes(filter=only)
    assert iter(stream) is stream and not isinstance(stream, list)
    first = next(stream)
    assert isinstance(first, tupli.EpisodeItem) and first.tuples
    streamed = [first, *stream]
    listed = storage.list_episodes(only, include_tuples=True)
    assert sorted(map(exact, streamed)) == sorted(map(exact, listed))
    assert len(streamed) == len(DATASET_EPISODES)
    assert len(list(storage.iter_episodes())) >= len(DATASET_EPISODES)


@pytest.fixture
def dataset(user):
    """A loaded tupli dataset of this test's episodes on the server."""
    header, _ = store_dataset(user.client)
    data = tupli.TupliDataset(user.client).with_benchmark_filter(
        tupli.FilterEQ(key="hash", value=header.hash)
    )
    data.load()
    return data


def expected_columns(dataset, dtype):
    """The dataset's default D4RL columns in ``dtype`` (float32 or float64)."""
    assert dtype in (np.float32, np.float64), dtype
    return dataset.convert_to_d4rl_format(dtype=dtype)


def write_export(dataset, path, fmt):
    """Writes ``dataset`` to ``path`` as ``fmt``: with ``to_npz(path)`` / ``to_parquet(path)``
    when the dataset has them, else with ``export(path, format=fmt)`` (the Arrow file too:
    ``to_arrow()`` is the table in memory)."""
    writer = getattr(dataset, f"to_{fmt}", None) if fmt != "arrow" else None
    if writer is not None:
        writer(str(path))
    else:
        dataset.export(str(path), format=fmt)


def test_to_npz(dataset, tmp_path):
    path = tmp_path / "data.npz"
    write_export(dataset, path, "npz")
    with np.load(path) as npz:
        for name in EXPORT_COLUMNS:
            assert name in npz.files, (name, npz.files)
        expected = expected_columns(dataset, npz["observations"].dtype.type)
        for name in EXPORT_COLUMNS:
            same_bits(npz[name], expected[name], name)
        assert len(npz["rewards"]) == ROWS


def table_columns(table, dtype):
    """The export columns of an Arrow table as numpy arrays."""
    columns = {}
    for name in EXPORT_COLUMNS:
        values = table.column(name).to_pylist()
        kind = np.bool_ if name in ("terminals", "timeouts") else dtype
        columns[name] = np.array(values, dtype=kind)
    return columns


def float_type(table):
    """numpy's type for the table's ``rewards`` column."""
    return table.schema.field("rewards").type.to_pandas_dtype()


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_to_parquet_and_arrow_files(dataset, tmp_path, fmt):
    path = tmp_path / f"data.{fmt}"
    write_export(dataset, path, fmt)
    if fmt == "parquet":
        table = pq.read_table(path)
    else:
        with pa.OSFile(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
    assert table.num_rows == ROWS
    dtype = float_type(table)
    expected = expected_columns(dataset, dtype)
    for name, column in table_columns(table, dtype).items():
        same_bits(column, expected[name], name)


def test_to_arrow(dataset):
    exported = dataset.to_arrow()
    if isinstance(exported, pa.Table):
        table = exported
    else:
        assert hasattr(exported, "__arrow_c_stream__"), type(exported)
        table = pa.table(exported)
    assert table.num_rows == ROWS
    dtype = float_type(table)
    expected = expected_columns(dataset, dtype)
    for name, column in table_columns(table, dtype).items():
        same_bits(column, expected[name], name)
