"""Chapter 2.1: GOROOT and GOROOT_FINAL, checked by building a program that prints runtime.GOROOT().

GOROOT_FINAL (until Go 1.22) only rewrote the GOROOT paths recorded in binaries; from Go 1.23 it
has no effect. Nothing in any version compares it with GOROOT or panics over a mismatch.
"""

from __future__ import annotations

import pytest

from pytest_goenv.behaviour._experiments_ch234 import build_program, inapplicable, output_lines
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.readers.executables import find_strings, recorded_files
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

PROBE = """package main

import (
	"os"
	"runtime"
)

func main() {
	os.Stdout.WriteString("goroot=" + runtime.GOROOT() + "\\n")
	if exe, err := os.Executable(); err != nil {
		os.Stdout.WriteString("executable-error=" + err.Error() + "\\n")
	} else {
		os.Stdout.WriteString("executable=" + exe + "\\n")
	}
}
"""

FINAL_A = "/opt/goroot-final-a"
FINAL_B = "/opt/goroot-final-b"
ELSEWHERE = "/opt/goroot-at-run-time"  # any path: runtime.GOROOT() only reports it
CROSS = {"GOOS": "linux", "GOARCH": "386"}  # runs on linux/amd64 hosts, so the probe can be executed
MISMATCH = "GOROOT mismatch"
DOCKER_GOROOT = "/usr/local/go"  # where the document says CGO_ENABLED=0 builds get their GOROOT from


def build_and_run(
    goenv: GoEnv, checks: list[ClaimCheck], name: str, env: dict[str, str | None]
) -> tuple[GoResult, GoResult | None]:
    """Build the probe with ``env`` and run it (GOROOT unset) if it built; both results recorded on ``checks``."""
    build, binary = build_program(goenv, None, PROBE, name=name, env=env)
    run, failure = None, ""
    if build.ok:
        try:
            run = goenv.exec(binary, check=False, env={"GOROOT": None})
        except OSError as exc:  # a cross-compiled binary this host cannot execute
            failure = f"cannot run here: {exc}"
    for check in checks:
        check.observe(build)
        if run is not None:
            check.observe(run)
        elif failure:
            check.record(f"$SANDBOX/bin/{name}", failure)
    return build, run


def cross_runs_here(goenv: GoEnv) -> bool:
    return goenv.toolchain.goos == "linux" and goenv.toolchain.goarch == "amd64"


@pytest.mark.claim("ch2.1.goroot-final-mismatch-panic", expect={">=1.19": "does-not-hold"})
@pytest.mark.claim("ch2.1.goroot-final-check-at-build", expect={">=1.19": "does-not-hold"})
@pytest.mark.claim("ch2.1.mismatch-cgo0-or-cross", expect={">=1.19": "does-not-hold"})
def test_goroot_final_mismatch(goenv: GoEnv, claims: dict[str, ClaimCheck]) -> None:
    """Build and run with GOROOT_FINAL different from GOROOT: natively, with CGO_ENABLED=0 and cross-compiled."""
    panic = claims["ch2.1.goroot-final-mismatch-panic"]
    at_build = claims["ch2.1.goroot-final-check-at-build"]
    easier = claims["ch2.1.mismatch-cgo0-or-cross"]
    native, native_run = build_and_run(goenv, [panic, at_build], "native", {"GOROOT_FINAL": FINAL_A})
    cgo0, cgo0_run = build_and_run(goenv, [panic, easier], "cgo0", {"GOROOT_FINAL": FINAL_A, "CGO_ENABLED": "0"})
    outputs = [native, native_run, cgo0, cgo0_run]
    if cross_runs_here(goenv):
        cross, cross_run = build_and_run(goenv, [panic, easier], "cross", {"GOROOT_FINAL": FINAL_A, **CROSS})
        outputs += [cross, cross_run]
    seen = [r for r in outputs if r is not None and MISMATCH in r.output]
    panic.holds_if(bool(seen), f"{MISMATCH!r} printed by {len(seen)} of the builds and runs")
    at_build.holds_if(
        not native.ok,
        "go build with GOROOT_FINAL != GOROOT " + ("failed" if not native.ok else "succeeded (no check at build)"),
    )
    special = [r for r in outputs[2:] if r is not None and MISMATCH in r.output]
    easier.holds_if(bool(special), f"{MISMATCH!r} in {len(special)} CGO_ENABLED=0 / cross-compiled builds and runs")


