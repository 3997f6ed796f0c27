"""TupliAPIClient against a live server: pytupli's 32 methods with its names, parameters and
defaults, each called and its answer checked field by field. Inputs come as tupli objects,
plain dicts or pytupli's own objects; answers are tupli schema objects that are also
pytupli's."""

import hashlib
import inspect
import json
import re

import pytest
import pytupli.schema as theirs
import pytupli.storage

import tupli
from support import (
    ADMIN_USER,
    ESCAPED,
    benchmark_query,
    make_tuples,
    memory_client,
    run_python,
    unique,
)

METHODS = [
    "set_url", "signup", "login", "list_users", "list_roles", "change_password", "delete_user",
    "create_group", "list_groups", "read_group", "delete_group", "add_group_members",
    "remove_group_members", "create_role", "delete_role", "store_benchmark", "load_benchmark",
    "store_artifact", "load_artifact", "publish_benchmark", "delete_benchmark",
    "delete_artifact", "publish_artifact", "list_benchmarks", "list_artifacts",
    "record_episode", "publish_episode", "list_episodes", "delete_episode",
    "unpublish_benchmark", "unpublish_artifact", "unpublish_episode",
]  # fmt: skip

# How an input is handed over: a tupli object, a plain dict, or pytupli's own object.
FORMS = ["tupli", "dict", "pytupli"]


def given(form, name, data):
    """``data`` (a dict) as the schema class ``name`` of ``form``."""
    if form == "dict":
        return data
    return getattr(tupli if form == "tupli" else theirs, name)(**data)


def both(obj, name):
    """Asserts ``obj`` is tupli's schema class ``name`` and pytupli's too."""
    assert isinstance(obj, getattr(tupli, name)), type(obj)
    assert isinstance(obj, getattr(theirs, name)), type(obj)


def as_json(obj):
    """A model's dump as JSON text: equal only if every value is, to the float's sign and the
    int/float distinction."""
    return json.dumps(obj.model_dump() if hasattr(obj, "model_dump") else obj, sort_keys=True)


def signature(function):
    """The parameters after ``self``: (name, kind, default), ``**kwargs`` left out."""
    params = list(inspect.signature(function).parameters.values())[1:]
    return [(p.name, p.kind, p.default) for p in params if p.kind is not p.VAR_KEYWORD]


def test_32_methods_with_pytupli_signatures():
    assert len(METHODS) == 32
    for name in METHODS:
        ours = getattr(tupli.TupliAPIClient, name)
        assert signature(ours) == signature(getattr(pytupli.storage.TupliAPIClient, name)), name
    init = inspect.signature(tupli.TupliAPIClient).parameters
    assert list(init) == ["token_store"] and init["token_store"].default == "auto"


def test_default_and_set_url():
    # Clients read the stored URL when made: in a fresh process nothing is stored yet.
    script = (
        "import tupli\n"
        "c = tupli.TupliAPIClient(token_store='memory')\n"
        "print(c.base_url)\n"
        "print(c.set_url('http://127.0.0.1:1'), c.base_url)\n"
        "print(tupli.TupliAPIClient(token_store='memory').base_url)\n"
    )
    assert run_python(script).splitlines() == [
        "http://localhost:8080",
        "None http://127.0.0.1:1",
        "http://127.0.0.1:1",
    ]
    client = tupli.TupliAPIClient(token_store="memory")
    client.set_url("http://127.0.0.1:2")
    assert client.base_url == "http://127.0.0.1:2"
    assert isinstance(client, tupli.TupliStorage)


def test_unknown_token_store_is_refused():
    with pytest.raises(ValueError):
        tupli.TupliAPIClient(token_store="wallet")


