"""Start-up: the explicit toolchain checked up front, the toolchain facts cache, cache clearing, the header."""

from __future__ import annotations

import shutil

import pytest

from pytest_goenv.plugin.state import PluginState, state_of, uses_go

__all__: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    state = state_of(config)
    settings = state.settings
    if settings.go is not None:
        from pytest_goenv.toolchains.toolchain import ToolchainError, default_toolchain

        try:  # an explicit toolchain that is wrong is a usage error, before any test runs
            state.toolchains = [default_toolchain(settings.go, facts=state.facts())]
        except ToolchainError as exc:
            raise pytest.UsageError(f"{settings.go_origin}: {exc}") from None
    if settings.clear_cache and not hasattr(config, "workerinput"):
        shutil.rmtree(settings.cache_root / "gocache", ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """The toolchains under test, when start-up already chose them (``--go``, ``--goenv-matrix``)."""
    state = state_of(config)
    return _toolchain_lines(state) if state.toolchains is not None else []


def pytest_collection_finish(session: pytest.Session) -> None:
    """Name the default toolchain once collection shows that tests need Go (found on first use, not before)."""
    state = state_of(session.config)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if state.toolchains is not None or reporter is None or session.config.option.verbose < 0:
        return
    if any(uses_go(item) for item in session.items):
        for line in _toolchain_lines(state):
            reporter.write_line(line)


def _toolchain_lines(state: PluginState) -> list[str]:
    toolchains = state.toolchains_under_test()
    if not toolchains:
        return [f"goenv: no Go toolchain: {state.missing_reason}"]
    lines = [f"goenv: {t.name} ({t.source}) at {t.goroot}" for t in toolchains]
    return [*lines, f"goenv: shared build cache under {state.settings.cache_root}"]
