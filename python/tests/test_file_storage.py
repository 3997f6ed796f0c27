"""FileStorage, a local folder laid out as pytupli's FileStorage lays it out: every method,
the files it writes (as pytupli writes them), deduplication, filters and missing ids. No
server needed."""

import datetime
import hashlib
import inspect
import json
import re

import pytest
import pytupli.schema as theirs

import tupli
from support import ESCAPED, benchmark_query, make_tuples, unique

CREATOR = "local_storage"


def assert_item(obj, name):
    """Asserts ``obj`` is tupli's and pytupli's ``name`` and carries a folder's identity."""
    assert isinstance(obj, getattr(tupli, name)) and isinstance(obj, getattr(theirs, name))
    assert re.fullmatch(r"[0-9a-f]{32}", obj.id)
    assert (obj.created_by, obj.published_in) == (CREATOR, [CREATOR])
    datetime.datetime.fromisoformat(obj.created_at)


def written_as_pytupli(path, data):
    """Asserts the file at ``path`` holds ``data`` exactly as ``json.dumps(data, indent=2)``."""
    assert path.read_text(encoding="utf-8") == json.dumps(data, indent=2)


@pytest.fixture
def storage(tmp_path):
    """A FileStorage in a new folder."""
    return tupli.FileStorage(str(tmp_path / "store"))


def test_signature_and_folder(tmp_path, monkeypatch):
    parameter = inspect.signature(tupli.FileStorage).parameters["storage_base_dir"]
    assert parameter.default == "_local_storage"
    monkeypatch.chdir(tmp_path)
    storage = tupli.FileStorage()
    assert (tmp_path / "_local_storage").is_dir()
    assert isinstance(storage, tupli.TupliStorage)
    tupli.FileStorage(str(tmp_path / "other"))
    assert (tmp_path / "other").is_dir()


@pytest.mark.parametrize("form", ["tupli", "dict", "pytupli"])
def test_benchmarks(storage, tmp_path, form):
    query = benchmark_query()
    module = tupli if form == "tupli" else theirs
    given = query if form == "dict" else module.BenchmarkQuery(**query)
    header = storage.store_benchmark(given)
    assert_item(header, "BenchmarkHeader")
    assert not hasattr(header, "serialized")
    assert (header.hash, header.metadata.model_dump()) == (query["hash"], query["metadata"])
    full = {**header.model_dump(), "serialized": query["serialized"]}
    written_as_pytupli(tmp_path / "store" / "benchmarks" / f"{header.id}.json", full)

    loaded = storage.load_benchmark(header.id)
    assert isinstance(loaded, tupli.Benchmark) and isinstance(loaded, theirs.Benchmark)
    assert loaded.model_dump() == full
    # The same hash again answers the stored benchmark.
    again = storage.store_benchmark({**query, "metadata": {"name": "other"}})
    assert again.model_dump() == header.model_dump()
    assert [b.model_dump() for b in storage.list_benchmarks()] == [header.model_dump()]
    by_name = tupli.FilterEQ(key="metadata.name", value=query["metadata"]["name"])
    assert [b.id for b in storage.list_benchmarks(by_name)] == [header.id]
    assert storage.list_benchmarks(tupli.FilterEQ(key="metadata.name", value="none")) == []

    assert storage.publish_benchmark(header.id) is None
    assert storage.load_benchmark(header.id).published_in == [CREATOR]
    assert storage.delete_benchmark(header.id) is None
    assert storage.list_benchmarks() == []
    with pytest.raises(tupli.NotFoundError):
        storage.load_benchmark(header.id)
    with pytest.raises(tupli.NotFoundError):
        storage.delete_benchmark(header.id)


def test_artifacts(storage, tmp_path):
    data = b"\x00\xff" * 5000 + "ünïcode".encode()
    meta = {"name": unique("artifact"), "description": "d", "benchmark_id": "b" * 32,
            "extra": {"format": "csv", "rows": 3}}  # fmt: skip
    item = storage.store_artifact(data, meta)
    assert_item(item, "ArtifactMetadataItem")
    # A folder hashes the bytes alone (a server adds the uploader's name).
    assert item.hash == hashlib.sha256(data).hexdigest()
    assert {k: getattr(item, k) for k in meta} == meta and item.encoding == "utf-8"
    folder = tmp_path / "store" / "artifacts"
    assert (folder / item.id).read_bytes() == data
    written_as_pytupli(folder / f"{item.id}.metadata.json", item.model_dump())

    loaded = storage.load_artifact(item.id)
    assert type(loaded) is bytes and loaded == data
    same = storage.store_artifact(data, tupli.ArtifactMetadata(name="again"))
    assert same.model_dump() == item.model_dump()
    other = storage.store_artifact(b"other bytes", tupli.ArtifactMetadata(name="other"))
    assert {a.id for a in storage.list_artifacts()} == {item.id, other.id}
    assert [a.id for a in storage.list_artifacts(tupli.FilterEQ(key="extra.rows", value=3))] == [
        item.id
    ]
    assert storage.publish_artifact(item.id, publish_in="global") is None

    assert storage.delete_artifact(item.id) is None
    assert not (folder / item.id).exists()
    assert not (folder / f"{item.id}.metadata.json").exists()
    with pytest.raises(tupli.NotFoundError):
        storage.load_artifact(item.id)
    assert [a.id for a in storage.list_artifacts()] == [other.id]


