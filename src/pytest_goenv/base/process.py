"""Running child processes with a time limit that kills the whole process group.

The go command starts compilers, linkers, test binaries and VCS tools; killing only
the go process on a timeout would leave those running.  Every child therefore starts
in a new session and a timeout sends SIGKILL to its whole group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["ProcessOutcome", "run_process", "stream_process"]

# After a kill, how long to wait for the pipes to close (a grandchild that left the
# group may still hold them).
_DRAIN_SECONDS = 5.0


@dataclass(frozen=True)
class ProcessOutcome:
    """What a finished (or killed) child process left behind."""

    returncode: int
    stdout: str
    stderr: str
    duration: float
    timed_out: bool


def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float | None,
    stdin: str | None = None,
) -> ProcessOutcome:
    """Run ``argv`` to completion, or kill its process group after ``timeout`` seconds."""
    start = time.perf_counter()
    process = _spawn(argv, cwd, env, stdin=stdin is not None, stderr=subprocess.PIPE)
    timed_out = False
    try:
        stdout, stderr = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process)
        try:
            stdout, stderr = process.communicate(timeout=_DRAIN_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = "", ""
    except BaseException:
        _kill_group(process)
        process.wait()
        raise
    return ProcessOutcome(
        returncode=process.returncode,
        stdout=stdout or "",
        stderr=stderr or "",
        duration=time.perf_counter() - start,
        timed_out=timed_out,
    )


def stream_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float | None,
    on_line: Callable[[str], None],
) -> ProcessOutcome:
    """Run ``argv`` like :func:`run_process`, handing each output line to ``on_line`` as it is written.

    For progress displays: stderr is merged into stdout so that lines arrive in the order
    the child wrote them; the outcome's ``stdout`` holds all of it and ``stderr`` is empty.
    Lines reach ``on_line`` without their line ending, from a reader thread.  Should
    ``on_line`` raise, the output is still drained and the error is raised here once the
    child has ended.
    """
    start = time.perf_counter()
    process = _spawn(argv, cwd, env, stdin=False, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    reader = _LineReader(process.stdout, on_line)
    timed_out = False
    try:
        reader.start()  # inside the try: an interrupt may arrive as soon as the first line is read
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process)
        process.wait()
    except BaseException:
        _kill_group(process)
        process.wait()
        raise
    reader.join(timeout=_DRAIN_SECONDS)
    if reader.error is not None:
        raise reader.error
    return ProcessOutcome(
        returncode=process.returncode,
        stdout=reader.text(),
        stderr="",
        duration=time.perf_counter() - start,
        timed_out=timed_out,
    )


class _LineReader(threading.Thread):
    """Reads a child's output to its end, keeping the text and feeding lines to a callback."""

    def __init__(self, stream: IO[str], on_line: Callable[[str], None]) -> None:
        super().__init__(name="pytest-goenv output reader", daemon=True)
        self._stream = stream
        self._on_line = on_line
        self._chunks: list[str] = []
        self._lock = threading.Lock()
        self.error: BaseException | None = None

    def run(self) -> None:
        with self._stream:
            for line in self._stream:
                with self._lock:
                    self._chunks.append(line)
                if self.error is None:
                    try:
                        self._on_line(line.rstrip("\r\n"))
                    except BaseException as exc:  # handed to the caller's thread, not lost in this one
                        self.error = exc

    def text(self) -> str:
        """The output read so far (all of it once the thread has ended)."""
        with self._lock:
            return "".join(self._chunks)


def _spawn(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str], *, stdin: bool, stderr: int
) -> subprocess.Popen[str]:
    """Start ``argv`` in a session (and so a process group) of its own, with piped text output."""
    return subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        errors="replace",
        start_new_session=True,
    )


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
