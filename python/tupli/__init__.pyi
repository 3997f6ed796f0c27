"""tupli: the Tupli (PyTupli) client on a Rust core."""

__version__: str
"""The package's version (the Rust workspace's)."""
