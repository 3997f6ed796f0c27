"""Writes the decode benchmark's payload: a JSON array of episode items exactly
as the PyTupli server answers `POST /episodes/list` with `include_tuples`
(Starlette's JSONResponse: compact separators, CPython float repr).

Usage: python make_payload.py OUT EPISODES TUPLES_PER_EPISODE
"""

import json
import random
import sys


def episode(rng, index, n_tuples):
    tuples = []
    for t in range(n_tuples):
        tuples.append(
            {
                'state': [rng.uniform(-10, 10) for _ in range(17)],
                'action': [rng.uniform(-1, 1) for _ in range(6)],
                'reward': rng.gauss(0, 1),
                'info': {},
                'terminal': t == n_tuples - 1,
                'timeout': False,
            }
        )
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
        'tuples': tuples,
    }


def main():
    out, episodes, n_tuples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(20261125)
    items = [episode(rng, i, n_tuples) for i in range(episodes)]
    with open(out, 'w') as f:
        json.dump(items, f, ensure_ascii=False, allow_nan=False, separators=(',', ':'))


if __name__ == '__main__':
    main()
