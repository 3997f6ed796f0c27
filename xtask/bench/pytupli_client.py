"""One measured pytupli client run for `cargo xtask bench`.

Usage: python pytupli_client.py MODE URL [ARG]
Modes mirror examples/bench_client.rs: decode, encode TUPLES, upload FILE,
download FILE, e2e EPISODES:TUPLES. Prints one JSON line with the CPU and wall
seconds of the operation alone, the process's peak RSS and a checksum of the
decoded floats (sha256 over little-endian IEEE-754 bits, in order).
"""

import hashlib
import json
import random
import resource
import struct
import sys
import time

import keyring

# pytupli keeps its URL and tokens in the system keyring; keep them in memory.
_store = {}
keyring.get_password = lambda service, key: _store.get((service, key))
keyring.set_password = lambda service, key, value: _store.__setitem__((service, key), value)
keyring.delete_password = lambda service, key: _store.pop((service, key), None)

from pytupli.schema import ArtifactMetadata, BenchmarkMetadata, BenchmarkQuery, Episode, RLTuple  # noqa: E402
from pytupli.storage import TupliAPIClient  # noqa: E402


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def checksum(items):
    h = hashlib.sha256()
    for item in items:
        for t in item.tuples:
            for value in (t.state, t.action, t.reward):
                for f in value if isinstance(value, list) else [value]:
                    h.update(struct.pack('<d', f))
    return h.hexdigest()


def episode(benchmark_id, tuples, seed):
    rng = random.Random(seed)
    return Episode(
        benchmark_id=benchmark_id,
        metadata={'policy': 'bench', 'seed': seed},
        tuples=[
            RLTuple(
                state=[rng.uniform(-10, 10) for _ in range(17)],
                action=[rng.uniform(-1, 1) for _ in range(6)],
                reward=rng.uniform(-1, 1),
                terminal=t + 1 == tuples,
            )
            for t in range(tuples)
        ],
    )


def main():
    mode, url = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else ''
    client = TupliAPIClient()
    client.login('bench', 'bench-password', url)
    digest, count = '', 0
    prepared = None
    if mode == 'encode':
        prepared = episode('bench', int(arg), 1)
    elif mode == 'upload':
        with open(arg, 'rb') as f:
            prepared = f.read()
    elif mode == 'e2e':
        episodes, tuples = (int(x) for x in arg.split(':'))
        query = BenchmarkQuery(hash=f'bench-py-{time.time()}', serialized='{}', metadata=BenchmarkMetadata(name='bench'))
        benchmark = client.store_benchmark(query)
        prepared = [episode(benchmark.id, tuples, i) for i in range(episodes)]

    user0, sys0 = cpu()
    started = time.perf_counter()
    if mode == 'decode':
        items = client.list_episodes(include_tuples=True)
        count = len(items)
    elif mode == 'encode':
        count = client.record_episode(prepared).n_tuples
    elif mode == 'upload':
        digest = client.store_artifact(prepared, ArtifactMetadata(name='bench.bin')).hash
    elif mode == 'download':
        data = client.load_artifact('bench-artifact')
        with open(arg, 'wb') as f:
            f.write(data)
        count = len(data)
    elif mode == 'e2e':
        for e in prepared:
            client.record_episode(e)
        count = len(prepared)
    else:
        raise SystemExit(f'unknown mode {mode}')
    wall = time.perf_counter() - started
    user1, sys1 = cpu()
    if mode == 'decode':
        digest = checksum(items)
    print(json.dumps({'mode': mode, 'user': user1 - user0, 'sys': sys1 - sys0, 'wall': wall,
                      'peak_rss': peak_rss(), 'count': count, 'checksum': digest}))


if __name__ == '__main__':
    main()
