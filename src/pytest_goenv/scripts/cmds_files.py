"""Script commands on files and directories: cat, cd, chmod, cmp, cmpenv, cp, exists, mkdir, mv,
replace, rm, stdin, symlink, unquote.

File names are relative to the script's current directory; ``stdout`` and ``stderr`` name the
buffers where cmp, cp and stdin accept them.  A missing file is a failure that names it.

Example (inside a script)::

    cmp stdout want.txt
    cp stdout got.txt
    exists -readonly $GOPATH/pkg/mod/cache
"""

from __future__ import annotations

import difflib
import os
import shutil
import stat
from pathlib import Path

from pytest_goenv.scripts.commands import ScriptCommand
from pytest_goenv.scripts.errors import CommandFailed, UsageError
from pytest_goenv.scripts.state import CommandOutput, ScriptState

__all__ = ["COMMANDS", "remove_all", "unified_diff"]


def _read(state: ScriptState, name: str, command: str) -> str:
    if name == "stdout":
        return state.stdout
    if name == "stderr":
        return state.stderr
    return _read_file(state, name, command)


def _read_file(state: ScriptState, name: str, command: str) -> str:
    path = state.path(name)
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise CommandFailed(f"{command}: {name}: no such file ({path})") from None
    except IsADirectoryError:
        raise CommandFailed(f"{command}: {name}: is a directory ({path})") from None
    except OSError as exc:
        raise CommandFailed(f"{command}: {name}: {exc.strerror or exc}") from None


def cat(state: ScriptState, args: list[str]) -> CommandOutput:
    """Concatenate files into the stdout buffer."""
    if not args:
        raise UsageError("cat", "files...")
    return CommandOutput(stdout="".join(_read_file(state, name, "cat") for name in args))


def cd(state: ScriptState, args: list[str]) -> None:
    """Change the current directory."""
    if len(args) != 1:
        raise UsageError("cd", "dir")
    try:
        state.chdir(args[0])
    except NotADirectoryError as exc:
        raise CommandFailed(str(exc)) from None


