"""Chapter 3.1: CGO_ENABLED, C files, linking and cross-compiling with cgo."""

from __future__ import annotations

import shutil

import pytest

from pytest_goenv.assertions import package_files
from pytest_goenv.behaviour._experiments_ch234 import LOOKUP, build_program, inapplicable, pure_go_resolver
from pytest_goenv.behaviour._strace import opened_files
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.readers.executables import read_binary
from pytest_goenv.sandbox.goenv import GoEnv

CGO_ADD = """package mixed

// #cgo CFLAGS: -DANSWER=42
// static int add(int a, int b) { return a + b + ANSWER - 42; }
import "C"

// Add is implemented in C.
func Add(a, b int) int { return int(C.add(C.int(a), C.int(b))) }
"""
PURE = "package mixed\n\n// Pure needs no C.\nfunc Pure() int { return 1 }\n"
USER = 'package user\n\nimport "example.com/cgo/mixed"\n\n// Three calls into C.\nvar Three = mixed.Add(1, 2)\n'
MAIN_C = """package main

// static int answer(void) { return 42; }
import "C"

import "fmt"

func main() { fmt.Println("answer", C.answer()) }
"""
HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'
NO_CGO = {"CGO_ENABLED": "0"}


def program_of(trace_line: str) -> str:
    """The program a `go build -x` line runs, after its VAR=value prefixes."""
    words = [word for word in trace_line.split(" ") if word]
    while words and "=" in words[0] and not words[0].startswith("/"):
        words.pop(0)
    return words[0] if words else ""


@pytest.mark.claim("ch3.1.cgo0-silently-ignores-c", expect={">=1.19": "partly"})
@pytest.mark.claim("ch3.1.cgo0-runtime-undefined-symbol", expect={">=1.19": "does-not-hold"})
def test_cgo_disabled_with_c_code(goenv: GoEnv, claims: dict[str, ClaimCheck]) -> None:
    """CGO_ENABLED=0 with a package mixing cgo and Go files, one made only of cgo, and a main using C."""
    silent = claims["ch3.1.cgo0-silently-ignores-c"]
    symbol = claims["ch3.1.cgo0-runtime-undefined-symbol"]
    module = goenv.write_module(
        "example.com/cgo",
        {
            "mixed/c.go": CGO_ADD,
            "mixed/pure.go": PURE,
            "conly/c.go": CGO_ADD.replace("package mixed", "package conly"),
            "user/user.go": USER,
        },
    )
    listing = package_files(goenv, "./mixed", cgo=False, cwd=module)
    silent.record(
        "CGO_ENABLED=0 go list -f '{{.GoFiles}} {{.IgnoredGoFiles}}' ./mixed",
        f"GoFiles={list(listing.go_files)} IgnoredGoFiles={list(listing.ignored_go_files)} error={listing.error}",
    )
    only_c = silent.observe(goenv.run("build", "./conly", cwd=module, env=NO_CGO, check=False))
    user = silent.observe(goenv.run("build", "./user", cwd=module, env=NO_CGO, check=False))
    silent.parts(
        {
            'import "C" files are left out of the package without a message': "c.go" in listing.ignored_go_files
            and listing.error is None,
            "a package made only of cgo files builds without error": only_c.ok,
            "code calling into the left-out C part builds without error": user.ok,
        }
    )
    build, binary = build_program(goenv, symbol, MAIN_C, name="cmain", env=NO_CGO)
    run = symbol.observe(goenv.exec(binary, check=False)) if build.ok else None
    symbol.holds_if(
        run is not None and "undefined symbol" in run.output,
        "the build "
        + (
            "worked"
            if build.ok
            else "failed, before anything could run: " + (build.stderr.strip().splitlines() or [""])[-1]
        ),
    )


