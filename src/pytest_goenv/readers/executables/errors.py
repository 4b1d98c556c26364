"""The errors of the executable readers: a file that is no readable executable, or one without Go build info."""

from __future__ import annotations

from pytest_goenv.base.errors import GoenvError

__all__ = ["BinaryFormatError", "NotAGoBinary"]


class BinaryFormatError(GoenvError, ValueError):
    """The file is not an executable this module can read (or is truncated or corrupt)."""


class NotAGoBinary(BinaryFormatError):
    """The executable carries no Go build info (not built by the go command, or stripped of it)."""
