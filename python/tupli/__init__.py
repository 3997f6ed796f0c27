"""tupli: the Tupli (PyTupli) client on a Rust core.

This release carries the ``tupli`` command (run it from the shell, or as
``python -m tupli``); the pytupli drop-in API comes next.
"""

from tupli._tupli import __version__

__all__ = ["__version__"]