def chmod(state: ScriptState, args: list[str]) -> None:
    """Set the permission bits (an octal number) of files or directories."""
    if len(args) < 2:
        raise UsageError("chmod", "perm paths...")
    try:
        mode = int(args[0], 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o777:
        raise CommandFailed(f"chmod: invalid mode {args[0]!r}; give octal permission bits such as 0755", fatal=True)
    for name in args[1:]:
        try:
            os.chmod(state.path(name), mode)
        except OSError as exc:
            raise CommandFailed(f"chmod {name}: {exc.strerror or exc}") from None


def unified_diff(name1: str, text1: str, name2: str, text2: str) -> str:
    """A unified diff of two texts, ``name1`` being the actual and ``name2`` the expected one."""
    lines = difflib.unified_diff(
        text1.splitlines(keepends=True), text2.splitlines(keepends=True), fromfile=name1, tofile=name2
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _compare(state: ScriptState, args: list[str], *, with_env: bool) -> None:
    command = "cmpenv" if with_env else "cmp"
    quiet = bool(args) and args[0] == "-q"
    if quiet:
        args = args[1:]
    if len(args) != 2:
        raise UsageError(command, "[-q] file1 file2")
    name1, name2 = args
    text1 = _read(state, name1, command)
    text2 = _read_file(state, name2, command)
    if with_env:
        text1, text2 = state.expand(text1), state.expand(text2)
    if text1 == text2:
        return
    if state.extras.get("update") and name2 not in ("stdout", "stderr") and not with_env:
        state.compared[str(state.path(name2))] = text1
        state.logf(f"[update] {name2} takes the text of {name1}")
        return
    if not quiet:
        state.logf(unified_diff(name1, text1, name2, text2))
    raise CommandFailed(f"{name1} and {name2} differ")


def cmp(state: ScriptState, args: list[str]) -> None:
    """Compare two files (or the stdout/stderr buffer and a file)."""
    _compare(state, args, with_env=False)


def cmpenv(state: ScriptState, args: list[str]) -> None:
    """Compare like cmp after expanding variables in both texts."""
    _compare(state, args, with_env=True)


def cp(state: ScriptState, args: list[str]) -> None:
    """Copy files (or the stdout/stderr buffers) to a file or into a directory."""
    if len(args) < 2:
        raise UsageError("cp", "src... dst")
    dst = state.path(args[-1])
    into_dir = dst.is_dir()
    if len(args) > 2 and not into_dir:
        raise CommandFailed(f"cp: destination {args[-1]} is not a directory")
    for name in args[:-1]:
        if name in ("stdout", "stderr"):
            data, mode, base = _read(state, name, "cp").encode(), 0o666, name
        else:
            src = state.path(name)
            try:
                data, mode, base = src.read_bytes(), stat.S_IMODE(src.stat().st_mode), src.name
            except OSError as exc:
                raise CommandFailed(f"cp {name}: {exc.strerror or exc}") from None
        target = dst / base if into_dir else dst
        try:
            if target.exists() and not os.access(target, os.W_OK):
                raise PermissionError(13, "permission denied")
            target.write_bytes(data)
            os.chmod(target, mode)
        except OSError as exc:
            raise CommandFailed(f"cp {name} {args[-1]}: {exc.strerror or exc}") from None


def exists(state: ScriptState, args: list[str]) -> None:
    """Check that files exist (``-readonly``: not writable; ``-exec``: executable)."""
    readonly = executable = False
    while args and args[0] in ("-readonly", "-exec"):
        readonly = readonly or args[0] == "-readonly"
        executable = executable or args[0] == "-exec"
        args = args[1:]
    if not args:
        raise UsageError("exists", "[-readonly] [-exec] file...")
    for name in args:
        path = state.path(name)
        try:
            mode = path.stat().st_mode
        except OSError:
            raise CommandFailed(f"{name} does not exist ({path})") from None
        if readonly and mode & 0o222:
            raise CommandFailed(f"{name} exists but is writable")
        if executable and not mode & 0o111:
            raise CommandFailed(f"{name} exists but is not executable")


def mkdir(state: ScriptState, args: list[str]) -> None:
    """Create directories and their parents."""
    if not args:
        raise UsageError("mkdir", "path...")
    for name in args:
        try:
            state.path(name).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandFailed(f"mkdir {name}: {exc.strerror or exc}") from None


def mv(state: ScriptState, args: list[str]) -> None:
    """Rename a file or directory."""
    if len(args) != 2:
        raise UsageError("mv", "old new")
    try:
        os.replace(state.path(args[0]), state.path(args[1]))
    except OSError as exc:
        raise CommandFailed(f"mv {args[0]} {args[1]}: {exc.strerror or exc}") from None


def _go_unquote(text: str) -> str:
    """``text`` read as the inside of a Go double-quoted string (``\\n``, ``\\t``, ``\\x41``, ...)."""
    if "\\" not in text:
        return text
    if '"' in text.replace('\\"', ""):
        raise CommandFailed(f"replace: {text!r} has an unescaped double quote", fatal=True)
    try:
        return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError as exc:
        raise CommandFailed(f"replace: bad escape in {text!r}: {exc.reason}", fatal=True) from None


def replace(state: ScriptState, args: list[str]) -> None:
    """Replace strings (Go-quoted) in a file: ``replace old new [old new]... file``."""
    if len(args) % 2 != 1:
        raise UsageError("replace", "[old new]... file")
    pairs = [(_go_unquote(args[i]), _go_unquote(args[i + 1])) for i in range(0, len(args) - 1, 2)]
    text = _read_file(state, args[-1], "replace")
    out: list[str] = []
    i = 0
    while i < len(text):  # one pass, first matching pair wins, as strings.Replacer does
        for old, new in pairs:
            if old and text.startswith(old, i):
                out.append(new)
                i += len(old)
                break
        else:
            out.append(text[i])
            i += 1
    state.path(args[-1]).write_text("".join(out), encoding="utf-8")


def remove_all(path: Path) -> None:
    """``rm -rf`` that first gives back write permission (the module cache takes it away)."""
    if not os.path.lexists(path):
        return
    if path.is_dir() and not path.is_symlink():
        for directory, _dirs, _files in os.walk(path):
            os.chmod(directory, 0o777)
        shutil.rmtree(path)
    else:
        path.unlink()


def rm(state: ScriptState, args: list[str]) -> None:
    """Remove files or directories (recursively)."""
    if not args:
        raise UsageError("rm", "path...")
    for name in args:
        try:
            remove_all(state.path(name))
        except OSError as exc:
            raise CommandFailed(f"rm {name}: {exc.strerror or exc}") from None


def stdin(state: ScriptState, args: list[str]) -> None:
    """Give the next exec the contents of a file (or of the stdout/stderr buffer) as standard input."""
    if len(args) != 1:
        raise UsageError("stdin", "file")
    state.stdin = _read(state, args[0], "stdin")


def symlink(state: ScriptState, args: list[str]) -> None:
    """Create ``path`` as a symbolic link to ``target`` (``symlink path -> target``)."""
    if len(args) != 3 or args[1] != "->":
        raise UsageError("symlink", "path -> target")
    try:
        os.symlink(args[2], state.path(args[0]))
    except OSError as exc:
        raise CommandFailed(f"symlink {args[0]}: {exc.strerror or exc}") from None


def unquote(state: ScriptState, args: list[str]) -> None:
    """Remove one leading ``>`` from each line of files (so they may hold txtar marker lines)."""
    if not args:
        raise UsageError("unquote", "file...")
    for name in args:
        text = _read_file(state, name, "unquote")
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if index == len(lines) - 1 and line == "":
                break
            if not line.startswith(">"):
                raise CommandFailed(f"unquote {name}: line {index + 1} does not start with >")
            lines[index] = line[1:]
        state.path(name).write_text("\n".join(lines), encoding="utf-8")


COMMANDS = [
    ScriptCommand("cat", cat, "files...", "concatenate files into the stdout buffer"),
    ScriptCommand("cd", cd, "dir", "change the working directory"),
    ScriptCommand("chmod", chmod, "perm paths...", "change file mode bits (octal)"),
    ScriptCommand("cmp", cmp, "[-q] file1 file2", "compare files (file1 may be stdout or stderr)"),
    ScriptCommand("cmpenv", cmpenv, "[-q] file1 file2", "compare files after expanding variables"),
    ScriptCommand("cp", cp, "src... dst", "copy files (src may be stdout or stderr)"),
    ScriptCommand("exists", exists, "[-readonly] [-exec] file...", "check that files exist"),
    ScriptCommand("mkdir", mkdir, "path...", "create directories and their parents"),
    ScriptCommand("mv", mv, "old new", "rename a file or directory"),
    ScriptCommand("replace", replace, "[old new]... file", "replace Go-quoted strings in a file"),
    ScriptCommand("rm", rm, "path...", "remove files or directories"),
    ScriptCommand("stdin", stdin, "file", "set the standard input of the next exec"),
    ScriptCommand("symlink", symlink, "path -> target", "create a symbolic link"),
    ScriptCommand("unquote", unquote, "file...", "remove a leading > from each line of files"),
]
