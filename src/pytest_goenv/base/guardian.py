"""A watchdog that ends what this process started if it dies without doing so itself.

A process killed with SIGKILL (or a crashed pytest-xdist worker) runs no clean-up: the commands
it started would live on under init and its sandboxes would stay.  The first time something is
watched, a small watchdog process is started in a session of its own, reading a pipe from this
process.  Each command's process group and each directory to remove is announced on it (``+g``,
``+d``) and withdrawn when dealt with (``-g``, ``-d``): a few bytes, no system call beyond a write.
When the pipe reaches its end with entries still announced (this process died), the watchdog kills
every process in those groups or their sessions, those below a group's leader, and those whose
HOME lies in an announced directory (sandbox commands, toolchain probes), then removes the directories.

Its :func:`main` is the watchdog itself.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

__all__ = ["forget_dir", "forget_group", "start", "watch_dir", "watch_group"]

_PROC = Path("/proc")


class _Client:
    """This process's end of the pipe to its watchdog (started on first use, again after a fork)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = -1
        self.pipe: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def ensure_started(self) -> None:
        with self.lock:
            if self.pid != os.getpid():
                self._start()

    def send(self, line: str) -> None:
        self.ensure_started()
        with self.lock:
            if self.pipe is None:
                return
            try:
                self.pipe.write(line.encode("utf-8", "surrogateescape") + b"\n")
            except OSError:
                self.pipe = None  # the watchdog is gone: clean-up then rests on this process alone

    def _start(self) -> None:
        self.pid = os.getpid()
        self.pipe = None
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", "from pytest_goenv.base.guardian import main; main()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd="/",
                bufsize=0,  # each announcement is one write, at once
                start_new_session=True,  # not reached by a Ctrl-C or a kill of this process's group
            )
        except OSError:
            return
        self.pipe = self.process.stdin


_CLIENT = _Client()


def start() -> None:
    """Start this process's watchdog now if it is not running (before commands: it must not be taken for one)."""
    _CLIENT.ensure_started()


def watch_group(pgid: int) -> None:
    """Have the watchdog kill process group ``pgid`` (and its descendants) should this process die."""
    _CLIENT.send(f"+g {pgid}")


def forget_group(pgid: int) -> None:
    """Process group ``pgid`` has been dealt with."""
    _CLIENT.send(f"-g {pgid}")


def watch_dir(path: str | os.PathLike[str]) -> None:
    """Have the watchdog remove ``path`` (after ending processes with their HOME in it) should this process die."""
    _CLIENT.send(f"+d {os.fspath(path)}")


def forget_dir(path: str | os.PathLike[str]) -> None:
    """``path`` has been removed or is kept on purpose."""
    _CLIENT.send(f"-d {os.fspath(path)}")


# --------------------------------------------------------------------------- the watchdog


def _serve(stream: IO[bytes]) -> tuple[set[int], set[str]]:
    """Read announcements to the end of ``stream``; return what is still announced."""
    groups: set[int] = set()
    dirs: set[str] = set()
    for raw in stream:
        line = raw.decode("utf-8", "surrogateescape").rstrip("\n")
        kind, _, value = line.partition(" ")
        with contextlib.suppress(ValueError):
            if kind == "+g":
                groups.add(int(value))
            elif kind == "-g":
                groups.discard(int(value))
            elif kind == "+d":
                dirs.add(value)
            elif kind == "-d":
                dirs.discard(value)
    return groups, dirs


def _processes() -> dict[int, tuple[int, int, int]]:
    """Every visible process: pid -> (parent, group, session)."""
    found: dict[int, tuple[int, int, int]] = {}
    for entry in os.listdir(_PROC):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (_PROC / entry / "stat").read_text().rsplit(")", 1)[1].split()
                found[int(entry)] = (int(fields[1]), int(fields[2]), int(fields[3]))
    return found


def _works_in(pid: int, dirs: set[str]) -> bool:
    """Whether ``pid`` runs with its HOME in one of ``dirs`` (as sandbox commands and probes do)."""
    try:
        environ = b"\0" + (_PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return any(f"\0HOME={d}/".encode() in environ or f"\0HOME={d}\0".encode() in environ for d in dirs)


def _victims(groups: set[int], dirs: set[str]) -> set[int]:
    table = _processes()
    me = os.getpid()
    chosen = {pid for pid, (_ppid, pgid, sid) in table.items() if pgid in groups or sid in groups}
    chosen |= {pid for pid in table if dirs and _works_in(pid, dirs)}
    pending = list(chosen | (groups & set(table)))
    while pending:  # and everything below them
        parent = pending.pop()
        for pid, (ppid, _pgid, _sid) in table.items():
            if ppid == parent and pid not in chosen:
                chosen.add(pid)
                pending.append(pid)
    chosen.discard(me)
    return chosen


def _end(groups: set[int], dirs: set[str]) -> None:
    import signal

    from pytest_goenv.base.filetree import remove_tree

    for _round in range(3):
        victims = _victims(groups, dirs)
        if not victims:
            break
        for pid in victims:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for group in groups:
            with contextlib.suppress(OSError):
                os.killpg(group, signal.SIGKILL)
        time.sleep(0.05)
    for directory in sorted(dirs, key=len, reverse=True):
        with contextlib.suppress(OSError):
            remove_tree(Path(directory))


def main() -> None:
    """The watchdog: wait for the watched process to close the pipe, then end what it left."""
    groups, dirs = _serve(sys.stdin.buffer)
    if groups or dirs:
        _end(groups, dirs)
