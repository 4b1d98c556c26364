"""File trees written below a directory from ``{relative name: content}`` mappings, never outside it.

Test trees come from literals, txtar archives and mappings built in code; a name that is
absolute or climbs out with ``..`` would write over files elsewhere on the machine.  The
check is on the names themselves ('/'-separated, as in Go module zips and txtar archives),
made for every name before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from pytest_goenv.base.errors import GoenvError

__all__ = ["UnsafeFileName", "as_bytes", "replace_file", "resolve_inside", "write_tree"]


class UnsafeFileName(GoenvError, ValueError):
    """A file name that is absolute or leaves its directory with ``..``; ``name`` is the name given."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(message)


def as_bytes(content: str | bytes) -> bytes:
    """File content as bytes (text is encoded as UTF-8, the encoding of Go source)."""
    return content.encode("utf-8") if isinstance(content, str) else bytes(content)


def resolve_inside(base: str | os.PathLike[str], name: str | os.PathLike[str]) -> Path:
    """``base`` joined with the relative name ``name``; raise :class:`UnsafeFileName` if it would leave ``base``."""
    text = os.fspath(name)
    relative = PurePosixPath(text.replace(os.sep, "/"))
    if relative.is_absolute():
        raise UnsafeFileName(text, f"file name {text!r} is absolute; use a relative path")
    if ".." in relative.parts:
        raise UnsafeFileName(text, f"file name {text!r} escapes the destination with '..'")
    return Path(base).joinpath(*relative.parts)


def write_tree(base: str | os.PathLike[str], files: Mapping[str, str | bytes]) -> list[Path]:
    """Write ``files`` below ``base`` (creating directories as needed) and return the paths, in order.

    Every name is checked before the first file is written, so a bad name leaves no partial tree.
    """
    targets = [(resolve_inside(base, name), content) for name, content in files.items()]
    for target, content in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(as_bytes(content))
    return [target for target, _ in targets]


def replace_file(path: Path, content: str | bytes) -> None:
    """Write ``path`` whole or not at all: readers (other processes, xdist workers) never see half a file.

    The content goes to a temporary file in the same directory, renamed over ``path``; an OSError is raised.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(as_bytes(content))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
