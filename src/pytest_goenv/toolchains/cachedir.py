"""The per-user cache directory of pytest-goenv: warm build caches and provisioned toolchains.

Kept between pytest sessions so that a cold build of the Go runtime is paid once per
toolchain, not once per run.  Its location is ``$PYTEST_GOENV_CACHE_DIR``, else
``$XDG_CACHE_HOME/pytest-goenv``, else ``~/.cache/pytest-goenv``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = ["build_cache_dir", "default_cache_root"]


def default_cache_root() -> Path:
    """Where pytest-goenv keeps what outlives a session, unless told otherwise."""
    explicit = os.environ.get("PYTEST_GOENV_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "pytest-goenv"


def build_cache_dir(root: Path, toolchain: GoToolchain) -> Path:
    """The shared GOCACHE of one toolchain below ``root``, created if missing.

    Keyed by version and GOROOT, so two installs of the same version never share
    objects built from different sources.  Go's cache is safe for concurrent go
    processes, so pytest-xdist workers use the same directory.
    """
    import hashlib

    digest = hashlib.sha256(str(toolchain.goroot).encode()).hexdigest()[:10]
    path = root / "gocache" / f"{toolchain.name}-{digest}"
    path.mkdir(parents=True, exist_ok=True)
    return path
