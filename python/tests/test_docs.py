"""The Python API reference, docs/python-api.md, is the package's own
docstrings and signatures, rendered by api_reference.py: it must be current."""

import pathlib

from api_reference import render

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "python-api.md"


def test_the_api_reference_is_current():
    committed = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    assert committed == render(), (
        "docs/python-api.md is stale: run `python python/tests/api_reference.py > docs/python-api.md` "
        "in the suite's venv (target/tupli-pytests/venv) with the wheel installed"
    )


def test_every_public_name_has_a_docstring():
    import inspect

    import tupli

    missing = [n for n in tupli.__all__ if not inspect.getdoc(getattr(tupli, n)) and n != "__version__"]
    assert missing == []
