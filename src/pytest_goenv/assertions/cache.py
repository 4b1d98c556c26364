"""The build cache: did a build or test reuse cached results, or do the work again?

Three observations, each from the go command itself:

- ``go build -x`` (also ``install``, ``test``, ``vet``) prints every action it runs;
  a package whose compile action is missing was taken from the cache
  (:func:`build_actions`).  Linking is reported but not judged: whether a command
  is linked again depends on the output file already there, not on the cache.
- ``go test`` prints ``(cached)`` for a package whose result was replayed
  (:func:`go_test_outcomes`); failures are never cached.
- ``go list`` reports ``Stale`` and ``StaleReason``: whether a build *would* compile
  again, without building (:func:`stale_packages`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_goenv.assertions._golist import go_list, go_list_like, listing_report, require_packages
from pytest_goenv.assertions.outcomes import BuildAssertionError, command_name, pattern_text
from pytest_goenv.assertions.outcomes import outcome as run_outcome
from pytest_goenv.base.excerpt import cut_lines
from pytest_goenv.readers.buildlog import BuildActions, PackageAction, parse_build_args, parse_build_log
from pytest_goenv.readers.testlog import GoTestOutcome, TestStatus, parse_test_summaries
from pytest_goenv.sandbox.result import GoResult

if TYPE_CHECKING:
    from pytest_goenv.sandbox.goenv import GoEnv

__all__ = [
    "BuildActions",
    "GoTestOutcome",
    "PackageAction",
    "TestStatus",
    "assert_cache_hit",
    "assert_cache_miss",
    "assert_stale",
    "assert_test_cached",
    "assert_test_ran",
    "assert_up_to_date",
    "build_actions",
    "go_test_outcomes",
    "stale_packages",
]

# `go list` calls a command whose compiled form is in the cache "stale" only because it is
# not installed in GOBIN; a build would not compile it again.
_CACHED_COMMAND = "not installed but available in build cache"
# The summary of a package whose test binary could not be built or set up.
_NOT_RUN = re.compile(r"\[(build|setup) failed\]")


def build_actions(result: GoResult) -> BuildActions:
    """Read the actions from the ``-x`` trace of a ``go build``/``install``/``test``/``vet`` run.

    Raises ``ValueError`` if the command was run without ``-x`` (there is nothing to read).

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).

    Example: ``build_actions(goenv.run("build", "-x", "./...")).compiled`` is empty when everything came from the cache.
    """
    __tracebackhide__ = True
    if not _traced(result):
        raise ValueError(
            f"`{result.command}` was run without -x, so it printed no actions; "
            "run it as e.g. goenv.run('build', '-x', ...)"
        )
    return parse_build_log(result.stderr, result.cwd)


def _traced(result: GoResult) -> bool:
    goflags = result.env.get("GOFLAGS", "").split()
    return "-x" in result.argv[1:] or "-x" in goflags


def go_test_outcomes(result: GoResult) -> dict[str, GoTestOutcome]:
    """Each package's summary line (``ok``, ``FAIL`` or ``?``) from ``go test`` output, plain or ``-json``.

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).

    Example: ``go_test_outcomes(goenv.run("test", "./...", cwd="c"))["example.com/c/lib"].cached``.
    """
    __tracebackhide__ = True
    return parse_test_summaries(result.stdout)


def stale_packages(
    goenv: GoEnv,
    *patterns: str,
    deps: bool = False,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """The packages a build of ``patterns`` would compile again, with the go command's reason.

    With ``deps`` their dependencies are included.  A command counts as up to date
    when its compiled form is in the cache, even though ``go list`` calls it stale
    because it is not installed.  Patterns that match no package, or a package that
    cannot be loaded, raise :class:`BuildAssertionError`: there is nothing to judge.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param patterns: package patterns as for ``go list`` (default ``.``).
    :param deps: include the dependencies of the matched packages.
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example: ``stale_packages(goenv, "./...", cwd="c")`` is ``{}`` right after a build.
    """
    __tracebackhide__ = True
    _result, listed = _staleness(goenv, patterns, deps=deps, cwd=cwd, env=env)
    return _stale_of(listed)


def _staleness(
    goenv: GoEnv,
    patterns: tuple[str, ...],
    *,
    deps: bool,
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str | None] | None,
) -> tuple[GoResult, list[dict[str, Any]]]:
    __tracebackhide__ = True
    args = ["-e", *(["-deps"] if deps else []), *(patterns or (".",))]
    result, listed = go_list(goenv, *args, cwd=cwd, env=env)
    require_packages(result, listed, patterns, "say whether a build would compile them")
    return result, listed


def _stale_of(listed: list[dict[str, Any]]) -> dict[str, str]:
    stale: dict[str, str] = {}
    for entry in listed:
        reason = str(entry.get("StaleReason", ""))
        if entry.get("Stale") and reason != _CACHED_COMMAND:
            stale[str(entry.get("ImportPath", "?"))] = reason or "stale"
    return stale


# -- assertions --------------------------------------------------------------------------


def assert_cache_hit(result: GoResult, *packages: str) -> BuildActions:
    """Assert a traced (``-x``), successful build compiled none of ``packages`` (none at all if none are named).

    Packages are import paths or directories (relative to the command's cwd); each
    must be part of the build (``go list -deps`` of the command's packages), so a
    misspelt name fails instead of counting as cached.

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param packages: import paths or directories that must not have been compiled.

    Example::

        goenv.run("build", "./...", cwd="c")
        assert_cache_hit(goenv.run("build", "-x", "./...", cwd="c"), "example.com/c/lib")
    """
    __tracebackhide__ = True
    actions = _successful_build(result, "take packages from the build cache")
    if packages:
        compiled = [package for package in packages if actions.compiled_package(package, result.cwd)]
    else:
        compiled = list(actions.packages)
    if compiled:
        what = ", ".join(packages) if packages else "every package"
        raise BuildAssertionError(
            _report(
                result,
                actions,
                f"expected `{command_name(result)}` to take {what} from the build cache, "
                f"but it compiled {', '.join(compiled)}",
            )
        )
    _require_in_build(result, actions, packages)
    return actions


def assert_cache_miss(result: GoResult, *packages: str) -> BuildActions:
    """Assert a traced (``-x``), successful build compiled each of ``packages`` (something, if none are named).

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param packages: import paths or directories that must have been compiled.

    Example: after editing ``c/lib/lib.go``, ``assert_cache_miss(goenv.run("build", "-x", "./...", cwd="c"), "./lib")``.
    """
    __tracebackhide__ = True
    actions = _successful_build(result, "compile packages")
    if packages:
        cached = [package for package in packages if not actions.compiled_package(package, result.cwd)]
    else:
        cached = [] if actions.compiled else ["every package"]
    if cached:
        _require_in_build(result, actions, [package for package in cached if package != "every package"])
        raise BuildAssertionError(
            _report(
                result,
                actions,
                f"expected `{command_name(result)}` to compile {', '.join(cached)}, but the build cache supplied it",
            )
        )
    return actions


def _successful_build(result: GoResult, expected: str) -> BuildActions:
    """The actions of ``result``, which must have succeeded: a failed build says nothing about the cache."""
    __tracebackhide__ = True
    actions = build_actions(result)
    if not result.ok:
        raise BuildAssertionError(
            _report(
                result,
                actions,
                f"expected `{command_name(result)}` to {expected}, but {run_outcome(result)}; "
                "a failed build says nothing about the build cache",
            )
        )
    return actions


def _require_in_build(result: GoResult, actions: BuildActions, packages: Iterable[str]) -> None:
    """Fail unless each of ``packages`` is among the packages the command built (``go list -deps``)."""
    __tracebackhide__ = True
    wanted = [package for package in packages if not actions.compiled_package(package, result.cwd)]
    if not wanted:
        return
    build = parse_build_args(result.argv)
    if build is None:  # not a build command: each named package must at least exist
        listing, listed = go_list_like(result, "-e", *wanted)
    else:
        test = ["-test"] if build.command == "test" else []
        listing, listed = go_list_like(
            result, "-e", "-deps", *test, *build.graph_flags, *build.packages, chdir=build.chdir
        )
    members = [
        PackageAction(str(entry.get("ImportPath", "?")).split(" [")[0], Path(str(entry.get("Dir", ""))))
        for entry in listed
        if not entry.get("Error") and entry.get("Dir")
    ]
    base = result.cwd / build.chdir if build is not None and build.chdir else result.cwd
    graph = BuildActions(tuple(members), (), ())
    absent = [package for package in wanted if not graph.compiled_package(package, base)]
    if absent:
        roots = " ".join(build.packages) or "." if build is not None else " ".join(wanted)
        raise BuildAssertionError(
            listing_report(
                listing,
                f"{', '.join(absent)} is not among the {len(members)} packages `{command_name(result)}` built "
                f"({roots} and their dependencies), so whether it came from the build cache cannot be judged; "
                "name an import path or directory the command built",
            )
        )


def assert_up_to_date(
    goenv: GoEnv,
    *patterns: str,
    deps: bool = True,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> None:
    """Assert a build of ``patterns`` (and, by default, their dependencies) would compile nothing.

    The patterns must match packages that load without errors.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param patterns: package patterns as for ``go list`` (default ``.``).
    :param deps: judge the dependencies too (the default).
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example: ``assert_up_to_date(goenv, "./...", cwd="c")`` after ``goenv.run("install", "./...", cwd="c")``.
    """
    __tracebackhide__ = True
    result, listed = _staleness(goenv, patterns, deps=deps, cwd=cwd, env=env)
    stale = _stale_of(listed)
    if stale:
        lines = [
            f"expected {' '.join(patterns) or '.'} to be up to date in the build cache "
            f"({goenv.gocache}), but a build would compile {len(stale)} package(s):"
        ]
        lines.extend(f"  {package}: {reason}" for package, reason in sorted(stale.items()))
        raise BuildAssertionError(listing_report(result, "\n".join(_cut(lines))))


def assert_stale(
    goenv: GoEnv,
    *patterns: str,
    reason: str | re.Pattern[str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Assert a build would compile each package of ``patterns`` again, for a reason matching ``reason``.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param patterns: package patterns as for ``go list`` (default ``.``).
    :param reason: a string or compiled pattern searched in each ``StaleReason``.
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example: ``assert_stale(goenv, "./lib", reason="stale dependency", cwd="c")``; returns the reasons.
    """
    __tracebackhide__ = True
    result, listed = _staleness(goenv, patterns, deps=False, cwd=cwd, env=env)
    problems: list[str] = []
    stale: dict[str, str] = {}
    for entry in listed:
        path = str(entry.get("ImportPath", "?"))
        why = str(entry.get("StaleReason", ""))
        if not entry.get("Stale") or why == _CACHED_COMMAND:
            problems.append(f"  {path}: up to date (the build cache has it)")
        elif reason is not None and not re.search(reason, why):
            problems.append(f"  {path}: stale, but because {why!r}, which does not match {pattern_text(reason)}")
        else:
            stale[path] = why
    if problems:
        head = f"expected a build of {' '.join(patterns) or '.'} to compile again, but:"
        raise BuildAssertionError(listing_report(result, "\n".join(_cut([head, *problems]))))
    return stale


def assert_test_cached(result: GoResult, *packages: str) -> dict[str, GoTestOutcome]:
    """Assert ``go test`` replayed the result of each package (every tested package if none are named).

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param packages: import paths whose results must be ``(cached)``.

    Example: ``assert_test_cached(goenv.run("test", "./...", cwd="c"), "example.com/c/lib")`` on a second run.
    """
    __tracebackhide__ = True
    return _check_tests(result, packages, want_cached=True)


def assert_test_ran(result: GoResult, *packages: str) -> dict[str, GoTestOutcome]:
    """Assert ``go test`` ran the tests of each package instead of replaying a cached result.

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param packages: import paths whose tests must have run.

    Example: ``assert_test_ran(goenv.run("test", "-count=1", "./...", cwd="c"))``.
    """
    __tracebackhide__ = True
    return _check_tests(result, packages, want_cached=False)


def _check_tests(result: GoResult, packages: Iterable[str], *, want_cached: bool) -> dict[str, GoTestOutcome]:
    __tracebackhide__ = True
    outcomes = go_test_outcomes(result)
    tested = {name: outcome for name, outcome in outcomes.items() if outcome.status != "no test files"}
    names = list(packages) or list(tested)
    if not names:
        raise BuildAssertionError(result.describe(f"`{command_name(result)}` printed no test results to judge"))
    wrong: list[str] = []
    for name in names:
        outcome = outcomes.get(name)
        if outcome is None:
            wrong.append(f"{name}: no summary line (tested: {', '.join(outcomes) or 'none'})")
        elif _NOT_RUN.search(outcome.line):
            wrong.append(f"{outcome.line.strip()} (its tests never ran)")
        elif outcome.cached != want_cached:
            wrong.append(outcome.line.strip())
    if wrong:
        expected = "replay cached results" if want_cached else "run the tests (not replay a cached result)"
        raise BuildAssertionError(
            result.describe(
                f"expected `{command_name(result)}` to {expected} for {', '.join(names)}, but:\n  " + "\n  ".join(wrong)
            )
        )
    return {name: outcomes[name] for name in names}


def _report(result: GoResult, actions: BuildActions, headline: str) -> str:
    lines = [headline, f"  compiled ({len(actions.compiled)}):"]
    lines.extend(f"    {package}" for package in actions.packages)
    if not actions.compiled:
        lines.append("    (nothing)")
    lines.append(f"  linked: {', '.join(actions.linked) or '(nothing)'}")
    gocache = result.env.get("GOCACHE")
    if gocache:
        lines.append(f"  GOCACHE: {gocache}")
    return result.describe("\n".join(_cut(lines)))


def _cut(lines: list[str], keep: int = 40) -> list[str]:
    return cut_lines(lines, keep, note="  ... and {cut} more")
