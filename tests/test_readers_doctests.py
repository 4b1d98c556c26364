"""The examples in the readers' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "pytest_goenv.base.exeformat",
    "pytest_goenv.readers.buildconstraints",
    "pytest_goenv.readers.buildlog",
    "pytest_goenv.readers.executables",
    "pytest_goenv.readers.goenvfile",
    "pytest_goenv.readers.gosum",
    "pytest_goenv.readers.modulestxt",
    "pytest_goenv.readers.testlog",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    outcome = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert outcome.failed == 0
    if name != "pytest_goenv.readers.executables":  # its example needs a built binary (skipped)
        assert outcome.attempted > 0, f"{name} has no example"
