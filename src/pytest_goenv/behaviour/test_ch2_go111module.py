"""Chapter 2.3: GO111MODULE=on/off/auto and what each does to go.mod and vendor/."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_goenv.behaviour._experiments_ch234 import LIB, add_lib, package_dir, write_app
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.gopath import GoPath

MAIN = f'package main\n\nimport _ "{LIB}"\n\nfunc main() {{}}\n'


def lib_files(where: str) -> dict[str, str]:
    return {"lib.go": f'package lib\n\nconst Where = "{where}"\n'}


def vendored_app(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> Path:
    """example.com/app requiring example.com/lib from the proxy, vendored with `go mod vendor`."""
    lib = add_lib(go_proxy)
    app = write_app(goenv, [lib])
    claim.observe(goenv.run("mod", "vendor", cwd=app, env={"GOPROXY": go_proxy.url}))
    return app


@pytest.mark.claim("ch2.3.go111module-three-states", expect={">=1.19": "holds"})
def test_three_states(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GO111MODULE accepts on, off and auto (and unset); is any other value refused?"""
    app = goenv.write_module("example.com/app", {"main.go": "package main\n\nfunc main() {}\n"})
    accepted = {}
    for value in ("on", "off", "auto", "maybe"):
        result = claim.observe(
            goenv.run("list", "-f", "{{.Dir}}", ".", cwd=app, env={"GO111MODULE": value}, check=False)
        )
        accepted[value] = result.ok and "GO111MODULE" not in result.stderr
    claim.parts(
        {
            "on, off and auto are accepted": accepted["on"] and accepted["off"] and accepted["auto"],
            "another value (maybe) is refused": not accepted["maybe"],
        }
    )


@pytest.mark.claim("ch2.3.on-ignores-vendor", expect={">=1.19": "does-not-hold"})
def test_on_ignores_vendor(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GO111MODULE=on in a module with vendor/ (go 1.21 in go.mod): where is the dependency loaded from?"""
    app = vendored_app(goenv, go_proxy, claim)
    loaded = claim.observe(package_dir(goenv, LIB, app, env={"GO111MODULE": "on", "GOPROXY": "off"}))
    in_vendor = loaded.ok and loaded.stdout.strip().startswith(str(app / "vendor"))
    claim.holds_if(not in_vendor, f"{LIB} loaded from {loaded.stdout.strip() or 'nowhere'}")


@pytest.mark.claim("ch2.3.on-requires-gomod", expect={">=1.19": "partly"})
def test_on_requires_gomod(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GO111MODULE=on without a go.mod: `go build .` and `go run hello.go`."""
    hello = 'package main\n\nfunc main() { println("hello") }\n'
    directory = goenv.write_files({"hello.go": hello}, "nomod")
    env = {"GO111MODULE": "on"}
    build = claim.observe(
        goenv.run("build", "-o", str(goenv.tmpdir / "hello"), ".", cwd=directory, env=env, check=False)
    )
    run = claim.observe(goenv.run("run", "hello.go", cwd=directory, env=env, check=False))
    claim.parts(
        {
            "go build . fails without go.mod": not build.ok,
            "go run hello.go fails without go.mod": not run.ok,
        }
    )


@pytest.mark.claim("ch2.3.off-uses-vendor-gopath", expect={">=1.19": "holds"})
def test_off_uses_gopath_and_vendor(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GO111MODULE=off in $GOPATH/src/example.com/app with vendor/: module system off, vendor copy first."""
    gopath = GoPath(goenv)
    gopath.add_package(LIB, lib_files("gopath"))
    app = gopath.add_package(
        "example.com/app",
        {
            "main.go": MAIN,
            f"vendor/{LIB}/lib.go": lib_files("vendor")["lib.go"],
            "go.mod": "module example.com/app\n\ngo 1.21\n",
        },
    )
    env = {"GO111MODULE": "off"}
    modules = claim.observe(goenv.run("list", "-m", cwd=app, env=env, check=False))
    deps = claim.observe(
        goenv.run("list", "-deps", "-f", "{{.ImportPath}} {{.Dir}}", ".", cwd=app, env=env, check=False)
    )
    lib_dirs = [line.split(" ", 1)[1] for line in deps.stdout.splitlines() if line.split(" ")[0].endswith(LIB)]
    claim.parts(
        {
            "the module system is off (go list -m refused)": not modules.ok,
            "the vendor/ copy is used before the GOPATH copy": lib_dirs == [str(app / "vendor" / LIB)],
        }
    )


@pytest.mark.claim("ch2.3.auto-current-dir", expect={">=1.19": "partly"})
def test_auto_looks_at_current_dir_only(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GO111MODULE=auto in a module root, in a subdirectory of it, and where no go.mod exists."""
    app = goenv.write_module(
        "example.com/app", {"main.go": "package main\n\nfunc main() {}\n", "sub/sub.go": "package sub\n"}
    )
    plain = goenv.write_files({"p.go": "package p\n"}, "plain")
    env = {"GO111MODULE": "auto"}

    def gomod(cwd: Path) -> str:
        return claim.observe(goenv.run("env", "GOMOD", cwd=cwd, env=env)).stdout.strip()

    at_root, in_sub, outside = gomod(app), gomod(app / "sub"), gomod(plain)
    claim.parts(
        {
            "go.mod in the current directory: module mode": at_root == str(app / "go.mod"),
            "no go.mod at all: GOPATH mode": outside == "",
            "go.mod only in a parent directory: GOPATH mode": in_sub == "",
        }
    )


@pytest.mark.claim("ch2.3.off-with-gomod-error", expect={">=1.19": "partly"})
def test_off_with_gomod_outside_gopath(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GO111MODULE=off, go.mod present, outside GOPATH: does go build fail, and with which message?"""
    lib = add_lib(go_proxy)
    app = write_app(goenv, [lib])
    build = claim.observe(
        goenv.run("build", "-o", str(goenv.tmpdir / "app"), ".", cwd=app, env={"GO111MODULE": "off"}, check=False)
    )
    claim.parts(
        {
            "go build fails": not build.ok,
            "with 'cannot find module providing package'": "cannot find module providing package" in build.stderr,
        },
        (build.stderr.strip().splitlines() or [""])[0],
    )


@pytest.mark.claim("ch2.3.off-vendor-ignored-outside-gopath", expect={">=1.19": "holds"})
def test_off_ignores_vendor_outside_gopath(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GO111MODULE=off, a project with vendor/ outside $GOPATH/src: is the vendored package found?"""
    app = goenv.write_files({"main.go": MAIN, f"vendor/{LIB}/lib.go": lib_files("vendor")["lib.go"]}, "outside")
    found = claim.observe(package_dir(goenv, LIB, app, env={"GO111MODULE": "off"}))
    claim.holds_if(
        not found.ok, "vendored package " + ("not found" if not found.ok else f"found at {found.stdout.strip()}")
    )
