"""Small helpers shared by the chapter 2-4 experiments: build probe programs, read GOROOT, checksum databases."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.modules.proxy import GoProxy, ModuleVersion
from pytest_goenv.modules.sumdb import ChecksumDatabase
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

__all__ = [
    "LIB",
    "LOOKUP",
    "RUNTIME_PROBE",
    "add_lib",
    "build_program",
    "checksum_database",
    "download",
    "inapplicable",
    "leftover_work_dirs",
    "output_lines",
    "package_dir",
    "pure_go_resolver",
    "runtime_probe",
    "tamper",
    "write_app",
]

LIB = "example.com/lib"
"""The dependency of the module experiments; its constant ``Where`` says which copy was loaded."""


def build_program(
    goenv: GoEnv,
    check: ClaimCheck | None,
    source: str,
    *,
    name: str = "probe",
    env: Mapping[str, str | None] | None = None,
) -> tuple[GoResult, Path]:
    """Write module example.com/probe (``source`` as main.go) in dir ``name`` and build ``$SANDBOX/bin/<name>``.

    The build is not checked; it is recorded as evidence on ``check`` when one is given.
    """
    directory = goenv.write_module(
        "example.com/probe", {"main.go": source}, dest=name, go=goenv.toolchain.version.language
    )
    binary = goenv.root / "bin" / name
    binary.parent.mkdir(parents=True, exist_ok=True)
    result = goenv.run("build", "-o", str(binary), ".", cwd=directory, env=env, check=False)
    if check is not None:
        check.observe(result)
    return result, binary


def inapplicable(reason: str, *checks: ClaimCheck) -> NoReturn:
    """Mark ``checks`` not applicable on this host or toolchain and stop the test as skipped.

    A skipped experiment is reported with its verdicts but not compared with the expectation,
    which describes Go versions, not hosts (no C compiler, a target that cannot run here).
    """
    for check in checks:
        check.not_applicable(reason)
    pytest.skip(reason)


def add_lib(proxy: GoProxy, version: str = "v1.0.0", path: str = LIB) -> ModuleVersion:
    """Put ``path@version`` (package ``lib`` with ``const Where = "proxy <version>"``) on ``proxy``."""
    return proxy.add(path, version, {"lib.go": f'package lib\n\nconst Where = "proxy {version}"\n'})


def write_app(
    goenv: GoEnv,
    requires: list[ModuleVersion],
    *,
    dest: str = "app",
    extra: str = "",
    imports: tuple[str, ...] = (LIB,),
) -> Path:
    """Write module ``example.com/app`` whose main package imports ``imports``, with go.mod and go.sum.

    ``extra`` is appended to go.mod (replace directives, say).
    """
    lines = "".join(f"require {m.path} {m.version}\n" for m in requires)
    uses = "".join(f'\t_ "{path}"\n' for path in imports)
    return goenv.write_module(
        "example.com/app",
        {
            "go.mod": f"module example.com/app\n\ngo 1.21\n\n{lines}{extra}",
            "go.sum": "".join(m.go_sum for m in requires),
            "main.go": f"package main\n\nimport (\n{uses})\n\nfunc main() {{}}\n",
        },
        dest=dest,
    )


def package_dir(goenv: GoEnv, package: str, cwd: Path, env: Mapping[str, str | None] | None = None) -> GoResult:
    """``go list -f {{.Dir}} package`` from ``cwd`` (not checked)."""
    return goenv.run("list", "-f", "{{.Dir}}", package, cwd=cwd, env=env, check=False)


def output_lines(result: GoResult, prefix: str) -> list[str]:
    """The values of ``prefix=value`` lines a probe program printed (stdout and stderr)."""
    return [line[len(prefix) + 1 :] for line in result.output.splitlines() if line.startswith(prefix + "=")]


def leftover_work_dirs(directory: Path) -> list[str]:
    """The ``go-build*`` work directories left in ``directory``."""
    if not directory.is_dir():
        return []
    return sorted(entry.name for entry in directory.iterdir() if re.match(r"go-build\d*", entry.name))


def download(goenv: GoEnv, check: ClaimCheck, *targets: str, env: Mapping[str, str | None] | None = None) -> GoResult:
    """``go mod download -json TARGETS`` outside any module (not checked), recorded on ``check``."""
    return check.observe(
        goenv.run("mod", "download", "-json", *targets, env=env, check=False),
        grep=['"Path"', '"Dir"', '"Error"', "go:", "verifying", "SECURITY", "mismatch"],
    )


@contextmanager
def checksum_database(proxy: GoProxy) -> Iterator[ChecksumDatabase]:
    """A checksum database over ``proxy``'s modules, on its own loopback server, closed afterwards."""
    database = ChecksumDatabase(proxy)
    try:
        yield database
    finally:
        database.close()


def tamper(database: ChecksumDatabase, path: str, version: str) -> None:
    """Log hashes for ``path@version`` that differ from what the proxy serves (a tampered module)."""
    fake = "h1:" + "A" * 43 + "="
    database.log(path, version, h1=fake, h1_mod=fake)


LOOKUP = """package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) > 1 {
		addrs, err := net.LookupHost(os.Args[1])
		fmt.Println("addrs", addrs, err)
	}
}
"""
"""A program that looks up the host name given as its argument and prints the addresses."""
GO_RESOLVER = re.compile(r"using (?:the Go|Go's) DNS resolver")


def pure_go_resolver(run: GoResult) -> bool:
    """Whether a program run with GODEBUG=netdns=2 reported using the pure-Go DNS resolver."""
    return bool(GO_RESOLVER.search(run.stderr))


RUNTIME_PROBE = """package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

var sink [][]byte

func garbage() {
	for i := 0; i < 400; i++ {
		sink = append(sink, make([]byte, 64<<10))
		if len(sink) > 16 {
			sink = sink[:0]
		}
	}
	runtime.GC()
}

func recovered() (value interface{}) {
	defer func() { value = recover() }()
	panic(nil)
}

func main() {
	switch os.Args[1] {
	case "gc":
		for i := 0; i < 3; i++ {
			garbage()
		}
	case "setenv":
		fmt.Printf("panicnil-before=%T\\n", recovered())
		os.Setenv("GODEBUG", "gctrace=1,panicnil=1")
		garbage()
		fmt.Printf("panicnil-after=%T\\n", recovered())
		fmt.Println("gc-after-setenv=done")
	case "sleep":
		time.Sleep(1500 * time.Millisecond)
	case "panic":
		block := make(chan int)
		for i := 0; i < 3; i++ {
			go func() { <-block }()
		}
		time.Sleep(20 * time.Millisecond)
		panic("boom")
	case "limits":
		fmt.Printf("gomaxprocs=%d\\n", runtime.GOMAXPROCS(0))
		fmt.Printf("numcpu=%d\\n", runtime.NumCPU())
		fmt.Printf("memlimit=%d\\n", debug.SetMemoryLimit(-1))
		runtime.GOMAXPROCS(1)
		fmt.Printf("after-set-1=%d\\n", runtime.GOMAXPROCS(0))
	}
}
"""
"""A program whose first argument picks a runtime behaviour to show (gc, setenv, sleep, panic, limits)."""


def runtime_probe(goenv: GoEnv, check: ClaimCheck) -> Path:
    """Build :data:`RUNTIME_PROBE` (the build is recorded on ``check``) and return the binary."""
    build, binary = build_program(goenv, check, RUNTIME_PROBE, name="rtprobe")
    if not build.ok:
        raise AssertionError(build.describe())
    return binary
