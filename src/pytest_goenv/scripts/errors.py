"""What can go wrong in a script: a bad line, a failed command, a usage mistake; and skip/stop.

Errors raised while a script runs carry no file or line: the runner adds them
(:class:`ScriptFailed` names both), so a command implementation only says what went wrong.
"""

from __future__ import annotations

from pytest_goenv.base.errors import GoenvError

__all__ = [
    "CommandFailed",
    "ScriptError",
    "ScriptFailed",
    "ScriptSkipped",
    "ScriptStopped",
    "ScriptSyntaxError",
    "UsageError",
]


class ScriptError(GoenvError):
    """Base of the script engine's errors."""


class ScriptSyntaxError(ScriptError, ValueError):
    """A line that cannot be parsed (an unterminated quote, a prefix without a command, ...)."""

    def __init__(self, message: str, *, lineno: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.lineno = lineno


class CommandFailed(ScriptError):
    """A command did not succeed: a program's exit status, no regexp match, a missing file, ...

    ``fatal`` failures fail the script even under ``!`` or ``?`` (an unknown command, a bad
    regexp, a time limit): they say the script is wrong or could not run, not that the
    command's answer was "no".
    """

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal


class UsageError(CommandFailed):
    """A command was called with arguments it does not accept; always fatal."""

    def __init__(self, name: str, synopsis: str, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(f"usage: {name} {synopsis}".rstrip() + extra, fatal=True)


class ScriptSkipped(ScriptError):
    """The script called ``skip`` (or a guard made it skip): not a failure."""


class ScriptStopped(ScriptError):
    """The script called ``stop``: it passes here, without running the rest."""


class ScriptFailed(ScriptError, AssertionError):
    """A script failed at ``file:line``; ``log`` is what it did up to there."""

    def __init__(self, file: str, lineno: int, reason: str, log: str) -> None:
        super().__init__(f"{file}:{lineno}: {reason}")
        self.file = file
        self.lineno = lineno
        self.reason = reason
        self.log = log
