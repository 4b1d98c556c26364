"""Script commands that check text or steer the script: grep, stdout, stderr, echo, env, help, skip, stop.

``stdout``, ``stderr`` and ``grep`` take a Go regular expression, matched in multi-line mode
(``^`` and ``$`` at line ends); ``-count=N`` asks for exactly N matches, ``-q`` keeps the matched
line out of the log.  A failed match names the pattern and shows the text searched.

Example (inside a script)::

    go list -m all
    stdout -count=1 '^example.com/a v1.0.0$'
    ! stderr .
"""

from __future__ import annotations

from pytest_goenv.sandbox.result import excerpt
from pytest_goenv.scripts.commands import ScriptCommand, first_non_flag
from pytest_goenv.scripts.errors import CommandFailed, ScriptSkipped, ScriptStopped, UsageError
from pytest_goenv.scripts.goregexp import compile_go
from pytest_goenv.scripts.state import CommandOutput, ScriptState

__all__ = ["COMMANDS"]

_MATCH_SYNOPSIS = "[-count=N] [-q] 'pattern'"


def _shown(text: str) -> str:
    if not text:
        return "(empty)"
    return "\n".join("\t" + line for line in excerpt(text, max_lines=30).splitlines())


def _match(state: ScriptState, args: list[str], name: str) -> None:
    count = 0
    if args and args[0].startswith("-count="):
        try:
            count = int(args[0].removeprefix("-count="))
        except ValueError:
            raise CommandFailed(f"{name}: bad -count=: {args[0]!r} is not a number", fatal=True) from None
        if count < 1:
            raise CommandFailed(f"{name}: bad -count=: must be at least 1", fatal=True)
        args = args[1:]
    quiet = bool(args) and args[0] == "-q"
    if quiet:
        args = args[1:]
    wanted = 2 if name == "grep" else 1
    if len(args) != wanted:
        raise UsageError(name, _MATCH_SYNOPSIS + (" file" if name == "grep" else ""))
    pattern = "(?m)" + args[0]
    regexp = compile_go(pattern)
    if name == "grep":
        where = args[1]
        path = state.path(args[1])
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError as exc:
            raise CommandFailed(f"grep: {args[1]}: {exc.strerror or exc} ({path})") from None
    else:
        where = name
        text = state.stdout if name == "stdout" else state.stderr
    if count:
        found = sum(1 for _ in regexp.finditer(text))
        if found != count:
            raise CommandFailed(f"found {found} matches for `{pattern}` in {where}, want {count}:\n{_shown(text)}")
        return
    match = regexp.search(text)
    if match is None:
        raise CommandFailed(f"no match for `{pattern}` in {where}:\n{_shown(text)}")
    if not quiet:
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        state.logf("matched: " + text[start : end if end >= 0 else len(text)])


def grep(state: ScriptState, args: list[str]) -> None:
    """Check that a file's text matches a regexp."""
    _match(state, args, "grep")


def stdout(state: ScriptState, args: list[str]) -> None:
    """Check that the stdout buffer matches a regexp."""
    _match(state, args, "stdout")


def stderr(state: ScriptState, args: list[str]) -> None:
    """Check that the stderr buffer matches a regexp."""
    _match(state, args, "stderr")


def echo(state: ScriptState, args: list[str]) -> CommandOutput:
    """Write the arguments, separated by spaces, to the stdout buffer."""
    return CommandOutput(stdout=" ".join(args) + "\n")


def env(state: ScriptState, args: list[str]) -> CommandOutput | None:
    """Set ``key=value`` variables, or print ``key``'s value (no arguments: print them all)."""
    if not args:
        return CommandOutput(stdout="".join(f"{key}={value}\n" for key, value in state.env.items()))
    shown: list[str] = []
    for arg in args:
        key, sep, value = arg.partition("=")
        if not key:
            raise CommandFailed(f"env: {arg!r} has no variable name", fatal=True)
        if sep:
            state.setenv(key, value)
        else:
            shown.append(f"{key}={state.lookup(key) or ''}\n")
    return CommandOutput(stdout="".join(shown)) if shown else None


def help_command(state: ScriptState, args: list[str]) -> CommandOutput:
    """Print the commands and conditions this script can use (or those named)."""
    if state.help_text is None:
        raise CommandFailed("help: no command table is attached to this script", fatal=True)
    return CommandOutput(stdout=state.help_text([arg for arg in args if arg != "-v"]))


def skip(state: ScriptState, args: list[str]) -> None:
    """Skip the rest of the script: it is reported as skipped, with the message."""
    if len(args) > 1:
        raise UsageError("skip", "[msg]")
    raise ScriptSkipped(args[0] if args else "skip")


def stop(state: ScriptState, args: list[str]) -> None:
    """Stop the script here: it passes."""
    if len(args) > 1:
        raise UsageError("stop", "[msg]")
    raise ScriptStopped(args[0] if args else "stop")


COMMANDS = [
    ScriptCommand("echo", echo, "string...", "write the arguments to the stdout buffer"),
    ScriptCommand("env", env, "[key[=value]...]", "set or print environment variables"),
    ScriptCommand("grep", grep, _MATCH_SYNOPSIS + " file", "match a regexp in a file", regexp_args=first_non_flag),
    ScriptCommand("help", help_command, "[-v] name...", "print the commands and conditions"),
    ScriptCommand("skip", skip, "[msg]", "skip the rest of the script"),
    ScriptCommand("stderr", stderr, _MATCH_SYNOPSIS, "match a regexp in the stderr buffer", regexp_args=first_non_flag),
    ScriptCommand("stdout", stdout, _MATCH_SYNOPSIS, "match a regexp in the stdout buffer", regexp_args=first_non_flag),
    ScriptCommand("stop", stop, "[msg]", "stop the script here; it passes"),
]
