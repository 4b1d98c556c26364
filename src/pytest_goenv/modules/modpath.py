"""Module paths and file paths as the go command checks them, and their case-encoding for proxies.

A module path's major-version suffix (``/v2``, or ``.v2`` for gopkg.in) must agree with its versions;
file paths inside a module zip have their own character rules. Proxies and module caches store paths
with each upper-case letter written as ``!`` plus its lower-case form, so that case-insensitive file
systems cannot confuse two modules. :func:`check_go_line` checks the version of a go.mod/go.work ``go`` line.
"""

from __future__ import annotations

import re

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.modules import semver
from pytest_goenv.toolchains.version import GoVersion, InvalidGoVersion

__all__ = [
    "InvalidModulePath",
    "check_file_path",
    "check_go_line",
    "check_module_path",
    "check_module_version",
    "check_path_major",
    "escape_path",
    "escape_version",
    "split_path_major",
    "unescape_path",
    "unescape_version",
]

_BAD_WINDOWS_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)
_FILE_PUNCTUATION = set("!#$%&()+,-.=@[]^_{}~ ")
_MODULE_PUNCTUATION = set("-._~")


class InvalidModulePath(GoenvError, ValueError):
    """A module path, file path or path/version pair the go command would refuse."""


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _check_elem(elem: str, *, file: bool) -> str | None:
    if not elem:
        return "empty path element"
    if elem.count(".") == len(elem):
        return f"invalid path element {elem!r}"
    if elem[0] == "." and not file:
        return "leading dot in path element"
    if elem[-1] == ".":
        return "trailing dot in path element"
    for ch in elem:
        if file:
            ok = _ascii_alnum(ch) or ch in _FILE_PUNCTUATION or (not ch.isascii() and ch.isalpha())
        else:
            ok = _ascii_alnum(ch) or ch in _MODULE_PUNCTUATION
        if not ok:
            return f"invalid char {ch!r}"
    short = elem.split(".", 1)[0]
    if short.upper() in _BAD_WINDOWS_NAMES:
        return f"{short!r} disallowed as path element component on Windows"
    if not file:
        tilde = short.rfind("~")
        if 0 <= tilde < len(short) - 1 and short[tilde + 1 :].isdigit():
            return "trailing tilde and digits in path element"
    return None


def _check_path(path: str, *, file: bool) -> str | None:
    if not path:
        return "empty string"
    if path[0] == "-" and not file:
        return "leading dash"
    if "//" in path:
        return "double slash"
    if path.endswith("/"):
        return "trailing slash"
    for elem in path.split("/"):
        problem = _check_elem(elem, file=file)
        if problem:
            return problem
    return None


def check_file_path(path: str) -> None:
    """Raise InvalidModulePath unless ``path`` may name a file inside a module zip."""
    problem = _check_path(path, file=True)
    if problem:
        raise InvalidModulePath(f"malformed file path {path!r}: {problem}")


def check_go_line(value: object) -> str:
    """Return ``value`` if it may follow ``go`` in a go.mod or go.work (``1.21``, ``1.22.3``, ``1.23rc1``).

    Raise InvalidModulePath otherwise (``go1.21``, ``banana``, a number).
    """
    text = value if isinstance(value, str) else None
    try:
        ok = text is not None and not text.startswith(("go", "devel")) and not GoVersion.parse(text).devel
    except InvalidGoVersion:
        ok = False
    if not ok or text is None:
        raise InvalidModulePath(
            f"{value!r} is not a Go language version for a go line; write one like '1.21' or '1.22.3'"
        )
    return text


def split_path_major(path: str) -> tuple[str, str]:
    """Split ``path`` into prefix and major suffix: ``a.com/m/v2`` -> (``a.com/m``, ``/v2``).

    gopkg.in paths use ``.vN``. A path whose last element looks like a bad suffix (``/v1``, ``/v0``,
    ``/v2.1``) raises InvalidModulePath.
    """
    if path.startswith("gopkg.in/"):
        m = re.match(r"^(?P<prefix>.+)(?P<major>\.v[0-9]+)(?P<unstable>-unstable)?$", path)
        if m is None or (m["major"][2] == "0" and m["major"] != ".v0"):
            raise InvalidModulePath(f"malformed module path {path!r}: gopkg.in paths must end in .vN")
        return m["prefix"], m["major"] + (m["unstable"] or "")
    m = re.match(r"^(?P<prefix>.+)/(?P<major>v[0-9.]+)$", path)
    if m is None or not m["major"][1:] or not m["major"][1].isdigit():
        return path, ""
    suffix = m["major"]
    if "." in suffix or suffix[1] == "0" or suffix == "v1":
        raise InvalidModulePath(
            f"malformed module path {path!r}: invalid version suffix /{suffix} (use /v2 or above, or none)"
        )
    return m["prefix"], "/" + suffix


_MODULE_LINE = re.compile(rb'^\s*module\s+"?([^"\s/][^"\s]*)"?', re.MULTILINE)


