"""pytest-goenv: isolated, real Go build environments for tests, across Go toolchains."""

from __future__ import annotations

try:  # the assertion helpers get pytest's assertion rewriting; a plain script needs no pytest
    import pytest
except ImportError:  # pragma: no cover
    pass
else:
    pytest.register_assert_rewrite("pytest_goenv.assertions")

from pytest_goenv import assertions
from pytest_goenv.assertions import *  # noqa: F403  (the helpers are exported from here too)
from pytest_goenv.gopath import GoPath
from pytest_goenv.modzip import ModZipError
from pytest_goenv.proxy import GoProxy, ModuleVersion, ProxyError
from pytest_goenv.result import GoCommandError, GoResult
from pytest_goenv.sandbox import GoEnv, SandboxError
from pytest_goenv.sumdb import ChecksumDatabase, SumDBError
from pytest_goenv.toolchain import GoToolchain, ToolchainError, ToolchainNotFound, default_toolchain
from pytest_goenv.txtar import TxtarError
from pytest_goenv.vcs import GitError, GitRepo
from pytest_goenv.vendor import VendorError
from pytest_goenv.version import GoVersion, GoVersionSpec, InvalidGoVersion
from pytest_goenv.workspace import GoWorkspace, WorkspaceError

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
    "assertions",
    "default_toolchain",
]
__all__ += assertions.__all__
