"""Start-up: the explicit toolchain checked up front, the toolchain facts cache, cache clearing, the header,
SIGTERM/SIGHUP turned into an interrupt (:mod:`pytest_goenv.plugin.signals`), and (when Go is first
used) the removal of what a killed run left.

The header names the toolchains under test, and for each whose shared build cache is still cold
(:func:`pytest_goenv.sandbox.warmcache.is_cold`) says that its first build compiles the standard library.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest

from pytest_goenv.plugin.state import PluginState, is_xdist_controller, state_of, uses_go

__all__: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    from pytest_goenv.plugin import signals

    config.add_cleanup(signals.end_runs_on_termination(forward=is_xdist_controller(config)))
    state = state_of(config)
    settings = state.settings
    if settings.go is not None:
        from pytest_goenv.toolchains.toolchain import ToolchainError, default_toolchain

        try:  # an explicit toolchain that is wrong is a usage error, before any test runs
            state.toolchains = [default_toolchain(settings.go, facts=state.facts())]
        except ToolchainError as exc:
            raise pytest.UsageError(f"{settings.go_origin}: {exc}") from None
    if hasattr(config, "workerinput"):
        return  # the controller warns and clears once
    for directory in settings.toolchain_dirs:
        if not directory.exists():
            where = f" in {config.inipath}" if config.inipath else ""
            config.issue_config_time_warning(
                pytest.PytestConfigWarning(
                    f"goenv_toolchain_dirs{where}: {directory} does not exist; fix the entry or remove it "
                    "(one directory per line: a ';' or '#' after a path is not a comment there)"
                ),
                stacklevel=2,
            )
    if settings.clear_cache:
        _clear_build_caches(config, settings.cache_root / "gocache")


def _clear_build_caches(config: pytest.Config, gocaches: Path) -> None:
    """Remove the shared build caches and say what went (each toolchain's cache and its size)."""
    from pytest_goenv.base.filetree import remove_tree

    removed = []
    for cache in sorted(gocaches.iterdir()) if gocaches.is_dir() else []:
        size = sum(entry.stat().st_size for entry in cache.rglob("*") if entry.is_file())
        with contextlib.suppress(OSError):
            remove_tree(cache)
        removed.append(f"{cache.name} ({size / 1e6:.1f} MB)")
    text = ", ".join(removed) if removed else "nothing (no shared build cache yet)"
    state_of(config).header_notes.append(f"goenv: --goenv-clear-cache removed from {gocaches}: {text}")


def remove_leftovers_once(state: PluginState) -> None:
    """Remove what a killed run left (toolchain probe homes, staging dirs of provisioning), once per run.

    Called when Go is first used (the ``go_toolchain`` fixture), so a run without Go pays nothing;
    only a directory listing each unless there is something to remove.
    """
    if state.leftovers_removed:
        return
    state.leftovers_removed = True
    cache_root = state.settings.cache_root
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
    if state.toolchains is None:
        return list(state.header_notes)
    state.toolchains_announced = True
    return [*state.header_notes, *_toolchain_lines(state)]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Name the default toolchain once collection shows that tests need Go (found on first use, not before)."""
    state = state_of(session.config)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if state.toolchains_announced or reporter is None or session.config.option.verbose < 0:
        return
    if any(uses_go(item) for item in session.items):
        for line in _toolchain_lines(state):
            reporter.write_line(line)


def _toolchain_lines(state: PluginState) -> list[str]:
    toolchains = state.toolchains_under_test()
    if not toolchains:
        return [f"goenv: no Go toolchain: {state.missing_reason}"]
    lines = [f"goenv: {t.name} ({t.source}) at {t.goroot}" for t in toolchains]
    lines.append(f"goenv: shared build cache under {state.settings.cache_root}")
    from pytest_goenv.sandbox.warmcache import is_cold
    from pytest_goenv.toolchains.cachedir import build_cache_dir
    from pytest_goenv.toolchains.selectors import NOT_PROVISIONED

    cold = [
        t.name
        for t in toolchains
        if t.source != NOT_PROVISIONED and is_cold(build_cache_dir(state.settings.cache_root, t))
    ]
    if cold:
        lines.append(
            f"goenv: first build with {', '.join(cold)} compiles the standard library into the shared build cache "
            "(about 10 s each; `pytest-goenv provision --warm` does it ahead)"
        )
    return lines
