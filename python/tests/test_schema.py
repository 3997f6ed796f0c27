"""The schema classes: every pytupli.schema name is in ``tupli`` and ``tupli.schema``, and each
dumps, compares, prints and pickles as pytupli's does. No server needed."""

import pickle
import re

import numpy as np
import pytest
import pytupli.schema as theirs

import tupli
import tupli.schema

NAMES = [
    "BenchmarkQuery", "BenchmarkMetadata", "BenchmarkHeader", "Benchmark", "Episode", "RLTuple",
    "EpisodeHeader", "EpisodeItem", "ArtifactMetadata", "ArtifactMetadataItem", "User", "UserOut",
    "Group", "GroupWithMembers", "GroupMembership", "GroupMembershipQuery", "UserRole",
    "FilterEQ", "FilterNE", "FilterNEQ", "FilterGEQ", "FilterLEQ", "FilterGT", "FilterLT",
    "FilterIN", "FilterAND", "FilterOR", "BaseFilter", "FilterType", "RIGHT",
    "EpisodeMetadataCallback",
]  # fmt: skip

ITEM = {"id": "0" * 32, "created_by": "alice", "published_in": ["alice", "global"],
        "created_at": "2026-01-02T03:04:05.678901"}  # fmt: skip
META = {"name": "cartpole", "description": "d", "difficulty": None, "version": "2",
        "extra": {"a": [1, 2.5]}}  # fmt: skip
TUPLE = {"state": [0.1, -0.0, 3], "action": [1], "reward": 1 / 3, "info": {"k": "v"},
         "terminal": True, "timeout": False}  # fmt: skip
EPISODE_HEAD = {"benchmark_id": "b" * 32, "metadata": {"seed": 1}, "n_tuples": 1,
                "terminated": True, "timeout": False}  # fmt: skip

# (class, constructor arguments, the exact model_dump()).
CASES = [
    ("BenchmarkMetadata", {"name": "n"},
     {"name": "n", "description": "", "difficulty": None, "version": None, "extra": {}}),
    ("BenchmarkQuery", {"hash": "h", "serialized": "{}", "metadata": META},
     {"hash": "h", "serialized": "{}", "metadata": META}),
    ("BenchmarkHeader", {**ITEM, "hash": "h", "metadata": META},
     {**ITEM, "hash": "h", "metadata": META}),
    ("Benchmark", {**ITEM, "hash": "h", "metadata": META, "serialized": "{}"},
     {**ITEM, "hash": "h", "metadata": META, "serialized": "{}"}),
    ("ArtifactMetadata", {"name": "a"},
     {"name": "a", "description": "", "benchmark_id": None, "extra": {}}),
    ("ArtifactMetadataItem", {**ITEM, "name": "a", "hash": "f" * 64},
     {"name": "a", "description": "", "benchmark_id": None, "extra": {}, **ITEM,
      "hash": "f" * 64, "encoding": "utf-8"}),
    ("RLTuple", {"state": [1.0, 2], "action": 0, "reward": 0.5},
     {"state": [1.0, 2], "action": 0, "reward": 0.5, "info": {}, "terminal": False,
      "timeout": False}),
    ("Episode", {"benchmark_id": "b", "metadata": {"m": 1}, "tuples": [TUPLE]},
     {"benchmark_id": "b", "metadata": {"m": 1}, "tuples": [TUPLE]}),
    ("EpisodeHeader", {**ITEM, **EPISODE_HEAD}, {**ITEM, **EPISODE_HEAD}),
    ("EpisodeItem", {**ITEM, **EPISODE_HEAD, "tuples": [TUPLE]},
     {**ITEM, **EPISODE_HEAD, "tuples": [TUPLE]}),
    ("User", {"username": "u", "password": "p"},
     {"username": "u", "password": "p", "memberships": []}),
    ("UserOut", {"username": "u", "memberships": [{"group": "g", "roles": ["member"]}]},
     {"username": "u", "memberships": [{"group": "g", "roles": ["member"]}]}),
    ("Group", {"name": "g"}, {"name": "g", "description": None}),
    ("GroupWithMembers", {"name": "g", "members": ["a", "b"]},
     {"name": "g", "description": None, "members": ["a", "b"]}),
    ("GroupMembership", {"user": "u"}, {"user": "u", "roles": None}),
    ("GroupMembershipQuery", {"group_name": "g", "members": [{"user": "u", "roles": ["member"]}]},
     {"group_name": "g", "members": [{"user": "u", "roles": ["member"]}]}),
    ("UserRole", {"role": "r", "rights": ["benchmark_read", "episode_delete"]},
     {"role": "r", "rights": ["benchmark_read", "episode_delete"], "description": None}),
    ("FilterEQ", {"key": "metadata.name", "value": "x"},
     {"type": "EQ", "key": "metadata.name", "value": "x", "filters": []}),
    ("FilterNE", {"key": "k", "value": 0}, {"type": "NE", "key": "k", "value": 0, "filters": []}),
    ("FilterGEQ", {"key": "k", "value": 1.5},
     {"type": "GEQ", "key": "k", "value": 1.5, "filters": []}),
    ("FilterLEQ", {"key": "k", "value": 2}, {"type": "LEQ", "key": "k", "value": 2, "filters": []}),
    ("FilterGT", {"key": "k", "value": 3}, {"type": "GT", "key": "k", "value": 3, "filters": []}),
    ("FilterLT", {"key": "k", "value": 4}, {"type": "LT", "key": "k", "value": 4, "filters": []}),
    ("FilterIN", {"key": "k", "value": [1, "a"]},
     {"type": "IN", "key": "k", "value": [1, "a"], "filters": []}),
    ("FilterAND", {"filters": [{"type": "EQ", "key": "a", "value": 1}]},
     {"type": "AND", "key": None, "value": None,
      "filters": [{"type": "EQ", "key": "a", "value": 1, "filters": []}]}),
    ("FilterOR", {"filters": []}, {"type": "OR", "key": None, "value": None, "filters": []}),
    ("BaseFilter", {}, {"type": "OR", "key": None, "value": None, "filters": []}),
]  # fmt: skip


