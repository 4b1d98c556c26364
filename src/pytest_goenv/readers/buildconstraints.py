"""Build constraints as a Go source file states them: its ``//go:build`` line and its file-name suffix.

The go command is the judge of what a constraint selects (see :mod:`pytest_goenv.assertions.constraints`);
these readers only say what a file declares, for failure messages.

>>> file_name_constraint("poll_linux_arm64_test.go", {"linux", "darwin"}, {"amd64", "arm64"})
'_linux_arm64'
>>> file_name_constraint("unix.go", {"linux"}, {"amd64"})
''
"""

from __future__ import annotations

import os
import re
from collections.abc import Set

__all__ = ["file_name_constraint", "go_build_line"]

_GO_BUILD_LINE = re.compile(r"^//go:build\s+(.*?)\s*$")


def go_build_line(path: str | os.PathLike[str]) -> str | None:
    """The expression of the ``//go:build`` line before the ``package`` clause of a Go file, or None.

    :param path: the Go source file; raises OSError if it cannot be read.

    Example: ``go_build_line("m/unix.go") == "unix && !android"``.
    """
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            stripped = line.strip()
            match = _GO_BUILD_LINE.match(stripped)
            if match:
                return match.group(1)
            if stripped.startswith("package "):
                break
    return None


def file_name_constraint(name: str, systems: Set[str], arches: Set[str]) -> str:
    """The ``_GOOS``, ``_GOARCH`` or ``_GOOS_GOARCH`` part of a file name that constrains it ("" if none).

    :param name: the file name, e.g. ``poll_linux.go`` (a ``_test`` suffix is looked past).
    :param systems: the known GOOS values (those of ``go tool dist list``).
    :param arches: the known GOARCH values.
    """
    stem = name.rsplit(".", 1)[0]
    if "_" not in stem:
        return ""
    parts = stem.split("_")[1:]
    if parts and parts[-1] == "test":
        parts = parts[:-1]
    if len(parts) >= 2 and parts[-2] in systems and parts[-1] in arches:
        return f"_{parts[-2]}_{parts[-1]}"
    if parts and (parts[-1] in systems or parts[-1] in arches):
        return f"_{parts[-1]}"
    return ""
