"""Where the modules come from: the go.work, the local module proxy, or vendor/.

The go.work joins cmd/ to the library in this checkout, so the program always builds
against the code beside it; without the workspace (GOWORK=off), cmd/go.mod's
requirement is taken at its word and the last published release is fetched.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from pytest_goenv import GoProxy
from pytest_goenv.assertions import assert_resolved, assert_succeeded, assert_vendored, vendor_module
from pytest_goenv.sandbox.goenv import GoEnv


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


@pytest.mark.parametrize("module", [".", "cmd"])
def test_each_module_builds_alone_from_its_go_sum(
    goenv: GoEnv, project: Path, module_proxy: GoProxy, module: str
) -> None:
    """With GOWORK=off and the default -mod=readonly, a go.sum line missing is an error, not a fetch.

    `go vet` type-checks every package of the module with its tests, so a dependency only a
    test imports counts too.
    """
    goenv.setenv("GOWORK", "off")
    served = "\n".join(line for version in module_proxy.modules() for line in version.go_sum.splitlines())
    fix = (
        f"fix it in {module}/ with `GOWORK=off GOPROXY=$(python tests/local_proxy.py) go mod tidy`; "
        f"the go.sum lines the proxy serves:\n{served}"
    )
    vet = goenv.run("vet", "./...", cwd=project / module, check=False)
    if not vet.ok:
        pytest.fail(f"{module}/go.mod and go.sum do not build on their own; {fix}\n{vet.describe()}")

    go_sum = project / module / "go.sum"
    committed = set(go_sum.read_text().splitlines())
    goenv.run("mod", "tidy", cwd=project / module)
    stale = committed - set(go_sum.read_text().splitlines())
    assert not stale, f"{module}/go.sum has lines `go mod tidy` drops: {sorted(stale)}; {fix}"


def test_the_readme_proxy_serves_go_test_outside_pytest(goenv: GoEnv, project: Path) -> None:
    """`GOPROXY=$(python tests/local_proxy.py) go test ./...`, as README.md tells you to run it."""
    script = Path(__file__).with_name("local_proxy.py")
    printed = goenv.exec(sys.executable, script, goenv.tmpdir / "goproxy").stdout.strip()
    assert printed.startswith("file://"), f"{script.name} printed {printed!r}, not a file:// GOPROXY"

    assert_succeeded(
        goenv.run("test", "./...", cwd=project, env={"GOPROXY": printed}),
        stdout=r"(?m)^ok\s+example\.com/sysinfo\s",
    )
