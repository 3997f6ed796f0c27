"""tupli's schema: the classes, fields and defaults of ``pytupli.schema``, without pydantic.

Every class is a :class:`TupliModel`, built by keyword (nested values as dicts, tupli or
pytupli objects); ``model_dump()`` gives the plain, JSON-ready dict that goes on the wire.
The filters are defined in :mod:`tupli.filters` and exported here too.
"""

from __future__ import annotations

import abc
import datetime
from enum import Enum
from typing import Any, Dict, List, Optional, Type, TypeVar

from ._model import FieldInfo, TupliModel, _quoted
from .filters import (BaseFilter, EpisodesListRequest, FilterAND, FilterEQ, FilterGEQ, FilterGT,
                      FilterIN, FilterLEQ, FilterLT, FilterNE, FilterNEQ, FilterOR, FilterType,
                      filter_from)

__all__ = [
    "TupliModel", "FieldInfo", "as_dump", "RESOURCE_TYPE", "RIGHT", "DEFAULT_ROLE",
    "RIGHT_BUNDLE_CONTENT_READ", "RIGHT_BUNDLE_CONTENT_CREATE", "RIGHT_BUNDLE_CONTENT_DELETE",
    "DBItem", "ArtifactMetadata", "BenchmarkMetadata", "BenchmarkQuery", "ArtifactMetadataItem",
    "BenchmarkHeader", "Benchmark", "RLTuple", "Episode", "EpisodeHeader", "EpisodeItem",
    "EpisodeMetadataCallback", "FilterType", "BaseFilter", "FilterEQ", "FilterGEQ", "FilterLEQ",
    "FilterGT", "FilterLT", "FilterNE", "FilterNEQ", "FilterIN", "FilterAND", "FilterOR",
    "EpisodesListRequest", "filter_from", "User", "Membership", "UserOut", "UserRole", "Token",
    "UpdateUserQuery", "UserCredentials", "Group", "GroupMembership", "GroupMembershipQuery",
    "GroupWithMembers",
]


class _NameEnum(str, Enum):
    """A string enum whose ``str()`` and format give the value, like Python 3.11's StrEnum."""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, format_spec: str) -> str:
        return str.__format__(self, format_spec)


class RESOURCE_TYPE(_NameEnum):
    """The kinds of resource the server manages."""

    ARTIFACT = "artifact"
    BENCHMARK = "benchmark"
    EPISODE = "episode"
    USER = "user"
    GROUP = "group"
    ROLE = "role"


class RIGHT(_NameEnum):
    """The rights a role can grant."""

    BENCHMARK_CREATE = "benchmark_create"
    BENCHMARK_READ = "benchmark_read"
    BENCHMARK_DELETE = "benchmark_delete"
    ARTIFACT_CREATE = "artifact_create"
    ARTIFACT_READ = "artifact_read"
    ARTIFACT_DELETE = "artifact_delete"
    EPISODE_CREATE = "episode_create"
    EPISODE_READ = "episode_read"
    EPISODE_DELETE = "episode_delete"
    USER_CREATE = "user_create"
    USER_READ = "user_read"
    USER_UPDATE = "user_update"
    USER_DELETE = "user_delete"
    GROUP_CREATE = "group_create"
    GROUP_READ = "group_read"
    GROUP_UPDATE = "group_update"
    GROUP_DELETE = "group_delete"
    ROLE_MANAGEMENT = "role_management"


RIGHT_BUNDLE_CONTENT_READ = [RIGHT.ARTIFACT_READ, RIGHT.BENCHMARK_READ, RIGHT.EPISODE_READ]
RIGHT_BUNDLE_CONTENT_CREATE = [RIGHT.ARTIFACT_CREATE, RIGHT.BENCHMARK_CREATE, RIGHT.EPISODE_CREATE]
RIGHT_BUNDLE_CONTENT_DELETE = [RIGHT.ARTIFACT_DELETE, RIGHT.BENCHMARK_DELETE, RIGHT.EPISODE_DELETE]


