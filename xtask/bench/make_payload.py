"""Writes the benchmark's input files, and what is expected of them.

    python make_payload.py episodes ITEMS HEADERS EPISODES TUPLES_PER_EPISODE
        ITEMS: a JSON array of episode items exactly as the PyTupli server
        answers `POST /episodes/list` with `include_tuples` (Starlette's
        JSONResponse: compact separators, CPython float repr); HEADERS: the
        same episodes without their tuples (the answer without tuples).
    python make_payload.py episode OUT TUPLES SEED
        OUT: one episode as `POST /episodes/record` takes it, which both
        clients load (untimed) and record (timed).

Besides CPython's shortest spellings, some numbers are spelled as no CPython
server would, to hold every decoder to bit-exactness: signed zeros,
subnormals, spellings longer than 17 digits, exponent spellings, integral
floats and integers (see SPECIALS). Each number's expected value is what
CPython's correctly rounded `float()` makes of its spelling.

Beside the first output, `OUT.meta.json` records the generator's own sha256,
the arguments, each file's size and sha256, and the expected figures: tuples,
floats, and the sha256 over every float of every tuple (state, action,
reward, in order) as little-endian IEEE-754 bits, which every client's
checksum must equal. xtask regenerates the files when any of it disagrees.
"""

import array
import hashlib
import json
import random
import re
import sys

SPECIALS = [
    # signed zeros, and a zero under an exponent
    '-0.0', '-0e0', '0.0', '0e-400',
    # subnormals, among them both sides of the halfway point below the smallest
    '5e-324', '4.9406564584124654e-324', '2.2250738585072009e-308', '1e-310',
    '2.4703282292062328e-324', '2.4703282292062327e-324',
    # around the smallest normal
    '2.2250738585072011e-308', '2.2250738585072014e-308',
    # longer than 17 digits: exact decimal expansions, halfway cases, beyond 2**53
    '0.1000000000000000055511151231257827021181583404541015625',
    '1.00000000000000011102230246251565404236316680908203125',
    '1.00000000000000011102230246251565404236316680908203126',
    '9007199254740993.0',
    '0.30000000000000004440892098500626161694526672363281250000001',
    '123456789012345678901234567890.5',
    # exponent spellings
    '1E5', '1e+05', '-2.5E-3', '1.7976931348623157e308', '1e23', '8.98846567431158e307',
    '1E-7', '0.0001e4', '-1.5e-0',
    # integral floats, and integers
    '1.0', '-3.0', '1e2', '4503599627370496.0', '100', '-7', '0',
]

PLACEHOLDER = re.compile(r'"@@(\d+)@@"')


def special_value(spelling):
    """What a correct decoder makes of a spelling (an int stays an int)."""
    return int(spelling) if re.fullmatch(r'-?\d+', spelling) else float(spelling)


class Floats:
    """The expected checksum: every float, in order, as little-endian bits."""

    def __init__(self):
        self.hash = hashlib.sha256()
        self.floats = 0
        self.tuples = 0

    def add(self, state, action, reward):
        values = array.array('d', [float(v) for v in [*state, *action, reward]])
        if sys.byteorder != 'little':
            values.byteswap()
        self.hash.update(values.tobytes())
        self.floats += len(values)
        self.tuples += 1


def make_tuples(rng, n_tuples, specials_every, offset, expected):
    """Tuples with random floats; every `specials_every`-th carries special
    spellings (as placeholders, spelled out after json.dumps)."""
    tuples = []
    for t in range(n_tuples):
        state = [rng.uniform(-10, 10) for _ in range(17)]
        action = [rng.uniform(-1, 1) for _ in range(6)]
        reward = rng.gauss(0, 1)
        if t % specials_every == 0:
            k = offset + t // specials_every
            spelled = [(k + i) % len(SPECIALS) for i in range(24)]
            expected.add(
                [special_value(SPECIALS[i]) for i in spelled[:17]],
                [special_value(SPECIALS[i]) for i in spelled[17:23]],
                special_value(SPECIALS[spelled[23]]),
            )
            state = [f'@@{i}@@' for i in spelled[:17]]
            action = [f'@@{i}@@' for i in spelled[17:23]]
            reward = f'@@{spelled[23]}@@'
        else:
            expected.add(state, action, reward)
        tuples.append(
            {
                'state': state,
                'action': action,
                'reward': reward,
                'info': {},
                'terminal': t == n_tuples - 1,
                'timeout': False,
            }
        )
    return tuples


def dumps(value):
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(',', ':'))
    return PLACEHOLDER.sub(lambda m: SPECIALS[int(m.group(1))], text)


def header(index, n_tuples):
    return {
        'id': f'{index:032x}',
        'created_by': 'bench',
        'published_in': ['bench'],
        'created_at': '2026-11-25T12:00:00.000000',
        'benchmark_id': 'b' * 32,
        'metadata': {'policy': 'ppo', 'seed': index},
        'n_tuples': n_tuples,
        'terminated': True,
        'timeout': False,
    }


def write(path, text, files):
    data = text.encode()
    with open(path, 'wb') as f:
        f.write(data)
    files[path] = {'bytes': len(data), 'sha256': hashlib.sha256(data).hexdigest()}


def episodes(items_path, headers_path, n_episodes, n_tuples, files, expected):
    rng = random.Random(20261125)
    items, headers = [], []
    for i in range(n_episodes):
        tuples = make_tuples(rng, n_tuples, n_tuples, i, expected)
        headers.append(header(i, n_tuples))
        items.append({**header(i, n_tuples), 'tuples': tuples})
    write(items_path, dumps(items), files)
    write(headers_path, dumps(headers), files)


def episode(out, n_tuples, seed, files, expected):
    rng = random.Random(seed)
    body = {
        'benchmark_id': 'bench',
        'metadata': {'policy': 'bench', 'seed': seed},
        'tuples': make_tuples(rng, n_tuples, 1000, seed, expected),
    }
    write(out, dumps(body), files)


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    files, expected = {}, Floats()
    if mode == 'episodes':
        items, headers, n_episodes, n_tuples = args[0], args[1], int(args[2]), int(args[3])
        episodes(items, headers, n_episodes, n_tuples, files, expected)
        first = items
    elif mode == 'episode':
        out, n_tuples, seed = args[0], int(args[1]), int(args[2])
        episode(out, n_tuples, seed, files, expected)
        first = out
    else:
        raise SystemExit(f'unknown mode {mode}')
    with open(__file__, 'rb') as f:
        generator = hashlib.sha256(f.read()).hexdigest()
    meta = {
        'generator_sha256': generator,
        'args': [mode, *args],
        'files': files,
        'tuples': expected.tuples,
        'floats': expected.floats,
        'checksum': expected.hash.hexdigest(),
    }
    with open(first + '.meta.json', 'w') as f:
        json.dump(meta, f, indent=1)


if __name__ == '__main__':
    main()
