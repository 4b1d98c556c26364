"""Hooks that pytest-goenv calls, so conftests and other plugins can take part."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import pytest

    from pytest_goenv.sandbox import GoEnv

hookspec = pluggy.HookspecMarker("pytest")


@hookspec
def pytest_goenv_setup_sandbox(sandbox: GoEnv, request: pytest.FixtureRequest) -> None:
    """Adjust a new sandbox before the test uses it (``sandbox.setenv(...)``, files, ...).

    Called for every ``goenv`` after the markers' options are applied.
    """
