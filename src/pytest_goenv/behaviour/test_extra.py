"""Behaviours the cheat sheet misses but users trip over: defaults, precedence, toolchain selection."""

from __future__ import annotations

import os

import pytest

from pytest_goenv.behaviour._helpers import fake_toolchain, language
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.sandbox.goenv import GoEnv

GO_ENV_DEFAULTS = {"GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "sum.golang.org", "GOTOOLCHAIN": "auto"}


@pytest.mark.claim("extra.goroot-go-env-defaults", expect={">=1.21": "holds", "<1.21": "not-applicable"})
def test_goroot_go_env_defaults(goenv: GoEnv, claim: ClaimCheck) -> None:
    go_env_file = goenv.toolchain.goroot / "go.env"
    if not go_env_file.is_file():
        claim.record("cat $GOROOT/go.env", "(no such file)")
        claim.not_applicable(f"{goenv.toolchain.name} has no GOROOT/go.env (it arrived in Go 1.21)")
        return
    lines = [line for line in go_env_file.read_text().splitlines() if line and not line.startswith("#")]
    claim.record("grep -v '^#' $GOROOT/go.env", "\n".join(lines))
    for name in GO_ENV_DEFAULTS:
        goenv.delenv(name)
    defaults = claim.observe(goenv.run("env", *GO_ENV_DEFAULTS))
    claim.observe(goenv.run("env", "-w", "GOPROXY=https://goenv-file.example"))
    from_file = claim.observe(goenv.run("env", "GOPROXY"))
    claim.parts(
        {
            "GOROOT/go.env lists those defaults": all(f"{k}={v}" in lines for k, v in GO_ENV_DEFAULTS.items()),
            "go env reports them when nothing else sets them": defaults.stdout.split()
            == list(GO_ENV_DEFAULTS.values()),
            "the GOENV file (go env -w) overrides go.env": from_file.stdout.strip() == "https://goenv-file.example",
        }
    )


@pytest.mark.claim("extra.environment-over-go-env-w", expect="holds")
def test_environment_over_go_env_w(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.setenv("GOPROXY", "off")
    written = claim.observe(goenv.run("env", "-w", "GOPROXY=https://goenv-file.example"))
    effective = claim.observe(goenv.run("env", "GOPROXY"))
    claim.parts(
        {
            "the environment's GOPROXY=off stays in effect": effective.stdout.strip() == "off",
            "go env -w warns that it does not override": "does not override" in written.output,
        }
    )


@pytest.mark.claim("extra.empty-variable-not-override", expect="holds")
def test_empty_variable_does_not_override(goenv: GoEnv, claim: ClaimCheck) -> None:
    claim.observe(goenv.run("env", "-w", "GOFLAGS=-tags=fromfile"))
    empty = claim.observe(goenv.run("env", "GOFLAGS", env={"GOFLAGS": ""}))
    claim.holds_if(
        empty.stdout.strip() == "-tags=fromfile",
        f"with GOFLAGS='' in the environment, go env GOFLAGS is {empty.stdout.strip()!r}",
    )


@pytest.mark.claim("extra.goenv-off", expect="partly")
def test_goenv_off(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.delenv("GOBIN")
    claim.observe(goenv.run("env", "-w", "GOBIN=/from/goenv/file"))
    read = claim.observe(goenv.run("env", "GOBIN", env={"GOENV": "off"}))
    write = claim.observe(goenv.run("env", "-w", "GOFLAGS=-tags=x", env={"GOENV": "off"}, check=False))
    written_anyway = "GOFLAGS=-tags=x" in goenv.goenv_file.read_text()
    claim.record("cat $SANDBOX/home/.config/go/env", goenv.goenv_file.read_text())
    claim.parts(
        {
            "the configuration file is not read": read.stdout.strip() != "/from/goenv/file",
            "go env -w fails": not write.ok and not written_anyway,
        }
    )


@pytest.mark.claim("extra.goflags-command-line-wins", expect="holds")
def test_goflags_command_line_wins(goenv: GoEnv, claim: ClaimCheck) -> None:
    module = goenv.write_module(
        "example.com/tags",
        {
            "foo.go": "//go:build foo\n\npackage tags\n",
            "bar.go": "//go:build bar\n\npackage tags\n",
        },
        go=language(goenv),
    )
    result = claim.observe(
        goenv.run("list", "-tags=bar", "-f", "{{.GoFiles}}", ".", cwd=module, env={"GOFLAGS": "-tags=foo"})
    )
    claim.holds_if(
        result.stdout.strip() == "[bar.go]",
        f"GOFLAGS=-tags=foo with -tags=bar on the command line compiles {result.stdout.strip()}",
    )


@pytest.mark.claim("extra.goflags-unknown-flag", expect="holds")
def test_goflags_unknown_flag(goenv: GoEnv, claim: ClaimCheck) -> None:
    result = claim.observe(goenv.run("list", "std", env={"GOFLAGS": "-no-such-flag"}, check=False))
    claim.holds_if(
        not result.ok and "GOFLAGS" in result.stderr,
        "an unknown flag in GOFLAGS " + ("is an error naming $GOFLAGS" if not result.ok else "is ignored"),
    )


@pytest.mark.claim("extra.goprivate-defaults", expect="holds")
def test_goprivate_defaults(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.setenv("GOPRIVATE", "corp.example/*")
    default = claim.observe(goenv.run("env", "GONOPROXY", "GONOSUMDB"))
    explicit = claim.observe(goenv.run("env", "GONOPROXY", "GONOSUMDB", env={"GONOPROXY": "other.example"}))
    claim.parts(
        {
            "GONOPROXY and GONOSUMDB default to GOPRIVATE": default.stdout.split() == ["corp.example/*"] * 2,
            "an explicit GONOPROXY overrides only the proxy setting": explicit.stdout.split()
            == ["other.example", "corp.example/*"],
        }
    )


@pytest.mark.claim("extra.gotoolchain-local-refuses-newer", expect={">=1.21": "holds", "<1.21": "does-not-hold"})
def test_gotoolchain_local_refuses_newer(goenv: GoEnv, claim: ClaimCheck) -> None:
    module = goenv.write_module("example.com/future", {"p.go": "package p\n"}, go="1.999")
    result = claim.observe(goenv.run("list", ".", cwd=module, env={"GOTOOLCHAIN": "local"}, check=False))
    named = "1.999" in result.stderr and goenv.toolchain.version.language in result.stderr
    claim.holds_if(
        not result.ok and named,
        "a module declaring go 1.999 " + ("is refused, naming both versions" if not result.ok else "is loaded anyway"),
    )


@pytest.mark.claim("extra.gotoolchain-path-lookup", expect={">=1.21": "holds", "<1.21": "not-applicable"})
def test_gotoolchain_path_lookup(goenv: GoEnv, claim: ClaimCheck) -> None:
    fake_toolchain(goenv, "go1.999.0")
    result = claim.observe(goenv.run("version", env={"GOTOOLCHAIN": "go1.999.0"}, check=False))
    if result.ok and result.stdout.startswith(f"go version {goenv.toolchain.name}"):
        claim.not_applicable(f"{goenv.toolchain.name} ignores GOTOOLCHAIN (introduced in Go 1.21)")
        return
    claim.holds_if(
        "fake toolchain go1.999.0 ran" in result.stdout,
        "GOTOOLCHAIN=go1.999.0 ran the go1.999.0 found on PATH" if result.ok else "it failed",
    )


@pytest.mark.claim("extra.gomod-toolchain-line-switch", expect={">=1.21": "holds", "<1.21": "not-applicable"})
def test_gomod_toolchain_line_switch(goenv: GoEnv, claim: ClaimCheck) -> None:
    fake_toolchain(goenv, "go1.999.0")
    module = goenv.write_module(
        "example.com/tc", {"go.mod": "module example.com/tc\n\ngo 1.21\n\ntoolchain go1.999.0\n", "p.go": "package p\n"}
    )
    result = claim.observe(goenv.run("list", ".", cwd=module, env={"GOTOOLCHAIN": "auto"}, check=False))
    if "unknown directive: toolchain" in result.stderr:
        claim.not_applicable(f"{goenv.toolchain.name} does not know go.mod toolchain lines (Go 1.21+)")
        return
    claim.holds_if(
        "fake toolchain go1.999.0 ran" in result.stdout,
        "GOTOOLCHAIN=auto with `toolchain go1.999.0` in go.mod "
        + ("ran go1.999.0 from PATH" if "fake" in result.stdout else "did not switch"),
    )


@pytest.mark.claim("extra.gomod-go-line-language", expect="holds")
def test_gomod_go_line_language(goenv: GoEnv, claim: ClaimCheck) -> None:
    generic = (
        "package p\n\n// Max uses type parameters, a Go 1.18 language feature.\n"
        "func Max[T int | float64](a, b T) T {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}\n"
    )
    old = goenv.write_module("example.com/old", {"p.go": generic}, go="1.17", dest="old")
    new = goenv.write_module("example.com/new", {"p.go": generic}, go="1.18", dest="new")
    refused = claim.observe(goenv.run("build", "./...", cwd=old, check=False))
    accepted = claim.observe(goenv.run("build", "./...", cwd=new, check=False))
    if not accepted.ok:  # the control: the same code is valid Go 1.18
        raise AssertionError(f"the generic code does not build under `go 1.18` either:\n{accepted.describe()}")
    claim.holds_if(
        not refused.ok and "1.18" in refused.stderr,
        "type parameters under `go 1.17` are "
        + ("refused, naming Go 1.18" if not refused.ok else "accepted")
        + " (under `go 1.18` they build)",
    )


@pytest.mark.claim("extra.gocache-off-refused", expect="holds")
def test_gocache_off_refused(goenv: GoEnv, claim: ClaimCheck) -> None:
    module = goenv.write_module("example.com/p", {"p.go": "package p\n"}, go=language(goenv))
    result = claim.observe(goenv.run("build", "./...", cwd=module, env={"GOCACHE": "off"}, check=False))
    claim.holds_if(
        not result.ok and "GOCACHE=off" in result.stderr,
        "go build with GOCACHE=off " + ("is refused" if not result.ok else "works"),
    )


@pytest.mark.claim("extra.gopath-relative-refused", expect="holds")
def test_gopath_relative_refused(goenv: GoEnv, claim: ClaimCheck) -> None:
    module = goenv.write_module("example.com/p", {"p.go": "package p\n"}, go=language(goenv))
    result = claim.observe(goenv.run("list", ".", cwd=module, env={"GOPATH": "relative/gopath"}, check=False))
    claim.holds_if(
        not result.ok and "relative" in result.stderr,
        "GOPATH=relative/gopath " + ("is refused" if not result.ok else "is accepted"),
    )


@pytest.mark.claim("extra.cgo-cross-default-off", expect="holds")
def test_cgo_cross_default_off(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.delenv("CGO_ENABLED")
    target = ("windows", "amd64") if goenv.toolchain.goos != "windows" else ("linux", "amd64")
    result = claim.observe(goenv.run("env", "CGO_ENABLED", env={"GOOS": target[0], "GOARCH": target[1]}))
    claim.holds_if(result.stdout.strip() == "0", f"CGO_ENABLED for {'/'.join(target)} is {result.stdout.strip()}")


@pytest.mark.claim("extra.cgo-no-cc-default-off", expect={">=1.20": "holds", "<1.20": "not-applicable"})
def test_cgo_no_cc_default_off(goenv: GoEnv, claim: ClaimCheck) -> None:
    goenv.delenv("CGO_ENABLED")
    goenv.delenv("CC")
    path = os.pathsep.join([str(goenv.toolchain.bindir), str(goenv.root / "empty-bin")])
    result = claim.observe(goenv.run("env", "CGO_ENABLED", env={"PATH": path}))
    seen = f"with no C compiler on PATH CGO_ENABLED defaults to {result.stdout.strip()}"
    if goenv.toolchain.version < "go1.20":
        claim.not_applicable(f"the claim is about Go 1.20+ and this is {goenv.toolchain.name} ({seen})")
        return
    claim.holds_if(result.stdout.strip() == "0", seen)
