"""Where the modules come from: the go.work, the local module proxy, or vendor/.

The go.work joins cmd/ to the library in this checkout, so the program always builds
against the code beside it; without the workspace (GOWORK=off), cmd/go.mod's
requirement is taken at its word and the last published release is fetched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pytest_goenv import GoProxy
from pytest_goenv.assertions import assert_resolved, assert_vendored
from pytest_goenv.sandbox import GoEnv
from pytest_goenv.vendor import vendor_module


def test_the_workspace_resolves_the_library_to_this_checkout(
    goenv: GoEnv, project: Path, module_proxy: GoProxy
) -> None:
    workspace_modules = goenv.run("list", "-m", cwd=project / "cmd").stdout.split()
    assert workspace_modules == ["example.com/sysinfo", "example.com/sysinfo/cmd"]
    library = assert_resolved(goenv, "example.com/sysinfo", directory=project, cwd=project / "cmd")
    assert library.main
    assert library.version is None

    goenv.run("build", "-o", os.devnull, "./sysinfo", cwd=project / "cmd")
    assert module_proxy.requested("example.com/units", "v1.2.0", kind="zip")
    # cmd/go.mod's requirement still puts v0.1.0's go.mod in the module graph, but its code is never fetched.
    assert not module_proxy.requested("example.com/sysinfo", kind="zip")


def test_without_the_workspace_cmd_gets_the_published_release(
    goenv: GoEnv, project: Path, module_proxy: GoProxy
) -> None:
    goenv.setenv("GOWORK", "off")
    run = goenv.run("run", "./sysinfo", "-json", cwd=project / "cmd")
    assert set(json.loads(run.stdout)) == {"os", "arch"}  # v0.1.0 knew nothing of families or pages

    release = goenv.gomodcache / "example.com" / "sysinfo@v0.1.0"
    assert_resolved(goenv, "example.com/sysinfo", "v0.1.0", directory=release, cwd=project / "cmd")
    assert module_proxy.requested("example.com/sysinfo", "v0.1.0", kind="zip")


def test_a_vendored_build_needs_neither_proxy_nor_module_cache(goenv: GoEnv, project: Path) -> None:
    goenv.setenv("GOWORK", "off")  # `go mod vendor` vendors one module, not a workspace
    vendored = vendor_module(goenv, project)  # also checks that vendor/modules.txt agrees with go.mod
    assert [(module.path, module.version) for module in vendored] == [("example.com/units", "v1.2.0")]

    goenv.run("clean", "-modcache")
    goenv.setenv("GOPROXY", "off")
    goenv.run("build", "./...", cwd=project)
    assert_vendored(goenv, "./...", cwd=project)


def test_go_sum_lists_the_hashes_of_the_served_modules(checkout: Path, module_proxy: GoProxy) -> None:
    served = {line for module in module_proxy.modules() for line in module.go_sum.splitlines()}
    for go_sum in (checkout / "go.sum", checkout / "cmd" / "go.sum"):
        stale = set(go_sum.read_text().splitlines()) - served
        served_text = "\n".join(sorted(served))
        assert not stale, f"{go_sum.relative_to(checkout)} disagrees with testdata/mod; served:\n{served_text}"
