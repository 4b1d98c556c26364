"""Fixtures for the build tests of example.com/sysinfo.

Each test gets a fresh copy of the Go module in its own goenv sandbox (private GOPATH,
module cache, HOME and temp dirs), so a test can vendor, build or edit files without
touching this checkout. The module's dependencies are served by a local module proxy
from the archives in testdata/mod: nothing is fetched from the internet.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pytest_goenv import modzip, txtar
from pytest_goenv.sandbox import GoEnv

PROJECT = Path(__file__).resolve().parent.parent
"""example_project/: the Go workspace (go.work), the library module and cmd/."""

MODULE_ARCHIVES = sorted((PROJECT / "testdata" / "mod").glob("*.txt"))
"""One txtar per module version the local proxy serves (cmd/go's testdata/mod layout)."""

_NOT_GO = shutil.ignore_patterns("tests", "testdata", "README.md", "pytest.ini", ".*", "__pycache__")


class _FileProxy:
    """A file:// module proxy laid out from txtar archives (until go_proxy lands)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def add_txtar(self, path: Path) -> None:
        archive = txtar.read_file(path)
        module, version = archive.comment.decode().split(":", 1)[0].split()
        files = {f.name: f.data for f in archive.files if not f.name.startswith(".")}
        versions = self.root / module / "@v"
        versions.mkdir(parents=True, exist_ok=True)
        for suffix in ("mod", "info"):
            entry = archive.get(f".{suffix}")
            assert entry is not None
            (versions / f"{version}.{suffix}").write_bytes(entry.data)
        (versions / f"{version}.zip").write_bytes(modzip.create_zip(module, version, files))
        with (versions / "list").open("a") as listing:
            listing.write(version + "\n")

    @property
    def url(self) -> str:
        return self.root.as_uri()


@pytest.fixture
def go_proxy(goenv: GoEnv) -> _FileProxy:
    return _FileProxy(goenv.root / "proxy")


@pytest.fixture
def project(goenv: GoEnv, go_proxy: _FileProxy) -> Path:
    """A copy of example_project's Go code in the sandbox, with the local proxy as GOPROXY."""
    for archive in MODULE_ARCHIVES:
        go_proxy.add_txtar(archive)
    goenv.setenv("GOPROXY", go_proxy.url)
    destination = goenv.workdir / "sysinfo"
    shutil.copytree(PROJECT, destination, ignore=_NOT_GO)
    return destination
