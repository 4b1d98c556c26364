"""Chapter 1 of the cheat sheet: the key variables, their defaults and sources."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytest_goenv.behaviour._experiments_ch234 import (
    LOOKUP,
    build_program,
    checksum_database,
    download,
    pure_go_resolver,
    tamper,
)
from pytest_goenv.behaviour._helpers import DEP, DEP_FILES, importer_module, language
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

NO_IMPORTS = "package p\n\n// F needs nothing but the compiler.\nfunc F() int { return 1 }\n"
HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'


def lib_module(goenv: GoEnv, name: str = "p") -> Path:
    """A module with one package that imports nothing: building it compiles only that package."""
    return goenv.write_module(f"example.com/{name}", {"p.go": NO_IMPORTS}, go=language(goenv), dest=name)


@pytest.mark.claim("ch1.six-required-variables", expect="does-not-hold")
def test_no_variable_is_required(goenv: GoEnv, claim: ClaimCheck) -> None:
    names = [
        "GOROOT",
        "GOPATH",
        "GOMODCACHE",
        "GOCACHE",
        "GOBIN",
        "GOENV",
        "GOPROXY",
        "GOSUMDB",
        "GOTOOLCHAIN",
        "GOTMPDIR",
        "GOFLAGS",
        "GO111MODULE",
    ]
    for name in names:
        goenv.delenv(name)
    module = lib_module(goenv)
    result = claim.observe(goenv.run("build", "./...", cwd=module, check=False))
    claim.holds_if(
        not result.ok, f"`go build` {'failed' if not result.ok else 'worked'} with none of {', '.join(names)} set"
    )


@pytest.mark.claim("ch1.gocacheverify-modcache", expect="does-not-hold")
def test_gocacheverify_does_not_check_module_cache(goenv: GoEnv, dep_proxy: GoProxy, claim: ClaimCheck) -> None:
    module = importer_module(goenv)
    goenv.run("mod", "download", DEP, cwd=module)
    goenv.run("mod", "tidy", cwd=module)  # go.sum lines, so later commands need no network
    dep_dir = goenv.gomodcache / f"{DEP}@v1.0.0"
    (dep_dir / "dep.go").write_text(DEP_FILES["dep.go"] + "\n// changed after download\n")
    build = claim.observe(goenv.run("build", "./...", cwd=module, check=False, env={"GODEBUG": "gocacheverify=1"}))
    verify = claim.observe(goenv.run("mod", "verify", cwd=module, check=False))
    detected_by_build = not build.ok and DEP in build.output
    claim.holds_if(
        detected_by_build,
        f"a file changed in the module cache: GODEBUG=gocacheverify=1 go build "
        f"{'refused it' if detected_by_build else 'did not notice'}; `go mod verify` "
        f"{'reports it' if not verify.ok else 'does not report it either'}",
    )


@pytest.mark.claim("ch1.goroot-final-install-rewrite", expect={"<1.23": "holds", ">=1.23": "does-not-hold"})
def test_goroot_final_rewrite(goenv: GoEnv, claim: ClaimCheck) -> None:
    module = goenv.write_module("example.com/hello", {"main.go": HELLO}, go=language(goenv), dest="hello")
    goenv.delenv("GOROOT")
    goenv.setenv("GOBIN", str(goenv.root / "bin"))
    claim.observe(goenv.run("install", ".", cwd=module, env={"GOROOT_FINAL": "/opt/fakeroot"}))
    binary = (goenv.root / "bin" / "hello").read_bytes()
    rewritten = binary.count(b"/opt/fakeroot/src/")
    original = binary.count(os.path.realpath(goenv.toolchain.goroot).encode() + b"/src/")
    claim.record(
        "grep -c -a -e /opt/fakeroot/src/ -e $GOROOT/src/ $SANDBOX/bin/hello",
        f"/opt/fakeroot/src/: {rewritten}\n$GOROOT/src/: {original}",
    )
    claim.holds_if(
        rewritten > 0 and original == 0,
        f"the binary names /opt/fakeroot/src/ {rewritten} times and the real GOROOT {original} times",
    )


@pytest.mark.claim("ch1.goroot-must-be-install-root", expect="holds")
def test_goroot_must_be_the_install_root(goenv: GoEnv, claim: ClaimCheck) -> None:
    elsewhere = goenv.root / "not-a-goroot"
    elsewhere.mkdir()
    wrong = claim.observe(goenv.run("list", "fmt", env={"GOROOT": str(elsewhere)}, check=False))
    missing = claim.observe(goenv.run("list", "fmt", env={"GOROOT": str(goenv.root / "missing")}, check=False))
    right = claim.observe(goenv.run("list", "fmt", env={"GOROOT": str(goenv.toolchain.goroot)}, check=False))
    if not right.ok:  # the control: with the installation root the same command works
        raise AssertionError(f"`go list fmt` fails even with the real GOROOT:\n{right.describe()}")
    claim.parts(
        {
            "a GOROOT without Go in it breaks `go list fmt`": not wrong.ok,
            "a GOROOT that does not exist breaks it": not missing.ok,
        }
    )


@pytest.mark.claim("ch1.goroot-autodetect", expect="holds")
def test_goroot_autodetect(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.delenv("GOROOT")
    real = os.path.realpath(goenv.toolchain.goroot)
    direct = claim.observe(goenv.run("env", "GOROOT"))
    link = goenv.root / "elsewhere" / "go"
    link.parent.mkdir()
    link.symlink_to(goenv.toolchain.go)
    linked = claim.observe(goenv.exec(link, "env", "GOROOT"))
    claim.parts(
        {
            "found from the go binary's path": os.path.realpath(direct.stdout.strip()) == real,
            "found through a symlink to bin/go elsewhere": os.path.realpath(linked.stdout.strip()) == real,
        }
    )


@pytest.mark.claim("ch1.module-mode-default", expect="holds")
def test_module_mode_default(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GO111MODULE unset: module mode inside a module and, unlike the old "auto", also outside one."""
    goenv.delenv("GO111MODULE")
    module = lib_module(goenv)
    outside = goenv.workdir / "no-module"
    outside.mkdir()
    setting = claim.observe(goenv.run("env", "GO111MODULE"))
    listed = claim.observe(goenv.run("list", "-m", cwd=module, check=False))
    gomod = claim.observe(goenv.run("env", "GOMOD", cwd=outside))
    inside_ok = listed.ok and listed.stdout.strip() == "example.com/p"
    # Module mode without a main module reports GOMOD=/dev/null; GOPATH mode reports it empty.
    outside_modules = gomod.stdout.strip() == os.devnull
    claim.holds_if(
        inside_ok and outside_modules,
        f"GO111MODULE={setting.stdout.strip()!r}: in a module `go list -m` "
        + ("names it" if inside_ok else "fails")
        + f"; in a directory without go.mod `go env GOMOD` prints {gomod.stdout.strip()!r} ("
        + ("module mode" if outside_modules else "not module mode")
        + "). Not checked: the document's date (Go 1.18), which needs a toolchain older than the "
        "1.19 the suite starts at (Go 1.16 made module mode the default)",
    )


