"""A child cgroup with a CPU quota (cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``) to run a program under.

The experiments on GOMAXPROCS need a real CPU limit: this module makes one below the cgroup of the
current process, says how a shell joins it, and removes it afterwards, together with the cpu
controller it enabled in the parent (cgroup v2), so the host is left as it was.  Where that is not
allowed (no cpu controller, no permission, a v2 parent that cannot delegate) it raises
:class:`CgroupUnavailable` with the reason, which the experiment reports as not applicable.
:func:`inherited_cpu_limit` reads the limit the current process already runs under (a container's
``--cpus``, a Kubernetes CPU limit), which a runtime honouring cgroup limits applies as well.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from pytest_goenv.base.errors import GoenvError

__all__ = ["CgroupUnavailable", "CpuQuota", "cpu_quota", "inherited_cpu_limit"]

PERIOD_US = 100_000
CHILD_PREFIX = "pytest-goenv-"
RMDIR_PATIENCE_S = 2.0
"""How long removing the child cgroup is retried: its last processes may still be exiting."""


class CgroupUnavailable(GoenvError, RuntimeError):
    """No child cgroup with a CPU quota can be made here; the message says why."""


@dataclass(frozen=True)
class CpuQuota:
    """A cgroup limiting its processes to ``cpus`` CPUs; ``procs`` is the file a process joins it by."""

    directory: Path
    version: int
    cpus: float
    limit_file: Path

    @property
    def procs(self) -> Path:
        return self.directory / "cgroup.procs"

    def describe(self) -> str:
        limit = self.limit_file.read_text().strip()
        return f"cgroup v{self.version} {self.directory} with {self.limit_file.name} = {limit}"


def _mounts() -> list[tuple[str, str, str, str]]:
    """(fstype, mount root, mount point, super options) of each cgroup mount of this process."""
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        before, _, after = line.partition(" - ")
        fields, post = before.split(), after.split()
        if len(fields) >= 5 and len(post) >= 3 and post[0] in ("cgroup", "cgroup2"):
            found.append((post[0], fields[3], fields[4], post[2]))
    return found


def _own_cgroups() -> dict[str, str]:
    """Controller (``""`` for the v2 hierarchy) -> this process's cgroup path, from /proc/self/cgroup."""
    paths: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            paths[name] = path
    return paths


def _below(mount_point: str, mount_root: str, path: str) -> Path:
    """The directory of cgroup ``path`` in a hierarchy mounted at ``mount_point`` from ``mount_root``."""
    relative = os.path.relpath(path, mount_root) if path.startswith(mount_root) else "."
    return Path(mount_point) / relative


def _hierarchy() -> tuple[int, Path, Path]:
    """The cgroup version, the mount point, and this process's cgroup directory in the cpu hierarchy."""
    own = _own_cgroups()
    for fstype, root, point, options in _mounts():
        if fstype == "cgroup" and "cpu" in options.split(",") and "cpu" in own:
            return 1, Path(point), _below(point, root, own["cpu"])
    for fstype, root, point, _options in _mounts():
        if fstype == "cgroup2" and "" in own:
            parent = _below(point, root, own[""])
            controllers = (parent / "cgroup.controllers").read_text().split()
            if "cpu" in controllers:
                return 2, Path(point), parent
    raise CgroupUnavailable("no cgroup hierarchy with the cpu controller is mounted for this process")