def test_episodes(storage, tmp_path):
    benchmark = storage.store_benchmark(benchmark_query())
    rows = make_tuples(5, seed=2, end="both")
    header = storage.record_episode(
        {"benchmark_id": benchmark.id, "metadata": {"run": 1}, "tuples": rows}
    )
    assert_item(header, "EpisodeHeader")
    assert not hasattr(header, "tuples")
    assert (header.benchmark_id, header.metadata, header.n_tuples) == (benchmark.id, {"run": 1}, 5)
    assert (header.terminated, header.timeout) == (True, True)
    full = {**header.model_dump(), "tuples": rows}
    written_as_pytupli(tmp_path / "store" / "episodes" / f"{header.id}.json", full)

    headers = storage.list_episodes()
    assert [h.model_dump() for h in headers] == [header.model_dump()]
    assert isinstance(headers[0], tupli.EpisodeHeader) and not hasattr(headers[0], "tuples")
    items = storage.list_episodes(include_tuples=True)
    assert isinstance(items[0], tupli.EpisodeItem) and isinstance(items[0], theirs.EpisodeItem)
    assert json.dumps(items[0].model_dump()) == json.dumps(full)
    of_benchmark = tupli.FilterEQ(key="benchmark_id", value=benchmark.id)
    assert [e.id for e in storage.list_episodes(of_benchmark, include_tuples=False)] == [header.id]
    assert storage.publish_episode(header.id) is None

    assert storage.delete_episode(header.id) is None
    assert storage.list_episodes() == []
    with pytest.raises(tupli.NotFoundError):
        storage.delete_episode(header.id)


def test_episode_needs_its_benchmark(storage, tmp_path):
    episode = {"benchmark_id": "0" * 32, "metadata": {}, "tuples": make_tuples(2)}
    with pytest.raises(tupli.TupliStorageError):
        storage.record_episode(episode)
    assert storage.list_episodes() == []
    folder = tmp_path / "store" / "episodes"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_filters(storage):
    ids = {}
    for name, score, tags in [("a", 1, ["x"]), ("b", 2.5, ["y"]), ("c", 4, ["x", "y"])]:
        query = benchmark_query(name)
        query["metadata"]["extra"] = {"score": score, "tags": tags, "group": {"size": score * 2}}
        ids[name] = storage.store_benchmark(query).id

    def names(f):
        found = {b.id for b in storage.list_benchmarks(f)}
        return sorted(n for n, i in ids.items() if i in found)

    score = "metadata.extra.score"
    assert names(None) == ["a", "b", "c"]
    assert names(tupli.FilterEQ(key=score, value=2.5)) == ["b"]
    assert names(tupli.FilterNE(key=score, value=2.5)) == ["a", "c"]
    assert names(tupli.FilterGEQ(key=score, value=2.5)) == ["b", "c"]
    assert names(tupli.FilterGT(key=score, value=2.5)) == ["c"]
    assert names(tupli.FilterLEQ(key=score, value=2.5)) == ["a", "b"]
    assert names(tupli.FilterLT(key=score, value=2.5)) == ["a"]
    assert names(tupli.FilterGT(key="metadata.extra.group.size", value=6)) == ["c"]
    both = tupli.FilterGEQ(key=score, value=2) & tupli.FilterLT(key=score, value=4)
    assert names(both) == ["b"]
    either = tupli.FilterEQ(key="metadata.name", value="a") | tupli.FilterGT(key=score, value=3)
    assert names(either) == ["a", "c"]
    assert names({"type": "EQ", "key": "metadata.name", "value": "c"}) == ["c"]
    assert names(theirs.FilterLT(key=score, value=2)) == ["a"]
    assert names(tupli.FilterEQ(key="metadata.extra.missing", value=1)) == []


def test_text_that_json_escapes_round_trips(storage, tmp_path):
    query = benchmark_query()
    query["metadata"]["description"] = ESCAPED
    header = storage.store_benchmark(query)
    rows = make_tuples(2)
    rows[0]["info"] = {"text": ESCAPED, ESCAPED: [ESCAPED]}
    episode = storage.record_episode(
        {"benchmark_id": header.id, "metadata": {"note": ESCAPED}, "tuples": rows}
    )
    assert storage.list_benchmarks()[0].metadata.description == ESCAPED
    [item] = storage.list_episodes(include_tuples=True)
    assert item.metadata == {"note": ESCAPED}
    assert [t.model_dump() for t in item.tuples] == rows
    written_as_pytupli(
        tmp_path / "store" / "episodes" / f"{episode.id}.json",
        {**episode.model_dump(), "tuples": rows},
    )