@pytest.mark.claim("ch1.gopath-go-get-outside-module", expect="does-not-hold")
def test_go_get_outside_module(goenv: GoEnv, dep_proxy: GoProxy, claim: ClaimCheck) -> None:
    empty = goenv.workdir / "empty"
    empty.mkdir()
    result = claim.observe(goenv.run("get", f"{DEP}@v1.0.0", cwd=empty, check=False))
    in_gopath = (goenv.gopath / "src" / DEP).exists() or (goenv.gomodcache / f"{DEP}@v1.0.0").exists()
    claim.holds_if(result.ok and in_gopath, "`go get` outside a module " + ("worked" if result.ok else "is refused"))


@pytest.mark.claim("ch1.gopath-go-list-dir", expect="does-not-hold")
def test_go_list_reads_gopath(goenv: GoEnv, claim: ClaimCheck) -> None:
    """In module mode (the default), does `go list -f '{{.Dir}}'` find a package under $GOPATH/src?"""
    goenv.delenv("GO111MODULE")
    legacy = goenv.gopath / "src" / "example.com" / "legacy"
    goenv.write_files({"legacy.go": "package legacy\n"}, dest=legacy)
    module = lib_module(goenv)
    args = ("list", "-f", "{{.Dir}}", "example.com/legacy")
    from_module = claim.observe(goenv.run(*args, cwd=module, check=False))
    from_gopath = claim.observe(goenv.run(*args[:-1], ".", cwd=legacy, check=False))
    gopath_mode = claim.observe(goenv.run(*args, cwd=legacy, env={"GO111MODULE": "off"}, check=False))

    def found(result: GoResult) -> bool:
        return result.ok and result.stdout.strip() == str(legacy)

    claim.parts(
        {
            "found from inside a module": found(from_module),
            "found as `.` in its own $GOPATH/src directory (no go.mod there)": found(from_gopath),
        },
        "module mode (GO111MODULE unset); GOPATH mode (GO111MODULE=off) "
        + ("finds it" if found(gopath_mode) else "does not find it either"),
    )


