"""Run a built Go program with runtime settings, and assert on what the runtime printed.

:func:`run_program` sets GODEBUG, GOTRACEBACK, GOMAXPROCS and GOMEMLIMIT for one run; the
``assert_*`` helpers parse its stderr (:mod:`pytest_goenv.readers.gotrace`) into panics, fatal errors,
gctrace and schedtrace records and fail with the parsed evidence next to the raw output.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from pytest_goenv.assertions.outcomes import BuildAssertionError, Pattern, command_name, outcome, pattern_text
from pytest_goenv.readers.gotrace import (
    Frame,
    GCRecord,
    Goroutine,
    SchedRecord,
    Traceback,
    parse_gctrace,
    parse_inittrace,
    parse_schedtrace,
    parse_traceback,
)
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

__all__ = [
    "Frame",
    "GCRecord",
    "Goroutine",
    "RuntimeAssertionError",
    "SchedRecord",
    "Traceback",
    "assert_fatal_error",
    "assert_gctrace",
    "assert_panicked",
    "assert_schedtrace",
    "godebug_value",
    "parse_gctrace",
    "parse_inittrace",
    "parse_schedtrace",
    "parse_traceback",
    "run_program",
]

GOTRACEBACK_LEVELS = ("none", "single", "all", "system", "crash", "wer")
_GOMEMLIMIT_RE = re.compile(r"^(off|\d+(B|KiB|MiB|GiB|TiB)?)$")


class RuntimeAssertionError(BuildAssertionError):
    """A program's run did not show the runtime behaviour the test expected."""


def godebug_value(settings: Mapping[str, str | int | bool] | str) -> str:
    """``{"gctrace": 1, "schedtrace": 100}`` as ``gctrace=1,schedtrace=100`` (a string is kept).

    :param settings: GODEBUG settings as a mapping (True is 1, False is 0) or a ready string.

    Example: ``godebug_value({"gctrace": 1, "madvdontneed": True}) == "gctrace=1,madvdontneed=1"``.
    """
    __tracebackhide__ = True
    if isinstance(settings, str):
        return settings
    parts = []
    for key, value in settings.items():
        if not key or "=" in key or "," in key:
            raise ValueError(f"invalid GODEBUG setting name {key!r}: names have no '=' or ','")
        text = str(int(value)) if isinstance(value, bool) else str(value)
        if "," in text:
            raise ValueError(f"GODEBUG {key}={text!r}: values cannot contain ','")
        parts.append(f"{key}={text}")
    return ",".join(parts)


def run_program(
    goenv: GoEnv,
    program: str | os.PathLike[str],
    *args: str | os.PathLike[str],
    godebug: Mapping[str, str | int | bool] | str | None = None,
    gotraceback: str | None = None,
    gomaxprocs: int | None = None,
    gomemlimit: str | int | None = None,
    gogc: str | int | None = None,
    env: Mapping[str, str | None] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    stdin: str | None = None,
) -> GoResult:
    """Run a built program in the sandbox with the given runtime settings; never raises on failure.

    ``gomemlimit`` takes the runtime's syntax (``"64MiB"``, ``"off"``) or a number of bytes.  A
    GODEBUG already in ``env`` comes first, so the settings given here win.  Check the outcome
    with ``assert_succeeded``/``assert_panicked`` or parse ``result.stderr`` with :mod:`pytest_goenv.readers.gotrace`.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param program: the built program (relative to the work directory, or absolute).
    :param args: its arguments.
    :param godebug: GODEBUG settings (see :func:`godebug_value`).
    :param gotraceback: GOTRACEBACK (``none``, ``single``, ``all``, ``system``, ``crash``).
    :param gomaxprocs: GOMAXPROCS
    :param gomemlimit: GOMEMLIMIT
    :param gogc: GOGC (``"off"`` or a percentage).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param timeout: seconds before the program and its children are killed (default: the sandbox's).
    :param stdin: text given on standard input.

    Example: ``run_program(goenv, "bin/alloc", godebug={"gctrace": 1}, gomaxprocs=2)``.
    """
    __tracebackhide__ = True
    extra: dict[str, str | None] = dict(env or {})
    if godebug is not None:
        value = godebug_value(godebug)
        extra["GODEBUG"] = ",".join(v for v in (extra.get("GODEBUG"), value) if v)
    if gotraceback is not None:
        if gotraceback not in GOTRACEBACK_LEVELS and not gotraceback.isdigit():
            raise ValueError(f"GOTRACEBACK={gotraceback!r} is not one of {', '.join(GOTRACEBACK_LEVELS)} or a number")
        extra["GOTRACEBACK"] = gotraceback
    if gomaxprocs is not None:
        if gomaxprocs < 1:
            raise ValueError(f"GOMAXPROCS must be at least 1, got {gomaxprocs}")
        extra["GOMAXPROCS"] = str(gomaxprocs)
    if gomemlimit is not None:
        limit = str(gomemlimit)
        if not _GOMEMLIMIT_RE.match(limit):
            raise ValueError(f"GOMEMLIMIT={limit!r}: use bytes or a unit suffix B, KiB, MiB, GiB, TiB (or 'off')")
        extra["GOMEMLIMIT"] = limit
    if gogc is not None:
        extra["GOGC"] = str(gogc)
    return goenv.exec(program, *args, env=extra, cwd=cwd, check=False, timeout=timeout, stdin=stdin)


