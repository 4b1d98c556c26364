"""Vendoring: run ``go mod vendor``, check vendor/modules.txt against go.mod, and where packages load from.

Two observations, both from the go command:

- vendor/modules.txt must agree with go.mod, or the go command refuses the vendor directory
  ("inconsistent vendoring"); :func:`vendor_problems` says precisely which line disagrees
  (the file is read by :mod:`pytest_goenv.readers.modulestxt`);
- whether a build takes a dependency from ``vendor/`` is read from where ``go list -deps``
  loaded each package (:func:`vendored_packages`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_goenv.assertions._golist import go_list, listing_report, require_packages
from pytest_goenv.assertions.outcomes import BuildAssertionError
from pytest_goenv.readers.modulestxt import ModulesTxtError, VendoredModule, parse_modules_txt, read_modules_txt
from pytest_goenv.sandbox.result import GoResult

if TYPE_CHECKING:
    from pytest_goenv.sandbox.goenv import GoEnv

__all__ = [
    "ModulesTxtError",
    "VendorError",
    "VendoredModule",
    "assert_not_vendored",
    "assert_vendored",
    "check_vendor",
    "parse_modules_txt",
    "vendor_module",
    "vendor_problems",
    "vendored_packages",
]


class VendorError(BuildAssertionError):
    """vendor/modules.txt disagrees with go.mod (a malformed file raises :class:`ModulesTxtError` instead)."""


def _module_dir(goenv: GoEnv, module_dir: str | os.PathLike[str]) -> Path:
    """``module_dir`` as an absolute path; a relative one is taken from the sandbox's work directory."""
    directory = Path(module_dir)
    return directory if directory.is_absolute() else goenv.workdir / directory


def _go_mod_json(goenv: GoEnv, module_dir: Path) -> dict[str, Any]:
    result = goenv.run("mod", "edit", "-json", cwd=module_dir)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def vendor_problems(goenv: GoEnv, module_dir: str | os.PathLike[str]) -> list[str]:
    """Each way vendor/modules.txt disagrees with the module's go.mod (requirements and replacements).

    :param goenv: the sandbox whose toolchain and environment are used.
    :param module_dir: the module's directory (relative to the sandbox's work directory, or absolute).

    Example: ``vendor_problems(goenv, "app") == []`` right after ``go mod vendor``.
    """
    directory = _module_dir(goenv, module_dir)
    txt = directory / "vendor" / "modules.txt"
    if not txt.is_file():
        return [f"{txt} does not exist; run 'go mod vendor'"]
    entries = read_modules_txt(txt)
    gomod = _go_mod_json(goenv, directory)
    problems: list[str] = []
    listed = {e.path: e for e in entries if e.version is not None}
    for req in gomod.get("Require") or []:
        path, version = req["Path"], req["Version"]
        entry = listed.get(path)
        if entry is None:
            problems.append(f"{path} {version} is required in go.mod but not listed in vendor/modules.txt")
        elif entry.version != version:
            problems.append(f"{path}: go.mod requires {version}, vendor/modules.txt lists {entry.version}")
        elif not entry.explicit:
            problems.append(f"{path} {version} is required in go.mod but not marked '## explicit'")
    required = {req["Path"] for req in gomod.get("Require") or []}
    for entry in entries:
        if entry.explicit and entry.version is not None and entry.path not in required:
            problems.append(f"{entry.path} {entry.version} is marked explicit in vendor/modules.txt but not in go.mod")
    for rep in gomod.get("Replace") or []:
        old, new = rep["Old"], rep["New"]
        matches = [e for e in entries if e.path == old["Path"] and e.replacement is not None]
        want = (new["Path"], new.get("Version"))
        if not any((e.replacement, e.replacement_version) == want for e in matches):
            target = " ".join(v for v in want if v)
            problems.append(f"go.mod replaces {old['Path']} => {target}; vendor/modules.txt does not")
    return problems


def check_vendor(goenv: GoEnv, module_dir: str | os.PathLike[str]) -> None:
    """Raise VendorError listing every way vendor/modules.txt disagrees with go.mod.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param module_dir: the module's directory (relative to the sandbox's work directory, or absolute).

    A malformed modules.txt raises :class:`ModulesTxtError` (a ``ValueError``) instead.

    Example: ``check_vendor(goenv, "app")`` fails after a ``go get`` that was not followed by ``go mod vendor``.
    """
    problems = vendor_problems(goenv, module_dir)
    if problems:
        raise VendorError("vendor/modules.txt disagrees with go.mod:\n  " + "\n  ".join(problems))


