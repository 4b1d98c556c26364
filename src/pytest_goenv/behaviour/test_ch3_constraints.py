"""Chapter 3.2: GOOS/GOARCH and build constraints, checked with `go list` per target (no compiling)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_goenv.assertions import compiled_files
from pytest_goenv.sandbox import GoEnv
from pytest_goenv.verdicts import ClaimCheck

TARGETS = ("linux/amd64", "linux/arm64", "android/arm64", "darwin/arm64")
GO_BUILD = re.compile(r"^//go:build (.+)$", re.MULTILINE)
PLUS_BUILD = re.compile(r"^// \+build (.+)$", re.MULTILINE)


def compiled_per_target(goenv: GoEnv, check: ClaimCheck, module: Path) -> dict[str, list[str]]:
    """The files of the module's package compiled for each of TARGETS, recorded as evidence."""
    found = {}
    for target in TARGETS:
        goos, goarch = target.split("/")
        found[target] = compiled_files(goenv, ".", goos=goos, goarch=goarch, cwd=module)
    check.record(f"GOOS=... GOARCH=... go list -f '{{{{.GoFiles}}}}' . (for {', '.join(TARGETS)})",
                 "\n".join(f"{target}: {' '.join(files)}" for target, files in found.items()))
    return found


def header(path: Path) -> str:
    """The text of a Go file before its package clause (where build constraints live)."""
    text = path.read_text(errors="replace")
    end = re.search(r"^package ", text, re.MULTILINE)
    return text[: end.start()] if end else ""


def library_files(goroot: Path) -> list[Path]:
    """The standard library's non-test Go files (cmd/, vendor/ and testdata/ left out)."""
    skip = {"cmd", "vendor", "testdata"}
    return [path for path in (goroot / "src").rglob("*.go")
            if not path.name.endswith("_test.go") and not skip & set(path.relative_to(goroot / "src").parts)]


@pytest.mark.claim("ch3.2.build-constraint-exact-match", expect={">=1.19": "partly"})
def test_constraint_matching(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Files named _linux.go, _linux_arm64.go and one with //go:build linux && amd64, listed per target."""
    module = goenv.write_module("example.com/plat", {
        "all.go": "package plat\n",
        "x_linux.go": "package plat\n",
        "y_linux_arm64.go": "package plat\n",
        "z.go": "//go:build linux && amd64\n\npackage plat\n",
    })
    found = compiled_per_target(goenv, claim, module)
    claim.parts({
        "linux files are left out for darwin": not {"x_linux.go", "z.go"} & set(found["darwin/arm64"]),
        "_linux_arm64.go only for linux/arm64": "y_linux_arm64.go" in found["linux/arm64"]
        and "y_linux_arm64.go" not in found["linux/amd64"],
        "only GOOS=linux compiles _linux.go (not android)": "x_linux.go" not in found["android/arm64"],
    })


@pytest.mark.claim("ch3.2.unix-not-android-table", expect={">=1.19": "holds"})
def test_unix_not_android(goenv: GoEnv, claim: ClaimCheck) -> None:
    """A file with //go:build unix && !android, listed for the four targets of the document's table."""
    module = goenv.write_module("example.com/plat", {
        "all.go": "package plat\n", "u.go": "//go:build unix && !android\n\npackage plat\n",
    })
    found = compiled_per_target(goenv, claim, module)
    claim.parts({f"{target} {'includes' if target != 'android/arm64' else 'excludes'} it":
                 ("u.go" in found[target]) == (target != "android/arm64") for target in TARGETS})


@pytest.mark.claim("ch3.2.os-exec-unix-file", expect={">=1.19": "does-not-hold"})
def test_os_exec_unix_file(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Read the constraints of GOROOT/src/os/exec and look for StartProcess and ForkExec."""
    exec_dir = goenv.toolchain.goroot / "src" / "os" / "exec"
    files = sorted(p for p in exec_dir.glob("*.go") if not p.name.endswith("_test.go"))
    constraints = {p.name: GO_BUILD.findall(header(p)) + PLUS_BUILD.findall(header(p)) for p in files}
    claim.record("grep -E '^//(go:build| \\+build)' $GOROOT/src/os/exec/*.go",
                 "\n".join(f"{name}: {' | '.join(lines)}" for name, lines in constraints.items() if lines))
    texts = {p.name: p.read_text(errors="replace") for p in files}
    claim.parts({
        "a file with //go:build unix && !android": any("unix && !android" in " ".join(v) for v in constraints.values()),
        "with // +build unix,!android": any("unix,!android" in " ".join(v) for v in constraints.values()),
        "os/exec defines StartProcess": any("func StartProcess(" in text for text in texts.values()),
        "os/exec calls syscall.ForkExec": any("syscall.ForkExec(" in text for text in texts.values()),
    })


@pytest.mark.claim("ch3.2.plus-build-honoured", expect={"<1.22": "partly", ">=1.22": "does-not-hold"})
def test_standard_library_constraint_lines(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Count the standard library files constrained by //go:build and those that also carry // +build."""
    constrained, both = [], []
    for path in library_files(goenv.toolchain.goroot):
        text = header(path)
        if GO_BUILD.search(text) or PLUS_BUILD.search(text):
            constrained.append(path)
            if PLUS_BUILD.search(text) and GO_BUILD.search(text):
                both.append(path)
    share = len(both) / len(constrained) if constrained else 0.0
    example = both[0].relative_to(goenv.toolchain.goroot) if both else "(none)"
    claim.record("grep -l '^// +build' $GOROOT/src (standard library, non-test files)",
                 f"{len(both)} of {len(constrained)} constrained files carry both lines ({share:.1%}); e.g. {example}")
    detail = f"{len(both)} of {len(constrained)} constrained files have both lines"
    if share >= 0.5:
        claim.holds(detail)
    elif share >= 0.01:
        claim.partly(detail + " (most have only //go:build)")
    else:
        claim.does_not_hold(detail)
