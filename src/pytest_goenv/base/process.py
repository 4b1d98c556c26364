"""Running child processes: a time limit, an end the command decides, and nothing left running.

The go command starts compilers, linkers, test binaries and VCS tools, and a test program may
start anything.  Every child therefore starts in a session (and so a process group) of its own,
and its end is decided by the child itself: once it has exited, its pipes are read for a short
grace (:data:`EXIT_GRACE_SECONDS`) while something it started may still hold them; whatever still
holds them then is killed and the result is what the command did, not a timeout.  When the command
has ended, its whole group is killed, and descendants that left the group are found and killed
through :mod:`pytest_goenv.base.reaper`; a watchdog (:mod:`pytest_goenv.base.guardian`) ends the
group should this process die first.  A timeout kills the group and everything below the command.

Output past ``output_limit`` bytes per stream (8 MB) is not kept in memory: with ``spill_to``
the whole stream goes to a file (``<spill_to>.stdout``) and the outcome names it; the text on the
outcome is the stream's first ``output_limit`` bytes.

Example::

    outcome = run_process(["go", "version"], cwd=Path.cwd(), env=os.environ, timeout=30)
    assert outcome.returncode == 0 and outcome.stdout.startswith("go version")
"""

from __future__ import annotations

import codecs
import contextlib
import math
import os
import re
import selectors
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pytest_goenv.base import guardian, reaper
from pytest_goenv.base.errors import GoenvError

__all__ = [
    "DEFAULT_OUTPUT_LIMIT",
    "EXIT_GRACE_SECONDS",
    "InvalidTimeout",
    "ProcessOutcome",
    "check_timeout",
    "env_problem",
    "run_process",
    "stream_process",
]

DEFAULT_OUTPUT_LIMIT = 8 * 1024 * 1024
"""Bytes of one output stream kept in memory; the rest goes to a spill file."""

EXIT_GRACE_SECONDS = 0.5
"""After a command exits, how long its pipes may stay open (held by something it started)."""

_DRAIN_SECONDS = 2.0  # after a kill, how long to read what is left in the pipes
_MAX_WAIT = 3600.0  # one select() waits at most this long, so any finite time limit works
_CHUNK = 65536


class InvalidTimeout(GoenvError, ValueError):
    """A time limit that is not a positive, finite number of seconds."""


def check_timeout(value: object, setting: str = "timeout") -> float:
    """``value`` as seconds, or :class:`InvalidTimeout` naming ``setting`` unless positive and finite.

    >>> check_timeout(60)
    60.0
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidTimeout(f"{setting}={value!r}: a time limit is a number of seconds, e.g. {setting}=60")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise InvalidTimeout(f"{setting}={value!r}: a time limit must be a positive, finite number of seconds")
    return seconds


def env_problem(name: object, value: object = "") -> str | None:
    """Why ``name=value`` cannot be put in a child's environment, or None if it can (``None`` value: unset).

    >>> env_problem("A=B", "x")
    "invalid environment variable name 'A=B': it contains '='; a name is not empty and holds no '=' or NUL"
    """
    rule = "a name is not empty and holds no '=' or NUL"
    if not isinstance(name, str):
        return f"invalid environment variable name {name!r}: names are strings"
    if not name:
        return f"invalid environment variable name '': {rule}"
    for bad, shown in (("=", "'='"), ("\0", "a NUL byte")):
        if bad in name:
            return f"invalid environment variable name {name!r}: it contains {shown}; {rule}"
    if value is None:
        return None
    if not isinstance(value, str):
        return f"{name}: environment values must be strings, not {type(value).__name__}"
    if "\0" in value:
        return f"{name}: the value {value!r} contains a NUL byte, which no environment can hold"
    return None


@dataclass(frozen=True)
class ProcessOutcome:
    """What a finished (or killed) child process left behind.

    ``stdout_file``/``stderr_file`` name the file holding a whole stream that passed the output
    limit (``stdout`` then holds its first bytes only); ``killed_after_exit`` counts processes the
    command left holding its output, killed after the grace.
    """

    returncode: int
    stdout: str
    stderr: str
    duration: float
    timed_out: bool
    stdout_file: Path | None = None
    stderr_file: Path | None = None
    killed_after_exit: int = 0


def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float | None,
    stdin: str | None = None,
    output_limit: int = DEFAULT_OUTPUT_LIMIT,
    spill_to: Path | None = None,
) -> ProcessOutcome:
    """Run ``argv`` to its end, or kill everything it started after ``timeout`` seconds.

    Output past ``output_limit`` bytes per stream goes to ``<spill_to>.stdout``/``.stderr``
    (without ``spill_to`` it is dropped). ``stdin`` is written to the child as UTF-8.
    """
    return _Run(argv, cwd, env, timeout, merge=False, output_limit=output_limit, spill_to=spill_to).finish(
        None if stdin is None else stdin.encode("utf-8"), None
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
    Lines reach ``on_line`` without their line ending.  Should ``on_line`` raise, the output
    is still read and the error is raised once the child has ended.
    """
    return _Run(argv, cwd, env, timeout, merge=True, output_limit=DEFAULT_OUTPUT_LIMIT, spill_to=None).finish(
        None, on_line
    )


