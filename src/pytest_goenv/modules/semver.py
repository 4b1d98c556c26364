"""Semantic versions as Go modules use them: ``v1.2.3-pre+build``, ordering, and pseudo-versions.

Module versions follow semver 2.0 with a leading ``v`` (``v1`` and ``v1.2`` are shorthands for
``v1.0.0`` and ``v1.2.0``); pseudo-versions name untagged commits. Go toolchain versions (``go1.22rc1``)
are a different scheme: see :mod:`pytest_goenv.toolchains.version`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cmp_to_key

from pytest_goenv.base.errors import GoenvError

__all__ = [
    "InvalidSemver",
    "Semver",
    "canonical",
    "compare",
    "is_pseudo_version",
    "is_valid",
    "major",
    "pseudo_version",
    "pseudo_version_rev",
    "pseudo_version_time",
    "sort_versions",
]

_NUM = r"(?:0|[1-9][0-9]*)"
_IDENT = r"[0-9A-Za-z-]+"
_SEMVER_RE = re.compile(
    rf"^v(?P<major>{_NUM})"
    rf"(?:\.(?P<minor>{_NUM})"
    rf"(?:\.(?P<patch>{_NUM})(?:-(?P<pre>{_IDENT}(?:\.{_IDENT})*))?(?:\+(?P<build>{_IDENT}(?:\.{_IDENT})*))?)?)?$"
)
_PSEUDO_RE = re.compile(
    r"^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)(?P<time>\d{14})-(?P<rev>[A-Za-z0-9]+)"
    r"(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)
_PSEUDO_TIME_FORMAT = "%Y%m%d%H%M%S"


class InvalidSemver(GoenvError, ValueError):
    """A string that is not a semantic version in Go's module sense."""


@dataclass(frozen=True)
class Semver:
    """A parsed module version; ``prerelease`` and ``build`` exclude their ``-``/``+`` sign."""

    major: int
    minor: int
    patch: int
    prerelease: str = ""
    build: str = ""

    @classmethod
    def parse(cls, text: str) -> Semver:
        """Parse ``vMAJOR[.MINOR[.PATCH[-PRE][+BUILD]]]``; raise InvalidSemver otherwise."""
        m = _SEMVER_RE.match(text)
        if m is None or any(_bad_number(p) for p in (m["pre"] or "").split(".") if m["pre"]):
            raise InvalidSemver(f"{text!r} is not a semantic version; module versions look like v1.2.3 or v1.2.3-pre")
        return cls(
            int(m["major"]),
            int(m["minor"] or 0),
            int(m["patch"] or 0),
            m["pre"] or "",
            m["build"] or "",
        )

    def canonical(self) -> str:
        """``vX.Y.Z[-pre]`` without build metadata (``+incompatible`` is kept by :func:`canonical`)."""
        pre = f"-{self.prerelease}" if self.prerelease else ""
        return f"v{self.major}.{self.minor}.{self.patch}{pre}"


def _bad_number(ident: str) -> bool:
    return ident.isdigit() and len(ident) > 1 and ident.startswith("0")


def _try_parse(v: str) -> Semver | None:
    try:
        return Semver.parse(v)
    except InvalidSemver:
        return None


def is_valid(v: str) -> bool:
    """Whether ``v`` is a valid module semantic version."""
    return _try_parse(v) is not None


def canonical(v: str) -> str:
    """The canonical form of ``v`` (``v1`` -> ``v1.0.0``), keeping ``+incompatible``; "" if invalid."""
    p = _try_parse(v)
    if p is None:
        return ""
    return p.canonical() + ("+incompatible" if p.build == "incompatible" else "")


def major(v: str) -> str:
    """The major version prefix (``v2``), or "" for an invalid version."""
    p = _try_parse(v)
    return f"v{p.major}" if p is not None else ""


def _compare_prerelease(x: str, y: str) -> int:
    if x == y:
        return 0
    if not x:
        return 1
    if not y:
        return -1
    xs, ys = x.split("."), y.split(".")
    for a, b in zip(xs, ys, strict=False):
        if a == b:
            continue
        an, bn = a.isdigit(), b.isdigit()
        if an != bn:
            return -1 if an else 1
        if an:
            return -1 if int(a) < int(b) else 1
        return -1 if a < b else 1
    return (len(xs) > len(ys)) - (len(xs) < len(ys))


def compare(v: str, w: str) -> int:
    """Compare like Go's semver.Compare: -1, 0 or 1; invalid versions sort below valid ones."""
    pv, pw = _try_parse(v), _try_parse(w)
    if pv is None or pw is None:
        return (pv is not None) - (pw is not None)
    a = (pv.major, pv.minor, pv.patch)
    b = (pw.major, pw.minor, pw.patch)
    if a != b:
        return -1 if a < b else 1
    return _compare_prerelease(pv.prerelease, pw.prerelease)


def sort_versions(versions: list[str]) -> list[str]:
    """Versions sorted in semver order (ties broken by the string, as Go's semver.Sort does)."""

    def order(a: str, b: str) -> int:
        return compare(a, b) or (a > b) - (a < b)

    return sorted(versions, key=cmp_to_key(order))


def is_pseudo_version(v: str) -> bool:
    """Whether ``v`` is a pseudo-version such as ``v0.0.0-20240102030405-abcdef123456``."""
    return v.count("-") >= 2 and is_valid(v) and _PSEUDO_RE.match(v) is not None


def _pseudo_parts(v: str) -> re.Match[str]:
    m = _PSEUDO_RE.match(v)
    if m is None or not is_valid(v):
        raise InvalidSemver(f"{v!r} is not a pseudo-version")
    return m


def pseudo_version_time(v: str) -> datetime:
    """The commit time encoded in a pseudo-version (UTC)."""
    return datetime.strptime(_pseudo_parts(v)["time"], _PSEUDO_TIME_FORMAT).replace(tzinfo=timezone.utc)


def pseudo_version_rev(v: str) -> str:
    """The (usually 12-character) commit hash prefix encoded in a pseudo-version."""
    return _pseudo_parts(v)["rev"]


def pseudo_version(older: str | None, time: datetime, rev: str, *, major_version: str = "v0") -> str:
    """The pseudo-version for commit ``rev`` made at ``time`` whose latest earlier tag is ``older``.

    With no earlier tag the form is ``vX.0.0-TIME-REV`` (X from ``major_version``); after ``v1.2.3`` it is
    ``v1.2.4-0.TIME-REV``; after a pre-release ``v1.2.3-pre`` it is ``v1.2.3-pre.0.TIME-REV``. ``rev`` is
    shortened to the 12 characters Go uses.
    """
    if time.tzinfo is None:
        raise ValueError("pseudo_version needs an aware datetime (e.g. datetime(..., tzinfo=timezone.utc))")
    stamp = time.astimezone(timezone.utc).strftime(_PSEUDO_TIME_FORMAT)
    segment = f"{stamp}-{rev[:12]}"
    if not older:
        if _try_parse(major_version) is None or "." in major_version:
            raise InvalidSemver(f"major_version must look like 'v2', got {major_version!r}")
        return f"{major_version}.0.0-{segment}"
    p = Semver.parse(older)
    build = f"+{p.build}" if p.build else ""
    if p.prerelease:
        return f"{p.canonical()}.0.{segment}{build}"
    return f"v{p.major}.{p.minor}.{p.patch + 1}-0.{segment}{build}"
