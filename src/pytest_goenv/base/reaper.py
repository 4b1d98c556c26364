"""Finding and ending what a command left running: its process group, and descendants that left it.

Killing a command's process group misses a descendant that moved to a group or session of its
own (``setsid``, a daemon's double fork).  Linux hands a process whose parent died to the nearest
ancestor marked as a *child subreaper* (``PR_SET_CHILD_SUBREAPER``), else to init.  While commands
run, this process is that subreaper, so such an orphan becomes its child instead of init's; when the
last running command ends, the orphans adopted meanwhile (each in a session other than this
process's, which is how a command's descendants are told from this process's own children) are
killed with their descendants and reaped.  Processes still attached to a command are found by
walking ``/proc/PID/task/*/children``, and those holding a pipe by its inode in ``/proc/*/fd``.
Where there is no ``/proc`` or ``prctl`` (macOS), only process groups are killed.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["Tracking", "descendants", "kill_group", "kill_processes", "pipe_holders", "track"]

_PR_SET_CHILD_SUBREAPER = 36
_PROC = Path("/proc")
_REAP_SECONDS = 2.0


@functools.cache
def _libc() -> Any:
    """The C library (for ``prctl``), loaded on first use; None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _prctl_subreaper(on: bool) -> bool:
    """Set or clear this process's child-subreaper mark; False where the system has none."""
    libc = _libc()
    try:
        return libc is not None and bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0)
    except AttributeError:
        return False


class _Window:
    """The span during which at least one command runs; this process is a subreaper throughout."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: set[int] = set()
        self.depth = 0
        self.baseline: set[int] = set()
        self.subreaper = False

    def open(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.baseline = children_of(os.getpid())
                self.subreaper = _prctl_subreaper(True)
            self.depth += 1

    def close(self, pid: int | None) -> None:
        with self.lock:
            self.depth -= 1
            try:
                if self.depth == 0 and self.subreaper:
                    _end_orphans(self.baseline | self.running)
            finally:
                self.running.discard(-1 if pid is None else pid)
                if self.depth == 0:
                    if self.subreaper:
                        _prctl_subreaper(False)
                    self.subreaper = False
                    self.baseline = set()


_WINDOW = _Window()


class Tracking:
    """One command's place in the window: :func:`track` opens it, :meth:`close` ends it (idempotent)."""

    def __init__(self) -> None:
        self._open = True
        self._pid: int | None = None
        _WINDOW.open()

    def started(self, pid: int) -> None:
        """The command's own process: never taken for an orphan while it is tracked."""
        self._pid = pid
        with _WINDOW.lock:
            _WINDOW.running.add(pid)

    def close(self) -> None:
        """Leave the window (before reaping the command); the last to leave ends the orphans adopted meanwhile."""
        if self._open:
            self._open = False
            _WINDOW.close(self._pid)


def track() -> Tracking:
    """Call before starting a command; close the result once it has ended and been reaped."""
    return Tracking()


def children_of(pid: int) -> set[int]:
    """The children of ``pid`` (every thread's); empty where ``/proc`` cannot tell."""
    found: set[int] = set()
    try:
        tasks = list((_PROC / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        with contextlib.suppress(OSError, ValueError):
            found.update(int(word) for word in (task / "children").read_text().split())
    return found


def descendants(roots: Iterable[int]) -> list[int]:
    """``roots`` and everything below them, parents before children."""
    order: list[int] = []
    seen: set[int] = set()
    pending = list(roots)
    while pending:
        pid = pending.pop(0)
        if pid in seen:
            continue
        seen.add(pid)
        order.append(pid)
        pending.extend(sorted(children_of(pid) - seen))
    return order


def _session_of(pid: int) -> int | None:
    try:
        fields = (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[3])  # state ppid pgrp session
    except (OSError, IndexError, ValueError):
        return None


def kill_processes(pids: Iterable[int]) -> None:
    """SIGKILL each of ``pids`` that still exists."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def kill_group(pgid: int) -> None:
    """SIGKILL the process group ``pgid`` (nothing if it is gone)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def pipe_holders(inodes: Iterable[int]) -> set[int]:
    """The processes (other than this one) with a file descriptor on one of the pipes ``inodes``."""
    wanted = {f"pipe:[{inode}]" for inode in inodes}
    holders: set[int] = set()
    me = os.getpid()
    try:
        entries = [entry for entry in os.listdir(_PROC) if entry.isdigit()]
    except OSError:
        return holders
    for entry in entries:
        pid = int(entry)
        if pid == me:
            continue
        try:
            descriptors = os.listdir(_PROC / entry / "fd")
        except OSError:
            continue
        for descriptor in descriptors:
            with contextlib.suppress(OSError):
                if os.readlink(_PROC / entry / "fd" / descriptor) in wanted:
                    holders.add(pid)
                    break
    return holders


def _end_orphans(baseline: set[int]) -> None:
    """Kill and reap the children adopted since ``baseline`` that came from commands (another session)."""
    own_session = os.getsid(0)
    for _round in range(20):
        adopted = [pid for pid in children_of(os.getpid()) - baseline if _session_of(pid) not in (None, own_session)]
        if not adopted:
            return
        kill_processes(descendants(adopted))
        _reap(adopted)


def _reap(pids: list[int]) -> None:
    deadline = time.monotonic() + _REAP_SECONDS
    pending = set(pids)
    while pending and time.monotonic() < deadline:
        for pid in list(pending):
            try:
                done, _status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                pending.discard(pid)
        if pending:
            time.sleep(0.005)
