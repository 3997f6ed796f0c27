"""``copy``: one storage's benchmarks, episodes and artifacts into another
(not in pytupli). Idempotent: what the destination holds already is
skipped, so an interrupted copy is finished by running it again.
"""

from __future__ import annotations

from typing import Any, Dict

from tupli import _tupli
from tupli._progress import ProgressLike, observer
from tupli.storage import TupliStorage, _filter_dump

__all__ = ["copy"]


def copy(
    source: TupliStorage,
    destination: TupliStorage,
    benchmark_filter: Any = None,
    episode_filter: Any = None,
    *,
    dry_run: bool = False,
    concurrency: int = 4,
    progress: ProgressLike = None,
) -> Dict[str, Any]:
    """Copies the benchmarks of ``source`` matching ``benchmark_filter`` (all
    by default), their episodes matching ``episode_filter`` and their
    artifacts into ``destination`` (a server or a folder, either way).

    Answers the report: ``copied``, ``skipped``, ``failed`` (counts),
    ``bytes`` and ``items``, one dict per object (``kind``, ``source_id``,
    ``status``, ``destination_id``, ``reason``, ``error``). ``dry_run`` asks
    the destination but writes nothing.
    """
    for name, storage in (("source", source), ("destination", destination)):
        if not isinstance(storage, TupliStorage) or not hasattr(storage, "_core"):
            raise TypeError(f"{name} must be a tupli TupliAPIClient or FileStorage, not {type(storage).__name__}")
    if not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a positive int, not {concurrency!r}")
    bf = _filter_dump(benchmark_filter, "benchmark_filter")
    ef = _filter_dump(episode_filter, "episode_filter")
    with observer(progress, "copy", "item") as watch:
        try:
            return _tupli.copy(source._core, destination._core, bf, ef, bool(dry_run), concurrency, watch)
        finally:
            source._done()
            destination._done()
