"""What the plugin costs a pytest run: start-up where no Go is used, and the ``goenv`` fixture per test.

Prints, as medians of repeated runs (each a fresh ``python -m pytest`` process, timed by the CPU
time it used, user and system, so that a busy machine moves the figures little):

- one plain test with the plugin installed against the same run with ``-p no:goenv``, with
  bytecode caching on and with it off (an empty ``PYTHONPYCACHEPREFIX`` and
  ``PYTHONDONTWRITEBYTECODE=1``, as on a fresh CI machine); target: at most 1.10x.  The two runs
  alternate, so that a change in the machine's speed hits both; the figure is the median of the
  per-pair ratios, printed with their quartiles;
- with ``--instructions`` (needs valgrind), the same comparison counted in instructions by
  callgrind, a figure that does not move with the machine's load (system time is not in it);
- 100 tests using ``goenv`` against 100 using ``tmp_path``: the fixture's cost per test
  (target: at most 2 ms).

Run: ``python benchmarks/bench_startup.py [--runs N] [--instructions]``.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PLAIN = "def test_plain():\n    assert 1 + 1 == 2\n"
FIXTURE_TESTS = 100
WITHOUT_PLUGIN = ["-p", "no:goenv"]


def _pytest_command(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def _time_pytest(directory: Path, args: list[str], env: dict[str, str]) -> float:
    """CPU time (user + system) of one ``python -m pytest`` run in ``directory``; it must pass.

    CPU time rather than wall time, so that other work on the machine barely moves the figures.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        _pytest_command(args), cwd=directory, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"pytest {' '.join(args)} failed in {directory}:\n{done.stdout}\n{done.stderr}")
    return elapsed


def _environment(prefix: str, *, cached_bytecode: bool) -> dict[str, str]:
    """The environment of one run: bytecode written and read, or neither (into an empty prefix)."""
    env = dict(os.environ)
    if cached_bytecode:  # bytecode is written on the first run and read afterwards
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.update(PYTHONPYCACHEPREFIX=prefix, PYTHONDONTWRITEBYTECODE="1")
    return env


def _median(directory: Path, args: list[str], runs: int, *, cached_bytecode: bool) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="pycache-") as prefix:
            times.append(_time_pytest(directory, args, _environment(prefix, cached_bytecode=cached_bytecode)))
    return statistics.median(times)


def _paired(directory: Path, runs: int, *, cached_bytecode: bool) -> tuple[float, float, list[float]]:
    """Median CPU times with and without the plugin, and the ratio of each alternating pair of runs."""
    with_plugin, without, ratios = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="pycache-") as prefix:
            on = _time_pytest(directory, [], _environment(prefix, cached_bytecode=cached_bytecode))
        with tempfile.TemporaryDirectory(prefix="pycache-") as prefix:
            off = _time_pytest(directory, WITHOUT_PLUGIN, _environment(prefix, cached_bytecode=cached_bytecode))
        with_plugin.append(on)
        without.append(off)
        ratios.append(on / off)
    return statistics.median(with_plugin), statistics.median(without), ratios


def _instructions(directory: Path, args: list[str]) -> int:
    """Instructions one cached-bytecode run executes, counted by valgrind's callgrind."""
    env = _environment("", cached_bytecode=True) | {"PYTHONHASHSEED": "0"}
    subprocess.run(_pytest_command(args), cwd=directory, env=env, capture_output=True, check=True, timeout=600)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *_pytest_command(args)],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    )
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no instruction count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per figure (median)")
    parser.add_argument("--instructions", action="store_true", help="count instructions with valgrind too")
    options = parser.parse_args()
    runs, instructions = options.runs, options.instructions
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        root = Path(scratch)
        plain = root / "plain"
        plain.mkdir()
        (plain / "test_plain.py").write_text(PLAIN)
        print(f"start-up of one plain test (median of {runs} alternating pairs of runs)")
        for cached in (True, False):
            _median(plain, [], 1, cached_bytecode=cached)  # warm the file system cache
            with_plugin, without, ratios = _paired(plain, runs, cached_bytecode=cached)
            low, middle, high = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
            label = "bytecode cached " if cached else "bytecode uncached"
            print(
                f"  {label}: with plugin {with_plugin * 1000:6.0f} ms CPU, -p no:goenv {without * 1000:6.0f} ms, "
                f"ratio {middle:.3f} (quartiles {low:.3f}-{high:.3f}; target <= 1.10)"
            )
        if instructions:
            if shutil.which("valgrind") is None:
                print("  instructions: valgrind is not installed; skipped")
            else:
                on, off = _instructions(plain, []), _instructions(plain, WITHOUT_PLUGIN)
                print(
                    f"  instructions, bytecode cached: with plugin {on / 1e6:.0f} M, -p no:goenv {off / 1e6:.0f} M, "
                    f"ratio {on / off:.3f}"
                )

        fixtures = root / "fixtures"
        fixtures.mkdir()
        body = "".join(f"def test_goenv_{n}(goenv):\n    pass\n\n\n" for n in range(FIXTURE_TESTS))
        (fixtures / "test_goenv.py").write_text(body)
        body = "".join(f"def test_tmp_{n}(tmp_path):\n    pass\n\n\n" for n in range(FIXTURE_TESTS))
        (fixtures / "test_tmp.py").write_text(body)
        _time_pytest(fixtures, ["test_goenv.py"], dict(os.environ))  # toolchain facts into the cache
        goenv = _median(fixtures, ["test_goenv.py"], runs, cached_bytecode=True)  # includes the go version probe
        tmp = _median(fixtures, ["test_tmp.py"], runs, cached_bytecode=True)
        per_test = (goenv - tmp) / FIXTURE_TESTS * 1000
        print(
            f"goenv fixture: {FIXTURE_TESTS} tests {goenv:.2f} s CPU against tmp_path {tmp:.2f} s: "
            f"{per_test:.2f} ms of CPU per test over tmp_path (target <= 2 ms)"
        )


if __name__ == "__main__":
    main()
