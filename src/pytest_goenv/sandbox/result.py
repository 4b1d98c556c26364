"""The result of one command run in a sandbox, and how a failure is shown.

A failing go command is only useful to a test author if the message says exactly
what ran, where, with which environment and what it printed; :meth:`GoResult.describe`
builds that text and :class:`GoCommandError` carries it into the test report.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.base.excerpt import cut_lines, escape_controls, shorten

__all__ = ["GoCommandError", "GoResult", "excerpt"]

# Output longer than this is shown as its head and tail with a note of what was cut.
MAX_SHOWN_LINES = 60
MAX_LINE_CHARS = 2000


class GoCommandError(GoenvError, AssertionError):
    """A command run with ``check=True`` exited non-zero or timed out."""

    def __init__(self, result: GoResult) -> None:
        super().__init__(result.describe())
        self.result = result


@dataclass(frozen=True)
class GoResult:
    """A finished command: what was run, in which environment, and what happened."""

    argv: tuple[str, ...]
    cwd: Path
    returncode: int
    stdout: str
    stderr: str
    duration: float
    env: Mapping[str, str] = field(repr=False, default_factory=dict)
    env_diff: Mapping[str, str | None] = field(default_factory=dict)
    timed_out: bool = False
    timeout: float | None = None
    stdout_file: Path | None = None
    stderr_file: Path | None = None
    killed_after_exit: int = 0

    @property
    def ok(self) -> bool:
        """True if the command exited with status 0 within its time limit."""
        return self.returncode == 0 and not self.timed_out

    @property
    def output(self) -> str:
        """stdout followed by stderr, for matching text wherever the go command put it."""
        return self.stdout + self.stderr

    @property
    def command(self) -> str:
        """The command line, quoted for a shell."""
        return shlex.join(self.argv)

    def check(self) -> GoResult:
        """Return self if the command succeeded, else raise :class:`GoCommandError`."""
        __tracebackhide__ = True
        if not self.ok:
            raise GoCommandError(self)
        return self

    def describe(self, headline: str | None = None) -> str:
        """A report of the command, its cwd, the non-default environment and its output.

        Control characters in it are shown escaped (``\\x1b``), so that printed output cannot act on
        the reader's terminal; a stream that passed the output limit names the file holding it whole.
        """
        if headline is None:
            headline = self._status()
        lines = [headline, f"  command: {self.command}", f"  cwd:     {self.cwd}"]
        if self.env_diff:
            lines.append("  env (differs from the sandbox defaults):")
            for name in sorted(self.env_diff):
                value = self.env_diff[name]
                lines.append(f"    {name} (unset)" if value is None else f"    {name}={value}")
        else:
            lines.append("  env:     sandbox defaults")
        for label, text, spilled in (
            ("stdout", self.stdout, self.stdout_file),
            ("stderr", self.stderr, self.stderr_file),
        ):
            if not text.strip():
                lines.append(f"  {label}:  (empty)")
                continue
            lines.append(f"  {label}:")
            lines.extend(f"    | {line}" for line in excerpt(text).split("\n"))
            if spilled is not None:
                lines.append(f"    (the first {len(text)} characters; all {_size(spilled)} bytes are in {spilled})")
        if self.killed_after_exit:
            lines.append(
                f"  ({self.killed_after_exit} process(es) it started kept its output open after it exited "
                "and were killed)"
            )
        return "\n".join(escape_controls(line) for line in lines)

    def _status(self) -> str:
        program = Path(self.argv[0]).name
        name = f"{program} {self.argv[1]}" if len(self.argv) > 1 else program
        if self.timed_out:
            return (
                f"`{name}` timed out after {self.timeout:g} s; its process group was killed "
                "(raise the limit with timeout=... or --goenv-timeout)"
            )
        return f"`{name}` exited with status {self.returncode} after {self.duration:.2f} s"


def excerpt(text: str, max_lines: int = MAX_SHOWN_LINES) -> str:
    """``text`` cut to its first and last lines, saying how many lines were left out."""
    lines = [shorten(line, MAX_LINE_CHARS) for line in text.rstrip("\n").split("\n")]
    head = max_lines * 2 // 3
    note = "... ({cut} lines cut; the whole text is on the result object) ..."
    return "\n".join(cut_lines(lines, head, max_lines - head, note))


def _size(path: Path) -> str:
    try:
        return str(path.stat().st_size)
    except OSError:
        return "the"
