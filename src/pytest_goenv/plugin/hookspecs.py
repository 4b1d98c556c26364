"""Hooks that pytest-goenv calls, so conftests and other plugins can take part."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    import pytest

    from pytest_goenv.sandbox.goenv import GoEnv
    from pytest_goenv.scripts.commands import ScriptCommand
    from pytest_goenv.scripts.conditions import ScriptCondition
    from pytest_goenv.toolchains.toolchain import GoToolchain

hookspec = pluggy.HookspecMarker("pytest")


@hookspec
def pytest_goenv_setup_sandbox(sandbox: GoEnv, request: pytest.FixtureRequest) -> None:
    """Adjust a new sandbox before the test uses it (``sandbox.setenv(...)``, files, ...).

    Called for every new sandbox (``goenv`` and ``goenv_factory``), after its cache and time limit
    are set and before the test's own ``goenv(env=...)`` marker is applied, so the marker wins.
    """


@hookspec
def pytest_goenv_toolchains(config: pytest.Config) -> Sequence[GoToolchain | str | os.PathLike[str]] | None:
    """Add toolchains of your own: return :class:`GoToolchain` objects or paths (go binaries or GOROOTs).

    They count as installed: ``--goenv-matrix=installed`` includes them, version selectors
    can choose them, and ``--goenv-list`` shows them.  Called once, before collection.
    """


@hookspec
def pytest_goenv_script_commands(config: pytest.Config, toolchain: GoToolchain) -> Sequence[ScriptCommand] | None:
    """Add commands to script tests: return :class:`~pytest_goenv.scripts.commands.ScriptCommand` objects.

    Called once per toolchain and pytest process; a command named like a built-in one replaces it.
    ``pytest_goenv.scripts.programs.go_program`` makes one that runs a Go program of the project,
    built once per toolchain.
    """


@hookspec
def pytest_goenv_script_conditions(config: pytest.Config, toolchain: GoToolchain) -> Sequence[ScriptCondition] | None:
    """Add ``[conditions]`` to script tests: return :class:`~pytest_goenv.scripts.conditions.ScriptCondition` objects.

    Called once per toolchain and pytest process; a condition named like a built-in one replaces it.
    """
