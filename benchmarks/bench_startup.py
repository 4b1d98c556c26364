"""What the plugin costs a pytest run: start-up where no Go is used, and the ``goenv`` fixture per test.

Prints, as medians of repeated runs (each a fresh ``python -m pytest`` process, timed by the CPU
time it used, user and system, so that a busy machine moves the figures little):

- one plain test with the plugin installed against the same run with ``-p no:goenv``, with
  bytecode caching on and with it off (an empty ``PYTHONPYCACHEPREFIX`` and
  ``PYTHONDONTWRITEBYTECODE=1``, as on a fresh CI machine); target: at most 1.10x;
- 100 tests using ``goenv`` against 100 using ``tmp_path``: the fixture's cost per test
  (target: at most 2 ms).

Run: ``python benchmarks/bench_startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PLAIN = "def test_plain():\n    assert 1 + 1 == 2\n"
FIXTURE_TESTS = 100


def _time_pytest(directory: Path, args: list[str], env: dict[str, str]) -> float:
    """CPU time (user + system) of one ``python -m pytest`` run in ``directory``; it must pass.

    CPU time rather than wall time, so that other work on the machine barely moves the figures.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"pytest {' '.join(args)} failed in {directory}:\n{done.stdout}\n{done.stderr}")
    return elapsed


def _median(directory: Path, args: list[str], runs: int, *, cached_bytecode: bool) -> float:
    times = []
    for _ in range(runs):
        env = dict(os.environ)
        with tempfile.TemporaryDirectory(prefix="pycache-") as prefix:
            if cached_bytecode:  # bytecode is written on the first run and read afterwards
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                env.pop("PYTHONPYCACHEPREFIX", None)
            else:
                env.update(PYTHONPYCACHEPREFIX=prefix, PYTHONDONTWRITEBYTECODE="1")
            times.append(_time_pytest(directory, args, env))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (median)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        root = Path(scratch)
        plain = root / "plain"
        plain.mkdir()
        (plain / "test_plain.py").write_text(PLAIN)
        print(f"start-up of one plain test (median of {runs} runs)")
        for cached in (True, False):
            _median(plain, [], 1, cached_bytecode=cached)  # warm the file system cache
            with_plugin = _median(plain, [], runs, cached_bytecode=cached)
            without = _median(plain, ["-p", "no:goenv"], runs, cached_bytecode=cached)
            label = "bytecode cached " if cached else "bytecode uncached"
            print(
                f"  {label}: with plugin {with_plugin * 1000:6.0f} ms CPU, -p no:goenv {without * 1000:6.0f} ms, "
                f"ratio {with_plugin / without:.2f} (target <= 1.10)"
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
