"""pytupli 1.2.9's own FileStorage against folders tupli's FileStorage reads and writes.

Usage:
    python filestorage_interop.py write DIR
        pytupli writes benchmarks, artifacts and episodes (floats of every kind, unicode,
        nested info) into DIR; prints one JSON line: what it stored, as pytupli's models
        dump it.
    python filestorage_interop.py read DIR EXPECTED
        pytupli reads the folder tupli wrote and compares every field with EXPECTED (what
        tupli answered when it stored them), loads it with TupliDataset, checks each JSON
        file is exactly what `json.dumps(..., indent=2)` writes, and stores the same hash
        and bytes again (pytupli must answer tupli's records). Prints one JSON line.
    python filestorage_interop.py filters DIR KIND FILTERS
        pytupli's local filter evaluation (KIND: benchmarks, artifacts or episodes) for each
        filter of the JSON file FILTERS; prints one JSON line: per filter the markers of the
        objects it lists, or the error it raises.

Exits 1 with {"error": ...} on the first mismatch.
"""

import hashlib
import json
import logging
import os
import sys

from pytupli.dataset import TupliDataset
from pytupli.schema import (
    ArtifactMetadata,
    BaseFilter,
    BenchmarkMetadata,
    BenchmarkQuery,
    Episode,
    FilterEQ,
    RLTuple,
)
from pytupli.storage import FileStorage

logging.disable(logging.CRITICAL)

# Floats of every kind: signed zeros, subnormals, extremes, long and short spellings, and
# the spellings where Python and other printers differ (1e-07, 1e+16).
FLOATS = [
    0.0,
    -0.0,
    5e-324,
    -2.2250738585072014e-308,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    1e-07,
    1.5e-05,
    0.0001,
    1e16,
    1e22,
    1234567890123456.0,
    0.1,
    1 / 3,
    -2.5,
    123456.789,
    9007199254740993.0,
]
TEXTS = ['plain', 'é', '日本語', '😀 emoji', 'quote " back \\ slash', 'ctl \x01\x1f\x7f', 'line\u2028sep']


def fail(message):
    print(json.dumps({'error': message}))
    sys.exit(1)


def canonical(value):
    """A dump to compare by: keys sorted, floats as repr (so -0.0 != 0.0, 1 != 1.0),
    and what tupli leaves out when empty or unset (None, [], {}) dropped."""

    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if v is not None and v != [] and v != {}}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    return json.dumps(strip(value), sort_keys=True, ensure_ascii=False)


def same(what, ours, theirs):
    if canonical(ours) != canonical(theirs):
        fail(f'{what} differs:\n{canonical(ours)}\n{canonical(theirs)}')


def write(folder):
    storage = FileStorage(folder)
    benchmarks = []
    for i, text in enumerate(TEXTS[:4]):
        header = storage.store_benchmark(
            BenchmarkQuery(
                hash=f'pytupli-hash-{i}-{text}',
                serialized=json.dumps({'env': text, 'floats': FLOATS}),
                metadata=BenchmarkMetadata(
                    name=f'bench {text}',
                    description=TEXTS[i + 1],
                    difficulty='hard' if i % 2 else None,
                    version=None if i % 2 else '1.0',
                    extra={'floats': FLOATS, 'nested': {'list': [1, 2.0, None, True], 'text': text}},
                ),
            )
        )
        benchmarks.append(storage.load_benchmark(header.id).model_dump())

    artifacts = []
    for i, data in enumerate([bytes(range(256)) * 3, b'', 'unicode ü'.encode(), b'\x00' * 1000]):
        item = storage.store_artifact(
            data,
            ArtifactMetadata(
                name=f'artifact {i} {TEXTS[i]}',
                description=TEXTS[-1 - i],
                benchmark_id=benchmarks[0]['id'] if i % 2 else None,
                extra={'i': i, 'floats': FLOATS[i:], 'deep': {'x': [{'y': TEXTS[i]}]}},
            ),
        )
        artifacts.append({'item': item.model_dump(), 'data': data.hex()})

    for e in range(5):
        tuples = [
            RLTuple(
                state=[FLOATS[(e + t + k) % len(FLOATS)] for k in range(4)],
                action=(t % 3) if e % 2 else [FLOATS[(e * t) % len(FLOATS)], t],
                reward=FLOATS[(e + 2 * t) % len(FLOATS)],
                info={'t': t, 'text': TEXTS[t % len(TEXTS)], 'nested': {'ok': t % 2 == 0, 'v': None}},
                terminal=t == 2 + e and e % 2 == 0,
                timeout=t == 2 + e and e % 2 == 1,
            )
            for t in range(3 + e)
        ]
        storage.record_episode(
            Episode(
                benchmark_id=benchmarks[e % len(benchmarks)]['id'],
                metadata={'e': e, 'text': TEXTS[e], 'floats': FLOATS[e:], 'flag': e % 2 == 0},
                tuples=tuples,
            )
        )
    episodes = [item.model_dump() for item in storage.list_episodes(include_tuples=True)]
    if len(episodes) != 5:
        fail(f'pytupli lists {len(episodes)} episodes of 5')
    print(json.dumps({'benchmarks': benchmarks, 'artifacts': artifacts, 'episodes': episodes}))


