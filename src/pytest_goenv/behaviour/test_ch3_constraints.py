"""Chapter 3.2: GOOS/GOARCH and build constraints, checked with `go list` per target (no compiling)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_goenv.assertions import compiled_files
from pytest_goenv.behaviour._helpers import language
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.sandbox.goenv import GoEnv

TARGETS = ("linux/amd64", "linux/arm64", "android/arm64", "darwin/arm64")
GO_BUILD = re.compile(r"^//go:build (.+)$", re.MULTILINE)
PLUS_BUILD = re.compile(r"^// \+build (.+)$", re.MULTILINE)


def compiled_per_target(goenv: GoEnv, check: ClaimCheck, module: Path) -> dict[str, list[str]]:
    """The files of the module's package compiled for each of TARGETS, recorded as evidence."""
    found = {}
    for target in TARGETS:
        goos, goarch = target.split("/")
        found[target] = compiled_files(goenv, ".", goos=goos, goarch=goarch, cwd=module)
    check.record(
        f"GOOS=... GOARCH=... go list -f '{{{{.GoFiles}}}}' . (for {', '.join(TARGETS)})",
        "\n".join(f"{target}: {' '.join(files)}" for target, files in found.items()),
    )
    return found


def header(path: Path) -> str:
    """The text of a Go file before its package clause (where build constraints live)."""
    text = path.read_text(errors="replace")
    end = re.search(r"^package ", text, re.MULTILINE)
    return text[: end.start()] if end else ""


def library_files(goroot: Path) -> list[Path]:
    """The standard library's non-test Go files (cmd/, vendor/ and testdata/ left out)."""
    skip = {"cmd", "vendor", "testdata"}
    return [
        path
        for path in (goroot / "src").rglob("*.go")
        if not path.name.endswith("_test.go") and not skip & set(path.relative_to(goroot / "src").parts)
    ]


