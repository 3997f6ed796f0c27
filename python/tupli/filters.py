"""Filters for listing benchmarks, artifacts and episodes, as pytupli's filters.

A comparison filter (``FilterEQ(key='metadata.name', value='x')``) tests one field; ``&``
and ``|`` combine filters into ``FilterAND``/``FilterOR``. ``model_dump()`` gives the JSON
the server reads, e.g. ``{'type': 'EQ', 'key': 'metadata.name', 'value': 'x', 'filters': []}``.
All names are exported by :mod:`tupli.schema` too.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Dict, Iterable, List, Optional, Type

from ._model import TupliModel

__all__ = [
    "FilterType", "BaseFilter", "FilterEQ", "FilterGEQ", "FilterLEQ", "FilterGT", "FilterLT",
    "FilterNE", "FilterNEQ", "FilterIN", "FilterAND", "FilterOR", "EpisodesListRequest",
    "filter_from",
]


class FilterType(str, Enum):
    """The kind of a filter: a comparison of one key with a value, or AND/OR of filters."""

    EQ = "EQ"
    """Equal to the value."""
    GEQ = "GEQ"
    """Greater than or equal to the value."""
    LEQ = "LEQ"
    """Less than or equal to the value."""
    GT = "GT"
    """Greater than the value."""
    LT = "LT"
    """Less than the value."""
    NE = "NE"
    """Not equal to the value."""
    IN = "IN"
    """One of the values (a list)."""
    AND = "AND"
    """All of the sub-filters."""
    OR = "OR"
    """Any of the sub-filters."""


_COMBINING = (FilterType.AND, FilterType.OR)


class BaseFilter(TupliModel):
    """A filter: ``type``, the ``key`` and ``value`` a comparison uses, and the sub-``filters``
    of AND/OR.

    A comparison without a key or a value raises ``ValueError``, and so does an IN filter
    whose value is not a list. Sub-filters may be given as filters, dicts or pytupli
    filters; each becomes the filter class of its type.
    """

    type: FilterType = FilterType.OR
    key: Optional[str] = None
    value: Optional[Any] = None
    filters: Optional[List[BaseFilter]] = []

    def _tupli_check(self) -> None:
        if self.type not in _COMBINING:
            if self.key is None or self.value is None:
                raise ValueError(f"{self.type.value} filter must have key and value set")
            if self.type is FilterType.IN and not isinstance(self.value, (list, tuple)):
                raise ValueError(f"IN filter value must be a list, got {type(self.value).__name__}")

    @classmethod
    def _nested_coerce(cls, v: Any, where: str = "") -> Any:
        where = where or cls.__name__
        if isinstance(v, cls):
            return v
        if isinstance(v, TupliModel) or not (isinstance(v, dict) or hasattr(v, "model_dump")):
            return filter_from(v, where)  # raises TypeError naming ``where``
        try:
            f = filter_from(v)
        except (TypeError, ValueError) as e:
            raise type(e)(f"{where}: {e}") from None
        if not isinstance(f, cls):
            raise TypeError(f"{where}: expected {cls.__name__}, got {type(f).__name__}")
        return f

    @classmethod
    def _nested_from_dump(cls, d: Dict[str, Any]) -> BaseFilter:
        return _class_for(d)._from_dump(d)

    def __and__(self, other: Any) -> FilterAND:
        """Both filters: ``a & b``. An AND on the left (else on the right) is extended."""
        other = _operand(other)
        if other is None:
            return NotImplemented
        if self.type is FilterType.AND:
            return FilterAND(filters=list(self.filters or []) + [other])
        if other.type is FilterType.AND:
            return FilterAND(filters=[self] + list(other.filters or []))
        return FilterAND(filters=[self, other])

    def __or__(self, other: Any) -> FilterOR:
        """Either filter: ``a | b``. An OR on the left (else on the right) is extended."""
        other = _operand(other)
        if other is None:
            return NotImplemented
        if self.type is FilterType.OR:
            return FilterOR(filters=list(self.filters or []) + [other])
        if other.type is FilterType.OR:
            return FilterOR(filters=[self] + list(other.filters or []))
        return FilterOR(filters=[self, other])

    def to_params_dict(self, params: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """``params`` (default: none) updated with this filter's dump, None fields left out."""
        return {**(params or {}), **self.model_dump(exclude_none=True)}

    def apply_prefix(self, prefix: str) -> None:
        """Prefix the key of this filter and of all its sub-filters with ``prefix + '.'``."""
        if self.key:
            self.key = f"{prefix}.{self.key}"
        for f in self.filters or []:
            f.apply_prefix(prefix)


