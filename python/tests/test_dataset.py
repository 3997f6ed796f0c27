"""TupliDataset against pytupli's on the same data: pytupli's methods and properties, columns
as numpy arrays equal to pytupli's to the bit, pytupli's D4RL layout on request, and tupli's
own D4RL default (next observations within each episode, timeouts apart)."""

import numpy as np
import pandas as pd
import pytest
import pytupli.dataset
import pytupli.schema as theirs
import pytupli.storage

import tupli
from support import DATASET_EPISODES, same_bits, store_dataset

ROWS = sum(length for length, _ in DATASET_EPISODES)
FLOAT_COLUMNS = ("observations", "actions", "rewards")


class Pair:
    """tupli's and pytupli's datasets of the same episodes, both loaded; ``fresh()`` makes
    another tupli dataset of them, not loaded yet."""

    def __init__(self, client, reference_client, benchmark_hash):
        self.fresh = lambda: tupli.TupliDataset(client).with_benchmark_filter(
            tupli.FilterEQ(key="hash", value=benchmark_hash)
        )
        self.ours = self.fresh()
        self.reference = pytupli.dataset.TupliDataset(reference_client).with_benchmark_filter(
            theirs.FilterEQ(key="hash", value=benchmark_hash)
        )
        self.ours.load()
        self.reference.load()

    def __iter__(self):
        return iter((self.ours, self.reference))


@pytest.fixture
def pair(url, user, keyring_entries):
    """The same episodes on the server, read by both packages (limited to this test's
    benchmark)."""
    header, _ = store_dataset(user.client)
    reference = pytupli.storage.TupliAPIClient()
    reference.login(user.name, user.password, url=url)
    both = Pair(user.client, reference, header.hash)
    assert len(both.reference.tuples) == ROWS
    return both


def episode_ends(reference):
    """Row index of each episode's last tuple, in the dataset's order."""
    return np.cumsum([len(e.tuples) for e in reference.episodes]) - 1


def test_float64_columns_equal_pytupli_values_to_the_bit(pair):
    ours, reference = pair
    columns = ours.convert_to_d4rl_format(dtype=np.float64)
    for name in FLOAT_COLUMNS:
        assert columns[name].dtype == np.float64, name
        same_bits(columns[name], np.array(getattr(reference, name), dtype=np.float64), name)
    same_bits(columns["terminals"], np.array(reference.terminals, dtype=np.bool_), "terminals")
    same_bits(columns["timeouts"], np.array(reference.timeouts, dtype=np.bool_), "timeouts")


def test_pytupli_layout_is_pytupli_exactly(pair):
    ours, reference = pair
    mine = ours.convert_to_d4rl_format(layout="pytupli")
    expected = reference.convert_to_d4rl_format()
    assert sorted(mine) == sorted(expected)
    for name, column in expected.items():
        same_bits(mine[name], column, name)
    assert mine["observations"].dtype == np.float32


def test_default_layout_differs_where_meant(pair):
    ours, reference = pair
    default = ours.convert_to_d4rl_format()
    theirs_layout = reference.convert_to_d4rl_format()
    ends = episode_ends(reference)
    obs = theirs_layout["observations"]
    same_bits(default["observations"], obs, "observations")
    for name in ("actions", "rewards"):
        same_bits(default[name], theirs_layout[name], name)

    # Each episode's last row repeats its own observation; every other row is pytupli's.
    expected_next = theirs_layout["next_observations"].copy()
    expected_next[ends] = obs[ends]
    same_bits(default["next_observations"], expected_next, "next_observations")
    bits = np.uint32
    differs = np.flatnonzero(
        (default["next_observations"].view(bits) != theirs_layout["next_observations"].view(bits))
        .any(axis=1)
    )
    # The very last row is the dataset's last observation in both.
    assert differs.tolist() == ends[:-1].tolist()

    terminal = np.array(reference.terminals)
    timeout = np.array(reference.timeouts)
    same_bits(default["terminals"], terminal, "terminals")
    same_bits(default["timeouts"], timeout, "timeouts")
    assert np.flatnonzero(default["terminals"] != theirs_layout["terminals"]).tolist() == (
        np.flatnonzero(timeout & ~terminal).tolist()
    )
    assert np.flatnonzero(timeout & ~terminal).size == 2


def test_properties_are_numpy_columns(pair):
    ours, reference = pair
    for name in FLOAT_COLUMNS:
        column = getattr(ours, name)
        assert isinstance(column, np.ndarray), name
        assert len(column) == ROWS
        assert np.array_equal(
            column.astype(np.float32).view(np.uint32),
            np.array(getattr(reference, name), dtype=np.float32).view(np.uint32),
        ), name
    assert ours.observations.shape == (ROWS, 3) and ours.actions.shape == (ROWS, 2)
    for name in ("terminals", "timeouts"):
        column = getattr(ours, name)
        assert isinstance(column, np.ndarray) and column.dtype == np.bool_, name
        assert column.tolist() == getattr(reference, name)
    assert list(ours.infos) == reference.infos


