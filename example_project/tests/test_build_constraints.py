"""Which files of package sysinfo build on which targets.

`go list` answers without compiling anything, so a table of targets costs well under
a second. The targets are checked against `go tool dist list` of the toolchain under
test: a target it does not know is an error, not a silently skipped row.
"""

from __future__ import annotations

from pathlib import Path

from pytest_goenv.assertions import assert_targets
from pytest_goenv.sandbox import GoEnv

FAMILY_FILE = {
    "linux/amd64": "family_unix.go",
    "linux/arm64": "family_unix.go",
    "darwin/arm64": "family_unix.go",
    "freebsd/amd64": "family_unix.go",
    "android/arm64": "family_android.go",  # android satisfies `unix` and `linux`: only `!android` keeps it out
    "windows/amd64": "family_windows.go",
    "js/wasm": "family_other.go",
    "plan9/amd64": "family_other.go",
}
"""Each target builds exactly one family_*.go: two would redeclare `family`, none would leave it undefined."""

UNIX = {target for target, family in FAMILY_FILE.items() if family in ("family_unix.go", "family_android.go")}


def test_without_cgo_every_target_uses_the_pure_go_page_size(goenv: GoEnv, project: Path) -> None:
    assert_targets(
        goenv,
        ".",
        {target: [family, "pagesize_nocgo.go", "sysinfo.go"] for target, family in FAMILY_FILE.items()},
        cgo=False,
        cwd=project,
    )


def test_with_cgo_unix_targets_ask_libc_and_the_others_fall_back(goenv: GoEnv, project: Path) -> None:
    assert_targets(
        goenv,
        ".",
        {
            target: [family, "pagesize_cgo.go" if target in UNIX else "pagesize_nocgo.go", "sysinfo.go"]
            for target, family in FAMILY_FILE.items()
        },
        cgo=True,
        cwd=project,
    )