@pytest.mark.claim("ch3.2.build-constraint-exact-match", expect={">=1.19": "partly"})
def test_constraint_matching(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Files named _linux.go, _linux_arm64.go and one with //go:build linux && amd64, listed per target."""
    module = goenv.write_module(
        "example.com/plat",
        {
            "all.go": "package plat\n",
            "x_linux.go": "package plat\n",
            "y_linux_arm64.go": "package plat\n",
            "z.go": "//go:build linux && amd64\n\npackage plat\n",
        },
    )
    found = compiled_per_target(goenv, claim, module)
    claim.parts(
        {
            "linux files are left out for darwin": not {"x_linux.go", "z.go"} & set(found["darwin/arm64"]),
            "_linux_arm64.go only for linux/arm64": "y_linux_arm64.go" in found["linux/arm64"]
            and "y_linux_arm64.go" not in found["linux/amd64"],
            "only GOOS=linux compiles _linux.go (not android)": "x_linux.go" not in found["android/arm64"],
        }
    )


@pytest.mark.claim("ch3.2.unix-not-android-table", expect={">=1.19": "holds"})
def test_unix_not_android(goenv: GoEnv, claim: ClaimCheck) -> None:
    """A file with //go:build unix && !android, listed for the four targets of the document's table."""
    module = goenv.write_module(
        "example.com/plat",
        {
            "all.go": "package plat\n",
            "u.go": "//go:build unix && !android\n\npackage plat\n",
        },
    )
    found = compiled_per_target(goenv, claim, module)
    claim.parts(
        {
            f"{target} {'includes' if target != 'android/arm64' else 'excludes'} it": ("u.go" in found[target])
            == (target != "android/arm64")
            for target in TARGETS
        }
    )


@pytest.mark.claim("ch3.2.os-exec-unix-file", expect={">=1.19": "does-not-hold"})
def test_os_exec_unix_file(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Read the constraints of GOROOT/src/os/exec and look for StartProcess and ForkExec."""
    exec_dir = goenv.toolchain.goroot / "src" / "os" / "exec"
    files = sorted(p for p in exec_dir.glob("*.go") if not p.name.endswith("_test.go"))
    constraints = {p.name: GO_BUILD.findall(header(p)) + PLUS_BUILD.findall(header(p)) for p in files}
    claim.record(
        "grep -E '^//(go:build| \\+build)' $GOROOT/src/os/exec/*.go",
        "\n".join(f"{name}: {' | '.join(lines)}" for name, lines in constraints.items() if lines),
    )
    texts = {p.name: p.read_text(errors="replace") for p in files}
    claim.parts(
        {
            "a file with //go:build unix && !android": any(
                "unix && !android" in " ".join(v) for v in constraints.values()
            ),
            "with // +build unix,!android": any("unix,!android" in " ".join(v) for v in constraints.values()),
            "os/exec defines StartProcess": any("func StartProcess(" in text for text in texts.values()),
            "os/exec calls syscall.ForkExec": any("syscall.ForkExec(" in text for text in texts.values()),
        }
    )


def platform_names(goenv: GoEnv, check: ClaimCheck) -> set[str]:
    """Every GOOS and GOARCH the toolchain knows (``go tool dist list``), plus the ``unix`` tag."""
    targets = check.observe(goenv.run("tool", "dist", "list"), grep="linux/")
    return {"unix", *(part for line in targets.stdout.split() for part in line.split("/"))}


@pytest.mark.claim("ch3.2.stdlib-build-directives", expect={">=1.19": "holds"})
def test_standard_library_constraint_lines(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Read the constraint lines of the standard library's files and keep those naming a platform.

    The document gives no number for how much the library uses them, so none is imposed: the claim holds
    if platform files are selected by such lines, and the counts per form are the evidence.
    """
    platforms = platform_names(goenv, claim)
    forms = {"//go:build only": 0, "// +build only": 0, "both": 0}
    packages = set()
    for path in library_files(goenv.toolchain.goroot):
        text = header(path)
        new, old = GO_BUILD.findall(text), PLUS_BUILD.findall(text)
        names = set(re.findall(r"[A-Za-z0-9_]+", " ".join(new + old)))
        if not names & platforms:
            continue
        forms["both" if new and old else "//go:build only" if new else "// +build only"] += 1
        packages.add(path.parent)
    claim.record(
        "grep -lE '^//(go:build| \\+build) .*(GOOS|GOARCH|unix)' $GOROOT/src (non-test, no cmd/vendor)",
        f"{sum(forms.values())} files in {len(packages)} directories: "
        + ", ".join(f"{form}: {count}" for form, count in forms.items()),
    )
    claim.holds_if(
        sum(forms.values()) > 0,
        f"{sum(forms.values())} standard library files in {len(packages)} directories are selected per "
        f"platform by these lines ({forms})",
    )


@pytest.mark.claim("ch3.2.plus-build-honoured", expect={">=1.19": "holds"})
def test_plus_build_line_honoured(goenv: GoEnv, claim: ClaimCheck) -> None:
    """A file whose only constraint is `// +build linux`, listed for linux/amd64 and darwin/arm64, in a module
    declaring the toolchain's own language version and one declaring go 1.16 (before //go:build)."""
    files = {"all.go": "package plat\n", "old.go": "// +build linux\n\npackage plat\n"}
    parts = {}
    for go_line in sorted({language(goenv), "1.16"}):
        module = goenv.write_module("example.com/plat", files, go=go_line, dest=f"go{go_line}")
        found = {
            target: compiled_files(goenv, ".", goos=target.split("/")[0], goarch=target.split("/")[1], cwd=module)
            for target in ("linux/amd64", "darwin/arm64")
        }
        claim.record(
            f"(module with go {go_line}) GOOS=... GOARCH=... go list -f '{{{{.GoFiles}}}}' .",
            "\n".join(f"{target}: {' '.join(names)}" for target, names in found.items()),
        )
        parts[f"go {go_line}: compiled for linux, left out for darwin"] = (
            "old.go" in found["linux/amd64"] and "old.go" not in found["darwin/arm64"]
        )
    claim.parts(parts)
