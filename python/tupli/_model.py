"""The pydantic-like model base of tupli's schema.

:class:`TupliModel` gives the schema objects the part of the pydantic API that pytupli
users touch (keyword construction with validation, ``model_dump``, ``model_validate``,
``model_copy``, ``model_fields``, equality, pickling) without depending on pydantic.
Fields are declared once, as annotated class attributes; everything else derives from them.
"""

from __future__ import annotations

import copy
import json
import sys
import typing
from enum import Enum
from typing import (Any, Callable, ClassVar, Dict, FrozenSet, Iterator, List, Optional, Tuple,
                    Type, TypeVar)

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # only static checkers use it
    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda c: c

M = TypeVar("M", bound="TupliModel")
_SCALARS = frozenset((str, int, float, bool, type(None)))
_SECRET_FIELDS = frozenset(("password", "token"))
_MODELS: Dict[str, type] = {}
_new = object.__new__


def _quoted(names: List[str]) -> str:
    return ", ".join(map(repr, names))


class _Required:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Any = _Required()  # the default of a field that must be given


def plain(v: Any) -> Any:
    """A JSON-ready copy of any value: lists, dicts, enums, models and numpy values."""
    t = type(v)
    if t in _SCALARS:
        return v
    if t is list:
        return v[:] if _SCALARS.issuperset(map(type, v)) else [plain(x) for x in v]
    if t is dict:
        return {k: x if type(x) in _SCALARS else plain(x) for k, x in v.items()}
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, typing.Mapping):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, TupliModel):
        return v.model_dump()
    if hasattr(v, "model_dump"):
        return v.model_dump(mode="json")
    return v.tolist() if hasattr(v, "tolist") else v  # numpy arrays and scalars


def _item(v: Any) -> Any:
    return v.item() if hasattr(v, "dtype") and hasattr(v, "item") else v  # numpy scalars


def _check_str(v: Any, where: str) -> str:
    if isinstance(v, str):
        return v if type(v) is str else str.__str__(v)  # a str enum becomes its value
    raise TypeError(f"{where}: expected str, got {type(v).__name__}")


def _check_bool(v: Any, where: str) -> bool:
    x = _item(v)
    if x is True or x is False:
        return x
    if isinstance(x, int) and x in (0, 1):
        return bool(x)
    raise TypeError(f"{where}: expected bool, got {type(v).__name__}")


def _check_int(v: Any, where: str) -> int:
    x = _item(v)
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer()):
        return int(x)
    raise TypeError(f"{where}: expected int, got {type(v).__name__}")


def _check_dict(v: Any, where: str) -> Dict[str, Any]:
    if isinstance(v, typing.Mapping):
        return dict(v)
    raise TypeError(f"{where}: expected dict, got {type(v).__name__}")


def _is(spec: Any, base: type) -> bool:
    return isinstance(spec, type) and issubclass(spec, base)


def _plain_dump(v: Any, exclude_none: bool) -> Any:
    return v if type(v) in _SCALARS else plain(v)


_SIMPLE = {str: (_check_str, None), bool: (_check_bool, None), int: (_check_int, None),
           dict: (_check_dict, _plain_dump)}
_Converters = Tuple[Callable[[Any, str], Any], Optional[Callable[[Any, bool], Any]],
                   Optional[Callable[[Any], Any]]]


