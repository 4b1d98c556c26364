"""Chapter 2.2: GOPATH and modules side by side: where does a dependency come from?"""

from __future__ import annotations

import pytest

from pytest_goenv.behaviour._experiments_ch234 import LIB, add_lib, package_dir, write_app
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.gopath import GoPath

GOPATH_LIB = {"lib.go": 'package lib\n\nconst Where = "gopath"\n'}


def under(path: str, directory: object) -> bool:
    return bool(path) and path.startswith(str(directory))


@pytest.mark.claim("ch2.2.gomod-lookup-order", expect={">=1.19": "partly"})
def test_lookup_order(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """v1.0.0 and v1.1.0 on the proxy: a replace beats both; the locked v1.0.0 beats the proxy's newer v1.1.0;
    and is it go.sum that locks it (a go.sum line for v1.0.0 without a require in go.mod)?"""
    lib = add_lib(go_proxy)
    newer = add_lib(go_proxy, "v1.1.0")
    goenv.use_proxy(go_proxy)
    goenv.write_module(LIB, GOPATH_LIB | {"go.mod": f"module {LIB}\n\ngo 1.21\n"}, dest="lib-local")
    replaced = write_app(goenv, [lib], dest="replaced", extra=f"replace {LIB} => ../lib-local\n")
    with_replace = claim.observe(package_dir(goenv, LIB, replaced)).stdout.strip()
    locked = write_app(goenv, [lib], dest="locked")
    from_lock = claim.observe(package_dir(goenv, LIB, locked)).stdout.strip()
    unlocked = write_app(goenv, [], dest="gosum-only")
    (unlocked / "go.sum").write_text(lib.go_sum)
    (unlocked / "go.mod").write_text("module example.com/app\n\ngo 1.17\n")  # a go line go1.19's tidy accepts
    tidied = claim.observe(goenv.run("mod", "tidy", cwd=unlocked, check=False), grep="go:")
    selected = claim.observe(goenv.run("list", "-m", "-f", "{{.Version}}", LIB, cwd=unlocked, check=False))
    claim.parts(
        {
            "a local replace wins over the locked version and the proxy": under(
                with_replace, goenv.workdir / "lib-local"
            ),
            f"the locked {lib.version} is loaded although the proxy offers {newer.version}": under(
                from_lock, goenv.gomodcache
            )
            and from_lock.endswith(f"@{lib.version}")
            and go_proxy.requested(LIB, lib.version, "zip"),
            f"a go.sum line for {lib.version} (no require in go.mod) locks that version": tidied.ok
            and selected.stdout.strip() == lib.version,
        },
        f"go.sum holds {lib.version} only, go.mod no require: go mod tidy "
        + (
            f"selected {selected.stdout.strip() or 'nothing'}"
            if tidied.ok
            else f"failed ({tidied.stderr.strip()[:100]!r})"
        )
        + "; the version comes from go.mod's require line, go.sum only holds hashes to check it against",
    )


@pytest.mark.claim("ch2.2.no-gomod-gopath-fallback", expect={">=1.19": "does-not-hold"})
def test_no_gomod_falls_back_to_gopath(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Without go.mod (and GO111MODULE unset), is a package in $GOPATH/src found?"""
    GoPath(goenv).add_package(LIB, GOPATH_LIB)
    app = goenv.write_files({"main.go": f'package main\n\nimport _ "{LIB}"\n\nfunc main() {{}}\n'}, "nomod")
    gomod = claim.observe(goenv.run("env", "GO111MODULE", "GOMOD", cwd=app, env={"GO111MODULE": None}))
    found = claim.observe(package_dir(goenv, LIB, app, env={"GO111MODULE": None}))
    claim.holds_if(
        found.ok and under(found.stdout.strip(), goenv.gopath / "src"),
        "the GOPATH package was "
        + ("found" if found.ok else "not found: module mode without a go.mod")
        + f"; go env GO111MODULE GOMOD = {gomod.stdout.split()}",
    )


@pytest.mark.claim("ch2.2.gomod-forces-module-mode", expect={">=1.19": "holds"})
def test_gomod_forces_module_mode(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """Under the section's GO111MODULE=on, with a go.mod: module mode, dependencies from GOMODCACHE or vendor/.

    GO111MODULE=off is shown as evidence only: the document says (section 2.3) that it turns modules off."""
    lib = add_lib(go_proxy)
    goenv.use_proxy(go_proxy)
    goenv.setenv("GO111MODULE", "on")
    app = write_app(goenv, [lib])
    gomod = claim.observe(goenv.run("env", "GOMOD", cwd=app)).stdout.strip()
    cached = claim.observe(package_dir(goenv, LIB, app)).stdout.strip()
    claim.observe(goenv.run("mod", "vendor", cwd=app, check=False))
    vendored = claim.observe(package_dir(goenv, LIB, app)).stdout.strip()
    off = claim.observe(goenv.run("env", "GOMOD", cwd=app, env={"GO111MODULE": "off"})).stdout.strip()
    claim.parts(
        {
            "module mode is on (GOMOD names the go.mod)": gomod == str(app / "go.mod"),
            "dependencies come from GOMODCACHE": under(cached, goenv.gomodcache),
            "dependencies come from ./vendor once it exists": under(vendored, app / "vendor"),
        },
        f"with GO111MODULE=off instead, GOMOD is {repr(off) if off else 'empty'} (as section 2.3 says, modules "
        "are off)",
    )


@pytest.mark.claim("ch2.2.gopath-never-overrides-gomod", expect={">=1.19": "holds"})
def test_gopath_never_overrides_gomod(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """The same import path in $GOPATH/src and required in go.mod: the module version is loaded."""
    lib = add_lib(go_proxy)
    goenv.use_proxy(go_proxy)
    GoPath(goenv).add_package(LIB, GOPATH_LIB)
    app = write_app(goenv, [lib])
    default = claim.observe(package_dir(goenv, LIB, app)).stdout.strip()
    forced = claim.observe(package_dir(goenv, LIB, app, env={"GO111MODULE": "on"})).stdout.strip()
    claim.parts(
        {
            "module mode by default loads the go.mod version": under(default, goenv.gomodcache),
            "GO111MODULE=on loads the go.mod version": under(forced, goenv.gomodcache),
        }
    )


@pytest.mark.claim("ch2.2.go-list-m-all-paths", expect={">=1.19": "partly"})
def test_go_list_m_all_shows_paths(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """Does `go list -m all` show where each dependency is loaded from?"""
    lib = add_lib(go_proxy)
    other = add_lib(go_proxy, path="example.com/other")
    goenv.use_proxy(go_proxy)
    goenv.write_module("example.com/other", {"lib.go": "package lib\n"}, dest="other-local")
    app = write_app(
        goenv, [lib, other], imports=(LIB, "example.com/other"), extra="replace example.com/other => ../other-local\n"
    )
    listing = claim.observe(goenv.run("list", "-m", "all", cwd=app))
    lines = listing.stdout.splitlines()
    lib_line = next((line for line in lines if line.startswith(LIB + " ")), "")
    other_line = next((line for line in lines if line.startswith("example.com/other ")), "")
    claim.parts(
        {
            "a proxy-fetched dependency is shown with the directory it is loaded from": str(goenv.gomodcache)
            in lib_line,
            "a replaced dependency is shown with its replacement directory": "../other-local" in other_line,
        },
        f"lines: {lib_line!r}, {other_line!r}",
    )
