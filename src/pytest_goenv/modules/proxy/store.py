"""The versions a module proxy holds: each checked, zipped and hashed once when added, then only read.

:class:`VersionStore` is what every way of serving a proxy (the file:// tree, HTTP, the checksum
database) reads; it answers the questions the GOPROXY protocol asks: which versions ``@v/list``
names, what ``@latest`` is, which pseudo-version a commit hash stands for.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.modules import modpath, modzip, semver

__all__ = ["DEFAULT_TIME", "ModuleLineMismatch", "ModuleVersion", "ProxyError", "VersionStore"]

DEFAULT_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
"""Time of the first module version added without an explicit time; each later one is an hour later."""


class ProxyError(GoenvError, ValueError):
    """A module version the proxy cannot hold (bad path or version, files that cannot form a zip...)."""


class ModuleLineMismatch(ProxyError):
    """go.mod declares another module path than the one the version is added under."""

    def __init__(self, message: str, declared: str) -> None:
        self.declared = declared
        super().__init__(message)


@dataclass(frozen=True)
class ModuleVersion:
    """One module version as the proxy serves it; ``h1``/``h1_mod`` are the go.sum hashes.

    Parameters:
        path, version: the module version (``example.com/hello``, ``v1.0.0``).
        time: its commit time, served in ``.info``.
        mod: the ``.mod`` file served; files: the zip's files without their prefix; zip: the zip served.
        h1, h1_mod: the go.sum hashes of the zip and of ``mod``.
        raw_info: a hand-written ``.info`` body served instead of the one made from version and time.

    Example::

        mv = proxy.add("example.com/hello", "v1.0.0", {"hello.go": "package hello\\n"})
        mv.go_sum   # "example.com/hello v1.0.0 h1:...\\nexample.com/hello v1.0.0/go.mod h1:...\\n"
    """

    path: str
    version: str
    time: datetime
    mod: bytes
    files: Mapping[str, bytes]
    zip: bytes
    h1: str
    h1_mod: str
    raw_info: bytes | None = None

    @property
    def info(self) -> bytes:
        """The ``.info`` JSON body: ``{"Version": ..., "Time": ...}`` (or the one given with ``info=``)."""
        if self.raw_info is not None:
            return self.raw_info
        stamp = self.time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return json.dumps({"Version": self.version, "Time": stamp}).encode() + b"\n"

    @property
    def go_sum(self) -> str:
        """The two go.sum lines for this version."""
        return modzip.go_sum_lines(self.path, self.version, self.h1, self.h1_mod)

    @property
    def escaped_path(self) -> str:
        """The case-encoded module path used in URLs and the module cache."""
        return modpath.escape_path(self.path)

    @property
    def escaped_version(self) -> str:
        """The case-encoded version used in URLs and the module cache."""
        return modpath.escape_version(self.version)


@dataclass
class _Module:
    versions: dict[str, ModuleVersion] = field(default_factory=dict)


class VersionStore:
    """The module versions of one proxy, safe to read and add to from several threads.

    Example::

        store = VersionStore()
        store.add("example.com/hello", "v1.0.0", {"hello.go": "package hello\\n"})
        store.versions("example.com/hello")   # ["v1.0.0"]
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._modules: dict[str, _Module] = {}
        self._added = 0

    def __len__(self) -> int:
        with self.lock:
            return sum(len(m.versions) for m in self._modules.values())

    def put(self, entry: ModuleVersion, *, replace: bool = False) -> None:
        """Hold ``entry``; ProxyError if that version is held already and ``replace`` is false."""
        with self.lock:
            existing = self._modules.get(entry.path)
            if existing is not None and entry.version in existing.versions and not replace:
                raise ProxyError(
                    f"{entry.path}@{entry.version} is already in the proxy; module versions are immutable "
                    "(pass replace=True to serve different content, e.g. to test a checksum mismatch)"
                )
            self._added += 1
            self._modules.setdefault(entry.path, _Module()).versions[entry.version] = entry

    def default_time(self, version: str) -> datetime:
        """The time of a version added without one: its pseudo-version's, else DEFAULT_TIME + 1 h per version."""
        if semver.is_pseudo_version(version):
            return semver.pseudo_version_time(version)
        return DEFAULT_TIME + timedelta(hours=self._added)

    # -- queries --------------------------------------------------------------------------

    def modules(self) -> list[ModuleVersion]:
        """Every module version held, sorted by path then version."""
        with self.lock:
            return [
                mod.versions[v]
                for path in sorted(self._modules)
                for mod in [self._modules[path]]
                for v in semver.sort_versions(list(mod.versions))
            ]

    def holds(self, module_path: str) -> bool:
        """Whether any version of ``module_path`` is held."""
        with self.lock:
            return module_path in self._modules

    def find(self, module_path: str, version: str) -> ModuleVersion | None:
        """The held version ``module_path@version``, or None."""
        with self.lock:
            mod = self._modules.get(module_path)
            return mod.versions.get(version) if mod is not None else None

    def get(self, module_path: str, version: str) -> ModuleVersion:
        """The held version ``module_path@version``; KeyError naming what is held otherwise."""
        entry = self.find(module_path, version)
        if entry is None:
            held = ", ".join(f"{m.path}@{m.version}" for m in self.modules()) or "nothing"
            raise KeyError(f"{module_path}@{version} is not in the proxy (it holds: {held})")
        return entry

    def versions(self, module_path: str) -> list[str]:
        """The versions ``@v/list`` reports: every valid held version except pseudo-versions, sorted."""
        with self.lock:
            mod = self._modules.get(module_path)
            held = list(mod.versions) if mod else []
        return semver.sort_versions([v for v in held if semver.is_valid(v) and not semver.is_pseudo_version(v)])

    def latest(self, module_path: str) -> ModuleVersion | None:
        """What ``@latest`` answers: the highest release, else pre-release, else newest pseudo-version."""
        with self.lock:
            mod = self._modules.get(module_path)
            if mod is None or not mod.versions:
                return None
            listed = self.versions(module_path)
            releases = [v for v in listed if not semver.Semver.parse(v).prerelease]
            pick = (releases or listed or semver.sort_versions(list(mod.versions)))[-1]
            return mod.versions[pick]

    def by_revision(self, module_path: str, rev: str) -> ModuleVersion | None:
        """The pseudo-version whose revision starts with (or is a prefix of) ``rev``, if any."""
        with self.lock:
            mod = self._modules.get(module_path)
            held = dict(mod.versions) if mod is not None else {}
        for version in reversed(semver.sort_versions(list(held))):
            if semver.is_pseudo_version(version):
                short = semver.pseudo_version_rev(version)
                if short.startswith(rev) or rev.startswith(short):
                    return held[version]
        return None
