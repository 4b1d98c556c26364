"""Warming a toolchain's shared build cache: the standard library compiled once, ahead of the tests.

A cold build compiles the runtime and the packages it needs (6-10 s per toolchain on a small
machine); the shared build cache of each toolchain keeps the result between runs.  A CI job
that restores that cache from an earlier job skips the cost, provided the cache was filled
with the same environment the sandboxes use: :func:`warm_build_cache` builds ``std`` in a
throw-away sandbox whose ``GOCACHE`` is the shared one, so its build actions are the ones a
test's build asks for.

Example::

    warmed = warm_build_cache(toolchain, cache_root)
    print(f"{toolchain.name}: {warmed.entries} cache files in {warmed.duration:.1f} s")
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.toolchains.cachedir import build_cache_dir
from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = ["COLD_ENTRIES", "WarmedCache", "count_entries", "is_cold", "warm_build_cache"]

COLD_ENTRIES = 100
"""A build cache with fewer files than this has not yet compiled the runtime (a hello-world build
leaves about 430): the next build compiles the standard library."""


@dataclass(frozen=True)
class WarmedCache:
    """The outcome of warming: the cache directory, its file count after, and the build's duration."""

    gocache: Path
    entries: int
    duration: float


def count_entries(gocache: Path, stop_at: int | None = None) -> int:
    """The files in Go's build cache ``gocache`` (its ``00``..``ff`` directories), up to ``stop_at``."""
    total = 0
    try:
        buckets = [entry for entry in os.scandir(gocache) if entry.is_dir() and len(entry.name) == 2]
    except OSError:
        return 0
    for bucket in buckets:
        try:
            total += sum(1 for _ in os.scandir(bucket.path))
        except OSError:
            continue
        if stop_at is not None and total >= stop_at:
            return total
    return total


def is_cold(gocache: Path) -> bool:
    """True when the next build with ``gocache`` will compile the standard library (the cache is near empty)."""
    return count_entries(gocache, stop_at=COLD_ENTRIES) < COLD_ENTRIES


def warm_build_cache(toolchain: GoToolchain, cache_root: Path, *, timeout: float = 1800.0) -> WarmedCache:
    """Build the standard library with ``toolchain`` into its shared build cache below ``cache_root``.

    The build runs in a temporary sandbox (the same environment tests get), which is removed after;
    a failing build raises :class:`pytest_goenv.sandbox.result.GoCommandError` with the go command's output.
    """
    gocache = build_cache_dir(cache_root, toolchain)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"goenv-warm-{toolchain.name}-") as tmp:
        sandbox = GoEnv(toolchain, tmp, gocache=gocache, timeout=timeout)
        try:
            sandbox.run("build", "std")
        finally:
            sandbox.make_removable()
    return WarmedCache(gocache, count_entries(gocache), time.monotonic() - start)
