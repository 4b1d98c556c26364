"""Go version numbers, ordered exactly as the go command orders them.

Go's ordering differs from PEP 440 in one place that matters: a bare language
version such as ``1.21`` sorts *before* its release candidates and releases
(``1.21 < 1.21rc1 < 1.21.0 < 1.21.1``), while up to Go 1.20 the bare ``1.20``
*is* the first release (``1.20 == 1.20.0``).  :class:`GoVersion` implements that
ordering and maps onto :mod:`packaging` versions so that specifier sets such as
``">=1.21,<1.23"`` can be evaluated with a well-kept library.  The mapping uses
plain release numbers only (``major.minor.stage.n``), so PEP 440's special rules
for pre-releases (``<1.23`` leaving out ``1.23.0rc1``) never apply to Go's.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from pytest_goenv.base.errors import GoenvError

__all__ = ["GoVersion", "GoVersionSpec", "InvalidGoVersion"]

_VERSION_RE = re.compile(
    r"""
    ^(?:go)?
    (?P<major>0|[1-9]\d*)
    \.(?P<minor>0|[1-9]\d*)
    (?:\.(?P<patch>0|[1-9]\d*))?
    (?:(?P<kind>alpha|beta|rc)(?P<pre>[1-9]\d*))?
    $""",
    re.VERBOSE,
)
_DEVEL_RE = re.compile(r"^(?:devel\s*)(?:go(?P<base>\d+\.\d+(?:\.\d+)?))?")
_KIND_ORDER = {"": 0, "alpha": 1, "beta": 2, "rc": 3}
_DEVEL_WITHOUT_BASE = 10**6
"""The minor version of a devel build that names no release: after every release."""


class InvalidGoVersion(GoenvError, ValueError):
    """A string that is neither a Go version nor a Go version specifier."""


@functools.total_ordering
@dataclass(frozen=True)
class GoVersion:
    """A Go toolchain or language version, such as ``go1.26.6`` or ``1.23rc1``.

    Instances compare with each other and with plain strings
    (``GoVersion.parse("go1.22.3") >= "1.22"``).
    """

    major: int
    minor: int
    patch: int | None = None
    kind: str = ""
    pre: int = 0
    devel: bool = False

    @classmethod
    def parse(cls, text: str) -> GoVersion:
        """Parse ``go1.21.13``, ``1.22``, ``go1.23rc1``, ``1.26.6`` or a ``devel`` build string."""
        if isinstance(text, GoVersion):
            return text
        raw = text.strip()
        if raw.startswith("devel"):
            match = _DEVEL_RE.match(raw)
            base = match.group("base") if match else None
            if base is None:
                return cls(major=1, minor=_DEVEL_WITHOUT_BASE, devel=True)
            parsed = cls.parse(base)
            return cls(parsed.major, parsed.minor, parsed.patch, devel=True)
        match = _VERSION_RE.match(raw)
        if match is None:
            raise InvalidGoVersion(
                f"{text!r} is not a Go version; expected forms like 'go1.22.3', '1.22' or 'go1.23rc1'"
            )
        major = int(match.group("major"))
        minor = int(match.group("minor") or 0)
        patch_text = match.group("patch")
        kind = match.group("kind") or ""
        patch = int(patch_text) if patch_text is not None else None
        if patch is None and not kind and (major, minor) < (1, 21):
            patch = 0  # Up to Go 1.20, "1.20" names the first release.
        return cls(major, minor, patch, kind, int(match.group("pre") or 0))

    @property
    def is_release(self) -> bool:
        """True for a final release (``1.22.3``), false for language versions and pre-releases."""
        return self.patch is not None and not self.kind and not self.devel

    @property
    def language(self) -> str:
        """The language version (``1.22``), as written on a go.mod ``go`` line."""
        return f"{self.major}.{self.minor}"

    def _key(self) -> tuple[int, int, int, int, int, int]:
        patch = -1 if self.patch is None else self.patch
        return (self.major, self.minor, int(self.devel), patch, _KIND_ORDER[self.kind], self.pre)

    def __lt__(self, other: object) -> bool:
        other_version = _coerce(other)
        if other_version is None:
            return NotImplemented
        return self._key() < other_version._key()

    def __eq__(self, other: object) -> bool:
        other_version = _coerce(other)
        if other_version is None:
            return NotImplemented
        return self._key() == other_version._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        if self.devel:
            return "devel" if self.minor == _DEVEL_WITHOUT_BASE else f"devel go{self.major}.{self.minor}"
        text = f"{self.major}.{self.minor}"
        if self.patch is not None and (self.patch or (self.major, self.minor) >= (1, 21) or self.kind):
            text += f".{self.patch}"
        if self.kind:
            text += f"{self.kind}{self.pre}"
        return text

    @property
    def tag(self) -> str:
        """The toolchain name the go command prints, such as ``go1.22.3``."""
        return str(self) if self.devel else f"go{self}"

    def to_packaging(self) -> Version:
        """This version as a PEP 440 release number that sorts the same way among Go versions.

        ``major.minor.stage.n``: stage 0 is the language version (``1.23`` -> ``1.23.0``), 1-3 are
        alpha, beta and rc (``1.23rc2`` -> ``1.23.3.2``), 4 a release (``1.23.4`` -> ``1.23.4.4``) and
        5 a devel build; so ``==1.23.*`` holds the whole series and ``<1.23`` none of it.
        """
        if self.devel:
            stage, number = _STAGE_DEVEL, self.patch or 0
        elif self.patch is None:
            stage, number = _STAGE[self.kind], self.pre
        else:
            stage, number = _STAGE_RELEASE, self.patch
        return Version(f"{self.major}.{self.minor}.{stage}.{number}")

    def __repr__(self) -> str:
        return f"GoVersion('{self}')"


_STAGE = {"": 0, "alpha": 1, "beta": 2, "rc": 3}
_STAGE_RELEASE = 4
_STAGE_DEVEL = 5


def _coerce(other: object) -> GoVersion | None:
    if isinstance(other, GoVersion):
        return other
    if isinstance(other, str):
        return GoVersion.parse(other)
    return None


_BARE_RE = re.compile(r"^(?:go)?\d+\.\d+(?:\.\d+)?(?:(?:alpha|beta|rc)\d+)?$")
_CLAUSE_RE = re.compile(r"^(?P<op>~=|===|==|!=|<=|>=|<|>)\s*(?P<version>\S+)$")


@dataclass(frozen=True)
class GoVersionSpec:
    """A set of Go version constraints such as ``">=1.21,<1.23"``.

    Clauses use PEP 440 operators (evaluated by :mod:`packaging`) with Go
    versions on the right, ``go`` prefixes allowed.  A bare version is a
    shorthand: ``"1.22"`` means any 1.22.x, ``"1.22.3"`` exactly that release.
    A two-part version names the whole series, pre-releases included, with every operator:
    ``"<=1.22"`` includes 1.22.12, ``">1.22"`` starts at 1.23, ``"!=1.22"`` leaves out every 1.22.x.
    """

    text: str
    specifiers: SpecifierSet

    @classmethod
    def parse(cls, text: str) -> GoVersionSpec:
        """Parse a specifier, raising :class:`InvalidGoVersion` with the reason if it is malformed."""
        clauses = [clause.strip() for clause in text.split(",")]
        if not text.strip() or any(not clause for clause in clauses):
            raise InvalidGoVersion(
                f"empty Go version specifier {text!r}; write e.g. '>=1.21', '>=1.21,<1.23' or '1.22'"
            )
        translated = [_translate_clause(clause, text) for clause in clauses]
        try:
            specifiers = SpecifierSet(",".join(translated))
        except InvalidSpecifier as exc:
            raise InvalidGoVersion(f"invalid Go version specifier {text!r}: {exc}") from exc
        return cls(text, specifiers)

    def contains(self, version: GoVersion | str) -> bool:
        """True if ``version`` satisfies every clause."""
        go_version = GoVersion.parse(version) if isinstance(version, str) else version
        return self.specifiers.contains(go_version.to_packaging(), prereleases=True)

    def __contains__(self, version: object) -> bool:
        if not isinstance(version, (str, GoVersion)):
            return False
        return self.contains(version)

    def __str__(self) -> str:
        return self.text


def _translate_clause(clause: str, whole: str) -> str:
    if _BARE_RE.match(clause):
        version = GoVersion.parse(clause)
        if clause.removeprefix("go").count(".") == 1 and not version.kind:
            return f"=={version.major}.{version.minor}.*"
        return f"=={version.to_packaging()}"
    match = _CLAUSE_RE.match(clause)
    if match is None:
        raise InvalidGoVersion(
            f"invalid Go version specifier {whole!r}: cannot read {clause!r}; "
            "write clauses like '>=1.21' joined by commas"
        )
    op, version_text = match.group("op"), match.group("version")
    if version_text.endswith(".*"):
        base = GoVersion.parse(version_text[:-2])
        return f"{op}{base.major}.{base.minor}.*"
    try:
        version = GoVersion.parse(version_text)
    except InvalidGoVersion as exc:
        raise InvalidGoVersion(f"invalid Go version specifier {whole!r}: {exc}") from exc
    if version_text.removeprefix("go").count(".") == 1 and not version.kind:
        # "1.22" names the whole 1.22.x series, as users read it: ">=1.22" is from its first
        # pre-release on, "<=1.22" through its last release, ">1.22" after it, "==1.22"/"!=1.22" any 1.22.x.
        this, following = f"{version.major}.{version.minor}", f"{version.major}.{version.minor + 1}"
        series = {"<=": f"<{following}", ">": f">={following}", "==": f"=={this}.*", "!=": f"!={this}.*"}
        return series.get(op, f"{op}{this}")
    return f"{op}{version.to_packaging()}"
