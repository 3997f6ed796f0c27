"""tupli: the Tupli (PyTupli) client on a Rust core, a drop-in for pytupli.

Code written against pytupli 1.2.9 keeps working when its imports change to
``tupli``: ``TupliAPIClient``, ``FileStorage``, ``TupliStorage``,
``TupliDataset``, ``TupliEnvWrapper``, the schema classes and filters, and
``TupliStorageError`` (now with a subclass per kind of failure, in
``tupli.errors``). The package also runs the ``tupli`` command
(``python -m tupli``).
"""

from tupli._tupli import __version__
from tupli import errors
from tupli.errors import *  # noqa: F401,F403 (the exception classes)
from tupli.schema import *  # noqa: F401,F403 (pytupli's schema names)
from tupli import schema
from tupli.storage import FileStorage, TupliStorage
from tupli.client import TupliAPIClient
from tupli.dataset import TupliDataset
from tupli._copy import copy
from tupli._parsers import BaseTupleParser, NumpyTupleParser, TensorflowTupleParser, TorchTupleParser
from tupli import _compat

_compat.register_with_pytupli()


def __getattr__(name: str):
    # The wrapper needs gymnasium: imported when first asked for.
    if name == "TupliEnvWrapper":
        from tupli.env_wrapper import TupliEnvWrapper

        return TupliEnvWrapper
    raise AttributeError(f"module 'tupli' has no attribute {name!r}")


__all__ = (
    ["__version__", "copy", "TupliAPIClient", "FileStorage", "TupliStorage", "TupliDataset", "TupliEnvWrapper"]
    + ["BaseTupleParser", "NumpyTupleParser", "TorchTupleParser", "TensorflowTupleParser"]
    + list(errors.__all__)
    + list(schema.__all__)
)
