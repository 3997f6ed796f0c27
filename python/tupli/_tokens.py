"""Where a ``TupliAPIClient`` keeps its URL and tokens.

As pytupli keeps them: Python's ``keyring``, service ``pytupli``, entries
``base_url``, ``access_token`` and ``refresh_token``, so a login made with
pytupli is used by tupli and the other way round. Without a usable keyring
backend (none installed, or keyring's ``fail``/``null`` backends) they are
kept in memory, shared by the process's clients, until it exits.

``TupliAPIClient(token_store=...)`` chooses: ``"auto"`` (the default: the
keyring when a backend is there and answers, else memory), ``"keyring"`` (an error without one), or
``"memory"`` (never the keyring, e.g. for tests or shared machines).
"""

from __future__ import annotations

import threading
from typing import Dict, Optional

from tupli.errors import TupliStorageError

SERVICE = "pytupli"
"""The keyring service pytupli stores its entries under."""

ENTRIES = ("base_url", "access_token", "refresh_token")
"""The entries, as pytupli names them."""

CHOICES = ("auto", "keyring", "memory")
"""What ``token_store`` may be."""


class MemoryStore:
    """Entries in memory, shared by the process's clients."""

    _entries: Dict[str, str] = {}
    _lock = threading.Lock()
    name = "memory"

    def get(self, entry: str) -> Optional[str]:
        with self._lock:
            return self._entries.get(entry)

    def set(self, entry: str, value: Optional[str]) -> None:
        with self._lock:
            if value is None:
                self._entries.pop(entry, None)
            else:
                self._entries[entry] = value


class KeyringStore:
    """Entries in Python's keyring, where pytupli keeps them."""

    name = "keyring"

    def __init__(self, keyring) -> None:
        self._keyring = keyring

    def get(self, entry: str) -> Optional[str]:
        return self._keyring.get_password(SERVICE, entry)

    def set(self, entry: str, value: Optional[str]) -> None:
        if value is not None:
            self._keyring.set_password(SERVICE, entry, value)
            return
        try:
            self._keyring.delete_password(SERVICE, entry)
        except self._keyring.errors.PasswordDeleteError:
            pass


def _usable_keyring():
    """The ``keyring`` module when a backend that stores is configured, else ``None``."""
    try:
        import keyring
        import keyring.errors
    except ImportError:
        return None
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return None
    return keyring


def open_store(token_store: str):
    """The store ``token_store`` names (see the module's docs)."""
    if token_store not in CHOICES:
        raise ValueError(f"token_store must be one of {CHOICES}, not {token_store!r}")
    if token_store == "memory":
        return MemoryStore()
    keyring = _usable_keyring()
    if keyring is not None:
        store = KeyringStore(keyring)
        try:
            store.get("base_url")  # a backend that is there but cannot answer (locked, no D-Bus)
            return store
        except keyring.errors.KeyringError as error:
            if token_store == "keyring":
                raise TupliStorageError(f"token_store='keyring' but the keyring cannot be read: {error}") from None
    if token_store == "keyring":
        raise TupliStorageError(
            "token_store='keyring' but no usable keyring backend is installed "
            "(install one, or pass token_store='memory')"
        )
    return MemoryStore()
