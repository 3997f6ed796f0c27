"""One measured pytupli client run for `cargo xtask bench`.

Usage: python pytupli_client.py MODE URL [ARG]

Modes mirror xtask/harness/src/bench_client.rs:
    baseline                  log in only: the interpreter's and imports' RSS
    decode                    list_episodes(include_tuples=True)
    encode FILE               record_episode of the episode in FILE
    upload FILE, download FILE
    e2e FILE:EPISODES:CONCURRENCY
                              record the episode in FILE EPISODES times, with
                              CONCURRENCY requests in flight (a thread pool;
                              1: one after another)
    dataset OUT               TupliDataset(...).load(), convert_to_d4rl_format()
                              and numpy.savez to OUT
Prints one JSON line: CPU seconds (user, sys, from getrusage) and wall seconds
of the operation alone (read before the checksum), the process's peak RSS
(VmHWM), counts, and the sha256 over every decoded or sent float (state, action,
reward of each tuple, in order) as little-endian IEEE-754 bits.

Two more modes run no client and print what they read:
    readback FILE             the floats of an episode body as the server
                              would read them (json.loads, and pydantic)
    verify-export FORMAT FILE rows and float checksum of a written dataset
"""

import hashlib
import json
import resource
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def peak_rss():
    """VmHWM, this program's own high-water mark: getrusage's ru_maxrss keeps,
    on Linux, the peak of the image before exec (the parent's, when it spawned
    this process sharing its memory, as Rust's Command does)."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    raise SystemExit('no VmHWM in /proc/self/status')


def hash_tuples(tuples, h):
    """Every float of `tuples` (objects or dicts), in order."""
    n = 0
    for t in tuples:
        if isinstance(t, dict):
            values = (t['state'], t['action'], t['reward'])
        else:
            values = (t.state, t.action, t.reward)
        for value in values:
            for f in value if isinstance(value, list) else [value]:
                h.update(struct.pack('<d', f))
        n += 1
    return n


def checksum(items):
    h = hashlib.sha256()
    for item in items:
        hash_tuples(item.tuples, h)
    return h.hexdigest()


def readback(path):
    """What tupli sent, read back as the PyTupli server reads a body."""
    with open(path, 'rb') as f:
        body = f.read()
    from pytupli.schema import Episode

    loaded = hashlib.sha256()
    n = hash_tuples(json.loads(body)['tuples'], loaded)
    validated = hashlib.sha256()
    hash_tuples(Episode.model_validate_json(body).tuples, validated)
    if loaded.hexdigest() != validated.hexdigest():
        raise SystemExit('json.loads and pydantic read different floats')
    print(json.dumps({'mode': 'readback', 'count': n, 'checksum': loaded.hexdigest()}))


def verify_export(fmt, path):
    """The rows of a written dataset (read cheaply from its metadata), and the
    checksum of its observations, actions and rewards, row by row, in f64."""
    import numpy as np

    if fmt == 'npz':
        import zipfile

        with zipfile.ZipFile(path) as z, z.open('rewards.npy') as f:
            version = np.lib.format.read_magic(f)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, _ = read(f)
        rows = shape[0]
        with np.load(path) as data:
            columns = [data['observations'], data['actions'], data['rewards']]
    else:
        import pyarrow as pa

        if fmt == 'arrow':
            reader = pa.ipc.open_file(pa.memory_map(path))
            rows = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
            table = reader.read_all()
        elif fmt == 'parquet':
            import pyarrow.parquet as pq

            rows = pq.ParquetFile(path).metadata.num_rows
            table = pq.read_table(path, columns=['observations', 'actions', 'rewards'])
        else:
            raise SystemExit(f'unknown format {fmt}')

        def array(name):
            column = table.column(name).combine_chunks()
            if pa.types.is_fixed_size_list(column.type):
                return column.flatten().to_numpy().reshape(len(column), column.type.list_size)
            return column.to_numpy()

        columns = [array('observations'), array('actions'), array('rewards')]
    obs, act, rew = (np.asarray(c, dtype='<f8') for c in columns)
    if not (len(obs) == len(act) == len(rew) == rows):
        raise SystemExit(f'{path}: {rows} rows announced, arrays of {len(obs)}, {len(act)}, {len(rew)}')
    flat = np.concatenate([obs.reshape(rows, -1), act.reshape(rows, -1), rew.reshape(rows, 1)], axis=1)
    digest = hashlib.sha256(np.ascontiguousarray(flat).tobytes()).hexdigest()
    print(json.dumps({'mode': 'verify-export', 'count': rows, 'checksum': digest}))


def main():
    mode = sys.argv[1]
    if mode == 'readback':
        return readback(sys.argv[2])
    if mode == 'verify-export':
        return verify_export(sys.argv[2], sys.argv[3])
    url = sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else ''

    import keyring

    # pytupli keeps its URL and tokens in the system keyring; keep them in memory.
    store = {}
    keyring.get_password = lambda service, key: store.get((service, key))
    keyring.set_password = lambda service, key, value: store.__setitem__((service, key), value)
    keyring.delete_password = lambda service, key: store.pop((service, key), None)

    # Every mode imports the same, so `baseline` measures what each carries.
    import numpy as np
    from pytupli.dataset import TupliDataset
    from pytupli.schema import ArtifactMetadata, BenchmarkMetadata, BenchmarkQuery, Episode, FilterEQ
    from pytupli.storage import TupliAPIClient

    client = TupliAPIClient()
    client.login('bench', 'bench-password', url)
    out = {'mode': mode}
    prepared = None
    if mode in ('encode', 'e2e'):
        path, _, rest = arg.partition(':')
        with open(path, 'rb') as f:
            prepared = Episode(**json.loads(f.read()))
        h = hashlib.sha256()
        hash_tuples(prepared.tuples, h)
        out['checksum'] = h.hexdigest()
    if mode == 'upload':
        with open(arg, 'rb') as f:
            prepared = f.read()
    elif mode == 'e2e':
        episodes, concurrency = (int(x) for x in rest.split(':'))
        query = BenchmarkQuery(hash=f'bench-py-{time.time()}', serialized='{}', metadata=BenchmarkMetadata(name='bench'))
        benchmark = client.store_benchmark(query)
        prepared = [prepared.model_copy(update={'benchmark_id': benchmark.id}) for _ in range(episodes)]
        pool = ThreadPoolExecutor(max_workers=concurrency) if concurrency > 1 else None

    user0, sys0 = cpu()
    started = time.perf_counter()
    if mode == 'baseline':
        pass
    elif mode == 'decode':
        items = client.list_episodes(include_tuples=True)
    elif mode == 'encode':
        header = client.record_episode(prepared)
    elif mode == 'upload':
        stored = client.store_artifact(prepared, ArtifactMetadata(name='bench.bin'))
    elif mode == 'download':
        data = client.load_artifact('bench-artifact')
        with open(arg, 'wb') as f:
            f.write(data)
    elif mode == 'e2e':
        if pool:
            headers = list(pool.map(client.record_episode, prepared))
        else:
            headers = [client.record_episode(e) for e in prepared]
    elif mode == 'dataset':
        dataset = TupliDataset(client).with_benchmark_filter(FilterEQ(key='metadata.name', value='bench'))
        dataset.load()
        d4rl = dataset.convert_to_d4rl_format()
        np.savez(arg, **d4rl)
    else:
        raise SystemExit(f'unknown mode {mode}')
    wall = time.perf_counter() - started
    user1, sys1 = cpu()

    # Not measured: counts and checksums of what was done.
    if mode == 'baseline':
        out['count'] = 0
    elif mode == 'decode':
        out['count'] = len(items)
        out['tuples'] = sum(len(i.tuples) for i in items)
        out['checksum'] = checksum(items)
    elif mode == 'encode':
        out['count'] = header.n_tuples
    elif mode == 'upload':
        out['count'] = len(prepared)
        out['checksum'] = stored.hash
    elif mode == 'download':
        out['count'] = len(data)
    elif mode == 'e2e':
        out['count'] = len(headers)
        out['tuples'] = sum(h.n_tuples for h in headers)
    elif mode == 'dataset':
        h = hashlib.sha256()
        out['count'] = hash_tuples(dataset.tuples, h)
        out['checksum'] = h.hexdigest()
        out['rows'] = int(d4rl['rewards'].shape[0])
        out['benchmarks'] = [b.id for b in dataset.benchmarks]
    out.update({'user': user1 - user0, 'sys': sys1 - sys0, 'wall': wall, 'peak_rss': peak_rss()})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
