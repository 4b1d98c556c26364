"""Fixtures for the build tests of example.com/sysinfo.

Each test gets a fresh copy of the Go module in its own goenv sandbox (private GOPATH,
module cache, HOME and temp dirs), so a test can vendor, build or edit files without
touching this checkout. The module's dependencies come from the plugin's module proxy
(go_proxy, on loopback), fed with the archives in testdata/mod: nothing is fetched
from the internet.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pytest_goenv import GoProxy
from pytest_goenv.sandbox import GoEnv

CHECKOUT = Path(__file__).resolve().parent.parent
"""example_project/: the Go workspace (go.work), the library module and cmd/."""

MODULE_ARCHIVES = sorted((CHECKOUT / "testdata" / "mod").glob("*.txt"))
"""One txtar per module version the local proxy serves (cmd/go's testdata/mod layout)."""

_NOT_GO = shutil.ignore_patterns("tests", "testdata", "README.md", "pytest.ini", ".*", "__pycache__")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the Go tests on toolchains older than go.mod's `go` line, saying so."""
    go_line = re.search(r"^go (\S+)$", (CHECKOUT / "go.mod").read_text(), re.MULTILINE)
    if go_line is None:
        raise pytest.UsageError(f"{CHECKOUT / 'go.mod'} has no `go` line: add the oldest Go it supports")
    for item in items:
        item.add_marker(pytest.mark.go_version(f">={go_line.group(1)}"))


@pytest.fixture(scope="session")
def checkout() -> Path:
    """This checkout's copy of the Go code: read it, never build in it."""
    return CHECKOUT


@pytest.fixture
def module_proxy(go_proxy: GoProxy) -> GoProxy:
    """The plugin's module proxy, serving every module version of testdata/mod."""
    for archive in MODULE_ARCHIVES:
        go_proxy.add_txtar(archive)
    return go_proxy


@pytest.fixture
def project(goenv: GoEnv, module_proxy: GoProxy) -> Path:
    """A copy of example_project's Go code in the sandbox, with the module proxy as GOPROXY."""
    goenv.use_proxy(module_proxy)
    destination = goenv.workdir / "sysinfo"
    shutil.copytree(CHECKOUT, destination, ignore=_NOT_GO)
    return destination
