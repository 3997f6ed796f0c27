"""``TupliDataset``: pytupli's dataset API on tupli's Rust ``Dataset``.

The columns come from the Rust core as numpy arrays that own the Rust
buffers: no JSON in Python, no Python float per number. The differences from
pytupli 1.2.9, each on purpose:

- ``observations``, ``actions``, ``rewards``, ``terminals`` and ``timeouts``
  are numpy arrays (``float32`` by default, ``dtype=`` chooses), not lists.
- ``convert_to_d4rl_format()`` keeps D4RL's meaning: ``next_observations``
  stay within each episode (an episode's last row repeats its own
  observation, where pytupli's points at the next episode's first), and
  ``terminals`` is the terminal flag alone, with ``timeouts`` beside it
  (pytupli ORs them). ``layout="pytupli"`` gives pytupli's arrays exactly.
- ``episodes`` (after ``load()``), ``tuples`` and ``infos`` hold pytupli's
  objects; they are built on first use, by listing the episodes with their
  tuples, so code that only needs the columns never pays for them.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Dict, Generator, List, Optional

from tupli import _tupli
from tupli.schema import EpisodeHeader, EpisodeItem, FilterIN, RLTuple, filter_from
from tupli.storage import TupliStorage
from tupli._parsers import NumpyTupleParser, _ArrayParser
from tupli._progress import observer

__all__ = ["TupliDataset"]

LAYOUTS = ("d4rl", "pytupli")
"""What ``layout`` may be."""


def _dtype_name(dtype: Any) -> str:
    import numpy as np

    name = np.dtype(dtype).name
    if name not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64, not {name}")
    return name


class TupliDataset:
    """The episodes of a storage's benchmarks, filtered, as training data.

    ``storage`` is a ``TupliAPIClient`` or a ``FileStorage``; ``dtype``
    (``numpy.float32`` by default, as pytupli's arrays) is the columns'.
    """

    def __init__(self, storage: TupliStorage, info: Optional[Dict[str, Any]] = None, *, dtype: Any = "float32") -> None:
        self.storage = storage
        self.info = info
        self.dtype = _dtype_name(dtype)
        self._benchmark_filter = None
        self._episode_filter = None
        self._tuple_filter_fcn: Optional[Callable[[RLTuple], bool]] = None
        self._benchmarks: Optional[list] = None
        self._headers: Optional[List[EpisodeHeader]] = None
        self._columns: Dict[str, Dict[str, Any]] = {}
        self._items: Optional[List[EpisodeItem]] = None
        self._tuples: Optional[List[RLTuple]] = None
        self._loaded = False

    # Selecting

    def _with(self, **changes: Any) -> "TupliDataset":
        twin = TupliDataset(self.storage, self.info, dtype=self.dtype)
        twin._benchmark_filter = self._benchmark_filter
        twin._episode_filter = self._episode_filter
        twin._tuple_filter_fcn = self._tuple_filter_fcn
        for name, value in changes.items():
            setattr(twin, name, value)
        return twin

    def with_benchmark_filter(self, filter: Any) -> "TupliDataset":
        """A new dataset of the episodes of the benchmarks matching ``filter``
        (replacing an earlier benchmark filter, as in pytupli)."""
        return self._with(_benchmark_filter=filter_from(filter))

    def with_episode_filter(self, filter: Any) -> "TupliDataset":
        """A new dataset keeping the episodes matching ``filter`` (replacing an
        earlier episode filter)."""
        return self._with(_episode_filter=filter_from(filter))

    def with_tuple_filter(self, filter_fcn: Callable[[RLTuple], bool]) -> "TupliDataset":
        """A new dataset keeping the tuples ``filter_fcn`` answers true for; a
        kept tuple's next observation is still its episode's next one."""
        if not callable(filter_fcn):
            raise TypeError(f"filter_fcn must be callable, not {type(filter_fcn).__name__}")
        return self._with(_tuple_filter_fcn=filter_fcn)

    def _filters(self):
        bf = None if self._benchmark_filter is None else self._benchmark_filter.model_dump()
        ef = None if self._episode_filter is None else self._episode_filter.model_dump()
        return bf, ef

    def _select(self) -> None:
        if self._headers is None:
            bf, ef = self._filters()
            found = self.storage._run_with(_tupli.preview, bf, ef)
            self._headers = [EpisodeHeader._from_dump(d) for d in found]

    @property
    def benchmarks(self) -> list:
        """The headers of the benchmarks matching the benchmark filter (listed on first use)."""
        if self._benchmarks is None:
            self._benchmarks = self.storage.list_benchmarks(self._benchmark_filter)
        return self._benchmarks

    @benchmarks.setter
    def benchmarks(self, value: list) -> None:
        self._benchmarks = list(value)

    def preview(self) -> List[EpisodeHeader]:
        """The headers of the selected episodes; no tuple is downloaded."""
        self._select()
        return list(self._headers)

    def load(self) -> None:
        """Downloads the selected episodes' tuples into columns."""
        columns = self._columns_of(self.dtype)
        if self._headers is None and self._tuple_filter_fcn is None:
            # Every selected episode has a row: the columns' headers are the selection's.
            self._headers = [EpisodeHeader._from_dump(d) for d in columns["episodes"]]
        self._select()
        self._loaded = True

    def _columns_of(self, dtype: str) -> Dict[str, Any]:
        if dtype not in self._columns:
            bf, ef = self._filters()
            self._columns[dtype] = self.storage._run_with(
                _tupli.load_columns, bf, ef, self._tuple_filter_fcn, "d4rl", dtype
            )
        return self._columns[dtype]

    def _loaded_columns(self) -> Dict[str, Any]:
        if not self._loaded:
            self.load()
        return self._columns_of(self.dtype)

    # pytupli's attributes

    @property
    def episodes(self) -> list:
        """Before ``load()``: the headers ``preview()`` found. After it: the
        episodes with their tuples (listed on first use)."""
        if not self._loaded:
            return list(self._headers or [])
        if self._items is None:
            ids = [h.id for h in self._headers]
            self._items = self.storage.list_episodes(FilterIN(key="id", value=ids), include_tuples=True) if ids else []
            order = {i: n for n, i in enumerate(ids)}
            self._items.sort(key=lambda e: order.get(e.id, len(order)))
        return self._items

    @episodes.setter
    def episodes(self, value: list) -> None:
        self._items = list(value)

    @property
    def tuples(self) -> List[RLTuple]:
        """The kept tuples as ``RLTuple`` objects, episode after episode (built on first use)."""
        if self._tuples is None:
            keep = self._tuple_filter_fcn
            self._tuples = [t for e in self.episodes for t in e.tuples if keep is None or keep(t)]
        return self._tuples

    @tuples.setter
    def tuples(self, value: List[RLTuple]) -> None:
        self._tuples = list(value)

    @property
    def observations(self):
        """Every kept tuple's state, ``[N × obs_dim]``."""
        return self._loaded_columns()["observations"]

    @property
    def actions(self):
        """Every kept tuple's action, ``[N × act_dim]``."""
        return self._loaded_columns()["actions"]

    @property
    def rewards(self):
        """Every kept tuple's reward, ``[N]``."""
        return self._loaded_columns()["rewards"]

    @property
    def terminals(self):
        """Every kept tuple's terminal flag, ``[N]`` booleans."""
        return self._loaded_columns()["terminals"]

    @property
    def timeouts(self):
        """Every kept tuple's timeout flag, ``[N]`` booleans."""
        return self._loaded_columns()["timeouts"]

    @property
    def infos(self) -> List[Dict[str, Any]]:
        """Every kept tuple's ``info`` dict (from ``tuples``)."""
        return [t.info for t in self.tuples]

    def columns(self, dtype: Any = None) -> Dict[str, Any]:
        """Every column as numpy arrays (not in pytupli): ``observations``,
        ``actions``, ``next_observations``, ``rewards``, ``terminals``,
        ``timeouts``, ``steps``, ``episode_index``, ``episode_starts``."""
        self._select()
        columns = self._columns_of(self.dtype if dtype is None else _dtype_name(dtype))
        return {k: v for k, v in columns.items() if k != "episodes"}

    # Sampling and batches

    def set_seed(self, seed: int) -> None:
        """Seeds Python's ``random``, which ``sample_episodes`` and a shuffled
        ``as_batch_generator`` draw from (as pytupli does)."""
        random.seed(seed)

    def sample_episodes(self, n_samples: int) -> List[EpisodeHeader]:
        """``n_samples`` of the selected episodes' headers at random (all when fewer)."""
        headers = self.preview()
        return random.sample(headers, min(n_samples, len(headers)))

    def as_batch_generator(self, batch_size: int, shuffle: bool = False) -> Generator[List[RLTuple], None, None]:
        """Yields the kept tuples in lists of ``batch_size``, shuffled with
        ``random`` when ``shuffle``."""
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, not {batch_size!r}")
        self.load()
        tuples = list(self.tuples)
        if shuffle:
            random.shuffle(tuples)
        for start in range(0, len(tuples), batch_size):
            yield tuples[start : start + batch_size]

    # Conversions

    def convert_to_tensors(self, parser: type = NumpyTupleParser) -> tuple:
        """``(observations, actions, rewards, terminals, timeouts)`` in the
        format ``parser`` makes (numpy by default; torch and tensorflow
        parsers share the arrays' memory where the library allows)."""
        columns = self._loaded_columns()
        arrays = tuple(columns[k] for k in ("observations", "actions", "rewards", "terminals", "timeouts"))
        ours = getattr(getattr(parser, "parse_lists", None), "__func__", None) is _ArrayParser.parse_lists.__func__
        if ours:  # a parser of tupli's (not one overriding parse_lists): straight from the arrays
            return parser.from_arrays(*arrays)
        return parser.parse_lists(*(a.tolist() for a in arrays))

    def convert_to_d4rl_format(self, layout: str = "d4rl", dtype: Any = None) -> Dict[str, Any]:
        """The D4RL dict: ``observations``, ``actions``, ``next_observations``,
        ``rewards``, ``terminals`` and (with ``layout="d4rl"``) ``timeouts``.
        ``layout="pytupli"`` makes pytupli's arrays exactly (see the module's
        docs)."""
        import numpy as np

        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
        if not self._loaded:
            self.load()
        c = self._columns_of(self.dtype if dtype is None else _dtype_name(dtype))
        if layout == "d4rl":
            keys = ("observations", "actions", "next_observations", "rewards", "terminals", "timeouts")
            return {k: c[k] for k in keys}
        obs = c["observations"]
        return {
            "observations": obs,
            "actions": c["actions"],
            "next_observations": np.concatenate([obs[1:], obs[-1:]], axis=0),
            "rewards": c["rewards"],
            "terminals": np.logical_or(c["terminals"], c["timeouts"]),
        }

    # Beyond pytupli

    def export(self, path: Any, format: Optional[str] = None, dtype: Any = None, progress: Any = None) -> Dict[str, Any]:
        """Writes the selected episodes to ``path`` as ``format`` (``"npz"``,
        ``"arrow"`` or ``"parquet"``; by default from the file's suffix, with
        ``.feather``/``.ipc`` as Arrow), in bounded memory; the file appears
        only when complete. Answers the summary (``path``, ``bytes``,
        ``episodes``, ``tuples``, ``obs_dim``, ``act_dim``)."""
        import os

        path = os.fspath(path)
        if format is None:
            suffix = os.path.splitext(path)[1].lower().lstrip(".")
            format = {"feather": "arrow", "ipc": "arrow", "arrows": "arrow"}.get(suffix, suffix)
        if format not in ("npz", "arrow", "parquet"):
            raise ValueError(f"format must be npz, arrow or parquet (or a path ending so), not {format!r}")
        bf, ef = self._filters()
        with observer(progress, f"export {os.path.basename(path)}", "tuple") as watch:
            return self.storage._run_with(
                _tupli.export, bf, ef, format, path, self.dtype if dtype is None else _dtype_name(dtype), watch
            )

    def to_arrow(self, dtype: Any = None) -> "_tupli.ArrowTable":
        """The selected episodes as an Arrow table in memory, one row per
        tuple (the Arrow export's columns), read without copying through the
        Arrow PyCapsule interface: ``pyarrow.table(t)``, ``polars.DataFrame(t)``."""
        bf, ef = self._filters()
        return self.storage._run_with(_tupli.arrow_table, bf, ef, self.dtype if dtype is None else _dtype_name(dtype))

    def to_pyarrow(self, dtype: Any = None):
        """``to_arrow()`` as a ``pyarrow.Table`` (needs pyarrow)."""
        import pyarrow

        return pyarrow.table(self.to_arrow(dtype))

    def convert_to_dataframe(self, layout: str = "d4rl"):
        """A pandas DataFrame of ``convert_to_d4rl_format(layout)``, one row per
        tuple (array columns hold one row's array each, as in pytupli)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("pandas is not installed: pip install pandas") from None
        data = self.convert_to_d4rl_format(layout)
        return pd.DataFrame({k: list(v) for k, v in data.items()})
