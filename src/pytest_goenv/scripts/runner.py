"""Running a script: each line in turn, its guards, its expected status, background commands, the log.

:class:`ScriptEngine` holds a command table and a condition table; :meth:`ScriptEngine.run`
executes a script's text in a :class:`ScriptState` and returns a :class:`ScriptResult` (passed,
skipped or failed, with the log and, on failure, the file, line and reason).  A command's failure
is what ``!`` expects and ``?`` tolerates; an unknown command or condition, a syntax error, a bad
regexp or the time limit fail the script whatever the prefix.  Background commands still running
when the script ends are interrupted, then killed with their process group.

Example::

    engine = ScriptEngine(default_commands("testscript"), default_conditions(facts))
    result = engine.run(state, "exec echo hi\\nstdout hi\\n", file="hi.txtar")
    assert result.status == "passed", result.report()
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from pytest_goenv.sandbox.result import excerpt
from pytest_goenv.scripts.commands import CommandTable, ScriptCommand
from pytest_goenv.scripts.conditions import ConditionTable, evaluate
from pytest_goenv.scripts.errors import CommandFailed, ScriptSkipped, ScriptStopped, ScriptSyntaxError
from pytest_goenv.scripts.lexer import ScriptLine, Section, parse_script
from pytest_goenv.scripts.state import Background, CommandOutput, Pending, ScriptState

__all__ = ["ScriptEngine", "ScriptResult", "Status", "finish_background", "quote_args"]

Status = Literal["passed", "failed", "skipped"]

_MAX_LOGGED_LINES = 200


@dataclass
class ScriptResult:
    """How a script ended: ``status``, the ``log``, and for a failure or skip where and why."""

    status: Status
    file: str
    log: str
    reason: str = ""
    lineno: int | None = None
    line: str = ""
    duration: float = 0.0
    compared: dict[str, str] = field(default_factory=dict)
    updated: list[str] = field(default_factory=list)

    def report(self) -> str:
        """The log followed by the verdict, as a failure report shows it."""
        where = f"{self.file}:{self.lineno}" if self.lineno is not None else self.file
        verdict = {"passed": "PASS", "skipped": "SKIP", "failed": "FAIL"}[self.status]
        tail = f"{verdict}: {where}: {self.reason}" if self.reason else f"{verdict}: {where}"
        return f"{self.log.rstrip()}\n{tail}" if self.log.strip() else tail


def quote_args(args: list[str]) -> str:
    """Arguments quoted so that the lexer would read them back as the same words."""
    quoted = []
    for arg in args:
        if not arg or any(char in arg for char in "&'$ \t\r\n#"):
            quoted.append("'" + arg.replace("'", "''") + "'")
        else:
            quoted.append(arg)
    return " ".join(quoted)


class _LineFailed(Exception):
    """The current line failed: the script ends here with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_status(line: ScriptLine, error: str | None, fatal: bool) -> str | None:
    """Why ``line`` fails given its command's ``error`` (None: it is as expected)."""
    if error is None:
        return "unexpected success (the line starts with !)" if line.want == "failure" else None
    if fatal or line.want == "success":
        return error
    return None


def _logged(output: CommandOutput) -> CommandOutput:
    return CommandOutput(
        excerpt(output.stdout, _MAX_LOGGED_LINES) + "\n" if output.stdout else "",
        excerpt(output.stderr, _MAX_LOGGED_LINES) + "\n" if output.stderr else "",
    )


def finish_background(state: ScriptState, chosen: list[Background]) -> None:
    """Wait for ``chosen`` background commands, log them, and fail if any ended other than expected."""
    stdouts: list[str] = []
    stderrs: list[str] = []
    failures: list[str] = []
    for bg in chosen:
        output = bg.pending.wait(state)
        state.logf(f"[background] {bg.line.name} {quote_args(bg.args)}".rstrip())
        state.log_output(_logged(output))
        stdouts.append(output.stdout)
        stderrs.append(output.stderr)
        if output.error:
            state.logf(f"[{output.error}]")
        reason = _check_status(bg.line, output.error, output.fatal)
        if reason is not None:
            failures.append(f"line {bg.line.lineno} ({bg.line.text.strip()}): {reason}")
    state.stdout, state.stderr = "".join(stdouts), "".join(stderrs)
    if failures:
        raise CommandFailed("background command failed: " + "\n".join(failures), fatal=True)