class FilterEQ(BaseFilter):
    """The key's value equals ``value``."""

    type: FilterType = FilterType.EQ


class FilterGEQ(BaseFilter):
    """The key's value is greater than or equal to ``value``."""

    type: FilterType = FilterType.GEQ


class FilterLEQ(BaseFilter):
    """The key's value is less than or equal to ``value``."""

    type: FilterType = FilterType.LEQ


class FilterGT(BaseFilter):
    """The key's value is greater than ``value``."""

    type: FilterType = FilterType.GT


class FilterLT(BaseFilter):
    """The key's value is less than ``value``."""

    type: FilterType = FilterType.LT


class FilterNE(BaseFilter):
    """The key's value differs from ``value``."""

    type: FilterType = FilterType.NE


FilterNEQ = FilterNE
"""Another name for :class:`FilterNE`."""


class FilterIN(BaseFilter):
    """The key's value is one of ``value`` (a list)."""

    type: FilterType = FilterType.IN


class FilterAND(BaseFilter):
    """All of ``filters`` match (required here)."""

    type: FilterType = FilterType.AND
    filters: List[BaseFilter]


class FilterOR(BaseFilter):
    """Any of ``filters`` matches (required here; an empty OR matches everything)."""

    type: FilterType = FilterType.OR
    filters: List[BaseFilter]

    @classmethod
    def from_list(cls, items: Iterable[Any], on_key: str, from_key: str) -> FilterOR:
        """An OR of one ``FilterEQ(key=on_key, value=item.<from_key>)`` per item.

        Items may be objects (the attribute ``from_key`` is read) or dicts (its key).
        """
        return cls(filters=[
            FilterEQ(key=on_key, value=item[from_key] if isinstance(item, dict)
                     else getattr(item, from_key))
            for item in items])


class EpisodesListRequest(BaseFilter):
    """A filter for listing episodes, saying whether to include their tuples."""

    include_tuples: bool = False


_CLASSES: Dict[FilterType, Type[BaseFilter]] = {
    FilterType.EQ: FilterEQ, FilterType.GEQ: FilterGEQ, FilterType.LEQ: FilterLEQ,
    FilterType.GT: FilterGT, FilterType.LT: FilterLT, FilterType.NE: FilterNE,
    FilterType.IN: FilterIN, FilterType.AND: FilterAND, FilterType.OR: FilterOR,
}


def _class_for(d: Dict[str, Any]) -> Type[BaseFilter]:
    if "include_tuples" in d:
        return EpisodesListRequest
    try:
        return _CLASSES[FilterType(d.get("type", FilterType.OR))]
    except ValueError:
        allowed = ", ".join(t.value for t in FilterType)
        raise ValueError(f"unknown filter type {d.get('type')!r} (one of {allowed})") from None


def _operand(other: Any) -> Optional[BaseFilter]:
    if isinstance(other, BaseFilter):
        return other
    if hasattr(other, "model_dump") and not isinstance(other, TupliModel):
        return filter_from(other)
    return None


def filter_from(obj: Any, name: str = "filter") -> Optional[BaseFilter]:
    """``obj`` as a tupli filter: None stays None, a tupli filter is returned as it is, and a
    dict or a pytupli filter becomes the filter class of its ``type``.

    Anything else raises ``TypeError`` naming the argument (``name``).
    """
    if obj is None or isinstance(obj, BaseFilter):
        return obj
    if isinstance(obj, dict):
        d = obj
    elif hasattr(obj, "model_dump") and not isinstance(obj, TupliModel):
        d = obj.model_dump()
    else:
        raise TypeError(f"{name}: expected a filter (tupli or pytupli) or a dict, "
                        f"got {type(obj).__name__}")
    cls = _class_for(d)
    if cls in (FilterAND, FilterOR) and d.get("filters") is None:
        d = {**d, "filters": []}  # pytupli reads such a dict as a BaseFilter with no filters
    return cls(**d)
