"""Running child processes with a time limit that kills the whole process group.

The go command starts compilers, linkers, test binaries and VCS tools; killing only
the go process on a timeout would leave those running.  Every child therefore starts
in a new session and a timeout sends SIGKILL to its whole group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ProcessOutcome", "run_process"]

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
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
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


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
