"""What the plugin decided at start-up, shared by its hooks and fixtures in one pytest process."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pytest_goenv.toolchains.toolchain import GoToolchain, ToolchainError, default_toolchain

__all__ = ["GO_FIXTURES", "KEPT_PROPERTY", "PluginState", "outcome_key", "sandbox_key", "state_key"]

GO_FIXTURES = frozenset({"go_toolchain", "goenv", "go_workspace"})
"""The fixtures that make a test a Go test: run per toolchain under a matrix, subject to the markers."""

KEPT_PROPERTY = "goenv_sandbox_kept"
"""A sandbox kept by --goenv-keep is named in its test's report under this property, so the
pytest-xdist controller can list the sandboxes its workers kept."""


@dataclass
class PluginState:
    """What the plugin decided at start-up, shared by all fixtures of one pytest process."""

    explicit_go: str | None
    cache_root: Path
    timeout: float
    keep: bool
    missing: str
    toolchains: list[GoToolchain] | None = None
    missing_reason: str | None = None
    kept: list[Path] = field(default_factory=list)

    def toolchains_under_test(self) -> list[GoToolchain]:
        """The toolchains tests run on, found on first use (an empty list if there is none)."""
        if self.toolchains is None:
            try:
                self.toolchains = [default_toolchain(self.explicit_go)]
            except ToolchainError as exc:
                self.toolchains, self.missing_reason = [], str(exc)
        return self.toolchains

    def single_toolchain(self) -> GoToolchain:
        """The one toolchain of a run without a matrix; fails (or skips) the current test if there is none."""
        toolchains = self.toolchains_under_test()
        if not toolchains:
            message = f"this test needs Go: {self.missing_reason}"
            if self.missing == "skip":
                pytest.skip(message)
            pytest.fail(message + "\n(--goenv-missing=skip turns this into a skip)", pytrace=False)
        return toolchains[0]


state_key = pytest.StashKey[PluginState]()
outcome_key = pytest.StashKey[bool]()
sandbox_key = pytest.StashKey[Path]()
"""The root of a test's ``goenv`` sandbox, so a failure report can say where it was kept."""