class DEFAULT_ROLE(_NameEnum):
    """The roles every server starts with."""

    ADMIN = "admin"
    CONTENT_ADMIN = "content_admin"
    USER_ADMIN = "user_admin"
    GROUP_ADMIN = "group_admin"
    CONTRIBUTOR = "contributor"
    MEMBER = "member"
    GLOBAL_MEMBER = "global_member"
    GUEST = "guest"


_D = TypeVar("_D", bound="DBItem")
_E = TypeVar("_E", bound="EpisodeItem")


def _new_item_fields(data: Dict[str, Any]) -> Dict[str, Any]:
    import uuid  # here: importing it costs milliseconds (it loads platform)
    return {"id": uuid.uuid4().hex, "created_at": datetime.datetime.now().isoformat(),
            "published_in": [data.get("created_by")]}


class DBItem(TupliModel):
    """What every stored resource carries: its id, creator, groups and creation time."""

    id: str
    created_by: str
    published_in: List[str] = []
    created_at: str

    @classmethod
    def create_new(cls: Type[_D], **data: Any) -> _D:
        """A new item from ``data``: a fresh uuid4 hex id, ``created_at`` now (ISO format),
        and ``published_in`` holding the creator only."""
        return cls(**_new_item_fields(data), **data)


class ArtifactMetadata(TupliModel):
    """The description of an artifact (a data file), given when uploading it."""

    name: str
    description: str = ""
    benchmark_id: Optional[str] = None
    extra: Dict[str, Any] = {}


class BenchmarkMetadata(TupliModel):
    """The description of a benchmark: name, description, difficulty, version, extras."""

    name: str
    description: str = ""
    difficulty: Optional[str] = None
    version: Optional[str] = None
    extra: Dict[str, Any] = {}


class BenchmarkQuery(TupliModel):
    """A benchmark to create: its hash, serialized environment and metadata."""

    hash: str
    serialized: str
    metadata: BenchmarkMetadata


class ArtifactMetadataItem(DBItem, ArtifactMetadata):
    """A stored artifact's metadata, with its hash and text encoding."""

    hash: str
    encoding: str = "utf-8"


class BenchmarkHeader(DBItem):
    """A stored benchmark without its serialized environment."""

    hash: str
    metadata: BenchmarkMetadata


class Benchmark(BenchmarkHeader):
    """A stored benchmark with its serialized environment (JSON)."""

    serialized: str


class RLTuple(TupliModel):
    """One step of an episode: state, action, reward, info, and how the step ended."""

    state: Any
    action: Any
    reward: Any
    info: Dict[str, Any] = {}
    terminal: bool = False
    timeout: bool = False

    @classmethod
    def from_env_step(cls, obs: Any, action: Any, reward: float, terminated: bool,
                      truncated: bool, info: Dict[str, Any]) -> RLTuple:
        """A tuple from what a Gymnasium environment step gives.

        ``obs`` must be a numpy array and ``action`` a numpy array or numpy integer (both
        are stored as lists or ints); anything else raises ``ValueError``. Subclasses may
        override this to accept other observation or action types.
        """
        try:
            import numpy as np  # type: ignore[import-not-found, unused-ignore]
        except ImportError:  # then obs cannot be a numpy array
            np = None
        if np is None or not isinstance(obs, np.ndarray):
            raise ValueError(f"Unsupported observation type {type(obs)}: a numpy array is expected")
        if not isinstance(action, (np.ndarray, np.integer)):
            raise ValueError(f"Unsupported action type {type(action)}: "
                             "a numpy array or numpy integer is expected")
        return cls(state=obs.tolist(), action=action.tolist(), reward=reward,
                   terminal=terminated, timeout=truncated, info=info)


class Episode(TupliModel):
    """An episode to upload: the benchmark it ran on, its metadata and its tuples."""

    benchmark_id: str
    metadata: Dict[str, Any]
    tuples: List[RLTuple]


class EpisodeHeader(DBItem):
    """A stored episode without its tuples: their number and how the episode ended."""

    benchmark_id: str
    metadata: Dict[str, Any]
    n_tuples: int
    terminated: bool
    timeout: bool


