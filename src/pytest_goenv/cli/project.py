"""The project's pytest-goenv settings, as ``pytest`` run from the same directory would read them.

``pytest-goenv`` reads ``goenv_cache_dir``, ``goenv_toolchain_dirs`` and ``goenv_offline`` from the
config file pytest finds (pytest.ini, pyproject.toml, tox.ini, setup.cfg), by letting pytest parse its
command line and config and stopping before anything is collected, so a CI step provisions into the
cache the test step then uses.  The command's own options win over the file.  The toolchains the
project's conftest adds with ``pytest_goenv_toolchains`` are asked for too, so that ``list`` shows
what a matrix can choose.

Example::

    project = project_config()
    print(project.settings.cache_root, [t.name for t in project.hook_toolchains])
"""

from __future__ import annotations

import contextlib
import io
from typing import NamedTuple

import pytest

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.plugin.matrix import hook_toolchains
from pytest_goenv.plugin.settings import Settings, settings_of
from pytest_goenv.toolchains.toolchain import GoToolchain, ToolchainError

__all__ = ["Project", "ProjectConfigError", "project_config"]


class ProjectConfigError(GoenvError, ValueError):
    """pytest refused the project's configuration; the message is pytest's."""


class Project(NamedTuple):
    """What the pytest project around the current directory says about Go toolchains.

    :param settings: the plugin's settings, as pytest reads them there.
    :param hook_toolchains: the toolchains its conftest adds through ``pytest_goenv_toolchains``.
    """

    settings: Settings
    hook_toolchains: list[GoToolchain]


class _Capture:
    """A plugin that reads the settings once pytest has parsed its configuration, then ends the run."""

    def __init__(self) -> None:
        self.project: Project | None = None
        self.problem: str | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_cmdline_main(self, config: pytest.Config) -> int:
        try:
            self.project = Project(settings_of(config), hook_toolchains(config))
        except ToolchainError as exc:
            self.problem = f"pytest_goenv_toolchains: {exc}"
        return 0


def project_config() -> Project:
    """The settings and hook toolchains of the pytest project around the current directory.

    Raises :class:`ProjectConfigError` with pytest's message if pytest refuses the configuration,
    or if a ``pytest_goenv_toolchains`` implementation names something that is not a toolchain.
    """
    capture = _Capture()
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        status = pytest.main(["-p", "no:cacheprovider"], plugins=[capture])
    if capture.problem is not None:
        raise ProjectConfigError(capture.problem)
    if capture.project is None:
        raise ProjectConfigError(
            f"pytest could not read this project's configuration (exit status {int(status)}): "
            f"{errors.getvalue().strip() or 'no message'}"
        )
    return capture.project
