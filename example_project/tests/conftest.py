"""Fixtures for the build tests of example.com/sysinfo.

Each test gets a fresh copy of the Go module in its own goenv sandbox (private GOPATH,
module cache, HOME and temp dirs), so a test can vendor, build or edit files without
touching this checkout. The module's dependencies come from the plugin's module proxy
(go_proxy, on loopback), fed with the archives in testdata/mod (see local_proxy.py):
nothing is fetched from the internet.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from local_proxy import CHECKOUT, add_modules

from pytest_goenv import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv

NOT_COPIED = {
    CHECKOUT: {"tests", "README.md", "pytest.ini"},  # the Python side
    CHECKOUT / "testdata": {"mod"},  # the proxy's archives; the rest of testdata/ belongs to the Go tests
}
"""What the project copy leaves out, by directory; hidden files and __pycache__ are left out everywhere."""


def _not_copied(directory: str, names: list[str]) -> set[str]:
    hidden = {name for name in names if name.startswith(".") or name == "__pycache__"}
    return hidden | (NOT_COPIED.get(Path(directory), set()) & set(names))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the Go tests on toolchains older than go.mod's `go` line, saying so.

    Only tests that use a Go fixture get the mark (every Go fixture uses go_toolchain):
    on the others it would do nothing.
    """
    go_line = re.search(r"^go (\S+)$", (CHECKOUT / "go.mod").read_text(), re.MULTILINE)
    if go_line is None:
        raise pytest.UsageError(f"{CHECKOUT / 'go.mod'} has no `go` line: add the oldest Go it supports")
    for item in items:
        if "go_toolchain" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.go_version(f">={go_line.group(1)}"))


@pytest.fixture(scope="session")
def checkout() -> Path:
    """This checkout's copy of the Go code: read it, never build in it."""
    return CHECKOUT


@pytest.fixture
def module_proxy(go_proxy: GoProxy) -> GoProxy:
    """The plugin's module proxy, serving every module version of testdata/mod."""
    return add_modules(go_proxy)


@pytest.fixture
def project(goenv: GoEnv, module_proxy: GoProxy) -> Path:
    """A copy of example_project's Go code in the sandbox, with the module proxy as GOPROXY."""
    goenv.use_proxy(module_proxy)
    destination = goenv.workdir / "sysinfo"
    shutil.copytree(CHECKOUT, destination, ignore=_not_copied)
    return destination
