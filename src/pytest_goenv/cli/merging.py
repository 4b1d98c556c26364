"""``pytest-goenv merge``: results of several CI jobs joined into what one run would have printed.

JUnit XML files (``pytest --junitxml``, one per job and toolchain) give the matrix summary: the
outcomes per toolchain and the behaviour changes between adjacent versions, as text or, with
``--markdown``, as tables for a CI step summary.  Claims-report JSON files (``--goenv-report``)
give one claims report, written with ``-o`` (Markdown and JSON) and printed with ``--markdown``.
The kind of each file is read from its content.

Example::

    pytest-goenv merge results/junit-*.xml --markdown >> "$GITHUB_STEP_SUMMARY"
    pytest-goenv merge results/claims-*.json -o claims-report.md
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.claims.catalogue import load_catalogue
from pytest_goenv.claims.report import ClaimsReport
from pytest_goenv.cli.junit import read_junit
from pytest_goenv.toolchains.changes import MatrixOutcomes
from pytest_goenv.toolchains.summary import summary_blocks, summary_markdown

__all__ = ["MergeError", "add_merge_command", "run_merge"]


class MergeError(GoenvError, ValueError):
    """Files that cannot be merged (unreadable, of no known kind, or of two kinds at once)."""


def add_merge_command(commands: Any) -> None:
    """Register ``merge``."""
    parser = commands.add_parser(
        "merge", help="merge JUnit XML files of several jobs (matrix summary) or claims-report JSON files"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="pytest --junitxml files, or --goenv-report JSON files")  # fmt: skip
    parser.add_argument("--markdown", action="store_true", help="print Markdown (for a CI step summary)")
    parser.add_argument("-o", "--output", type=Path, metavar="PATH",
                        help="claims reports: write the merged report to PATH.md and PATH.json")  # fmt: skip
    parser.set_defaults(run=run_merge)


def _kind(path: Path) -> str:
    """``junit`` or ``claims``, from the first non-blank character of the file."""
    try:
        with path.open("rb") as handle:
            start = handle.read(512).lstrip()
    except OSError as exc:
        raise MergeError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if start.startswith(b"<"):
        return "junit"
    if start.startswith(b"{"):
        return "claims"
    raise MergeError(f"{path}: neither JUnit XML nor a claims-report JSON file; pass pytest --junitxml files "
                     "or the .json files --goenv-report writes")  # fmt: skip


def run_merge(args: argparse.Namespace) -> int:
    """Merge the files of one kind and print (or write) the result."""
    kinds = {path: _kind(path) for path in args.files}
    if len(set(kinds.values())) > 1:
        junit = [str(path) for path, kind in kinds.items() if kind == "junit"]
        claims = [str(path) for path, kind in kinds.items() if kind == "claims"]
        raise MergeError(f"JUnit XML ({', '.join(junit)}) and claims reports ({', '.join(claims)}) are merged "
                         "separately; run merge once for each kind")  # fmt: skip
    if next(iter(kinds.values())) == "claims":
        return _merge_claims(args)
    if args.output is not None:
        raise MergeError("-o writes claims reports; the JUnit summary is printed (redirect it to a file)")
    outcomes = MatrixOutcomes()
    counted = sum(read_junit(path, outcomes) for path in args.files)
    if counted == 0:
        raise MergeError("no test in these files used a Go toolchain (no go_toolchain property); were they "
                         "written by pytest --junitxml with pytest-goenv installed?")  # fmt: skip
    if args.markdown:
        print(summary_markdown(outcomes), end="")
        return 0
    width = min(shutil.get_terminal_size().columns, 100)
    for block in summary_blocks(outcomes):
        print(_rule("=" if block.major else "-", block.title, width))
        for line in block.lines:
            print(line)
    return 0


def _merge_claims(args: argparse.Namespace) -> int:
    merged = ClaimsReport(load_catalogue())
    for path in args.files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise MergeError(f"{path}: cannot read a claims report: {exc}") from None
        if not isinstance(data, dict) or "claims" not in data:
            raise MergeError(f"{path}: a JSON file without 'claims'; pass the .json files --goenv-report writes")
        report = ClaimsReport.from_json(data, merged.catalogue)
        merged.add(report.results)
        merged.command = merged.command or report.command
    if args.output is None and not args.markdown:
        raise MergeError("claims reports: say where the merged report goes (-o PATH) or print it (--markdown)")
    if args.output is not None:
        for written in merged.write(args.output):  # on stderr when stdout carries the Markdown
            print(f"claims report written to {written}", file=sys.stderr if args.markdown else sys.stdout)
    if args.markdown:
        print(merged.to_markdown(), end="")
    return 0


def _rule(char: str, title: str, width: int) -> str:
    """A separator line with ``title`` in its middle, as pytest's terminal summary draws them."""
    side = max((width - len(title) - 2) // 2, 1)
    line = f"{char * side} {title} {char * side}"
    return line + char * (width - len(line)) if len(line) < width else line
