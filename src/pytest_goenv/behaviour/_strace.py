"""Which files a program opens, seen with strace: the runtime reading cgroup limits, a resolver reading resolv.conf.

strace (a Debian package) runs the program with every ``open``/``openat`` call written to a log, its
own output untouched. Where strace is missing, or the host forbids tracing (ptrace), the experiment is
not applicable with that reason: what a program opens cannot be seen otherwise without changing it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_goenv.behaviour._experiments_ch234 import inapplicable
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

__all__ = ["Opened", "opened_files"]

_OPEN = re.compile(r'\bopen(?:at2?)?\((?:[^,"]+, )?"([^"]*)"')
_CANNOT_TRACE = ("PTRACE_TRACEME", "ptrace", "Operation not permitted")


@dataclass(frozen=True)
class Opened:
    """A traced run: the program's result and every path it tried to open (found or not), in order."""

    result: GoResult
    paths: tuple[str, ...]

    def matching(self, pattern: str) -> list[str]:
        """The paths that match the regular expression ``pattern``."""
        return [path for path in self.paths if re.search(pattern, path)]


def opened_files(
    goenv: GoEnv,
    checks: Sequence[ClaimCheck],
    program: str | os.PathLike[str],
    *args: str,
    env: Mapping[str, str | None] | None = None,
    interesting: str = ".",
) -> Opened:
    """Run ``program ARGS`` under ``strace -f -e trace=open,openat`` in the sandbox; record on each of ``checks``
    the command and the opened paths matching ``interesting``. Not applicable (the test stops) without strace.

    Example: ``opened_files(goenv, [claim], probe, "limits", interesting="cgroup").matching("cpu")``.
    """
    strace = shutil.which("strace")
    if strace is None:
        inapplicable(
            "strace is not installed, so the files a program opens cannot be seen (Debian: apt-get install strace)",
            *checks,
        )
    log = Path(goenv.tmpdir) / f"strace-{len(list(Path(goenv.tmpdir).glob('strace-*')))}.log"
    traced = goenv.exec(
        strace, "-f", "-qq", "-e", "trace=open,openat", "-o", str(log), program, *args, env=env, check=False
    )
    text = log.read_text(errors="replace") if log.is_file() else ""
    if not text and any(word in traced.stderr for word in _CANNOT_TRACE):
        inapplicable(f"this host does not let strace trace a program: {traced.stderr.strip()[:200]}", *checks)
    paths = tuple(match[1] for match in _OPEN.finditer(text))
    opened = Opened(traced, paths)
    shown = "\n".join(dict.fromkeys(opened.matching(interesting))) or f"(no opened path matches {interesting!r})"
    for check in checks:
        check.observe(traced)
        check.record(f"grep -E {interesting!r} <the paths the program opened, from strace>", shown)
    return opened
