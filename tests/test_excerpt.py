"""Text shown to a reader: cuts that say what they left out, control characters made visible."""

from __future__ import annotations

import pytest

from pytest_goenv.base.excerpt import cut_lines, escape_controls, shorten


def test_cut_lines_keeps_head_and_tail_and_counts_the_rest() -> None:
    lines = [f"l{n}" for n in range(10)]
    assert cut_lines(lines, 2, 1) == ["l0", "l1", "... (7 lines cut) ...", "l9"]
    assert cut_lines(lines, 3, note="and {cut} more") == ["l0", "l1", "l2", "and 7 more"]
    assert cut_lines(lines, 0, 2, None) == ["l8", "l9"]
    assert cut_lines(lines, 5, 5) == lines


def test_shorten_says_how_long_the_text_was() -> None:
    assert shorten("abcdef", 4) == "abcd ... (6 chars)"
    assert shorten("abcdef", 2, " ... ({cut} more chars)") == "ab ... (4 more chars)"
    assert shorten("abc", 3) == "abc"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("over\rwrite", "over\\x0dwrite"),
        ("\x9b2J", "\\x9b2J"),
        ("abc\u202edcba", "abc\\u202edcba"),
        ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
        ("héllo, 世界", "héllo, 世界"),
    ],
)
def test_escape_controls(raw: str, shown: str) -> None:
    assert escape_controls(raw) == shown
