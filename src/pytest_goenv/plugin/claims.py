"""Claim verdicts gathered from test reports: ``--goenv-report`` and the claims summary.

Claim experiments (see :mod:`pytest_goenv.plugin.behaviour`) attach each verdict to their test
report as a ``user_properties`` entry, which pytest-xdist carries from workers to the controller.
This part collects them wherever reports arrive, writes the report that ``--goenv-report=PATH``
asks for (Markdown and JSON) and prints the summary; it does nothing in a run without claims.

The recorder is registered only where claims can arrive: claim experiments were collected
(:func:`claim_run` is called by their plugin), a report was asked for, or this process is a
pytest-xdist controller.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_goenv.plugin.state import is_xdist_controller, state_of

if TYPE_CHECKING:
    from pytest_goenv.claims.catalogue import Catalogue
    from pytest_goenv.claims.verdicts import ClaimResult

__all__ = ["CLAIM_PROPERTY", "ClaimRecorder", "ClaimRun", "claim_run"]

CLAIM_PROPERTY = "goenv_claim"
MARKER = (
    "claim(id, expect={'>=1.21': 'holds', ...}): the test checks catalogued claim `id` "
    "(pytest_goenv/behaviour/claims.json) and expects these verdicts per Go version range "
    "(holds, does-not-hold, partly, not-applicable); stack several for one experiment."
)


class ClaimRun:
    """What this pytest process knows about claims: where the report goes and the results reported so far.

    Made on first use by :func:`claim_run`; ``results`` and ``written`` (the report files) grow as the
    run goes.
    """

    def __init__(self, report_path: Path | None, command: str) -> None:
        self.report_path = report_path
        self.command = command
        self.results: list[ClaimResult] = []
        self.written: list[Path] = []
        self._catalogue: Catalogue | None = None

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue of claims, read on first use."""
        if self._catalogue is None:
            from pytest_goenv.claims.catalogue import load_catalogue

            self._catalogue = load_catalogue()
        return self._catalogue


_run_key = pytest.StashKey[ClaimRun]()


def claim_run(config: pytest.Config) -> ClaimRun:
    """The claims of this pytest process, made (and their recorder registered) on first use."""
    run = config.stash.get(_run_key, None)
    if run is None:
        settings = state_of(config).settings
        args = [arg for arg in config.invocation_params.args if not arg.startswith("--goenv-report")]
        if settings.report_text:
            args.append(f"--goenv-report={settings.report_text}")
        run = config.stash[_run_key] = ClaimRun(settings.report, shlex.join(["pytest", *args]))
        config.pluginmanager.register(ClaimRecorder(config, run), "goenv-claims-recorder")
    return run


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    if state_of(config).settings.report is not None or is_xdist_controller(config):
        claim_run(config)  # claims may arrive from reports alone: from workers, or for the report asked for


class ClaimRecorder:
    """Collects claim results from test reports (on the xdist controller too) and writes the report."""

    def __init__(self, config: pytest.Config, run: ClaimRun) -> None:
        self.config = config
        self.run = run

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == CLAIM_PROPERTY and isinstance(value, str):
                from pytest_goenv.claims.verdicts import ClaimResult

                self.run.results.append(ClaimResult.from_dict(json.loads(value)))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.run.report_path is None or hasattr(self.config, "workerinput") or not self.run.results:
            return  # no claim experiment ran: no report full of empty cells
        from pytest_goenv.claims.report import ClaimsReport

        report = ClaimsReport(self.run.catalogue, list(self.run.results), command=self.run.command)
        self.run.written = report.write(self.run.report_path)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        run = self.run
        if not run.results:
            if run.report_path is not None and not hasattr(self.config, "workerinput"):
                terminalreporter.write_line(
                    f"goenv: --goenv-report={run.report_path}: no report written, no claim experiment ran "
                    "(the behaviour suite runs with `pytest --pyargs pytest_goenv.behaviour`)"
                )
            return
        from pytest_goenv.claims.digest import digest_lines
        from pytest_goenv.claims.report import ClaimsReport

        report = ClaimsReport(run.catalogue, list(run.results))
        terminalreporter.write_sep("-", "goenv claims")
        for path in run.written:
            terminalreporter.write_line(f"claims report written to {path}")
        for line in digest_lines(report, str(run.written[0]) if run.written else None):
            terminalreporter.write_line(line)