class _Stream:
    """One output pipe: the first ``limit`` bytes in memory, the whole stream in a file past that."""

    def __init__(self, limit: int, spill: Path | None, on_line: Callable[[str], None] | None) -> None:
        self.limit = limit
        self.spill = spill
        self.chunks: list[bytes] = []
        self.kept = 0
        self.file: IO[bytes] | None = None
        self.on_line = on_line
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending = ""
        self.error: Exception | None = None

    def feed(self, data: bytes) -> None:
        room = self.limit - self.kept
        if room > 0:
            self.chunks.append(data[:room])
            self.kept += min(room, len(data))
        if len(data) > room and self.spill is not None:
            if self.file is None:
                self.spill.parent.mkdir(parents=True, exist_ok=True)
                self.file = self.spill.open("wb")
                self.file.writelines(self.chunks)
                self.file.write(data[max(room, 0) :])
            else:
                self.file.write(data)
        elif self.file is not None:
            self.file.write(data)
        if self.on_line is not None:
            self._lines(self.decoder.decode(data))

    def _lines(self, text: str) -> None:
        text = self.pending + text
        parts = re.split(r"\r\n|\r|\n", text[:-1] if text.endswith("\r") else text)
        self.pending = parts.pop() + ("\r" if text.endswith("\r") else "")
        for line in parts:
            if self.error is None and self.on_line is not None:
                try:
                    self.on_line(line)
                except Exception as exc:  # raised once the child has ended (an interrupt goes at once)
                    self.error = exc

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        if self.on_line is not None:
            self._lines(self.decoder.decode(b"", final=True))
            if self.pending.rstrip("\r"):
                self._lines("\n")

    def text(self) -> str:
        raw = b"".join(self.chunks).decode("utf-8", "replace")
        return raw.replace("\r\n", "\n").replace("\r", "\n")  # as text-mode pipes read it


class _Run:
    """One child process from its start to its reaping."""

    def __init__(
        self,
        argv: Sequence[str],
        cwd: Path,
        env: Mapping[str, str],
        timeout: float | None,
        *,
        merge: bool,
        output_limit: int,
        spill_to: Path | None,
    ) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.env = dict(env)
        self.timeout = None if timeout is None else check_timeout(timeout)
        self.merge = merge
        self.output_limit = output_limit
        self.spill_to = spill_to

    def finish(self, stdin: bytes | None, on_line: Callable[[str], None] | None) -> ProcessOutcome:
        start = time.perf_counter()
        guardian.start()  # outside the subreaper window: the watchdog is not one of the command's orphans
        tracking = reaper.track()
        try:
            process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT if self.merge else subprocess.PIPE,
                start_new_session=True,
                bufsize=0,
            )
        except BaseException:
            tracking.close()
            raise
        tracking.started(process.pid)
        guardian.watch_group(process.pid)
        spill = self.spill_to
        streams = {
            "stdout": _Stream(self.output_limit, _suffixed(spill, ".stdout"), on_line),
            "stderr": _Stream(self.output_limit, _suffixed(spill, ".stderr"), None),
        }
        try:
            timed_out, killed = self._collect(process, stdin, start, streams)
        except BaseException:
            _kill_everything(process.pid)
            raise
        finally:
            reaper.kill_group(process.pid)  # the pid is not reaped yet, so the group id is still this one
            for stream in streams.values():
                stream.close()
            tracking.close()
            process.wait()
            guardian.forget_group(process.pid)
        error = streams["stdout"].error
        if error is not None:
            raise error
        return ProcessOutcome(
            returncode=process.returncode,
            stdout=streams["stdout"].text(),
            stderr=streams["stderr"].text(),
            duration=time.perf_counter() - start,
            timed_out=timed_out,
            stdout_file=_spilled(streams["stdout"]),
            stderr_file=_spilled(streams["stderr"]),
            killed_after_exit=killed,
        )

    def _collect(
        self, process: subprocess.Popen[bytes], stdin: bytes | None, start: float, streams: dict[str, _Stream]
    ) -> tuple[bool, int]:
        """Read the pipes until the child has ended and they are closed; return (timed out, killed after exit)."""
        pipes = _Pipes(process, streams, stdin)
        deadline = None if self.timeout is None else time.monotonic() - (time.perf_counter() - start) + self.timeout
        timed_out = False
        killed = 0
        give_up: float | None = None  # after a kill: stop reading at this time
        try:
            while pipes.open or not pipes.exited:
                now = time.monotonic()
                if give_up is not None:
                    if now >= give_up:
                        break
                elif not pipes.exited and deadline is not None and now >= deadline:
                    timed_out = True
                    _kill_everything(process.pid)
                    give_up = now + _DRAIN_SECONDS
                elif pipes.grace_end is not None and now >= pipes.grace_end:
                    holders = reaper.pipe_holders(pipes.inodes)  # the command exited; these keep its output open
                    reaper.kill_processes(reaper.descendants(holders))
                    reaper.kill_group(process.pid)
                    killed = len(holders)
                    give_up = now + _DRAIN_SECONDS
                limits = [t for t in (deadline, pipes.grace_end, give_up) if t is not None and t > now]
                pipes.read(min([_MAX_WAIT, *(t - now for t in limits)]))
        finally:
            pipes.close()
        return timed_out, killed


