"""Child processes: streamed output lines, exit statuses, and timeouts that kill the whole group."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import textwrap
import time
from pathlib import Path

import pytest

from _support import wait_until_dead
from pytest_goenv.base.process import run_process, stream_process


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def test_lines_arrive_in_order_while_the_process_runs(tmp_path: Path) -> None:
    # The child writes a line, then waits until the callback has seen it before going on:
    # without streaming it would give up waiting and say so.
    seen = tmp_path / "seen"
    argv = _python(
        f"""
        import os, sys, time
        for n in range(3):
            print(f"line {{n}}", flush=True)
            deadline = time.monotonic() + 20
            while not os.path.exists({str(seen)!r} + str(n)):
                if time.monotonic() > deadline:
                    print("not streamed", flush=True)
                    sys.exit(3)
                time.sleep(0.01)
        print("to stderr", file=sys.stderr, flush=True)
        """
    )
    lines: list[str] = []

    def on_line(line: str) -> None:
        lines.append(line)
        if line.startswith("line "):
            Path(f"{seen}{line.split()[1]}").touch()

    outcome = stream_process(argv, cwd=tmp_path, env=os.environ, timeout=60, on_line=on_line)
    assert lines == ["line 0", "line 1", "line 2", "to stderr"]
    assert outcome.returncode == 0
    assert not outcome.timed_out
    assert outcome.stdout == "line 0\nline 1\nline 2\nto stderr\n"
    assert outcome.stderr == ""


def test_stream_reports_a_non_zero_exit(tmp_path: Path) -> None:
    lines: list[str] = []
    argv = _python("import sys; print('failing'); sys.exit(7)")
    outcome = stream_process(argv, cwd=tmp_path, env=os.environ, timeout=60, on_line=lines.append)
    assert outcome.returncode == 7
    assert not outcome.timed_out
    assert lines == ["failing"]


def test_run_process_reports_a_non_zero_exit(tmp_path: Path) -> None:
    argv = _python("import sys; print('out'); print('err', file=sys.stderr); sys.exit(5)")
    outcome = run_process(argv, cwd=tmp_path, env=os.environ, timeout=60)
    assert (outcome.returncode, outcome.stdout, outcome.stderr, outcome.timed_out) == (5, "out\n", "err\n", False)


@pytest.mark.parametrize("streamed", [True, False], ids=["stream_process", "run_process"])
def test_timeout_kills_the_group_including_a_grandchild(tmp_path: Path, streamed: bool) -> None:
    pidfile = tmp_path / "grandchild.pid"
    argv = ["/bin/sh", "-c", f"echo started; sleep 300 & echo $! > {pidfile}; wait"]
    lines: list[str] = []
    started = time.monotonic()
    if streamed:
        outcome = stream_process(argv, cwd=tmp_path, env=os.environ, timeout=1, on_line=lines.append)
    else:
        outcome = run_process(argv, cwd=tmp_path, env=os.environ, timeout=1)
    assert time.monotonic() - started < 15
    assert outcome.timed_out
    assert outcome.returncode == -signal.SIGKILL
    assert outcome.stdout == "started\n"
    assert lines == (["started"] if streamed else [])
    assert wait_until_dead(int(pidfile.read_text())), "the grandchild survived the timeout"


def test_a_timeout_kills_a_grandchild_that_left_the_group(tmp_path: Path) -> None:
    # A grandchild in a session of its own escapes the group kill and keeps the output pipe
    # open; it is found below the command and killed too.
    pidfile = tmp_path / "escaped.pid"
    argv = _python(
        f"""
        import subprocess, time
        escaped = subprocess.Popen(["sleep", "300"], start_new_session=True)
        open({str(pidfile)!r}, "w").write(str(escaped.pid))
        print("spawned", flush=True)
        time.sleep(300)
        """
    )
    lines: list[str] = []
    started = time.monotonic()
    try:
        outcome = stream_process(argv, cwd=tmp_path, env=os.environ, timeout=2, on_line=lines.append)
        assert time.monotonic() - started < 10
        assert outcome.timed_out
        assert lines == ["spawned"]
        assert wait_until_dead(int(pidfile.read_text())), "the grandchild in its own session survived"
    finally:
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pidfile.read_text()), signal.SIGKILL)


def test_a_failing_callback_is_raised_after_the_child_ends(tmp_path: Path) -> None:
    calls: list[str] = []

    def on_line(line: str) -> None:
        calls.append(line)
        raise ValueError(f"cannot show {line!r}")

    argv = _python("for n in range(3): print(n)")
    with pytest.raises(ValueError, match="cannot show '0'"):
        stream_process(argv, cwd=tmp_path, env=os.environ, timeout=60, on_line=on_line)
    assert calls == ["0"]


def test_interrupt_kills_the_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    argv = ["/bin/sh", "-c", f"sleep 300 & echo $! > {pidfile}; echo ready; wait"]

    def on_line(line: str) -> None:
        if line == "ready":
            os.kill(os.getpid(), signal.SIGINT)  # as if the user pressed Ctrl-C

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # xdist workers may ignore SIGINT
    try:
        with pytest.raises(KeyboardInterrupt):
            stream_process(argv, cwd=tmp_path, env=os.environ, timeout=60, on_line=on_line)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert wait_until_dead(int(pidfile.read_text())), "the grandchild survived the interrupt"


@pytest.mark.parametrize("limit", [1, 4096, 65536, 100_000])
def test_output_past_the_limit_is_spilled_whole(tmp_path: Path, limit: int) -> None:
    data = b"".join(b"%07d\n" % n for n in range(32_000))  # 256 000 bytes, read in several chunks
    source = tmp_path / "data"
    source.write_bytes(data)
    outcome = run_process(
        ["cat", str(source)], cwd=tmp_path, env=os.environ, timeout=60, output_limit=limit, spill_to=tmp_path / "out"
    )
    assert outcome.stdout_file == tmp_path / "out.stdout"
    assert outcome.stdout_file.read_bytes() == data
    assert outcome.stdout == data[:limit].decode()
    assert outcome.stderr_file is None


def test_output_past_the_limit_without_a_spill_file_is_cut(tmp_path: Path) -> None:
    outcome = run_process(["sh", "-c", "printf 0123456789"], cwd=tmp_path, env=os.environ, timeout=60, output_limit=4)
    assert (outcome.stdout, outcome.stdout_file) == ("0123", None)


def test_large_stdin_is_written_while_output_is_read(tmp_path: Path) -> None:
    text = "line\n" * 400_000  # 2 MB: more than a pipe holds, in both directions at once
    outcome = run_process(["cat"], cwd=tmp_path, env=os.environ, timeout=60, stdin=text)
    assert (outcome.returncode, len(outcome.stdout)) == (0, len(text))
