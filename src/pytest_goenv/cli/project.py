"""The project's pytest-goenv settings, as ``pytest`` run from the same directory would read them.

``pytest-goenv`` reads ``goenv_cache_dir``, ``goenv_toolchain_dirs`` and ``goenv_offline`` from the
config file pytest finds (pytest.ini, pyproject.toml, tox.ini, setup.cfg), by letting pytest parse its
command line and config and stopping before anything is collected, so a CI step provisions into the
cache the test step then uses.  The command's own options win over the file.

Example::

    settings = project_settings()
    print(settings.cache_root)
"""

from __future__ import annotations

import contextlib
import io

import pytest

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.plugin.settings import Settings, settings_of

__all__ = ["ProjectConfigError", "project_settings"]


class ProjectConfigError(GoenvError, ValueError):
    """pytest refused the project's configuration; the message is pytest's."""


class _Capture:
    """A plugin that reads the settings once pytest has parsed its configuration, then ends the run."""

    def __init__(self) -> None:
        self.settings: Settings | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_cmdline_main(self, config: pytest.Config) -> int:
        self.settings = settings_of(config)
        return 0


def project_settings() -> Settings:
    """The settings of the pytest project around the current directory (defaults when there is none)."""
    capture = _Capture()
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        status = pytest.main(["-p", "no:cacheprovider"], plugins=[capture])
    if capture.settings is None:
        raise ProjectConfigError(
            f"pytest could not read this project's configuration (exit status {int(status)}): "
            f"{errors.getvalue().strip() or 'no message'}"
        )
    return capture.settings