class ScriptEngine:
    """Runs scripts with a command table and a condition table (shared by any number of scripts)."""

    def __init__(self, commands: CommandTable, conditions: ConditionTable) -> None:
        self.commands = commands
        self.conditions = conditions

    def help_text(self, names: list[str]) -> str:
        """The usage of the named commands and ``[conditions]`` (all of them if none are named)."""
        wanted_conds = [name[1:-1] for name in names if name.startswith("[") and name.endswith("]")]
        wanted_cmds = [name for name in names if not name.startswith("[")]
        lines: list[str] = []
        if wanted_conds or not names:
            lines.append("conditions:")
            for name in wanted_conds or self.conditions.names():
                condition = self.conditions.get(name.partition(":")[0])
                if condition is not None:
                    shown = f"[{name}:*]" if condition.prefix and ":" not in name else f"[{name}]"
                    lines.append(f"{shown}\n\t{condition.summary}")
        if wanted_cmds or not names:
            lines.append("commands:")
            for name in wanted_cmds or self.commands.names():
                command = self.commands.get(name)
                if command is not None:
                    lines.append(
                        f"{name} {command.synopsis}{' [&]' if command.background else ''}\n\t{command.summary}"
                    )
        return "\n".join(lines) + "\n"

    def run(self, state: ScriptState, script: str, *, file: str, first_line: int = 1) -> ScriptResult:
        """Execute ``script`` (the archive's comment) in ``state``; never raises for a script's own failure."""
        start = time.monotonic()
        state.help_text = self.help_text
        current: ScriptLine | Section | ScriptSyntaxError | None = None
        status: Status = "passed"
        reason = ""
        try:
            for current in parse_script(script, first_line=first_line):
                if isinstance(current, Section):
                    state.logf(current.text)
                    continue
                if isinstance(current, ScriptSyntaxError):
                    state.logf(f"> {script.split(chr(10))[(current.lineno or first_line) - first_line]}")
                    raise _LineFailed(f"syntax error: {current.message}")
                self._run_line(state, current)
            self._end_background(state)
        except ScriptSkipped as exc:
            status, reason = "skipped", str(exc)
            self._cancel_background(state)
        except ScriptStopped as exc:
            state.logf(str(exc))
            self._cancel_background(state)
        except _LineFailed as exc:
            status, reason = "failed", exc.reason
            self._cancel_background(state)
        lineno = current.lineno if isinstance(current, ScriptLine | Section | ScriptSyntaxError) else None
        line = current.text if isinstance(current, ScriptLine | Section) else ""
        return ScriptResult(
            status=status,
            file=file,
            log="".join(state.log),
            reason=reason,
            lineno=lineno if status != "passed" else None,
            line=line if status != "passed" else "",
            duration=time.monotonic() - start,
            compared=dict(state.compared),
        )

    def _run_line(self, state: ScriptState, line: ScriptLine) -> None:
        state.logf(f"> {line.text.strip()}")
        if state.remaining() <= 0:
            raise _LineFailed(f"the script's time limit ran out before line {line.lineno}")
        try:
            if not all(evaluate(self.conditions, state, c.tag) == c.want for c in line.conditions):
                state.logf("[condition not met]")
                return
            command = self._command(state, line)
            args = self._expand(state, line, command)
            outcome = command.run(state, args)
        except CommandFailed as exc:
            self._fail_unless_expected(state, line, exc.message, exc.fatal)
            return
        except OSError as exc:  # a command implementation that missed one: still a failure of the line
            self._fail_unless_expected(state, line, f"{line.name}: {exc}", fatal=False)
            return
        if isinstance(outcome, Pending):
            if line.background:
                state.background.append(Background(line, args, outcome, line.background_name))
                state.stdout = state.stderr = ""
                return
            outcome = outcome.wait(state)
        if isinstance(outcome, CommandOutput):
            state.stdout, state.stderr = outcome.stdout, outcome.stderr
            state.log_output(_logged(outcome))
            self._fail_unless_expected(state, line, outcome.error, outcome.fatal)
        elif line.want == "failure":
            raise _LineFailed("unexpected success (the line starts with !)")

    def _command(self, state: ScriptState, line: ScriptLine) -> ScriptCommand:
        command = self.commands.get(line.name)
        if command is None:
            raise CommandFailed(
                f"unknown command {line.name!r} (known: {', '.join(self.commands.names())})", fatal=True
            )
        if line.background and not command.background:
            raise CommandFailed(f"{line.name} cannot be run in the background (with &)", fatal=True)
        if line.want == "failure" and not command.negatable and state.dialect == "testscript":
            raise CommandFailed(f"{line.name} does not support the ! prefix", fatal=True)
        return command

    @staticmethod
    def _expand(state: ScriptState, line: ScriptLine, command: ScriptCommand) -> list[str]:
        regexp_indexes: set[int] = set()
        if command.regexp_args is not None and state.dialect == "cmdgo":
            regexp_indexes = set(command.regexp_args(line.raw_words()))
        args = []
        for index, word in enumerate(line.raw_args):
            args.append(
                "".join(
                    fragment.text if fragment.quoted else state.expand(fragment.text, regexp=index in regexp_indexes)
                    for fragment in word
                )
            )
        return args

    @staticmethod
    def _fail_unless_expected(state: ScriptState, line: ScriptLine, error: str | None, fatal: bool) -> None:
        reason = _check_status(line, error, fatal)
        if reason is not None:
            raise _LineFailed(reason)
        if error is not None:
            state.logf(f"[{error}]")

    def _end_background(self, state: ScriptState) -> None:
        """Stop what still runs in the background; in cmd/go's dialect only a ``?`` line may be left so."""
        left = state.background
        self._cancel_background(state)
        if state.dialect != "cmdgo":
            return
        unchecked = [bg for bg in left if bg.line.want != "either"]
        if unchecked:
            names = ", ".join(f"line {bg.line.lineno} ({bg.line.text.strip()})" for bg in unchecked)
            raise _LineFailed(f"background commands still running at the end of the script (add wait, or ?): {names}")

    @staticmethod
    def _cancel_background(state: ScriptState) -> None:
        for bg in state.background:
            bg.pending.cancel()
            output = bg.pending.wait(state)
            state.logf(f"[background, stopped at the end of the script] {bg.line.name} {quote_args(bg.args)}")
            state.log_output(_logged(output))
        state.background = []