@pytest.mark.claim("ch1.gomodcache-default", expect="holds")
def test_gomodcache_default(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.delenv("GOMODCACHE")
    result = claim.observe(goenv.run("env", "GOMODCACHE"))
    expected = goenv.gopath / "pkg" / "mod"
    claim.holds_if(result.stdout.strip() == str(expected), f"GOMODCACHE defaults to {result.stdout.strip()}")


@pytest.mark.claim("ch1.gomodcache-download-x-path", expect="does-not-hold")
def test_mod_download_x_path(goenv: GoEnv, claim: ClaimCheck) -> None:
    """With GOMODCACHE away from $GOPATH/pkg/mod, which cache path does `go mod download -x` print?"""
    cache = goenv.root / "elsewhere-modcache"
    joined = goenv.gopath / "pkg" / "mod"
    with GoProxy(goenv.root / "proxy") as proxy:
        proxy.add(DEP, "v1.0.0", DEP_FILES)
        goenv.setenv("GOPROXY", proxy.http_url)
        goenv.setenv("GOFLAGS", "-modcacherw")
        goenv.setenv("GOMODCACHE", str(cache))
        module = importer_module(goenv)
        shown = claim.observe(goenv.run("mod", "download", "-x", DEP, cwd=module, check=False))
    if not shown.ok:
        raise AssertionError(f"the download itself failed, so its output says nothing:\n{shown.describe()}")
    stored = (cache / f"{DEP}@v1.0.0" / "dep.go").is_file()
    names_cache, names_joined = str(cache) in shown.output, str(joined) in shown.output
    claim.holds_if(
        names_cache and not names_joined,
        f"`go mod download -x` printed {len(shown.output.splitlines())} lines naming "
        + ", ".join(
            [*(["GOMODCACHE"] if names_cache else []), *(["$GOPATH/pkg/mod"] if names_joined else [])]
            or ["no cache path at all"]
        )
        + f" (the module {'was' if stored else 'was not'} stored under GOMODCACHE)",
    )


@pytest.mark.claim("ch1.godebug-modverify", expect="does-not-hold")
def test_godebug_modverify(goenv: GoEnv, dep_proxy: GoProxy, claim: ClaimCheck) -> None:
    """A module the checksum database logs with other hashes (as if the proxy's copy were tampered with), exempt
    from verification by GONOSUMDB: does GODEBUG=modverify=1 make the go command verify it after all?

    The control: without GONOSUMDB the database refuses the module, so a verification would be seen."""
    with checksum_database(dep_proxy) as database:
        tamper(database, DEP, "v1.0.0")
        goenv.setenv("GOSUMDB", database.gosumdb)

        def fetch(name: str, env: dict[str, str | None]) -> GoResult:
            goenv.setenv("GOMODCACHE", str(goenv.root / f"modcache-{name}"))
            return download(goenv, claim, f"{DEP}@v1.0.0", env=env)

        control = fetch("verified", {})
        if control.ok:
            raise AssertionError(f"the checksum database did not refuse the module:\n{control.describe()}")
        before = len(database.lookups)
        plain = fetch("exempt", {"GONOSUMDB": DEP})
        exempt_lookups = database.lookups[before:]
        setting = fetch("modverify", {"GONOSUMDB": DEP, "GODEBUG": "modverify=1"})
        setting_lookups = database.lookups[before + len(exempt_lookups) :]
    claim.holds_if(
        plain.ok and (not setting.ok or bool(setting_lookups)),
        f"the module the database refuses (the control) is accepted unverified under GONOSUMDB "
        f"({'yes' if plain.ok else 'no'}, lookups {exempt_lookups}); adding GODEBUG=modverify=1 it is "
        f"{'refused' if not setting.ok else 'accepted'}, lookups {setting_lookups}",
    )


@pytest.mark.claim("ch1.goflags-mod-vendor", expect="holds")
def test_goflags_mod_vendor(goenv: GoEnv, dep_proxy: GoProxy, claim: ClaimCheck) -> None:
    module = importer_module(goenv)
    goenv.run("mod", "tidy", cwd=module)
    goenv.run("mod", "vendor", cwd=module)
    vendored = claim.observe(
        goenv.run("list", "-f", "{{.Dir}}", DEP, cwd=module, check=False, env={"GOFLAGS": "-mod=vendor"})
    )
    cached = claim.observe(
        goenv.run("list", "-f", "{{.Dir}}", DEP, cwd=module, check=False, env={"GOFLAGS": "-mod=mod"})
    )
    from_vendor = vendored.ok and vendored.stdout.strip() == str(module / "vendor" / DEP)
    claim.holds_if(
        from_vendor,
        f"with GOFLAGS=-mod=vendor and a working GOPROXY, {DEP} is loaded from "
        f"{vendored.stdout.strip() or '(error)'}; with -mod=mod from {cached.stdout.strip() or '(error)'}",
    )


@pytest.mark.claim("ch1.go-env-w-goenv", expect="does-not-hold")
def test_go_env_w_goenv(goenv: GoEnv, claim: ClaimCheck) -> None:
    result = claim.observe(goenv.run("env", "-w", "GOENV=", check=False))
    claim.holds_if(result.ok, "`go env -w GOENV=` " + ("was accepted" if result.ok else "is refused"))


@pytest.mark.claim("ch1.go-env-shows-all", expect="partly")
def test_go_env_shows_all(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.delenv("GOMODCACHE")
    result = claim.observe(goenv.run("env", "-json"), grep=['"GOMODCACHE"', '"GOROOT"', '"GOTRACEBACK"'])
    values = json.loads(result.stdout)
    runtime_vars = ["GOTRACEBACK", "GOMAXPROCS", "GOMEMLIMIT"]
    claim.parts(
        {
            "derived values (GOMODCACHE from GOPATH, GOROOT from the binary) are shown": values.get("GOMODCACHE")
            == str(goenv.gopath / "pkg" / "mod")
            and bool(values.get("GOROOT")),
            f"runtime variables ({', '.join(runtime_vars)}) are shown": all(name in values for name in runtime_vars),
        }
    )


@pytest.mark.claim("ch1.gobin-go-env-w", expect="holds")
def test_gobin_go_env_w(goenv: GoEnv, claim: ClaimCheck) -> None:
    target = goenv.root / "mybin"
    claim.observe(goenv.run("env", "-w", f"GOBIN={target}"))
    result = claim.observe(goenv.run("env", "GOBIN"))
    claim.holds_if(result.stdout.strip() == str(target), f"GOBIN is now {result.stdout.strip()!r}")


@pytest.mark.claim("ch1.gobin-empty-gopath-bin", expect="holds")
def test_gobin_empty_installs_to_gopath_bin(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.delenv("GOBIN")
    module = goenv.write_module("example.com/hello", {"main.go": HELLO}, go=language(goenv), dest="hello")
    claim.observe(goenv.run("install", "-x", ".", cwd=module), grep=["mv ", "cp ", "/bin/"])
    installed = sorted(p.name for p in (goenv.gopath / "bin").iterdir()) if (goenv.gopath / "bin").is_dir() else []
    claim.record("ls $SANDBOX/gopath/bin", "\n".join(installed) or "(no such directory)")
    claim.holds_if(installed == ["hello"], f"$GOPATH/bin holds {installed}")


@pytest.mark.claim("ch1.gocache-default-temp", expect="does-not-hold")
@pytest.mark.claim("ch1.gocache-created-first-build", expect="holds")
@pytest.mark.claim("ch1.gocache-host-hash", expect="does-not-hold")
def test_gocache_default(goenv: GoEnv, claims: dict[str, ClaimCheck]) -> None:
    goenv.delenv("GOCACHE")
    shown = goenv.run("env", "GOCACHE")
    path = Path(shown.stdout.strip())
    existed_after_env = path.exists()
    module = lib_module(goenv)
    build = goenv.run("build", "./...", cwd=module)
    for check in claims.values():
        check.observe(shown)
        check.observe(build)
    expected_default = goenv.cache_home / "go-build"
    claims["ch1.gocache-default-temp"].holds_if(
        path.is_relative_to(goenv.tmpdir), f"GOCACHE defaults to {path} (TMPDIR is {goenv.tmpdir})"
    )
    claims["ch1.gocache-created-first-build"].holds_if(
        not existed_after_env and path.is_dir(),
        f"after `go env` the directory {'existed' if existed_after_env else 'did not exist'}; "
        f"after `go build` it {'exists' if path.is_dir() else 'does not exist'}",
    )
    claims["ch1.gocache-host-hash"].holds_if(
        path != expected_default,
        f"GOCACHE defaults to {path}: $XDG_CACHE_HOME/go-build"
        + (" exactly" if path == expected_default else " plus something"),
    )


@pytest.mark.claim("ch1.cgo-enabled-default-1", expect="partly")
def test_cgo_enabled_default(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.delenv("CGO_ENABLED")
    native = claim.observe(goenv.run("env", "CGO_ENABLED", "CC"))
    if not goenv.toolchain.cgo:
        claim.not_applicable("no working C compiler here, so the default with one cannot be observed")
        return
    no_cc = claim.observe(goenv.run("env", "CGO_ENABLED", env={"PATH": str(goenv.toolchain.bindir)}))
    other_os = "windows" if goenv.toolchain.goos != "windows" else "linux"
    cross = claim.observe(goenv.run("env", "CGO_ENABLED", env={"GOOS": other_os}))
    claim.parts(
        {
            "1 for the host with a C compiler": native.stdout.split()[:1] == ["1"],
            "1 without a C compiler on PATH": no_cc.stdout.strip() == "1",
            f"1 when cross-compiling (GOOS={other_os})": cross.stdout.strip() == "1",
        }
    )


@pytest.mark.claim("ch1.cgo-disabled-net-purego", expect="holds")
def test_cgo_disabled_net_purego(goenv: GoEnv, claim: ClaimCheck) -> None:
    """A program looking up localhost, built with CGO_ENABLED=0 (and =1 as the control where cgo works), run with
    GODEBUG=netdns=2: which resolver does package net say it uses?"""
    build, binary = build_program(goenv, claim, LOOKUP, name="lookup-nocgo", env={"CGO_ENABLED": "0"})
    assert build.ok, build.describe()
    off = claim.observe(goenv.exec(binary, "localhost", env={"GODEBUG": "netdns=2"}, check=False), grep="go package")
    control = "no C compiler here, so no CGO_ENABLED=1 control"
    if goenv.toolchain.cgo:
        built, with_cgo = build_program(goenv, claim, LOOKUP, name="lookup-cgo", env={"CGO_ENABLED": "1"})
        assert built.ok, built.describe()
        on = claim.observe(
            goenv.exec(with_cgo, "localhost", env={"GODEBUG": "netdns=2"}, check=False), grep="go package"
        )
        control = f"with CGO_ENABLED=1 {'the pure-Go resolver too' if pure_go_resolver(on) else 'another choice'}"
    claim.holds_if(
        pure_go_resolver(off),
        f"with CGO_ENABLED=0 package net reports "
        f"{'the pure-Go resolver' if pure_go_resolver(off) else 'another choice'}; {control}",
    )


def _workspace(goenv: GoEnv) -> Path:
    goenv.write_files({"go.work": f"go {language(goenv)}\n\nuse ./a\n"}, dest="ws")
    return goenv.write_module("example.com/a", {"a.go": "package a\n"}, go=language(goenv), dest="ws/a")


@pytest.mark.claim("ch1.gowork-over-goflags-mod", expect="does-not-hold")
def test_gowork_and_goflags_mod_mod(goenv: GoEnv, claim: ClaimCheck) -> None:
    module = _workspace(goenv)
    work = claim.observe(goenv.run("env", "GOWORK", cwd=module))
    result = claim.observe(goenv.run("list", "./...", cwd=module, env={"GOFLAGS": "-mod=mod"}, check=False))
    claim.holds_if(
        result.ok and work.stdout.strip().endswith("go.work"),
        "in workspace mode GOFLAGS=-mod=mod " + ("is overridden" if result.ok else "is an error, not overridden"),
    )


@pytest.mark.claim("ch1.gowork-off-readonly-ignored", expect="does-not-hold")
def test_gowork_off_with_readonly(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.write_module("example.com/dep", {"dep.go": "package dep\n"}, go=language(goenv), dest="dep")
    module = goenv.write_module(
        "example.com/app",
        {
            "go.mod": f"module example.com/app\n\ngo {language(goenv)}\n\nreplace example.com/dep => ../dep\n",
            "app.go": 'package app\n\nimport _ "example.com/dep"\n',
        },
        dest="app",
    )
    before = (module / "go.mod").read_text()
    readonly = claim.observe(
        goenv.run("build", "./...", cwd=module, check=False, env={"GOWORK": "off", "GOFLAGS": "-mod=readonly"})
    )
    unchanged = (module / "go.mod").read_text() == before
    mod = claim.observe(
        goenv.run("build", "./...", cwd=module, check=False, env={"GOWORK": "off", "GOFLAGS": "-mod=mod"})
    )
    updated = "require" in (module / "go.mod").read_text()
    claim.holds_if(
        readonly.ok or not unchanged,
        f"with GOWORK=off, -mod=readonly {'let' if readonly.ok else 'refused'} the missing requirement "
        f"(go.mod {'unchanged' if unchanged else 'changed'}); -mod=mod "
        f"{'added it' if mod.ok and updated else 'did not add it'}",
    )
