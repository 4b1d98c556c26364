"""Text shown to a reader: long output cut to its head and tail, control characters made visible.

Failure reports, evidence in the claims report and error messages show what a program printed.
Long text is cut (:func:`cut_lines`, :func:`shorten`), saying what was left out, and characters
that would act on the reader's terminal (ESC sequences, OSC titles, carriage returns, bidi
overrides) are shown escaped (:func:`escape_controls`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["cut_lines", "escape_controls", "shorten"]

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def cut_lines(
    lines: Sequence[str], head: int, tail: int = 0, note: str | None = "... ({cut} lines cut) ..."
) -> list[str]:
    """The first ``head`` and last ``tail`` of ``lines``, with ``note`` (``{cut}``: how many) between.

    >>> cut_lines(["a", "b", "c", "d"], 1, 1)
    ['a', '... (2 lines cut) ...', 'd']
    """
    if len(lines) <= head + tail:
        return list(lines)
    cut = len(lines) - head - tail
    middle = [] if note is None else [note.format(cut=cut)]
    return [*lines[:head], *middle, *(lines[len(lines) - tail :] if tail else [])]


def shorten(text: str, limit: int, note: str = " ... ({length} chars)") -> str:
    """``text`` cut to ``limit`` characters, ``note`` saying so (``{length}``: the whole length, ``{cut}``: the rest).

    >>> shorten("abcdef", 3)
    'abc ... (6 chars)'
    """
    return text if len(text) <= limit else text[:limit] + note.format(length=len(text), cut=len(text) - limit)


def escape_controls(text: str) -> str:
    r"""``text`` with control characters (but tab and newline) written as ``\x1b``-style escapes.

    >>> escape_controls("\x1b[2Jred")
    '\\x1b[2Jred'
    """
    return _CONTROLS.sub(lambda match: _escaped(match.group()), text)


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
