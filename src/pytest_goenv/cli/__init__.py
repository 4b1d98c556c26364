"""The ``pytest-goenv`` command: toolchain chores for CI steps, sharing the plugin's code and cache.

``pytest-goenv list`` prints what ``pytest --goenv-list`` prints; ``pytest-goenv provision SELECTOR...``
provisions toolchains (``--warm``: and fills each one's shared build cache with the standard
library, so a CI cache step can save both); ``pytest-goenv merge FILE...`` joins JUnit XML files of
several CI jobs into the matrix summary one run would print, or claims-report JSON files into one
claims report.

Example::

    pytest-goenv provision 1.22 latest --warm
    pytest-goenv merge junit-*.xml --markdown >> "$GITHUB_STEP_SUMMARY"
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.cli.merging import add_merge_command
from pytest_goenv.cli.provisioning import add_list_command, add_provision_command

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pytest-goenv`` and its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="pytest-goenv",
        description="Go toolchains for pytest-goenv in CI: list, provision (and warm), merge results of jobs.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_list_command(commands)
    add_provision_command(commands)
    add_merge_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``pytest-goenv ARGS``; the exit status is 0 on success, 1 when a chore failed, 2 on bad usage."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
    except GoenvError as exc:
        sys.stderr.write(f"pytest-goenv {args.command}: {exc}\n")
        return 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
