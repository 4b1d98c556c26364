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
from target_table import family_of, is_unix

from pytest_goenv.assertions import assert_binary, assert_depends_on
from pytest_goenv.sandbox.goenv import GoEnv

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


def expected_family(goenv: GoEnv) -> str:
    """The `family` the program reports on this machine, by the target table; skips a GOOS the table lacks."""
    family = family_of(goenv.toolchain.goos)
    if family is None:
        pytest.skip(
            f"GOOS={goenv.toolchain.goos} is not in the target table (tests/target_table.py): "
            "add a target of it to say which family_*.go it builds"
        )
    return family


@pytest.mark.cgo
def test_with_cgo_the_program_links_libc_and_asks_it(goenv: GoEnv, project: Path) -> None:
    family = expected_family(goenv)
    executable = build_program(goenv, project, cgo=True)
    assert_binary(executable, cgo=True, package_path=PROGRAM)

    report = run_program(goenv, executable)
    assert report["family"] == family
    assert report["source"] == ("libc" if is_unix(goenv.toolchain.goos) else "go")  # pagesize_cgo.go: cgo && unix
    assert report["page_size"] == mmap.PAGESIZE

    if goenv.toolchain.goos != "linux":
        pytest.skip(
            f"the program ran as expected; whether it links libc dynamically is read from ELF headers, "
            f"and {goenv.toolchain.goos} executables are not ELF"
        )
    assert_binary(executable, static=False)


def test_without_cgo_the_program_is_static_and_pure_go(goenv: GoEnv, project: Path) -> None:
    family = expected_family(goenv)
    executable = build_program(goenv, project, cgo=False)
    # Only Linux gets a fully static binary: macOS programs always link libSystem; others are not checked.
    static = {"linux": True, "darwin": False}.get(goenv.toolchain.goos)
    assert_binary(executable, static=static, cgo=False, package_path=PROGRAM)

    report = run_program(goenv, executable)
    assert report == {
        "os": goenv.toolchain.goos,
        "arch": goenv.toolchain.goarch,
        "family": family,
        "page_size": mmap.PAGESIZE,
        "source": "go",
    }
