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
from pytest_goenv.modules.modzip import ModZipError
from pytest_goenv.modules.proxy import GoProxy, ModuleVersion, ProxyError
from pytest_goenv.modules.sumdb import ChecksumDatabase, SumDBError
from pytest_goenv.modules.txtar import TxtarError
from pytest_goenv.modules.vcs import GitError, GitRepo
from pytest_goenv.sandbox.goenv import GoEnv, SandboxError
from pytest_goenv.sandbox.gopath import GoPath
from pytest_goenv.sandbox.result import GoCommandError, GoResult
from pytest_goenv.sandbox.vendor import VendorError
from pytest_goenv.sandbox.workspace import GoWorkspace, WorkspaceError
from pytest_goenv.toolchains.toolchain import GoToolchain, ToolchainError, ToolchainNotFound, default_toolchain
from pytest_goenv.toolchains.version import GoVersion, GoVersionSpec, InvalidGoVersion

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