def _converters(spec: Any) -> _Converters:
    """``(check, dump, load)`` for a field type (see :attr:`FieldInfo.annotation`).

    ``check(value, where)`` validates a given value, ``dump(value, exclude_none)`` makes it
    plain and ``load(wire_value)`` turns a trusted wire value into the field's value; a
    dump or load of None means the value is used as it is.
    """
    if isinstance(spec, list):
        check, dump, load = _converters(spec[0])

        def check_list(v: Any, where: str) -> List[Any]:
            if not isinstance(v, (list, tuple)):
                raise TypeError(f"{where}: expected a list, got {type(v).__name__}")
            try:
                return [check(x, where) for x in v]
            except (TypeError, ValueError):
                for i, x in enumerate(v):  # say which item is wrong
                    check(x, f"{where}[{i}]")
                raise
        load_list: Optional[Callable[[Any], Any]] = None
        item = spec[0]
        if _is(item, TupliModel) and "_tupli_loaders" in item.__dict__ and \
                not item._tupli_loaders and all(
                "_nested_from_dump" not in b.__dict__ for b in item.__mro__ if b is not TupliModel):
            load_list = _flat_list_loader(item)  # e.g. an episode's tuples: the hot path
        elif load is not None:
            load_item = load
            load_list = lambda v: [load_item(x) for x in v]  # noqa: E731
        dump_item = dump
        dump_list: Callable[[Any, bool], Any] = (lambda v, xn: list(v)) if dump_item is None \
            else (lambda v, xn: [dump_item(x, xn) for x in v])
        return check_list, dump_list, load_list
    if _is(spec, Enum):
        def check_enum(v: Any, where: str) -> Any:
            try:
                return spec(v)
            except ValueError:
                allowed = ", ".join(repr(m.value) for m in spec)
                raise ValueError(f"{where}: {v!r} is not one of {allowed}") from None
        return check_enum, (lambda v, xn: v.value if isinstance(v, Enum) else v), spec
    if _is(spec, TupliModel):
        return (spec._nested_coerce, lambda v, xn: v.model_dump(exclude_none=xn)
                if isinstance(v, TupliModel) else plain(v), spec._nested_from_dump)
    check, dump = _SIMPLE.get(spec, (lambda v, where: v, _plain_dump))
    return check, dump, None


def _flat_list_loader(cls: Type[TupliModel]) -> Callable[[Any], Any]:
    """``[cls._from_dump(d) for d in v]`` for a class without nested fields, inlined."""
    names, fill = cls._tupli_names, cls._from_dump

    def load(v: List[Dict[str, Any]]) -> List[Any]:
        out: List[Any] = []
        append = out.append
        for d in v:
            if d.keys() >= names:
                obj = _new(cls)
                obj.__dict__.update(d)
                append(obj)
            else:
                append(fill(d))
        return out
    return load


class FieldInfo:
    """One field of a schema class: name, type, default, and whether it may be None.

    ``annotation`` is ``str``, ``bool``, ``int``, ``dict``, ``object`` (any value), an enum or
    :class:`TupliModel` subclass, or a one-element list ``[X]`` for a list of ``X``.
    """

    __slots__ = ("name", "annotation", "default", "nullable", "check", "dump", "load")

    def __init__(self, name: str, annotation: Any, default: Any, nullable: bool) -> None:
        self.name, self.annotation, self.default = name, annotation, default
        self.nullable = nullable or annotation is object or default is None
        self.check, self.dump, self.load = _converters(annotation)

    def is_required(self) -> bool:
        """Whether the field has no default and must be given."""
        return self.default is REQUIRED

    def get_default(self) -> Any:
        """A fresh copy of the default: mutable defaults are never shared between objects."""
        d = self.default
        return d if type(d) in _SCALARS or isinstance(d, Enum) else copy.deepcopy(d)

    def __repr__(self) -> str:
        return (f"FieldInfo(name={self.name!r}, annotation={self.annotation!r}, "
                f"default={self.default!r})")


_BUILTIN = {"str": str, "bool": bool, "int": int, "float": float, "Any": object, "object": object,
            "dict": dict}


def _parse(ann: Any, cls: type) -> Tuple[Any, bool]:
    """(field type, nullable) from an annotation: a string (PEP 563) or a typing object."""
    if isinstance(ann, str):
        s = ann.replace(" ", "").replace("typing.", "")
        if s.startswith("Optional["):
            return _parse(s[9:-1], cls)[0], True
        if s.endswith("|None"):
            return _parse(s[:-5], cls)[0], True
        if s.startswith(("List[", "list[")):
            return [_parse(s[5:-1], cls)[0]], False
        if s.startswith(("Dict[", "dict[")) or s in _BUILTIN:
            return _BUILTIN.get(s, dict), False
        if s == cls.__name__:
            return cls, False
        found: Any = sys.modules.get(cls.__module__)
        for part in s.split("."):
            found = getattr(found, part, None)
        found = found or _MODELS.get(s.rsplit(".", 1)[-1])
        return (found if isinstance(found, type) else object), False  # unknown: any value
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin is typing.Union or type(ann).__name__ == "UnionType":
        rest = [a for a in args if a is not type(None)]
        return _parse(rest[0] if len(rest) == 1 else Any, cls)[0], True
    if origin is list:
        return [_parse(args[0] if args else Any, cls)[0]], False
    return (dict if origin is dict else object if ann is Any else ann), False


