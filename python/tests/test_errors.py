"""The errors: their classes (in ``tupli`` and ``tupli.errors``), which one each failure
raises with the server's status and detail, bad input refused before anything is sent, and
no password or token in any message or repr."""

import json
import socket
import traceback

import pytest

import tupli
import tupli.errors
from support import benchmark_query, make_tuples, memory_client, run_python, unique

# Each error class and what it derives from.
HIERARCHY = {
    "TupliStorageError": [Exception],
    "ApiError": ["TupliStorageError"],
    "NotFoundError": ["ApiError"],
    "ConflictError": ["ApiError"],
    "PermissionDeniedError": ["ApiError"],
    "AuthenticationError": ["ApiError"],
    "SessionExpiredError": ["AuthenticationError"],
    "ServerValidationError": ["ApiError", ValueError],
    "InvalidInputError": ["TupliStorageError", ValueError],
    "TransportError": ["TupliStorageError", ConnectionError],
    "IntegrityError": ["TupliStorageError"],
    "StorageIOError": ["TupliStorageError", OSError],
    "DecodeError": ["TupliStorageError"],
}
FORBIDDEN = "You do not have sufficient permissions for this operation."


@pytest.fixture
def dead_url():
    """A URL nothing listens on (a port just freed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_hierarchy():
    for name, parents in HIERARCHY.items():
        cls = getattr(tupli, name)
        assert cls is getattr(tupli.errors, name), name
        for parent in parents:
            parent = getattr(tupli, parent) if isinstance(parent, str) else parent
            assert issubclass(cls, parent), (name, parent)
    assert not issubclass(tupli.TransportError, tupli.ApiError)
    assert not issubclass(tupli.InvalidInputError, tupli.ApiError)
    assert not issubclass(tupli.NotFoundError, ValueError)
    assert not issubclass(tupli.PermissionDeniedError, tupli.AuthenticationError)


def raised(call, *args, **kwargs):
    """The exception ``call(*args, **kwargs)`` raises (failing when it raises none)."""
    with pytest.raises(Exception) as caught:
        call(*args, **kwargs)
    return caught.value


def test_unreachable_server_is_a_transport_error(dead_url):
    client = memory_client(dead_url)
    for call in (lambda: client.list_benchmarks(), lambda: client.login("a", "b")):
        err = raised(call)
        assert isinstance(err, tupli.TransportError) and isinstance(err, ConnectionError), err
        assert dead_url.removeprefix("http://") in str(err)
        assert (err.status, err.detail) == (None, None)


@pytest.mark.parametrize(
    "call,detail",
    [
        (lambda c: c.load_benchmark("0" * 32), "Benchmark not found"),
        (lambda c: c.load_artifact("0" * 32), "Artifact does not exist"),
        (lambda c: c.publish_benchmark("0" * 32), "Benchmark does not exists"),
        (
            lambda c: c.record_episode(
                {"benchmark_id": "0" * 32, "metadata": {}, "tuples": make_tuples(1)}
            ),
            "Benchmark id doesn't exist",
        ),
    ],
    ids=["benchmark", "artifact", "publish", "episode"],
)
def test_unknown_id_is_not_found(user, call, detail):
    err = raised(call, user.client)
    assert type(err) is tupli.NotFoundError, repr(err)
    assert (err.status, err.detail) == (404, detail)


def test_unknown_group_is_not_found(admin, user):
    err = raised(admin.read_group, unique("nogroup"))
    assert type(err) is tupli.NotFoundError, repr(err)
    assert (err.status, err.detail) == (404, "Group not found")
    # A user without rights there is told no more than that.
    err = raised(user.client.read_group, unique("nogroup"))
    assert type(err) is tupli.PermissionDeniedError, repr(err)
    assert (err.status, err.detail) == (403, FORBIDDEN)


def test_guest_is_forbidden(url):
    # A guest: a fresh process, where no client has logged in.
    script = (
        "import json, sys, tupli\n"
        "guest = tupli.TupliAPIClient(token_store='memory')\n"
        "guest.set_url(sys.argv[1])\n"
        "calls = [\n"
        "    lambda: guest.store_benchmark(json.loads(sys.argv[2])),\n"
        "    lambda: guest.store_artifact(b'bytes', {'name': 'a'}),\n"
        "    lambda: guest.list_users(),\n"
        "    lambda: guest.create_role({'role': sys.argv[3], 'rights': []}),\n"
        "]\n"
        "for call in calls:\n"
        "    try:\n"
        "        call()\n"
        "        print(json.dumps('no error'))\n"
        "    except tupli.TupliStorageError as err:\n"
        "        print(json.dumps([type(err).__name__, err.status, err.detail]))\n"
        "print(json.dumps(guest.list_benchmarks(tupli.FilterEQ(key='hash', value=sys.argv[3]))))\n"
    )
    printed = run_python(script, url, json.dumps(benchmark_query()), unique("role"))
    answers = [json.loads(line) for line in printed.splitlines()]
    assert answers == [["PermissionDeniedError", 403, FORBIDDEN]] * 4 + [[]]


def test_wrong_password_is_an_authentication_error(url, user):
    err = raised(memory_client().login, user.name, "not-" + user.password, url=url)
    assert type(err) is tupli.AuthenticationError, repr(err)
    assert (err.status, err.detail) == (401, "Incorrect username or password")


def test_conflicts(user, admin):
    err = raised(admin.signup, user.name, "whatever")
    assert type(err) is tupli.ConflictError, repr(err)
    assert (err.status, err.detail) == (409, "User already exists")
    query = benchmark_query()
    user.client.store_benchmark(query)
    err = raised(user.client.store_benchmark, query)
    assert type(err) is tupli.ConflictError, repr(err)
    assert (err.status, err.detail) == (409, "Benchmark already exists")


def nan_episode():
    rows = make_tuples(2)
    rows[1]["reward"] = float("nan")
    return {"benchmark_id": "0" * 32, "metadata": {}, "tuples": rows}


BAD_INPUT = {
    "query without metadata": lambda c: c.store_benchmark({"hash": "h", "serialized": "{}"}),
    "query as text": lambda c: c.store_benchmark("benchmark"),
    "tuple without reward": lambda c: c.record_episode(
        {"benchmark_id": "b", "metadata": {}, "tuples": [{"state": [1], "action": 0}]}
    ),
    "episode without tuples list": lambda c: c.record_episode(
        {"benchmark_id": "b", "metadata": {}, "tuples": 5}
    ),
    "artifact as text": lambda c: c.store_artifact("text, not bytes", {"name": "a"}),
    "artifact metadata without name": lambda c: c.store_artifact(b"x", {"description": "d"}),
    "filter as text": lambda c: c.list_benchmarks("metadata.name == x"),
    "filter without value": lambda c: c.list_episodes({"type": "EQ", "key": "k"}),
    "unknown right": lambda c: c.create_role({"role": "r", "rights": ["fly"]}),
    "members missing": lambda c: c.add_group_members({"group_name": "g"}),
}


@pytest.mark.parametrize("call", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_raises_before_sending(dead_url, call):
    # Nothing listens at the URL: sending anything would be a TransportError.
    err = raised(call, memory_client(dead_url))
    assert isinstance(err, (tupli.InvalidInputError, TypeError, ValueError)), repr(err)
    assert not isinstance(err, tupli.TransportError), repr(err)


def test_nan_reward_is_invalid_input(dead_url, tmp_path):
    err = raised(memory_client(dead_url).record_episode, nan_episode())
    assert isinstance(err, tupli.InvalidInputError), repr(err)
    assert (err.status, err.detail) == (None, None)
    storage = tupli.FileStorage(str(tmp_path / "store"))
    benchmark = storage.store_benchmark(benchmark_query())
    err = raised(storage.record_episode, {**nan_episode(), "benchmark_id": benchmark.id})
    assert isinstance(err, tupli.InvalidInputError), repr(err)
    assert storage.list_episodes() == []


def everything_said(err):
    """Every text an error shows: the whole traceback with its causes, its repr, args, detail."""
    return "\n".join(
        ["".join(traceback.format_exception(err)), repr(err), repr(err.args), repr(err.detail)]
    )


def test_no_secret_in_messages_or_repr(url, user, admin, keyring_entries, dead_url):
    client = tupli.TupliAPIClient(token_store="keyring")
    client.login(user.name, user.password, url=url)
    secrets = [user.password, keyring_entries.get("access_token"),
               keyring_entries.get("refresh_token")]  # fmt: skip
    wrong, new = "wrong-" + unique("pw"), "new-" + unique("pw")
    secrets += [wrong, new]
    errors = [
        raised(client.load_benchmark, "0" * 32),
        raised(client.create_role, {"role": unique("r"), "rights": []}),
        raised(client.change_password, "admin", new),
        raised(tupli.TupliAPIClient(token_store="memory").login, user.name, wrong, url=url),
        raised(client.signup, user.name, new),
        raised(admin.signup, user.name, new),
    ]
    assert [type(e).__name__ for e in errors] == [
        "NotFoundError", "PermissionDeniedError", "PermissionDeniedError",
        "AuthenticationError", "ConflictError", "ConflictError",
    ]  # fmt: skip
    texts = [everything_said(e) for e in errors] + [repr(client), str(client)]
    client.set_url(dead_url)
    texts.append(everything_said(raised(client.list_users)))
    texts += [repr(client), str(client)]
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_folder_errors(tmp_path):
    storage = tupli.FileStorage(str(tmp_path / "store"))
    for call in (storage.load_benchmark, storage.load_artifact, storage.delete_episode):
        err = raised(call, "0" * 32)
        assert isinstance(err, tupli.NotFoundError) and isinstance(err, tupli.TupliStorageError)
        assert hasattr(err, "status") and hasattr(err, "detail")

    item = storage.store_artifact(b"original bytes", {"name": "a"})
    (tmp_path / "store" / "artifacts" / item.id).write_bytes(b"tampered bytes")
    assert isinstance(raised(storage.load_artifact, item.id), tupli.IntegrityError)

    header = storage.store_benchmark(benchmark_query())
    path = tmp_path / "store" / "benchmarks" / f"{header.id}.json"
    path.write_text('{"id": "cut short', encoding="utf-8")
    err = raised(storage.load_benchmark, header.id)
    assert isinstance(err, (tupli.StorageIOError, tupli.DecodeError)), repr(err)
    assert header.id in str(err)
    assert storage.list_benchmarks() == []


def test_folder_on_a_file_is_an_io_error(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    with pytest.raises(tupli.StorageIOError) as failed:
        tupli.FileStorage(str(target)).store_benchmark(benchmark_query())
    assert isinstance(failed.value, OSError)
