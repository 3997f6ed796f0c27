"""tupli and pytupli on the same data: one's folder read by the other's FileStorage, field
by field and float by float, both ways; pytupli's own TupliDataset over tupli's storage; and
on a server, what one client stores the other loads, both ways, sharing one login."""

import json

import pytest
import pytupli.dataset
import pytupli.schema as theirs
import pytupli.storage

import tupli
from support import benchmark_query, make_tuples

# Integers past float precision; a folder holds any JSON integer, MongoDB 8-byte ones.
BIG_INTS = {"i53": 2**53 + 1, "i64_min": -(2**63), "u64_max": 2**64 - 1}
SERVER_INTS = {"i53": 2**53 + 1, "i64_min": -(2**63), "i64_max": 2**63 - 1}


def awkward_tuples(ints=BIG_INTS):
    """Tuples with every kind of float of ``support.FLOATS``, text, nesting and large ints."""
    rows = make_tuples(6, seed=3, end="terminal")
    rows[0]["info"] = {"ints": ints, "nested": [[1, [2.5, None]], {"ü": "✓"}], "none": None}
    rows[1]["action"] = 3
    rows[2]["state"] = [0.0, -0.0, 1e-300]
    return rows


def exact(obj):
    """A model as JSON text: equal only if every float is, to its sign, and ints stay ints."""
    return json.dumps(obj.model_dump(), sort_keys=True, ensure_ascii=False)


def write_everything(storage, module, ints=BIG_INTS):
    """Stores a benchmark, an artifact and two episodes with ``storage`` (objects of the
    schema ``module``); answers what ``storage`` answered."""
    query = benchmark_query()
    header = storage.store_benchmark(module.BenchmarkQuery(**query))
    # A Latin-1 name: a server cannot send another back (docs/server-behaviour.md).
    meta = module.ArtifactMetadata(name="weights ü", description="d", benchmark_id=header.id,
                                   extra={"float": 0.1, "ints": ints})  # fmt: skip
    artifact = storage.store_artifact(bytes(range(256)) * 3, meta)
    episodes = [
        storage.record_episode(
            module.Episode(benchmark_id=header.id, metadata={"n": n, "ü": "✓"},
                           tuples=[module.RLTuple(**t) for t in rows])  # fmt: skip
        )
        for n, rows in enumerate([awkward_tuples(ints), make_tuples(3, seed=1, end="timeout")])
    ]
    return header, artifact, episodes


def read_everything(storage, header, artifact, episodes):
    """Reads back with ``storage`` what ``write_everything`` answered; asserts every field."""
    benchmark = storage.load_benchmark(header.id)
    assert exact(storage.list_benchmarks(None)[0]) == exact(header)
    assert {**json.loads(exact(benchmark)), "serialized": None} == {
        **json.loads(exact(header)),
        "serialized": None,
    }
    assert storage.load_artifact(artifact.id) == bytes(range(256)) * 3
    assert [exact(a) for a in storage.list_artifacts(None)] == [exact(artifact)]
    listed = {e.id: e for e in storage.list_episodes(None, include_tuples=False)}
    assert {i: exact(e) for i, e in listed.items()} == {e.id: exact(e) for e in episodes}
    return {e.id: e for e in storage.list_episodes(None, include_tuples=True)}, benchmark


def test_folder_written_by_pytupli_read_by_tupli(tmp_path):
    folder = str(tmp_path / "by-pytupli")
    written = write_everything(pytupli.storage.FileStorage(folder), theirs)
    ours = tupli.FileStorage(folder)
    items, benchmark = read_everything(ours, *written)
    reference = pytupli.storage.FileStorage(folder)
    assert exact(benchmark) == exact(reference.load_benchmark(written[0].id))
    for item in reference.list_episodes(include_tuples=True):
        assert isinstance(items[item.id], tupli.EpisodeItem)
        assert exact(items[item.id]) == exact(item)
    assert items[written[2][0].id].tuples[0].info["ints"] == BIG_INTS


