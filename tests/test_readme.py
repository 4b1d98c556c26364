"""The README's examples run as written: every complete Python test example in it passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def example_tests() -> list[str]:
    """Python blocks of the README that define tests (fragments of other tests are left out)."""
    return [block for block in BLOCK.findall(README.read_text()) if "\ndef test_" in "\n" + block]


def test_readme_has_test_examples() -> None:
    assert len(example_tests()) >= 2


@pytest.mark.parametrize("index", range(len(example_tests())))
def test_readme_example_passes(pytester: pytest.Pytester, index: int) -> None:
    source = example_tests()[index]
    pytester.makepyfile(test_readme_example=source)
    result = pytester.runpytest("-p", "no:cacheprovider")
    defined = len(re.findall(r"^def test_", source, re.MULTILINE))
    result.assert_outcomes(passed=defined)
