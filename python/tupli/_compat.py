"""isinstance compatibility with pytupli.

When pytupli is installed too, ``isinstance(tupli_object, pytupli.schema.X)`` is true for
each schema class ``X`` both have, so code that changes only its client import keeps
passing its checks. pydantic >= 2.12 ignores ``register()`` in isinstance checks, so each
pytupli model class gets a subclass of its own metaclass that also accepts the tupli class.
Nothing is imported for it: a ``sys.meta_path`` hook registers the classes when
``pytupli.schema`` is first imported (at once if it already was). ``TUPLI_PYTUPLI_COMPAT=0``
turns it off.
"""

from __future__ import annotations

import abc
import importlib.util
import os
import sys
import warnings
from enum import Enum
from typing import Any, Dict, Tuple

from . import schema

_VIRTUAL: Dict[type, Tuple[type, ...]] = {}
_STATE: Dict[str, Any] = {"done": False, "hook": None}


def _compat_meta(meta: type) -> type:
    """A subclass of pydantic's metaclass whose isinstance also accepts the tupli classes.

    pydantic >= 2.12 ignores classes registered with ``register()`` in isinstance checks,
    and older versions only accept objects that carry pydantic's attributes; so pytupli's
    classes get this metaclass instead, which consults ``_VIRTUAL``.
    """
    if getattr(meta, "_tupli_compat", False):
        return meta

    instancecheck = getattr(meta, "__instancecheck__")  # pydantic's own, as functions
    subclasscheck = getattr(meta, "__subclasscheck__")

    class TupliCompatMeta(meta):  # type: ignore[misc]
        _tupli_compat = True

        def __instancecheck__(cls, obj: Any) -> bool:
            return instancecheck(cls, obj) or isinstance(obj, _VIRTUAL.get(cls, ()))

        def __subclasscheck__(cls, sub: type) -> bool:
            return subclasscheck(cls, sub) or issubclass(sub, _VIRTUAL.get(cls, ()))
    return TupliCompatMeta


def _register_all(pschema: Any) -> None:
    for name in schema.__all__:
        ours, theirs = getattr(schema, name), getattr(pschema, name, None)
        if not (isinstance(ours, type) and isinstance(theirs, type)) or \
                issubclass(ours, Enum) or ours.__name__ != name or issubclass(ours, theirs):
            continue
        if type(theirs) is abc.ABCMeta:
            theirs.register(ours)  # a plain ABC: EpisodeMetadataCallback
            continue
        _VIRTUAL[theirs] = _VIRTUAL.get(theirs, ()) + (ours,)
        theirs.__class__ = _compat_meta(type(theirs))
    _STATE["done"] = True


def _register_quietly(module: Any) -> None:
    try:
        _register_all(module)
    except Exception as e:  # never break pytupli's import
        warnings.warn(f"tupli: isinstance compatibility with pytupli failed: {e}")


class _SchemaHook:
    """A ``sys.meta_path`` finder: waits for ``import pytupli.schema``, steps aside, and
    registers once the module has run (``importlib.abc`` is not imported: it is slow)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "pytupli.schema":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        _STATE["hook"] = None
        spec = importlib.util.find_spec(fullname)
        loader = getattr(spec, "loader", None)
        run = getattr(loader, "exec_module", None)
        if loader is not None and run is not None:
            def exec_module(module: Any) -> None:
                del loader.exec_module  # one shot: the loader's own method again
                run(module)
                _register_quietly(module)
            try:
                loader.exec_module = exec_module
            except AttributeError:  # a loader that takes no attributes: no registration
                pass
        return spec


def _register_with_pytupli(eager: bool) -> bool:
    if _STATE["done"]:
        return True
    if importlib.util.find_spec("pytupli") is None:
        return False
    loaded = sys.modules.get("pytupli.schema")
    if loaded is None and eager:
        import pytupli.schema as loaded  # type: ignore[import-not-found, no-redef, unused-ignore]
    if loaded is not None:
        _register_all(loaded)
    elif _STATE["hook"] is None:
        _STATE["hook"] = hook = _SchemaHook()
        sys.meta_path.insert(0, hook)
    return True


def register_with_pytupli(eager: bool = False) -> bool:
    """Make tupli's schema objects instances of pytupli's classes of the same name.

    Returns whether pytupli is installed. By default pytupli (and pydantic and numpy with
    it) is not imported for this: the classes are registered when ``pytupli.schema`` is
    imported, now if it already was; ``eager=True`` imports it at once. Idempotent, and it
    never raises. ``TUPLI_PYTUPLI_COMPAT=0`` in the environment turns it off.
    """
    if os.environ.get("TUPLI_PYTUPLI_COMPAT", "").strip() == "0":
        return False
    try:
        return _register_with_pytupli(eager)
    except Exception:
        return False
