"""The pytest side of toolchain matrices: ``--goenv-matrix``, ``--goenv-list`` and their reports.

Resolution (and any provisioning) happens once, in the main process, before collection;
pytest-xdist workers receive the resolved toolchains instead of resolving again.  Tests
that use a Go fixture are parametrized over the toolchains (``test_x[go1.26.6]``); each
report carries the toolchain as a user property, which JUnit XML writes out and which
reaches the main process under xdist for the per-toolchain summary.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_goenv.plugin.state import item_toolchain, state_of, uses_go

if TYPE_CHECKING:
    from pytest_goenv.toolchains.selectors import MatrixResolver
    from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = ["MatrixRun", "hook_toolchains", "matrix_key"]

TOOLCHAIN_PROPERTY = "go_toolchain"
VERSION_PROPERTY = "go_version"
_WORKERINPUT_KEY = "goenv_matrix"


class MatrixRun:
    """The resolved matrix of one pytest process and the outcomes seen so far.

    :param toolchains: the toolchains under test, in matrix order.
    :param ids: the test-id part of each (``go1.26.6``), in the same order.
    """

    def __init__(self, toolchains: list[GoToolchain], ids: list[str]) -> None:
        from pytest_goenv.toolchains.changes import MatrixOutcomes

        self.toolchains = toolchains
        self.ids = ids
        self.outcomes = MatrixOutcomes()

    def id_of(self, toolchain: GoToolchain) -> str:
        """The test-id part of ``toolchain``."""
        for candidate, toolchain_id in zip(self.toolchains, self.ids, strict=True):
            if candidate.goroot == toolchain.goroot:
                return toolchain_id
        return toolchain.name


matrix_key = pytest.StashKey[MatrixRun]()


# --------------------------------------------------------------------------- resolving


def _resolver(config: pytest.Config, progress: bool) -> MatrixResolver:
    from pytest_goenv.toolchains.progress import ProgressDisplay
    from pytest_goenv.toolchains.selectors import MatrixResolver
    from pytest_goenv.toolchains.toolchain import ToolchainError

    settings = state_of(config).settings
    try:
        extra = hook_toolchains(config)
    except ToolchainError as exc:
        raise pytest.UsageError(f"pytest_goenv_toolchains: {exc}") from None
    reporter: pytest.TerminalReporter | None = config.pluginmanager.get_plugin("terminalreporter")
    display = None
    if progress and reporter is not None:
        display = ProgressDisplay(lambda text: reporter.write(text, flush=True), redraw=bool(reporter.isatty))
    return MatrixResolver(
        offline=settings.offline,
        cache_root=settings.cache_root,
        extra_dirs=list(settings.toolchain_dirs),
        extra_toolchains=extra,
        facts=state_of(config).facts(),
        progress=display,
        download=not config.option.collectonly,  # collecting names the toolchains, it never downloads them
    )


def hook_toolchains(config: pytest.Config) -> list[GoToolchain]:
    """The toolchains ``pytest_goenv_toolchains`` implementations add (a path becomes a toolchain, source ``hook``).

    Raises :class:`~pytest_goenv.toolchains.toolchain.ToolchainError` for a path that is no toolchain.
    """
    from pytest_goenv.toolchains.toolchain import GoToolchain

    toolchains = []
    for answer in config.hook.pytest_goenv_toolchains(config=config):
        for entry in answer or ():
            if isinstance(entry, GoToolchain):
                toolchains.append(entry)
            else:
                toolchains.append(GoToolchain.from_path(entry, source="hook", facts=state_of(config).facts()))
    return toolchains


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    settings = state_of(config).settings
    texts = list(settings.matrix)
    if not texts or settings.list_toolchains:
        return
    if settings.go_origin == "--go":
        if settings.matrix_origin == "option":
            raise pytest.UsageError(
                "--go and --goenv-matrix both choose toolchains; drop --go, or name that toolchain in the "
                "matrix (--goenv-matrix=PATH,...)"
            )
        return  # --go on the command line overrides the ini file's goenv_matrix
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is not None and _WORKERINPUT_KEY in workerinput:
        toolchains = [_toolchain_from_dict(data) for data in workerinput[_WORKERINPUT_KEY]]
    else:
        from pytest_goenv.toolchains.selectors import MatrixError, parse_matrix

        where = _matrix_origin(config)
        resolver = _resolver(config, progress=True)
        try:
            specs = parse_matrix(texts, base_dir=config.invocation_params.dir)
            toolchains = resolver.resolve(specs)
        except MatrixError as exc:
            _show_pip_output(config, resolver.pip_output or exc.output)
            raise pytest.UsageError(f"{where}={','.join(texts)}: {exc}") from None
        finally:
            close = getattr(resolver.progress, "close", None)  # end a progress line left open
            if close is not None:
                close()
        for problem in resolver.unusable:
            config.issue_config_time_warning(
                pytest.PytestConfigWarning(f"goenv: left out of the matrix, it does not run: {problem}"), stacklevel=2
            )
        if resolver.notes:
            _show_pip_output(config, resolver.pip_output)
        hint = "" if config.option.verbose > 0 or not resolver.pip_output else " (-v shows pip's output)"
        for note in resolver.notes:
            config.issue_config_time_warning(pytest.PytestConfigWarning(f"goenv: {where}: {note}{hint}"), stacklevel=2)
    from pytest_goenv.toolchains.selectors import matrix_ids

    run = MatrixRun(toolchains, matrix_ids(toolchains))
    config.stash[matrix_key] = run
    state_of(config).toolchains = toolchains
    if workerinput is None:
        config.pluginmanager.register(MatrixReporter(run), "goenv-matrix-reporter")


def _matrix_origin(config: pytest.Config) -> str:
    """Where the matrix was given, for messages: the option, or the ini key and its file."""
    if state_of(config).settings.matrix_origin == "option":
        return "--goenv-matrix"
    return f"goenv_matrix in {config.inipath}" if config.inipath else "goenv_matrix"


def _show_pip_output(config: pytest.Config, output: str) -> None:
    """Under -v, pip's whole output behind a failed PyPI query (the warning keeps only its reason)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if output and reporter is not None and config.option.verbose > 0:
        reporter.write_line("goenv: pip's output:")
        for line in output.splitlines():
            reporter.write_line(f"    {line}")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Hand the main process's resolved toolchains to each pytest-xdist worker."""
    run = node.config.stash.get(matrix_key, None)
    if run is not None:
        node.workerinput[_WORKERINPUT_KEY] = [_toolchain_to_dict(toolchain) for toolchain in run.toolchains]


