"""TupliEnvWrapper with a real gymnasium environment (CartPole-v1): store, publish, load and
delete the benchmark; episodes recorded in the background, flushed by ``close()``, each
stored once with exactly the tuples the environment produced."""

import json

import gymnasium as gym
import pytest
import pytupli.benchmark

import tupli
from support import unique


def play(wrapper, episodes, seed):
    """Plays ``episodes`` whole episodes with seeded random actions; answers each episode's
    tuples as the environment produced them (dicts)."""
    wrapper.action_space.seed(seed)
    played = []
    for k in range(episodes):
        wrapper.reset(seed=seed + k)
        rows, done = [], False
        while not done:
            action = wrapper.action_space.sample()
            obs, reward, terminated, truncated, info = wrapper.step(action)
            rows.append({"state": obs.tolist(), "action": action.tolist(), "reward": float(reward),
                         "info": dict(info), "terminal": bool(terminated),
                         "timeout": bool(truncated)})  # fmt: skip
            done = terminated or truncated
        played.append(rows)
    return played


def own_metadata(episode):
    """An episode's metadata without ``tupli_key``, the key tupli's recorder adds to store each
    episode exactly once (checked to be a 32-digit hex string)."""
    metadata = dict(episode.metadata)
    key = metadata.pop("tupli_key", None)
    assert key is None or (isinstance(key, str) and len(key) == 32 and int(key, 16) >= 0), key
    return metadata


def recorded(storage, benchmark_id):
    """The episodes ``storage`` holds for the benchmark, as {their tuples as JSON: item}."""
    items = storage.list_episodes(
        tupli.FilterEQ(key="benchmark_id", value=benchmark_id), include_tuples=True
    )
    return {json.dumps([t.model_dump() for t in e.tuples]): e for e in items}


def assert_recorded(storage, benchmark_id, played):
    """Asserts ``storage`` holds exactly the episodes ``played``, each once."""
    items = recorded(storage, benchmark_id)
    expected = sorted(json.dumps(rows) for rows in played)
    assert sorted(items) == expected
    assert len(storage.list_episodes(tupli.FilterEQ(key="benchmark_id", value=benchmark_id))) == (
        len(played)
    )
    for rows in played:
        item = items[json.dumps(rows)]
        assert isinstance(item, tupli.EpisodeItem)
        assert (item.n_tuples, item.terminated, item.timeout) == (
            len(rows), rows[-1]["terminal"], rows[-1]["timeout"])  # fmt: skip
    return items


def cartpole(storage, **kwargs):
    """CartPole-v1 in a TupliEnvWrapper over ``storage``, stored as a new benchmark."""
    wrapper = tupli.TupliEnvWrapper(gym.make("CartPole-v1"), storage, **kwargs)
    wrapper.store(unique("cartpole"), description="balance", difficulty="easy", version="1",
                  metadata={"max_steps": 500})  # fmt: skip
    return wrapper


def test_record_episodes_on_a_server(user):
    wrapper = cartpole(user.client)
    assert isinstance(wrapper, gym.Wrapper)
    benchmark = user.client.load_benchmark(wrapper.id)
    assert benchmark.metadata.model_dump() == {
        "name": benchmark.metadata.name, "description": "balance", "difficulty": "easy",
        "version": "1", "extra": {"max_steps": 500},
    }  # fmt: skip
    played = play(wrapper, 4, seed=11)
    wrapper.close()
    items = assert_recorded(user.client, wrapper.id, played)
    assert all(own_metadata(e) == {} and e.created_by == user.name for e in items.values())
    keys = [e.metadata["tupli_key"] for e in items.values() if "tupli_key" in e.metadata]
    assert len(set(keys)) == len(keys), keys
    # Closing again stores nothing more.
    wrapper.close()
    assert_recorded(user.client, wrapper.id, played)


def test_metadata_callback_and_custom_tuples(user):
    class Steps(tupli.EpisodeMetadataCallback):
        def __init__(self):
            self.steps = 0

        def reset(self):
            self.steps = 0

        def __call__(self, tuple):
            self.steps += 1
            return {"steps": self.steps, "last_reward": tuple.reward}

    class Doubled(tupli.RLTuple):
        @classmethod
        def from_env_step(cls, obs, action, reward, terminated, truncated, info):
            return super().from_env_step(obs, action, reward * 2, terminated, truncated, info)

    wrapper = cartpole(user.client, metadata_callback=Steps(), rl_tuple_cls=Doubled)
    played = play(wrapper, 2, seed=5)
    wrapper.close()
    for rows in played:
        for row in rows:
            row["reward"] *= 2
    items = assert_recorded(user.client, wrapper.id, played)
    for rows in played:
        assert own_metadata(items[json.dumps(rows)]) == {"steps": len(rows), "last_reward": 2.0}


def test_recording_switched_off_and_on(user):
    wrapper = cartpole(user.client)
    wrapper.deactivate_recording()
    play(wrapper, 1, seed=1)
    wrapper.activate_recording()
    played = play(wrapper, 2, seed=2)
    wrapper.close()
    assert_recorded(user.client, wrapper.id, played)


def test_publish_load_and_delete(user):
    wrapper = cartpole(user.client)
    assert wrapper.publish() is None
    only = tupli.FilterEQ(key="id", value=wrapper.id)
    assert user.client.list_benchmarks(only)[0].published_in == [user.name, "global"]
    first = play(wrapper, 1, seed=3)
    wrapper.close()

    loaded = tupli.TupliEnvWrapper.load(user.client, wrapper.id)
    assert isinstance(loaded, tupli.TupliEnvWrapper)
    assert loaded.id == wrapper.id
    assert type(loaded.unwrapped).__name__ == "CartPoleEnv"
    second = play(loaded, 1, seed=4)
    loaded.close()
    assert_recorded(user.client, wrapper.id, first + second)

    assert loaded.delete() is None
    assert user.client.list_episodes(tupli.FilterEQ(key="benchmark_id", value=wrapper.id)) == []
    with pytest.raises(tupli.NotFoundError):
        user.client.load_benchmark(wrapper.id)


def test_record_into_a_folder_and_load_with_pytupli(tmp_path):
    storage = tupli.FileStorage(str(tmp_path / "store"))
    wrapper = cartpole(storage)
    played = play(wrapper, 3, seed=21)
    wrapper.close()
    assert_recorded(storage, wrapper.id, played)
    # pytupli's wrapper reads the benchmark tupli's stored, through tupli's storage.
    theirs_wrapper = pytupli.benchmark.TupliEnvWrapper.load(storage, wrapper.id)
    assert type(theirs_wrapper.unwrapped).__name__ == "CartPoleEnv"
    wrapper.delete(delete_episodes=True)
    assert storage.list_episodes() == [] and storage.list_benchmarks() == []
