"""go.sum files: one ``module version[/go.mod] h1:hash`` line per module zip or go.mod the go command checked.

>>> (line,) = parse_go_sum("example.com/lib v1.0.0/go.mod h1:abc=\\n")
>>> line.module, line.for_go_mod, line.matches("example.com/lib v1.0.0/go.mod")
('example.com/lib', True, True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GoSumLine", "parse_go_sum", "read_go_sum"]


@dataclass(frozen=True, order=True)
class GoSumLine:
    """One go.sum line: ``module version[/go.mod] h1:hash``."""

    module: str
    version: str
    hash: str

    @property
    def for_go_mod(self) -> bool:
        """True for the hash of the module's go.mod alone (version ending in ``/go.mod``)."""
        return self.version.endswith("/go.mod")

    def __str__(self) -> str:
        return f"{self.module} {self.version} {self.hash}"

    def matches(self, entry: str) -> bool:
        """True if ``entry`` (``module version`` or a whole line with its hash) names this line."""
        words = entry.split()
        if len(words) == 2:
            return (self.module, self.version) == (words[0], words[1])
        return words == [self.module, self.version, self.hash]


def parse_go_sum(text: str, name: str = "go.sum") -> frozenset[GoSumLine]:
    """The lines of go.sum text; a malformed line is a ``ValueError`` naming ``name`` and the line number.

    :param text: the file's contents.
    :param name: how the error message names the file.
    """
    lines: set[GoSumLine] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        if len(words) != 3:
            raise ValueError(f"{name}:{number}: not a go.sum line (module version hash): {line!r}")
        lines.add(GoSumLine(*words))
    return frozenset(lines)


def read_go_sum(path: str | os.PathLike[str]) -> frozenset[GoSumLine]:
    """The lines of a go.sum file (an absent file has none); a malformed line is a ``ValueError``.

    :param path: the go.sum file.

    Example: ``GoSumLine("example.com/lib", "v1.0.0", "h1:...") in read_go_sum(module_dir / "go.sum")``.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    return parse_go_sum(text, str(path))
