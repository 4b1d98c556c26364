"""Variable expansion in script words: ``$NAME``, ``${NAME}``, ``${NAME@R}`` and the one-character names.

The rules are Go's ``os.Expand``: a name is letters, digits and ``_``; ``${...}`` takes anything up to
``}``; a single shell-special character (``$``, ``@``, ``*``, ``#``, ``!``, ``?``, ``-``, a digit)
is a name of its own; ``$`` before anything else stays as it is; an unknown variable is empty.
``${NAME@R}`` (go-internal's form) is the value quoted for a regular expression, and in a word
that a command reads as a regular expression every expanded value is so quoted (cmd/go's rule),
so a path like ``$WORK/a.b`` matches only itself.

Example::

    >>> expand("${A}x$B.$", {"A": "1", "B": "a.b"}.get, regexp=True)
    '1xa\\\\.b.$'
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["expand", "quote_meta"]

_SPECIAL = frozenset("*#$@!?-0123456789")
_META = frozenset("\\.+*?()|[]{}^$")


def quote_meta(text: str) -> str:
    """``text`` with Go's regexp metacharacters escaped (``regexp.QuoteMeta``)."""
    return "".join("\\" + char if char in _META else char for char in text)


def _name_at(text: str, start: int) -> tuple[str, int]:
    """The variable name after the ``$`` at ``start - 1`` and how many characters it takes."""
    rest = text[start:]
    if rest.startswith("{"):
        if len(rest) > 2 and rest[1] in _SPECIAL and rest[2] == "}":
            return rest[1], 3
        close = rest.find("}")
        if close < 0:
            return "", 1  # bad syntax: the brace is dropped, as os.Expand does
        if close == 1:
            return "", 2  # "${}" is dropped
        return rest[1:close], close + 1
    if rest and rest[0] in _SPECIAL:
        return rest[0], 1
    length = 0
    while length < len(rest) and (rest[length].isalnum() or rest[length] == "_") and rest[length].isascii():
        length += 1
    return rest[:length], length


def expand(text: str, lookup: Callable[[str], str | None], *, regexp: bool = False) -> str:
    """``text`` with its variables replaced by ``lookup``'s values (quoted when ``regexp``)."""
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        name, width = _name_at(text, i + 1)
        if not name:
            if width == 0:
                out.append("$")
            i += 1 + width
            continue
        quote = regexp
        if name.endswith("@R"):
            name, quote = name[:-2], True
        value = lookup(name) or ""
        out.append(quote_meta(value) if quote else value)
        i += 1 + width
    return "".join(out)
