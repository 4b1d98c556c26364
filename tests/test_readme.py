"""The documentation's examples run as written: every complete Python test example passes.

README.md and docs/*.md are read; a block that defines no test (a fragment) is left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def example_tests() -> list[tuple[str, str]]:
    """(document:number, source) of each Python block that defines tests."""
    examples = []
    for document in DOCUMENTS:
        blocks = [block for block in BLOCK.findall(document.read_text()) if "\ndef test_" in "\n" + block]
        examples += [(f"{document.relative_to(ROOT)}:{number}", block) for number, block in enumerate(blocks, 1)]
    return examples


def test_readme_has_test_examples() -> None:
    assert len([name for name, _ in example_tests() if name.startswith("README.md:")]) >= 2


@pytest.mark.parametrize(("name", "source"), example_tests(), ids=[name for name, _ in example_tests()])
def test_documented_example_passes(pytester: pytest.Pytester, name: str, source: str) -> None:
    pytester.makepyfile(test_documented_example=source)
    result = pytester.runpytest("-p", "no:cacheprovider")
    defined = len(re.findall(r"^def test_", source, re.MULTILINE))
    result.assert_outcomes(passed=defined)