@pytest.mark.claim("ch3.1.cgo0-dns-bypasses-resolv-conf", expect={">=1.19": "does-not-hold"})
def test_pure_go_resolver_reads_resolv_conf(goenv: GoEnv, claim: ClaimCheck) -> None:
    """A CGO_ENABLED=0 program looks up localhost: does it open /etc/resolv.conf (the files it opens, with strace)?"""
    build, pure_net = build_program(goenv, claim, LOOKUP, name="net-nocgo", env=NO_CGO)
    assert build.ok, build.describe()
    debug = claim.observe(goenv.exec(pure_net, "localhost", env={"GODEBUG": "netdns=2"}, check=False))
    opened = opened_files(goenv, [claim], pure_net, "localhost", interesting=r"^/etc/")
    reads = bool(opened.matching(r"^/etc/resolv\.conf$"))
    claim.holds_if(
        not reads,
        f"a CGO_ENABLED=0 program looking up localhost ({'the Go' if pure_go_resolver(debug) else 'not the Go'} "
        f"resolver, GODEBUG=netdns=2 says) {'opens' if reads else 'does not open'} /etc/resolv.conf",
    )


@pytest.mark.claim("ch3.1.file-ldd-linking", expect={">=1.19": "partly"})
def test_linking(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Build hello and a net program with and without cgo; read the binaries (and ldd)."""
    linking = claim
    build, pure_net = build_program(goenv, linking, LOOKUP, name="net-nocgo", env=NO_CGO)
    assert build.ok, build.describe()
    static_pure = read_binary(pure_net).static
    linking.record("read ELF headers of net-nocgo (CGO_ENABLED=0)", read_binary(pure_net).describe())
    if shutil.which("ldd"):
        linking.observe(goenv.exec(shutil.which("ldd") or "ldd", pure_net, check=False))
    if not goenv.toolchain.cgo:
        inapplicable(f"cgo cannot work with {goenv.toolchain.name} here (no C compiler)", linking)
    cgo = {"CGO_ENABLED": "1"}
    hello_build, hello = build_program(goenv, linking, HELLO, name="hello-cgo", env=cgo)
    net_build, net_cgo = build_program(goenv, linking, LOOKUP, name="net-cgo", env=cgo)
    assert hello_build.ok, hello_build.describe()
    assert net_build.ok, net_build.describe()
    for binary in (hello, net_cgo):
        linking.record(f"read ELF headers of {binary.name} (CGO_ENABLED=1)", read_binary(binary).describe())
    linking.parts(
        {
            "CGO_ENABLED=1: a program using net is dynamically linked": not read_binary(net_cgo).static,
            "CGO_ENABLED=1: every binary is dynamically linked (hello world included)": not read_binary(hello).static,
            "CGO_ENABLED=0: static": static_pure,
        }
    )


@pytest.mark.claim("ch3.1.cc-for-target", expect={">=1.19": "partly"})
def test_cross_compiling_with_cgo(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Cross-compile a cgo package to linux/386: cgo default, CC_FOR_TARGET, which C compiler runs."""
    if not goenv.toolchain.cgo:
        inapplicable(f"cgo cannot work with {goenv.toolchain.name} here (no C compiler)", claim)
    cross = {"GOOS": "linux", "GOARCH": "386" if goenv.toolchain.goarch != "386" else "amd64"}
    module = goenv.write_module("example.com/cgo", {"mixed/c.go": CGO_ADD, "mixed/pure.go": PURE})
    default = claim.observe(goenv.run("env", "CGO_ENABLED", env=cross)).stdout.strip()
    wanted = "/opt/cross/bin/cross-gcc"
    with_var = {**cross, "CGO_ENABLED": "1", "CC_FOR_TARGET": wanted}
    cc = claim.observe(goenv.run("env", "CC", env=with_var)).stdout.strip()
    host_cc = goenv.run("env", "CC").stdout.strip()
    build = claim.observe(
        goenv.run("build", "-x", "./mixed", cwd=module, env={**cross, "CGO_ENABLED": "1"}, check=False),
        grep=[host_cc, "error"],
    )
    called = [line for line in build.stderr.splitlines() if program_of(line) in (host_cc, shutil.which(host_cc))]
    claim.parts(
        {
            "cgo is off when cross-compiling unless CGO_ENABLED=1": default == "0",
            "the go command takes the C compiler from CC_FOR_TARGET": cc == wanted,
            "without a cross compiler the host CC is run": bool(called),
        },
        f"build {'worked' if build.ok else 'failed'}",
    )
