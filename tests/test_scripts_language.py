"""The script language's pure parts: words and prefixes, variable expansion, Go regexps, archives, update."""

from __future__ import annotations

import pytest

from pytest_goenv.scripts.archive import parse_script_archive
from pytest_goenv.scripts.errors import CommandFailed, ScriptSyntaxError
from pytest_goenv.scripts.expand import expand, quote_meta
from pytest_goenv.scripts.goregexp import compile_go
from pytest_goenv.scripts.lexer import Section, parse_line, parse_script
from pytest_goenv.scripts.update import replace_bodies


def test_words_quotes_and_comments() -> None:
    line = parse_line("exec echo 'a b' x'y''z'w  # a comment", 7)
    assert line is not None
    assert (line.lineno, line.name) == (7, "exec")
    assert line.raw_words() == ["echo", "a b", "xy'zw"]
    assert [f.quoted for f in line.raw_args[2]] == [False, True, False]


def test_prefixes_conditions_and_background() -> None:
    line = parse_line("[!short] [GOOS:linux] ! go build &", 1)
    assert line is not None
    assert line.want == "failure"
    assert [(c.tag, c.want) for c in line.conditions] == [("short", False), ("GOOS:linux", True)]
    assert (line.background, line.background_name, line.raw_words()) == (True, None, ["build"])
    named = parse_line("? exec server &srv&", 1)
    assert named is not None
    assert (named.want, named.background, named.background_name) == ("either", True, "srv")
    quoted_amp = parse_line("exec echo '&'", 1)
    assert quoted_amp is not None
    assert not quoted_amp.background


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("exec echo 'oops", "unterminated quoted argument"),
        ("! ? exec true", "duplicated"),
        ("[] exec true", "empty condition"),
        ("[short] !", "without a command"),
    ],
)
def test_bad_lines_are_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(ScriptSyntaxError, match=message) as caught:
        parse_line(text, 4)
    assert caught.value.lineno == 4


def test_blank_lines_sections_and_errors_keep_their_places() -> None:
    parsed = parse_script("# one\n\n  # two\nexec true # c\nexec 'x\n", first_line=1)
    assert [type(p).__name__ for p in parsed] == ["Section", "Section", "ScriptLine", "ScriptSyntaxError"]
    assert isinstance(parsed[1], Section)
    assert parsed[1].lineno == 3
    assert getattr(parsed[3], "lineno", None) == 5


def test_expansion_follows_go_os_expand() -> None:
    env = {"A": "1", "B_2": "x.y", "": "never"}.get
    assert expand("$A${A}x$B_2-$missing.", env) == "11xx.y-."
    assert expand("$ $", env) == "$ $"  # a $ before nothing or a space stays
    assert expand("${}a${A", env) == "aA"  # bad syntax is dropped as os.Expand does
    assert expand("${B_2@R}", env) == r"x\.y"
    assert expand("$B_2", env, regexp=True) == r"x\.y"
    assert quote_meta(r"a.b*c\d") == r"a\.b\*c\\d"


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (r"(?m)^ok\s+\Qa.b\E\z", "x\nok  a.b", True),
        (r"(?m)^ok\z", "ok\n", False),
        (r"[[:upper:]][[:digit:]]+", "x A12", True),
        (r"(?<name>\pL+)!", "héllo!", True),
        (r"(?m)(?-m)FAIL\n$", "FAIL\nok\nFAIL\n", True),
        (r"a(?i)b", "aB", True),
        (r"a(?i)b", "AB", False),
        (r"[[]x]", "[x]", True),
        (r"\d", "٣", False),  # Go's \d is ASCII
    ],
)
def test_go_regexps(pattern: str, text: str, found: bool) -> None:
    assert (compile_go(pattern).search(text) is not None) is found


@pytest.mark.parametrize("pattern", ["a(", "(?U)a*", r"\p{Greek}", "[[:^alpha:]]"])
def test_regexps_python_cannot_express_are_refused(pattern: str) -> None:
    with pytest.raises(CommandFailed) as caught:
        compile_go(pattern)
    assert caught.value.fatal
    assert pattern.split("(", maxsplit=1)[0] in caught.value.message or "regexp" in caught.value.message


def test_archives_parse_as_go_does() -> None:
    archive = parse_script_archive(b"go version\n-- a.txt --\none\n-- a.txt --\ntwo\r\n-- b --\nno newline")
    assert archive.comment == b"go version\n"
    assert [(f.name, f.data, f.line) for f in archive.files] == [
        ("a.txt", b"one\n", 2),
        ("a.txt", b"two\r\n", 4),
        ("b", b"no newline\n", 6),
    ]
    assert parse_script_archive(b"exec true").comment == b"exec true\n"


def test_update_replaces_only_the_named_bodies() -> None:
    data = b"cmp stdout a\n-- a --\nold\n-- b --\nkeep \r\n\n-- c --\nlast"
    archive = parse_script_archive(data)
    assert replace_bodies(data, archive, {"a": b"new\nlines"}) == data.replace(b"old\n", b"new\nlines\n")
    assert replace_bodies(data, archive, {"c": b"end\n"}) == data.replace(b"last", b"end\n")
    assert replace_bodies(data, archive, {"a": b""}) == data.replace(b"old\n", b"")
