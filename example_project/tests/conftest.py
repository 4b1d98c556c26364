"""Fixtures for the build tests of example.com/sysinfo.

Each test gets a fresh copy of the Go module in its own goenv sandbox (private GOPATH,
module cache, HOME and temp dirs), so a test can vendor, build or edit files without
touching this checkout. The module's dependencies come from the plugin's module proxy
(go_proxy, on loopback), fed with the archives in testdata/mod: nothing is fetched
from the internet.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pytest_goenv import GoProxy
from pytest_goenv.sandbox import GoEnv

PROJECT = Path(__file__).resolve().parent.parent
"""example_project/: the Go workspace (go.work), the library module and cmd/."""

MODULE_ARCHIVES = sorted((PROJECT / "testdata" / "mod").glob("*.txt"))
"""One txtar per module version the local proxy serves (cmd/go's testdata/mod layout)."""

_NOT_GO = shutil.ignore_patterns("tests", "testdata", "README.md", "pytest.ini", ".*", "__pycache__")


@pytest.fixture
def project(goenv: GoEnv, go_proxy: GoProxy) -> Path:
    """A copy of example_project's Go code in the sandbox, with the local proxy as GOPROXY."""
    for archive in MODULE_ARCHIVES:
        go_proxy.add_txtar(archive)
    goenv.use_proxy(go_proxy)
    destination = goenv.workdir / "sysinfo"
    shutil.copytree(PROJECT, destination, ignore=_NOT_GO)
    return destination
