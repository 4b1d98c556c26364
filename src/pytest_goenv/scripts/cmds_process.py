"""Script commands that run programs: exec, go, cc, stale; and wait, kill, sleep for background ones.

Every program starts in a process group of its own, with the script's environment and current
directory, its output going to temporary files (no pipe can fill up).  It may run until the
script's time limit: then its whole group is killed and the script fails saying so.  A program
still running when the script ends gets SIGINT, then SIGKILL for its group after a grace period.

Example (inside a script)::

    go build -o $WORK/hello$GOEXE .
    exec $WORK/hello$GOEXE &srv&
    kill -INT srv
    wait srv
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from typing import IO

from pytest_goenv.scripts.commands import ScriptCommand
from pytest_goenv.scripts.errors import CommandFailed, UsageError
from pytest_goenv.scripts.state import CommandOutput, Pending, ScriptState

__all__ = ["COMMANDS", "GRACE_SECONDS", "ProgramRun", "start_program"]

GRACE_SECONDS = 1.0
"""How long a program that the script no longer waits for may take to exit after SIGINT."""


def _exit_text(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name.removeprefix("SIG").lower()
        except ValueError:
            name = str(-returncode)
        return f"signal: {name}"
    return f"exit status {returncode}"


def _signal_group(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, number)


class ProgramRun(Pending):
    """A started program: waited for with the script's remaining time."""

    def __init__(self, process: subprocess.Popen[bytes], outputs: tuple[IO[bytes], ...]) -> None:
        self.process = process
        self.outputs = outputs
        self.result: CommandOutput | None = None

    def _collect(self, error: str | None, *, fatal: bool = False) -> CommandOutput:
        texts = []
        for handle in self.outputs:
            handle.seek(0)
            texts.append(handle.read().decode("utf-8", errors="replace"))
            handle.close()
        self.result = CommandOutput(texts[0], texts[1], error, fatal)
        return self.result

    def wait(self, state: ScriptState) -> CommandOutput:
        """Wait until the program exits or the script's time is up (then kill its group: a fatal failure)."""
        if self.result is not None:
            return self.result
        # A blocking wait (Popen.wait with a timeout polls, adding up to 50 ms to every command);
        # a timer kills the process group when the script's time runs out.
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            _signal_group(self.process.pid, signal.SIGKILL)

        timer = threading.Timer(state.remaining(), expire)
        timer.daemon = True
        timer.start()
        try:
            returncode = self.process.wait()
        finally:
            timer.cancel()
            _signal_group(self.process.pid, signal.SIGKILL)  # what it left behind in its group
        if expired.is_set():
            limit = state.extras.get("timeout")
            detail = f" of {limit:g} s" if isinstance(limit, (int, float)) else ""
            return self._collect(
                f"the script's time limit{detail} ran out while this command ran; its process group was killed",
                fatal=True,
            )
        return self._collect(None if returncode == 0 else _exit_text(returncode))

    def kill(self, signal_number: int) -> None:
        """Send ``signal_number`` to the program's process group."""
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal_number)

    def cancel(self) -> None:
        """Interrupt the program; kill its group if it is still there after the grace period."""
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=GRACE_SECONDS)
        _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _look_path(state: ScriptState, name: str) -> str:
    if os.sep in name:
        return name
    found = shutil.which(name, path=state.env.get("PATH", ""))
    if found is None:
        raise CommandFailed(f'exec: "{name}": executable file not found in $PATH')
    return found


def start_program(state: ScriptState, program: str, args: list[str], *, shown: str | None = None) -> ProgramRun:
    """Start ``program`` (a path, or a name looked up on the script's PATH) with ``args``."""
    path = _look_path(state, program)
    outputs: tuple[IO[bytes], ...] = tuple(tempfile.TemporaryFile(prefix="goenv-script-") for _ in range(2))  # noqa: SIM115 - closed by ProgramRun
    stdin_data, state.stdin = state.stdin, None
    stdin_file = None
    if stdin_data is not None:
        stdin_file = tempfile.TemporaryFile(prefix="goenv-stdin-")  # noqa: SIM115 - closed once the child has it
        stdin_file.write(stdin_data.encode())
        stdin_file.seek(0)
    for attempt in range(50):  # ETXTBSY: a just-written executable may still be open for writing in a fork
        try:
            process = subprocess.Popen(
                [path, *args],
                executable=path,
                cwd=state.pwd,
                env=state.program_env(),
                stdin=stdin_file if stdin_file is not None else subprocess.DEVNULL,
                stdout=outputs[0],
                stderr=outputs[1],
                start_new_session=True,
            )
            break
        except OSError as exc:
            if exc.errno == 26 and attempt < 49:  # ETXTBSY
                time.sleep(0.01)
                continue
            for handle in outputs:
                handle.close()
            if stdin_file is not None:
                stdin_file.close()
            raise CommandFailed(f"{shown or program}: {exc.strerror or exc}") from None
    if stdin_file is not None:
        stdin_file.close()
    return ProgramRun(process, outputs)


def exec_command(state: ScriptState, args: list[str]) -> ProgramRun:
    """Run a program with arguments."""
    if not args:
        raise UsageError("exec", "program [args...]")
    return start_program(state, args[0], args[1:])


def _go_binary(state: ScriptState) -> str:
    go = state.extras.get("go")
    if not go:
        raise CommandFailed("go: this script runs without a Go toolchain; run it from a GoEnv", fatal=True)
    return str(go)


def go(state: ScriptState, args: list[str]) -> ProgramRun:
    """Run the go command of the toolchain under test."""
    return start_program(state, _go_binary(state), args, shown="go")


