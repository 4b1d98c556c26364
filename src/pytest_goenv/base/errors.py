"""The one exception base of pytest-goenv: every error the package raises derives from it."""

from __future__ import annotations

__all__ = ["GoenvError"]


class GoenvError(Exception):
    """An error of pytest-goenv; its message says what went wrong and how to fix it."""
