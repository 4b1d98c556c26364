"""Runtime trace assertions refuse a run that did not finish: its trace was cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_goenv.assertions import (
    RuntimeAssertionError,
    assert_gctrace,
    assert_schedtrace,
    parse_gctrace,
    run_program,
)
from pytest_goenv.sandbox.goenv import GoEnv

MAIN = """package main

import (
\t"os"
\t"runtime"
)

func main() {
\tfor i := 0; i < 3; i++ {
\t\truntime.GC()
\t}
\tif len(os.Args) > 1 {
\t\tos.Exit(3)
\t}
}
"""


@pytest.fixture
def program(goenv: GoEnv) -> Path:
    moddir = goenv.write_module("example.com/gcexit", {"main.go": MAIN})
    exe = goenv.tmpdir / "gcexit"
    goenv.run("build", "-o", exe, ".", cwd=moddir, env={"CGO_ENABLED": "0"})
    return exe


def test_trace_of_a_failed_run_is_not_judged(goenv: GoEnv, program: Path) -> None:
    assert_gctrace(run_program(goenv, program, godebug={"gctrace": 1}, gomaxprocs=1), forced=1)
    failed = run_program(goenv, program, "exit", godebug={"gctrace": 1}, gomaxprocs=1)
    assert failed.returncode == 3
    assert parse_gctrace(failed.stderr)  # the trace is there, but the run failed
    with pytest.raises(RuntimeAssertionError) as failure:
        assert_gctrace(failed, forced=1)
    message = str(failure.value)
    assert message.startswith(
        "expected `gcexit exit` to run to the end and print its gctrace, but it exited with status 3 after "
    )
    assert "command: " in message
    assert "GODEBUG=gctrace=1" in message
    scheduled = run_program(goenv, program, "exit", godebug={"schedtrace": 1})
    with pytest.raises(
        RuntimeAssertionError,
        match=r"to run to the end and print its schedtrace, but it exited "
        r"with status 3",
    ):
        assert_schedtrace(scheduled, min_records=0)
