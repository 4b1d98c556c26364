"""Reading back what a go build command was asked and what it did: its command line and its ``-x`` log.

``go build -x`` (also ``install``, ``test``, ``vet``, ``run``) prints every action it runs on
stderr: ``cd`` lines and the tool command lines (``compile``, ``link``, ``cgo``, ``asm``).  A
package whose compile action is missing was taken from the build cache.  The command line
itself tells which packages the build named and which flags change its package graph, so that
``go list`` can be asked about the same graph.

>>> log = "cd /src/hello\\n/go/pkg/tool/linux_amd64/compile -o $WORK/b001/_pkg_.a -p main ./main.go\\n"
>>> parse_build_log(log, Path("/src")).packages
('main (/src/hello)',)
>>> parse_build_args(["go", "build", "-tags", "netgo", "./cmd/..."]).graph_flags
('-tags=netgo',)
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BUILD_COMMANDS", "BuildActions", "BuildArgs", "PackageAction", "parse_build_args", "parse_build_log"]

_TOOL_NAMES = ("compile", "link", "cgo", "asm")


@dataclass(frozen=True)
class PackageAction:
    """One run of a Go tool on a package: its import path (``main`` for a command) and directory."""

    package: str
    dir: Path

    def __str__(self) -> str:
        return f"{self.package} ({self.dir})" if self.package == "main" else self.package


@dataclass(frozen=True)
class BuildActions:
    """The tool runs ``go ... -x`` printed: what was compiled, linked and run through cgo."""

    compiled: tuple[PackageAction, ...]
    linked: tuple[str, ...]
    cgo: tuple[PackageAction, ...]

    @property
    def packages(self) -> tuple[str, ...]:
        """The compiled packages, as :class:`PackageAction` prints them."""
        return tuple(str(action) for action in self.compiled)

    def compiled_package(self, package: str, cwd: Path) -> bool:
        """True if ``package`` (an import path, or a directory absolute or relative to ``cwd``) was compiled."""
        directory = (cwd / package).resolve() if package.startswith((".", "/")) else None
        for action in self.compiled:
            if action.package == package:
                return True
            if directory is not None and action.dir.resolve() == directory:
                return True
        return False


def parse_build_log(log: str, cwd: Path) -> BuildActions:
    """The tool runs a ``go ... -x`` log (the command's stderr) shows, in the order they ran.

    :param log: what the go command printed on stderr.
    :param cwd: the directory the command ran in (the log's ``cd`` lines are relative to it).

    Example: ``parse_build_log(result.stderr, result.cwd).compiled`` is empty for a build
    that took everything from the cache.
    """
    compiled: list[PackageAction] = []
    linked: list[str] = []
    cgo: list[PackageAction] = []
    directory = cwd
    for line in log.splitlines():
        words = _words(line)
        if len(words) == 2 and words[0] == "cd":
            directory = cwd / words[1]  # an absolute path replaces the cwd
            continue
        tool, args = _tool_call(words)
        if tool == "compile":
            package = _flag(args, "-p") or "?"
            # a cgo package is compiled from generated $WORK files only: take cgo's directory
            cgo_dir = next((action.dir for action in cgo if action.package == package), None)
            compiled.append(PackageAction(package, _source_dir(directory, args) or cgo_dir or directory))
        elif tool == "link":
            linked.append(_flag(args, "-o") or "?")
        elif tool == "cgo" and "-objdir" in args:  # not the -dynimport step that follows
            cgo.append(PackageAction(_flag(args, "-importpath") or "?", _source_dir(directory, args) or directory))
    return BuildActions(tuple(compiled), tuple(linked), tuple(cgo))


def _source_dir(directory: Path, args: list[str]) -> Path | None:
    """Where a tool's Go sources are (tools run with paths relative to ``cd``); None if all are generated."""
    sources = [arg for arg in args if arg.endswith(".go") and not arg.startswith("$")]  # $WORK is generated
    return (directory / sources[0]).parent if sources else None


def _words(line: str) -> list[str]:
    """The shell words of a logged command line (split at blanks if it does not parse)."""
    try:
        return shlex.split(line, comments=False)
    except ValueError:
        return line.split()


def _tool_call(words: list[str]) -> tuple[str, list[str]]:
    """The Go tool a traced command line runs (after any ``NAME=value`` prefix) and its arguments."""
    index = 0
    while index < len(words) and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[index]):
        index += 1
    if index >= len(words):
        return "", []
    program = os.path.basename(words[index])
    program = program.removesuffix(".exe")
    if "/" not in words[index] and os.sep not in words[index]:
        return "", []  # a shell builtin or `go tool buildid`, not a toolchain binary
    return (program, words[index + 1 :]) if program in _TOOL_NAMES else ("", [])


def _flag(args: list[str], name: str) -> str | None:
    """The value of flag ``name`` in ``args`` (``-p x`` or ``-p=x``), or None."""
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


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
