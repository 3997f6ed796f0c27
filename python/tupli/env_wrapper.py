"""``TupliEnvWrapper``: a gymnasium wrapper with pytupli's API that records
the episodes it sees, stored in the background.

``step`` never waits on the network: at an episode's end the episode is
handed to tupli's Rust ``EpisodeRecorder``, which stores it on its own
threads, retrying what can be retried, each episode exactly once (a key in
its metadata finds one already stored). ``flush()`` waits for them;
``close()`` flushes, closes the environment, and raises ``RecordingError``
listing what could not be stored. Needs ``gymnasium`` and ``jsonpickle``
(``pip install tupli[gym]``).
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional, SupportsFloat, Tuple

from gymnasium import Env, Wrapper

from tupli import _tupli
from tupli.errors import InvalidInputError, RecordingError
from tupli.schema import BenchmarkMetadata, BenchmarkQuery, Episode, EpisodeMetadataCallback, FilterEQ, RLTuple
from tupli.storage import TupliStorage

__all__ = ["TupliEnvWrapper"]


class TupliEnvWrapper(Wrapper):
    """Wraps ``env`` to store it as a benchmark and record its episodes into
    ``storage``. Arguments as pytupli's; ``capacity`` bounds the tuples held
    for storing (``step`` waits for room only beyond it)."""

    def __init__(
        self,
        env: Env,
        storage: TupliStorage,
        benchmark_id: Optional[str] = None,
        metadata_callback: Optional[EpisodeMetadataCallback] = None,
        rl_tuple_cls: type = RLTuple,
        *,
        capacity: Optional[int] = None,
    ) -> None:
        super().__init__(env)
        self.storage = storage
        self.tuple_buffer: List[Any] = []
        self._record_episodes = True
        self.metadata_callback = metadata_callback
        self.id = benchmark_id
        self.rl_tuple_cls = rl_tuple_cls
        self._capacity = capacity
        self._recorder: Optional[_tupli.Recorder] = None

    # Recording

    def activate_recording(self) -> None:
        """Records the steps from now on (the default)."""
        self._record_episodes = True

    def deactivate_recording(self) -> None:
        """Stops recording: steps are neither kept nor stored."""
        self._record_episodes = False

    def reset(self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None) -> Tuple[Any, Dict[str, Any]]:
        """Resets the environment (as pytupli, the tuples of an unfinished
        episode stay in ``tuple_buffer``)."""
        return self.env.reset(seed=seed, options=options)

    def step(self, action: Any) -> Tuple[Any, SupportsFloat, bool, bool, Dict[str, Any]]:
        """Steps the environment; at an episode's end hands it to the recorder."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        rl_tuple = self.rl_tuple_cls.from_env_step(obs, action, reward, terminated, truncated, info)
        if self._record_episodes:
            metadata = self.metadata_callback(rl_tuple) if self.metadata_callback else {}
            self.tuple_buffer.append(rl_tuple)
            if terminated or truncated:
                # The core reads the tuples' fields itself: nothing is dumped here.
                episode = Episode.model_construct(
                    benchmark_id=self.id, metadata=dict(metadata), tuples=self.tuple_buffer
                )
                self._recording().record(episode)
                self.tuple_buffer = []
                if self.metadata_callback:
                    self.metadata_callback.reset()
        return obs, reward, terminated, truncated, info

    def _recording(self) -> "_tupli.Recorder":
        if self.id is None:
            raise InvalidInputError(
                "TupliEnvWrapper.step: the episode has no benchmark: call store() first, "
                "or pass benchmark_id (or deactivate_recording())"
            )
        if self._recorder is None:
            self._recorder = _tupli.Recorder(self.storage._core, self.id, self._capacity)
        return self._recorder

    @property
    def pending_episodes(self) -> int:
        """Episodes handed over and not yet stored."""
        return 0 if self._recorder is None else self._recorder.pending()

    def flush(self) -> Dict[str, Any]:
        """Waits until every episode handed over is stored or has failed;
        answers the report (``stored``, ``found_by_key``, ``failed``)."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return {"stored": 0, "found_by_key": 0, "failed": []}
        return recorder.close()

    def close(self) -> None:
        """Flushes, closes the environment, and raises ``RecordingError`` when
        an episode could not be stored (each failure with its error)."""
        report = self.flush()
        super().close()
        if report["failed"]:
            lines = [f"{f['key']} ({f['n_tuples']} tuples): {f['error']}" for f in report["failed"]]
            raise RecordingError(
                f"{len(lines)} episode(s) could not be stored: " + "; ".join(lines),
                report["failed"],
            )

    # The benchmark

    def _get_hash(self, obj: Any) -> str:
        import jsonpickle

        return hashlib.sha256(jsonpickle.encode(obj).encode("utf-8")).hexdigest()

    def serialize_env(self, env: Env) -> str:
        """The environment as jsonpickle's JSON, its related artifacts noted."""
        import jsonpickle

        env, related_artifacts = self._serialize(env)
        setattr(env.unwrapped, "related_artifacts", related_artifacts)
        return jsonpickle.encode(env, indent=4, warn=True)

    @classmethod
    def deserialize_env(cls, serialized_env: str, storage: TupliStorage) -> Env:
        """The environment back from ``serialize_env``'s JSON."""
        import jsonpickle

        return cls._deserialize(jsonpickle.decode(serialized_env), storage)

    def _serialize(self, env: Env) -> Tuple[Env, list]:
        """Override to store artifacts (files, models) the environment needs;
        answers the environment and the artifacts' ids."""
        return env, []

    @classmethod
    def _deserialize(cls, env: Env, storage: TupliStorage) -> Env:
        """Override to load what ``_serialize`` stored."""
        return env

    def _prepare_storage(self, metadata: BenchmarkMetadata) -> Tuple[str, str]:
        serialized = self.serialize_env(self.env)
        return self._get_hash([self.env, metadata.model_dump()]), serialized

    def store(self, name: str, description: str = "", difficulty: Optional[str] = None, version: Optional[str] = None, metadata: Optional[Dict[str, Any]] = None) -> None:
        """Stores the environment as a benchmark; its id becomes ``self.id``."""
        meta = BenchmarkMetadata(name=name, description=description, difficulty=difficulty, version=version, extra=dict(metadata or {}))
        benchmark_hash, serialized = self._prepare_storage(meta)
        header = self.storage.store_benchmark(
            benchmark_query=BenchmarkQuery(hash=benchmark_hash, serialized=serialized, metadata=meta)
        )
        self.id = header.id

    def publish(self) -> None:
        """Publishes the benchmark (in the group ``global``)."""
        self.storage.publish_benchmark(self.id)

    @classmethod
    def load(cls, storage: TupliStorage, benchmark_id: Optional[str] = None, metadata_callback: Optional[EpisodeMetadataCallback] = None, rl_tuple_cls: type = RLTuple) -> "TupliEnvWrapper":
        """A wrapper around the environment of the stored benchmark ``benchmark_id``."""
        stored = storage.load_benchmark(benchmark_id)
        env = cls.deserialize_env(stored.serialized, storage)
        return cls(env, storage, benchmark_id, metadata_callback, rl_tuple_cls)

    def delete(self, delete_artifacts: bool = False, delete_episodes: bool = True) -> None:
        """Deletes the benchmark, its episodes (after storing those still
        pending) and, when asked, its related artifacts."""
        self.flush()
        if delete_episodes:
            for header in self.storage.list_episodes(FilterEQ(key="benchmark_id", value=self.id)):
                self.storage.delete_episode(header.id)
        self.storage.delete_benchmark(self.id)
        if delete_artifacts:
            for artifact_id in getattr(self.env.unwrapped, "related_artifacts", []):
                self.storage.delete_artifact(artifact_id)
