"""The one exception base of pytest-goenv: every error the package raises derives from it."""

from __future__ import annotations

__all__ = ["GoenvError"]


class GoenvError(Exception):
    """Something pytest-goenv was asked to do cannot be done; the message says what and how to fix it."""
