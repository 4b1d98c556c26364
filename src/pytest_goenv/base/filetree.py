"""File trees written below a directory from ``{relative name: content}`` mappings, never outside it.

Test trees come from literals, txtar archives and mappings built in code; a name that is
absolute or climbs out with ``..`` would write over files elsewhere on the machine.  The
check is on the names themselves ('/'-separated, as in Go module zips and txtar archives),
made for every name before anything is written.  A symlink on the way (brought by a copied
tree, by git, or made by a program) is followed only while it stays inside the tree being
written (:func:`refuse_outward_links`): a write never passes through one that leaves it.

Trees that Go's module cache made read-only are removed with :func:`remove_tree`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from pytest_goenv.base.errors import GoenvError

__all__ = [
    "LinkLeavesTree",
    "UnsafeFileName",
    "as_bytes",
    "make_dirs",
    "make_writable",
    "refuse_outward_links",
    "remove_tree",
    "replace_file",
    "resolve_inside",
    "write_tree",
]


class UnsafeFileName(GoenvError, ValueError):
    """A file name that is absolute or leaves its directory with ``..``; ``name`` is the name given."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(message)


class LinkLeavesTree(UnsafeFileName):
    """A write would pass through ``link``, a symlink to ``target`` outside the tree ``within``."""

    def __init__(self, link: Path, target: str, within: Path) -> None:
        self.link = link
        self.target = target
        self.within = within
        super().__init__(
            str(link),
            f"{link} is a symlink to {target}, outside {within}; writes there do not follow links that "
            "leave it: remove the link, or write somewhere else",
        )


def refuse_outward_links(path: str | os.PathLike[str], within: str | os.PathLike[str]) -> None:
    """Raise :class:`LinkLeavesTree` if reaching ``path`` from ``within`` passes a symlink leading out of it.

    Links that stay inside ``within`` are fine; ``path`` itself counts (a link there would be written
    through), as does a dangling link (writing it would create its target).

    >>> refuse_outward_links("/tmp/sandbox/work/m/go.mod", "/tmp/sandbox")
    """
    top = Path(os.path.abspath(within))
    boundary = Path(os.path.realpath(top))
    try:
        relative = Path(os.path.abspath(path)).relative_to(top)
    except ValueError:
        raise UnsafeFileName(os.fspath(path), f"{path} is not inside {top}") from None
    current = top
    for part in relative.parts:
        current = current / part
        if os.path.islink(current):
            resolved = Path(os.path.realpath(current))
            if resolved != boundary and boundary not in resolved.parents:
                raise LinkLeavesTree(current, os.readlink(current), top)


def make_dirs(path: str | os.PathLike[str], within: str | os.PathLike[str]) -> Path:
    """``mkdir -p path``, refusing (before creating anything) a symlink on the way that leaves ``within``."""
    refuse_outward_links(path, within)
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


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


def write_tree(
    base: str | os.PathLike[str],
    files: Mapping[str, str | bytes],
    *,
    within: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write ``files`` below ``base`` (creating directories as needed) and return the paths, in order.

    Every name is checked before the first file is written, so a bad name leaves no partial tree;
    so is every path, against symlinks leaving ``within`` (default: ``base``).
    """
    targets = [(resolve_inside(base, name), content) for name, content in files.items()]
    for target, _content in targets:
        refuse_outward_links(target, base if within is None else within)
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


def make_writable(root: Path) -> None:
    """Add owner write permission to every directory below ``root`` (the module cache makes them 0555)."""
    if not root.exists():
        return
    for directory, _subdirs, _files in os.walk(root):
        mode = os.lstat(directory).st_mode
        if not mode & stat.S_IWUSR:
            os.chmod(directory, mode | stat.S_IWUSR | stat.S_IXUSR)


def remove_tree(root: Path) -> None:
    """``rm -rf root``, restoring write permission where Go's module cache (or an extraction) removed it.

    >>> remove_tree(Path("/tmp/sandbox"))
    """

    def retry_writable(function: Callable[..., Any], path: str, _excinfo: Any) -> None:
        parent = os.path.dirname(path)
        os.chmod(parent, os.lstat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, os.lstat(path).st_mode | stat.S_IWUSR | stat.S_IXUSR)
        function(path)

    if not os.path.lexists(root):
        return
    if os.path.islink(root) or not os.path.isdir(root):
        os.unlink(root)
    elif sys.version_info >= (3, 12):
        shutil.rmtree(root, onexc=retry_writable)
    else:
        shutil.rmtree(root, onerror=retry_writable)
