"""The command table: what a script's command names mean, and how to add commands.

A command is a :class:`ScriptCommand`: a function of the state and the expanded arguments that
returns ``None`` (done; the stdout/stderr buffers are left alone), a :class:`CommandOutput` (done;
its output becomes the buffers) or a :class:`Pending` (started; waited for now, or later with
``wait`` when the line ends in ``&``), and raises :class:`CommandFailed` when it does not succeed.

Example, a command of one's own::

    def hello(state: ScriptState, args: list[str]) -> CommandOutput:
        return CommandOutput(stdout="hello " + " ".join(args) + "\\n")

    table = default_commands("testscript")
    table.add(ScriptCommand("hello", hello, "[names...]", "greet"))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pytest_goenv.scripts.errors import ScriptError
from pytest_goenv.scripts.state import CommandOutput, Dialect, Pending, ScriptState

__all__ = ["CommandTable", "RunFunction", "ScriptCommand", "default_commands", "first_non_flag"]

RunFunction = Callable[[ScriptState, list[str]], "CommandOutput | Pending | None"]


def first_non_flag(raw_args: list[str]) -> list[int]:
    """The index of the first argument that is not a ``-flag`` (the regexp of stdout, stderr, grep)."""
    for index, arg in enumerate(raw_args):
        if arg == "--":
            return [index + 1]
        if not arg.startswith("-"):
            return [index]
    return []


@dataclass(frozen=True)
class ScriptCommand:
    """One command: its name, implementation and usage.

    ``background`` says it may end in ``&``; ``regexp_args`` picks (from the unexpanded words) the
    arguments read as regular expressions, whose expanded variables are quoted; ``negatable`` is
    False for commands that testscript refuses after ``!``.
    """

    name: str
    run: RunFunction
    synopsis: str = ""
    summary: str = ""
    background: bool = False
    regexp_args: Callable[[list[str]], list[int]] | None = None
    negatable: bool = True


class CommandTable:
    """Command names to commands; ``add`` refuses to replace one unless told to."""

    def __init__(self, commands: list[ScriptCommand] | None = None) -> None:
        self._commands: dict[str, ScriptCommand] = {}
        for command in commands or []:
            self.add(command)

    def add(self, command: ScriptCommand, *, replace: bool = False) -> None:
        """Register ``command``; a name already taken is an error unless ``replace``."""
        if not command.name or any(char.isspace() for char in command.name):
            raise ScriptError(f"script command name {command.name!r} must be one word")
        if command.name in self._commands and not replace:
            raise ScriptError(f"script command {command.name!r} is already defined; pass replace=True to override it")
        self._commands[command.name] = command

    def get(self, name: str) -> ScriptCommand | None:
        """The command called ``name``, if any."""
        return self._commands.get(name)

    def names(self) -> list[str]:
        """All command names, sorted."""
        return sorted(self._commands)

    def __contains__(self, name: object) -> bool:
        return name in self._commands

    def __iter__(self) -> Iterator[ScriptCommand]:
        return iter(self._commands[name] for name in self.names())

    def copy(self) -> CommandTable:
        """A table with the same commands, to extend without changing this one."""
        return CommandTable(list(self._commands.values()))


def default_commands(dialect: Dialect) -> CommandTable:
    """The commands both dialects share, cmd/go's ``go``, ``stale`` and ``cc``, and testscript's extras."""
    from pytest_goenv.scripts import cmds_files, cmds_match, cmds_process

    table = CommandTable([*cmds_files.COMMANDS, *cmds_match.COMMANDS, *cmds_process.COMMANDS])
    if dialect == "testscript":
        for name in (
            "cd",
            "chmod",
            "cp",
            "env",
            "mkdir",
            "mv",
            "rm",
            "skip",
            "stdin",
            "stop",
            "symlink",
            "unquote",
            "wait",
        ):
            command = table.get(name)
            if command is not None:
                table.add(
                    ScriptCommand(
                        command.name,
                        command.run,
                        command.synopsis,
                        command.summary,
                        command.background,
                        command.regexp_args,
                        negatable=False,
                    ),
                    replace=True,
                )
    return table
