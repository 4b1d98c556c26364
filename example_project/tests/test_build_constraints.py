"""Which files of package sysinfo build on which targets, and that each target compiles.

`go list` answers which files are chosen without compiling anything, so a table of
targets costs well under a second; the targets are checked against `go tool dist list`
of the toolchain under test: a target it does not know is an error, not a silently
skipped row. Choosing the right files is not compiling them: a file only one target
builds can name an undefined constant or a wrong type, and only a build for that target
says so. Cross-compiling the library package for every target compiles the standard
library it imports for each target: about 4 s per target the first time a toolchain
meets it, a fraction of a second each from the shared build cache after that.
"""

from __future__ import annotations

from pathlib import Path

from target_table import FAMILY_FILE, UNIX

from pytest_goenv.assertions import BuildAssertionError, assert_succeeded, assert_targets
from pytest_goenv.sandbox.goenv import GoEnv


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


def test_the_library_compiles_for_every_target(goenv: GoEnv, project: Path) -> None:
    """`go build .` of the library package (no tests, no program, nothing linked) per target, cgo off."""
    failures = []
    for target in FAMILY_FILE:
        goos, goarch = target.split("/")
        build = goenv.run(
            "build", ".", cwd=project, check=False, env={"GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": "0"}
        )
        try:
            assert_succeeded(build)
        except BuildAssertionError as failure:
            failures.append((target, str(failure)))
    assert not failures, (
        f"example.com/sysinfo does not compile for {', '.join(target for target, _ in failures)} "
        f"({len(failures)} of {len(FAMILY_FILE)} targets, CGO_ENABLED=0):\n"
        + "\n".join(f"{target}: {report}" for target, report in failures)
    )