def _traceback_or_fail(result: GoResult, expected: str) -> Traceback:
    __tracebackhide__ = True
    if result.timed_out:
        raise RuntimeAssertionError(
            result.describe(f"expected `{command_name(result)}` to {expected}, but it timed out")
        )
    # A program prints its crash to stderr; `go test` relays the test binary's to stdout.
    traceback = parse_traceback(result.stderr) or parse_traceback(result.stdout)
    if traceback is None:
        status = "exited with status 0" if result.ok else f"exited with status {result.returncode}"
        raise RuntimeAssertionError(
            result.describe(f"expected `{command_name(result)}` to {expected}, but it {status} without a traceback")
        )
    return traceback


def _mismatch(result: GoResult, headline: str, traceback: Traceback) -> RuntimeAssertionError:
    return RuntimeAssertionError(result.describe(f"{headline}\nparsed traceback:\n" + _indent(traceback.summary())))


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _matches(pattern: Pattern, text: str) -> bool:
    return re.search(pattern, text, re.MULTILINE) is not None


def assert_panicked(
    result: GoResult,
    message: Pattern | None = None,
    *,
    function: str | None = None,
    signal: Pattern | None = None,
    goroutines: int | None = None,
) -> Traceback:
    """Assert the program died of a panic; returns the parsed :class:`Traceback`.

    Works on ``run_program``, ``go run`` and ``go test`` results (the latter prints to stdout).

    ``message`` is searched in the first panic's value; ``function`` must be one of the frames of the
    goroutine that panicked (``"main.(*T).Get"``); ``signal`` is searched in the ``[signal ...]``
    line; ``goroutines`` is the least number of goroutines printed (see GOTRACEBACK).

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param message: a string or pattern searched in the panic value.
    :param function: a frame (``"main.(*T).Get"``) of the goroutine that panicked.
    :param signal: a string or pattern searched in the ``[signal ...]`` line.
    :param goroutines: the least number of goroutines printed.

    Example: ``assert_panicked(run_program(goenv, "bin/crash"), "index out of range", function="main.main")``.
    """
    __tracebackhide__ = True
    return _assert_crash(result, "panic", message, function=function, signal=signal, goroutines=goroutines)


def assert_fatal_error(
    result: GoResult,
    message: Pattern | None = None,
    *,
    function: str | None = None,
    goroutines: int | None = None,
) -> Traceback:
    """Assert the runtime threw a ``fatal error:`` (deadlock, stack overflow, concurrent map writes).

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param message: a string or pattern searched in the ``fatal error:`` line.
    :param function: a frame of the goroutine that threw.
    :param goroutines: the least number of goroutines printed.

    Example: ``assert_fatal_error(run_program(goenv, "bin/deadlock"), "all goroutines are asleep")``.
    """
    __tracebackhide__ = True
    return _assert_crash(result, "fatal error", message, function=function, signal=None, goroutines=goroutines)


def _assert_crash(
    result: GoResult,
    kind: str,
    message: Pattern | None,
    *,
    function: str | None,
    signal: Pattern | None,
    goroutines: int | None,
) -> Traceback:
    __tracebackhide__ = True
    expected = "panic" if kind == "panic" else "die of a fatal error"
    traceback = _traceback_or_fail(result, expected)
    name = command_name(result)
    if traceback.kind != kind:
        raise _mismatch(result, f"expected `{name}` to {expected}, but it died of a {traceback.kind}", traceback)
    if message is not None and not _matches(message, traceback.message):
        raise _mismatch(
            result,
            f"expected `{name}` to {expected} with a message matching {pattern_text(message)}, "
            f"but the {kind} was {traceback.message!r}",
            traceback,
        )
    _check_traceback(result, traceback, function=function, signal=signal, goroutines=goroutines)
    return traceback


