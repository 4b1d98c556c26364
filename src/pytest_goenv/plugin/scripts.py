"""Script tests as pytest items: ``--goenv-scripts=DIR`` (ini ``goenv_scripts``), the word ``cmd/go``.

Every ``*.txt``/``*.txtar`` file of a configured directory is one item per toolchain, named by its
stem (``env_write``, under a matrix ``env_write[go1.26.6]``), so ``-k``, ``--lf``, ``-x``, ``-n``
and JUnit XML work as for any test.  ``cmd/go`` stands for each toolchain's own
``GOROOT/src/cmd/go/testdata/script``, run in cmd/go's dialect against that toolchain's proxy
archives; other directories use ``goenv_script_dialect`` (default ``testscript``) and the
``../mod`` directory beside them, if any, as their module proxy.  ``--goenv-short`` makes
``[short]`` true; ``--goenv-update-scripts`` rewrites the files ``cmp`` compared.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_goenv.plugin.matrix import TOOLCHAIN_PROPERTY, VERSION_PROPERTY, matrix_key
from pytest_goenv.plugin.state import KEPT_PROPERTY, sandbox_key, state_of

if TYPE_CHECKING:  # the engine is imported when a script runs, not at start-up
    from pytest_goenv.plugin.settings import Settings
    from pytest_goenv.scripts.commands import ScriptCommand
    from pytest_goenv.scripts.conditions import ScriptCondition
    from pytest_goenv.scripts.runner import ScriptResult
    from pytest_goenv.scripts.services import ScriptServices
    from pytest_goenv.scripts.state import Dialect
    from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = ["CMDGO", "ScriptItem", "ScriptRun", "scripts_key"]

CMDGO = "cmd/go"
SUFFIXES = (".txt", ".txtar")
UPDATED_PROPERTY = "goenv_script_updated"


@dataclass
class ScriptRun:
    """The configured script directories and what their items share in one pytest process."""

    cmdgo: bool
    directories: list[Path]
    dialect: Dialect
    short: bool
    update: bool
    names: frozenset[str] | None = None
    collected: set[Path] = field(default_factory=set)
    services: dict[tuple[str, str], ScriptServices] = field(default_factory=dict)
    extensions: dict[Path, tuple[list[ScriptCommand], list[ScriptCondition]]] = field(default_factory=dict)
    updated: list[str] = field(default_factory=list)

    def owns(self, path: Path) -> bool:
        """Whether ``path`` is a script file of a configured directory."""
        return path.suffix in SUFFIXES and path.parent in self.directories and self.listed(path)

    def listed(self, path: Path) -> bool:
        """Whether ``--goenv-script-list`` lets the script ``path`` run."""
        return self.names is None or path.stem in self.names

    def close(self) -> None:
        """Stop every proxy and checksum database started for scripts."""
        for services in self.services.values():
            services.close()
        self.services.clear()


scripts_key = pytest.StashKey[ScriptRun]()


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    settings = state_of(config).settings
    directories: list[Path] = []
    cmdgo = False
    for word, base in settings.scripts:
        if word == CMDGO:
            cmdgo = True
            continue
        directory = (base / Path(word).expanduser()).resolve()
        if not directory.is_dir():
            raise pytest.UsageError(
                f"--goenv-scripts / goenv_scripts: {word!r} is not a directory ({directory}); name a directory "
                f"of *.txt/*.txtar scripts, or {CMDGO!r} for each toolchain's own cmd/go scripts"
            )
        if directory not in directories:
            directories.append(directory)
    config.stash[scripts_key] = ScriptRun(
        cmdgo=cmdgo,
        directories=directories,
        dialect=settings.script_dialect,
        short=settings.script_short,
        update=settings.update_scripts,
        names=_listed_names(settings),
    )


def _listed_names(settings: Settings) -> frozenset[str] | None:
    """The script names ``--goenv-script-list`` (ini ``goenv_script_list``) allows; None: all of them."""
    path, given = settings.script_list, settings.script_list_text
    if path is None:
        return None
    try:
        text = path.read_text()
    except OSError as exc:
        raise pytest.UsageError(
            f"--goenv-script-list={given}: cannot read {path} ({exc.strerror or exc}); name a file listing "
            "script names, one per line"
        ) from None
    return frozenset(filter(None, (line.split("#", 1)[0].strip() for line in text.splitlines())))


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(scripts_key, None)
    if run is not None:
        run.close()


def _toolchains(config: pytest.Config) -> list[tuple[GoToolchain | None, str | None]]:
    """``(toolchain, id in the test name)`` for each toolchain scripts run on (None: no Go found)."""
    matrix = config.stash.get(matrix_key, None)
    if matrix is not None:
        return list(zip(matrix.toolchains, matrix.ids, strict=True))
    found = state_of(config).toolchains_under_test()
    return [(found[0], None)] if found else [(None, None)]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    run = parent.config.stash.get(scripts_key, None)
    if run is None or not run.owns(file_path):
        return None
    run.collected.add(file_path.parent)
    return ScriptFile.from_parent(parent, path=file_path)


class ScriptFile(pytest.File):
    """A script file of a configured directory: one item per toolchain."""

    def collect(self) -> Iterator[ScriptItem]:
        run = self.config.stash[scripts_key]
        for toolchain, toolchain_id in _toolchains(self.config):
            yield ScriptItem.from_parent(
                self,
                name=self.path.stem + (f"[{toolchain_id}]" if toolchain_id else ""),
                script=self.path,
                toolchain=toolchain,
                toolchain_id=toolchain_id,
                dialect=run.dialect,
            )


class ScriptSuite(pytest.Collector):
    """The scripts of a directory pytest does not walk itself (each toolchain's cmd/go suite, say)."""

    def __init__(self, *, directory: Path | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory = directory

    def collect(self) -> Iterator[ScriptItem]:
        run = self.config.stash[scripts_key]
        for toolchain, toolchain_id in _toolchains(self.config):
            directory: Path
            if self.directory is None:
                if toolchain is None:
                    raise self.CollectError(f"{CMDGO}: no Go toolchain to take the scripts from")
                directory = toolchain.goroot / "src" / "cmd" / "go" / "testdata" / "script"
                dialect: Dialect = "cmdgo"
            else:
                directory, dialect = self.directory, run.dialect
            scripts = sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file() and run.listed(p))
            for script in scripts:
                yield ScriptItem.from_parent(
                    self,
                    name=script.stem + (f"[{toolchain_id}]" if toolchain_id else ""),
                    script=script,
                    toolchain=toolchain,
                    toolchain_id=toolchain_id,
                    dialect=dialect,
                    suite=self.directory is None,
                )


def _covered(directory: Path, args: list[str], invocation: Path) -> bool:
    """Whether a command-line path lies inside ``directory`` (the user chose some of its scripts)."""
    for arg in args:
        path = (invocation / arg.split("::", 1)[0]).resolve()
        if path != directory and directory in path.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash.get(scripts_key, None)
    if run is None:
        return
    suites: list[tuple[str, Path | None]] = [(CMDGO, None)] if run.cmdgo else []
    for directory in run.directories:
        if directory not in run.collected and not _covered(directory, config.args, config.invocation_params.dir):
            try:
                label = str(directory.relative_to(config.rootpath))
            except ValueError:
                label = str(directory)
            suites.append((label, directory))
    for label, suite_dir in suites:
        suite = ScriptSuite.from_parent(session, name=label, nodeid=label, directory=suite_dir)
        try:
            items.extend(suite.collect())
        except pytest.Collector.CollectError as exc:
            config.hook.pytest_collectreport(report=pytest.CollectReport(label, "failed", str(exc), []))


class ScriptFailure(Exception):
    """A script's failure, carried to the report (its text is the script's log and verdict)."""

    def __init__(self, result: ScriptResult) -> None:
        super().__init__(result.reason)
        self.result = result


class ScriptItem(pytest.Item):
    """One script on one toolchain."""

    def __init__(
        self,
        *,
        script: Path,
        toolchain: GoToolchain | None,
        toolchain_id: str | None,
        dialect: Dialect,
        suite: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.script = script
        self.toolchain = toolchain
        self.dialect = dialect
        self.suite = suite
        if toolchain is not None and toolchain_id is not None:
            self.user_properties.append((TOOLCHAIN_PROPERTY, toolchain_id))
            self.user_properties.append((VERSION_PROPERTY, str(toolchain.version)))

    def _display_name(self) -> str:
        if self.suite and self.toolchain is not None:
            return f"{CMDGO}/testdata/script/{self.script.name}"
        try:
            return str(self.script.relative_to(self.config.rootpath))
        except ValueError:
            return str(self.script)

    def _services(self, run: ScriptRun, toolchain: GoToolchain) -> ScriptServices | None:
        from pytest_goenv.scripts.services import cmdgo_services, directory_services

        if self.suite:
            key = ("cmdgo", str(toolchain.goroot))
        else:
            mod_dir = self.script.parent.parent / "mod"
            if not mod_dir.is_dir():
                return None
            key = ("dir", str(mod_dir))
        if key not in run.services:
            scratch = self.config._tmp_path_factory.mktemp("goenv-script-services-")  # type: ignore[attr-defined]
            if key[0] == "cmdgo":
                run.services[key] = cmdgo_services(toolchain.goroot, scratch)
            else:
                run.services[key] = directory_services(Path(key[1]), scratch)
        return run.services[key]

    def _extensions(self, run: ScriptRun, toolchain: GoToolchain) -> tuple[list[ScriptCommand], list[ScriptCondition]]:
        if toolchain.goroot not in run.extensions:
            hook = self.config.hook
            commands = [c for group in hook.pytest_goenv_script_commands(config=self.config, toolchain=toolchain)
                        for c in group or []]  # fmt: skip
            conditions = [c for group in hook.pytest_goenv_script_conditions(config=self.config, toolchain=toolchain)
                          for c in group or []]  # fmt: skip
            run.extensions[toolchain.goroot] = (commands, conditions)
        return run.extensions[toolchain.goroot]

    def runtest(self) -> None:
        from pytest_goenv.sandbox.goenv import GoEnv
        from pytest_goenv.scripts.archive import load_script
        from pytest_goenv.scripts.cmds_files import remove_all
        from pytest_goenv.scripts.script import ScriptOptions, run_script
        from pytest_goenv.scripts.services import archive_services
        from pytest_goenv.toolchains.cachedir import build_cache_dir

        state = state_of(self.config)
        run = self.config.stash[scripts_key]
        toolchain = self.toolchain or state.single_toolchain()
        root = self.config._tmp_path_factory.mktemp(f"goenv-script-{self.script.stem[:40]}-")  # type: ignore[attr-defined]
        sandbox = GoEnv(
            toolchain,
            root,
            gocache=build_cache_dir(state.settings.cache_root, toolchain),
            timeout=state.settings.timeout,
        )
        self.stash[sandbox_key] = sandbox.root
        services = self._services(run, toolchain)
        own: ScriptServices | None = None
        if self.dialect == "testscript":
            own = archive_services(load_script(self.script), root)
        chosen = own or services
        commands, conditions = self._extensions(run, toolchain)
        options = ScriptOptions(
            dialect=self.dialect,
            short=run.short,
            verbose=self.config.get_verbosity() > 0,
            update=run.update and not self.suite,
            timeout=state.settings.timeout,
            env=chosen.env if chosen else {},
            goproxy=chosen.goproxy if chosen else "off",
            gosumdb=chosen.gosumdb if chosen else "off",
            commands=commands,
            conditions=conditions,
            facts_dir=state.settings.cache_root / "facts",
        )
        try:
            result = run_script(sandbox, self.script, options=options, name=self._display_name())
        finally:
            if own is not None:
                own.close()
        if result.updated:
            self.user_properties.append((UPDATED_PROPERTY, f"{self._display_name()}: {', '.join(result.updated)}"))
        passed = result.status != "failed"
        if state.settings.keep:
            sandbox.make_removable()
            self.user_properties.append((KEPT_PROPERTY, str(sandbox.root)))
        elif passed:
            remove_all(sandbox.root)  # the script's own module cache is read-only
            del self.stash[sandbox_key]
        else:
            sandbox.make_removable()
        if result.status == "skipped":
            pytest.skip(f"{result.file}:{result.lineno}: {result.reason}")
        if result.status == "failed":
            raise ScriptFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from pytest_goenv.scripts.errors import ScriptError, ScriptFailed

        if isinstance(excinfo.value, ScriptFailure):
            result = excinfo.value.result
            return f"{result.file}:{result.lineno}: {result.reason}\n\n{result.report()}"
        if isinstance(excinfo.value, ScriptError | ScriptFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        return self.script, 0, f"script {self.name}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    updated: list[str] = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", []):
                if name == UPDATED_PROPERTY and str(value) not in updated:
                    updated.append(str(value))
    if updated:
        terminalreporter.write_sep("-", "goenv scripts updated (--goenv-update-scripts)")
        for line in updated:
            terminalreporter.write_line(line)
