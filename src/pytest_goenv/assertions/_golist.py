"""Running ``go list -json`` and reading the stream of JSON objects it prints.

A listing made with ``-e`` reports a package that cannot be loaded (a misspelt
pattern, a missing import) as an object with an ``Error`` instead of failing, so an
assertion that reads one must check for those (:func:`require_packages`) or it would
judge a package that does not exist.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_goenv.assertions.outcomes import BuildAssertionError
from pytest_goenv.base.excerpt import cut_lines
from pytest_goenv.base.process import run_process
from pytest_goenv.sandbox.result import GoResult

if TYPE_CHECKING:
    from pytest_goenv.sandbox.goenv import GoEnv

__all__ = ["go_list", "go_list_like", "json_objects", "listing_report", "package_errors", "require_packages"]

# The limit for a listing run on behalf of an earlier command (see go_list_like).
_LIST_TIMEOUT = 120.0


def go_list(
    goenv: GoEnv,
    *args: str,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> tuple[GoResult, list[dict[str, Any]]]:
    """The run of ``go list -json ARGS`` and the objects it printed; a failing go command raises
    ``GoCommandError``."""
    __tracebackhide__ = True
    result = goenv.run("list", "-json", *args, cwd=cwd, env=env)
    return result, json_objects(result.stdout)


def go_list_like(result: GoResult, *args: str, chdir: str | None = None) -> tuple[GoResult, list[dict[str, Any]]]:
    """``go list -json ARGS`` with the go binary, environment and cwd of an earlier ``result``
    (and its ``-C`` directory, ``chdir``).

    This lets an assertion that is given only a finished command ask the go command
    about the packages that command built.
    """
    __tracebackhide__ = True
    argv = (result.argv[0], "list", *(("-C", chdir) if chdir else ()), "-json", *args)
    outcome = run_process(argv, cwd=Path(result.cwd), env=result.env, timeout=_LIST_TIMEOUT)
    listed = GoResult(
        argv=argv,
        cwd=result.cwd,
        returncode=outcome.returncode,
        stdout=outcome.stdout,
        stderr=outcome.stderr,
        duration=outcome.duration,
        env=result.env,
        env_diff=result.env_diff,
        timed_out=outcome.timed_out,
        timeout=_LIST_TIMEOUT,
    )
    listed.check()
    return listed, json_objects(listed.stdout)


def json_objects(text: str) -> list[dict[str, Any]]:
    """Decode concatenated JSON objects, the form ``go list -json`` and ``go env -json`` print."""
    __tracebackhide__ = True
    decoder = json.JSONDecoder()
    objects: list[dict[str, Any]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return objects
        value, position = decoder.raw_decode(text, position)
        if isinstance(value, dict):
            objects.append(value)


def package_errors(listed: Sequence[Mapping[str, Any]]) -> list[str]:
    """``import/path: error`` for each package that could not be loaded, and each broken dependency."""
    __tracebackhide__ = True
    problems: dict[str, None] = {}
    for entry in listed:
        path = str(entry.get("ImportPath", "?"))
        errors = [entry.get("Error"), *(entry.get("DepsErrors") or ())]
        for error in errors:
            if not error:
                continue
            text = str(error.get("Err", error)) if isinstance(error, Mapping) else str(error)
            stack = error.get("ImportStack") if isinstance(error, Mapping) else None
            where = f" (imported by {stack[-1]})" if isinstance(stack, list) and stack and stack[-1] != path else ""
            problems[f"{path}{where}: {' '.join(text.split())}"] = None
    return list(problems)


def listing_report(result: GoResult, headline: str) -> str:
    """``result.describe(headline)`` for a ``go list -json`` run, with the JSON it printed left out."""
    __tracebackhide__ = True
    count = len(json_objects(result.stdout)) if result.stdout.strip() else 0
    brief = dataclasses.replace(result, stdout=f"({count} JSON object(s), read by the assertion; not shown)\n")
    return brief.describe(headline)


def require_packages(
    result: GoResult, listed: Sequence[Mapping[str, Any]], patterns: Sequence[str], purpose: str
) -> None:
    """Raise :class:`BuildAssertionError` if ``patterns`` matched no package or a package has an error.

    ``purpose`` completes "cannot <purpose>" in the message, e.g. "judge their staleness".
    """
    __tracebackhide__ = True
    named = " ".join(patterns) or "."
    if not listed:
        raise BuildAssertionError(
            listing_report(result, f"{named} matched no packages, so the go command cannot {purpose}")
        )
    problems = package_errors(listed)
    if problems:
        lines = [f"go list could not load every package of {named}, so it cannot {purpose}:"]
        lines.extend(cut_lines([f"  {problem}" for problem in problems], 20, note="  ... and {cut} more"))
        raise BuildAssertionError(listing_report(result, "\n".join(lines)))
