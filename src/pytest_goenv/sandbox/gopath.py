"""GOPATH mode: packages placed under ``$GOPATH/src`` and go commands run with GO111MODULE=off."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pytest_goenv.modules.modpath import InvalidModulePath, check_file_path
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

__all__ = ["GoPath"]


class GoPath:
    """The sandbox's GOPATH used the pre-module way: ``src/<import path>`` trees, ``bin`` and ``pkg``."""

    def __init__(self, goenv: GoEnv) -> None:
        self.goenv = goenv

    @property
    def root(self) -> Path:
        """The GOPATH directory."""
        return self.goenv.gopath

    @property
    def src(self) -> Path:
        """``$GOPATH/src``."""
        return self.goenv.gopath / "src"

    @property
    def bin(self) -> Path:
        """``$GOPATH/bin``, where ``go install`` puts commands in GOPATH mode."""
        return self.goenv.gopath / "bin"

    def package_dir(self, import_path: str) -> Path:
        """The directory of ``import_path`` below ``$GOPATH/src``."""
        try:
            check_file_path(import_path)
        except InvalidModulePath as exc:
            raise ValueError(f"{import_path!r} is not an import path: {exc}") from None
        return self.src.joinpath(*import_path.split("/"))

    def add_package(self, import_path: str, files: Mapping[str, str | bytes]) -> Path:
        """Write ``files`` into ``$GOPATH/src/<import_path>`` and return that directory."""
        return self.goenv.write_files(files, self.package_dir(import_path))

    def run(
        self,
        *args: str | os.PathLike[str],
        cwd: str | None = None,
        env: Mapping[str, str | None] | None = None,
        check: bool = True,
        timeout: float | None = None,
    ) -> GoResult:
        """Run ``go ARGS`` with GO111MODULE=off, from the package ``cwd`` (an import path) or the work dir."""
        __tracebackhide__ = True
        workdir = self.package_dir(cwd) if cwd is not None else self.goenv.workdir
        return self.goenv.run(
            *args, cwd=workdir, env={"GO111MODULE": "off", **(env or {})}, check=check, timeout=timeout
        )
