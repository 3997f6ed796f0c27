"""What the suite's files share: the servers and administrator from the environment, client
helpers, unique names, benchmarks and episodes with awkward floats and text, datasets stored
on a storage, bit-exact array checks, fresh interpreters (``run_python``) and the helper
processes of ``peers.py`` (a silent server, a slow proxy)."""

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import uuid

import numpy as np

import tupli

URL = os.environ.get("TUPLI_TEST_URL") or None
SHORT_URL = os.environ.get("TUPLI_TEST_SHORT_URL") or None
SHORT_ACCESS_SECS = float(os.environ.get("TUPLI_TEST_SHORT_ACCESS_SECS") or 3)
SHORT_REFRESH_SECS = float(os.environ.get("TUPLI_TEST_SHORT_REFRESH_SECS") or 12)
ADMIN_USER = os.environ.get("TUPLI_TEST_ADMIN_USER") or "admin"
ADMIN_PASSWORD = os.environ.get("TUPLI_TEST_ADMIN_PASSWORD") or "pytupli"

# Where pytupli keeps its login: service and entries in the keyring.
KEYRING_SERVICE = "pytupli"
KEYRING_ENTRIES = ("base_url", "access_token", "refresh_token")


def memory_client(url=None):
    """A tupli client that keeps its tokens in memory, pointed at ``url`` when given."""
    client = tupli.TupliAPIClient(token_store="memory")
    if url:
        client.set_url(url)
    return client


def admin_client(url):
    """A tupli client (tokens in memory) logged in as the server's administrator."""
    client = tupli.TupliAPIClient(token_store="memory")
    client.login(ADMIN_USER, ADMIN_PASSWORD, url=url)
    return client


# Floats whose spelling or precision trips up encoders: signed zero, a subnormal, values
# float32 cannot hold exactly, long and short spellings, and an integer.
FLOATS = [
    0.1,
    -0.0,
    1 / 3,
    5e-324,
    -2.5,
    1e-07,
    123456.789,
    1e16,
    2.2250738585072014e-308,
    7,
    0.0,
    -1.5e30,
    3.4028234663852886e38,
]

# Text with quotes, a backslash and non-ASCII letters.
TEXT = "Grüße ✓ \"quoted\" back\\slash"
# Characters JSON must escape other than quotes and backslashes (control characters, as the
# server writes them: \t, \n, \u0001), and the line separators JavaScript trips on.
ESCAPED = "tab\t newline\n return\r nul-ish\u0001 bell\u0007 separators\u2028\u2029 end"


def unique(prefix="t"):
    """A name no other test uses: ``prefix`` and 12 hex digits."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def dump(obj):
    """``obj.model_dump()`` for a model, the object itself for a plain value."""
    return obj.model_dump() if hasattr(obj, "model_dump") else obj


def benchmark_query(name=None, extra=None):
    """A benchmark to store, as a plain dict, with a hash of its own."""
    serialized = json.dumps({"env": unique("env"), "text": TEXT})
    return {
        "hash": hashlib.sha256(serialized.encode()).hexdigest(),
        "serialized": serialized,
        "metadata": {
            "name": name or unique("bench"),
            "description": TEXT,
            "difficulty": "hard",
            "version": "1.0",
            "extra": {"nested": {"list": [1, 2.5, None, True]}, "text": TEXT},
        },
    }


def make_tuples(length, seed=0, end="terminal"):
    """``length`` tuples as dicts, 3-wide states and 2-wide actions drawn from ``FLOATS``
    (row ``i`` starts with ``i``, so no two rows of an episode are equal); the last tuple is
    ``terminal``, a ``timeout``, ``both`` or ``none``."""
    n = len(FLOATS)
    rows = []
    for i in range(length):
        first = i if seed % 2 == 0 else i + 0.5
        rows.append(
            {
                "state": [first, FLOATS[(seed + i) % n], FLOATS[(seed + 2 * i + 3) % n]],
                "action": [FLOATS[(seed + 3 * i + 1) % n], -i],
                "reward": FLOATS[(3 * i + seed + 5) % n],
                "info": {"step": i, "seed": seed, "text": TEXT},
                "terminal": False,
                "timeout": False,
            }
        )
    if rows:
        rows[-1]["terminal"] = end in ("terminal", "both")
        rows[-1]["timeout"] = end in ("timeout", "both")
    return rows


# The episodes of ``store_dataset``: (length, how the episode ends).
DATASET_EPISODES = [(4, "terminal"), (3, "timeout"), (5, "none"), (2, "both"), (3, "timeout")]


def store_dataset(storage, episodes=DATASET_EPISODES, name=None):
    """Stores a benchmark and one episode per ``(length, end)`` on ``storage``; answers the
    benchmark's header and the episodes' tuples (dicts), in order."""
    header = storage.store_benchmark(benchmark_query(name))
    stored = []
    for seed, (length, end) in enumerate(episodes):
        rows = make_tuples(length, seed=seed, end=end)
        storage.record_episode(
            {"benchmark_id": header.id, "metadata": {"seed": seed, "end": end}, "tuples": rows}
        )
        stored.append(rows)
    return header, stored


def same_bits(ours, theirs, name="array"):
    """Asserts two arrays are equal to the bit (so -0.0 and 0.0 differ), with the same dtype
    and shape."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype, f"{name}: dtype {ours.dtype} vs {theirs.dtype}"
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} vs {theirs.shape}"
    if ours.dtype.kind == "f":
        width = {4: np.uint32, 8: np.uint64}[ours.dtype.itemsize]
        assert np.array_equal(ours.view(width), theirs.view(width)), f"{name} differs"
    else:
        assert np.array_equal(ours, theirs), f"{name} differs"


def run_python(script, *args, env=None):
    """Runs ``script`` with ``args`` in a fresh interpreter (this one, this environment plus
    ``env``): a process whose clients have seen no login. Answers its standard output; fails
    with its standard error when it fails."""
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers.py")


@contextlib.contextmanager
def peer(*args):
    """Runs ``peers.py`` with ``args`` in a process of its own and yields its URL; ends it
    afterwards. A process of its own keeps answering whatever this one's threads do."""
    process = subprocess.Popen(
        [sys.executable, PEERS, *map(str, args)], stdout=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("http://"), f"peers.py printed {line!r}"
        yield line
    finally:
        process.kill()
        process.wait()
