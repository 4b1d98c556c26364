"""Go's txtar archive format: a comment, then files introduced by ``-- name --`` marker lines.

The format is the one cmd/go's script tests and module proxy use for test trees. Lines end at ``\n`` only,
as in Go's parser (a lone ``\r`` is content). Parsing is strict where Go's own parser is silent (empty file
names, names that are the same once normalised — ``a/b``, ``a//b``, ``./a/b`` —, a name used both as a file
and as a directory, CRLF markers, unsafe paths on extraction), so a typo in a test archive is reported with
its line number instead of producing a surprising tree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pytest_goenv.base import filetree
from pytest_goenv.base.errors import GoenvError

__all__ = [
    "Archive",
    "File",
    "TxtarError",
    "check_tree",
    "extract",
    "format",
    "load",
    "normalized_name",
    "parse",
    "read_file",
]

_MARKER_START = b"-- "
_MARKER_END = b" --"


class TxtarError(GoenvError, ValueError):
    """A malformed txtar archive or an archive that cannot be extracted safely."""

    def __init__(self, message: str, *, line: int | None = None, source: str | None = None) -> None:
        self.line = line
        self.source = source
        if source is not None:
            where = f"{source}:{line}: " if line is not None else f"{source}: "
        else:
            where = f"line {line}: " if line is not None else ""
        super().__init__(where + message)


@dataclass
class File:
    """One file of an archive; ``line`` is the 1-based line of its marker (0 if built in code)."""

    name: str
    data: bytes
    line: int = 0

    @property
    def text(self) -> str:
        """The file's data decoded as UTF-8."""
        return self.data.decode("utf-8")


@dataclass
class Archive:
    """A txtar archive: a free-form comment and an ordered list of files."""

    comment: bytes = b""
    files: list[File] = field(default_factory=list)
    source: str | None = None

    @classmethod
    def from_mapping(cls, files: Mapping[str, str | bytes], comment: str | bytes = b"") -> Archive:
        """Build an archive from ``{name: content}`` (str content is encoded as UTF-8)."""
        return cls(
            comment=filetree.as_bytes(comment),
            files=[File(name, filetree.as_bytes(data)) for name, data in files.items()],
        )

    def to_mapping(self) -> dict[str, bytes]:
        """The files as ``{name: data}``, in archive order."""
        return {f.name: f.data for f in self.files}

    def get(self, name: str) -> File | None:
        """The file called ``name``, or None."""
        for f in self.files:
            if f.name == name:
                return f
        return None

    def __contains__(self, name: object) -> bool:
        return any(f.name == name for f in self.files)


def _marker_name(line: bytes, lineno: int, source: str | None) -> str | None:
    """The file name if ``line`` (without its newline) is a file marker, None for an ordinary line."""
    if not line.startswith(_MARKER_START):
        return None
    if line.endswith(_MARKER_END + b"\r") and len(line) >= len(_MARKER_START) + len(_MARKER_END) + 1:
        raise TxtarError(
            "file marker ends with a carriage return; save the archive with LF line endings",
            line=lineno,
            source=source,
        )
    if not line.endswith(_MARKER_END) or len(line) < len(_MARKER_START) + len(_MARKER_END):
        return None
    raw = line[len(_MARKER_START) : len(line) - len(_MARKER_END)]
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise TxtarError("file name is not valid UTF-8", line=lineno, source=source) from None
    if not name:
        raise TxtarError("file marker has an empty name; write it as '-- path/to/file --'", line=lineno, source=source)
    return name


def _split_lines(raw: bytes) -> list[bytes]:
    """``raw`` cut after each ``\n`` (the only line break txtar knows), each line keeping its newline."""
    pieces = raw.split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def normalized_name(name: str) -> str:
    """The name an archive file is written under: ``a//b``, ``./a/b`` and ``a/b/`` are all ``a/b``."""
    return PurePosixPath(name).as_posix()


def _where(f: File) -> str:
    return f"line {f.line}" if f.line else "an unnumbered file"


def check_tree(files: Iterable[File], source: str | None = None) -> None:
    """Refuse two files that land on the same path, or a file that another needs as a directory.

    The error names both files and their marker lines (the later file's line is the error's line).
    """
    seen: dict[str, File] = {}
    for f in files:
        key = normalized_name(f.name)
        first = seen.get(key)
        if first is not None:
            same = (
                f"duplicate file {f.name!r}"
                if first.name == f.name
                else f"file {f.name!r} is the same file as {first.name!r}"
            )
            raise TxtarError(
                f"{same} (first at {_where(first)}); give each file one name", line=f.line or None, source=source
            )
        seen[key] = f
    for key, f in seen.items():
        for parent in PurePosixPath(key).parents:
            other = seen.get(parent.as_posix())
            if other is None:
                continue
            first, later = (other, f) if other.line <= f.line else (f, other)
            raise TxtarError(
                f"file {f.name!r} ({_where(f)}) needs {other.name!r} ({_where(other)}) to be a directory, "
                "but the archive makes it a file; rename one of them",
                line=later.line or None,
                source=source,
            )


