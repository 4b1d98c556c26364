"""Parameters that take several strings: a bare string there is a mistake, not a list of letters.

Python iterates a string character by character, so ``tags="integration"`` would
quietly become the tags ``i, n, t, ...``; the helpers refuse it with the fix instead.
"""

from __future__ import annotations

__all__ = ["reject_bare_string"]


def reject_bare_string(name: str, value: object, *, fix: str | None = None) -> None:
    """Raise ``TypeError`` if ``value``, given for the list parameter ``name``, is a single string.

    ``fix`` replaces the suggested spelling (default ``name=['value']``) where that
    is not how the value is written, e.g. inside a mapping.
    """
    __tracebackhide__ = True
    if isinstance(value, (str, bytes)):
        shown = value if isinstance(value, str) else value.decode("utf-8", "replace")
        kind = "string" if isinstance(value, str) else "bytes"
        suggestion = fix if fix is not None else f"{name}=[{shown!r}]"
        raise TypeError(f"{name} must be a list of strings, not the {kind} {value!r}; write {suggestion}")
