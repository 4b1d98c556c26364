"""What a command's output and its supervision cost: memory for 50 MB of stdout, and time per command.

Prints:

- the peak RSS growth of a fresh Python process that runs one command printing 50 MB to stdout,
  through ``run_process`` (8 MB kept in memory, the rest spilled to a file) and, for comparison, the
  way commands were read before (``subprocess`` ``communicate`` in text mode, all of it in memory);
- the wall time of ``run_process(["true"])`` (spawn, the exit watch, the process-group kill, the
  subreaper window and the watchdog messages) against a bare ``subprocess.run(["true"])``, medians.

Run: ``python benchmarks/bench_output.py [--megabytes N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from pytest_goenv.base.process import run_process

_MEASURE = textwrap.dedent(
    """
    import resource, subprocess, sys
    from pathlib import Path
    from pytest_goenv.base.process import run_process

    how, size, spill = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    argv = ["sh", "-c", f"head -c {size} /dev/zero | tr '\\\\0' a"]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if how == "run_process":
        outcome = run_process(argv, cwd=Path.cwd(), env={"PATH": "/usr/bin:/bin"}, timeout=120, spill_to=spill)
        kept = len(outcome.stdout)
    else:
        kept = len(subprocess.run(argv, capture_output=True, text=True, errors="replace", check=True).stdout)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(kept, (after - before) // 1024)
    """
)


def _rss_growth(how: str, size: int, spill: Path) -> tuple[int, int]:
    """(characters kept in memory, peak RSS growth in MB) of one command printing ``size`` bytes."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, how, str(size), str(spill)], capture_output=True, text=True, check=True
    )
    kept, megabytes = done.stdout.split()
    return int(kept), int(megabytes)


def _median_ms(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    size = args.megabytes * 1024 * 1024
    with tempfile.TemporaryDirectory() as scratch:
        spill = Path(scratch) / "out"
        for how in ("run_process", "communicate"):
            kept, megabytes = _rss_growth(how, size, spill)
            print(f"{args.megabytes} MB of stdout via {how:<11}: peak RSS +{megabytes} MB, {kept} characters in memory")
        spilled = spill.with_name("out.stdout")
        print(f"  spilled file: {spilled.stat().st_size} bytes")
    here = Path.cwd()
    env = dict(os.environ)
    ours = _median_ms(lambda: run_process(["true"], cwd=here, env=env, timeout=60), args.runs)
    bare = _median_ms(
        lambda: subprocess.run(["true"], check=True, capture_output=True, start_new_session=True), args.runs
    )
    print(f"run_process(['true']): {ours:.2f} ms median; subprocess.run: {bare:.2f} ms; overhead {ours - bare:.2f} ms")


if __name__ == "__main__":
    main()
