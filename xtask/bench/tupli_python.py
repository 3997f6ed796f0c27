"""One measured run of tupli's Python package for `cargo xtask bench --only python`.

Usage: python tupli_python.py MODE URL [ARG]

The same operations as pytupli's in xtask/bench/pytupli_client.py (whose
helpers this imports: CPU and wall of the operation alone, from getrusage and
perf_counter after the imports and the login; peak RSS as VmHWM; checksums
after the measurement), through `tupli`'s drop-in API:
    baseline                  log in only: the interpreter's and imports' RSS
    dataset DTYPE             TupliDataset(client, dtype=DTYPE).load() and
                              convert_to_d4rl_format() (the default layout);
                              the checksum is over the observations, actions
                              and rewards, row by row, in DTYPE; `split` says
                              how much of the CPU went to the Rust calls
    decode                    list_episodes(include_tuples=True): every
                              EpisodeItem and RLTuple built; the checksum over
                              the floats read back from the objects
    encode FILE               record_episode of the episode in FILE (built as
                              tupli's Episode of RLTuples before measuring)
    load-artifact             load_artifact('bench-artifact') into memory
    gym plain|off|record EPISODES:SEED:BENCHMARK
                              the CartPole-v1 loop of pytupli_client.py's
                              `gym`, on the bare environment (plain), or
                              through tupli.TupliEnvWrapper with recording
                              deactivated (off: it still makes each step's
                              RLTuple, as pytupli's does) or recording into
                              BENCHMARK, close() (which waits for the
                              episodes to be stored) included
    gil SECONDS:ALONE         a Python thread counting, alone, then while
                              TupliDataset(client).load() runs again and again
    gil-control SECONDS:ALONE BENCH_CLIENT
                              the same counting while `BENCH_CLIENT
                              dataset-columns URL` (the Rust client, another
                              process: no GIL shared) loads again and again:
                              what the machine leaves the counter
The modes that call the core once (decode, encode, load-artifact, and the
recorder's calls in gym record) report `split`: the CPU and wall seconds
spent in the core's calls, the rest of the operation being Python's.
Prints one JSON line, as pytupli_client.py does (the peak RSS read right
after the operation, before the checksums). TUPLI_BENCH_PROFILE=DIR
runs the measured operation under cProfile (see `measured`).
"""

import hashlib
import json
import os
import subprocess
import sys
import time

import pytupli_client as common


def timing(function, name, split):
    """`function`, adding the CPU (the whole process's, Rust threads
    included; `thread_cpu`: the calling thread's alone) and wall seconds of
    each call to `split[name]`."""

    def call(*args):
        (user, system), thread, started = common.cpu(), time.thread_time(), time.perf_counter()
        result = function(*args)
        wall, thread, (user1, system1) = time.perf_counter() - started, time.thread_time() - thread, common.cpu()
        entry = split.setdefault(name, {'cpu': 0.0, 'thread_cpu': 0.0, 'wall': 0.0, 'calls': 0})
        entry['cpu'] += user1 - user + system1 - system
        entry['thread_cpu'] += thread
        entry['wall'] += wall
        entry['calls'] += 1
        return result

    return call


class Timed:
    """An object of the Rust core whose method calls are timed into `split`:
    what the operation spent in the core, the rest being Python's."""

    def __init__(self, target, split):
        self._target, self._split = target, split

    def __getattr__(self, name):
        attr = getattr(self._target, name)
        return timing(attr, name, self._split) if callable(attr) else attr


def instrument(names, split):
    """Times the core's functions `names` (tupli._tupli's) into `split`."""
    from tupli import _tupli

    for name in names:
        setattr(_tupli, name, timing(getattr(_tupli, name), name, split))


def measured(work, mode):
    """`common.timed(work)`, and the peak RSS right after it (before any
    checksum); with TUPLI_BENCH_PROFILE=DIR set, under cProfile,
    its stats written to DIR/MODE-PID.prof (for finding where the time goes:
    the figures then carry the profiler's overhead)."""
    folder = os.environ.get('TUPLI_BENCH_PROFILE')
    if not folder:
        result, figures = common.timed(work)
    else:
        import cProfile

        profile = cProfile.Profile()
        result, figures = common.timed(lambda: profile.runcall(work))
        profile.dump_stats(os.path.join(folder, f'{mode}-{os.getpid()}.prof'))
    figures['peak_rss'] = common.peak_rss()
    return result, figures


