"""pytest-goenv: isolated, real Go build environments for tests, across Go toolchains."""

from __future__ import annotations

try:  # the assertion helpers get pytest's assertion rewriting; a plain script needs no pytest
    import pytest
except ImportError:  # pragma: no cover
    pass
else:
    pytest.register_assert_rewrite("pytest_goenv.assertions")

from pytest_goenv import assertions
from pytest_goenv.version import GoVersion, GoVersionSpec, InvalidGoVersion

__all__ = ["GoVersion", "GoVersionSpec", "InvalidGoVersion", "assertions"]
