"""pytest-goenv: isolated, real Go build environments for tests, across Go toolchains."""

from __future__ import annotations

from pytest_goenv.version import GoVersion, GoVersionSpec, InvalidGoVersion

__all__ = ["GoVersion", "GoVersionSpec", "InvalidGoVersion"]
