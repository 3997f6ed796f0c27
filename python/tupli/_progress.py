"""Progress arguments: ``progress=None`` (nothing), a callable
``progress(done, total)`` (``total`` is ``None`` while unknown), or
``progress=True`` for a tqdm bar when tqdm is installed (nothing otherwise).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

ProgressLike = Any
"""``None``, ``True``, or a callable ``(done, total) -> None``."""


@contextmanager
def observer(progress: ProgressLike, description: str, unit: str) -> Iterator[Optional[Callable[[int, Optional[int]], None]]]:
    """The callable to hand to the core for ``progress``, and a bar closed at the end."""
    if progress is None or progress is False:
        yield None
        return
    if progress is not True:
        if not callable(progress):
            raise TypeError(f"progress must be None, True or a callable, not {type(progress).__name__}")
        yield progress
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:
        yield None
        return
    bar = tqdm(desc=description, unit=unit, unit_scale=unit == "B")

    def update(done: int, total: Optional[int]) -> None:
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()
