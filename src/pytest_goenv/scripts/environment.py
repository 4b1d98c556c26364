"""The environment and directories a script starts with, per dialect, and unpacking its files.

``cmdgo`` (Go's own cmd/go scripts): ``$WORK/gopath/src`` is the current directory and where
the archive's files go, ``GOPATH=$WORK/gopath``, ``HOME=/no-home`` (see :data:`NO_HOME`),
``TMPDIR=$WORK/tmp``, ``GOTOOLCHAIN=auto``, ``goversion`` the full version (``1.27.3``), and cmd/go's
other settings (GOROOT, GOOS, GOARCH, GOEXE, GOTRACEBACK=system, GOVCS=*:all, empty GONOPROXY,
GONOSUMDB and GOPRIVATE, devnull, newline).  ``testscript`` (go-internal): files and the current
directory at ``$WORK``, ``GOPATH=$WORK/.gopath``, ``HOME=/no-home``, ``TMPDIR=$WORK/.tmp``, ``exe``,
``goversion`` as ``1.27``, ``GOTOOLCHAIN=local``.
Both: nothing of the host's environment but ``PATH`` (after the toolchain's ``GOROOT/bin``).

Example::

    env, start = script_environment("testscript", facts=facts, toolchain=tc, work=work, gocache=cache)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pytest_goenv.modules import txtar
from pytest_goenv.scripts.errors import CommandFailed
from pytest_goenv.scripts.facts import ToolchainFacts
from pytest_goenv.scripts.state import Dialect, ScriptState
from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = ["NO_HOME", "extract_files", "script_environment"]

NO_HOME = f"{os.devnull}/no-home" if hasattr(os, "geteuid") and os.geteuid() == 0 else "/no-home"
"""HOME of every script: ``/no-home`` as in Go's harnesses, a path below ``/dev/null`` for root, who could
create ``/no-home`` and so share a home (a module cache, sumdb notes) between scripts."""


def script_environment(
    dialect: Dialect,
    *,
    facts: ToolchainFacts,
    toolchain: GoToolchain,
    work: Path,
    gocache: Path,
    goproxy: str = "off",
    gosumdb: str = "off",
    extra: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], Path]:
    """The environment of a new script in ``work`` and the directory it starts in (both created)."""
    host_path = os.environ.get("PATH", os.defpath)
    common = {
        "PATH": os.pathsep.join([str(toolchain.bindir), host_path]),
        "WORK": str(work),
        "HOME": NO_HOME,
        "GOROOT": str(toolchain.goroot),
        "GOCACHE": str(gocache),
        "GOPROXY": goproxy,
        "GOSUMDB": gosumdb,
        "GOTRACEBACK": "system",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "devnull": os.devnull,
        "CCACHE_DISABLE": "1",
    }
    if dialect == "cmdgo":
        gopath = work / "gopath"
        start = gopath / "src"
        tmp = work / "tmp"
        env = {
            **common,
            "GOARCH": facts.goarch,
            "GOOS": facts.goos,
            "GOEXE": facts.exe_suffix,
            "GOPATH": str(gopath),
            "TMPDIR": str(tmp),
            "GODEBUG": "",
            "GOEXPERIMENT": "",
            "GOCOVERDIR": "",
            "GOPRIVATE": "",
            "GONOPROXY": "",
            "GONOSUMDB": "",
            "GOVCS": "*:all",
            "GOTOOLCHAIN": "auto",
            "TESTGO_GOROOT": str(toolchain.goroot),
            "TESTGO_GOHOSTOS": facts.goos,
            "TESTGO_GOHOSTARCH": facts.goarch,
            "TESTGONETWORK": "panic",
            "HGRCPATH": "",
            "goversion": facts.version.removeprefix("go"),
            "newline": "\n",
        }
    else:
        start = work
        tmp = work / ".tmp"
        env = {
            **common,
            "TMPDIR": str(tmp),
            "GOPATH": str(work / ".gopath"),
            "GOTOOLCHAIN": "local",
            "GONOSUMDB": "" if gosumdb != "off" else "*",
            "exe": facts.exe_suffix,
            "goversion": facts.release_tags[-1].removeprefix("go") if facts.release_tags else "",
        }
    tmp.mkdir(parents=True, exist_ok=True)
    start.mkdir(parents=True, exist_ok=True)
    env.update(extra or {})
    return env, start


def extract_files(
    state: ScriptState, archive: txtar.Archive, *, skip_prefixes: tuple[str, ...] = ()
) -> dict[str, Path]:
    """Write the archive's files (names may use variables, as ``$WORK/x``) relative to the current directory.

    Returns ``{archive name: path written}``; a name that lands outside ``$WORK`` is refused.
    Files whose names start with one of ``skip_prefixes`` (a ``.gomodproxy/`` tree) are not written.
    """
    written: dict[str, Path] = {}
    root = str(state.workdir).rstrip(os.sep) + os.sep
    for entry in archive.files:
        if entry.name.startswith(skip_prefixes):
            continue
        path = state.path(state.expand(entry.name))
        if not str(path).startswith(root):
            raise CommandFailed(f"archive file {entry.name!r} is outside $WORK ({path})", fatal=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry.data)
        written[entry.name] = path
    return written
