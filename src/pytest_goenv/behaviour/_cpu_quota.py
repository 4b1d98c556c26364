"""A child cgroup with a CPU quota (cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``) to run a program under.

The experiments on GOMAXPROCS need a real CPU limit: this module makes one below the cgroup of the
current process, says how a shell joins it, and removes it afterwards.  Where that is not allowed
(no cpu controller, no permission, a v2 parent that cannot delegate) it raises
:class:`CgroupUnavailable` with the reason, which the experiment reports as not applicable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CgroupUnavailable", "CpuQuota", "cpu_quota"]

PERIOD_US = 100_000


class CgroupUnavailable(RuntimeError):
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


def _parent() -> tuple[int, Path]:
    """The cgroup version and the directory under which a cpu-limited child can be made."""
    own = _own_cgroups()
    for fstype, root, point, options in _mounts():
        if fstype == "cgroup" and "cpu" in options.split(",") and "cpu" in own:
            return 1, _below(point, root, own["cpu"])
    for fstype, root, point, _options in _mounts():
        if fstype == "cgroup2" and "" in own:
            parent = _below(point, root, own[""])
            controllers = (parent / "cgroup.controllers").read_text().split()
            if "cpu" in controllers:
                return 2, parent
    raise CgroupUnavailable("no cgroup hierarchy with the cpu controller is mounted for this process")


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError as exc:
        raise CgroupUnavailable(f"cannot write {text.strip()!r} to {path}: {exc.strerror or exc}") from None


@contextmanager
def cpu_quota(cpus: float) -> Iterator[CpuQuota]:
    """A fresh child cgroup limited to ``cpus`` CPUs, removed on exit (its processes must have ended)."""
    try:
        version, parent = _parent()
    except OSError as exc:
        raise CgroupUnavailable(f"cannot read this process's cgroups: {exc}") from None
    if version == 2:
        try:
            enabled = (parent / "cgroup.subtree_control").read_text().split()
        except OSError as exc:
            raise CgroupUnavailable(f"cannot read {parent}/cgroup.subtree_control: {exc.strerror}") from None
        if "cpu" not in enabled:
            _write(parent / "cgroup.subtree_control", "+cpu\n")
    directory = parent / f"pytest-goenv-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        directory.mkdir()
    except OSError as exc:
        raise CgroupUnavailable(f"cannot create a cgroup in {parent}: {exc.strerror or exc}") from None
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
        with suppress(OSError):  # a process not yet reaped keeps it busy: leave it, do not fail the experiment
            directory.rmdir()