def _toolchain_to_dict(toolchain: GoToolchain) -> dict[str, Any]:
    """A GoToolchain as plain values that execnet can send (paths and versions as strings)."""
    from pytest_goenv.toolchains.version import GoVersion

    data = {}
    for item in dataclasses.fields(toolchain):
        value = getattr(toolchain, item.name)
        data[item.name] = str(value) if isinstance(value, (Path, GoVersion)) else value
    return data


def _toolchain_from_dict(data: dict[str, Any]) -> GoToolchain:
    from pytest_goenv.toolchains.toolchain import GoToolchain
    from pytest_goenv.toolchains.version import GoVersion

    values = dict(data)
    values.update(go=Path(data["go"]), goroot=Path(data["goroot"]), version=GoVersion.parse(data["version"]))
    return GoToolchain(**values)


# --------------------------------------------------------------------------- --goenv-list


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if not state_of(config).settings.list_toolchains:
        return None
    from pytest_goenv.toolchains.listing import listing_lines

    for line in listing_lines(_resolver(config, progress=False)):
        sys.stdout.write(line + "\n")
    return 0


# --------------------------------------------------------------------------- collection


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    run = metafunc.config.stash.get(matrix_key, None)
    if run is None or "go_toolchain" not in metafunc.fixturenames:
        return
    if _parametrizes_toolchain_itself(metafunc):
        return
    metafunc.parametrize("go_toolchain", run.toolchains, indirect=True, ids=run.ids)


def _parametrizes_toolchain_itself(metafunc: pytest.Metafunc) -> bool:
    """True if the test chooses its toolchains with its own ``parametrize("go_toolchain", ...)``."""
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", ())
        if isinstance(names, str):
            names = [name.strip() for name in names.split(",")]
        if "go_toolchain" in names:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Name the toolchain of every Go test in its report (JUnit XML properties), matrix or not."""
    run = config.stash.get(matrix_key, None)
    group_by_toolchain = run is not None and _loadgroup(config)
    for item in items:
        if not uses_go(item):
            continue
        in_matrix = run is not None and "go_toolchain" in getattr(getattr(item, "callspec", None), "params", {})
        if run is not None and not in_matrix:
            continue  # under a matrix, a test that picks its toolchains itself names them itself
        toolchain = item_toolchain(item)
        if toolchain is None:
            continue
        toolchain_id = run.id_of(toolchain) if run is not None else toolchain.name
        item.user_properties.append((TOOLCHAIN_PROPERTY, toolchain_id))
        item.user_properties.append((VERSION_PROPERTY, str(toolchain.version)))
        if group_by_toolchain and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(toolchain_id))


def _loadgroup(config: pytest.Config) -> bool:
    """True under ``--dist loadgroup``: each toolchain's tests then go to one worker."""
    if not config.pluginmanager.has_plugin("xdist"):
        return False  # without xdist the xdist_group marker is not even registered
    # Workers see --dist=loadgroup as option.loadgroup (xdist rewrites their dist to "no").
    return bool(getattr(config.option, "loadgroup", False)) or getattr(config.option, "dist", "no") == "loadgroup"


# --------------------------------------------------------------------------- reporting


class MatrixReporter:
    """Collects outcomes per toolchain in the main process and prints the matrix summary."""

    def __init__(self, run: MatrixRun) -> None:
        from pytest_goenv.toolchains.changes import strip_toolchain_id

        self._strip = strip_toolchain_id
        self.run = run
        for toolchain, toolchain_id in zip(run.toolchains, run.ids, strict=True):
            run.outcomes.add_toolchain(toolchain_id, toolchain.version)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        toolchain_id = dict(report.user_properties).get(TOOLCHAIN_PROPERTY)
        outcome = _outcome(report)
        if toolchain_id is None or outcome is None:
            return
        nodeid = report.nodeid.rsplit("@", 1)[0] if "]@" in report.nodeid else report.nodeid  # xdist group
        self.run.outcomes.record(self._strip(nodeid, str(toolchain_id)), str(toolchain_id), outcome)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        from pytest_goenv.toolchains.summary import summary_blocks

        run = self.run
        if terminalreporter.config.option.collectonly:
            return
        where = {tid: f"{t.source}: {t.goroot}" for tid, t in zip(run.ids, run.toolchains, strict=True)}
        for block in summary_blocks(run.outcomes, where):
            terminalreporter.write_sep("=" if block.major else "-", block.title)
            for line in block.lines:
                terminalreporter.write_line(line)


def _outcome(report: pytest.TestReport) -> str | None:
    if report.when == "call":
        if hasattr(report, "wasxfail"):
            return "xfailed" if report.skipped else "xpassed"
        return report.outcome
    if report.failed:
        return "error"
    if report.skipped:
        return "xfailed" if hasattr(report, "wasxfail") else "skipped"
    return None
