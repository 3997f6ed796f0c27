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


class NumpyTupleParser(BaseTupleParser):
    """numpy arrays: ``float32`` values and ``bool`` flags, as pytupli's."""

    @classmethod
    def from_arrays(cls, obs: Any, act: Any, rew: Any, term: Any, trunc: Any) -> tuple:
        """The columns as ``float32``/``bool`` arrays (no copy when they are already)."""
        import numpy as np

        return tuple(np.asarray(a, dtype=np.float32) for a in (obs, act, rew)) + (
            np.asarray(term, dtype=np.bool_),
            np.asarray(trunc, dtype=np.bool_),
        )

    @classmethod
    def parse_lists(cls, obs: list, act: list, rew: list, term: list, trunc: list) -> tuple:
        """Lists to numpy arrays."""
        return cls.from_arrays(obs, act, rew, term, trunc)


class TorchTupleParser(BaseTupleParser):
    """PyTorch tensors sharing the numpy columns' memory (``torch.from_numpy``)."""

    @classmethod
    def from_arrays(cls, obs: Any, act: Any, rew: Any, term: Any, trunc: Any) -> tuple:
        """The columns as ``float32``/``bool`` tensors."""
        try:
            import torch
        except ImportError:
            raise ImportError("PyTorch is not installed: pip install torch") from None
        arrays = NumpyTupleParser.from_arrays(obs, act, rew, term, trunc)
        return tuple(torch.from_numpy(a) for a in arrays)

    @classmethod
    def parse_lists(cls, obs: list, act: list, rew: list, term: list, trunc: list) -> tuple:
        """Lists to tensors."""
        return cls.from_arrays(obs, act, rew, term, trunc)


class TensorflowTupleParser(BaseTupleParser):
    """TensorFlow tensors (``tf.convert_to_tensor``; TensorFlow copies)."""

    @classmethod
    def from_arrays(cls, obs: Any, act: Any, rew: Any, term: Any, trunc: Any) -> tuple:
        """The columns as ``float32``/``bool`` tensors."""
        try:
            import tensorflow as tf
        except ImportError:
            raise ImportError("TensorFlow is not installed: pip install tensorflow") from None
        arrays = NumpyTupleParser.from_arrays(obs, act, rew, term, trunc)
        return tuple(tf.convert_to_tensor(a) for a in arrays)

    @classmethod
    def parse_lists(cls, obs: list, act: list, rew: list, term: list, trunc: list) -> tuple:
        """Lists to tensors."""
        return cls.from_arrays(obs, act, rew, term, trunc)
