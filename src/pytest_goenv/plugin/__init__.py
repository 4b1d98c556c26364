"""The pytest plugin ``goenv`` (``-p no:goenv`` turns it off): it only wires the parts below.

Each part is a module of this package that owns its hooks (and fixtures), and each is
registered the same way, through :data:`pytest_plugins`:

======================  ================================================================
``settings``            every option and ini key, read once into :class:`~.settings.Settings`
``startup``             the explicit toolchain, the toolchain facts cache, ``--goenv-clear-cache``, the header
``markers``             ``go_version``, ``cgo`` and ``goenv``: checked at collection, applied at set-up
``fixtures``            ``go_toolchain``, ``goenv``, ``goenv_factory``, ``go_workspace``, ``go_proxy``, ``go_sumdb``
``keep``                sandboxes kept for inspection: report sections, JUnit properties, the summary list
``failures``            the short summary line of a failure raised here: its message first
``matrix``              ``--goenv-matrix`` and ``--goenv-list``: parametrization and the per-toolchain summary
``claims``              claim verdicts from test reports, ``--goenv-report`` and the claims summary
``scripts``             script tests (``--goenv-scripts``): txtar scripts collected as test items
======================  ================================================================

``signals`` (SIGTERM and SIGHUP end a run as Ctrl-C does) is a helper of ``startup``, not a part.

The experiment side of the behaviour suite (:mod:`pytest_goenv.plugin.behaviour`: the ``claim``
fixtures and their checks) is not loaded here: the shipped suite's conftest registers it, and a
project with experiments of its own names it in ``pytest_plugins``.  The core modules are
imported by the parts on first use, so a run that uses no Go fixture pays for little more
than the option and marker declarations.
"""

from __future__ import annotations

import pytest

pytest_plugins = [
    "pytest_goenv.plugin.settings",
    "pytest_goenv.plugin.startup",
    "pytest_goenv.plugin.markers",
    "pytest_goenv.plugin.fixtures",
    "pytest_goenv.plugin.keep",
    "pytest_goenv.plugin.failures",
    "pytest_goenv.plugin.matrix",
    "pytest_goenv.plugin.claims",
    "pytest_goenv.plugin.scripts",
]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_goenv.plugin import hookspecs

    pluginmanager.add_hookspecs(hookspecs)
