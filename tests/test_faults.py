"""Fault injection: whatever ends a run, nothing it started is left running and its sandboxes go.

Real pytest runs (subprocesses) run a test whose program leaves things behind (a child in its
process group, one in a session of its own, a listening port: ``faultprogs/``), and are sent
SIGTERM, SIGHUP, SIGINT or SIGKILL, or have a pytest-xdist worker killed.  Then the processes the
program reported, every process still in their groups or sessions, the port, the sandbox and the
probe homes are looked for.  The rest drives commands in this process: a command that exits while
something it started holds its output, or leaves a daemon, and the leftovers of a killed run.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from _support import wait_until_dead
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.toolchains.toolchain import GoToolchain

PROGRAMS = Path(__file__).parent / "faultprogs"

INNER_TEST = """
import json
import os
from pathlib import Path

REPORT = Path(os.environ["GOENV_FAULT_REPORT"])
PROGRAMS = Path(os.environ["GOENV_FAULT_PROGRAMS"])


def test_leaves_things_behind(goenv):
    facts = {"pid": os.getpid(), "root": str(goenv.root)}
    REPORT.with_name(REPORT.name + ".test").write_text(json.dumps(facts))
    if os.environ["GOENV_FAULT_PROGRAM"] == "go":
        module = goenv.copy_tree(PROGRAMS / "spawner")
        goenv.run("run", ".", str(REPORT), cwd=module)
    else:
        goenv.exec("/bin/sh", str(PROGRAMS / "spawner.sh"), str(REPORT))
"""


@dataclass(frozen=True)
class Fault:
    """How the run is ended: which program runs, what is sent to whom, and the exit status expected."""

    program: str
    signum: int
    xdist: bool
    target: str  # "pytest" (the main process) or "worker" (the xdist worker running the test)
    returncode: int


FAULTS = [
    pytest.param(Fault("go", signal.SIGTERM, False, "pytest", 2), id="SIGTERM-during-go-run"),
    pytest.param(Fault("sh", signal.SIGHUP, False, "pytest", 2), id="SIGHUP-during-a-program"),
    pytest.param(Fault("sh", signal.SIGINT, False, "pytest", 2), id="SIGINT-during-a-program"),
    pytest.param(Fault("go", signal.SIGKILL, False, "pytest", -signal.SIGKILL), id="SIGKILL-of-pytest"),
    pytest.param(Fault("sh", signal.SIGKILL, True, "worker", 1), id="SIGKILL-of-an-xdist-worker"),
    pytest.param(Fault("sh", signal.SIGTERM, True, "pytest", 2), id="SIGTERM-to-the-xdist-controller"),
]


def _inner_env(report: Path, program: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PYTEST_") or name.startswith("PYTEST_GOENV_")
    }
    env.update(GOENV_FAULT_REPORT=str(report), GOENV_FAULT_PROGRAMS=str(PROGRAMS), GOENV_FAULT_PROGRAM=program)
    return env


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, process group, session) of ``pid``, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[2]), int(fields[3])


def _members(ids: set[int]) -> list[int]:
    """Running processes (not zombies) whose process group or session is one of ``ids``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            facts = _stat(int(entry))
            if facts is not None and facts[0] != "Z" and (facts[1] in ids or facts[2] in ids):
                found.append(int(entry))
    return found


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"the inner run never reported (exit {process.poll()}):\n{output}")
        time.sleep(0.05)


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        return True
    return False


