"""The sysinfo program builds with cgo on and off, and without cgo it is a static binary.

Two builds of a small program: with a warm build cache each is a link of about a
second. The binaries are read in Python (ELF headers and the build info the go command
embeds), then run, so the tests also see which code path was compiled in.
"""

from __future__ import annotations

import json
import mmap
from pathlib import Path
from typing import Any

import pytest

from pytest_goenv.assertions import assert_binary, assert_depends_on
from pytest_goenv.sandbox import GoEnv

PROGRAM = "example.com/sysinfo/cmd/sysinfo"


def build_program(goenv: GoEnv, project: Path, *, cgo: bool) -> Path:
    """`go build` the program in cmd/ with CGO_ENABLED set; the workspace joins it to the library."""
    executable = goenv.tmpdir / ("sysinfo-cgo" if cgo else "sysinfo-nocgo")
    goenv.run("build", "-o", executable, "./cmd/sysinfo", cwd=project, env={"CGO_ENABLED": "1" if cgo else "0"})
    assert_depends_on(executable, "example.com/units", "v1.2.0")
    assert_depends_on(executable, "example.com/sysinfo", "(devel)")  # the workspace's copy, not v0.1.0
    return executable


def run_program(goenv: GoEnv, executable: Path) -> dict[str, Any]:
    """What the program reports about this machine (its -json output)."""
    report: dict[str, Any] = json.loads(goenv.exec(executable, "-json").stdout)
    return report


@pytest.mark.cgo
def test_with_cgo_the_program_links_libc_and_asks_it(goenv: GoEnv, project: Path) -> None:
    executable = build_program(goenv, project, cgo=True)
    assert_binary(executable, static=False, cgo=True, package_path=PROGRAM)

    report = run_program(goenv, executable)
    assert report["source"] == "libc"
    assert report["page_size"] == mmap.PAGESIZE


def test_without_cgo_the_program_is_static_and_pure_go(goenv: GoEnv, project: Path) -> None:
    executable = build_program(goenv, project, cgo=False)
    # Only Linux gets a fully static binary: macOS programs always link libSystem.
    static = goenv.toolchain.goos == "linux"
    assert_binary(executable, static=static, cgo=False, package_path=PROGRAM)

    report = run_program(goenv, executable)
    assert report == {
        "os": goenv.toolchain.goos,
        "arch": goenv.toolchain.goarch,
        "family": "unix",
        "page_size": mmap.PAGESIZE,
        "source": "go",
    }
