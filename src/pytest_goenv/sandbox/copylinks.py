"""Symlinks in a tree copied into a sandbox: the policy that keeps the copy from pointing at the host.

A tree copied from the host (:meth:`GoEnv.copy_tree`) may hold symlinks.  Left as they are, one
pointing outside would let the go command read host files as the module's and let a later write
pass through to the host.  The policy:

- a link whose target lies inside the copied tree stays a link, made relative when it was absolute,
  so it names the copy and not the original;
- a link to a file outside the tree becomes a copy of that file (a ``LICENSE -> ../../LICENSE`` in a
  monorepo, say);
- a link to a directory outside the tree, or a dangling one, is refused with an error naming it:
  leave it out with ``ignore=``, or copy what it names yourself.

Copying into a destination that already holds a link leading out of the sandbox is refused
before anything is copied.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pytest_goenv.base import filetree

__all__ = ["OutwardLink", "refuse_outward_dest", "settle_links"]


class OutwardLink(filetree.UnsafeFileName):
    """A copied symlink that names a directory outside the copied tree, or nothing."""


def refuse_outward_dest(target: Path, root: Path) -> None:
    """Raise :class:`~pytest_goenv.base.filetree.LinkLeavesTree` if copying into ``target`` could leave ``root``."""
    filetree.refuse_outward_links(target, root)
    if not target.is_dir():
        return
    for directory, subdirs, files in os.walk(target):
        for name in [*subdirs, *files]:
            path = Path(directory) / name
            if path.is_symlink():
                filetree.refuse_outward_links(path, root)


def settle_links(origin: Path, target: Path) -> None:
    """Apply the policy to the links copied from ``origin`` into ``target``."""
    source_top = Path(os.path.realpath(origin))
    for directory, subdirs, files in os.walk(target):
        for name in [*subdirs, *files]:
            copied = Path(directory) / name
            if copied.is_symlink():
                _settle(copied, origin / copied.relative_to(target), source_top, target)


def _settle(copied: Path, original: Path, source_top: Path, target: Path) -> None:
    named = Path(os.path.realpath(original))
    if named == source_top or source_top in named.parents:
        if os.path.isabs(os.readlink(copied)):
            copied.unlink()
            copied.symlink_to(os.path.relpath(target / named.relative_to(source_top), copied.parent))
        return
    if named.is_file():
        copied.unlink()
        shutil.copy2(named, copied)
        return
    link = os.readlink(original)
    copied.unlink()
    kind = "a directory outside the copied tree" if named.is_dir() else "nothing (a dangling link)"
    raise OutwardLink(
        str(original),
        f"copy_tree: {original} is a symlink to {link}, which names {kind}; a sandbox copy does not point "
        "at the host: leave it out with ignore=[...], or copy what it names yourself",
    )