@pytest.mark.parametrize("fault", FAULTS)
def test_nothing_is_left_behind(tmp_path: Path, go_toolchain: GoToolchain, fault: Fault) -> None:
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    report = tmp_path / "report.json"
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--go={go_toolchain.go}"]
    argv += [f"--basetemp={tmp_path / 'basetemp'}", *(["-n", "2"] if fault.xdist else []), "test_inner.py"]
    inner = subprocess.Popen(
        argv,
        cwd=tmp_path,
        env=_inner_env(report, fault.program),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    reported: list[int] = []
    try:
        _wait_for(report, inner, 120)
        made = json.loads(report.read_text())
        test = json.loads(report.with_name(report.name + ".test").read_text())
        reported = [int(pid) for pid in made["pids"]]
        facts = [_stat(pid) for pid in reported]
        ids = {number for fact in facts if fact is not None for number in fact[1:]} - {os.getsid(0), inner.pid}
        assert all(fact is not None and fact[0] != "Z" for fact in facts), "the program's processes were not running"
        sandbox = Path(test["root"])
        assert sandbox.is_dir()
        victim = test["pid"] if fault.target == "worker" else inner.pid
        os.kill(victim, fault.signum)
        output = inner.communicate(timeout=60)[0].decode(errors="replace")

        assert inner.returncode == fault.returncode, output
        if fault.signum in (signal.SIGTERM, signal.SIGHUP):
            assert f"{signal.Signals(fault.signum).name} received" in output
        deadline = time.monotonic() + 10  # after a SIGKILL the watchdog does the work, just after the death
        while True:
            left = [pid for pid in reported if not wait_until_dead(pid, 0)] + _members(ids)
            if (not left and not sandbox.exists()) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert left == [], f"processes left running: {left}"
        assert not sandbox.exists(), f"the sandbox stays: {sorted(p.name for p in sandbox.iterdir())}"
        if "port" in made:
            assert not _port_open(int(made["port"])), "the program's port still listens"
        probes = [
            p
            for pid in {inner.pid, test["pid"]}
            for p in Path(tempfile.gettempdir()).glob(f"pytest-goenv-probe-{pid}-*")
        ]
        assert probes == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(inner.pid, signal.SIGKILL)
        inner.wait()
        for pid in reported:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_a_command_that_exited_is_not_held_by_what_it_left(goenv: GoEnv, tmp_path: Path) -> None:
    # The program prints a line and exits at once, leaving a grandchild in a session of its own that holds
    # stdout: the run is the program's (exit 0, its line), not "timed out", and the grandchild is ended.
    pidfile = tmp_path / "holder.pid"
    started = time.monotonic()
    result = goenv.exec("/bin/sh", "-c", f"echo printed; setsid sleep 40 & echo $! > {pidfile}; exit 0", timeout=30)
    took = time.monotonic() - started
    assert (result.ok, result.timed_out, result.stdout) == (True, False, "printed\n")
    assert took < 10, f"the run waited {took:.1f} s for a process holding its output"
    assert result.killed_after_exit == 1
    assert wait_until_dead(int(pidfile.read_text())), "the grandchild holding stdout outlived the command"
    assert "kept its output open" in result.describe()


def test_a_daemon_a_command_leaves_ends_with_it(goenv: GoEnv, tmp_path: Path) -> None:
    # A double fork into a session of its own, output to /dev/null: not in the command's group, not
    # holding its pipes, its parent gone. It is adopted (subreaper) and ended when the command ends.
    pidfile = tmp_path / "daemon.pid"
    result = goenv.exec("/bin/sh", "-c", f"(setsid sleep 40 </dev/null >/dev/null 2>&1 & echo $! > {pidfile}); echo ok")
    assert (result.ok, result.stdout, result.killed_after_exit) == (True, "ok\n", 0)
    assert wait_until_dead(int(pidfile.read_text())), "the daemon outlived the command"


def test_the_next_run_removes_what_a_killed_one_left(
    pytester: pytest.Pytester, tmp_path: Path, go_toolchain: GoToolchain
) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()  # its pid names a process that no longer runs
    temp = tmp_path / "tmp"
    stale_probe = temp / f"pytest-goenv-probe-{dead.pid}-abc123"
    live_probe = temp / f"pytest-goenv-probe-{os.getpid()}-def456"
    cache = tmp_path / "cache"
    staging = cache / "toolchains" / ".staging-go1.99.1-xyz"
    download = cache / "toolchains" / ".download-go1.99.1-uvw"
    for directory in (stale_probe / "home" / ".config", live_probe, staging / "bin", download):
        directory.mkdir(parents=True)
    (staging / "bin").chmod(0o555)  # as an extraction cut short may leave it
    pytester.makepyfile("def test_uses_go(go_toolchain):\n    pass\n")  # removal comes with the first use of Go
    env = {**os.environ, "TMPDIR": str(temp)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--go={go_toolchain.go}",
            f"--goenv-cache-dir={cache}",
        ],
        cwd=pytester.path,
        env={k: v for k, v in env.items() if not k.startswith("PYTEST_XDIST")},
        capture_output=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout.decode()
    assert not stale_probe.exists()
    assert live_probe.exists(), "a probe home of a running process was removed"
    assert not staging.exists()
    assert not download.exists()


CORE_RUN = """
import os, signal, sys, threading, time
from pathlib import Path
from pytest_goenv.base.process import run_process

pidfile = Path(sys.argv[1])
run_process(["true"], cwd=Path.cwd(), env=os.environ, timeout=60)  # the first command starts the watchdog
script = f"sleep 300 & echo $! > {pidfile}.tmp; mv {pidfile}.tmp {pidfile}; wait"
threading.Thread(target=run_process, args=(["sh", "-c", script],),
                 kwargs={"cwd": Path.cwd(), "env": os.environ, "timeout": 60}, daemon=True).start()
while not pidfile.exists():
    time.sleep(0.01)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_process_using_the_core_leaves_no_command_running(tmp_path: Path) -> None:
    # Without pytest: the watchdog, started by the first command (and not taken for its orphan),
    # kills the group of the command running when its process is killed.
    pidfile = tmp_path / "sleep.pid"
    done = subprocess.run([sys.executable, "-c", CORE_RUN, str(pidfile)], cwd=tmp_path, check=False, timeout=60)
    assert done.returncode == -signal.SIGKILL
    try:
        assert wait_until_dead(int(pidfile.read_text()), 10), "the command outlived its killed process"
    finally:
        with contextlib.suppress(ProcessLookupError, FileNotFoundError):
            os.kill(int(pidfile.read_text()), signal.SIGKILL)
