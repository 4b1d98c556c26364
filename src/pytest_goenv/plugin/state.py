"""What the plugin decided at start-up, shared by its parts in one pytest process.

:class:`PluginState` holds the toolchains under test (found on first use, or set by the
matrix) and the sandboxes kept for inspection; :func:`item_toolchain` is the one answer to
"which toolchain does this test item run on".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_goenv.plugin.settings import Settings, settings_of

if TYPE_CHECKING:
    from pytest_goenv.toolchains.facts import FactsCache
    from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = [
    "GO_FIXTURES",
    "KEPT_PROPERTY",
    "PluginState",
    "is_xdist_controller",
    "item_toolchain",
    "outcome_key",
    "sandbox_key",
    "state_of",
    "uses_go",
]

GO_FIXTURES = frozenset({"go_toolchain", "goenv", "go_workspace"})
"""The fixtures that make a test a Go test: run per toolchain under a matrix, subject to the markers."""

KEPT_PROPERTY = "goenv_sandbox_kept"
"""A kept sandbox is named in its test's report under this property (JUnit XML shows it, and the
pytest-xdist controller lists the sandboxes its workers kept)."""


class PluginState:
    """The plugin's decisions for one pytest process: settings, toolchains under test, kept sandboxes.

    :param settings: the run's settings (:func:`~pytest_goenv.plugin.settings.settings_of`).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.toolchains: list[GoToolchain] | None = None
        """The toolchains under test: set by the matrix, else found on first use."""
        self.missing_reason: str | None = None
        """Why no toolchain was found, for the tests that need one."""
        self.kept: dict[Path, str] = {}
        """Sandboxes kept for inspection (``--goenv-keep``, or after a failure): path -> the test it served."""
        self.header_notes: list[str] = []
        """Lines for the report header decided at start-up (what --goenv-clear-cache removed)."""
        self.toolchains_announced = False
        """Whether the header already named the toolchains under test."""
        self.leftovers_removed = False
        """Whether what a killed run left was looked for (done once, when Go is first used)."""
        self.current_test = ""
        """The node id of the test running now ("" between tests), to name what a sandbox was made for."""
        self._facts: FactsCache | None = None

    def facts(self) -> FactsCache:
        """The toolchains' facts, kept in the cache directory: xdist workers and later runs skip the probes."""
        if self._facts is None:
            from pytest_goenv.toolchains.facts import FactsCache

            self._facts = FactsCache.under(self.settings.cache_root)
        return self._facts

    def toolchains_under_test(self) -> list[GoToolchain]:
        """The toolchains tests run on, found on first use (an empty list if there is none)."""
        if self.toolchains is None:
            from pytest_goenv.toolchains.toolchain import ToolchainError, default_toolchain

            try:
                self.toolchains = [default_toolchain(self.settings.go, facts=self.facts())]
            except ToolchainError as exc:
                self.toolchains, self.missing_reason = [], str(exc)
        return self.toolchains

    def single_toolchain(self) -> GoToolchain:
        """The one toolchain of a run without a matrix; fails (or skips) the current test if there is none."""
        toolchains = self.toolchains_under_test()
        if not toolchains:
            message = f"this test needs Go: {self.missing_reason}"
            if self.settings.missing == "skip":
                pytest.skip(message)
            pytest.fail(message + "\n(--goenv-missing=skip turns this into a skip)", pytrace=False)
        return toolchains[0]


_state_key = pytest.StashKey[PluginState]()
outcome_key = pytest.StashKey[bool]()
"""False once a phase of the test failed: its sandbox is then kept."""
sandbox_key = pytest.StashKey[Path]()
"""The root of a test's ``goenv`` sandbox, so a failure report can say where it was kept."""


def state_of(config: pytest.Config) -> PluginState:
    """The plugin's state for ``config``, made on first use."""
    state = config.stash.get(_state_key, None)
    if state is None:
        state = config.stash[_state_key] = PluginState(settings_of(config))
    return state


def is_xdist_controller(config: pytest.Config) -> bool:
    """Whether this process starts pytest-xdist workers (``-n``/``--tx`` given, not itself a worker)."""
    numprocesses = getattr(config.option, "numprocesses", None)
    return not hasattr(config, "workerinput") and bool(numprocesses or getattr(config.option, "tx", None))


def uses_go(item: pytest.Item) -> bool:
    """Whether ``item`` requests one of the Go fixtures."""
    return not GO_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def item_toolchain(item: pytest.Item) -> GoToolchain | None:
    """The toolchain ``item`` runs on: its matrix parameter, else the run's single toolchain (None if none)."""
    from pytest_goenv.toolchains.toolchain import GoToolchain

    callspec = getattr(item, "callspec", None)
    param = callspec.params.get("go_toolchain") if callspec is not None else None
    if isinstance(param, GoToolchain):
        return param
    toolchains = state_of(item.config).toolchains_under_test()
    return toolchains[0] if toolchains else None
