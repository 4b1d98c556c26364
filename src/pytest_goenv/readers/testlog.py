"""What ``go test`` prints per package: its summary line (``ok``, ``FAIL`` or ``?``), plain or in ``-json`` events.

>>> outcomes = parse_test_summaries("ok  \\texample.com/c/lib\\t(cached)\\n?   \\texample.com/c\\t[no test files]\\n")
>>> outcomes["example.com/c/lib"].cached, outcomes["example.com/c"].status
(True, 'no test files')
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["GoTestOutcome", "TestStatus", "parse_test_summaries"]

TestStatus = Literal["ok", "FAIL", "no test files"]
"""What ``go test`` said of a package: its tests passed, failed (or it did not build), or it has none."""
_STATUS: dict[str, TestStatus] = {"ok": "ok", "FAIL": "FAIL", "?": "no test files"}
_TEST_SUMMARY = re.compile(r"^(ok|FAIL|\?)\s+(\S+)\s*(.*)$")


@dataclass(frozen=True)
class GoTestOutcome:
    """The summary line ``go test`` printed for one package."""

    package: str
    status: TestStatus
    cached: bool
    line: str


def parse_test_summaries(stdout: str) -> dict[str, GoTestOutcome]:
    """Each package's summary line in ``go test`` output (plain, or the output events of ``-json``).

    :param stdout: what ``go test`` printed on stdout.

    Example: ``parse_test_summaries(result.stdout)["example.com/c/lib"].status == "ok"``.
    """
    outcomes: dict[str, GoTestOutcome] = {}
    for line in _output_lines(stdout):
        match = _TEST_SUMMARY.match(line)
        if match is None:
            continue
        status, package, rest = match.groups()
        outcomes[package] = GoTestOutcome(
            package=package,
            status=_STATUS[status],
            cached="(cached)" in rest.split(),
            line=line,
        )
    return outcomes


def _output_lines(stdout: str) -> list[str]:
    """The lines of plain output, or of the ``output`` events of ``go test -json``."""
    lines: list[str] = []
    for line in stdout.splitlines():
        if line.startswith("{"):
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                lines.append(line)
                continue
            if isinstance(event, dict) and event.get("Action") == "output":
                lines.extend(str(event.get("Output", "")).splitlines())
        else:
            lines.append(line)
    return lines