def test_signup_login_list_and_delete_users(url, admin):
    name, password = unique("signup"), unique("pw")
    # A guest (a fresh process: no login anywhere) signs up, as the server's open access allows.
    script = (
        "import json, sys, tupli\n"
        "c = tupli.TupliAPIClient(token_store='memory')\n"
        "c.set_url(sys.argv[1])\n"
        "u = c.signup(sys.argv[2], sys.argv[3])\n"
        "print(json.dumps([type(u).__name__, u.model_dump(), hasattr(u, 'password')]))\n"
    )
    answer = json.loads(run_python(script, url, name, password))
    assert answer == ["UserOut", {"username": name, "memberships": []}, False]
    other = unique("signup")
    created = admin.signup(other, password)
    both(created, "UserOut")
    assert created.model_dump() == {"username": other, "memberships": []}
    assert admin.delete_user(other) is None
    client = tupli.TupliAPIClient(token_store="memory")
    assert client.login(username=name, password=password, url=url) is None
    assert client.base_url == url
    users = {u.username: u for u in admin.list_users()}
    for u in users.values():
        both(u, "UserOut")
    assert users[name].model_dump() == {"username": name, "memberships": []}
    # Besides `global`, the administrator is in the groups it made.
    assert {"group": "global", "roles": ["admin"]} in users[ADMIN_USER].model_dump()["memberships"]
    assert admin.delete_user(name) is None
    assert name not in {u.username for u in admin.list_users()}
    with pytest.raises(tupli.AuthenticationError) as failed:
        tupli.TupliAPIClient(token_store="memory").login(name, password, url=url)
    assert failed.value.status == 401


def test_change_password(url, user):
    new = unique("new-pw")
    assert user.client.change_password(user.name, new) is None
    with pytest.raises(tupli.AuthenticationError) as failed:
        memory_client().login(user.name, user.password, url=url)
    assert failed.value.status == 401
    memory_client().login(user.name, new, url=url)


def test_roles(admin):
    roles = {r.role: r for r in admin.list_roles()}
    for r in roles.values():
        both(r, "UserRole")
    for default in theirs.DEFAULT_ROLE:
        assert default.value in roles
    assert roles["guest"].model_dump() == {
        "role": "guest",
        "rights": ["artifact_read", "benchmark_read", "episode_read"],
        "description": "Limited access for guest users.",
    }
    assert set(roles["admin"].rights) == set(tupli.RIGHT)
    for form in FORMS:
        name = unique("role")
        data = {"role": name, "rights": ["benchmark_read", "group_read"], "description": form}
        created = admin.create_role(given(form, "UserRole", data))
        both(created, "UserRole")
        assert created.model_dump() == data
        assert {r.role: r for r in admin.list_roles()}[name].model_dump() == data
        assert admin.delete_role(name) is None
        assert name not in {r.role for r in admin.list_roles()}


@pytest.mark.parametrize("form", FORMS)
def test_groups_and_members(admin, make_user, form):
    member = make_user("member")
    name = unique("group")
    created = admin.create_group(given(form, "Group", {"name": name, "description": "d"}))
    both(created, "Group")
    assert created.model_dump() == {"name": name, "description": "d"}
    listed = [g for g in admin.list_groups() if g.name == name]
    assert [g.model_dump() for g in listed] == [{"name": name, "description": "d"}]
    both(listed[0], "Group")
    group = admin.read_group(name)
    both(group, "GroupWithMembers")
    assert group.model_dump() == {"name": name, "description": "d", "members": [ADMIN_USER]}

    query = {"group_name": name, "members": [{"user": member.name, "roles": ["member"]}]}
    added = admin.add_group_members(given(form, "GroupMembershipQuery", query))
    both(added, "GroupWithMembers")
    assert added.members == [ADMIN_USER, member.name]
    user = next(u for u in admin.list_users() if u.username == member.name)
    assert user.model_dump()["memberships"] == [{"group": name, "roles": ["member"]}]
    query = {"group_name": name, "members": [{"user": member.name}]}
    removed = admin.remove_group_members(given(form, "GroupMembershipQuery", query))
    both(removed, "GroupWithMembers")
    assert removed.members == [ADMIN_USER]

    assert admin.delete_group(name) is None
    with pytest.raises(tupli.NotFoundError) as missing:
        admin.read_group(name)
    assert missing.value.status == 404


@pytest.mark.parametrize("form", FORMS)
def test_benchmark_store_load_list_publish_delete(user, form):
    query = benchmark_query()
    header = user.client.store_benchmark(given(form, "BenchmarkQuery", query))
    both(header, "BenchmarkHeader")
    assert not hasattr(header, "serialized")
    assert re.fullmatch(r"[0-9a-f]{32}", header.id)
    assert (header.hash, header.created_by, header.published_in) == (
        query["hash"], user.name, [user.name])  # fmt: skip
    assert header.metadata.model_dump() == query["metadata"]
    both(header.metadata, "BenchmarkMetadata")

    loaded = user.client.load_benchmark(header.id)
    both(loaded, "Benchmark")
    assert loaded.model_dump() == {**header.model_dump(), "serialized": query["serialized"]}
    by_hash = tupli.FilterEQ(key="hash", value=query["hash"])
    listed = user.client.list_benchmarks(by_hash)
    assert [b.model_dump() for b in listed] == [header.model_dump()]
    both(listed[0], "BenchmarkHeader")
    assert header.id in {b.id for b in user.client.list_benchmarks()}
    assert [b.id for b in user.client.list_benchmarks(filter=dump_filter(form, by_hash))] == [
        header.id
    ]

    assert user.client.publish_benchmark(uri=header.id) is None
    assert user.client.list_benchmarks(by_hash)[0].published_in == [user.name, "global"]
    assert user.client.delete_benchmark(header.id) is None
    with pytest.raises(tupli.NotFoundError):
        user.client.load_benchmark(header.id)
    assert user.client.list_benchmarks(by_hash) == []


