"""The plugin's fixtures: the toolchain under test, sandboxes, a module proxy and a checksum database.

Each fixture hands out an object of the core (``GoToolchain``, ``GoEnv``, ``GoProxy``,
``ChecksumDatabase``, ``GoWorkspace``) set up from the plugin's settings, and removes what it
made afterwards.  The core modules are imported when a fixture is first set up, not before.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_goenv.plugin.markers import CACHE_MODES, CacheMode, SandboxOptions, sandbox_options
from pytest_goenv.plugin.state import KEPT_PROPERTY, outcome_key, sandbox_key, state_of

if TYPE_CHECKING:
    from pytest_goenv.modules.proxy import GoProxy
    from pytest_goenv.modules.sumdb import ChecksumDatabase, SignerKey
    from pytest_goenv.sandbox.goenv import GoEnv
    from pytest_goenv.sandbox.workspace import GoWorkspace
    from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = ["GoEnvFactory"]


@pytest.fixture(scope="session")
def go_toolchain(request: pytest.FixtureRequest) -> GoToolchain:
    """The Go toolchain under test (each in turn under ``--goenv-matrix``).

    Session-scoped, so module- and session-scoped fixtures can depend on it (build once per
    toolchain); ``go_version`` and ``cgo`` markers are applied per test before set-up.

    Example::

        def test_version(go_toolchain):
            assert go_toolchain.version >= "1.21"
    """
    from pytest_goenv.plugin.startup import remove_leftovers_once

    remove_leftovers_once(state_of(request.config))
    toolchain: GoToolchain | None = getattr(request, "param", None)
    return toolchain if toolchain is not None else state_of(request.config).single_toolchain()


@pytest.fixture
def goenv(
    request: pytest.FixtureRequest, go_toolchain: GoToolchain, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GoEnv]:
    """A fresh Go sandbox for this test: private GOPATH, module cache, GOENV file, HOME and temp dirs.

    Removed after a passing test, kept (and named in the report) after a failing one, and kept
    always under ``--goenv-keep``.  Options come from ``@pytest.mark.goenv(env=..., cache=..., timeout=...)``.

    Example::

        def test_env(goenv):
            assert goenv.go_env("GOPROXY") == {"GOPROXY": "off"}
    """
    state = state_of(request.config)
    sandbox = _new_sandbox(request, tmp_path_factory, go_toolchain, sandbox_options(request.node))
    request.node.stash[sandbox_key] = sandbox.root  # named in the report if the test fails
    yield sandbox
    try:
        if not state.settings.keep and request.node.stash.get(outcome_key, True):
            sandbox.cleanup()
            return
        sandbox.make_removable()  # kept under pytest's basetemp, removable by pytest's retention
        state.kept[sandbox.root] = request.node.nodeid
        request.node.user_properties.append((KEPT_PROPERTY, str(sandbox.root)))
    finally:
        _forget(sandbox.root)


def _new_sandbox(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    toolchain: GoToolchain,
    options: SandboxOptions,
) -> GoEnv:
    from pytest_goenv.sandbox.goenv import GoEnv
    from pytest_goenv.toolchains.cachedir import build_cache_dir

    settings = state_of(request.config).settings
    root = tmp_path_factory.mktemp(f"goenv-{toolchain.name}-")
    _watch(root.resolve())  # removed by the watchdog should this process be killed
    shared_cache = build_cache_dir(settings.cache_root, toolchain) if options.cache == "shared" else None
    sandbox = GoEnv(toolchain, root, gocache=shared_cache, timeout=options.timeout or settings.timeout)
    for passed, host_value in passed_env(settings.pass_env).items():  # goenv_pass_env: the host's values
        sandbox.setenv(passed, host_value)
    request.config.hook.pytest_goenv_setup_sandbox(sandbox=sandbox, request=request)
    for name, value in options.env.items():  # the test's own marker wins over a conftest's hook
        if value is None:
            sandbox.delenv(name)
        else:
            sandbox.setenv(name, value)
    return sandbox


def passed_env(patterns: tuple[str, ...], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The host variables ``goenv_pass_env`` lets into sandboxes: names or globs (``CGO_*``), in name order."""
    host = os.environ if environ is None else environ
    return {name: host[name] for name in sorted(host) if any(fnmatch.fnmatchcase(name, p) for p in patterns)}


def _watch(root: Path) -> None:
    from pytest_goenv.base import guardian

    guardian.watch_dir(root)


def _forget(root: Path) -> None:
    from pytest_goenv.base import guardian

    guardian.forget_dir(root)


