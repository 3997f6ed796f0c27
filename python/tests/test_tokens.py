"""Where the login lives: tokens and URL kept as pytupli keeps them (keyring service
``pytupli``: ``base_url``, ``access_token``, ``refresh_token``), so a login made by either
package is used by the other; the token stores ``auto``, ``keyring`` and ``memory``; refresh
and expiry against the server with short-lived tokens."""

import time

import pytest
import pytupli.schema as theirs
import pytupli.storage

import tupli
from support import SHORT_ACCESS_SECS, SHORT_REFRESH_SECS, benchmark_query, run_python, unique

JWT_PARTS = 3


def looks_like_jwt(token):
    """A JSON Web Token: three dot-separated base64url parts."""
    return isinstance(token, str) and len(token.split(".")) == JWT_PARTS and len(token) > 40


def stored_by(storage):
    """Stores a fresh benchmark through ``storage`` and answers who the server says made it."""
    query = benchmark_query()
    if type(storage).__module__.startswith("pytupli"):
        query = theirs.BenchmarkQuery(**query)
    return storage.store_benchmark(query).created_by


@pytest.mark.parametrize("store", ["keyring", "auto"])
def test_tupli_login_is_used_by_pytupli(url, user, keyring_entries, store):
    client = tupli.TupliAPIClient(token_store=store)
    client.login(user.name, user.password, url=url)
    entries = keyring_entries.all()
    assert entries["base_url"] == url
    assert looks_like_jwt(entries["access_token"]) and looks_like_jwt(entries["refresh_token"])
    assert entries["access_token"] != entries["refresh_token"]
    theirs_client = pytupli.storage.TupliAPIClient()
    assert theirs_client.base_url == url
    assert stored_by(theirs_client) == user.name
    assert stored_by(client) == user.name


def test_pytupli_login_is_used_by_tupli(url, user, keyring_entries):
    pytupli.storage.TupliAPIClient().login(user.name, user.password, url=url)
    access = keyring_entries.get("access_token")
    assert looks_like_jwt(access)
    for store in ("keyring", "auto"):
        client = tupli.TupliAPIClient(token_store=store)
        assert client.base_url == url
        assert stored_by(client) == user.name
    # Using the tokens changed nothing pytupli relies on.
    assert keyring_entries.get("access_token") == access
    assert keyring_entries.get("base_url") == url


def test_base_url_from_the_keyring(url, keyring_entries):
    assert tupli.TupliAPIClient(token_store="keyring").base_url == "http://localhost:8080"
    keyring_entries.set("base_url", url)
    assert tupli.TupliAPIClient(token_store="keyring").base_url == url
    assert tupli.TupliAPIClient().base_url == url
    client = tupli.TupliAPIClient(token_store="keyring")
    client.set_url("http://127.0.0.1:9")
    assert keyring_entries.get("base_url") == "http://127.0.0.1:9"
    assert pytupli.storage.TupliAPIClient().base_url == "http://127.0.0.1:9"


def test_memory_store_leaves_the_keyring_alone(url, user, keyring_entries):
    client = tupli.TupliAPIClient(token_store="memory")
    client.login(user.name, user.password, url=url)
    assert stored_by(client) == user.name
    assert keyring_entries.all() == {"base_url": None, "access_token": None, "refresh_token": None}


def test_two_memory_clients_keep_their_own_logins(url, make_user):
    first, second = make_user("first"), make_user("second")
    assert stored_by(first.client) == first.name
    assert stored_by(second.client) == second.name
    assert stored_by(first.client) == first.name


def test_auto_without_a_usable_keyring_keeps_tokens_in_memory(url, user):
    # As pytupli's clients share the keyring, later clients of the process use the login.
    script = (
        "import sys, tupli\n"
        "tupli.TupliAPIClient().login(sys.argv[1], sys.argv[2], url=sys.argv[3])\n"
        "c = tupli.TupliAPIClient()\n"
        "q = {'hash': sys.argv[4], 'serialized': '{}', 'metadata': {'name': 'n'}}\n"
        "print(c.base_url, c.store_benchmark(q).created_by)\n"
    )
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    printed = run_python(script, user.name, user.password, url, unique("hash"), env=env)
    assert printed == f"{url} {user.name}\n"


def test_refresh_is_shared_with_pytupli(short_url, make_user, keyring_entries):
    account = make_user("refresh", server=short_url)
    client = tupli.TupliAPIClient(token_store="keyring")
    client.login(account.name, account.password, url=short_url)
    first = keyring_entries.get("access_token")
    refresh = keyring_entries.get("refresh_token")
    time.sleep(SHORT_ACCESS_SECS + 1)
    # The access token has expired: the client refreshes it and stores the new one.
    assert stored_by(client) == account.name
    renewed = keyring_entries.get("access_token")
    assert looks_like_jwt(renewed) and renewed != first
    assert keyring_entries.get("refresh_token") == refresh
    # pytupli uses the renewed token as it stands.
    assert stored_by(pytupli.storage.TupliAPIClient()) == account.name


def test_memory_client_refreshes_again_and_again(short_url, make_user):
    account = make_user("again", server=short_url)
    for _ in range(2):
        time.sleep(SHORT_ACCESS_SECS + 1)
        assert stored_by(account.client) == account.name


def test_expired_session_clears_the_tokens(short_url, make_user, keyring_entries):
    account = make_user("expire", server=short_url)
    client = tupli.TupliAPIClient(token_store="keyring")
    client.login(account.name, account.password, url=short_url)
    time.sleep(SHORT_REFRESH_SECS + 1)
    with pytest.raises(tupli.SessionExpiredError) as expired:
        stored_by(client)
    assert isinstance(expired.value, tupli.AuthenticationError)
    assert isinstance(expired.value, tupli.TupliStorageError)
    assert keyring_entries.get("access_token") is None
    assert keyring_entries.get("refresh_token") is None
    assert keyring_entries.get("base_url") == short_url
    client.login(account.name, account.password)
    assert stored_by(client) == account.name
