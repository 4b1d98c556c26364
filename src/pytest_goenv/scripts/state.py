"""The state one script runs in: its directories, environment, output buffers, background commands, log.

Commands read and change a :class:`ScriptState`: ``cd`` moves ``pwd``, ``env`` sets variables,
``exec`` and ``go`` fill ``stdout``/``stderr`` for ``stdout``/``stderr``/``cmp`` to check, and
background commands wait in ``background`` until ``wait``.  Variables ``/`` and ``:`` expand to the
path and list separators but are not passed to programs.

Example::

    >>> state = ScriptState(Path("/tmp"), {"HOME": "/no-home"}, deadline=time.monotonic() + 60)
    >>> state.expand("$HOME${/}x")
    '/no-home/x'
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pytest_goenv.scripts.expand import expand

if TYPE_CHECKING:
    from pytest_goenv.scripts.lexer import ScriptLine

__all__ = ["Background", "CommandOutput", "Dialect", "Pending", "ScriptState"]

Dialect = Literal["cmdgo", "testscript"]
"""``cmdgo``: Go's own cmd/go script tests; ``testscript``: go-internal's testscript."""


@dataclass
class CommandOutput:
    """What a finished command left: its output and, if it failed, why."""

    stdout: str = ""
    stderr: str = ""
    error: str | None = None
    fatal: bool = False


class Pending:
    """A command that was started and is waited for later (a program, a sleep)."""

    def wait(self, state: ScriptState) -> CommandOutput:
        """Block until the command ends (or the script's time is up) and return what it left."""
        raise NotImplementedError

    def kill(self, signal_number: int) -> None:
        """Send a signal to the command (its whole process group for a program)."""

    def cancel(self) -> None:
        """Stop the command because the script ended (interrupt, then kill after a grace period)."""


@dataclass
class Background:
    """A command started with ``&`` (or ``&name&``) and not yet waited for."""

    line: ScriptLine
    args: list[str]
    pending: Pending
    name: str | None = None


@dataclass
class ScriptState:
    """Everything one running script can see and change.

    ``workdir`` is ``$WORK``; ``env`` is what programs get; ``deadline`` (``time.monotonic()``)
    bounds every command; ``extras`` holds what a host attaches (the toolchain, the sandbox).
    """

    workdir: Path
    env: dict[str, str]
    deadline: float
    dialect: Dialect = "cmdgo"
    pwd: Path = field(init=False)
    stdout: str = ""
    stderr: str = ""
    stdin: str | None = None
    background: list[Background] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    compared: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    help_text: Callable[[list[str]], str] | None = None

    def __post_init__(self) -> None:
        self.pwd = self.workdir
        self.env.setdefault("PWD", str(self.workdir))

    # -- variables ---------------------------------------------------------------------

    def lookup(self, name: str) -> str | None:
        """A variable's value for expansion (``/`` and ``:`` included; testscript adds ``$``)."""
        if name == "/":
            return os.sep
        if name == ":":
            return os.pathsep
        if name == "$" and self.dialect == "testscript":
            return "$"
        return self.env.get(name)

    def expand(self, text: str, *, regexp: bool = False) -> str:
        """``text`` with this script's variables expanded."""
        return expand(text, self.lookup, regexp=regexp)

    def setenv(self, name: str, value: str) -> None:
        """Set a variable for the rest of the script and the programs it runs."""
        self.env[name] = value

    # -- files -------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        """``name`` relative to the current directory (an absolute name as it is, cleaned)."""
        path = Path(name)
        return Path(os.path.normpath(path if path.is_absolute() else self.pwd / path))

    def chdir(self, name: str) -> None:
        """Change the current directory (``cd``); it must exist."""
        target = self.path(name)
        if not target.is_dir():
            raise NotADirectoryError(f"cd {name}: {target} is not a directory")
        self.pwd = target
        self.env["PWD"] = str(target)

    # -- time and log ------------------------------------------------------------------

    def remaining(self) -> float:
        """Seconds left before the script's time limit (never below zero)."""
        return max(0.0, self.deadline - time.monotonic())

    def logf(self, text: str) -> None:
        """Add ``text`` to the script's log (a newline is added if missing)."""
        self.log.append(text if text.endswith("\n") else text + "\n")

    def log_output(self, output: CommandOutput) -> None:
        """Log a command's stdout and stderr the way Go's engine does."""
        if output.stdout:
            self.logf("[stdout]\n" + output.stdout)
        if output.stderr:
            self.logf("[stderr]\n" + output.stderr)

    def program_env(self) -> dict[str, str]:
        """The environment a program started now gets."""
        return dict(self.env)

    def with_env(self, values: Mapping[str, str]) -> None:
        """Set several variables at once."""
        self.env.update(values)