@dataclass_transform(kw_only_default=True)
class TupliModel:
    """Base of every tupli schema class: keyword construction, validation, plain dumps.

    A subclass declares its fields once, as annotated class attributes (with a default, or
    without one: then the field is required). Fields of base classes come first, in the
    order pydantic gives them, so ``model_fields`` matches pytupli's classes. Objects are
    equal when they are of the same class and dump to the same dict; they pickle by value.
    """

    model_fields: ClassVar[Dict[str, FieldInfo]] = {}
    _tupli_fields: ClassVar[Tuple[FieldInfo, ...]] = ()
    _tupli_names: ClassVar[FrozenSet[str]] = frozenset()
    _tupli_declared: ClassVar[Dict[str, FieldInfo]] = {}
    _tupli_loaders: ClassVar[Tuple[Tuple[str, Callable[[Any], Any]], ...]] = ()
    _tupli_dumpers: ClassVar[Tuple[Tuple[str, Optional[Callable[[Any, bool], Any]]], ...]] = ()
    __hash__ = None  # type: ignore[assignment]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__annotations__", {}) if sys.version_info < (3, 10) \
            else cls.__annotations__
        declared = {}
        for name, ann in own.items():
            if name.startswith("_") or "ClassVar" in str(ann):
                continue
            default = cls.__dict__.get(name, REQUIRED)
            if name in cls.__dict__:
                delattr(cls, name)  # the default lives in the field, not on the class
            spec, nullable = _parse(ann, cls)
            declared[name] = FieldInfo(name, spec, default, nullable)
        cls._tupli_declared = declared
        merged: Dict[str, FieldInfo] = {}
        for base in reversed(cls.__mro__):
            merged.update(base.__dict__.get("_tupli_declared", {}))
        cls.model_fields = merged
        cls._tupli_fields = tuple(merged.values())
        cls._tupli_names = frozenset(merged)
        cls._tupli_loaders = tuple((f.name, f.load) for f in cls._tupli_fields if f.load)
        cls._tupli_dumpers = tuple((f.name, f.dump) for f in cls._tupli_fields)
        _MODELS.setdefault(cls.__name__, cls)

    def __init__(self, **data: Any) -> None:
        # Keys the class has no field for are ignored, as pydantic's models
        # (and so pytupli's) ignore them: `Header(**item.model_dump())` works.
        cls, d = type(self), self.__dict__
        missing = [f.name for f in cls._tupli_fields
                   if f.default is REQUIRED and f.name not in data]
        if missing:
            raise TypeError(f"{cls.__name__}() missing required field(s) {_quoted(missing)}")
        for f in cls._tupli_fields:
            if f.name not in data:
                d[f.name] = f.get_default()
            elif data[f.name] is not None:
                d[f.name] = f.check(data[f.name], f"{cls.__name__}.{f.name}")
            elif f.nullable:
                d[f.name] = None
            else:
                raise TypeError(f"{cls.__name__}.{f.name}: must not be None")
        self._tupli_check()

    def _tupli_check(self) -> None:
        """Checks across fields after construction (the filters override it)."""

    @classmethod
    def _from_dump(cls: Type[M], d: Dict[str, Any]) -> M:
        """An object from a trusted wire dict, unvalidated; nested dicts become objects."""
        obj = _new(cls)
        od = obj.__dict__
        od.update(d)
        if not od.keys() >= cls._tupli_names:
            for f in cls._tupli_fields:
                if f.name not in od and f.default is not REQUIRED:
                    od[f.name] = f.get_default()
        for name, load in cls._tupli_loaders:
            v = od.get(name)
            if v is not None:
                od[name] = load(v)
        return obj

    @classmethod
    def _nested_from_dump(cls, d: Dict[str, Any]) -> Any:
        return cls._from_dump(d)

    @classmethod
    def _coerce(cls: Type[M], v: Any, where: str = "") -> M:
        if isinstance(v, cls):
            return v
        try:
            if isinstance(v, dict):
                return cls(**v)
            if hasattr(v, "model_dump"):
                return cls(**{k: x for k, x in v.model_dump().items() if k in cls._tupli_names})
        except (TypeError, ValueError) as e:
            if not where:
                raise
            raise type(e)(f"{where}: {e}") from None
        raise TypeError(f"{where or cls.__name__}: expected {cls.__name__} (an object, a dict "
                        f"or a model), got {type(v).__name__}")

    @classmethod
    def _nested_coerce(cls, v: Any, where: str = "") -> Any:
        return cls._coerce(v, where)

    @classmethod
    def model_validate(cls: Type[M], obj: Any) -> M:
        """Validate ``obj`` into this class.

        An object of this class is returned as it is; a dict is validated like keyword
        arguments (a key the class has no field for is ignored); any other model, tupli's or pytupli's, is
        validated from its ``model_dump()``, keeping the fields this class has.
        """
        return cls._coerce(obj)

    @classmethod
    def model_construct(cls: Type[M], **values: Any) -> M:
        """An object from ``values`` without validation; missing fields get their defaults."""
        obj = _new(cls)
        obj.__dict__.update({f.name: f.get_default() for f in cls._tupli_fields
                             if f.default is not REQUIRED})
        obj.__dict__.update(values)
        return obj

    def model_copy(self: M, update: Optional[Dict[str, Any]] = None, deep: bool = False) -> M:
        """A copy, deep if asked, with the fields in ``update`` replaced (not validated)."""
        obj = copy.deepcopy(self) if deep else copy.copy(self)
        obj.__dict__.update(update or {})
        return obj

    def model_dump(self, *, mode: str = "python", include: Any = None, exclude: Any = None,
                   exclude_none: bool = False, serialize_as_any: bool = False) -> Dict[str, Any]:
        """The object as a plain dict of JSON-ready values, keys in field order.

        Enums become their string values and nested objects dicts, so ``mode`` ('python' or
        'json') makes no difference. ``include``/``exclude`` name top-level fields;
        ``exclude_none`` leaves out None fields, here and in nested objects.
        ``serialize_as_any`` is accepted for pytupli's sake and changes nothing.
        """
        d, out = self.__dict__, {}  # type: Dict[str, Any], Dict[str, Any]
        if include is None and exclude is None and not exclude_none:  # the common case, fast
            for name, dump in self._tupli_dumpers:
                if name in d:
                    v = d[name]
                    out[name] = v if dump is None or v is None else dump(v, False)
            return out
        for f in self._tupli_fields:
            name = f.name
            if name not in d or (include is not None and name not in include) or \
                    (exclude is not None and name in exclude):
                continue
            v = d[name]
            if v is None:
                if not exclude_none:
                    out[name] = None
            else:
                out[name] = v if f.dump is None else f.dump(v, exclude_none)
        return out

    def model_dump_json(self, *, indent: Optional[int] = None, include: Any = None,
                        exclude: Any = None, exclude_none: bool = False,
                        serialize_as_any: bool = False) -> str:
        """``model_dump()`` as JSON text, compact like pydantic's unless ``indent`` is given."""
        data = self.model_dump(include=include, exclude=exclude, exclude_none=exclude_none)
        return json.dumps(data, indent=indent, ensure_ascii=False,
                          separators=(",", ":") if indent is None else (",", ": "))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TupliModel):
            return NotImplemented
        return type(self) is type(other) and (
            self.__dict__ == other.__dict__ or self.model_dump() == other.model_dump())

    def __iter__(self) -> Iterator[Tuple[str, Any]]:
        """``(field name, value)`` pairs, as pydantic models give them."""
        d = self.__dict__
        return iter([(f.name, d[f.name]) for f in self._tupli_fields if f.name in d])

    def _repr_fields(self) -> List[str]:
        parts = []
        for name, v in self:
            if name in _SECRET_FIELDS and isinstance(v, str):
                parts.append(f"{name}='***'")
            elif name == "tuples" and isinstance(v, list) and len(v) > 3:
                parts.append(f"{name}=[... {len(v)} {type(v[0]).__name__}]")
            else:
                parts.append(f"{name}={v!r}")
        return parts

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._repr_fields())})"

    def __str__(self) -> str:
        return " ".join(self._repr_fields())