def test_folder_written_by_tupli_read_by_pytupli(tmp_path):
    folder = str(tmp_path / "by-tupli")
    written = write_everything(tupli.FileStorage(folder), tupli)
    items, _ = read_everything(pytupli.storage.FileStorage(folder), *written)
    ours = tupli.FileStorage(folder)
    for item in ours.list_episodes(include_tuples=True):
        assert exact(items[item.id]) == exact(item)
    first = written[2][0].id
    assert json.dumps([t.model_dump() for t in items[first].tuples]) == json.dumps(awkward_tuples())
    # pytupli answers tupli's records for the same hash and the same bytes.
    again = pytupli.storage.FileStorage(folder)
    assert again.store_benchmark(
        theirs.BenchmarkQuery(**ours.load_benchmark(written[0].id).model_dump())
    ).id == written[0].id
    assert again.store_artifact(bytes(range(256)) * 3, theirs.ArtifactMetadata(name="x")).id == (
        written[1].id
    )


def test_pytupli_dataset_over_tupli_storages(tmp_path):
    folder = str(tmp_path / "dataset")
    header, _, episodes = write_everything(tupli.FileStorage(folder), tupli)
    by_pytupli = pytupli.dataset.TupliDataset(pytupli.storage.FileStorage(folder))
    by_pytupli.load()
    # pytupli's dataset drives tupli's storage with pytupli's filters.
    over_tupli = pytupli.dataset.TupliDataset(tupli.FileStorage(folder)).with_benchmark_filter(
        theirs.FilterEQ(key="hash", value=header.hash)
    )
    over_tupli.load()
    assert len(over_tupli.tuples) == 9

    # A folder lists its files in no set order: compare episode by episode.
    def by_episode(dataset):
        return {e.id: json.dumps([t.model_dump() for t in e.tuples]) for e in dataset.episodes}

    assert by_episode(over_tupli) == by_episode(by_pytupli)
    assert sorted(e.id for e in over_tupli.preview()) == sorted(e.id for e in episodes)


@pytest.fixture
def shared_login(url, user, keyring_entries):
    """A tupli client and a pytupli client sharing one login (through the keyring)."""
    ours = tupli.TupliAPIClient(token_store="keyring")
    ours.login(user.name, user.password, url=url)
    return ours, pytupli.storage.TupliAPIClient(), user.name


def server_objects(storage, module, name):
    """Stores on a server what ``write_everything`` stores; asserts the user ``name`` made it."""
    header, artifact, episodes = write_everything(storage, module, SERVER_INTS)
    assert header.created_by == artifact.created_by == name
    return header, artifact, episodes


def compare_on_server(reader, header, artifact, episodes):
    """Asserts ``reader`` sees on the server exactly what was stored."""
    only = theirs.FilterEQ(key="id", value=header.id)
    assert [exact(b) for b in reader.list_benchmarks(only)] == [exact(header)]
    benchmark = reader.load_benchmark(header.id)
    assert json.loads(exact(benchmark)) == {**json.loads(exact(header)),
                                            "serialized": benchmark.serialized}  # fmt: skip
    assert reader.load_artifact(artifact.id) == bytes(range(256)) * 3
    by_id = theirs.FilterEQ(key="id", value=artifact.id)
    assert [exact(a) for a in reader.list_artifacts(by_id)] == [exact(artifact)]
    of_benchmark = theirs.FilterEQ(key="benchmark_id", value=header.id)
    headers = reader.list_episodes(of_benchmark)
    assert sorted(exact(e) for e in headers) == sorted(exact(e) for e in episodes)
    items = reader.list_episodes(of_benchmark, include_tuples=True)
    return {e.id: e for e in items}


def test_server_tupli_stores_pytupli_reads(shared_login):
    ours, reference, name = shared_login
    written = server_objects(ours, tupli, name)
    items = compare_on_server(reference, *written)
    for item in ours.list_episodes(tupli.FilterEQ(key="benchmark_id", value=written[0].id),
                                   include_tuples=True):  # fmt: skip
        assert exact(item) == exact(items[item.id])
    first = items[written[2][0].id]
    assert json.dumps([t.model_dump() for t in first.tuples]) == json.dumps(
        awkward_tuples(SERVER_INTS)
    )


def test_server_pytupli_stores_tupli_reads(shared_login):
    ours, reference, name = shared_login
    written = server_objects(reference, theirs, name)
    items = compare_on_server(ours, *written)
    for item in reference.list_episodes(theirs.FilterEQ(key="benchmark_id", value=written[0].id),
                                        include_tuples=True):  # fmt: skip
        assert isinstance(items[item.id], tupli.EpisodeItem)
        assert exact(items[item.id]) == exact(item)
