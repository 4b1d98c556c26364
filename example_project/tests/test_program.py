"""The sysinfo program builds with cgo on and off, and without cgo it is a static binary.

Two builds of a small program: with a warm build cache each is a link of about a
second. The binaries are then run, so the tests see which code path was compiled in.
"""

from __future__ import annotations

import json
import mmap
from pathlib import Path
from typing import Any

import pytest

from pytest_goenv.sandbox import GoEnv


def build_program(goenv: GoEnv, project: Path, *, cgo: bool) -> Path:
    """`go build` the program in cmd/ with CGO_ENABLED set; the workspace joins it to the library."""
    executable = goenv.tmpdir / ("sysinfo-cgo" if cgo else "sysinfo-nocgo")
    goenv.run("build", "-o", executable, "./cmd/sysinfo", cwd=project, env={"CGO_ENABLED": "1" if cgo else "0"})
    return executable


def run_program(goenv: GoEnv, executable: Path) -> dict[str, Any]:
    """What the program reports about this machine (its -json output)."""
    report: dict[str, Any] = json.loads(goenv.exec(executable, "-json").stdout)
    return report


@pytest.mark.cgo
def test_with_cgo_the_page_size_comes_from_libc(goenv: GoEnv, project: Path) -> None:
    executable = build_program(goenv, project, cgo=True)
    report = run_program(goenv, executable)
    assert report["source"] == "libc"
    assert report["page_size"] == mmap.PAGESIZE


def test_without_cgo_the_pure_go_fallback_is_built_in(goenv: GoEnv, project: Path) -> None:
    executable = build_program(goenv, project, cgo=False)
    report = run_program(goenv, executable)
    assert report == {
        "os": goenv.toolchain.goos,
        "arch": goenv.toolchain.goarch,
        "family": "unix",
        "page_size": mmap.PAGESIZE,
        "source": "go",
    }