def dump_filter(form, f):
    """The filter ``f`` (tupli's) as ``form``."""
    return given(form, type(f).__name__, f.model_dump()) if form != "dict" else f.model_dump()


@pytest.mark.parametrize("form", FORMS)
def test_artifact_store_load_list_publish_delete(user, form):
    data = bytes(range(256)) * 40 + b"\x00end"
    meta = {"name": unique("artifact"), "description": "bytes", "benchmark_id": None,
            "extra": {"kind": "model", "n": 3}}  # fmt: skip
    item = user.client.store_artifact(data, given(form, "ArtifactMetadata", meta))
    both(item, "ArtifactMetadataItem")
    # The server hashes the bytes followed by the uploader's name.
    assert item.hash == hashlib.sha256(data + user.name.encode()).hexdigest()
    assert {k: getattr(item, k) for k in meta} == meta
    assert (item.created_by, item.published_in, item.encoding) == (user.name, [user.name], "utf-8")

    loaded = user.client.load_artifact(item.id)
    assert type(loaded) is bytes and loaded == data
    by_id = tupli.FilterEQ(key="id", value=item.id)
    listed = user.client.list_artifacts(filter=by_id)
    assert [a.model_dump() for a in listed] == [item.model_dump()]
    both(listed[0], "ArtifactMetadataItem")
    by_name = dump_filter(form, tupli.FilterEQ(key="name", value=meta["name"]))
    assert [a.id for a in user.client.list_artifacts(by_name)] == [item.id]

    assert user.client.publish_artifact(item.id, publish_in="global") is None
    assert user.client.list_artifacts(by_id)[0].published_in == [user.name, "global"]
    assert user.client.delete_artifact(item.id) is None
    with pytest.raises(tupli.NotFoundError):
        user.client.load_artifact(item.id)
    assert user.client.list_artifacts(by_id) == []


@pytest.mark.parametrize("form", FORMS)
def test_episode_record_list_publish_delete(user, form):
    benchmark = user.client.store_benchmark(benchmark_query())
    rows = make_tuples(4, seed=1, end="timeout")
    episode = {"benchmark_id": benchmark.id, "metadata": {"policy": "random", "n": 1},
               "tuples": rows}  # fmt: skip
    if form != "dict":
        module = tupli if form == "tupli" else theirs
        episode = {**episode, "tuples": [module.RLTuple(**t) for t in rows]}
    header = user.client.record_episode(given(form, "Episode", episode))
    both(header, "EpisodeHeader")
    assert not hasattr(header, "tuples")
    assert (header.benchmark_id, header.metadata, header.n_tuples) == (
        benchmark.id, {"policy": "random", "n": 1}, 4)  # fmt: skip
    assert (header.terminated, header.timeout) == (False, True)
    assert (header.created_by, header.published_in) == (user.name, [user.name])

    of_benchmark = tupli.FilterEQ(key="benchmark_id", value=benchmark.id)
    headers = user.client.list_episodes(of_benchmark)
    assert [h.model_dump() for h in headers] == [header.model_dump()]
    both(headers[0], "EpisodeHeader")
    assert not hasattr(headers[0], "tuples")
    items = user.client.list_episodes(filter=dump_filter(form, of_benchmark), include_tuples=True)
    assert len(items) == 1
    both(items[0], "EpisodeItem")
    both(items[0].tuples[0], "RLTuple")
    assert as_json(items[0]) == as_json({**header.model_dump(), "tuples": rows})
    # Keys keep their order, as pytupli's dicts do.
    assert list(items[0].metadata) == ["policy", "n"]
    assert [list(t.info) for t in items[0].tuples] == [["step", "seed", "text"]] * 4

    assert user.client.publish_episode(header.id) is None
    assert user.client.list_episodes(of_benchmark)[0].published_in == [user.name, "global"]
    assert user.client.delete_episode(header.id) is None
    assert user.client.list_episodes(of_benchmark) == []


