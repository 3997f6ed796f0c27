"""The tuple parsers ``TupliDataset.convert_to_tensors`` takes, as pytupli
names them. Each turns the five columns into its library's arrays: tupli's
from the numpy columns (``from_arrays``, sharing memory where the library
allows), a parser of your own from lists (``parse_lists``, as in pytupli).
"""

from __future__ import annotations

from typing import Any

__all__ = ["BaseTupleParser", "NumpyTupleParser", "TorchTupleParser", "TensorflowTupleParser"]


class BaseTupleParser:
    """Subclass and override ``parse_lists`` (lists in, anything out), as with pytupli."""

    @classmethod
    def parse_lists(cls, obs: list, act: list, rew: list, term: list, trunc: list) -> tuple:
        """Turns the five columns, as lists, into the parser's format."""
        raise NotImplementedError("a parser overrides parse_lists")


class _ArrayParser(BaseTupleParser):
    """A parser of tupli's: the columns as ``float32``/``bool`` numpy arrays
    (no copy when they are already), each then given to ``convert``."""

    @classmethod
    def convert(cls, array: Any) -> Any:
        """One numpy array in the parser's library."""
        return array

    @classmethod
    def from_arrays(cls, obs: Any, act: Any, rew: Any, term: Any, trunc: Any) -> tuple:
        """The five columns, from arrays (or lists)."""
        import numpy as np

        floats = (np.asarray(a, dtype=np.float32) for a in (obs, act, rew))
        flags = (np.asarray(a, dtype=np.bool_) for a in (term, trunc))
        return tuple(cls.convert(a) for a in (*floats, *flags))

    @classmethod
    def parse_lists(cls, obs: list, act: list, rew: list, term: list, trunc: list) -> tuple:
        """The five columns, from lists."""
        return cls.from_arrays(obs, act, rew, term, trunc)


class NumpyTupleParser(_ArrayParser):
    """numpy arrays: ``float32`` values and ``bool`` flags, as pytupli's."""


class TorchTupleParser(_ArrayParser):
    """PyTorch tensors sharing the numpy columns' memory (``torch.from_numpy``)."""

    @classmethod
    def convert(cls, array: Any) -> Any:
        """``torch.from_numpy(array)``."""
        try:
            import torch
        except ImportError:
            raise ImportError("PyTorch is not installed: pip install torch") from None
        return torch.from_numpy(array)


class TensorflowTupleParser(_ArrayParser):
    """TensorFlow tensors (``tf.convert_to_tensor``; TensorFlow copies)."""

    @classmethod
    def convert(cls, array: Any) -> Any:
        """``tf.convert_to_tensor(array)``."""
        try:
            import tensorflow as tf
        except ImportError:
            raise ImportError("TensorFlow is not installed: pip install tensorflow") from None
        return tf.convert_to_tensor(array)
