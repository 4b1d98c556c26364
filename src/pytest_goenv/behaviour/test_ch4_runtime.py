"""Chapters 4.2 and 4.3: GOTRACEBACK, GOTMPDIR and go-build work directories, GOMAXPROCS and GOMEMLIMIT."""

from __future__ import annotations

import pytest

from pytest_goenv.behaviour._experiments_ch234 import goroot_text, leftover_work_dirs, output_lines, runtime_probe
from pytest_goenv.gotrace import parse_traceback
from pytest_goenv.sandbox import GoEnv
from pytest_goenv.verdicts import ClaimCheck

TRACE_LINES = ["panic:", "fatal error:", "goroutine ", "main.main", "exit status"]
MAX_INT64 = 2**63 - 1


@pytest.mark.claim("ch4.2.gotraceback0-fatal-only", expect={">=1.19": "partly"})
def test_gotraceback_zero(goenv: GoEnv, claim: ClaimCheck) -> None:
    """A panicking program run with GOTRACEBACK=0."""
    probe = runtime_probe(goenv, claim)
    run = claim.observe(goenv.exec(probe, "panic", env={"GOTRACEBACK": "0"}, check=False))
    traceback = parse_traceback(run.stderr)
    claim.parts({
        "no goroutine stack is printed": traceback is not None and not traceback.goroutines,
        "only a 'fatal error: ...' line is printed": run.stderr.lstrip().startswith("fatal error:"),
    }, f"exit status {run.returncode}, first line {(run.stderr.strip().splitlines() or [''])[0]!r}")


@pytest.mark.claim("ch4.2.gotraceback-all-system", expect={">=1.19": "holds"})
def test_gotraceback_all_and_system(goenv: GoEnv, claim: ClaimCheck) -> None:
    """The same panic (three other goroutines blocked) with GOTRACEBACK unset, all and system."""
    probe = runtime_probe(goenv, claim)
    counts = {}
    for level in ("single", "all", "system"):
        run = claim.observe(goenv.exec(probe, "panic", env={"GOTRACEBACK": level}, check=False),
                            grep=["panic:", "goroutine "])
        traceback = parse_traceback(run.stderr)
        counts[level] = len(traceback.goroutines) if traceback else 0
    claim.parts({
        "all shows every goroutine": counts["all"] >= 4 > counts["single"],
        "system shows every goroutine": counts["system"] >= 4 > counts["single"],
    }, f"goroutines printed: {counts}")


@pytest.mark.claim("ch4.2.gotmpdir-unwritable-silent", expect={">=1.19": "does-not-hold"})
def test_gotmpdir_unusable(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GOTMPDIR below a regular file (no directory can be made there, even by root): what does go build do?"""
    module = goenv.write_module("example.com/p", {"p.go": "package p\n"})
    blocker = goenv.root / "not-a-directory"
    blocker.write_text("")
    result = claim.observe(goenv.run("build", "./...", cwd=module, env={"GOTMPDIR": str(blocker / "tmp")},
                                     check=False))
    left = leftover_work_dirs(goenv.tmpdir)
    claim.record("ls $TMPDIR | grep go-build", "\n".join(left) or "(none)")
    claim.parts({
        "the go command fails without a message": not result.ok and not result.stderr.strip(),
        "it leaves go-build* directories behind": bool(left),
    })


@pytest.mark.claim("ch4.2.go-build-dirs-left", expect={">=1.19": "does-not-hold"})
def test_go_build_dirs_removed(goenv: GoEnv, claim: ClaimCheck) -> None:
    """go build, go run and go test in a fresh GOTMPDIR: are go-build* directories left when they exit?"""
    workdir = goenv.root / "gotmp"
    workdir.mkdir()
    goenv.setenv("GOTMPDIR", str(workdir))
    module = goenv.write_module("example.com/m", {"main.go": "package main\n\nfunc main() {}\n",
                                                  "main_test.go": "package main\n"},
                                go=goenv.toolchain.version.language)
    for args in (("build", "-o", str(goenv.root / "m"), "."), ("run", "."), ("test", ".")):
        claim.observe(goenv.run(*args, cwd=module))
    left = leftover_work_dirs(workdir)
    claim.record("ls $GOTMPDIR", "\n".join(left) or "(empty)")
    claim.holds_if(bool(left), f"{len(left)} go-build* directories left after three go commands")


@pytest.mark.claim("ch4.3.gomaxprocs-0-cgroup", expect={"<1.25": "does-not-hold", ">=1.25": "partly"})
def test_gomaxprocs_zero(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GOMAXPROCS=0 against GOMAXPROCS unset; does the runtime's documentation speak of cgroup CPU limits?"""
    probe = runtime_probe(goenv, claim)
    unset = output_lines(claim.observe(goenv.exec(probe, "limits", env={"GOMAXPROCS": None})), "gomaxprocs")
    zero = output_lines(claim.observe(goenv.exec(probe, "limits", env={"GOMAXPROCS": "0"})), "gomaxprocs")
    doc = goroot_text(goenv, "src/runtime/extern.go") + goroot_text(goenv, "src/runtime/debug.go")
    cgroup = [line.strip() for line in doc.splitlines() if "cgroup" in line.lower()]
    claim.record("grep -i cgroup $GOROOT/src/runtime/extern.go $GOROOT/src/runtime/debug.go",
                 "\n".join(cgroup[:6]) or "(none)")
    claim.parts({
        "the runtime can take GOMAXPROCS from the cgroup CPU limit": bool(cgroup),
        "GOMAXPROCS=0 is what turns it on (it differs from leaving it unset)": zero != unset,
    }, f"GOMAXPROCS unset -> {unset}, GOMAXPROCS=0 -> {zero}")


@pytest.mark.claim("ch4.3.gomemlimit-0-auto", expect={">=1.19": "does-not-hold"})
def test_gomemlimit_zero(goenv: GoEnv, claim: ClaimCheck) -> None:
    """The memory limit the runtime reports with GOMEMLIMIT=0 and unset."""
    probe = runtime_probe(goenv, claim)
    unset = output_lines(claim.observe(goenv.exec(probe, "limits", env={"GOMEMLIMIT": None})), "memlimit")
    zero = output_lines(claim.observe(goenv.exec(probe, "limits", env={"GOMEMLIMIT": "0"})), "memlimit")
    derived = bool(zero) and zero[0] not in ("0", str(MAX_INT64))
    claim.holds_if(derived, f"debug.SetMemoryLimit(-1): GOMEMLIMIT unset -> {unset}, GOMEMLIMIT=0 -> {zero}")


@pytest.mark.claim("ch4.3.gomaxprocs-call-zero", expect={">=1.19": "does-not-hold"})
def test_gomaxprocs_call_zero(goenv: GoEnv, claim: ClaimCheck) -> None:
    """After runtime.GOMAXPROCS(1), does runtime.GOMAXPROCS(0) bring back the default, or only report?"""
    probe = runtime_probe(goenv, claim)
    run = claim.observe(goenv.exec(probe, "limits", env={"GOMAXPROCS": None}))
    default, after = output_lines(run, "gomaxprocs"), output_lines(run, "after-set-1")
    claim.holds_if(after == default and after != ["1"],
                   f"default {default}; runtime.GOMAXPROCS(1) then runtime.GOMAXPROCS(0) -> {after}")