def test_version():
    assert isinstance(tupli.__version__, str)
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-].+)?", tupli.__version__), tupli.__version__


@pytest.mark.parametrize("name", NAMES)
def test_every_schema_name_in_both_modules(name):
    assert getattr(tupli, name) is getattr(tupli.schema, name)


def test_filter_neq_is_filter_ne():
    assert tupli.FilterNEQ is tupli.FilterNE
    assert tupli.FilterNEQ(key="k", value=1).type == "NE"


@pytest.mark.parametrize("name,kwargs,expected", CASES, ids=[c[0] for c in CASES])
def test_model_dump_as_pytupli(name, kwargs, expected):
    ours = getattr(tupli, name)(**kwargs)
    reference = getattr(theirs, name)(**kwargs)
    assert ours.model_dump() == expected
    assert reference.model_dump() == expected, "the expectation is pytupli's own"
    # Same keys in the same order: files and requests are written in this order.
    assert list(ours.model_dump()) == list(reference.model_dump())
    assert ours.model_dump_json() == reference.model_dump_json()


@pytest.mark.parametrize("name,kwargs,expected", CASES, ids=[c[0] for c in CASES])
def test_repr_and_equality(name, kwargs, expected):
    cls = getattr(tupli, name)
    ours = cls(**kwargs)
    # User's repr hides the password (test_user_repr_hides_the_password); a combining
    # filter's sub-filters given as dicts are of their own type's class (pytupli keeps
    # them BaseFilter), so their repr names it: the dumps are the same (above).
    if name not in ("User", "FilterAND", "FilterOR"):
        assert repr(ours) == repr(getattr(theirs, name)(**kwargs))
    assert repr(ours).startswith(name + "(")
    assert ours == cls(**kwargs)
    assert ours != cls(**{**kwargs, **_changed(name, kwargs)})


def _changed(name, kwargs):
    """One argument of ``kwargs`` with another value."""
    if "filters" in kwargs:
        return {"filters": [{"type": "EQ", "key": "other", "value": 9}]}
    if name == "BaseFilter":
        return {"type": "AND", "filters": []}
    if name == "RLTuple":
        return {"reward": 0.75}
    key = next(k for k in kwargs if isinstance(kwargs[k], str))
    return {key: kwargs[key] + "-changed"}


@pytest.mark.parametrize("name,kwargs,expected", CASES, ids=[c[0] for c in CASES])
def test_pickle_round_trip(name, kwargs, expected):
    ours = getattr(tupli, name)(**kwargs)
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(ours, protocol=protocol))
        assert type(back) is type(ours)
        assert back == ours
        assert back.model_dump() == expected


def test_user_repr_hides_the_password():
    user = tupli.User(username="alice", password="hunter2-secret")
    assert "hunter2-secret" not in repr(user) and "hunter2-secret" not in str(user)
    assert repr(user).startswith("User(username='alice', ")
    assert user.password == "hunter2-secret"
    assert user.model_dump()["password"] == "hunter2-secret"


def test_combined_filters_pickle_round_trip():
    combined = (tupli.FilterEQ(key="a", value=1) & tupli.FilterGT(key="b", value=2)) | (
        tupli.FilterIN(key="c", value=["x", "y"])
    )
    back = pickle.loads(pickle.dumps(combined))
    assert type(back) is type(combined)
    assert back == combined
    assert back.model_dump() == combined.model_dump()


