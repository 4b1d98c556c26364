"""The targets example.com/sysinfo supports, and which family_*.go file each one builds.

Shared by the constraint tests (which files build where), the cross-compile test (each target
compiles) and the program tests (what the program reports on this machine).
"""

from __future__ import annotations

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

UNIX = frozenset(target for target, file in FAMILY_FILE.items() if file in ("family_unix.go", "family_android.go"))
"""The targets that satisfy the `unix` constraint: with cgo on, they ask libc for the page size."""


def family_of(goos: str) -> str | None:
    """The `family` constant a program built for ``goos`` reports ("unix" from family_unix.go), or None
    when the table has no target of that GOOS."""
    files = {file for target, file in FAMILY_FILE.items() if target.split("/")[0] == goos}
    if len(files) > 1:
        raise ValueError(f"the target table gives GOOS={goos} more than one family file: {sorted(files)}")
    return files.pop().removeprefix("family_").removesuffix(".go") if files else None


def is_unix(goos: str) -> bool:
    """Whether ``goos`` satisfies the `unix` constraint, by the table."""
    return any(target.split("/")[0] == goos for target in UNIX)
