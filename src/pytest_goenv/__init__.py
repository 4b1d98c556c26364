"""pytest-goenv: isolated, real Go build environments for tests, across Go toolchains.

The names below are the core types; each is imported from its module on first use, so
``import pytest_goenv`` (and the pytest plugin's start-up) loads almost nothing.  The
assertion helpers live in :mod:`pytest_goenv.assertions`.

Example, without pytest::

    from pytest_goenv import GoEnv, default_toolchain

    sandbox = GoEnv(default_toolchain(), "/tmp/sandbox")
    print(sandbox.run("env", "GOPATH").stdout)
    sandbox.cleanup()
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

_pytest_module = sys.modules.get("pytest")
if _pytest_module is not None:  # under pytest, the assertion helpers' own asserts get its detailed rewriting
    _pytest_module.register_assert_rewrite("pytest_goenv.assertions")

if TYPE_CHECKING:
    from pytest_goenv.assertions.vendoring import VendorError
    from pytest_goenv.base.errors import GoenvError
    from pytest_goenv.modules.modzip import ModZipError
    from pytest_goenv.modules.proxy import GoProxy, ModuleVersion, ProxyError
    from pytest_goenv.modules.sumdb import ChecksumDatabase, SumDBError
    from pytest_goenv.modules.txtar import TxtarError
    from pytest_goenv.modules.vcs import GitError, GitRepo
    from pytest_goenv.sandbox.goenv import GoEnv, SandboxError
    from pytest_goenv.sandbox.gopath import GoPath
    from pytest_goenv.sandbox.result import GoCommandError, GoResult
    from pytest_goenv.sandbox.workspace import GoWorkspace, WorkspaceError
    from pytest_goenv.toolchains.toolchain import GoToolchain, ToolchainError, ToolchainNotFound, default_toolchain
    from pytest_goenv.toolchains.version import GoVersion, GoVersionSpec, InvalidGoVersion

_WHERE = {
    "GoenvError": "pytest_goenv.base.errors",
    "GoToolchain": "pytest_goenv.toolchains.toolchain",
    "ToolchainError": "pytest_goenv.toolchains.toolchain",
    "ToolchainNotFound": "pytest_goenv.toolchains.toolchain",
    "default_toolchain": "pytest_goenv.toolchains.toolchain",
    "GoVersion": "pytest_goenv.toolchains.version",
    "GoVersionSpec": "pytest_goenv.toolchains.version",
    "InvalidGoVersion": "pytest_goenv.toolchains.version",
    "GoProxy": "pytest_goenv.modules.proxy",
    "ModuleVersion": "pytest_goenv.modules.proxy",
    "ProxyError": "pytest_goenv.modules.proxy",
    "ChecksumDatabase": "pytest_goenv.modules.sumdb",
    "SumDBError": "pytest_goenv.modules.sumdb",
    "ModZipError": "pytest_goenv.modules.modzip",
    "TxtarError": "pytest_goenv.modules.txtar",
    "GitError": "pytest_goenv.modules.vcs",
    "GitRepo": "pytest_goenv.modules.vcs",
    "GoEnv": "pytest_goenv.sandbox.goenv",
    "SandboxError": "pytest_goenv.sandbox.goenv",
    "GoPath": "pytest_goenv.sandbox.gopath",
    "GoCommandError": "pytest_goenv.sandbox.result",
    "GoResult": "pytest_goenv.sandbox.result",
    "VendorError": "pytest_goenv.assertions.vendoring",
    "GoWorkspace": "pytest_goenv.sandbox.workspace",
    "WorkspaceError": "pytest_goenv.sandbox.workspace",
}

__all__ = [
    "ChecksumDatabase",
    "GitError",
    "GitRepo",
    "GoCommandError",
    "GoEnv",
    "GoPath",
    "GoProxy",
    "GoResult",
    "GoToolchain",
    "GoVersion",
    "GoVersionSpec",
    "GoWorkspace",
    "GoenvError",
    "InvalidGoVersion",
    "ModZipError",
    "ModuleVersion",
    "ProxyError",
    "SandboxError",
    "SumDBError",
    "ToolchainError",
    "ToolchainNotFound",
    "TxtarError",
    "VendorError",
    "WorkspaceError",
    "default_toolchain",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_goenv' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
