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

Modes for the python section (`cargo xtask bench --only python`, beside
xtask/bench/tupli_python.py, which runs the same operations with tupli):
    d4rl                      TupliDataset(client).load() and
                              convert_to_d4rl_format(); the checksum is over
                              the float32 observations, actions and rewards,
                              row by row (`f64_checksum`: the tuples' floats)
    load-artifact             load_artifact('bench-artifact') into memory;
                              the checksum is the sha256 of its bytes
    gym EPISODES:SEED:BENCHMARK
                              a CartPole-v1 loop of EPISODES episodes (reset
                              seeds SEED+i, random actions from the action
                              space seeded SEED) through pytupli's
                              TupliEnvWrapper recording into BENCHMARK
    gil SECONDS:ALONE         a Python thread counting, alone for ALONE
                              seconds, then while TupliDataset(client).load()
                              runs again and again for SECONDS: both rates

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


# The python section's operations (shared with tupli_python.py, which imports
# these helpers, so both sides measure and check alike).

EXTRA_MODES = ('d4rl', 'load-artifact', 'gym', 'gil')


def timed(work):
    """`work()`'s result and its figures: CPU (user, sys) and wall seconds of
    the call alone, and the peak RSS right after it (before any checksum)."""
    user0, sys0 = cpu()
    started = time.perf_counter()
    result = work()
    wall = time.perf_counter() - started
    user1, sys1 = cpu()
    return result, {'user': user1 - user0, 'sys': sys1 - sys0, 'wall': wall, 'peak_rss': peak_rss()}


def columns_checksum(observations, actions, rewards):
    """sha256 over each row's observation, action and reward, in the arrays'
    own dtype, little-endian (float32 columns hash as float32)."""
    import numpy as np

    rows = len(rewards)
    dtype = np.result_type(observations, actions, rewards).newbyteorder('<')
    flat = np.concatenate(
        [np.reshape(observations, (rows, -1)), np.reshape(actions, (rows, -1)), np.reshape(rewards, (rows, 1))],
        axis=1,
    )
    return rows, hashlib.sha256(np.ascontiguousarray(flat, dtype=dtype).tobytes()).hexdigest()


def gym_env(seed):
    """CartPole-v1, its action space seeded (untimed)."""
    import gymnasium as gym

    env = gym.make('CartPole-v1')
    env.action_space.seed(seed)
    return env


def gym_loop(env, episodes, seed):
    """`episodes` episodes of random actions (reset seeds seed, seed+1, …),
    then `env.close()`; the steps taken."""
    steps = 0
    for i in range(episodes):
        env.reset(seed=seed + i)
        done = False
        while not done:
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            steps += 1
            done = terminated or truncated
    env.close()
    return steps


def schedstat(tid):
    """A thread's (run, runnable-wait) nanoseconds from the kernel, or None."""
    try:
        with open(f'/proc/self/task/{tid}/schedstat') as f:
            run, wait, _ = (int(x) for x in f.read().split())
        return run, wait
    except (OSError, ValueError):
        return None


def counting(work, seconds):
    """A thread counting as fast as Python counts while `work()` runs again
    and again for at least `seconds` (None: while this thread sleeps); the
    calls made, the last one's result, and the counter's figures: count, wall,
    its CPU, and its runnable-wait (time it was ready but had no core)."""
    import threading

    stop = [False]
    figures = {}

    def counter():
        tid = threading.get_native_id()
        s0, c0, w0 = schedstat(tid), time.thread_time(), time.perf_counter()
        n = 0
        while not stop[0]:
            n += 1
        wall, thread_cpu, s1 = time.perf_counter() - w0, time.thread_time() - c0, schedstat(tid)
        figures.update(count=n, wall=wall, cpu=thread_cpu)
        figures['runnable_wait'] = (s1[1] - s0[1]) / 1e9 if s0 and s1 else None

    thread = threading.Thread(target=counter)
    calls, last = 0, None
    thread.start()
    started = time.perf_counter()
    if work is None:
        time.sleep(seconds)
    else:
        while True:
            last = work()
            calls += 1
            if time.perf_counter() - started >= seconds:
                break
    stop[0] = True
    thread.join()
    return calls, last, figures


def gil_report(work, spec, out):
    """`gil SECONDS:ALONE`: the counting rate alone (ALONE seconds), then
    during SECONDS of `work()` (measured: the process's CPU and wall over
    that phase); `work()` answers (rows, checksum) of what it loaded."""
    seconds, alone = (float(x) for x in spec.split(':'))
    _, _, quiet = counting(None, alone)
    (calls, last, busy), figures = timed(lambda: counting(work, seconds))
    out.update(figures)
    out['count'], out['checksum'] = last
    out['loads'] = calls
    out['alone'] = quiet
    out['during'] = busy
    out['rate_alone'] = quiet['count'] / quiet['wall']
    out['rate_during'] = busy['count'] / busy['wall']


def extra_mode(mode, client, arg, out):
    """The python section's modes for pytupli (see the module's docs)."""
    from pytupli.dataset import TupliDataset

    if mode == 'd4rl':

        def work():
            dataset = TupliDataset(client)
            dataset.load()
            return dataset, dataset.convert_to_d4rl_format()

        (dataset, d4rl), figures = timed(work)
        out.update(figures)
        out['count'], out['checksum'] = columns_checksum(d4rl['observations'], d4rl['actions'], d4rl['rewards'])
        h = hashlib.sha256()
        out['tuples'] = hash_tuples(dataset.tuples, h)
        out['f64_checksum'] = h.hexdigest()
        out['benchmarks'] = [b.id for b in dataset.benchmarks]
    elif mode == 'load-artifact':
        data, figures = timed(lambda: client.load_artifact('bench-artifact'))
        out.update(figures)
        out['count'] = len(data)
        out['checksum'] = hashlib.sha256(data).hexdigest()
    elif mode == 'gym':
        from pytupli.benchmark import TupliEnvWrapper

        episodes, seed, benchmark = arg.split(':')
        episodes, seed = int(episodes), int(seed)
        env = TupliEnvWrapper(gym_env(seed), client, benchmark_id=benchmark)
        steps, figures = timed(lambda: gym_loop(env, episodes, seed))
        out.update(figures)
        out['count'], out['steps'] = episodes, steps
    elif mode == 'gil':

        def work():
            dataset = TupliDataset(client)
            dataset.load()
            h = hashlib.sha256()
            return hash_tuples(dataset.tuples, h), h.hexdigest()

        gil_report(work, arg, out)
    print(json.dumps(out))


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
    if mode in EXTRA_MODES:
        return extra_mode(mode, client, arg, out)
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