def _check_traceback(
    result: GoResult,
    traceback: Traceback,
    *,
    function: str | None,
    signal: Pattern | None,
    goroutines: int | None,
) -> None:
    __tracebackhide__ = True
    crashed = traceback.crashed
    if function is not None:
        functions = crashed.functions if crashed else ()
        if function not in functions:
            where = f"goroutine {crashed.id}" if crashed else "the traceback (no goroutine printed)"
            raise _mismatch(result, f"expected {function} among the frames of {where}", traceback)
    if signal is not None and (traceback.signal is None or not _matches(signal, traceback.signal)):
        raise _mismatch(
            result, f"expected signal matching {pattern_text(signal)}, got {traceback.signal or 'no signal'}", traceback
        )
    if goroutines is not None and len(traceback.goroutines) < goroutines:
        raise _mismatch(
            result,
            f"expected at least {goroutines} goroutines in the traceback, got {len(traceback.goroutines)} "
            "(GOTRACEBACK=all prints every user goroutine, system adds the runtime's)",
            traceback,
        )


def _require_finished(result: GoResult, trace: str) -> None:
    """A trace is judged only for a run that exited 0: a crash or timeout cuts it short, unseen."""
    __tracebackhide__ = True
    if not result.ok:
        raise RuntimeAssertionError(
            result.describe(
                f"expected `{command_name(result)}` to run to the end and print its {trace}, "
                f"but {outcome(result)} (check a crash with assert_panicked or assert_fatal_error)"
            )
        )


def assert_gctrace(
    result: GoResult,
    *,
    min_cycles: int = 1,
    forced: int | None = None,
    max_heap_goal_mb: int | None = None,
    procs: int | None = None,
) -> list[GCRecord]:
    """Assert the run exited 0 and printed gctrace lines (run it with ``godebug={"gctrace": 1}``); returns them.

    ``forced``: at least this many cycles were forced by ``runtime.GC()``; ``max_heap_goal_mb``:
    no cycle aimed above this heap size (a GOGC effect; GOMEMLIMIT is a soft limit that the heap
    may overshoot when GC would use too much CPU); ``procs``: every cycle ran with this many Ps.

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param min_cycles: the least number of GC cycles reported.
    :param forced: the least number of cycles forced by ``runtime.GC()``.
    :param max_heap_goal_mb: the largest heap goal, in MB, any cycle may have.
    :param procs: the number of Ps every cycle must report.

    Example: ``assert_gctrace(run_program(goenv, "bin/alloc", godebug={"gctrace": 1}, gogc=50), forced=1)``.
    """
    __tracebackhide__ = True
    _require_finished(result, "gctrace")
    records = parse_gctrace(result.output)
    name = command_name(result)
    problems = []
    if len(records) < min_cycles:
        hint = "" if "gctrace" in result.env.get("GODEBUG", "") else " (GODEBUG has no gctrace=1)"
        problems.append(f"expected at least {min_cycles} GC cycles, got {len(records)}{hint}")
    if forced is not None and sum(r.forced for r in records) < forced:
        problems.append(f"expected at least {forced} forced cycles, got {sum(r.forced for r in records)}")
    if max_heap_goal_mb is not None:
        over = [r for r in records if r.heap_goal_mb > max_heap_goal_mb]
        if over:
            problems.append(
                f"expected heap goals <= {max_heap_goal_mb} MB, but cycle {over[0].number} aimed at "
                f"{over[0].heap_goal_mb} MB ({len(over)} cycles over)"
            )
    if procs is not None:
        other = sorted({r.procs for r in records if r.procs != procs})
        if other:
            problems.append(f"expected every cycle to use {procs} P, saw {other}")
    if problems:
        raise RuntimeAssertionError(result.describe(f"`{name}` gctrace: " + "; ".join(problems)))
    return records


def assert_schedtrace(
    result: GoResult,
    *,
    min_records: int = 1,
    gomaxprocs: int | None = None,
) -> list[SchedRecord]:
    """Assert the run exited 0 and printed scheduler traces (``godebug={"schedtrace": 100}``); returns them.

    ``gomaxprocs``: every SCHED line reports this many Ps.

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param min_records: the least number of SCHED lines.
    :param gomaxprocs: the number of Ps every SCHED line must report.

    Example::

        assert_schedtrace(run_program(goenv, "bin/spin", godebug={"schedtrace": 100}, gomaxprocs=2), gomaxprocs=2)
    """
    __tracebackhide__ = True
    _require_finished(result, "schedtrace")
    records = parse_schedtrace(result.output)
    name = command_name(result)
    if len(records) < min_records:
        hint = "" if "schedtrace" in result.env.get("GODEBUG", "") else " (GODEBUG has no schedtrace=N)"
        raise RuntimeAssertionError(
            result.describe(
                f"`{name}` schedtrace: expected at least {min_records} SCHED lines, got {len(records)}{hint}"
            )
        )
    if gomaxprocs is not None:
        other = [r for r in records if r.gomaxprocs != gomaxprocs]
        if other:
            raise RuntimeAssertionError(
                result.describe(
                    f"`{name}` schedtrace: expected gomaxprocs={gomaxprocs} in every SCHED line, "
                    f"got {other[0].gomaxprocs} at {other[0].at_ms}ms: {other[0].line}"
                )
            )
    return records
