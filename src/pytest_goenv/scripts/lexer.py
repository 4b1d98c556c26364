"""Script lines: words, single quotes, ``#`` comments, the ``!``/``?`` prefixes, ``[cond]`` guards and ``&``.

A line is split at spaces and tabs into words; ``'...'`` keeps spaces and ``$`` literal (a doubled
``''`` inside quotes is one quote); ``#`` outside quotes ends the line.  Leading words may be ``!``
(the command must fail), ``?`` (it may fail) and ``[cond]`` / ``[!cond]`` guards; the first other
word names the command.  A last word ``&`` runs the command in the background, ``&name&`` does so
under a name that ``wait name`` and ``kill name`` accept (go-internal's form).  A line starting with
``#`` is a section header; blank and comment-only lines are nothing.

Example::

    >>> line = parse_line("[!short] ! go build 'a b' $WORK &", 3)
    >>> (line.name, line.want, [c.tag for c in line.conditions], line.background)
    ('go', 'failure', ['short'], True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pytest_goenv.scripts.errors import ScriptSyntaxError

__all__ = ["Condition", "Fragment", "ScriptLine", "Section", "Want", "parse_line", "parse_script"]

Want = Literal["success", "failure", "either"]

_SEPARATORS = " \t\r\n#"
_NAMED_BACKGROUND = re.compile(r"&(\w+)&")


@dataclass(frozen=True)
class Fragment:
    """A piece of one word: ``quoted`` text is neither expanded nor split."""

    text: str
    quoted: bool


@dataclass(frozen=True)
class Condition:
    """A ``[tag]`` guard (``want`` False for ``[!tag]``)."""

    tag: str
    want: bool

    def __str__(self) -> str:
        return f"[{'' if self.want else '!'}{self.tag}]"


@dataclass(frozen=True)
class ScriptLine:
    """One command line of a script, before variable expansion."""

    lineno: int
    text: str
    name: str
    want: Want = "success"
    conditions: tuple[Condition, ...] = ()
    raw_args: tuple[tuple[Fragment, ...], ...] = ()
    background: bool = False
    background_name: str | None = None

    def raw_words(self) -> list[str]:
        """The arguments as written, quotes removed and nothing expanded."""
        return ["".join(fragment.text for fragment in word) for word in self.raw_args]


@dataclass(frozen=True)
class Section:
    """A ``# comment`` line that starts a section of the script."""

    lineno: int
    text: str


def _split_words(text: str, lineno: int) -> list[tuple[Fragment, ...]]:
    """The words of a line as fragments; an unterminated quote is a syntax error."""
    words: list[tuple[Fragment, ...]] = []
    current: list[Fragment] = []
    plain: list[str] = []
    quoted = False
    i = 0
    while True:
        if not quoted and (i >= len(text) or text[i] in _SEPARATORS):
            if plain:
                current.append(Fragment("".join(plain), quoted=False))
                plain = []
            if current:
                words.append(tuple(current))
                current = []
            if i >= len(text) or text[i] == "#":
                return words
            i += 1
            continue
        if i >= len(text):
            raise ScriptSyntaxError("unterminated quoted argument (a ' has no closing ')", lineno=lineno)
        char = text[i]
        if char == "'":
            if not quoted:
                if plain:
                    current.append(Fragment("".join(plain), quoted=False))
                    plain = []
                quoted = True
            elif i + 1 < len(text) and text[i + 1] == "'":
                plain.append("'")
                i += 1
            else:
                current.append(Fragment("".join(plain), quoted=True))
                plain = []
                quoted = False
        else:
            plain.append(char)
        i += 1


def parse_line(text: str, lineno: int) -> ScriptLine | None:
    """Parse one command line; None for a blank or comment-only line.

    Raises :class:`ScriptSyntaxError` for an unterminated quote, a doubled prefix, an empty
    condition or a prefix without a command.
    """
    words = _split_words(text, lineno)
    want: Want = "success"
    conditions: list[Condition] = []
    name = ""
    index = 0
    for index, word in enumerate(words):  # noqa: B007 - the index of the command word is used below
        if len(word) != 1 or word[0].quoted:
            break
        token = word[0].text
        if token in ("!", "?"):
            if want != "success":
                raise ScriptSyntaxError("duplicated '!' or '?' prefix", lineno=lineno)
            want = "failure" if token == "!" else "either"
            continue
        if token.startswith("[") and token.endswith("]"):
            tag = token[1:-1].strip()
            negated = tag.startswith("!")
            tag = tag[1:].strip() if negated else tag
            if not tag:
                raise ScriptSyntaxError(f"empty condition {token}", lineno=lineno)
            conditions.append(Condition(tag, not negated))
            continue
        break
    else:
        index = len(words)
    if index < len(words):
        first = words[index]
        name = "".join(fragment.text for fragment in first)
        if not name:
            raise ScriptSyntaxError("empty command name", lineno=lineno)
    if not name:
        if want != "success" or conditions:
            raise ScriptSyntaxError("a prefix or condition without a command", lineno=lineno)
        return None
    raw_args = list(words[index + 1 :])
    background = False
    background_name: str | None = None
    if raw_args and len(raw_args[-1]) == 1 and not raw_args[-1][0].quoted:
        last = raw_args[-1][0].text
        named = _NAMED_BACKGROUND.fullmatch(last)
        if last == "&" or named:
            background = True
            background_name = named.group(1) if named else None
            raw_args.pop()
    return ScriptLine(
        lineno=lineno,
        text=text,
        name=name,
        want=want,
        conditions=tuple(conditions),
        raw_args=tuple(raw_args),
        background=background,
        background_name=background_name,
    )


def parse_script(text: str, *, first_line: int = 1) -> list[ScriptLine | Section | ScriptSyntaxError]:
    """Every meaningful line of a script, in order; a bad line is kept as its error, raised when reached.

    Keeping errors in place lets a script run up to its bad line (as Go's engines do), so the
    log shows what ran before it.
    """
    parsed: list[ScriptLine | Section | ScriptSyntaxError] = []
    for offset, raw in enumerate(text.split("\n")):
        lineno = first_line + offset
        stripped = raw.rstrip("\r")
        if stripped.lstrip(" \t").startswith("#"):
            parsed.append(Section(lineno, stripped.strip()))
            continue
        try:
            line = parse_line(stripped, lineno)
        except ScriptSyntaxError as exc:
            parsed.append(exc)
            continue
        if line is not None:
            parsed.append(line)
    return parsed