def test_episode_objects_are_read_field_by_field(user):
    # Objects are not dumped first: numpy values go as their tolist(), and a
    # field of the wrong type is refused, named, before anything is sent.
    import numpy as np

    benchmark = user.client.store_benchmark(benchmark_query())
    step = tupli.RLTuple.model_construct(
        state=np.array([0.5, -1.5]), action=np.int64(3), reward=np.float32(0.25),
        info={"k": [1, 2]}, terminal=True, timeout=False)  # fmt: skip
    episode = tupli.Episode.model_construct(benchmark_id=benchmark.id, metadata={}, tuples=[step])
    header = user.client.record_episode(episode)
    item = user.client.list_episodes(tupli.FilterEQ(key="id", value=header.id), include_tuples=True)[0]
    got = item.tuples[0]
    assert (got.state, got.action, got.reward, got.info) == ([0.5, -1.5], 3, 0.25, {"k": [1, 2]})
    assert type(got.action) is int and (got.terminal, got.timeout) == (True, False)

    nowhere = tupli.TupliAPIClient(token_store="memory")
    nowhere.base_url = "http://127.0.0.1:9"
    wrong = tupli.RLTuple.model_construct(state=[1.0], action=[0.0], reward=1.0, info={},
                                          terminal="yes", timeout=False)  # fmt: skip
    with pytest.raises(TypeError, match=r"episode\.tuples\[1\]\.terminal: must be a bool"):
        nowhere.record_episode(tupli.Episode.model_construct(
            benchmark_id="b", metadata={}, tuples=[step, wrong]))  # fmt: skip
    with pytest.raises(TypeError, match=r"episode\.benchmark_id: must be a str"):
        nowhere.record_episode(tupli.Episode.model_construct(benchmark_id=7, metadata={}, tuples=[step]))


def test_unpublish_benchmark_artifact_and_episode(admin):
    # Withdrawing from `global` needs a delete right there: the administrator has it.
    benchmark = admin.store_benchmark(benchmark_query())
    artifact = admin.store_artifact(unique("bytes").encode(), {"name": unique("artifact")})
    episode = admin.record_episode(
        {"benchmark_id": benchmark.id, "metadata": {}, "tuples": make_tuples(2)}
    )
    for kind, obj in [("benchmark", benchmark), ("artifact", artifact), ("episode", episode)]:
        listing = getattr(admin, f"list_{kind}s")
        only = tupli.FilterEQ(key="id", value=obj.id)
        getattr(admin, f"publish_{kind}")(obj.id, "global")
        assert listing(only)[0].published_in == [ADMIN_USER, "global"], kind
        assert getattr(admin, f"unpublish_{kind}")(obj.id, unpublish_from="global") is None
        assert listing(only)[0].published_in == [ADMIN_USER], kind
    admin.delete_episode(episode.id)
    admin.delete_benchmark(benchmark.id)
    admin.delete_artifact(artifact.id)


def test_text_that_json_escapes_round_trips(user):
    query = benchmark_query()
    query["metadata"]["description"] = ESCAPED
    query["metadata"]["extra"] = {ESCAPED: [ESCAPED]}
    header = user.client.store_benchmark(query)
    by_hash = tupli.FilterEQ(key="hash", value=query["hash"])
    assert user.client.list_benchmarks(by_hash)[0].metadata.model_dump() == query["metadata"]
    assert user.client.load_benchmark(header.id).metadata.model_dump() == query["metadata"]
    rows = make_tuples(3)
    rows[1]["info"] = {"text": ESCAPED, ESCAPED: 1}
    user.client.record_episode(
        {"benchmark_id": header.id, "metadata": {"note": ESCAPED}, "tuples": rows}
    )
    of_benchmark = tupli.FilterEQ(key="benchmark_id", value=header.id)
    assert [e.metadata for e in user.client.list_episodes(of_benchmark)] == [{"note": ESCAPED}]
    [item] = user.client.list_episodes(of_benchmark, include_tuples=True)
    assert [t.model_dump() for t in item.tuples] == rows
    artifact = user.client.store_artifact(b"x", {"name": "escapes", "extra": {"text": ESCAPED}})
    listed = user.client.list_artifacts(tupli.FilterEQ(key="id", value=artifact.id))
    assert listed[0].extra == {"text": ESCAPED}
