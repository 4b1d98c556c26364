"""The proxy's file:// tree: the GOPROXY layout on disk, so ``GOPROXY=file:///...`` serves the same modules.

Each version is written as ``<escaped path>/@v/<escaped version>.{info,mod,zip}`` with the module's
``@v/list`` and ``@latest`` rewritten beside it; every file is replaced whole, so a go command reading
the tree meanwhile never sees half a file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from pytest_goenv.base import filetree
from pytest_goenv.base.filetree import replace_file
from pytest_goenv.modules.proxy.protocol import version_list
from pytest_goenv.modules.proxy.store import ModuleVersion, VersionStore

__all__ = ["iter_files", "remove_tree", "write_version"]


def write_version(root: Path, store: VersionStore, entry: ModuleVersion) -> None:
    """Write ``entry``'s files and its module's list and ``@latest`` (call with the store's lock held)."""
    base = root / entry.escaped_path
    vdir = base / "@v"
    vdir.mkdir(parents=True, exist_ok=True)
    stem = vdir / entry.escaped_version
    replace_file(stem.with_name(stem.name + ".info"), entry.info)
    replace_file(stem.with_name(stem.name + ".mod"), entry.mod)
    replace_file(stem.with_name(stem.name + ".zip"), entry.zip)
    replace_file(vdir / "list", version_list(store.versions(entry.path)))
    latest = store.latest(entry.path)
    if latest is not None:
        replace_file(base / "@latest", latest.info)


def remove_tree(root: Path) -> None:
    """Delete the tree (missing is fine, and so is a part that cannot be removed)."""
    with contextlib.suppress(OSError):
        filetree.remove_tree(root)


def iter_files(root: Path) -> Iterator[Path]:
    """Every file of the tree, sorted."""
    return (p for p in sorted(root.rglob("*")) if p.is_file())
