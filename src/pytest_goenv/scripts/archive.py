"""Reading a script file as Go's own txtar parser does: lenient where the project's strict parser refuses.

Go's scripts rely on Go's parsing rules: a marker line is ``-- name --`` (the name trimmed), a
later file of the same name replaces an earlier one when the files are written out, and the last
part of the archive (a file, or the comment if there is none) gets a final newline if it lacks
one.  The project's :mod:`pytest_goenv.modules.txtar` refuses duplicate names, which is right for
archives written for it but would refuse scripts Go runs.

Example::

    >>> archive = parse_script_archive(b"go version\\n-- a.txt --\\nx")
    >>> archive.comment, archive.files[0].name, archive.files[0].data
    (b'go version\\n', 'a.txt', b'x\\n')
"""

from __future__ import annotations

import os

from pytest_goenv.modules import txtar

__all__ = ["load_script", "parse_script_archive"]


def _marker(line: bytes) -> str | None:
    """The file name of a marker line (without its newline), else None."""
    if line.startswith(b"-- ") and line.endswith(b" --") and len(line) >= 6:
        name = line[3:-3].decode("utf-8", errors="replace").strip()
        return name or None
    return None


def parse_script_archive(data: bytes, *, source: str | None = None) -> txtar.Archive:
    """Parse ``data`` with Go's txtar rules (``File.line`` is each marker's 1-based line)."""
    archive = txtar.Archive(source=source)
    current: txtar.File | None = None
    chunks: list[bytes] = []
    pieces = data.split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    for lineno, line in enumerate(lines, start=1):
        name = _marker(line.removesuffix(b"\n"))
        if name is None:
            chunks.append(line)
            continue
        if current is None:
            archive.comment = b"".join(chunks)
        else:
            current.data = b"".join(chunks)
            archive.files.append(current)
        current, chunks = txtar.File(name, b"", lineno), []
    last = b"".join(chunks)
    if last and not last.endswith(b"\n"):
        last += b"\n"
    if current is None:
        archive.comment = last
    else:
        current.data = last
        archive.files.append(current)
    return archive


def load_script(source: str | bytes | os.PathLike[str] | txtar.Archive, name: str | None = None) -> txtar.Archive:
    """A script as an archive: a path to a ``.txt``/``.txtar`` file, its text, or an Archive."""
    if isinstance(source, txtar.Archive):
        return source
    if isinstance(source, os.PathLike):
        with open(source, "rb") as handle:
            return parse_script_archive(handle.read(), source=os.fspath(source))
    data = source.encode() if isinstance(source, str) else source
    return parse_script_archive(data, source=name)
