"""Reading a go command line back: which packages a ``go build``/``install``/``test``/``vet``/``run`` named.

An assertion given only a finished build asks ``go list`` which packages that build
took in; for that it needs the package arguments and the flags that change the
package graph (``-tags``, ``-mod``, ``-race``, ...), told apart from the flags'
values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["BuildArgs", "parse_build_args"]

# Flags of the build commands (`go help build`, `go help testflag`) that take a value as
# the next argument when written without "=".
_VALUE_FLAGS = frozenset(
    {
        "C",
        "o",
        "p",
        "asmflags",
        "buildmode",
        "compiler",
        "gccgoflags",
        "gcflags",
        "installsuffix",
        "ldflags",
        "mod",
        "modfile",
        "overlay",
        "pgo",
        "pkgdir",
        "tags",
        "toolexec",
        "covermode",
        "coverpkg",
        "exec",
        "vet",
        "debug-actiongraph",
        "debug-trace",
        "debug-runtime-trace",
        "bench",
        "benchtime",
        "blockprofile",
        "blockprofilerate",
        "count",
        "coverprofile",
        "cpu",
        "cpuprofile",
        "fuzz",
        "fuzzminimizetime",
        "fuzztime",
        "list",
        "memprofile",
        "memprofilerate",
        "mutexprofile",
        "mutexprofilefraction",
        "outputdir",
        "parallel",
        "run",
        "shuffle",
        "skip",
        "timeout",
        "trace",
        "vettool",
        "fuzzcachedir",
    }
)
# Flags that change which packages are built; `go list` takes them too.  The cover flags are left
# out: they only add coverage support packages, and `go list` before Go 1.20 refuses them.
_GRAPH_FLAGS = frozenset({"tags", "mod", "modfile", "overlay", "race", "msan", "asan", "buildmode", "pgo"})
BUILD_COMMANDS = frozenset({"build", "install", "test", "vet", "run"})


@dataclass(frozen=True)
class BuildArgs:
    """The parts of a build command line that decide its package graph."""

    command: str
    packages: tuple[str, ...]
    graph_flags: tuple[str, ...]
    chdir: str | None


def parse_build_args(argv: Sequence[str]) -> BuildArgs | None:
    """The subcommand, package arguments and graph flags of ``go <build command> ...``; None for another command."""
    args = list(argv[1:])
    if not args or args[0] not in BUILD_COMMANDS:
        return None
    command, rest = args[0], args[1:]
    packages: list[str] = []
    flags: list[str] = []
    chdir: str | None = None
    index = 0
    while index < len(rest):
        arg = rest[index]
        index += 1
        if arg in ("-args", "--args") or (command == "run" and packages and not _more_run_files(packages, arg)):
            break  # the rest is for the test binary or the program
        if arg == "--":
            packages.extend(rest[index:])
            break
        if not arg.startswith("-") or arg == "-":
            packages.append(arg)
            continue
        name, equals, value = arg.lstrip("-").partition("=")
        name = name.removeprefix("test.")
        if not equals and name in _VALUE_FLAGS and index < len(rest):
            value = rest[index]
            index += 1
        if name == "C":
            chdir = value
        elif name in _GRAPH_FLAGS:
            flags.append(f"-{name}={value}" if (equals or name in _VALUE_FLAGS) else f"-{name}")
    return BuildArgs(command, tuple(packages), tuple(flags), chdir)


def _more_run_files(packages: list[str], arg: str) -> bool:
    """True if ``arg`` is one more of the .go files ``go run`` builds (after them come the program's arguments)."""
    return packages[-1].endswith(".go") and arg.endswith(".go") and not arg.startswith("-")
