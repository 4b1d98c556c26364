"""The few lines a run of the behaviour suite ends with: counts per toolchain, changes, mismatches.

The full claims-by-toolchains table belongs in the report (``--goenv-report``); the terminal
gets what a reader acts on::

    goenv claims: 112 claims on 2 toolchains (full table: --goenv-report=PATH)
      go1.22.10  holds 60 · does-not-hold 31 · partly 9 · n/a 12 · differs from expectation 0
      go1.26.6   holds 59 · does-not-hold 30 · partly 10 · n/a 13 · differs from expectation 1
    verdicts that differ between toolchains (oldest to newest):
      ch1.goroot-final-install-rewrite: holds on go1.22.10; does-not-hold on go1.26.6
    differs from expectation:
      ch4.3.gomaxprocs-0-cgroup on go1.26.6: observed partly, expected holds (>=1.25: holds)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pytest_goenv.claims.report import ClaimsReport
from pytest_goenv.claims.verdicts import ClaimResult, Verdict

__all__ = ["Digest", "digest_lines"]

_COUNTED = (
    (Verdict.HOLDS, "holds"),
    (Verdict.DOES_NOT_HOLD, "does-not-hold"),
    (Verdict.PARTLY, "partly"),
    (Verdict.NOT_APPLICABLE, "n/a"),
)


@dataclass(frozen=True)
class Digest:
    """What the terminal summary says about a :class:`ClaimsReport`, as data (rendered by :meth:`lines`).

    ``counts`` maps each toolchain column (oldest first) to its tally, ``changes`` lists the claims
    whose verdict is not the same on every toolchain (with the runs of toolchains sharing one
    verdict, oldest to newest), ``mismatches`` the results that differ from their expectation and
    ``failed`` the experiments that raised (not counted as mismatches).

    Example::

        digest = Digest.of(report)
        print("\\n".join(digest.lines(report_path="docs/claims.md")))
    """

    claims: int
    counts: dict[str, dict[str, int]]
    changes: list[tuple[str, list[tuple[str, list[str]]]]]
    mismatches: list[tuple[str, ClaimResult]]
    failed: list[tuple[str, ClaimResult]]

    @classmethod
    def of(cls, report: ClaimsReport) -> Digest:
        """Tally ``report``: per toolchain, across toolchains, and against the expectations."""
        toolchains = report.toolchains
        claim_ids = [
            claim_id for claim_id in _claim_ids(report) if any(report.cell(claim_id, name) for name in toolchains)
        ]
        counts: dict[str, dict[str, int]] = {}
        mismatches: list[tuple[str, ClaimResult]] = []
        failed: list[tuple[str, ClaimResult]] = []
        for name in toolchains:
            cells = [cell for claim_id in claim_ids if (cell := report.cell(claim_id, name)) is not None]
            tally = {label: sum(1 for cell in cells if cell.verdict is verdict) for verdict, label in _COUNTED}
            failures = sum(1 for cell in cells if cell.verdict is Verdict.UNDECIDED)
            if failures:
                tally["failed"] = failures
            tally["differs from expectation"] = sum(1 for cell in cells if _mismatch(cell))
            counts[name] = tally
        changes: list[tuple[str, list[tuple[str, list[str]]]]] = []
        for claim_id in claim_ids:
            runs: list[tuple[str, list[str]]] = []
            for name in toolchains:
                cell = report.cell(claim_id, name)
                if cell is None:
                    continue
                if _mismatch(cell):
                    mismatches.append((name, cell))
                if cell.verdict is Verdict.UNDECIDED:
                    failed.append((name, cell))
                if runs and runs[-1][0] == cell.verdict.value:
                    runs[-1][1].append(name)
                else:
                    runs.append((cell.verdict.value, [name]))
            if len({verdict for verdict, _names in runs}) > 1:
                changes.append((claim_id, runs))
        return cls(len(claim_ids), counts, changes, mismatches, failed)

    def lines(self, report_path: str | None = None) -> list[str]:
        """The summary as text lines (empty when no claim was checked)."""
        if not self.counts:
            return []
        where = f"full table in {report_path}" if report_path else "full table: --goenv-report=PATH"
        noun = "toolchain" if len(self.counts) == 1 else "toolchains"
        claims = "claim" if self.claims == 1 else "claims"
        lines = [f"goenv claims: {self.claims} {claims} on {len(self.counts)} {noun} ({where})"]
        width = max(len(name) for name in self.counts)
        for name, tally in self.counts.items():
            lines.append(f"  {name.ljust(width)}  " + " · ".join(f"{label} {n}" for label, n in tally.items()))
        if self.changes:
            lines.append("verdicts that differ between toolchains (oldest to newest):")
            for claim_id, runs in self.changes:
                lines.append(f"  {claim_id}: " + "; ".join(f"{verdict} on {_span(names)}" for verdict, names in runs))
        elif len(self.counts) > 1:
            lines.append("every claim has the same verdict on every toolchain")
        if self.mismatches:
            lines.append("differs from expectation:")
            for name, cell in self.mismatches:
                wanted = cell.expected.value if cell.expected else "nothing for this version"
                lines.append(
                    f"  {cell.claim_id} on {name}: observed {cell.verdict.value}, expected {wanted} "
                    f"({cell.expectation})"
                )
        if self.failed:
            lines.append("experiments that failed (undecided):")
            lines += [f"  {cell.claim_id} on {name}: {_first_line(cell.detail)}" for name, cell in self.failed]
        return lines


def digest_lines(report: ClaimsReport, report_path: str | None = None) -> list[str]:
    """The terminal summary of ``report``: ``Digest.of(report).lines(report_path)``.

    Example: ``digest_lines(ClaimsReport(load_catalogue(), results), "docs/claims.md")``.
    """
    return Digest.of(report).lines(report_path)


def _mismatch(cell: ClaimResult) -> bool:
    """A decided verdict that differs from the expectation (failed experiments are listed apart)."""
    return cell.unexpected and cell.verdict is not Verdict.UNDECIDED


def _claim_ids(report: ClaimsReport) -> list[str]:
    """Catalogued ids in document order, then ids only the results name."""
    ids = list(report.catalogue)
    ids += sorted({result.claim_id for result in report.results} - set(ids))
    return ids


def _span(names: Sequence[str]) -> str:
    """``go1.19.8`` or ``go1.21.13 … go1.23.9 (4)`` for a run of adjacent toolchains."""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}, {names[1]}"
    return f"{names[0]} … {names[-1]} ({len(names)})"


def _first_line(text: str) -> str:
    """The first non-empty line of ``text``, at most 160 characters."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "(no details)")
    return line if len(line) <= 160 else line[:159] + "…"
