"""The pytest plugin ``goenv`` (``-p no:goenv`` turns it off): it only wires the parts below.

Each part is a module of this package that owns its hooks (and fixtures), and each is
registered the same way: :func:`pytest_addhooks`, which pytest calls as soon as this module is
registered, registers every module :data:`PARTS` names under its full name (so
``-p no:pytest_goenv.plugin.matrix`` turns one part off); the parts of :data:`ON_DEMAND_PARTS`
are registered at configure time, only where the settings use them:

======================  ================================================================
``settings``            every option and ini key, read once into :class:`~.settings.Settings`
``startup``             the explicit toolchain, the toolchain facts cache, ``--goenv-clear-cache``, the header
``markers``             ``go_version``, ``cgo`` and ``goenv``: checked at collection, applied at set-up
``fixtures``            ``go_toolchain``, ``goenv``, ``goenv_factory``, ``go_workspace``, ``go_proxy``, ``go_sumdb``
``keep``                sandboxes kept for inspection: report sections, JUnit properties, the summary list
``failures``            the short summary line of a failure raised here: its message first
``matrix``              ``--goenv-matrix`` and ``--goenv-list``: parametrization and the per-toolchain summary
``claims``              claim verdicts from test reports, ``--goenv-report`` and the claims summary
``scripts``             script tests (``--goenv-scripts``): txtar scripts collected as test items (on demand)
======================  ================================================================

``signals`` (SIGTERM and SIGHUP end a run as Ctrl-C does) is a helper of ``startup``, not a part.

The experiment side of the behaviour suite (:mod:`pytest_goenv.plugin.behaviour`: the ``claim``
fixtures and their checks) is not loaded here: the shipped suite's conftest registers it, and a
project with experiments of its own names it in ``pytest_plugins``.  The core modules are
imported by the parts on first use, so a run that uses no Go fixture pays for little more
than the option and marker declarations.
"""

from __future__ import annotations

import importlib

import pytest

PARTS = (
    "settings",
    "startup",
    "markers",
    "fixtures",
    "keep",
    "failures",
    "matrix",
    "claims",
)
"""The parts registered in every run, in registration order.

Not a ``pytest_plugins`` list: pytest looks each entry of that up among the entry points of
every installed distribution before importing it, which costs about a millisecond per entry
in a small environment and grows with every installed package; the parts are modules of this
package, so they are imported and registered directly.
"""


ON_DEMAND_PARTS = {"scripts": "scripts"}
"""The parts registered only in a run whose settings use them: part -> the :class:`~.settings.Settings`
field that brings it in when not empty (``scripts``: script directories given)."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Add the plugin's hook specifications and register every part not blocked with ``-p no:``."""
    from pytest_goenv.plugin import hookspecs

    pluginmanager.add_hookspecs(hookspecs)
    for part in PARTS:
        register_part(pluginmanager, part)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the on-demand parts this run's settings use (their own ``pytest_configure`` runs at once)."""
    from pytest_goenv.plugin.settings import settings_of

    settings = settings_of(config)
    for part, field in ON_DEMAND_PARTS.items():
        if getattr(settings, field):
            register_part(config.pluginmanager, part)


def register_part(pluginmanager: pytest.PytestPluginManager, part: str) -> None:
    """Import the part ``pytest_goenv.plugin.<part>`` and register it, unless it is there or blocked."""
    name = f"{__name__}.{part}"
    if not pluginmanager.is_blocked(name) and pluginmanager.get_plugin(name) is None:
        pluginmanager.register(importlib.import_module(name), name)
