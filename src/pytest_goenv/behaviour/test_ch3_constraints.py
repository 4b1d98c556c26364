"""Chapter 3.2: GOOS/GOARCH and build constraints, checked with `go list` per target (no compiling)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_goenv.assertions import compiled_files
from pytest_goenv.behaviour._experiments_ch234 import build_program
from pytest_goenv.behaviour._helpers import language
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.sandbox.goenv import GoEnv

TARGETS = ("linux/amd64", "linux/arm64", "android/arm64", "darwin/arm64")


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


EXEC_TARGETS = ("linux/amd64", "darwin/arm64", "android/arm64", "windows/amd64")
EXEC_PROGRAM = 'package main\n\nimport "os/exec"\n\nfunc main() { _ = exec.Command("true").Run() }\n'


@pytest.mark.claim("ch3.2.os-exec-unix-file", expect={">=1.19": "does-not-hold"})
def test_os_exec_unix_file(goenv: GoEnv, claim: ClaimCheck) -> None:
    """What the go command does with os/exec: its files per target (a `unix && !android` file is compiled for
    linux and darwin but not android or windows), `go doc` for StartProcess, and the calls its compiled code
    makes (objdump of a program using it). Which form the constraint line takes (`// +build` or `//go:build`)
    is text no command's behaviour tells apart, so it is not judged."""
    files = {target: compiled_files(goenv, "os/exec", goos=target.split("/")[0], goarch=target.split("/")[1])
             for target in EXEC_TARGETS}  # fmt: skip
    claim.record(
        "GOOS=... GOARCH=... go list -f '{{.GoFiles}}' os/exec",
        "\n".join(f"{target}: {' '.join(names)}" for target, names in files.items()),
    )
    unix_not_android = sorted(
        set(files["linux/amd64"])
        & set(files["darwin/arm64"]) - set(files["android/arm64"]) - set(files["windows/amd64"])
    )
    doc = claim.observe(goenv.run("doc", "os/exec.StartProcess", check=False))
    build, binary = build_program(goenv, claim, EXEC_PROGRAM, name="uses-exec")
    assert build.ok, build.describe()
    dump = goenv.run("tool", "objdump", "-s", r"^os/exec\.", str(binary), check=False)
    calls = sorted({line.split("CALL", 1)[1].strip() for line in dump.stdout.splitlines() if "CALL syscall." in line})
    claim.record("go tool objdump -s '^os/exec\\.' uses-exec | grep 'CALL syscall\\.'", "\n".join(calls) or "(no call)")
    claim.parts(
        {
            "os/exec has a file compiled for linux and darwin but not android (unix && !android)": bool(
                unix_not_android
            ),
            "os/exec defines StartProcess": doc.ok,
            "os/exec's code calls syscall.ForkExec": any("syscall.ForkExec" in call for call in calls),
        },
        f"files for linux and darwin only: {unix_not_android or 'none'}; os/exec calls into syscall: "
        f"{calls or 'nothing'}",
    )


def platform_names(goenv: GoEnv, check: ClaimCheck) -> set[str]:
    """Every GOOS and GOARCH the toolchain knows (``go tool dist list``)."""
    targets = check.observe(goenv.run("tool", "dist", "list"), grep="linux/")
    return {part for line in targets.stdout.split() for part in line.split("/")}


def named_for_a_platform(name: str, platforms: set[str]) -> bool:
    """Whether a file name carries an implicit constraint (``x_linux.go``, ``x_windows_amd64.go``)."""
    parts = name.removesuffix(".go").split("_")[1:]
    return bool(parts) and (parts[-1] in platforms or (len(parts) > 1 and parts[-2] in platforms))


STD_TARGETS = ("linux/amd64", "windows/amd64")


@pytest.mark.claim("ch3.2.stdlib-build-directives", expect={">=1.19": "holds"})
def test_standard_library_constraint_lines(goenv: GoEnv, claim: ClaimCheck) -> None:
    """`go list std` for linux/amd64 and windows/amd64: which files does the go command compile for one target
    and not the other although their names carry no platform (so a constraint line selected them)?

    The document gives no number for how much the library uses them, so none is imposed: the claim holds
    if the go command selects standard library files per platform by their lines."""
    platforms = platform_names(goenv, claim)
    template = "{{$d := .ImportPath}}{{range .GoFiles}}{{$d}}/{{.}}\n{{end}}"
    per_target: dict[str, set[str]] = {}
    for target in STD_TARGETS:
        goos, goarch = target.split("/")
        listing = goenv.run(
            "list", "-f", template, "std", env={"GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": "0"}, check=False
        )
        claim.observe(listing, grep=["os/exec/", "net/"])
        per_target[target] = set(listing.stdout.split())
    linux, windows = per_target[STD_TARGETS[0]], per_target[STD_TARGETS[1]]
    by_line = sorted(f for f in linux ^ windows if not named_for_a_platform(f.rsplit("/", 1)[1], platforms))
    claim.record(
        "files compiled for only one of the two targets, with no platform in their name", "\n".join(by_line[:8])
    )
    claim.holds_if(
        bool(by_line),
        f"{len(by_line)} standard library files are compiled for only one of {' and '.join(STD_TARGETS)} although "
        f"their names name no platform ({len(linux ^ windows)} differ in all)",
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