def parse(data: str | bytes, *, source: str | None = None) -> Archive:
    """Parse txtar text; raise TxtarError naming the line of an empty, duplicate or clashing file name."""
    raw = filetree.as_bytes(data)
    lines = _split_lines(raw)
    archive = Archive(source=source)
    current: File | None = None
    chunks: list[bytes] = []

    def finish() -> None:
        if current is None:
            archive.comment = b"".join(chunks)
        else:
            current.data = b"".join(chunks)
            archive.files.append(current)

    for lineno, line in enumerate(lines, start=1):
        name = _marker_name(line.rstrip(b"\n"), lineno, source)
        if name is None:
            chunks.append(line)
            continue
        finish()
        current = File(name, b"", lineno)
        chunks = []
    finish()
    check_tree(archive.files, source)
    return archive


def _fix_newline(data: bytes) -> bytes:
    if data and not data.endswith(b"\n"):
        return data + b"\n"
    return data


def format(archive: Archive) -> bytes:
    """Serialise an archive; a missing final newline is added to the comment and to each file."""
    out = [_fix_newline(archive.comment)]
    for f in archive.files:
        if "\n" in f.name or not f.name.strip():
            raise TxtarError(f"cannot write file name {f.name!r} in a txtar marker")
        out.append(b"-- " + f.name.encode("utf-8") + b" --\n")
        out.append(_fix_newline(f.data))
    return b"".join(out)


def read_file(path: str | os.PathLike[str]) -> Archive:
    """Read and parse a txtar file; errors name the file and line."""
    p = Path(path)
    return parse(p.read_bytes(), source=str(p))


def load(source: str | bytes | os.PathLike[str] | Archive) -> Archive:
    """An archive from txtar text (str with a newline, or bytes), a file path, or an Archive as is."""
    if isinstance(source, Archive):
        return source
    if isinstance(source, bytes) or (isinstance(source, str) and "\n" in source):
        return parse(source)
    path = Path(source)
    if not path.is_file():
        raise TxtarError(f"{source!s}: no such txtar file (txtar text must contain a newline)")
    return read_file(path)


def _check_name(f: File, dest: str | os.PathLike[str], source: str | None) -> None:
    """Refuse a name that is not portable ('\\'), leaves ``dest`` or names no file, citing its line."""
    if "\\" in f.name:
        raise TxtarError(f"file name {f.name!r} contains a backslash; use '/'", line=f.line, source=source)
    try:
        filetree.resolve_inside(dest, f.name)
    except filetree.UnsafeFileName as exc:
        raise TxtarError(str(exc), line=f.line, source=source) from None
    if PurePosixPath(f.name) == PurePosixPath("."):
        raise TxtarError(f"file name {f.name!r} names no file", line=f.line, source=source)


def _check_on_disk(f: File, dest: str | os.PathLike[str], source: str | None) -> None:
    """Refuse a file whose path is a directory in ``dest``, or below something there that is not one."""
    target = filetree.resolve_inside(dest, f.name)
    if target.is_dir():
        raise TxtarError(
            f"file {f.name!r} would replace the directory {target}; rename it or extract elsewhere",
            line=f.line or None,
            source=source,
        )
    for parent in reversed(target.relative_to(dest).parents):
        path = Path(dest, parent)
        if path.exists() and not path.is_dir():
            raise TxtarError(
                f"file {f.name!r} needs {path} to be a directory, but a file is there; rename it or extract elsewhere",
                line=f.line or None,
                source=source,
            )


def extract(
    archive: Archive | Iterable[File], dest: str | os.PathLike[str], *, within: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Write the archive's files under ``dest`` (created if needed) and return their paths.

    No write passes through a symlink leading out of ``within`` (default: ``dest``).

    Absolute names, ``..`` escapes, names that are the same once normalised and file/directory clashes
    (within the archive or with what ``dest`` holds) are refused before anything is written.
    """
    files = archive.files if isinstance(archive, Archive) else list(archive)
    source = archive.source if isinstance(archive, Archive) else None
    for f in files:
        _check_name(f, dest, source)
    check_tree(files, source)
    for f in files:
        _check_on_disk(f, dest, source)
    return filetree.write_tree(dest, {f.name: f.data for f in files}, within=within)
