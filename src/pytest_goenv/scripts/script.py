"""Running one script file or text in a GoEnv sandbox: the entry point Python tests and the plugin use.

:func:`run_script` unpacks the archive into the sandbox's work directory, builds the dialect's
environment for the sandbox's toolchain, runs the script with the default command and condition
tables plus any given, and returns the :class:`ScriptResult`; :meth:`ScriptResult.report` is the
failure log.  With ``update=True`` a passing script's ``cmp`` targets are rewritten in the file.

Example, from a test using the ``goenv`` fixture::

    result = run_script(goenv, '''
    go version
    stdout '^go version go1\\\\.'
    ''')
    assert result.status == "passed", result.report()
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_goenv.modules import txtar
from pytest_goenv.scripts.archive import load_script
from pytest_goenv.scripts.commands import ScriptCommand, default_commands
from pytest_goenv.scripts.conditions import ScriptCondition, default_conditions
from pytest_goenv.scripts.environment import extract_files, script_environment
from pytest_goenv.scripts.errors import CommandFailed
from pytest_goenv.scripts.facts import ToolchainFacts, toolchain_facts
from pytest_goenv.scripts.runner import ScriptEngine, ScriptResult
from pytest_goenv.scripts.state import Dialect, ScriptState
from pytest_goenv.scripts.update import apply_updates

if TYPE_CHECKING:
    from pytest_goenv.sandbox.goenv import GoEnv

__all__ = ["ScriptOptions", "run_script"]


@dataclass(frozen=True)
class ScriptOptions:
    """How to run a script: dialect, ``[short]``, services, extra commands and conditions, update mode.

    ``goproxy`` and ``gosumdb`` are the GOPROXY and GOSUMDB values the script starts with;
    ``env`` adds variables; ``timeout`` (seconds, default the sandbox's) bounds the whole script.
    """

    dialect: Dialect = "testscript"
    short: bool = False
    verbose: bool = False
    update: bool = False
    timeout: float | None = None
    goproxy: str = "off"
    gosumdb: str = "off"
    env: Mapping[str, str] = field(default_factory=dict)
    commands: Sequence[ScriptCommand] = ()
    conditions: Sequence[ScriptCondition] = ()
    facts_dir: Path | None = None


def run_script(
    goenv: GoEnv,
    source: str | bytes | os.PathLike[str] | txtar.Archive,
    *,
    options: ScriptOptions | None = None,
    name: str | None = None,
    facts: ToolchainFacts | None = None,
) -> ScriptResult:
    """Run a script in ``goenv``'s work directory with ``goenv``'s toolchain and build cache.

    ``source`` is a script file's path, its text or a parsed archive; ``name`` is what the log
    and errors call it (default: the file name, else ``script``).
    """
    options = options or ScriptOptions()
    file = name or (os.fspath(source) if isinstance(source, os.PathLike) else "script")
    try:
        archive = load_script(source, file)
    except OSError as exc:
        return ScriptResult(status="failed", file=file, log="", reason=f"cannot read the script: {exc}")
    facts = facts or toolchain_facts(goenv.toolchain, cache_dir=options.facts_dir, gocache=goenv.gocache)
    commands = default_commands(options.dialect)
    for command in options.commands:
        commands.add(command, replace=True)
    conditions = default_conditions(facts, short=options.short, verbose=options.verbose)
    for condition in options.conditions:
        conditions.add(condition, replace=True)
    work = goenv.workdir
    env, start = script_environment(
        options.dialect,
        facts=facts,
        toolchain=goenv.toolchain,
        work=work,
        gocache=goenv.gocache,
        goproxy=options.goproxy,
        gosumdb=options.gosumdb,
        extra=options.env,
    )
    timeout = options.timeout if options.timeout is not None else goenv.timeout
    state = ScriptState(work, env, deadline=time.monotonic() + timeout, dialect=options.dialect)
    state.extras.update(go=goenv.toolchain.go, timeout=timeout, update=options.update, facts=facts)
    state.chdir(str(start))
    try:
        written = extract_files(state, archive, skip_prefixes=(".gomodproxy/",))
    except (CommandFailed, OSError) as exc:
        return ScriptResult(status="failed", file=file, log="", reason=f"cannot unpack the script's files: {exc}")
    comment = archive.comment.decode("utf-8", errors="replace")
    result = ScriptEngine(commands, conditions).run(state, comment, file=file)
    if options.update and result.status == "passed" and result.compared and isinstance(source, os.PathLike):
        changed = apply_updates(Path(source), archive, written, result.compared)
        result.updated = changed
    return result