class _Pipes:
    """A child's pipes and its exit, watched with one selector."""

    def __init__(self, process: subprocess.Popen[bytes], streams: dict[str, _Stream], stdin: bytes | None) -> None:
        self.selector = selectors.DefaultSelector()
        self.streams: dict[int, tuple[IO[bytes], _Stream]] = {}
        for pipe, stream in ((process.stdout, streams["stdout"]), (process.stderr, streams["stderr"])):
            if pipe is not None:
                self.streams[pipe.fileno()] = (pipe, stream)
                self.selector.register(pipe.fileno(), selectors.EVENT_READ)
        self.inodes = [os.fstat(fd).st_ino for fd in self.streams]
        self.exit_fd, self._stop_watch = _exit_signal(process.pid)
        self.selector.register(self.exit_fd, selectors.EVENT_READ)
        self.writer = _Writer(process.stdin, stdin, self.selector) if process.stdin is not None else None
        self.exited = False
        self.grace_end: float | None = None

    @property
    def open(self) -> bool:
        """Whether an output pipe is still open."""
        return bool(self.streams)

    def read(self, wait: float) -> None:
        """Handle what is ready within ``wait`` seconds: output, room on stdin, the child's exit."""
        for key, _mask in self.selector.select(wait):
            if key.fd == self.exit_fd:
                self.selector.unregister(self.exit_fd)
                self.exited = True
                self.grace_end = time.monotonic() + EXIT_GRACE_SECONDS
            elif self.writer is not None and key.fd == self.writer.fd:
                self.writer.write()
            else:
                pipe, stream = self.streams[key.fd]
                data = os.read(key.fd, _CHUNK)
                if data:
                    stream.feed(data)
                else:
                    self.selector.unregister(key.fd)
                    del self.streams[key.fd]
                    pipe.close()

    def close(self) -> None:
        self._stop_watch()
        for pipe, _stream in self.streams.values():
            pipe.close()
        if self.writer is not None:
            self.writer.close()
        self.selector.close()


class _Writer:
    """Feeds ``data`` to the child's stdin as it accepts it, then closes it."""

    def __init__(self, pipe: IO[bytes], data: bytes | None, selector: selectors.BaseSelector) -> None:
        self.pipe = pipe
        self.fd = pipe.fileno()
        self.view = memoryview(data or b"")
        self.offset = 0
        self.selector = selector
        os.set_blocking(self.fd, False)
        if self.view:
            selector.register(self.fd, selectors.EVENT_WRITE)
        else:
            self.close()

    def write(self) -> None:
        try:
            self.offset += os.write(self.fd, self.view[self.offset : self.offset + _CHUNK])
        except BlockingIOError:
            return
        except BrokenPipeError:
            self.offset = len(self.view)
        if self.offset >= len(self.view):
            self.selector.unregister(self.fd)
            self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.pipe.close()


def _exit_signal(pid: int) -> tuple[int, Callable[[], None]]:
    """A file descriptor that becomes readable when ``pid`` exits (without reaping it), and its clean-up."""
    if hasattr(os, "pidfd_open"):
        with contextlib.suppress(OSError):
            pidfd = os.pidfd_open(pid)
            return pidfd, lambda: os.close(pidfd)
    read_end, write_end = os.pipe()

    def wait() -> None:  # where there is no pidfd: a thread waits, leaving the zombie for Popen to reap
        with contextlib.suppress(OSError):
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        with contextlib.suppress(OSError):
            os.write(write_end, b"x")
        os.close(write_end)

    threading.Thread(target=wait, name="pytest-goenv exit watch", daemon=True).start()

    def stop() -> None:
        os.close(read_end)

    return read_end, stop


def _kill_everything(pid: int) -> None:
    """Kill ``pid``'s group and every process below it (some may have left the group)."""
    reaper.kill_processes(reaper.descendants([pid]))
    reaper.kill_group(pid)


def _suffixed(path: Path | None, suffix: str) -> Path | None:
    return None if path is None else path.with_name(path.name + suffix)


def _spilled(stream: _Stream) -> Path | None:
    return stream.spill if stream.file is not None else None