def declared_module(gomod: str | bytes) -> str | None:
    """The module path a go.mod's ``module`` line declares, or None if it has none."""
    match = _MODULE_LINE.search(gomod.encode() if isinstance(gomod, str) else gomod)
    return match.group(1).decode("utf-8", "replace") if match else None


def check_module_path(path: str) -> None:
    """Raise InvalidModulePath unless ``path`` is a valid module path (``example.com/mod/v2``)."""
    if not isinstance(path, str):
        raise InvalidModulePath(f"module path {path!r} is a {type(path).__name__}, not a string like 'example.com/m'")
    problem = _check_path(path, file=False)
    first = path.split("/", 1)[0]
    if not problem:
        if "." not in first:
            problem = "missing dot in first path element (module paths start with a domain name)"
        elif first[0] == "-":
            problem = "leading dash in first path element"
        else:
            bad = [ch for ch in first if not (ch in "-." or ch.isdigit() or ("a" <= ch <= "z"))]
            if bad:
                problem = f"invalid char {bad[0]!r} in first path element"
    if problem:
        raise InvalidModulePath(f"malformed module path {path!r}: {problem}")
    split_path_major(path)


def check_module_version(path: str, version: str) -> None:
    """Raise InvalidModulePath unless ``path@version`` names a module version: a valid path and a canonical
    version (``v1.2.3``, not ``v1.2`` or ``1.2.3``) that agrees with the path's major-version suffix."""
    check_module_path(path)
    good = semver.canonical(version) if isinstance(version, str) else ""
    if good != version:
        hint = f"; write {good}" if good else "; module versions look like v1.2.3"
        raise InvalidModulePath(f"{path}@{version}: version is not canonical{hint}")
    check_path_major(path, version)


def check_path_major(path: str, version: str) -> None:
    """Raise InvalidModulePath unless ``version`` may be a version of module ``path``.

    ``example.com/m`` takes v0/v1 (or ``+incompatible`` for v2+), ``example.com/m/v2`` takes v2 only.
    """
    if not semver.is_valid(version):
        raise InvalidModulePath(f"{path}@{version}: {version!r} is not a semantic version")
    _, suffix = split_path_major(path)
    if suffix.startswith(".v") and suffix.endswith("-unstable"):
        suffix = suffix[: -len("-unstable")]
    if version.startswith("v0.0.0-") and suffix == ".v1":
        return
    have = semver.major(version)
    build = semver.Semver.parse(version).build
    if not suffix:
        if have in ("v0", "v1") or build == "incompatible":
            return
        raise InvalidModulePath(
            f"{path}@{version}: version should be v0 or v1, not {have} "
            f"(use the path {path}/{have}, or {version}+incompatible for a module without go.mod)"
        )
    if have == suffix[1:]:
        if build == "incompatible":
            raise InvalidModulePath(f"{path}@{version}: +incompatible is only for paths without /vN")
        return
    raise InvalidModulePath(f"{path}@{version}: version should be {suffix[1:]}, not {have}")


def _escape(s: str, what: str) -> str:
    if "!" in s or not s.isascii():
        raise InvalidModulePath(f"cannot escape {what} {s!r}: '!' and non-ASCII characters are not allowed")
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), s)


def _unescape(s: str, what: str) -> str:
    out: list[str] = []
    bang = False
    for ch in s:
        if bang:
            if not ("a" <= ch <= "z"):
                raise InvalidModulePath(f"invalid escaped {what} {s!r}: '!' must be followed by a-z")
            out.append(ch.upper())
            bang = False
        elif ch == "!":
            bang = True
        elif "A" <= ch <= "Z":
            raise InvalidModulePath(f"invalid escaped {what} {s!r}: upper-case letters must be written !x")
        else:
            out.append(ch)
    if bang:
        raise InvalidModulePath(f"invalid escaped {what} {s!r}: trailing '!'")
    return "".join(out)


def escape_path(path: str) -> str:
    """Case-encode a module path for proxies and caches: ``github.com/Azure`` -> ``github.com/!azure``."""
    check_module_path(path)
    return _escape(path, "module path")


def unescape_path(escaped: str) -> str:
    """Reverse :func:`escape_path`; raise InvalidModulePath for a malformed encoding."""
    path = _unescape(escaped, "module path")
    check_module_path(path)
    return path


def escape_version(version: str) -> str:
    """Case-encode a version (``v1.0.0-RC1`` -> ``v1.0.0-!r!c1``)."""
    problem = None if "/" not in version else "contains '/'"
    problem = problem or _check_elem(version, file=True)
    if problem or "!" in version:
        raise InvalidModulePath(f"disallowed version string {version!r}: {problem or 'contains !'}")
    return _escape(version, "version")


def unescape_version(escaped: str) -> str:
    """Reverse :func:`escape_version`."""
    return _unescape(escaped, "version")
