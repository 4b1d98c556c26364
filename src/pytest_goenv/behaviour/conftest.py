"""Helpers shared by the behaviour experiments: small modules, a local proxy, a fake toolchain."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_goenv.proxy import GoProxy
from pytest_goenv.sandbox import GoEnv

DEP = "example.com/dep"
DEP_FILES = {"dep.go": "package dep\n\n// V is what importers print.\nconst V = 1\n"}
IMPORTER = 'package app\n\nimport "example.com/dep"\n\n// V re-exports dep.V.\nconst V = dep.V\n'


@pytest.fixture
def dep_proxy(goenv: GoEnv) -> Iterator[GoProxy]:
    """A file:// module proxy serving example.com/dep v1.0.0, set as the sandbox's GOPROXY."""
    with GoProxy(goenv.root / "proxy") as proxy:
        proxy.add(DEP, "v1.0.0", DEP_FILES)
        goenv.setenv("GOPROXY", proxy.url)
        goenv.setenv("GOFLAGS", "-modcacherw")  # lets experiments edit the module cache
        yield proxy


def importer_module(goenv: GoEnv, name: str = "app") -> Path:
    """A library module (no main package, so building it needs no runtime) importing example.com/dep."""
    return goenv.write_module(
        f"example.com/{name}",
        {"go.mod": f"module example.com/{name}\n\ngo {language(goenv)}\n\nrequire {DEP} v1.0.0\n",
         "app.go": IMPORTER},
        dest=name,
    )


def language(goenv: GoEnv) -> str:
    """The toolchain's language version, for go lines every toolchain accepts."""
    return goenv.toolchain.version.language


def fake_toolchain(goenv: GoEnv, name: str) -> Path:
    """Put an executable ``name`` (e.g. go1.999.0) first on the sandbox's PATH; it prints who it is."""
    bindir = goenv.root / "fakebin"
    bindir.mkdir(exist_ok=True)
    script = bindir / name
    script.write_text(f'#!/bin/sh\necho "fake toolchain {name} ran: $*"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    goenv.setenv("PATH", os.pathsep.join([str(bindir), goenv.env["PATH"]]))
    return script

