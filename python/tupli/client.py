"""``TupliAPIClient``: a PyTupli server's client, with pytupli's 32 methods.

The storage operations come from ``TupliStorage``; this class adds the
session (URL, login, tokens) and users, groups and roles. Tokens are kept
where pytupli keeps them (see ``tupli._tokens``), read when the client is
made, and written back after a login and after each refresh, which, unlike
pytupli 1.2.9's, works.
"""

from __future__ import annotations

from typing import Any, List, Optional

from tupli import _tokens, _tupli
from tupli.schema import (
    Group,
    GroupMembershipQuery,
    GroupWithMembers,
    UserOut,
    UserRole,
    as_dump,
)
from tupli.storage import TupliStorage, _uri

__all__ = ["TupliAPIClient", "DEFAULT_URL"]

DEFAULT_URL = "http://localhost:8080"
"""The URL a client uses when none is stored (pytupli's default)."""


class TupliAPIClient(TupliStorage):
    """The client of a PyTupli server.

    ``TupliAPIClient()`` takes the URL and the tokens stored by an earlier
    login, with pytupli or tupli (``token_store`` says where: ``"auto"``,
    ``"keyring"`` or ``"memory"``, see ``tupli._tokens``). One client may be
    used from several threads at once.
    """

    def __init__(self, *, token_store: str = "auto") -> None:
        self._store = _tokens.open_store(token_store)
        url = self._store.get("base_url") or DEFAULT_URL
        self._core = _tupli.Storage.client(url)
        self._base_url = url
        access = self._store.get("access_token")
        refresh = self._store.get("refresh_token")
        if refresh:
            self._core.set_tokens(access or "", refresh)
        # A digest, not the tokens: no attribute of the client holds them.
        self._known = hash(self._core.tokens())

    @property
    def base_url(self) -> str:
        """The server's URL (``set_url`` or ``login(..., url=)`` changes and stores it)."""
        return self._base_url

    @base_url.setter
    def base_url(self, url: str) -> None:
        self._core.set_url(_uri(url, "url"))
        self._base_url = url

    @property
    def token_store(self) -> str:
        """Where the tokens are kept: ``"keyring"`` or ``"memory"``."""
        return self._store.name

    def __repr__(self) -> str:
        state = "logged in" if self._core.is_logged_in() else "not logged in"
        return f"TupliAPIClient(base_url={self._base_url!r}, {state}, tokens in {self._store.name})"

    def _done(self) -> None:
        tokens = self._core.tokens()
        if hash(tokens) != self._known:
            access, refresh = tokens if tokens is not None else (None, None)
            self._store.set("access_token", access)
            self._store.set("refresh_token", refresh)
            self._known = hash(tokens)

    def __reduce__(self):
        # Another process reads the URL and tokens from the store again (the
        # keyring; a memory store starts empty there).
        return (_reopen, (self._store.name, self._base_url))

    # The session

    def set_url(self, url: str) -> None:
        """Points the client at the server at ``url`` and stores the URL."""
        self.base_url = url
        self._store.set("base_url", url)
        self._done()

    def login(self, username: str, password: str, url: Optional[str] = None) -> None:
        """Logs in (at ``url`` when given, which is then stored) and stores the tokens."""
        if url:
            self.set_url(url)
        self._run("login", _uri(username, "username"), _uri(password, "password"))

    def logout(self) -> None:
        """Forgets the tokens, here and where they were stored (not in pytupli)."""
        self._core.set_tokens(None, None)
        self._done()

    def signup(self, username: str, password: str) -> UserOut:
        """Creates a user (as the logged-in user when there is one)."""
        user = self._run("signup", _uri(username, "username"), _uri(password, "password"))
        return UserOut._from_dump(user)

    # Users

    def list_users(self) -> List[UserOut]:
        """Lists the users, without their passwords."""
        return [UserOut._from_dump(d) for d in self._run("list_users")]

    def change_password(self, username: str, new_password: str) -> None:
        """Changes a user's password."""
        self._run("change_password", _uri(username, "username"), _uri(new_password, "new_password"))

    def delete_user(self, username: str) -> None:
        """Deletes a user."""
        self._run("delete_user", _uri(username, "username"))

    # Roles

    def list_roles(self) -> List[UserRole]:
        """Lists the roles and their rights."""
        return [UserRole._from_dump(d) for d in self._run("list_roles")]

    def create_role(self, role: Any) -> UserRole:
        """Creates a role (a ``UserRole``)."""
        return UserRole._from_dump(self._run("create_role", as_dump(role, UserRole)))

    def delete_role(self, role_name: str) -> None:
        """Deletes a role."""
        self._run("delete_role", _uri(role_name, "role_name"))

    # Groups

    def create_group(self, group: Any) -> Group:
        """Creates a group (a ``Group``)."""
        return Group._from_dump(self._run("create_group", as_dump(group, Group)))

    def list_groups(self) -> List[Group]:
        """Lists the groups."""
        return [Group._from_dump(d) for d in self._run("list_groups")]

    def read_group(self, group_name: str) -> GroupWithMembers:
        """Reads a group with its members."""
        return GroupWithMembers._from_dump(self._run("read_group", _uri(group_name, "group_name")))

    def delete_group(self, group_name: str) -> None:
        """Deletes a group."""
        self._run("delete_group", _uri(group_name, "group_name"))

    def add_group_members(self, group_membership_query: Any) -> GroupWithMembers:
        """Adds users, with roles, to a group (a ``GroupMembershipQuery``)."""
        query = as_dump(group_membership_query, GroupMembershipQuery)
        return GroupWithMembers._from_dump(self._run("add_group_members", query))

    def remove_group_members(self, group_membership_query: Any) -> GroupWithMembers:
        """Removes users' roles or memberships from a group (a ``GroupMembershipQuery``)."""
        query = as_dump(group_membership_query, GroupMembershipQuery)
        return GroupWithMembers._from_dump(self._run("remove_group_members", query))


def _reopen(token_store: str, base_url: str) -> TupliAPIClient:
    """A client unpickled: made again from the store, at ``base_url``."""
    client = TupliAPIClient(token_store=token_store)
    if client.base_url != base_url:
        client.base_url = base_url
    return client