@pytest.mark.claim("ch2.1.cross-compile-needs-goroot-final", expect={">=1.19": "does-not-hold"})
@pytest.mark.claim("ch2.1.goroot-final-cross-rewrite", expect={">=1.19": "does-not-hold"})
def test_cross_compile_without_goroot_final(goenv: GoEnv, claims: dict[str, ClaimCheck]) -> None:
    """Cross-compile with GOROOT set and no GOROOT_FINAL, then run the binary (linux/386 runs on linux/amd64)."""
    needs = claims["ch2.1.cross-compile-needs-goroot-final"]
    rewrite = claims["ch2.1.goroot-final-cross-rewrite"]
    if not cross_runs_here(goenv):
        inapplicable(
            f"the linux/386 probe cannot run on a {goenv.toolchain.goos}/{goenv.toolchain.goarch} host", needs, rewrite
        )
    goroot = str(goenv.toolchain.goroot)
    build, run = build_and_run(goenv, [needs, rewrite], "cross", {"GOROOT": goroot, "GOROOT_FINAL": None, **CROSS})
    if build.ok and run is None:
        inapplicable("this host cannot execute linux/386 binaries", needs, rewrite)
    works = build.ok and run is not None and run.ok
    needs.holds_if(not works, "cross build and run " + ("worked" if works else "broke") + " without GOROOT_FINAL")
    if run is None:
        rewrite.does_not_hold("the cross build failed, nothing was rewritten")
        return
    reported = output_lines(run, "goroot")
    exe_errors = output_lines(run, "executable-error")
    rewritten = bool(reported) and reported[0] != goroot
    rewrite.parts(
        {
            "GOROOT of the cross-compiled binary rewritten to another path": rewritten,
            "os.Executable() fails in the cross-compiled binary": bool(exe_errors),
        },
        f"runtime.GOROOT()={reported[:1]}",
    )


@pytest.mark.claim("ch2.1.goroot-final-cgo0-overwritten", expect={">=1.19": "does-not-hold"})
def test_cgo0_does_not_set_goroot_final(goenv: GoEnv, claim: ClaimCheck) -> None:
    """With CGO_ENABLED=0 and no GOROOT_FINAL, does /usr/local/go end up in the binary where a
    CGO_ENABLED=1 build of the same program (the control) has the toolchain's real GOROOT?"""
    goroot = goenv.toolchain.goroot
    if DOCKER_GOROOT in (str(goroot), str(goroot.resolve())):
        inapplicable(
            f"the toolchain itself lives in {DOCKER_GOROOT}, so a binary recording it cannot be "
            "told apart from one whose GOROOT was overwritten to it",
            claim,
        )
    build, run = build_and_run(goenv, [claim], "cgo0-plain", {"CGO_ENABLED": "0", "GOROOT_FINAL": None})
    control_env: dict[str, str | None] = {"CGO_ENABLED": "1", "GOROOT_FINAL": None}
    control_build, control_run = build_and_run(goenv, [claim], "cgo1-plain", control_env)
    assert run is not None, build.describe()
    assert control_run is not None, control_build.describe()
    hits = find_strings(goenv.root / "bin" / "cgo0-plain", DOCKER_GOROOT)
    control_hits = find_strings(goenv.root / "bin" / "cgo1-plain", DOCKER_GOROOT)
    claim.record(f"strings $SANDBOX/bin/cgo0-plain | grep {DOCKER_GOROOT}", "\n".join(hits[:5]) or "(none)")
    reported, control = output_lines(run, "goroot")[:1], output_lines(control_run, "goroot")[:1]
    claim.holds_if(
        (reported == [DOCKER_GOROOT] and control != [DOCKER_GOROOT]) or len(hits) > len(control_hits),
        f"toolchain GOROOT {goroot}; runtime.GOROOT() with CGO_ENABLED=0: {reported}, with CGO_ENABLED=1: "
        f"{control}; {DOCKER_GOROOT} strings in the binary: {len(hits)} (CGO_ENABLED=1: {len(control_hits)})",
    )


