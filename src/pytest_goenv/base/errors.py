"""The one exception base of pytest-goenv.

Every error the package raises derives from :class:`GoenvError`, so a caller can catch them all;
most also derive from the built-in that describes them best (``ValueError`` for malformed
input, ``LookupError`` for something not found, ``RuntimeError`` for a tool that failed), so
code written against those keeps working.  ``AssertionError`` is kept for the failures of
checks (the ``assert_*`` helpers and ``GoEnv.run(check=True)``).

Example::

    from pytest_goenv import GoenvError, GoVersion

    try:
        GoVersion.parse("1.x")
    except GoenvError as exc:   # also a ValueError
        print(exc)
"""

from __future__ import annotations

__all__ = ["GoenvError"]


class GoenvError(Exception):
    """The base of every exception pytest-goenv raises."""
