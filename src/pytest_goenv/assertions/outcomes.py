"""Assertions on a finished command: it succeeded or failed, and printed what it should.

Each failure message starts with what was expected and why it did not hold, then
shows the command, its cwd, the environment that differs from the sandbox defaults
and its output (long output is cut to its head and tail, with a note saying so).
"""

from __future__ import annotations

import re

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.sandbox.result import GoResult

__all__ = [
    "BuildAssertionError",
    "Pattern",
    "assert_failed",
    "assert_succeeded",
    "command_name",
    "outcome",
    "pattern_text",
]

Pattern = str | re.Pattern[str]
"""A regular expression, searched for (``re.search``, multi-line) in a stream of output."""


class BuildAssertionError(GoenvError, AssertionError):
    """A build behaviour a test stated did not hold; the message says what and why."""


def assert_succeeded(
    result: GoResult,
    *,
    stdout: Pattern | None = None,
    stderr: Pattern | None = None,
    output: Pattern | None = None,
    absent: Pattern | None = None,
) -> GoResult:
    """Assert the command exited 0 and each given pattern occurs in its stream.

    ``output`` is searched in stdout followed by stderr (the go command prints
    diagnostics to stderr and results to stdout; use it when either will do);
    ``absent`` must occur in neither (``absent=r"go: downloading"``).
    Returns ``result`` so that a test can go on looking at it.

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param stdout: a string or compiled pattern that must occur in stdout.
    :param stderr: the same for stderr.
    :param output: the same for stdout followed by stderr.
    :param absent: a string or pattern that must occur in neither.

    Example: ``assert_succeeded(goenv.run("run", ".", cwd="hello", check=False), stdout="hello")``.
    """
    __tracebackhide__ = True
    if not result.ok:
        raise BuildAssertionError(
            result.describe(f"expected `{command_name(result)}` to succeed, but {outcome(result)}")
        )
    _check_patterns(result, "succeeded", absent, stdout=stdout, stderr=stderr, output=output)
    return result


def assert_failed(
    result: GoResult,
    *,
    stdout: Pattern | None = None,
    stderr: Pattern | None = None,
    output: Pattern | None = None,
    absent: Pattern | None = None,
    returncode: int | None = None,
) -> GoResult:
    """Assert the command exited non-zero (and not by a timeout) and printed the given patterns.

    The patterns work as for :func:`assert_succeeded`.
    ``returncode`` pins the exit status when it matters (the go command uses 1 for
    build and test failures and 2 for usage errors).

    :param result: a finished command, from :meth:`GoEnv.run` (``check=False`` for one that may fail).
    :param stdout: a string or compiled pattern that must occur in stdout.
    :param stderr: the same for stderr.
    :param output: the same for stdout followed by stderr.
    :param absent: a string or pattern that must occur in neither.
    :param returncode: the exit status it must have.

    Example: ``assert_failed(goenv.run("build", "./...", check=False), stderr="undefined: x", returncode=1)``.
    """
    __tracebackhide__ = True
    if result.timed_out:
        raise BuildAssertionError(result.describe(f"expected `{command_name(result)}` to fail, but {outcome(result)}"))
    if result.returncode == 0:
        raise BuildAssertionError(
            result.describe(f"expected `{command_name(result)}` to fail, but it exited with status 0")
        )
    if returncode is not None and result.returncode != returncode:
        raise BuildAssertionError(
            result.describe(
                f"expected `{command_name(result)}` to fail with status {returncode}, "
                f"but it exited with status {result.returncode}"
            )
        )
    _check_patterns(result, "failed", absent, stdout=stdout, stderr=stderr, output=output)
    return result


def pattern_text(pattern: Pattern) -> str:
    """A pattern as it is shown in a failure message."""
    __tracebackhide__ = True
    return f"/{pattern.pattern if isinstance(pattern, re.Pattern) else pattern}/"


def _check_patterns(result: GoResult, verb: str, absent: Pattern | None, **patterns: Pattern | None) -> None:
    __tracebackhide__ = True
    texts = {"stdout": result.stdout, "stderr": result.stderr, "output": result.output}
    missing = [
        f"{stream} does not match {pattern_text(pattern)}"
        for stream, pattern in patterns.items()
        if pattern is not None and _search(pattern, texts[stream]) is None
    ]
    if absent is not None:
        for stream in ("stdout", "stderr"):
            found = _search(absent, texts[stream])
            if found is not None:
                missing.append(
                    f"{stream} matches {pattern_text(absent)}, which should be absent, "
                    f"at {_line_of(texts[stream], found.start())}"
                )
    if missing:
        raise BuildAssertionError(
            result.describe(f"`{command_name(result)}` {verb} as expected, but its {'; its '.join(missing)}")
        )


def _line_of(text: str, offset: int) -> str:
    """``line N: 'text of that line'`` for the line holding ``offset``."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start:] if end < 0 else text[start:end]
    number = text.count("\n", 0, start) + 1
    return f"line {number}: {line.strip()[:200]!r}"


def _search(pattern: Pattern, text: str) -> re.Match[str] | None:
    if isinstance(pattern, re.Pattern):
        return pattern.search(text)
    return re.search(pattern, text, re.MULTILINE)


def command_name(result: GoResult) -> str:
    """``go build`` or ``go mod tidy``: the program and its first word or two."""
    __tracebackhide__ = True
    words = [part for part in result.argv[1:] if not part.startswith("-")][:1]
    program = result.argv[0].rsplit("/", 1)[-1] if result.argv else "?"
    if words and words[0] in {"mod", "tool", "work"}:
        words = [part for part in result.argv[1:] if not part.startswith("-")][:2]
    return " ".join([program, *words])


def outcome(result: GoResult) -> str:
    """ "it exited with status 1 after 0.20 s" or "it timed out ...": what became of a command."""
    if result.timed_out:
        limit = f" after {result.timeout:g} s" if result.timeout is not None else ""
        return f"it timed out{limit} and its process group was killed"
    return f"it exited with status {result.returncode} after {result.duration:.2f} s"