@pytest.mark.claim("ch2.1.goroot-final-fallback-goroot", expect={">=1.19": "holds"})
def test_goroot_final_falls_back_to_goroot(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Without GOROOT_FINAL the binary records the real GOROOT (runtime.GOROOT() and the line table)."""
    build, run = build_and_run(goenv, [claim], "plain", {"GOROOT_FINAL": None})
    assert run is not None, build.describe()
    goroot = str(goenv.toolchain.goroot)
    files = [f for f in recorded_files(goenv.root / "bin" / "plain") if f.endswith("/runtime/proc.go")]
    claim.record("recorded source path of runtime/proc.go in $SANDBOX/bin/plain", "\n".join(files) or "(none)")
    reported = output_lines(run, "goroot")
    claim.parts(
        {
            "runtime.GOROOT() of the binary is GOROOT": reported[:1] == [goroot],
            "recorded standard library paths are under GOROOT": bool(files)
            and all(f.startswith(goroot) for f in files),
        },
    )


@pytest.mark.claim("ch2.1.goroot-final-frozen", expect={">=1.19": "does-not-hold"})
def test_goroot_final_can_change(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Build with GOROOT_FINAL=A, then with GOROOT_FINAL=B: is the second binary still tied to A?"""
    _build_a, run_a = build_and_run(goenv, [claim], "final-a", {"GOROOT_FINAL": FINAL_A})
    _build_b, run_b = build_and_run(goenv, [claim], "final-b", {"GOROOT_FINAL": FINAL_B})
    assert run_a is not None
    assert run_b is not None
    first, second = output_lines(run_a, "goroot")[:1], output_lines(run_b, "goroot")[:1]
    effect = "GOROOT_FINAL honoured" if first == [FINAL_A] else "GOROOT_FINAL has no effect"
    claim.holds_if(second == [FINAL_A], f"{effect}; first build reports {first}, second build reports {second}")


@pytest.mark.claim("ch2.1.goroot-variable", expect={">=1.19": "holds"})
def test_goroot_variable(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Run one built program with GOROOT unset and set to another path; point the go command at the
    installation through another path (a symlink) and ask where GOROOT and the standard library are."""
    build, binary = build_program(goenv, claim, PROBE, name="plain", env={"GOROOT_FINAL": None})
    assert build.ok, build.describe()
    default = output_lines(claim.observe(goenv.exec(binary, env={"GOROOT": None})), "goroot")
    moved = output_lines(claim.observe(goenv.exec(binary, env={"GOROOT": ELSEWHERE})), "goroot")
    link = goenv.root / "goroot-link"
    link.symlink_to(goenv.toolchain.goroot, target_is_directory=True)
    told = claim.observe(goenv.run("env", "GOROOT", env={"GOROOT": str(link)}))
    fmt_dir = claim.observe(goenv.run("list", "-f", "{{.Dir}}", "fmt", env={"GOROOT": str(link)}))
    claim.parts(
        {
            "at run time: runtime.GOROOT() reports the $GOROOT the program runs with": moved[:1] == [ELSEWHERE],
            "at build time: the go command uses the GOROOT it is given": told.stdout.strip() == str(link)
            and fmt_dir.stdout.strip() == str(link / "src" / "fmt"),
        },
        f"runtime.GOROOT(): GOROOT unset -> {default[:1]}, GOROOT={ELSEWHERE} -> {moved[:1]}",
    )