def read(folder, expected_path):
    with open(expected_path, encoding='utf-8') as f:
        expected = json.load(f)
    storage = FileStorage(folder)
    checked = []

    listed = {h.id: h for h in storage.list_benchmarks()}
    if set(listed) != {b['id'] for b in expected['benchmarks']}:
        fail(f'benchmarks listed: {sorted(listed)}')
    for bench in expected['benchmarks']:
        same(f'benchmark {bench["id"]}', storage.load_benchmark(bench['id']).model_dump(), bench)
        header = {k: v for k, v in bench.items() if k != 'serialized'}
        same(f'benchmark header {bench["id"]}', listed[bench['id']].model_dump(), header)
        checked.append(f'benchmark {bench["id"]}')

    items = {a.id: a for a in storage.list_artifacts()}
    if set(items) != {a['item']['id'] for a in expected['artifacts']}:
        fail(f'artifacts listed: {sorted(items)}')
    for artifact in expected['artifacts']:
        item = artifact['item']
        same(f'artifact {item["id"]}', items[item['id']].model_dump(), item)
        data = storage.load_artifact(item['id'])
        if data.hex() != artifact['data']:
            fail(f'artifact {item["id"]}: other bytes')
        if hashlib.sha256(data).hexdigest() != item['hash']:
            fail(f'artifact {item["id"]}: the hash is not sha256 of the bytes')
        again = storage.store_artifact(data, ArtifactMetadata(name='stored again by pytupli'))
        if again.id != item['id']:
            fail(f'pytupli stored the bytes of {item["id"]} again as {again.id}')
        checked.append(f'artifact {item["id"]}')

    episodes = {e.id: e for e in storage.list_episodes(include_tuples=True)}
    if set(episodes) != {e['id'] for e in expected['episodes']}:
        fail(f'episodes listed: {sorted(episodes)}')
    for episode in expected['episodes']:
        same(f'episode {episode["id"]}', episodes[episode['id']].model_dump(), episode)
        checked.append(f'episode {episode["id"]}')

    bench = expected['benchmarks'][0]
    again = storage.store_benchmark(
        BenchmarkQuery(hash=bench['hash'], serialized='{}', metadata=BenchmarkMetadata(name='again'))
    )
    if again.id != bench['id']:
        fail(f'pytupli stored the hash of {bench["id"]} again as {again.id}')

    dataset = TupliDataset(storage).with_benchmark_filter(FilterEQ(key='hash', value=bench['hash']))
    dataset.load()
    wanted = [e for e in expected['episodes'] if e['benchmark_id'] == bench['id']]
    if sorted(e.id for e in dataset.episodes) != sorted(e['id'] for e in wanted):
        fail('TupliDataset selects other episodes')
    by_id = {e['id']: e for e in wanted}
    states = [t['state'] for e in dataset.episodes for t in by_id[e.id]['tuples']]
    same('TupliDataset observations', dataset.observations, states)
    checked.append(f'TupliDataset: {len(dataset.tuples)} tuples')

    files = 0
    for sub in ['benchmarks', 'artifacts', 'episodes']:
        for name in sorted(os.listdir(os.path.join(folder, sub))):
            if not name.endswith('.json'):
                continue
            with open(os.path.join(folder, sub, name), encoding='utf-8') as f:
                text = f.read()
            if json.dumps(json.loads(text), indent=2) != text:
                fail(f'{sub}/{name} is not written as json.dumps(..., indent=2) writes it')
            files += 1
    checked.append(f'{files} files as json.dumps writes them')
    print(json.dumps({'checked': checked}))


def filters(folder, kind, filters_path):
    with open(filters_path, encoding='utf-8') as f:
        table = json.load(f)
    storage = FileStorage(folder)
    results = []
    for raw in table:
        try:
            the_filter = BaseFilter(**raw)
            if kind == 'benchmarks':
                found = [h.metadata.extra.get('marker') for h in storage.list_benchmarks(the_filter)]
            elif kind == 'artifacts':
                found = [a.extra.get('marker') for a in storage.list_artifacts(the_filter)]
            else:
                found = [e.metadata.get('marker') for e in storage.list_episodes(the_filter)]
            results.append({'markers': sorted(m for m in found if m is not None)})
        except Exception as e:  # what pytupli raises is the answer
            results.append({'error': f'{type(e).__name__}: {e}'})
    print(json.dumps(results))


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'write':
        write(sys.argv[2])
    elif mode == 'read':
        read(sys.argv[2], sys.argv[3])
    elif mode == 'filters':
        filters(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        fail(f'unknown mode {mode}')
