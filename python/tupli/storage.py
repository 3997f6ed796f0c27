"""Storages: ``TupliStorage``, the base class of a server's client and a
folder, and ``FileStorage``, a folder laid out as pytupli's.

Every operation is defined once, here, and runs in the Rust core with the GIL
released: the inputs are checked and turned into their wire form first (so a
wrong one raises before anything is sent), the answers come back as tupli's
schema objects. Inputs may be tupli's objects, plain dicts, or pytupli's own
pydantic objects.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator, List, Optional, Union

from tupli import _tupli
from tupli.schema import (
    ArtifactMetadata,
    ArtifactMetadataItem,
    Benchmark,
    BenchmarkHeader,
    BenchmarkQuery,
    Episode,
    EpisodeHeader,
    EpisodeItem,
    as_dump,
    filter_from,
)

__all__ = ["TupliStorage", "FileStorage"]

FilterLike = Any
"""A tupli filter, its dict, a pytupli filter, or ``None`` (everything)."""


def _filter_dump(filter: FilterLike, argument: str = "filter") -> Optional[dict]:
    """The wire form of a filter argument (``None``: everything)."""
    built = filter_from(filter)
    return None if built is None else built.model_dump()


def _uri(uri: Any, argument: str = "uri") -> str:
    """An id argument, checked to be a non-empty string."""
    if not isinstance(uri, str):
        raise TypeError(f"{argument} must be a str (an object's id), not {type(uri).__name__}")
    return uri


class TupliStorage:
    """Base class of the storages: ``TupliAPIClient`` (a server) and
    ``FileStorage`` (a folder). Both pass ``isinstance(x, TupliStorage)``.

    A subclass of your own may override every method, as with pytupli.
    """

    _core: "_tupli.Storage"

    def __init__(self) -> None:
        raise NotImplementedError("TupliStorage is a base class: use TupliAPIClient or FileStorage")

    def _done(self) -> None:
        """Called after each call to the core (a client persists new tokens)."""

    def __deepcopy__(self, memo: dict) -> "TupliStorage":
        # pytupli's TupliDataset deep-copies its storage on each with_*():
        # the copy shares this one's connection and session.
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        return twin

    def _run(self, method: str, *args: Any) -> Any:
        """Calls the core's ``method``."""
        try:
            return getattr(self._core, method)(*args)
        finally:
            self._done()

    def _run_with(self, function: Any, *args: Any) -> Any:
        """Calls one of the core's functions with this storage first."""
        try:
            return function(self._core, *args)
        finally:
            self._done()

    # Benchmarks

    def store_benchmark(self, benchmark_query: Any) -> BenchmarkHeader:
        """Stores a benchmark (a ``BenchmarkQuery``); answers its header."""
        query = as_dump(benchmark_query, BenchmarkQuery)
        return BenchmarkHeader._from_dump(self._run("store_benchmark", query))

    def load_benchmark(self, uri: str) -> Benchmark:
        """Loads the benchmark with id ``uri``, its serialized environment included."""
        return Benchmark._from_dump(self._run("load_benchmark", _uri(uri)))

    def list_benchmarks(self, filter: FilterLike = None) -> List[BenchmarkHeader]:
        """Lists the headers of the benchmarks matching ``filter`` (all by default)."""
        found = self._run("list_benchmarks", _filter_dump(filter))
        return [BenchmarkHeader._from_dump(d) for d in found]

    def delete_benchmark(self, uri: str) -> None:
        """Deletes the benchmark with id ``uri``."""
        self._run("delete_benchmark", _uri(uri))

    def publish_benchmark(self, uri: str, publish_in: str = "global") -> None:
        """Publishes the benchmark in the group ``publish_in``."""
        self._run("publish_benchmark", _uri(uri), _uri(publish_in, "publish_in"))

    def unpublish_benchmark(self, uri: str, unpublish_from: str) -> None:
        """Withdraws the benchmark from the group ``unpublish_from``."""
        self._run("unpublish_benchmark", _uri(uri), _uri(unpublish_from, "unpublish_from"))

    # Artifacts

    def store_artifact(self, artifact: bytes, metadata: Any) -> ArtifactMetadataItem:
        """Stores ``artifact``'s bytes with ``metadata`` (an ``ArtifactMetadata``)."""
        if not isinstance(artifact, (bytes, bytearray, memoryview)):
            raise TypeError(f"artifact must be bytes, not {type(artifact).__name__}")
        if isinstance(artifact, memoryview):
            artifact = artifact.tobytes()
        dump = as_dump(metadata, ArtifactMetadata)
        return ArtifactMetadataItem._from_dump(self._run("store_artifact", artifact, dump))

    def load_artifact(self, uri: str, **kwargs: Any) -> bytes:
        """Loads the artifact's bytes, checked against its recorded hash."""
        return self._run("load_artifact", _uri(uri))

    def list_artifacts(self, filter: FilterLike = None) -> List[ArtifactMetadataItem]:
        """Lists the artifacts matching ``filter`` (all by default)."""
        found = self._run("list_artifacts", _filter_dump(filter))
        return [ArtifactMetadataItem._from_dump(d) for d in found]

    def delete_artifact(self, uri: str) -> None:
        """Deletes the artifact with id ``uri``."""
        self._run("delete_artifact", _uri(uri))

    def publish_artifact(self, uri: str, publish_in: str = "global") -> None:
        """Publishes the artifact in the group ``publish_in``."""
        self._run("publish_artifact", _uri(uri), _uri(publish_in, "publish_in"))

    def unpublish_artifact(self, uri: str, unpublish_from: str) -> None:
        """Withdraws the artifact from the group ``unpublish_from``."""
        self._run("unpublish_artifact", _uri(uri), _uri(unpublish_from, "unpublish_from"))

    # Episodes

    def record_episode(self, episode: Any) -> EpisodeHeader:
        """Records an episode (an ``Episode``), checked before it is sent (a NaN
        or an infinity in a tuple is an ``InvalidInputError`` naming the step)."""
        # An object (tupli's or pydantic's) is read by the core field by field;
        # a dict is checked here first.
        given = as_dump(episode, Episode) if isinstance(episode, dict) else episode
        return EpisodeHeader._from_dump(self._run("record_episode", given))

    def list_episodes(
        self, filter: FilterLike = None, include_tuples: bool = False
    ) -> Union[List[EpisodeHeader], List[EpisodeItem]]:
        """Lists the episodes matching ``filter``: their headers, or with
        ``include_tuples`` the items with their tuples."""
        found = self._run("list_episodes", _filter_dump(filter), bool(include_tuples))
        if include_tuples:
            return found  # the core makes the EpisodeItem objects itself
        return [EpisodeHeader._from_dump(d) for d in found]

    def iter_episodes(
        self, filter: FilterLike = None, include_tuples: bool = True
    ) -> Iterator[Union[EpisodeItem, EpisodeHeader]]:
        """Yields the episodes matching ``filter`` one at a time as they arrive,
        in memory bounded by the largest episode (not in pytupli)."""
        stream = self._run("iter_episodes", _filter_dump(filter), bool(include_tuples))
        for episode in stream:
            self._done()
            yield episode if include_tuples else EpisodeHeader._from_dump(episode)

    def delete_episode(self, uri: str) -> None:
        """Deletes the episode with id ``uri``."""
        self._run("delete_episode", _uri(uri))

    def publish_episode(self, uri: str, publish_in: str = "global") -> None:
        """Publishes the episode in the group ``publish_in``."""
        self._run("publish_episode", _uri(uri), _uri(publish_in, "publish_in"))

    def unpublish_episode(self, uri: str, unpublish_from: str) -> None:
        """Withdraws the episode from the group ``unpublish_from``."""
        self._run("unpublish_episode", _uri(uri), _uri(unpublish_from, "unpublish_from"))


class FileStorage(TupliStorage):
    """A folder of benchmarks, artifacts and episodes, laid out as pytupli's
    ``FileStorage`` lays it out, so both read and write the same folder.

    Files are written atomically (a temporary file, then a rename).
    """

    def __init__(self, storage_base_dir: Union[str, "os.PathLike[str]"] = "_local_storage") -> None:
        self.storage_dir = Path(storage_base_dir)
        self._core = _tupli.Storage.folder(os.fspath(self.storage_dir))

    def __repr__(self) -> str:
        return f"FileStorage(storage_base_dir={str(self.storage_dir)!r})"

    def __reduce__(self):
        return (FileStorage, (str(self.storage_dir),))