def main():
    mode, url = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]

    # Every mode imports the same, so `baseline` measures what each carries.
    import numpy  # noqa: F401 (tupli's columns are numpy arrays)
    import tupli
    from tupli import _tupli
    from tupli.schema import Episode, RLTuple

    client = tupli.TupliAPIClient(token_store='memory')
    client.login('bench', 'bench-password', url=url)
    out = {'mode': mode}
    split = {}
    if mode in ('decode', 'encode', 'load-artifact'):
        out['split'] = split
        client._core = Timed(client._core, split)

    if mode == 'baseline':
        _, figures = measured(lambda: None, mode)
        out['count'] = 0
    elif mode == 'dataset':
        out['split'] = split
        instrument(['preview', 'load_columns'], split)

        def work():
            dataset = tupli.TupliDataset(client, dtype=args[0])
            dataset.load()
            return dataset, dataset.convert_to_d4rl_format()

        (dataset, d4rl), figures = measured(work, mode)
        out['count'], out['checksum'] = common.columns_checksum(d4rl['observations'], d4rl['actions'], d4rl['rewards'])
        out['dtype'] = str(d4rl['observations'].dtype)
        out['benchmarks'] = [b.id for b in dataset.benchmarks]
        out['arrays_bytes'] = sum(a.nbytes for a in dataset.columns().values())
    elif mode == 'decode':
        items, figures = measured(lambda: client.list_episodes(include_tuples=True), mode)
        out['count'] = len(items)
        out['tuples'] = sum(len(i.tuples) for i in items)
        out['types'] = sorted({type(t).__name__ for i in items for t in i.tuples})
        out['checksum'] = common.checksum(items)
    elif mode == 'encode':
        with open(args[0], 'rb') as f:
            body = json.loads(f.read())
        tuples = [RLTuple(**t) for t in body['tuples']]
        episode = Episode(benchmark_id=body['benchmark_id'], metadata=body['metadata'], tuples=tuples)
        h = hashlib.sha256()
        common.hash_tuples(episode.tuples, h)
        out['checksum'] = h.hexdigest()
        header, figures = measured(lambda: client.record_episode(episode), mode)
        out['count'] = header.n_tuples
    elif mode == 'load-artifact':
        data, figures = measured(lambda: client.load_artifact('bench-artifact'), mode)
        out['count'] = len(data)
        out['checksum'] = hashlib.sha256(data).hexdigest()
    elif mode == 'gym':
        how, spec = args
        episodes, seed, benchmark = spec.split(':')
        episodes, seed = int(episodes), int(seed)
        env = common.gym_env(seed)
        if how not in ('plain', 'off', 'record'):
            raise SystemExit(f'gym: {how!r} is none of plain, off, record')
        if how != 'plain':
            env = tupli.TupliEnvWrapper(env, client, benchmark_id=benchmark)
        if how == 'off':
            env.deactivate_recording()
        if how == 'record':
            out['split'] = split
            recorder = _tupli.Recorder
            _tupli.Recorder = lambda *a: Timed(recorder(*a), split)
        steps, figures = measured(lambda: common.gym_loop(env, episodes, seed), mode)
        out['count'], out['steps'] = episodes, steps
    elif mode in ('gil', 'gil-control'):

        def work():
            dataset = tupli.TupliDataset(client)
            dataset.load()
            return common.columns_checksum(dataset.observations, dataset.actions, dataset.rewards)

        def rust():
            done = subprocess.run([args[1], 'dataset-columns', url], check=True, capture_output=True)
            report = json.loads(done.stdout.decode().splitlines()[-1])
            return report['count'], report['checksum']

        common.gil_report(work if mode == 'gil' else rust, args[0], out)
        figures = {}
    else:
        raise SystemExit(f'unknown mode {mode}')
    out.update(figures)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
