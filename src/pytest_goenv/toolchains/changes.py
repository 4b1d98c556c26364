"""Outcomes of a toolchain matrix: tallies per toolchain and behaviour changes between versions.

A *behaviour change* is a test whose outcome differs between two toolchains adjacent
in version order among those it ran on (skips are left out: a ``go_version`` marker
skip is intended, not a change).  Read oldest to newest, the list is what an upgrade
of Go changes for the suite.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

from pytest_goenv.toolchains.version import GoVersion

__all__ = ["OUTCOMES", "BehaviourChange", "MatrixOutcomes", "strip_toolchain_id"]

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
_SEVERITY = {"skipped": 0, "xfailed": 1, "passed": 1, "xpassed": 2, "failed": 3, "error": 4}


@dataclass(frozen=True)
class BehaviourChange:
    """``test`` went from ``before`` on toolchain ``older`` to ``after`` on ``newer``."""

    test: str
    older: str
    newer: str
    before: str
    after: str


@dataclass
class MatrixOutcomes:
    """Collects one outcome per (test, toolchain); a later phase can only make it worse."""

    versions: dict[str, GoVersion] = field(default_factory=dict)
    results: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_toolchain(self, toolchain_id: str, version: GoVersion) -> None:
        """Declare a toolchain column (its version orders the columns)."""
        self.versions[toolchain_id] = version

    def record(self, test: str, toolchain_id: str, outcome: str) -> None:
        """Record ``outcome`` (one of :data:`OUTCOMES`) of ``test`` on ``toolchain_id``."""
        if outcome not in _SEVERITY:
            raise ValueError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
        row = self.results.setdefault(test, {})
        current = row.get(toolchain_id)
        if current is None or _SEVERITY[outcome] > _SEVERITY[current]:
            row[toolchain_id] = outcome

    def ordered_toolchains(self) -> list[str]:
        """Toolchain ids, oldest version first (declared or seen in results)."""
        ids = list(self.versions)
        for row in self.results.values():
            ids.extend(tid for tid in row if tid not in ids)
        return sorted(ids, key=lambda tid: (self.versions.get(tid) or _version_of_id(tid), tid))

    def tallies(self) -> dict[str, Counter[str]]:
        """For each toolchain id, how many tests ended in each outcome."""
        counts: dict[str, Counter[str]] = {tid: Counter() for tid in self.ordered_toolchains()}
        for row in self.results.values():
            for tid, outcome in row.items():
                counts[tid][outcome] += 1
        return counts

    def changes(self) -> list[BehaviourChange]:
        """Tests whose outcome differs between adjacent toolchains they ran on, in test order."""
        order = self.ordered_toolchains()
        found = []
        for test, row in self.results.items():
            ran = [tid for tid in order if tid in row and row[tid] != "skipped"]
            for older, newer in itertools.pairwise(ran):
                if _kind(row[older]) != _kind(row[newer]):
                    found.append(BehaviourChange(test, older, newer, row[older], row[newer]))
        return found


def _kind(outcome: str) -> str:
    """Outcomes that mean the same behaviour: an expected failure that fails is a pass."""
    return {"xfailed": "passed", "error": "failed", "xpassed": "failed"}.get(outcome, outcome)


def _version_of_id(toolchain_id: str) -> GoVersion:
    return GoVersion.parse(toolchain_id.split("-", 1)[0])


def strip_toolchain_id(nodeid: str, toolchain_id: str) -> str:
    """``nodeid`` without the toolchain's part of its parameter id (``t[go1.22.10-a]`` -> ``t[a]``)."""
    head, bracket, rest = nodeid.partition("[")
    if not bracket or not rest.endswith("]"):
        return nodeid
    inner = rest[:-1]
    if inner == toolchain_id:
        return head
    if inner.startswith(f"{toolchain_id}-"):
        return f"{head}[{inner[len(toolchain_id) + 1 :]}]"
    if inner.endswith(f"-{toolchain_id}"):
        return f"{head}[{inner[: -len(toolchain_id) - 1]}]"
    return f"{head}[{inner.replace(f'-{toolchain_id}-', '-', 1)}]"