def _query_go(state: ScriptState, args: list[str]) -> CommandOutput:
    """Run the go command now and return its output (for commands built on it)."""
    return start_program(state, _go_binary(state), args, shown="go").wait(state)


def stale(state: ScriptState, args: list[str]) -> None:
    """Check that the named build targets are stale (``go list`` says so)."""
    if not args:
        raise UsageError("stale", "target...")
    template = (
        "{{if .Error}}{{.ImportPath}}: {{.Error.Err}}"
        "{{else}}{{if not .Stale}}{{.ImportPath}} ({{.Target}}) is not stale{{end}}{{end}}"
    )
    result = _query_go(state, ["list", "-e", "-f=" + template, *args])
    if result.stderr:
        state.logf(result.stderr)
    if result.error:
        raise CommandFailed(f"go list: {result.error}", fatal=result.fatal)
    if result.stdout.strip():
        raise CommandFailed(result.stdout.strip())


def cc(state: ScriptState, args: list[str]) -> ProgramRun:
    """Run the C compiler ``go env CC`` names, with the flags of ``go env GOGCCFLAGS``."""
    result = _query_go(state, ["env", "CC", "GOGCCFLAGS"])
    if result.error:
        raise CommandFailed(f"go env CC GOGCCFLAGS: {result.error}\n{result.stderr}", fatal=True)
    lines = [*result.stdout.splitlines(), "", ""]
    compiler = shlex.split(lines[0])
    flags = [flag for flag in shlex.split(lines[1]) if not flag.startswith("-fdebug-prefix-map")]
    if not compiler:
        raise CommandFailed("cc: go env CC is empty; no C compiler is configured", fatal=True)
    return start_program(state, compiler[0], [*compiler[1:], *flags, *args])


class _Sleep(Pending):
    """A sleep that ends at a given time (so it can run in the background)."""

    def __init__(self, until: float) -> None:
        self.until = until
        self.cancelled = False

    def wait(self, state: ScriptState) -> CommandOutput:
        """Sleep until the end time, or fail if the script's time runs out first."""
        if self.cancelled:
            return CommandOutput(error="sleep cancelled at the end of the script")
        if self.until > state.deadline:
            time.sleep(state.remaining())
            return CommandOutput(error="the script's time limit ran out during sleep", fatal=True)
        time.sleep(max(0.0, self.until - time.monotonic()))
        return CommandOutput()

    def cancel(self) -> None:
        """Stop waiting."""
        self.cancelled = True


def sleep(state: ScriptState, args: list[str]) -> Pending:
    """Sleep for a Go duration (``100ms``, ``2s``), at most until the script's time is up."""
    if len(args) != 1:
        raise UsageError("sleep", "duration")
    return _Sleep(time.monotonic() + parse_duration(args[0]))


_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds in a Go duration string (``1h2m3.5s``, ``250ms``); a bad one is a fatal failure."""
    rest, total = text, 0.0
    if rest in ("0", ""):
        if rest == "0":
            return 0.0
        raise CommandFailed(f"invalid duration {text!r}", fatal=True)
    while rest:
        number = ""
        while rest and (rest[0].isdigit() or rest[0] == "."):
            number, rest = number + rest[0], rest[1:]
        unit = next((u for u in sorted(_UNITS, key=len, reverse=True) if rest.startswith(u)), None)
        if not number or unit is None:
            raise CommandFailed(f"invalid duration {text!r}; use a Go duration such as 100ms or 2s", fatal=True)
        total += float(number) * _UNITS[unit]
        rest = rest[len(unit) :]
    return total


def _selected(state: ScriptState, name: str | None, command: str) -> list[int]:
    indexes = [i for i, bg in enumerate(state.background) if name is None or bg.name == name]
    if name is not None and not indexes:
        raise CommandFailed(f"{command}: no background command named {name!r}", fatal=True)
    return indexes


def wait(state: ScriptState, args: list[str]) -> None:
    """Wait for background commands (all, or the one named) and check their status."""
    if len(args) > 1:
        raise UsageError("wait", "[name]")
    chosen = _selected(state, args[0] if args else None, "wait")
    from pytest_goenv.scripts.runner import finish_background  # the status check is the runner's

    waited = [state.background[i] for i in chosen]
    state.background = [bg for i, bg in enumerate(state.background) if i not in chosen]
    finish_background(state, waited)


def kill(state: ScriptState, args: list[str]) -> None:
    """Send a signal (default SIGKILL; ``-INT``, ``-TERM``, ...) to background commands (all, or the one named)."""
    number = signal.SIGKILL
    if args and args[0].startswith("-"):
        try:
            number = signal.Signals["SIG" + args[0][1:].upper().removeprefix("SIG")]
        except KeyError:
            raise CommandFailed(f"kill: unknown signal {args[0]!r}", fatal=True) from None
        args = args[1:]
    if len(args) > 1:
        raise UsageError("kill", "[-SIGNAL] [name]")
    for index in _selected(state, args[0] if args else None, "kill"):
        state.background[index].pending.kill(number)


COMMANDS = [
    ScriptCommand("cc", cc, "args...", "run the C compiler of go env CC", background=True),
    ScriptCommand("exec", exec_command, "program [args...]", "run a program", background=True),
    ScriptCommand("go", go, "[args...]", "run the go command under test", background=True),
    ScriptCommand("kill", kill, "[-SIGNAL] [name]", "signal background commands"),
    ScriptCommand("sleep", sleep, "duration", "sleep for a Go duration", background=True),
    ScriptCommand("stale", stale, "target...", "check that build targets are stale"),
    ScriptCommand("wait", wait, "[name]", "wait for background commands"),
]
