"""Go regular expressions (RE2 syntax) compiled with Python's ``re``.

Scripts are written for Go's ``regexp`` package.  Most of its syntax means the same in Python;
this module rewrites the rest: ``\\z`` (end of text), ``\\Q...\\E`` (literal text), ``(?<name>``,
POSIX classes such as ``[[:alpha:]]``, ``\\pL``/``\\PL``, and a bare ``[`` inside a class.  ``\\d``,
``\\w``, ``\\s`` and ``\\b`` are ASCII as in Go.  Syntax Python cannot express (``(?U)``, other
Unicode classes) is refused with a message saying so, never silently changed.

Example::

    >>> compile_go(r"^ok\\s+\\Qa.b\\E\\z").search("ok  a.b") is not None
    True
"""

from __future__ import annotations

import functools
import re
import warnings

from pytest_goenv.scripts.errors import CommandFailed

__all__ = ["compile_go"]

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_LETTER = "[^\\W\\d_]"
_CLASS_ESCAPES = frozenset("&~|")


def _class(pattern: str, start: int) -> tuple[str, int]:
    """The bracket expression starting at ``start`` rewritten for Python, and where it ends."""
    out = ["["]
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        out.append("^")
        i += 1
    first = True
    while i < len(pattern):
        char = pattern[i]
        if char == "]" and not first:
            out.append("]")
            return "".join(out), i + 1
        first = False
        if char == "[" and pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            name = pattern[i + 2 : end] if end > 0 else ""
            negated = name.startswith("^")
            key = name[1:] if negated else name
            if end > 0 and key in _POSIX:
                if negated:
                    raise CommandFailed(
                        f"regexp {pattern!r}: negated POSIX class [:^{key}:] is not supported", fatal=True
                    )
                out.append(_POSIX[key])
                i = end + 2
                continue
        if char == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append("\\" + char if char == "[" or char in _CLASS_ESCAPES else char)
        i += 1
    raise CommandFailed(f"regexp {pattern!r}: missing closing ]", fatal=True)


def _escape(pattern: str, i: int) -> tuple[str, int]:
    """The escape at ``i`` (a backslash) rewritten for Python, and where it ends."""
    nxt = pattern[i + 1]
    if nxt == "z":
        return "\\Z", i + 2
    if nxt == "Q":
        end = pattern.find("\\E", i + 2)
        literal = pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]
        return re.escape(literal), len(pattern) if end < 0 else end + 2
    if nxt in "pP":
        if pattern.startswith("{", i + 2):
            close = pattern.find("}", i + 2)
            name, end = pattern[i + 3 : close], close + 1
        else:
            name, end = pattern[i + 2 : i + 3], i + 3
        if name != "L":
            raise CommandFailed(
                f"regexp {pattern!r}: Unicode class \\{nxt}{{{name}}} is not supported here", fatal=True
            )
        return ("[\\W\\d_]" if nxt == "P" else _LETTER), end
    return pattern[i : i + 2], i + 2


def _translate(pattern: str) -> str:
    out: list[str] = []
    closes = [0]  # per open group: scoped flag groups to close with it ("(?i)x" becomes "(?i:x)")
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            text, i = _escape(pattern, i)
            out.append(text)
        elif char == "[":
            text, i = _class(pattern, i)
            out.append(text)
        elif char == "(" and pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            closes.append(0)
            i += 3
        elif char == "(" and pattern.startswith("(?", i) and not pattern.startswith(("(?P", "(?:", "(?=", "(?!"), i):
            end = i + 2
            while end < len(pattern) and pattern[end] not in ":)":
                end += 1
            flags = pattern[i + 2 : end]
            if "U" in flags:
                raise CommandFailed(f"regexp {pattern!r}: the ungreedy flag (?U) is not supported", fatal=True)
            if end < len(pattern) and pattern[end] == ")":  # flags for the rest of the group
                out.append(f"(?{flags}:")
                closes[-1] += 1
            else:
                out.append(f"(?{flags}:")
                closes.append(0)
            i = end + 1
        elif char == "(":
            out.append(char)
            closes.append(0)
            i += 1
        elif char == ")":
            out.append(")" * closes.pop() + ")" if len(closes) > 1 else ")")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out) + ")" * closes[0]


@functools.lru_cache(maxsize=1024)
def compile_go(pattern: str) -> re.Pattern[str]:
    """Compile a Go regexp; a pattern Go or Python would refuse raises a fatal :class:`CommandFailed`."""
    translated = _translate(pattern)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(translated, re.ASCII)
    except re.error as exc:
        raise CommandFailed(f"bad regexp {pattern!r}: {exc}", fatal=True) from None
