"""Sandboxes kept for inspection: named in failure reports and JUnit XML, listed at the end.

A failing test's ``goenv`` sandbox is kept under pytest's basetemp; ``--goenv-keep`` keeps every
sandbox.  Under pytest-xdist each worker sends the sandboxes it kept to the controller when it
finishes (those of ``goenv_factory`` outlive any test), so one list covers the whole run.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_goenv.plugin.state import KEPT_PROPERTY, PluginState, outcome_key, sandbox_key, state_of

__all__: list[str] = []


def _add(state: PluginState, paths: list[Path]) -> None:
    state.kept.extend(path for path in paths if path not in state.kept)


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


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput: dict[str, object] | None = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[KEPT_PROPERTY] = [str(path) for path in state_of(session.config).kept]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the pytest-xdist controller: the sandboxes a finished worker kept."""
    sent = getattr(node, "workeroutput", {}).get(KEPT_PROPERTY, [])
    _add(state_of(node.config), [Path(path) for path in sent])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    state = state_of(config)
    if state.kept:
        terminalreporter.write_sep("-", "goenv sandboxes kept (--goenv-keep)")
        for path in state.kept:
            terminalreporter.write_line(str(path))
