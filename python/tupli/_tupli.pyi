"""The extension module built from the Rust crate in python/: tupli's Rust
core, which the package's Python classes wrap. Not an API of its own: use
``tupli.TupliAPIClient``, ``tupli.FileStorage``, ``tupli.TupliDataset``.

Every call that does I/O releases the GIL, and a Ctrl-C (SIGINT) during it
raises ``KeyboardInterrupt`` within about 50 ms, cancelling the call.
Inputs and answers are the wire form: dicts, lists and bytes.
"""

from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

__version__: str
"""The package's version (the Rust workspace's)."""

Dump = Dict[str, Any]
Progress = Optional[Callable[[int, Optional[int]], None]]

def cli_main() -> int:
    """Runs the ``tupli`` command line with ``sys.argv`` and answers its exit code.

    The GIL is released while it runs. Usage errors, ``--help`` and
    ``--version`` end the process as the command does. Once per process: the
    command sets its output mode and logging for the process's lifetime.
    """

class Storage:
    """A server (a Rust ``TupliApiClient``) or a folder (a ``FileStorage``)."""

    @staticmethod
    def client(url: str) -> "Storage":
        """A client of the server at ``url``, not logged in."""
    @staticmethod
    def folder(path: str) -> "Storage":
        """The folder at ``path``, made (with its parents) when missing."""
    def describe(self) -> str:
        """The server's URL or the folder's path."""
    # The session (a server only; a folder raises TypeError)
    def url(self) -> str: ...
    def set_url(self, url: str) -> None: ...
    def login(self, username: str, password: str) -> None: ...
    def signup(self, username: str, password: str) -> Dump: ...
    def tokens(self) -> Optional[Tuple[str, str]]:
        """``(access, refresh)`` for the package to persist; never shown."""
    def set_tokens(self, access: Optional[str] = None, refresh: Optional[str] = None) -> None: ...
    def is_logged_in(self) -> bool: ...
    # Users, groups and roles (a server only)
    def list_users(self) -> List[Dump]: ...
    def change_password(self, username: str, new_password: str) -> None: ...
    def delete_user(self, username: str) -> None: ...
    def list_roles(self) -> List[Dump]: ...
    def create_role(self, role: Dump) -> Dump: ...
    def delete_role(self, role_name: str) -> None: ...
    def create_group(self, group: Dump) -> Dump: ...
    def list_groups(self) -> List[Dump]: ...
    def read_group(self, group_name: str) -> Dump: ...
    def delete_group(self, group_name: str) -> None: ...
    def add_group_members(self, group_membership_query: Dump) -> Dump: ...
    def remove_group_members(self, group_membership_query: Dump) -> Dump: ...
    # Benchmarks
    def store_benchmark(self, benchmark_query: Dump) -> Dump: ...
    def load_benchmark(self, uri: str) -> Dump: ...
    def list_benchmarks(self, filter: Optional[Dump] = None) -> List[Dump]: ...
    def delete_benchmark(self, uri: str) -> None: ...
    def publish_benchmark(self, uri: str, publish_in: str) -> None: ...
    def unpublish_benchmark(self, uri: str, unpublish_from: str) -> None: ...
    # Artifacts
    def store_artifact(self, artifact: bytes, metadata: Dump) -> Dump: ...
    def load_artifact(self, uri: str) -> bytes: ...
    def list_artifacts(self, filter: Optional[Dump] = None) -> List[Dump]: ...
    def delete_artifact(self, uri: str) -> None: ...
    def publish_artifact(self, uri: str, publish_in: str) -> None: ...
    def unpublish_artifact(self, uri: str, unpublish_from: str) -> None: ...
    # Episodes
    def record_episode(self, episode: Dump) -> Dump: ...
    def list_episodes(self, filter: Optional[Dump] = None, include_tuples: bool = False) -> List[Dump]: ...
    def iter_episodes(self, filter: Optional[Dump] = None, include_tuples: bool = True) -> "EpisodeIterator": ...
    def delete_episode(self, uri: str) -> None: ...
    def publish_episode(self, uri: str, publish_in: str) -> None: ...
    def unpublish_episode(self, uri: str, unpublish_from: str) -> None: ...

class EpisodeIterator(Iterator[Dump]):
    """Episodes as they arrive, one decoded at a time (bounded memory)."""

    def __iter__(self) -> "EpisodeIterator": ...
    def __next__(self) -> Dump: ...

def preview(storage: Storage, benchmark_filter: Optional[Dump] = None, episode_filter: Optional[Dump] = None) -> List[Dump]:
    """The selected episodes' headers."""

def load_columns(
    storage: Storage,
    benchmark_filter: Optional[Dump] = None,
    episode_filter: Optional[Dump] = None,
    tuple_filter: Optional[Callable[[Any], bool]] = None,
    layout: str = "d4rl",
    dtype: str = "float32",
) -> Dict[str, Any]:
    """The selected tuples as numpy arrays owning Rust buffers, and ``episodes``."""

def export(
    storage: Storage,
    benchmark_filter: Optional[Dump],
    episode_filter: Optional[Dump],
    format: str,
    path: str,
    dtype: str = "float32",
    progress: Progress = None,
) -> Dump:
    """Writes the selection to ``path`` (npz, arrow or parquet); answers the summary."""

def arrow_table(
    storage: Storage, benchmark_filter: Optional[Dump] = None, episode_filter: Optional[Dump] = None, dtype: str = "float32"
) -> "ArrowTable":
    """The selection as an Arrow table in Rust memory."""

class ArrowTable:
    """An Arrow table read through the Arrow PyCapsule interface, without copies."""

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object: ...
    def __len__(self) -> int: ...

def copy(
    source: Storage,
    destination: Storage,
    benchmark_filter: Optional[Dump] = None,
    episode_filter: Optional[Dump] = None,
    dry_run: bool = False,
    concurrency: int = 4,
    progress: Progress = None,
) -> Dump:
    """Copies a selection between storages; answers the report."""

class Recorder:
    """Stores episodes handed over at their end in the background, each once."""

    def __init__(self, storage: Storage, benchmark_id: str, capacity: Optional[int] = None) -> None: ...
    def record(self, episode: Dump) -> str:
        """Hands an episode over (waits only while full); answers its key."""
    def pending(self) -> int: ...
    def close(self) -> Dump:
        """Waits for every episode; answers ``stored``, ``found_by_key`` and ``failed``."""
