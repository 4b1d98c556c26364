"""Where the modules come from: the go.work, the local module proxy, or vendor/.

The go.work joins cmd/ to the library in this checkout, so the program always builds
against the code beside it; without the workspace (GOWORK=off), cmd/go.mod's
requirement is taken at its word and the last published release is fetched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pytest_goenv import GoProxy
from pytest_goenv.sandbox import GoEnv
from pytest_goenv.vendor import vendor_module


def module_info(goenv: GoEnv, module: str, cwd: Path, **env: str) -> dict[str, Any]:
    """`go list -m -json MODULE`: the version and directory the module resolves to."""
    info: dict[str, Any] = json.loads(goenv.run("list", "-m", "-json", module, cwd=cwd, env=env).stdout)
    return info


def test_the_workspace_resolves_the_library_to_this_checkout(
    goenv: GoEnv, project: Path, module_proxy: GoProxy
) -> None:
    library = module_info(goenv, "example.com/sysinfo", cwd=project / "cmd")
    assert library["Main"] is True
    assert Path(library["Dir"]) == project
    assert "Version" not in library

    goenv.run("build", "-o", os.devnull, "./sysinfo", cwd=project / "cmd")
    assert module_proxy.requested("example.com/units", "v1.2.0", kind="zip")
    # cmd/go.mod's requirement still puts v0.1.0's go.mod in the module graph, but its code is never fetched.
    assert not module_proxy.requested("example.com/sysinfo", kind="zip")


def test_without_the_workspace_cmd_gets_the_published_release(
    goenv: GoEnv, project: Path, module_proxy: GoProxy
) -> None:
    library = module_info(goenv, "example.com/sysinfo", cwd=project / "cmd", GOWORK="off")
    assert library["Version"] == "v0.1.0"
    assert module_proxy.requested("example.com/sysinfo", "v0.1.0")

    run = goenv.run("run", "./sysinfo", "-json", cwd=project / "cmd", env={"GOWORK": "off"})
    assert set(json.loads(run.stdout)) == {"os", "arch"}  # v0.1.0 knew nothing of families or pages
    downloaded = goenv.gomodcache / "example.com" / "sysinfo@v0.1.0"
    assert downloaded.is_dir()


def test_a_vendored_build_needs_neither_proxy_nor_module_cache(goenv: GoEnv, project: Path) -> None:
    goenv.setenv("GOWORK", "off")  # `go mod vendor` vendors one module, not a workspace
    vendored = vendor_module(goenv, project)  # also checks that vendor/modules.txt agrees with go.mod
    assert [(module.path, module.version) for module in vendored] == [("example.com/units", "v1.2.0")]

    goenv.run("clean", "-modcache")
    goenv.setenv("GOPROXY", "off")
    goenv.run("build", "./...", cwd=project)
    units = goenv.run("list", "-f", "{{.Dir}}", "example.com/units", cwd=project)
    assert Path(units.stdout.strip()) == project / "vendor" / "example.com" / "units"


def test_go_sum_lists_the_hashes_of_the_served_modules(checkout: Path, module_proxy: GoProxy) -> None:
    served = {line for module in module_proxy.modules() for line in module.go_sum.splitlines()}
    for go_sum in (checkout / "go.sum", checkout / "cmd" / "go.sum"):
        stale = set(go_sum.read_text().splitlines()) - served
        served_text = "\n".join(sorted(served))
        assert not stale, f"{go_sum.relative_to(checkout)} disagrees with testdata/mod; served:\n{served_text}"
