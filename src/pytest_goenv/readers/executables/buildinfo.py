"""The build info text format: what ``go version -m`` prints and ``runtime/debug.BuildInfo.String`` writes.

The same text is embedded in every binary the go command builds (see :mod:`pytest_goenv.readers.executables`);
:func:`parse_build_info` reads either form, and ``str(BuildInfo)`` writes it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["BuildInfo", "Module", "parse_build_info"]


@dataclass(frozen=True)
class Module:
    """A module recorded in build info: the main module or a dependency, possibly replaced."""

    path: str
    version: str
    sum: str = ""
    replace: Module | None = None

    def __str__(self) -> str:
        text = f"{self.path} {self.version}".rstrip()
        if self.replace is not None:
            text += f" => {self.replace}"
        return text


@dataclass(frozen=True)
class BuildInfo:
    """What ``go version -m`` shows: Go version, package path, main module, dependencies, settings."""

    go_version: str
    path: str = ""
    main: Module | None = None
    deps: tuple[Module, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()

    def setting(self, key: str, default: str | None = None) -> str | None:
        """The value of build setting ``key`` (``CGO_ENABLED``, ``-trimpath``, ``vcs.revision``...)."""
        for name, value in self.settings:
            if name == key:
                return value
        return default

    @property
    def settings_map(self) -> dict[str, str]:
        """The build settings as a dict (the last value wins if a key repeats)."""
        return dict(self.settings)

    @property
    def goos(self) -> str | None:
        """The GOOS setting, if recorded (Go >= 1.18)."""
        return self.setting("GOOS")

    @property
    def goarch(self) -> str | None:
        """The GOARCH setting, if recorded (Go >= 1.18)."""
        return self.setting("GOARCH")

    @property
    def cgo(self) -> bool | None:
        """Whether cgo was enabled (``CGO_ENABLED``), or None if not recorded."""
        value = self.setting("CGO_ENABLED")
        return None if value is None else value == "1"

    @property
    def trimpath(self) -> bool:
        """Whether the binary was built with ``-trimpath``."""
        return self.setting("-trimpath") == "true"

    @property
    def vcs(self) -> dict[str, str]:
        """The version control settings: ``vcs`` itself and ``vcs.*`` keys (revision, time, modified)."""
        return {k: v for k, v in self.settings if k == "vcs" or k.startswith("vcs.")}

    def dep(self, path: str) -> Module | None:
        """The dependency with module path ``path``, or None."""
        for module in self.deps:
            if module.path == path:
                return module
        return None

    def __str__(self) -> str:
        lines = [f"go\t{self.go_version}"] if self.go_version else []
        if self.path:
            lines.append(f"path\t{self.path}")

        def module_lines(word: str, module: Module) -> None:
            if module.replace is None:
                lines.append(f"{word}\t{module.path}\t{module.version}\t{module.sum}")
            else:
                lines.append(f"{word}\t{module.path}\t{module.version}")
                module_lines("=>", module.replace)

        if self.main is not None:
            module_lines("mod", self.main)
        for dep in self.deps:
            module_lines("dep", dep)
        for key, value in self.settings:
            lines.append(f"build\t{_quote_if(key, _KEY_NEEDS_QUOTE)}={_quote_if(value, _VALUE_NEEDS_QUOTE)}")
        return "\n".join(lines)


_VERSION_HEADER = re.compile(r"^.*: (go\d\S*|devel .*)$")  # "FILE: go1.22.3" from go version -m
_KEY_NEEDS_QUOTE = re.compile(r"^$|[= \t\r\n\"`]")
_VALUE_NEEDS_QUOTE = re.compile(r"[ \t\r\n\"`]")


def _quote_if(text: str, needs: re.Pattern[str]) -> str:
    if not needs.search(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + escaped.replace("\r", "\\r") + '"'


_SIMPLE_ESCAPES = {
    "a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "v": b"\v",
    "\\": b"\\", '"': b'"', "'": b"'",
}  # fmt: skip


def _go_unquote(text: str) -> str:
    """Decode a Go string literal (``"..."`` with escapes, or a raw backquoted string)."""
    if len(text) >= 2 and text[0] == text[-1] == "`":
        return text[1:-1]
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a Go string literal: {text!r}")
    body, out, i = text[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out += char.encode()
            i += 1
            continue
        kind = body[i + 1 : i + 2]
        if kind in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[kind]
            i += 2
        elif kind == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif kind in ("u", "U"):
            width = 4 if kind == "u" else 8
            out += chr(int(body[i + 2 : i + 2 + width], 16)).encode()
            i += 2 + width
        elif kind.isdigit():
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            raise ValueError(f"invalid escape \\{kind} in Go string literal {text!r}")
    return out.decode("utf-8", errors="surrogateescape")


def parse_build_info(text: str, go_version: str = "") -> BuildInfo:
    """Parse build info text, either the embedded blob or ``go version -m`` output for one file.

    Lines may be indented (as ``go version -m`` prints them); a ``go`` line or a ``FILE: goX`` header
    line sets the Go version; lines of unknown kinds are skipped.  Raises ValueError naming a
    malformed module, replacement or build line.
    """
    path, main, deps, settings = "", None, [], []
    last: list[Module] = []  # the module a following "=>" line replaces
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip(" \t\r")
        if not line:
            continue
        word, _, rest = line.partition("\t")
        try:
            if word == "go":
                go_version = rest
            elif word == "path":
                path = rest
            elif word in ("mod", "dep"):
                module = _module_from_columns(rest)
                if word == "mod":
                    main = module
                else:
                    deps.append(module)
                last = [module]
            elif word == "=>":
                if not last:
                    raise ValueError("replacement without a module")
                replaced = Module(last[0].path, last[0].version, "", _module_from_columns(rest))
                if main is last[0]:
                    main = replaced
                else:
                    deps[-1] = replaced
                last = []
            elif word == "build":
                settings.append(_setting_from_text(rest))
            elif not rest and (header := _VERSION_HEADER.match(line)):
                go_version = header.group(1)
            # other lines are skipped, as the go command does, so that newer kinds do not break us
        except ValueError as exc:
            raise ValueError(f"cannot parse Go build info line {number} {raw!r}: {exc}") from None
    return BuildInfo(go_version, path, main, tuple(deps), tuple(settings))


def _module_from_columns(text: str) -> Module:
    columns = text.split("\t")
    if len(columns) not in (2, 3):
        raise ValueError(f"expected 2 or 3 tab-separated columns, got {len(columns)}")
    return Module(columns[0], columns[1], columns[2] if len(columns) == 3 else "")


def _setting_from_text(text: str) -> tuple[str, str]:
    if text.startswith('"'):
        end = text.find('"=', 1)
        while end > 0 and text[end - 1] == "\\" and not text[:end].endswith("\\\\"):
            end = text.find('"=', end + 1)
        if end < 0:
            raise ValueError("unterminated quoted key")
        key, raw_value = _go_unquote(text[: end + 1]), text[end + 2 :]
    else:
        key, eq, raw_value = text.partition("=")
        if not eq:
            raise ValueError("build setting without '='")
    value = _go_unquote(raw_value) if raw_value[:1] in ('"', "`") else raw_value
    return key, value