def test_filter_operators_as_pytupli():
    def build(m):
        a = m.FilterEQ(key="a", value=1)
        b = m.FilterGT(key="b", value=2)
        c = m.FilterLT(key="c", value=3)
        return [a & b, (a & b) & c, a & (b & c), a | b, (a | b) | c, (a & b) | c]

    for ours, reference in zip(build(tupli), build(theirs)):
        assert ours.model_dump() == reference.model_dump()
        assert type(ours).__name__ == type(reference).__name__
    flat = build(tupli)[1]
    assert isinstance(flat, tupli.FilterAND)
    assert [f.key for f in flat.filters] == ["a", "b", "c"]


def test_filter_or_from_list():
    items = [tupli.Group(name="x"), tupli.Group(name="y")]
    combined = tupli.FilterOR.from_list(items, on_key="group", from_key="name")
    assert combined.model_dump() == {
        "type": "OR", "key": None, "value": None,
        "filters": [{"type": "EQ", "key": "group", "value": "x", "filters": []},
                    {"type": "EQ", "key": "group", "value": "y", "filters": []}],
    }  # fmt: skip


@pytest.mark.parametrize("name", ["FilterEQ", "FilterNE", "FilterGEQ", "FilterLEQ", "FilterGT",
                                  "FilterLT", "FilterIN"])  # fmt: skip
def test_comparison_filter_needs_key_and_value(name):
    with pytest.raises(ValueError):
        getattr(tupli, name)(key="k")
    with pytest.raises(ValueError):
        getattr(tupli, name)(value=1)


def test_filter_type_and_rights_as_pytupli():
    assert [(m.name, m.value) for m in tupli.FilterType] == [
        (m.name, m.value) for m in theirs.FilterType
    ]
    assert tupli.FilterType.EQ == "EQ" and isinstance(tupli.FilterType.IN, str)
    assert [(m.name, m.value) for m in tupli.RIGHT] == [(m.name, m.value) for m in theirs.RIGHT]
    assert tupli.RIGHT.BENCHMARK_READ == "benchmark_read"
    assert tupli.RIGHT("role_management") is tupli.RIGHT.ROLE_MANAGEMENT
    assert tupli.UserRole(role="r", rights=["group_read"]).rights == [tupli.RIGHT.GROUP_READ]


def test_headers_have_no_tuples():
    header = tupli.EpisodeHeader(**ITEM, **EPISODE_HEAD)
    assert not hasattr(header, "tuples")
    assert "tuples" not in header.model_dump()
    benchmark_header = tupli.BenchmarkHeader(**ITEM, hash="h", metadata=META)
    assert not hasattr(benchmark_header, "serialized")


def test_nested_values_are_schema_objects():
    episode = tupli.Episode(benchmark_id="b", metadata={}, tuples=[TUPLE, TUPLE])
    assert all(isinstance(t, tupli.RLTuple) for t in episode.tuples)
    assert episode.tuples[0] == tupli.RLTuple(**TUPLE)
    query = tupli.BenchmarkQuery(hash="h", serialized="s", metadata=META)
    assert isinstance(query.metadata, tupli.BenchmarkMetadata)
    assert query.metadata.name == "cartpole"
    group = tupli.GroupMembershipQuery(group_name="g", members=[{"user": "u"}])
    assert isinstance(group.members[0], tupli.GroupMembership)


def test_rl_tuple_from_env_step_as_pytupli():
    obs = np.array([1.5, -0.0, 0.1], dtype=np.float32)
    args = (obs, np.int64(1), 1.0, False, True, {"lives": 3})
    ours = tupli.RLTuple.from_env_step(*args)
    assert ours.model_dump() == theirs.RLTuple.from_env_step(*args).model_dump()
    assert ours.state == [1.5, -0.0, float(np.float32(0.1))]
    assert type(ours.action) is int and ours.action == 1
    assert (ours.terminal, ours.timeout, ours.info) == (False, True, {"lives": 3})
    vector = tupli.RLTuple.from_env_step(obs, np.array([0.25, 2.0]), 0.0, True, False, {})
    assert vector.action == [0.25, 2.0] and vector.terminal is True
    with pytest.raises(ValueError):
        tupli.RLTuple.from_env_step([1.0, 2.0], np.int64(0), 0.0, False, False, {})


def test_episode_metadata_callback_is_abstract():
    with pytest.raises(TypeError):
        tupli.EpisodeMetadataCallback()

    class Steps(tupli.EpisodeMetadataCallback):
        def __init__(self):
            self.n = 0

        def reset(self):
            self.n = 0

        def __call__(self, tuple):
            self.n += 1
            return {"steps": self.n}

    callback = Steps()
    assert callback(tupli.RLTuple(state=[0], action=0, reward=0)) == {"steps": 1}
    callback.reset()
    assert callback.n == 0
