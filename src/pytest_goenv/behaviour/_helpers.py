"""Helpers shared by the behaviour experiments: small modules and a fake toolchain on PATH."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pytest_goenv.sandbox.goenv import GoEnv

DEP = "example.com/dep"
DEP_FILES = {"dep.go": "package dep\n\n// V is what importers print.\nconst V = 1\n"}
IMPORTER = 'package app\n\nimport "example.com/dep"\n\n// V re-exports dep.V.\nconst V = dep.V\n'


def importer_module(goenv: GoEnv, name: str = "app") -> Path:
    """A library module (no main package, so building it needs no runtime) importing example.com/dep."""
    return goenv.write_module(
        f"example.com/{name}",
        {"go.mod": f"module example.com/{name}\n\ngo {language(goenv)}\n\nrequire {DEP} v1.0.0\n", "app.go": IMPORTER},
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
