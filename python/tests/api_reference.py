"""Renders the Python API reference (docs/python-api.md) from the package
itself: every public name of ``tupli``, its signature (a schema class: its
fields) and its docstring. ``test_docs.py`` checks the committed file is
current; ``python python/tests/api_reference.py > docs/python-api.md`` (in
a venv with the wheel) writes it again.
"""

from __future__ import annotations

import enum
import inspect
import sys

HEADER = """# The Python API of `tupli`

Generated from the package's docstrings and signatures by `python/tests/api_reference.py`
(`test_docs.py` checks it is current). [coming-from-pytupli.md](coming-from-pytupli.md) says
what differs from pytupli 1.2.9.
"""

SECTIONS = (
    ("Storages", ("TupliStorage", "TupliAPIClient", "FileStorage", "copy")),
    ("Datasets", ("TupliDataset", "BaseTupleParser", "NumpyTupleParser", "TorchTupleParser", "TensorflowTupleParser")),
    ("Recording", ("TupliEnvWrapper",)),
)


def _doc(obj) -> str:
    return inspect.cleandoc(obj.__doc__ or "").strip()


def _fields(cls) -> str:
    annotations = {}
    for base in reversed(cls.__mro__):
        annotations.update(base.__dict__.get("__annotations__", {}))
    parts = []
    for name in getattr(cls, "model_fields", {}):
        field = cls.model_fields[name]
        text = f"{name}: {annotations.get(name, 'Any')}"
        if not field.is_required():
            text += f" = {field.default!r}"
        parts.append(text)
    return ", ".join(parts)


def _signature(obj) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"


def _methods(cls) -> list:
    lines = []
    for name, member in sorted(vars(cls).items()):
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(member, property):
            lines.append(f"- `{name}` (property): {_first(member)}")
        elif isinstance(member, (classmethod, staticmethod)):
            lines.append(f"- `{name}{_signature(member.__func__)}`: {_first(member.__func__)}")
        elif inspect.isfunction(member) and name != "__init__":
            lines.append(f"- `{name}{_signature(member)}`: {_first(member)}")
    return lines


def _first(obj) -> str:
    return " ".join(_doc(obj).split("\n\n")[0].split())


def _entry(name: str, obj) -> list:
    import tupli

    lines = []
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        bases = ", ".join(b.__name__ for b in obj.__bases__)
        return [f"- `{name}({bases})`: {_first(obj)}"]
    if inspect.isclass(obj) and issubclass(obj, enum.Enum):
        values = ", ".join(f"`{m.value}`" for m in obj)
        return [f"### `{name}`", "", _doc(obj) or "An enumeration.", "", f"Values: {values}.", ""]
    if inspect.isclass(obj):
        bases = ", ".join(b.__name__ for b in obj.__bases__ if b is not object)
        if issubclass(obj, tupli.schema.TupliModel) and obj is not tupli.schema.TupliModel:
            head = f"### `{name}({_fields(obj)})`"
        else:
            head = f"### `{name}{_signature(obj.__init__)}`".replace("(self, ", "(").replace("(self)", "()")
        lines += [head, ""]
        if bases:
            lines += [f"Subclass of {bases}.", ""]
        lines += [_doc(obj), ""]
        methods = _methods(obj)
        if methods:
            lines += methods + [""]
        return lines
    if callable(obj):
        return [f"### `{name}{_signature(obj)}`", "", _doc(obj), ""]
    return [f"### `{name}`", "", f"`{obj!r}`", ""]


def render() -> str:
    import tupli

    names = list(tupli.__all__)
    errors = [n for n in tupli.errors.__all__]
    out = [HEADER]
    placed = set(errors) | {"__version__"}
    for title, members in SECTIONS:
        out += [f"## {title}", ""]
        for name in members:
            out += _entry(name, getattr(tupli, name))
            placed.add(name)
    out += ["## Schema and filters", "", _doc(tupli.schema).split("\n\n")[0], ""]
    for name in names:
        if name not in placed:
            out += _entry(name, getattr(tupli, name))
    out += ["## Errors", "", _doc(tupli.errors), ""]
    out += [line for name in errors for line in _entry(name, getattr(tupli, name))]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