def vendor_module(goenv: GoEnv, module_dir: str | os.PathLike[str], *, check: bool = True) -> list[VendoredModule]:
    """Run ``go mod vendor`` in ``module_dir`` and return the parsed vendor/modules.txt ([] with no dependencies).

    With ``check`` a disagreement with go.mod raises VendorError (see :func:`check_vendor`).

    :param goenv: the sandbox whose toolchain and environment are used.
    :param module_dir: the module's directory (relative to the sandbox's work directory, or absolute).
    :param check: compare the new vendor/modules.txt with go.mod.

    Example: ``[entry.path for entry in vendor_module(goenv, "app")] == ["example.com/lib"]``.
    """
    directory = _module_dir(goenv, module_dir)
    goenv.run("mod", "vendor", cwd=directory)
    txt = directory / "vendor" / "modules.txt"
    if not txt.is_file() and not (_go_mod_json(goenv, directory).get("Require") or []):
        return []
    if check:
        check_vendor(goenv, directory)
    return read_modules_txt(txt)


def vendored_packages(
    goenv: GoEnv,
    *patterns: str,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> dict[str, bool]:
    """For each dependency of ``patterns`` outside the standard library and the main modules:
    True if the go command loaded it from a ``vendor/`` directory of a main module.

    Patterns that match nothing, or a package or dependency that cannot be loaded,
    raise :class:`BuildAssertionError`: where it would come from cannot be told.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param patterns: package patterns as for ``go list`` (default ``.``).
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example: ``vendored_packages(goenv, ".", cwd=app) == {"example.com/lib": True}`` after ``go mod vendor``.
    """
    __tracebackhide__ = True
    return _vendoring(goenv, patterns, cwd=cwd, env=env)[1]


def _vendoring(
    goenv: GoEnv,
    patterns: tuple[str, ...],
    *,
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str | None] | None,
) -> tuple[GoResult, dict[str, bool]]:
    __tracebackhide__ = True
    result, packages = go_list(goenv, "-deps", "-e", *(patterns or (".",)), cwd=cwd, env=env)
    require_packages(result, packages, patterns, "tell where their dependencies come from")
    main_dirs = {
        Path(str(package["Module"]["Dir"]))
        for package in packages
        if isinstance(package.get("Module"), Mapping) and package["Module"].get("Main") and package["Module"].get("Dir")
    }
    vendor_dirs = [directory / "vendor" for directory in main_dirs]
    found: dict[str, bool] = {}
    for package in packages:
        module = package.get("Module")
        if package.get("Standard") or (isinstance(module, Mapping) and module.get("Main")):
            continue
        directory = Path(str(package.get("Dir", "")))
        found[str(package.get("ImportPath", "?"))] = any(directory.is_relative_to(v) for v in vendor_dirs)
    return result, found


def assert_vendored(
    goenv: GoEnv,
    *patterns: str,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> dict[str, bool]:
    """Assert every non-standard dependency of ``patterns`` is built from ``vendor/``.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param patterns: package patterns as for ``go list`` (default ``.``).
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example::

        goenv.run("mod", "vendor", cwd=app)
        assert_vendored(goenv, ".", cwd=app)
    """
    __tracebackhide__ = True
    return _check_vendoring(goenv, patterns, want=True, cwd=cwd, env=env)


def assert_not_vendored(
    goenv: GoEnv,
    *patterns: str,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> dict[str, bool]:
    """Assert no dependency of ``patterns`` is built from ``vendor/`` (they come from the module cache).

    :param goenv: the sandbox whose toolchain and environment are used.
    :param patterns: package patterns as for ``go list`` (default ``.``).
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example: ``assert_not_vendored(goenv, ".", cwd=app, env={"GOFLAGS": "-mod=mod"})``.
    """
    __tracebackhide__ = True
    return _check_vendoring(goenv, patterns, want=False, cwd=cwd, env=env)


def _check_vendoring(
    goenv: GoEnv,
    patterns: tuple[str, ...],
    *,
    want: bool,
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str | None] | None,
) -> dict[str, bool]:
    __tracebackhide__ = True
    result, packages = _vendoring(goenv, patterns, cwd=cwd, env=env)
    if want and not packages:
        raise BuildAssertionError(
            listing_report(
                result,
                f"expected {' '.join(patterns) or '.'} to use vendor/, but it has no dependencies outside "
                "the standard library and the main module",
            )
        )
    wrong = sorted(path for path, vendored in packages.items() if vendored != want)
    if wrong:
        mode = goenv.run("env", "GOFLAGS", cwd=cwd, env=env, check=False).stdout.strip()
        expected = "from vendor/" if want else "from the module cache, not vendor/"
        lines = [f"expected the dependencies of {' '.join(patterns) or '.'} to be built {expected}, but:"]
        lines.extend(f"  {path}: {'vendor/' if packages[path] else 'module cache'}" for path in wrong)
        lines.append(
            f"  (GOFLAGS={mode!r}; -mod=vendor is the default when vendor/modules.txt exists and "
            "go.mod says go 1.14 or later)"
        )
        raise BuildAssertionError(listing_report(result, "\n".join(lines)))
    return packages
