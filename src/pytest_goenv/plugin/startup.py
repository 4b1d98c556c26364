"""Start-up: the explicit toolchain checked up front, the toolchain facts cache, cache clearing, the header,
SIGTERM/SIGHUP turned into an interrupt (:mod:`pytest_goenv.plugin.signals`), and (when Go is first
used) the removal of what a killed run left."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest

from pytest_goenv.plugin.state import PluginState, state_of, uses_go

__all__: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    from pytest_goenv.plugin import signals

    config.add_cleanup(signals.end_runs_on_termination(forward=_is_xdist_controller(config)))
    state = state_of(config)
    settings = state.settings
    if settings.go is not None:
        from pytest_goenv.toolchains.toolchain import ToolchainError, default_toolchain

        try:  # an explicit toolchain that is wrong is a usage error, before any test runs
            state.toolchains = [default_toolchain(settings.go, facts=state.facts())]
        except ToolchainError as exc:
            raise pytest.UsageError(f"{settings.go_origin}: {exc}") from None
    if settings.clear_cache and not hasattr(config, "workerinput"):
        from pytest_goenv.base.filetree import remove_tree

        with contextlib.suppress(OSError):
            remove_tree(settings.cache_root / "gocache")


def _is_xdist_controller(config: pytest.Config) -> bool:
    """Whether this process starts pytest-xdist workers (``-n``/``--tx`` given, not itself a worker)."""
    numprocesses = getattr(config.option, "numprocesses", None)
    return not hasattr(config, "workerinput") and bool(numprocesses or getattr(config.option, "tx", None))


_leftovers_removed = False


def remove_leftovers_once(cache_root: Path) -> None:
    """Remove what a killed run left (toolchain probe homes, staging dirs of provisioning), once per process.

    Called when Go is first used (the ``go_toolchain`` fixture), so a run without Go pays nothing;
    only a directory listing each unless there is something to remove.
    """
    global _leftovers_removed  # noqa: PLW0603 - once per process, whatever the session
    if _leftovers_removed:
        return
    _leftovers_removed = True
    if _any_named(Path(tempfile.gettempdir()), ("pytest-goenv-probe-",)):
        from pytest_goenv.toolchains.facts import remove_stale_probes

        remove_stale_probes()
    if _any_named(cache_root / "toolchains", (".staging-", ".download-")):
        from pytest_goenv.toolchains.provision import remove_leftovers

        remove_leftovers(cache_root)


def _any_named(directory: Path, prefixes: tuple[str, ...]) -> bool:
    try:
        return any(name.startswith(prefixes) for name in os.listdir(directory))
    except OSError:
        return False


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
