"""Chapter 3.3: go.work files: discovery, implicit use, go line, relative paths, validation."""

from __future__ import annotations

import pytest

from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.workspace import GoWorkspace

A_GO = 'package a\n\nimport "example.com/b"\n\n// V comes from the other workspace module.\nconst V = b.V\n'
B_GO = "package b\n\n// V is used by example.com/a.\nconst V = 1\n"


def two_modules(ws: GoWorkspace) -> None:
    """Module a (importing b) and module b, both used by go.work; neither is on any proxy."""
    ws.add_module("a", "example.com/a", {"a.go": A_GO, "sub/sub.go": "package sub\n", "a_test.go": "package a\n"})
    ws.add_module("b", "example.com/b", {"b.go": B_GO})


@pytest.mark.claim("ch3.3.gowork-parent-discovery", expect={">=1.19": "holds"})
@pytest.mark.claim("ch3.3.gowork-implicit-use", expect={">=1.19": "holds"})
@pytest.mark.claim("ch3.3.gowork-over-gomod", expect={">=1.19": "holds"})
def test_workspace_found_and_used(goenv: GoEnv, go_workspace: GoWorkspace, claims: dict[str, ClaimCheck]) -> None:
    """From module a (and a directory below it): which go.work, which main modules, do builds resolve b?"""
    found = claims["ch3.3.gowork-parent-discovery"]
    implicit = claims["ch3.3.gowork-implicit-use"]
    over = claims["ch3.3.gowork-over-gomod"]
    two_modules(go_workspace)
    expected = str(go_workspace.go_work)
    here = found.observe(go_workspace.run("env", "GOWORK", cwd="."))
    below = found.observe(go_workspace.run("env", "GOWORK", cwd="a/sub"))
    found.parts(
        {
            "go.work in the current directory": here.stdout.strip() == expected,
            "go.work two directories up": below.stdout.strip() == expected,
        }
    )
    results = {
        verb: implicit.observe(go_workspace.run(*args, cwd="a", check=False))
        for verb, args in {
            "build": ("build", "./..."),
            "test": ("test", "./..."),
            "list": ("list", "-deps", "./..."),
        }.items()
    }
    implicit.parts(
        {f"go {verb} resolves example.com/b from the workspace": result.ok for verb, result in results.items()}
    )
    mains = over.observe(go_workspace.run("list", "-m", cwd="a")).stdout.split()
    gowork = over.observe(go_workspace.run("env", "GOWORK", cwd="a")).stdout.strip()
    over.parts(
        {
            "inside a module with its own go.mod the go.work file is used": gowork == expected,
            "the workspace's modules are all main modules": mains == ["example.com/a", "example.com/b"],
        }
    )


@pytest.mark.claim("ch3.3.gowork-go-line-minimum", expect={"<1.21": "does-not-hold", ">=1.21": "holds"})
def test_gowork_go_line(goenv: GoEnv, claim: ClaimCheck) -> None:
    """A go.work whose go line is newer than the toolchain (GOTOOLCHAIN=local); one naming the toolchain's own
    language version is the control (accepted, or the experiment says nothing)."""
    older = GoWorkspace(goenv, "older", go=goenv.toolchain.version.language)
    two_modules(older)
    accepted = claim.observe(older.run("list", "-m", cwd="a", check=False))
    if not accepted.ok:
        raise AssertionError(f"the workspace with the toolchain's own go line fails:\n{accepted.describe()}")
    newer = GoWorkspace(goenv, "newer", go="1.999")
    two_modules(newer)
    refused = claim.observe(newer.run("list", "-m", cwd="a", check=False))
    claim.holds_if(
        not refused.ok and "1.999" in refused.stderr,
        "a go.work declaring go 1.999 is "
        + ("refused, naming 1.999" if not refused.ok and "1.999" in refused.stderr else "accepted")
        + f" by {goenv.toolchain.name}; one declaring its own version works",
    )


@pytest.mark.claim("ch3.3.gowork-use-relative", expect={">=1.19": "holds"})
def test_use_paths_relative_to_gowork(goenv: GoEnv, go_workspace: GoWorkspace, claim: ClaimCheck) -> None:
    """Run from a directory deep below go.work, outside every module: where are ./a and ./b?"""
    two_modules(go_workspace)
    listing = claim.observe(go_workspace.run("list", "-m", "-f", "{{.Path}} {{.Dir}}", cwd="tools/deep"))
    dirs = dict(line.split(" ", 1) for line in listing.stdout.splitlines() if " " in line)
    claim.holds_if(
        dirs == {"example.com/a": str(go_workspace.dir("a")), "example.com/b": str(go_workspace.dir("b"))},
        f"modules resolved to {sorted(dirs.values())}",
    )


@pytest.mark.claim("ch3.3.gowork-validates-paths", expect={">=1.19": "holds"})
def test_gowork_validated(goenv: GoEnv, claim: ClaimCheck) -> None:
    """A go.work with a syntax error, and one whose use path does not exist."""
    broken = GoWorkspace(goenv, "broken")
    two_modules(broken)
    broken.go_work.write_text(broken.render().replace("use (", "use ((") + "\nfrobnicate ./a\n")
    syntax = claim.observe(broken.run("list", "-m", cwd="a", check=False))
    missing = GoWorkspace(goenv, "missing")
    two_modules(missing)
    missing.go_work.write_text(missing.render().replace("./b", "./no-such-dir"))
    absent = claim.observe(missing.run("list", "-m", cwd="a", check=False))
    claim.parts(
        {
            "a syntax error is reported": not syntax.ok and "go.work" in syntax.stderr,
            "a use path that does not exist is reported": not absent.ok and "no-such-dir" in absent.stderr,
        }
    )


@pytest.mark.claim("ch3.3.goexperiment-workfile", expect={">=1.19": "does-not-hold"})
def test_goexperiment_workfile(goenv: GoEnv, go_workspace: GoWorkspace, claim: ClaimCheck) -> None:
    """Is there a GOEXPERIMENT=workfile whose behaviour a go.work could override?"""
    two_modules(go_workspace)
    result = claim.observe(go_workspace.run("list", "-m", cwd="a", env={"GOEXPERIMENT": "workfile"}, check=False))
    claim.holds_if(
        result.ok,
        "GOEXPERIMENT=workfile "
        + ("accepted" if result.ok else "refused: " + (result.stderr.strip().splitlines() or [""])[0]),
    )