def _limit_of(directory: Path, version: int) -> float | None:
    """The CPU limit (in CPUs) set on one cgroup directory; None when unlimited or unreadable."""
    try:
        if version == 2:
            fields = (directory / "cpu.max").read_text().split()
            if len(fields) < 2 or fields[0] == "max":
                return None
            quota, period = int(fields[0]), int(fields[1])
        else:
            quota = int((directory / "cpu.cfs_quota_us").read_text())
            period = int((directory / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None


def inherited_cpu_limit() -> float | None:
    """The smallest CPU limit (in CPUs) on this process's cgroup or any ancestor visible here, or None.

    Go 1.25+ derives its default GOMAXPROCS from this limit, so an experiment can tell beforehand
    whether a quota of its own can still lower GOMAXPROCS.
    """
    try:
        version, mount_point, directory = _hierarchy()
    except (CgroupUnavailable, OSError):
        return None
    limits = []
    while True:
        limit = _limit_of(directory, version)
        if limit is not None:
            limits.append(limit)
        if directory in (mount_point, directory.parent) or not directory.is_relative_to(mount_point):
            break
        directory = directory.parent
    return min(limits, default=None)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError as exc:
        raise CgroupUnavailable(f"cannot write {text.strip()!r} to {path}: {exc.strerror or exc}") from None


def _controller_marker(parent: Path) -> Path:
    """A file saying that this module enabled the cpu controller in ``parent`` (kept outside cgroupfs,
    beside the lock that serialises the workers of one test run sharing the same parent)."""
    digest = hashlib.sha256(str(parent).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"pytest-goenv-cgroup-{digest}.cpu-enabled"


def _enable_cpu_controller(parent: Path) -> None:
    """Make sure ``parent`` delegates the cpu controller to its children, noting it if this code enabled it."""
    try:
        enabled = (parent / "cgroup.subtree_control").read_text().split()
    except OSError as exc:
        raise CgroupUnavailable(f"cannot read {parent}/cgroup.subtree_control: {exc.strerror}") from None
    if "cpu" not in enabled:
        _write(parent / "cgroup.subtree_control", "+cpu\n")
        _controller_marker(parent).touch()


def _restore_cpu_controller(parent: Path) -> None:
    """Disable the cpu controller in ``parent`` again if this code enabled it and no child of ours uses it."""
    marker = _controller_marker(parent)
    if not marker.exists():
        return
    with suppress(OSError):
        if any(entry.name.startswith(CHILD_PREFIX) for entry in parent.iterdir()):
            return  # another worker's quota still needs it: the last one out disables it
        (parent / "cgroup.subtree_control").write_text("-cpu\n")
    with suppress(OSError):
        marker.unlink()


def _remove(directory: Path) -> None:
    """Remove an empty cgroup, retrying while its last processes exit; warn if it stays."""
    deadline = time.monotonic() + RMDIR_PATIENCE_S
    while True:
        try:
            directory.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            if time.monotonic() >= deadline:
                warnings.warn(
                    f"cannot remove the cgroup {directory}: {exc.strerror or exc}; remove it by hand "
                    f"(rmdir {directory}) once its processes have ended",
                    RuntimeWarning,
                    stacklevel=3,
                )
                return
        time.sleep(0.05)


@contextmanager
def cpu_quota(cpus: float) -> Iterator[CpuQuota]:
    """A fresh child cgroup limited to ``cpus`` CPUs, removed on exit (its processes must have ended)."""
    try:
        version, _mount_point, parent = _hierarchy()
    except OSError as exc:
        raise CgroupUnavailable(f"cannot read this process's cgroups: {exc}") from None
    lock = FileLock(str(_controller_marker(parent)) + ".lock")
    directory = parent / f"{CHILD_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with lock:
        try:
            if version == 2:
                _enable_cpu_controller(parent)
            try:
                directory.mkdir()
            except OSError as exc:
                raise CgroupUnavailable(f"cannot create a cgroup in {parent}: {exc.strerror or exc}") from None
        except BaseException:
            if version == 2:
                _restore_cpu_controller(parent)
            raise
    try:
        if version == 2:
            limit_file = directory / "cpu.max"
            _write(limit_file, f"{round(cpus * PERIOD_US)} {PERIOD_US}\n")
        else:
            period = int((directory / "cpu.cfs_period_us").read_text())
            limit_file = directory / "cpu.cfs_quota_us"
            _write(limit_file, f"{round(cpus * period)}\n")
        yield CpuQuota(directory, version, cpus, limit_file)
    finally:
        with lock:
            _remove(directory)
            if version == 2:
                _restore_cpu_controller(parent)