def test_convert_to_tensors_as_pytupli(pair):
    ours, reference = pair
    mine = ours.convert_to_tensors()
    expected = reference.convert_to_tensors()
    assert len(mine) == 5
    for name, a, b in zip(("obs", "act", "rew", "term", "timeout"), mine, expected):
        same_bits(a, b, name)


def test_preview_and_samples(pair):
    ours, reference = pair
    preview = pair.fresh().preview()
    assert [e.id for e in preview] == [e.id for e in reference.episodes]
    for header in preview:
        assert isinstance(header, tupli.EpisodeHeader) and isinstance(header, theirs.EpisodeHeader)
        assert not hasattr(header, "tuples")
    ours.set_seed(7)
    first = [e.id for e in ours.sample_episodes(2)]
    ours.set_seed(7)
    assert [e.id for e in ours.sample_episodes(2)] == first
    assert len(set(first)) == 2 and set(first) <= {e.id for e in preview}
    assert sorted(e.id for e in ours.sample_episodes(100)) == sorted(e.id for e in preview)


def test_batches(pair):
    ours, reference = pair
    batches = list(ours.as_batch_generator(4))
    assert [len(b) for b in batches] == [4, 4, 4, 4, 1]
    flat = [t for batch in batches for t in batch]
    assert all(isinstance(t, tupli.RLTuple) for t in flat)
    assert [t.model_dump() for t in flat] == [t.model_dump() for t in reference.tuples]
    ours.set_seed(3)
    shuffled = [t.model_dump() for b in ours.as_batch_generator(5, shuffle=True) for t in b]
    ours.set_seed(3)
    again = [t.model_dump() for b in ours.as_batch_generator(5, shuffle=True) for t in b]
    assert shuffled == again
    assert shuffled != [t.model_dump() for t in flat]
    key = repr
    assert sorted(map(key, shuffled)) == sorted(key(t.model_dump()) for t in flat)


def test_filters_make_new_datasets(pair):
    ours, reference = pair
    timeouts = pair.fresh().with_episode_filter(tupli.FilterEQ(key="metadata.end", value="timeout"))
    assert [e.metadata["end"] for e in timeouts.preview()] == ["timeout", "timeout"]
    assert len(ours.preview()) == len(DATASET_EPISODES)
    timeouts.load()
    assert len(timeouts.rewards) == 6

    seen = []

    def last_steps(rl_tuple):
        seen.append(rl_tuple)
        return rl_tuple.terminal or rl_tuple.timeout

    ends = pair.fresh().with_tuple_filter(last_steps)
    ends.load()
    assert seen and all(isinstance(t, tupli.RLTuple) for t in seen)
    assert len(ends.rewards) == 4
    expected = reference.with_tuple_filter(lambda t: t.terminal or t.timeout)
    expected.load()
    same_bits(
        ends.convert_to_d4rl_format(layout="pytupli")["rewards"],
        expected.convert_to_d4rl_format()["rewards"],
    )
    assert len(ours.rewards) == ROWS


def test_dataframe(pair):
    ours, _ = pair
    frame = ours.convert_to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == ROWS
    for name in ("observations", "actions", "next_observations", "rewards", "terminals"):
        assert name in frame.columns, name
    columns = ours.convert_to_d4rl_format()
    same_bits(np.array(frame["rewards"].tolist(), dtype=np.float32), columns["rewards"])
    same_bits(np.stack(frame["next_observations"].to_numpy()), columns["next_observations"])


def test_dataset_over_a_folder_as_pytupli(tmp_path):
    folder = str(tmp_path / "store")
    store_dataset(tupli.FileStorage(folder))
    ours = tupli.TupliDataset(tupli.FileStorage(folder))
    reference = pytupli.dataset.TupliDataset(pytupli.storage.FileStorage(folder))
    ours.load()
    reference.load()
    # A folder lists files in no set order: compare episode by episode.
    by_id = {e.id: e for e in reference.episodes}
    order = [e.id for e in ours.preview()]
    assert sorted(order) == sorted(by_id)
    rows = [t for i in order for t in by_id[i].tuples]
    mine = ours.convert_to_d4rl_format(dtype=np.float64)
    same_bits(mine["observations"], np.array([t.state for t in rows], dtype=np.float64))
    same_bits(mine["rewards"], np.array([t.reward for t in rows], dtype=np.float64))
    same_bits(mine["timeouts"], np.array([t.timeout for t in rows]))