class EpisodeItem(Episode, EpisodeHeader):
    """A stored episode with its tuples (the header's fields, then ``tuples``)."""

    @classmethod
    def create_new(cls: Type[_E], **data: Any) -> _E:
        """A new stored episode from ``data`` (an Episode's fields and ``created_by``).

        Like :meth:`DBItem.create_new`, and ``n_tuples``, ``terminated`` and ``timeout``
        are taken from the tuples (which may be dicts or RLTuple objects); an episode
        without tuples raises ``ValueError``.
        """
        tuples = data.get("tuples")
        if not tuples:
            raise ValueError("EpisodeItem.create_new: an episode needs at least one tuple")
        last = tuples[-1]
        end = last if isinstance(last, dict) else {"terminal": getattr(last, "terminal", False),
                                                   "timeout": getattr(last, "timeout", False)}
        return cls(**_new_item_fields(data), n_tuples=len(tuples),
                   terminated=end.get("terminal", False), timeout=end.get("timeout", False),
                   **data)


class EpisodeMetadataCallback(abc.ABC):
    """Computes an episode's metadata from its tuples, as they are recorded.

    An implementation may keep state across calls: it is called with every tuple and its
    last result is stored as the episode's metadata when the episode ends; ``reset()``
    starts over for the next episode.
    """

    @abc.abstractmethod
    def reset(self) -> None:
        """Forget the state kept for the current episode."""

    @abc.abstractmethod
    def __call__(self, tuple: RLTuple) -> Dict[str, Any]:
        """Take the next tuple and return the episode's metadata so far."""


class Membership(TupliModel):
    """A user's membership in a group: the group's name and the user's roles there."""

    group: str
    roles: List[str]


class User(TupliModel):
    """A user account: name, password (never shown by ``repr``) and group memberships."""

    username: str
    password: str
    memberships: List[Membership] = []


class UserOut(TupliModel):
    """A user as the server shows it: name and group memberships."""

    username: str
    memberships: List[Membership] = []


class UserRole(TupliModel):
    """A role: its name, the rights it grants, and a description."""

    role: str
    rights: List[RIGHT]
    description: Optional[str] = None


class Token(TupliModel):
    """An access or refresh token and its type (the token never shows in ``repr``)."""

    token: str
    token_type: str


class UpdateUserQuery(TupliModel):
    """Names the user an update is for."""

    username: str


class UserCredentials(UpdateUserQuery):
    """A username and password, as sent to log in or sign up."""

    password: str


class Group(TupliModel):
    """A group: its name and description."""

    name: str
    description: Optional[str] = None


class GroupMembership(TupliModel):
    """A user and the roles to give them in a group."""

    user: str
    roles: Optional[List[str]] = None


class GroupMembershipQuery(TupliModel):
    """Memberships to add to or remove from a group."""

    group_name: str
    members: List[GroupMembership]


class GroupWithMembers(TupliModel):
    """A group with the names of its members."""

    name: str
    description: Optional[str] = None
    members: List[str] = []


def as_dump(obj: Any, cls: Type[TupliModel]) -> Dict[str, Any]:
    """The wire dict of ``obj`` as a ``cls``, validated, for sending.

    ``obj`` may be a tupli object, a dict of ``cls``'s fields, or any model with
    ``model_dump()`` (pytupli's; only ``cls``'s fields are kept). A missing, unknown or
    ill-typed field raises ``TypeError`` or ``ValueError`` here, before anything is sent.
    """
    if type(obj) is cls:
        d = obj.__dict__
        missing = [f.name for f in cls._tupli_fields
                   if f.name not in d or (d[f.name] is None and not f.nullable)]
        if missing:
            raise TypeError(f"{cls.__name__}: missing required field(s) {_quoted(missing)}")
        return obj.model_dump()
    if isinstance(obj, dict):
        return cls(**obj).model_dump()
    if hasattr(obj, "model_dump"):
        names = cls.model_fields
        return cls(**{k: v for k, v in obj.model_dump().items() if k in names}).model_dump()
    raise TypeError(f"expected {cls.__name__} (an object, a dict or a model), "
                    f"got {type(obj).__name__}")
