"""The condition table: what ``[cond]`` guards mean, computed from the toolchain under test.

A condition is a :class:`ScriptCondition`: a name, whether it takes a ``:suffix``
(``[GOOS:linux]``, ``[exec:git]``, ``[buildmode:pie]``), and a function of the script's state
(and the suffix) that answers True or False, or raises :class:`CommandFailed` for a suffix it does
not know.  Platform answers come from :class:`ToolchainFacts`, so ``[race]`` or ``[go1.22]``
describe the go under test, not the Python process.  testscript's bare forms (``[linux]``,
``[amd64]``, ``[gc]``, ``[unix]``, ``[go1.21]``, ``[net]``) are there in both dialects.

Example::

    table = default_conditions(facts, short=True)
    table.add(ScriptCondition("docker", lambda state, suffix: shutil.which("docker") is not None))
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pytest_goenv.scripts.errors import CommandFailed, ScriptError
from pytest_goenv.scripts.facts import ToolchainFacts
from pytest_goenv.scripts.state import ScriptState

__all__ = ["ConditionTable", "ScriptCondition", "default_conditions", "evaluate"]

EvalFunction = Callable[[ScriptState, str], bool]

_UNIX = frozenset(
    {
        "aix",
        "android",
        "darwin",
        "dragonfly",
        "freebsd",
        "hurd",
        "illumos",
        "ios",
        "linux",
        "netbsd",
        "openbsd",
        "solaris",
    }
)


@dataclass(frozen=True)
class ScriptCondition:
    """One condition: ``prefix`` ones are written ``[name:suffix]``, the others ``[name]``."""

    name: str
    evaluate: EvalFunction
    summary: str = ""
    prefix: bool = False
    optional_suffix: bool = False


class ConditionTable:
    """Condition names to conditions; ``add`` refuses to replace one unless told to."""

    def __init__(self, conditions: list[ScriptCondition] | None = None) -> None:
        self._conditions: dict[str, ScriptCondition] = {}
        for condition in conditions or []:
            self.add(condition)

    def add(self, condition: ScriptCondition, *, replace: bool = False) -> None:
        """Register ``condition``; a name already taken is an error unless ``replace``."""
        if not condition.name or ":" in condition.name:
            raise ScriptError(f"script condition name {condition.name!r} must be non-empty and have no ':'")
        if condition.name in self._conditions and not replace:
            raise ScriptError(f"script condition {condition.name!r} is already defined; pass replace=True")
        self._conditions[condition.name] = condition

    def get(self, name: str) -> ScriptCondition | None:
        """The condition called ``name``, if any."""
        return self._conditions.get(name)

    def names(self) -> list[str]:
        """All condition names, sorted."""
        return sorted(self._conditions)

    def copy(self) -> ConditionTable:
        """A table with the same conditions, to extend without changing this one."""
        return ConditionTable(list(self._conditions.values()))


def evaluate(table: ConditionTable, state: ScriptState, tag: str) -> bool:
    """The value of ``[tag]``; an unknown condition or a misused suffix is a fatal failure."""
    name, has_suffix, suffix = tag.partition(":")
    condition = table.get(name)
    if condition is None:
        kind = "condition prefix" if has_suffix else "condition"
        raise CommandFailed(f"unknown {kind} {name!r} in [{tag}]; known: {', '.join(table.names())}", fatal=True)
    if has_suffix and not condition.prefix:
        raise CommandFailed(f"condition {name!r} cannot be used with a suffix ([{tag}])", fatal=True)
    if condition.prefix and not has_suffix and not condition.optional_suffix:
        raise CommandFailed(f"condition {name!r} requires a suffix, as in [{name}:value]", fatal=True)
    return condition.evaluate(state, suffix)


def _known(value: str, known: tuple[str, ...], what: str) -> None:
    if value not in known:
        raise CommandFailed(f"unrecognized {what} {value!r} (the toolchain knows {', '.join(known)})", fatal=True)


def _target(state: ScriptState, facts: ToolchainFacts) -> tuple[str, str]:
    return state.env.get("GOOS") or facts.goos, state.env.get("GOARCH") or facts.goarch


def _cross(state: ScriptState, facts: ToolchainFacts) -> bool:
    return _target(state, facts) != (facts.goos, facts.goarch)


def _godebug(state: ScriptState, value: str) -> bool:
    return any(part.strip() == value for part in state.env.get("GODEBUG", "").split(","))


def _goexperiment(facts: ToolchainFacts, state: ScriptState, value: str) -> bool:
    enabled = {name.removeprefix("no"): not name.startswith("no") for name in facts.experiments}
    for item in filter(None, (part.strip() for part in state.env.get("GOEXPERIMENT", "").split(","))):
        if item == "none":
            enabled = dict.fromkeys(enabled, False)
        else:
            enabled[item.removeprefix("no")] = not item.startswith("no")
    base = value.removeprefix("no")
    if base not in enabled:
        raise CommandFailed(f"unrecognized GOEXPERIMENT {value!r}", fatal=True)
    return enabled[base] != value.startswith("no")


@functools.cache
def _case_sensitive(directory: str) -> bool:
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        (Path(scratch) / "FILE").write_text("")
        return not (Path(scratch) / "file").exists()


@functools.cache
def _git_version() -> tuple[int, ...]:
    git = shutil.which("git")
    if git is None:
        return ()
    out = subprocess.run([git, "version"], capture_output=True, text=True, timeout=30, check=False).stdout
    digits = out.split()[2].split(".")[:3] if len(out.split()) > 2 else []
    return tuple(int(d) for d in digits if d.isdigit())


def _cc_is(state: ScriptState, facts: ToolchainFacts, want: str) -> bool:
    return (state.env.get("CC") or facts.cc or "gcc") == want


def _abscc(facts: ToolchainFacts) -> bool:
    return os.path.isabs(facts.cc) and os.access(facts.cc, os.X_OK)


def _exec_found(state: ScriptState, name: str) -> bool:
    return shutil.which(name, path=state.env.get("PATH", os.defpath)) is not None


def _release(facts: ToolchainFacts, tag: str) -> bool:
    return tag in facts.release_tags


def default_conditions(facts: ToolchainFacts, *, short: bool = False, verbose: bool = False) -> ConditionTable:
    """cmd/go's and testscript's conditions for the toolchain ``facts`` describe."""

    def host_cgo(state: ScriptState) -> bool:
        return facts.cgo and not _cross(state, facts)

    def const(value: bool) -> EvalFunction:
        return lambda _state, _suffix: value

    def goos(state: ScriptState, value: str) -> bool:
        _known(value, facts.known_os, "GOOS")
        return value == facts.goos

    def goarch(state: ScriptState, value: str) -> bool:
        _known(value, facts.known_arch, "GOARCH")
        return value == facts.goarch

    def compiler(state: ScriptState, value: str) -> bool:
        if value not in ("gc", "gccgo"):
            raise CommandFailed(f"unrecognized compiler {value!r}", fatal=True)
        return value == facts.compiler

    def buildmode(state: ScriptState, mode: str) -> bool:
        if mode not in facts.buildmodes:
            raise CommandFailed(f"unknown build mode {mode!r}", fatal=True)
        return facts.buildmodes[mode] and not _cross(state, facts)

    def needs_cgo(value: bool) -> EvalFunction:
        return lambda state, _suffix: value and host_cgo(state)

    table = ConditionTable(
        [
            ScriptCondition("GOOS", goos, "the toolchain's GOOS is <suffix>", prefix=True),
            ScriptCondition("GOARCH", goarch, "the toolchain's GOARCH is <suffix>", prefix=True),
            ScriptCondition("compiler", compiler, "the compiler is <suffix>", prefix=True),
            ScriptCondition("root", const(hasattr(os, "geteuid") and os.geteuid() == 0), "running as root"),
            ScriptCondition("exec", _exec_found, "<suffix> is an executable on the script's PATH", prefix=True),
            ScriptCondition("short", const(short), "--goenv-short is on"),
            ScriptCondition("verbose", const(verbose), "pytest runs verbosely"),
            ScriptCondition(
                "net",
                const(False),
                "the network (or host <suffix>) is reachable: never here",
                prefix=True,
                optional_suffix=True,
            ),
            ScriptCondition("asan", needs_cgo(facts.asan), "the platform supports -asan"),
            ScriptCondition("msan", needs_cgo(facts.msan), "the platform supports -msan"),
            ScriptCondition("race", needs_cgo(facts.race), "the platform supports -race"),
            ScriptCondition("fuzz", const(facts.fuzz), "the platform supports -fuzz"),
            ScriptCondition("fuzz-instrumented", const(facts.fuzz_instrumented), "-fuzz with instrumentation"),
            ScriptCondition("buildmode", buildmode, "go supports -buildmode=<suffix>", prefix=True),
            ScriptCondition("cgo", lambda state, _s: facts.cgo, "the toolchain's CGO_ENABLED is 1"),
            ScriptCondition("cgolinkext", const(facts.cgolinkext), "cgo needs external linking"),
            ScriptCondition("mustlinkext", const(facts.mustlinkext), "the platform always links externally"),
            ScriptCondition("pielinkext", const(facts.pielinkext), "PIE needs external linking"),
            ScriptCondition("cross", lambda state, _s: _cross(state, facts), "GOOS/GOARCH differ from the host"),
            ScriptCondition("link", const(hasattr(os, "link")), "hard links are supported"),
            ScriptCondition("symlink", const(hasattr(os, "symlink")), "symbolic links are supported"),
            ScriptCondition(
                "case-sensitive", lambda state, _s: _case_sensitive(str(state.workdir)), "$WORK is case-sensitive"
            ),
            ScriptCondition("git", lambda state, _s: bool(_git_version()), "git is installed"),
            ScriptCondition("git-sha256", lambda state, _s: _git_version() >= (2, 29), "git supports sha256"),
            ScriptCondition("trimpath", const(facts.trimpath), "the go binary was built with -trimpath"),
            ScriptCondition("default-cgo", const(facts.default_cgo), "CGO_ENABLED was set when Go was built"),
            ScriptCondition("go-builder", const(False), "running on a Go builder (never here)"),
            ScriptCondition("GODEBUG", _godebug, "GODEBUG contains <suffix>", prefix=True),
            ScriptCondition(
                "GOEXPERIMENT",
                lambda state, value: _goexperiment(facts, state, value),
                "GOEXPERIMENT <suffix> is enabled",
                prefix=True,
            ),
            ScriptCondition("abscc", lambda state, _s: _abscc(facts), "the default CC is an absolute path"),
            ScriptCondition("cc", lambda state, want: _cc_is(state, facts, want), "go env CC is <suffix>", prefix=True),
            ScriptCondition("gc", const(facts.compiler == "gc"), "the compiler is gc (testscript)"),
            ScriptCondition("gccgo", const(facts.compiler == "gccgo"), "the compiler is gccgo (testscript)"),
            ScriptCondition("unix", const(facts.goos in _UNIX), "GOOS is a Unix (testscript)"),
        ]
    )
    bare = {*facts.known_os, *facts.known_arch}
    for value in sorted(bare):
        if table.get(value) is None:
            table.add(ScriptCondition(value, const(value in (facts.goos, facts.goarch)), f"GOOS or GOARCH is {value}"))
    for minor in range(1, 100):
        tag = f"go1.{minor}"
        table.add(ScriptCondition(tag, const(_release(facts, tag)), f"the toolchain has release tag {tag}"))
    return table
