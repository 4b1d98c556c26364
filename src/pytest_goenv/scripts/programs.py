"""Go programs of the project as script commands: built once per toolchain, called by name.

A CLI's scripts want ``mytool args`` (or ``exec mytool``) without installing it anywhere.
:func:`go_program` builds the main package in a directory with the toolchain under test (once;
the binary is kept below ``out_dir`` per toolchain, written whole so that pytest-xdist workers
building it at once do not clash) and returns a :class:`ScriptCommand` that runs it, in the
background too.

Example, in a conftest::

    def pytest_goenv_script_commands(config, toolchain):
        out = config.cache.mkdir("goenv-programs")
        return [go_program("mytool", Path(__file__).parent / "cmd" / "mytool", toolchain, out)]
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pytest_goenv.base.process import run_process
from pytest_goenv.scripts.cmds_process import start_program
from pytest_goenv.scripts.commands import ScriptCommand
from pytest_goenv.scripts.errors import ScriptError
from pytest_goenv.scripts.state import Pending, ScriptState
from pytest_goenv.toolchains.facts import probe_environment
from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = ["build_program", "go_program"]

_BUILD_TIMEOUT = 600.0


def build_program(
    name: str, package: Path, toolchain: GoToolchain, out_dir: Path, *, gocache: Path | None = None
) -> Path:
    """Build the main package in ``package`` with ``toolchain`` into ``out_dir/<toolchain>/name``; return it.

    ``gocache`` is the build cache to use (default: one kept in ``out_dir`` per toolchain).
    """
    target = out_dir / toolchain.name / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with probe_environment() as env, tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        env = {"PATH": f"{toolchain.bindir}{os.pathsep}{os.environ.get('PATH', os.defpath)}", **env}
        env["GOCACHE"] = str(gocache or out_dir / "gocache" / toolchain.name)
        built = Path(scratch) / name
        outcome = run_process(
            [str(toolchain.go), "build", "-o", str(built), "."], cwd=package, env=env, timeout=_BUILD_TIMEOUT
        )
        if outcome.returncode != 0 or outcome.timed_out:
            raise ScriptError(
                f"cannot build the script command {name!r} from {package} with {toolchain.name}:\n"
                f"{outcome.stderr.strip()[:3000]}"
            )
        os.replace(built, target)
    return target


def go_program(
    name: str, package: Path, toolchain: GoToolchain, out_dir: Path, *, gocache: Path | None = None
) -> ScriptCommand:
    """A script command ``name`` that runs the Go program in ``package``, built now with ``toolchain``."""
    binary = build_program(name, package, toolchain, out_dir, gocache=gocache)

    def run(state: ScriptState, args: list[str]) -> Pending:
        return start_program(state, str(binary), args, shown=name)

    return ScriptCommand(name, run, "[args...]", f"run the program built from {package}", background=True)
