"""The matrix summary as text and Markdown: outcomes per toolchain, then the behaviour changes.

One rendering serves the terminal summary of a pytest run and ``pytest-goenv merge`` (which
rebuilds the outcomes from JUnit XML files of several CI jobs), so both print the same thing.

Example::

    for block in summary_blocks(outcomes):
        print(f"== {block.title} ==")
        print("\\n".join(block.lines))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from pytest_goenv.toolchains.changes import OUTCOMES, BehaviourChange, MatrixOutcomes

__all__ = ["SummaryBlock", "summary_blocks", "summary_markdown"]

OUTCOMES_TITLE = "goenv matrix: outcomes per toolchain"


@dataclass(frozen=True)
class SummaryBlock:
    """A titled block of the summary; ``major`` blocks open a section (``=`` rule), others a sub-section."""

    title: str
    lines: list[str]
    major: bool = True


def summary_blocks(outcomes: MatrixOutcomes, where: Mapping[str, str] | None = None) -> list[SummaryBlock]:
    """The summary's blocks; ``where`` adds a note after a toolchain's tally (its source and GOROOT)."""
    tallies = outcomes.tallies()
    order = outcomes.ordered_toolchains()
    lines = []
    for toolchain_id in order:
        suffix = f"  ({where[toolchain_id]})" if where and toolchain_id in where else ""
        lines.append(f"{toolchain_id:<14} {_tally_text(tallies.get(toolchain_id, Counter()))}{suffix}")
    changes = outcomes.changes()
    if not changes:
        if len(order) > 1:
            lines.append("no behaviour changes between adjacent versions")
        return [SummaryBlock(OUTCOMES_TITLE, lines)]
    change_lines = []
    pair: tuple[str, str] | None = None
    for change in _ordered(changes, order):
        if (change.older, change.newer) != pair:
            pair = (change.older, change.newer)
            change_lines.append(f"{change.older} -> {change.newer}:")
        change_lines.append(f"  {change.test}: {change.before} -> {change.after}")
    title = f"goenv matrix: {len(changes)} behaviour change(s) between adjacent versions"
    return [SummaryBlock(OUTCOMES_TITLE, lines), SummaryBlock(title, change_lines, major=False)]


def summary_markdown(outcomes: MatrixOutcomes) -> str:
    """The summary as Markdown tables, for a CI step summary (``$GITHUB_STEP_SUMMARY``)."""
    tallies = outcomes.tallies()
    order = outcomes.ordered_toolchains()
    out = [f"### {OUTCOMES_TITLE}", "", "| toolchain | " + " | ".join(OUTCOMES) + " |",
           "|---|" + "---:|" * len(OUTCOMES)]  # fmt: skip
    for toolchain_id in order:
        counts = tallies.get(toolchain_id, Counter())
        out.append(f"| {toolchain_id} | " + " | ".join(str(counts[name]) for name in OUTCOMES) + " |")
    changes = outcomes.changes()
    out.append("")
    if not changes:
        out.append("No behaviour changes between adjacent versions." if len(order) > 1 else "One toolchain only.")
        return "\n".join(out) + "\n"
    out += [f"### {len(changes)} behaviour change(s) between adjacent versions", "",
            "| test | older | newer | before | after |", "|---|---|---|---|---|"]  # fmt: skip
    for change in _ordered(changes, order):
        test = change.test.replace("|", "\\|")
        out.append(f"| `{test}` | {change.older} | {change.newer} | {change.before} | {change.after} |")
    return "\n".join(out) + "\n"


def _tally_text(counts: Counter[str]) -> str:
    return ", ".join(f"{counts[name]} {name}" for name in OUTCOMES if counts[name]) or "no tests"


def _ordered(changes: list[BehaviourChange], order: list[str]) -> list[BehaviourChange]:
    """Changes grouped by toolchain pair, oldest pair first, tests in name order within a pair."""
    position = {toolchain_id: index for index, toolchain_id in enumerate(order)}
    return sorted(changes, key=lambda c: (position[c.older], position[c.newer], c.test))