class GoEnvFactory:
    """Makes sandboxes that outlive one test, for module- and session-scoped fixtures.

    ``make(go_toolchain)`` in a module-scoped fixture builds something once per toolchain;
    the sandboxes are removed at the end of the session (kept with ``--goenv-keep``).

    Example::

        @pytest.fixture(scope="module")
        def tool(go_toolchain, goenv_factory):
            sandbox = goenv_factory.make(go_toolchain)
            module = sandbox.write_module("example.com/tool", {"main.go": TOOL})
            sandbox.run("build", "-o", "tool", ".", cwd=module)
            return module / "tool"
    """

    def __init__(self, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.request = request
        self.tmp_path_factory = tmp_path_factory
        self.made: list[GoEnv] = []
        self.made_for: dict[GoEnv, str] = {}
        """The test each sandbox was first made for, named when it is kept."""

    def make(
        self,
        toolchain: GoToolchain,
        *,
        env: Mapping[str, str | None] | None = None,
        cache: CacheMode = "shared",
        timeout: float | None = None,
    ) -> GoEnv:
        """A new sandbox for ``toolchain``, with the options of a ``goenv`` marker.

        :param toolchain: usually the ``go_toolchain`` fixture's value.
        :param env: environment overrides (``None`` unsets a variable).
        :param cache: ``"shared"`` (the toolchain's warm build cache) or ``"fresh"`` (an empty private one).
        :param timeout: time limit of one go command, in seconds (default: the run's ``--goenv-timeout``).
        """
        if cache not in CACHE_MODES:
            raise ValueError(f"cache={cache!r}; use 'shared' or 'fresh'")
        options = SandboxOptions(env=dict(env or {}), cache=cache, timeout=timeout)
        sandbox = _new_sandbox(self.request, self.tmp_path_factory, toolchain, options)
        self.made.append(sandbox)
        first_test = state_of(self.request.config).current_test
        self.made_for[sandbox] = f"goenv_factory, for {first_test}" if first_test else "goenv_factory"
        return sandbox

    def close(self) -> None:
        """Remove every sandbox made (or, with ``--goenv-keep``, make it removable and list it).

        Each is handled even if another cannot be removed; the first failure is raised at the end.
        """
        state = state_of(self.request.config)
        made, self.made = self.made, []
        failures: list[OSError] = []
        for sandbox in made:
            try:
                if state.settings.keep:
                    sandbox.make_removable()
                    state.kept[sandbox.root] = self.made_for.get(sandbox, "goenv_factory")
                else:
                    sandbox.cleanup()
            except OSError as exc:
                failures.append(exc)
            finally:
                _forget(sandbox.root)
        if failures:
            raise failures[0]


@pytest.fixture(scope="session")
def goenv_factory(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoEnvFactory]:
    """Makes sandboxes for wider-scoped fixtures: ``goenv_factory.make(go_toolchain)`` (see :class:`GoEnvFactory`)."""
    factory = GoEnvFactory(request, tmp_path_factory)
    yield factory
    factory.close()


@pytest.fixture
def go_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoProxy]:
    """A module proxy for this test: ``.url`` (file://), ``.http_url`` (loopback, stopped after the test).

    Example::

        def test_download(goenv, go_proxy):
            go_proxy.add("example.com/dep", "v1.0.0", {"dep.go": "package dep\\n"})
            goenv.use_proxy(go_proxy)
            goenv.run("mod", "download", "example.com/dep@v1.0.0")
    """
    from pytest_goenv.modules.proxy import GoProxy

    with GoProxy(tmp_path_factory.mktemp("goproxy-")) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def go_sumdb_key() -> SignerKey:
    """The checksum database's signing key, generated once per session (override to pin one)."""
    from pytest_goenv.modules.sumdb import SignerKey
    from pytest_goenv.modules.sumdb.database import DEFAULT_NAME

    return SignerKey.generate(DEFAULT_NAME)


@pytest.fixture
def go_sumdb(go_proxy: GoProxy, go_sumdb_key: SignerKey) -> Iterator[ChecksumDatabase]:
    """A checksum database of ``go_proxy``'s modules, on loopback and at ``<proxy>/sumdb/<name>/``.

    ``goenv.use_sumdb(go_sumdb)`` sets GOSUMDB to ``.gosumdb`` (``name+key url``).
    """
    from pytest_goenv.modules.sumdb import ChecksumDatabase

    database = ChecksumDatabase(go_proxy, key=go_sumdb_key)
    database.mount_on(go_proxy)
    yield database
    database.close()


@pytest.fixture
def go_workspace(goenv: GoEnv) -> GoWorkspace:
    """A multi-module workspace with a go.work file, inside this test's ``goenv`` sandbox.

    Example::

        def test_workspace(go_workspace):
            go_workspace.add_module("example.com/a", {"a.go": "package a\\n"})
            go_workspace.run("list", "-m")
    """
    from pytest_goenv.sandbox.workspace import GoWorkspace

    return GoWorkspace(goenv)
