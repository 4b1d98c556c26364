"""GOENV files and ``GOROOT/go.env``: the ``NAME=value`` settings below the process environment.

The go command reads a variable from the process environment, then the user's GOENV file
(written by ``go env -w``), then ``GOROOT/go.env``.  Both files have the same format, read
here as the go command reads it.

>>> parse_env_file("GOPROXY=off\\n# a comment\\nGOFLAGS=\\ngoprivate=x\\n")
{'GOPROXY': 'off', 'GOFLAGS': ''}
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["parse_env_file", "read_env_file"]


def parse_env_file(text: str) -> dict[str, str]:
    """The settings in GOENV file text, as the go command reads them.

    A line is ``NAME=value``: the name runs to the first ``=`` and must start with an
    upper-case letter, the value is taken as it is (no quotes, no trimming); other
    lines (comments, blank lines, indented lines) are ignored.  A later line wins.

    :param text: the file's contents.
    """
    settings: dict[str, str] = {}
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        name, equals, value = line.partition("=")
        if equals and name and "A" <= name[0] <= "Z":
            settings[name] = value
    return settings


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """The settings of a GOENV file or ``go.env`` (see :func:`parse_env_file`); {} if there is no such file.

    :param path: the file, e.g. ``goenv.goenv_file`` or ``toolchain.goroot / "go.env"``.

    Example: ``read_env_file(goenv.goenv_file)["GOPROXY"]`` after ``goenv.run("env", "-w", "GOPROXY=off")``.
    """
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return parse_env_file(text)
