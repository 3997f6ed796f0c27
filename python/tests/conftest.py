"""Shared fixtures of tupli's Python suite: the servers, fresh users and their clients, and a
private keyring.

The servers come from the environment (``cargo xtask pytest`` and ``cargo xtask test`` set it):
``TUPLI_TEST_URL`` (normal tokens), ``TUPLI_TEST_SHORT_URL`` (short-lived tokens, lifetimes in
``TUPLI_TEST_SHORT_ACCESS_SECS`` / ``TUPLI_TEST_SHORT_REFRESH_SECS``) and the administrator in
``TUPLI_TEST_ADMIN_USER`` / ``TUPLI_TEST_ADMIN_PASSWORD``. A test that needs a server takes the
``url`` (or ``short_url``) fixture, which skips it when the variable is unset.

Every test makes its own users and objects under unique names. Clients keep their tokens in
memory unless a test is about the keyring; the keyring is always a plain file in a private
folder (``PYTHON_KEYRING_BACKEND``), never the desktop's.
"""

import os
import tempfile

# Before anything imports keyring: when the caller chose no backend, a file in a folder of our
# own, so that running the suite by hand never touches a real keyring.
if not os.environ.get("PYTHON_KEYRING_BACKEND"):
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="tupli-tests-keyring-")

import dataclasses  # noqa: E402

import pytest  # noqa: E402

import tupli  # noqa: E402
from support import (  # noqa: E402
    KEYRING_ENTRIES,
    KEYRING_SERVICE,
    SHORT_URL,
    URL,
    admin_client,
    unique,
)

@pytest.fixture(scope="session")
def url():
    """The main server's URL; skips the test when ``TUPLI_TEST_URL`` is unset."""
    if not URL:
        pytest.skip("needs a server: set TUPLI_TEST_URL (cargo xtask pytest --url URL)")
    return URL


@pytest.fixture(scope="session")
def short_url():
    """The URL of the server with short-lived tokens; skips when it is not given."""
    if not SHORT_URL:
        pytest.skip("needs the short-token server: set TUPLI_TEST_SHORT_URL")
    return SHORT_URL


@pytest.fixture(scope="session")
def _root(url):
    """The administrator, once per run, to make and remove the tests' users."""
    return admin_client(url)


@pytest.fixture
def admin(url):
    """A fresh administrator client of the test's own."""
    return admin_client(url)


@dataclasses.dataclass
class Account:
    """A user made for one test: its name, password and a client logged in as it."""

    name: str
    password: str
    client: object
    url: str


@pytest.fixture
def make_user(url, _root):
    """Makes users (``make_user(prefix, server=url)``), each logged in with a memory client;
    removes them after the test."""
    made = []

    def make(prefix="user", server=None):
        server = server or url
        name = unique(prefix)
        password = "pw-" + unique("secret")
        maker = _root if server == url else admin_client(server)
        maker.signup(name, password)
        made.append((server, name))
        client = tupli.TupliAPIClient(token_store="memory")
        client.login(name, password, url=server)
        return Account(name, password, client, server)

    yield make
    removers = {}
    for server, name in made:
        try:
            if server not in removers:
                removers[server] = _root if server == url else admin_client(server)
            removers[server].delete_user(name)
        except Exception:  # the test may have removed it already
            pass


@pytest.fixture
def user(make_user):
    """One fresh user with a logged-in memory client."""
    return make_user()


class KeyringEntries:
    """The keyring entries pytupli uses, read and cleared through the ``keyring`` module."""

    def __init__(self, keyring):
        self._keyring = keyring

    def get(self, entry):
        """The stored value of ``entry`` (``base_url``, ``access_token``, ``refresh_token``)."""
        return self._keyring.get_password(KEYRING_SERVICE, entry)

    def set(self, entry, value):
        """Stores ``value`` under ``entry``."""
        self._keyring.set_password(KEYRING_SERVICE, entry, value)

    def all(self):
        """Every entry, as a dict (None where nothing is stored)."""
        return {entry: self.get(entry) for entry in KEYRING_ENTRIES}

    def clear(self):
        """Removes every entry."""
        for entry in KEYRING_ENTRIES:
            try:
                self._keyring.delete_password(KEYRING_SERVICE, entry)
            except self._keyring.errors.PasswordDeleteError:
                pass


@pytest.fixture
def keyring_entries():
    """The (file) keyring, emptied of pytupli's entries before and after the test; skips when
    the backend is not a file of keyrings.alt (never write tokens into a real keyring)."""
    import keyring
    import keyring.errors

    backend = keyring.get_keyring()
    if not type(backend).__module__.startswith("keyrings.alt.file"):
        pytest.skip(f"the keyring backend is {backend!r}, not a keyrings.alt file")
    entries = KeyringEntries(keyring)
    entries.clear()
    yield entries
    entries.clear()
