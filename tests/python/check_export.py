"""Reads tupli's dataset exports with the real tools and compares them, bit for bit, with
pytupli 1.2.9's own TupliDataset on the same server data.

Usage: python check_export.py URL USER PASSWORD BENCHMARK_HASH DIR

DIR holds tupli's exports of the benchmark's episodes: data.npz, data-f32.npz, data.arrow,
data.parquet. Prints one JSON line of what was checked; exits 1 with the reason on the
first mismatch.
"""

import json
import sys

import keyring

# pytupli keeps its URL and tokens in the system keyring; keep them in memory.
_store = {}
keyring.get_password = lambda service, key: _store.get((service, key))
keyring.set_password = lambda service, key, value: _store.__setitem__((service, key), value)
keyring.delete_password = lambda service, key: _store.pop((service, key), None)

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.ipc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from pytupli.dataset import TupliDataset  # noqa: E402
from pytupli.schema import FilterEQ  # noqa: E402
from pytupli.storage import TupliAPIClient  # noqa: E402

url, user, password, benchmark_hash, folder = sys.argv[1:6]
checked = []


def fail(message):
    print(json.dumps({'error': message}))
    sys.exit(1)


def same_bits(name, ours, theirs):
    """Equal to the bit (so -0.0 and 0.0 differ), same shape and dtype."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.dtype != theirs.dtype or ours.shape != theirs.shape:
        fail(f'{name}: {ours.dtype}{ours.shape} vs {theirs.dtype}{theirs.shape}')
    if ours.dtype.kind == 'f':
        width = {4: np.uint32, 8: np.uint64}[ours.dtype.itemsize]
        equal = np.array_equal(ours.view(width), theirs.view(width))
    else:
        equal = np.array_equal(ours, theirs)
    if not equal:
        fail(f'{name} differs')
    checked.append(name)


# pytupli's own pipeline on the same data.
client = TupliAPIClient()
client.set_url(url)
client.login(user, password)
dataset = TupliDataset(client).with_benchmark_filter(FilterEQ(key='hash', value=benchmark_hash))
dataset.load()
d4rl = dataset.convert_to_d4rl_format()  # pytupli converts to float32
ref64 = {
    'observations': np.array(dataset.observations, dtype=np.float64),
    'actions': np.array(dataset.actions, dtype=np.float64),
    'rewards': np.array(dataset.rewards, dtype=np.float64),
    'terminals': np.array(dataset.terminals, dtype=np.bool_),
    'timeouts': np.array(dataset.timeouts, dtype=np.bool_),
}

ours = np.load(f'{folder}/data.npz')
n = len(ours['rewards'])
episode_ids = ours['episode_ids']
starts = ours['episode_starts']
episodes = json.loads(ours['episodes.json'])
if [e['id'] for e in episodes] != list(episode_ids):
    fail('episodes.json and episode_ids disagree')
if [e.id for e in dataset.episodes] != list(episode_ids):
    fail('the episodes come in another order than pytupli lists them')

# f64: exactly what was stored, as pytupli's own lists hold it.
for key in ('observations', 'actions', 'rewards', 'terminals', 'timeouts'):
    same_bits(f'npz {key} (f64)', ours[key], ref64[key])

# Within each episode, the next observation; an episode's last step repeats its own.
ends = np.append(starts[1:], n) - 1
expected_next = np.concatenate([ours['observations'][1:], ours['observations'][-1:]])
expected_next[ends] = ours['observations'][ends]
same_bits('npz next_observations (within episodes)', ours['next_observations'], expected_next)
steps = np.concatenate([np.arange(e - s + 1) for s, e in zip(starts, ends)])
same_bits('npz steps', ours['steps'], steps.astype(np.int32))

# f32, against pytupli's float32 d4rl dict: equal, but where the two fixes say.
ours32 = np.load(f'{folder}/data-f32.npz')
for key in ('observations', 'actions', 'rewards'):
    same_bits(f'npz {key} (f32) vs pytupli', ours32[key], d4rl[key])
boundary = np.zeros(n, dtype=bool)
boundary[ends[:-1]] = True  # every episode end but the dataset's last row
differs = np.any(ours32['next_observations'].view(np.uint32) != d4rl['next_observations'].view(np.uint32), axis=1)
if not np.array_equal(differs, boundary):
    fail(f'next_observations differ from pytupli at rows {np.flatnonzero(differs)}, not {np.flatnonzero(boundary)}')
checked.append('next_observations differ exactly at episode ends')
merged = ours32['terminals'] | ours32['timeouts']
same_bits('pytupli terminals = terminal OR timeout', d4rl['terminals'], merged)
if not (ours32['timeouts'] & ~ours32['terminals']).any():
    fail('the data has no truncation, so the terminals fix is not exercised')
checked.append('terminals differ exactly at truncations')

# Arrow IPC: pyarrow, pandas, polars.
table = pa.ipc.open_file(f'{folder}/data.arrow').read_all()
for key in ('observations', 'actions', 'next_observations'):
    column = table.column(key).combine_chunks()
    width = column.type.list_size
    same_bits(f'arrow {key}', column.flatten().to_numpy().reshape(-1, width), ours[key])
for key in ('rewards', 'terminals', 'timeouts'):
    same_bits(f'arrow {key}', table.column(key).to_numpy(), ours[key])
same_bits('arrow step', table.column('step').to_numpy(), ours['steps'])
rows_ids = episode_ids[ours['episode_index']]
if list(table.column('episode_id').to_pylist()) != list(rows_ids):
    fail('arrow episode_id differs')
side = json.loads(table.schema.metadata[b'tupli.episodes'])
if {e['id'] for e in side} != set(episode_ids):
    fail('arrow side table differs')
frame = pd.read_feather(f'{folder}/data.arrow')
same_bits('pandas.read_feather rewards', frame['rewards'].to_numpy(), ours['rewards'])
same_bits('pandas.read_feather observations', np.stack(frame['observations'].to_numpy()), ours['observations'])
polars_ipc = pl.read_ipc(f'{folder}/data.arrow')
same_bits('polars.read_ipc rewards', polars_ipc['rewards'].to_numpy(), ours['rewards'])

# Parquet: pyarrow, pandas, polars, DuckDB.
ptable = pq.read_table(f'{folder}/data.parquet')
for key in ('observations', 'actions', 'next_observations'):
    column = ptable.column(key).combine_chunks()
    same_bits(f'parquet {key}', np.stack(column.to_numpy(zero_copy_only=False)), ours[key])
same_bits('parquet rewards', ptable.column('rewards').to_numpy(), ours['rewards'])
meta = pq.read_metadata(f'{folder}/data.parquet')
if meta.metadata is None or b'tupli.episodes' not in meta.metadata:
    fail('parquet footer has no tupli.episodes')
if meta.row_group(0).column(0).compression != 'ZSTD':
    fail('parquet is not zstd-compressed')
pframe = pd.read_parquet(f'{folder}/data.parquet')
same_bits('pandas.read_parquet terminals', pframe['terminals'].to_numpy(), ours['terminals'])
polars_pq = pl.read_parquet(f'{folder}/data.parquet')
same_bits('polars.read_parquet timeouts', polars_pq['timeouts'].to_numpy(), ours['timeouts'])
rows, total = duckdb.sql(f"select count(*), sum(rewards) from '{folder}/data.parquet'").fetchall()[0]
expected_total = float(np.sum(ours['rewards']))
if rows != n or abs(total - expected_total) > 1e-9 * max(1.0, abs(expected_total)):
    fail(f'duckdb: {rows} rows, sum {total} (expected {n}, {expected_total})')
checked.append('duckdb count and sum')

print(json.dumps({'rows': int(n), 'episodes': len(episode_ids), 'checked': checked}))
