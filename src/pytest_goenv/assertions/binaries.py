"""Assertions on built executables: target, linking, embedded build info and recorded paths.

Everything is read from the file itself (see :mod:`pytest_goenv.readers.executables`), so a cross-compiled
darwin or windows binary is checked on any host.  A failure lists every property that did not hold,
then the binary the way ``go version -m`` would show it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from pytest_goenv.assertions._stringlists import reject_bare_string
from pytest_goenv.assertions.outcomes import BuildAssertionError
from pytest_goenv.base.excerpt import cut_lines
from pytest_goenv.base.exeformat import ExecutableFormat
from pytest_goenv.readers.executables import (
    BinaryFormatError,
    BuildInfo,
    GoBinary,
    Module,
    NotAGoBinary,
    find_strings,
    read_binary,
    read_build_info,
    recorded_files,
)
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.toolchains.version import GoVersion

__all__ = [
    "BinaryAssertionError",
    "BinaryFormatError",
    "BuildInfo",
    "GoBinary",
    "Module",
    "NotAGoBinary",
    "assert_binary",
    "assert_depends_on",
    "assert_not_depends_on",
    "assert_paths_not_recorded",
    "assert_paths_recorded",
    "assert_trimmed",
    "read_binary",
    "read_build_info",
    "recorded_files",
    "recorded_paths",
]

StrPath = str | os.PathLike[str]
# Shown at most per failure message, so a binary full of paths does not flood the report.
MAX_SHOWN_PATHS = 12


class BinaryAssertionError(BuildAssertionError):
    """A built executable is not what the test expected; the message lists each difference."""


def _binary(path: StrPath | GoBinary) -> GoBinary:
    return path if isinstance(path, GoBinary) else read_binary(path)


def assert_binary(
    path: StrPath | GoBinary,
    *,
    goos: str | None = None,
    goarch: str | None = None,
    format: ExecutableFormat | None = None,
    static: bool | None = None,
    cgo: bool | None = None,
    trimpath: bool | None = None,
    interpreter: str | None = None,
    needs: Iterable[str] = (),
    go_version: str | GoVersion | None = None,
    main_module: str | None = None,
    package_path: str | None = None,
    settings: Mapping[str, str | None] | None = None,
) -> GoBinary:
    """Assert properties of a Go executable; returns the parsed :class:`GoBinary`.

    ``goos``/``goarch``/``format``/``static``/``interpreter``/``needs`` come from the file's headers
    (``needs``: shared libraries that must be linked, by file name); ``cgo``, ``trimpath``,
    ``go_version`` (``"go1.22.3"`` exactly, or ``"1.22"`` for any 1.22 release), ``main_module``,
    ``package_path`` and ``settings`` from the build info (``settings={"-ldflags": None}``: the
    setting must be absent).

    :param path: the executable, or a :class:`GoBinary` already read.
    :param goos: expected GOOS
    :param goarch: expected GOARCH
    :param format: ``"elf"``, ``"macho"`` or ``"pe"``.
    :param static: True: no dynamic loader and no shared library; False: dynamically linked.
    :param cgo: expected ``CGO_ENABLED`` build setting
    :param trimpath: expected ``-trimpath`` setting.
    :param interpreter: the dynamic loader (ELF ``PT_INTERP``) the file must name.
    :param needs: shared libraries (file names) that must be linked.
    :param go_version: ``"go1.22.3"`` exactly, or ``"1.22"`` for any 1.22 release.
    :param main_module: the main module's path
    :param package_path: the main package's import path.
    :param settings: build settings that must have these values (None: must be absent).

    Example::

        goenv.run("build", "-o", "bin/hello", ".", cwd="hello", env={"CGO_ENABLED": "0"})
        assert_binary(goenv.workdir / "bin/hello", static=True, cgo=False, main_module="example.com/hello")
    """
    __tracebackhide__ = True
    reject_bare_string("needs", needs)
    binary = _binary(path)
    problems: list[str] = []

    def expect(what: str, wanted: object, actual: object, detail: str = "") -> None:
        __tracebackhide__ = True
        if wanted is not None and wanted != actual:
            problems.append(f"{what}: expected {wanted!r}, got {actual!r}{detail}")

    expect("GOOS", goos, binary.goos)
    expect("GOARCH", goarch, binary.goarch)
    expect("format", format, binary.format)
    linking = f" (interpreter {binary.interpreter})" if binary.interpreter else ""
    linking += f" (needs {', '.join(binary.needed)})" if binary.needed else ""
    expect("static", static, binary.static, linking)
    expect("interpreter", interpreter, binary.interpreter)
    for library in needs:
        if not any(library in (name, os.path.basename(name)) for name in binary.needed):
            problems.append(f"needs {library!r}: not among the linked libraries {list(binary.needed)}")

    wants_info = (cgo, trimpath, go_version, main_module, package_path, settings)
    info = binary.build_info
    if info is None:
        if any(value is not None for value in wants_info):
            problems.append("build info: none embedded (not built by the go command, or not a Go binary)")
    else:
        expect("cgo (CGO_ENABLED)", cgo, info.cgo)
        expect("-trimpath", trimpath, info.trimpath)
        if go_version is not None and not _same_version(go_version, info.go_version):
            problems.append(f"Go version: expected {str(go_version)!r}, got {info.go_version!r}")
        expect("main module", main_module, info.main.path if info.main else None)
        expect("package path", package_path, info.path)
        for key, value in (settings or {}).items():
            actual = info.setting(key)
            if value is None and actual is not None:
                problems.append(f"build setting {key}: expected absent, got {actual!r}")
            elif value is not None and actual != value:
                problems.append(f"build setting {key}: expected {value!r}, got {actual!r}")
    if problems:
        raise BinaryAssertionError(_report(f"{binary.path.name} is not the expected binary", problems, binary))
    return binary


def _same_version(wanted: str | GoVersion, actual: str) -> bool:
    """``go1.22.3`` matches exactly; a bare ``1.22`` matches any go1.22 release or candidate."""
    try:
        want, have = GoVersion.parse(str(wanted)), GoVersion.parse(actual)
    except ValueError:
        return str(wanted) == actual
    if want.patch is None and not want.kind:
        return want.language == have.language
    return want == have


def _report(headline: str, problems: list[str], binary: GoBinary) -> str:
    lines = [headline + ":"]
    lines.extend(f"  - {problem}" for problem in problems)
    lines.append("binary:")
    lines.extend("  " + line for line in binary.describe().splitlines())
    return "\n".join(lines)


def assert_depends_on(
    path: StrPath | GoBinary, module: str, version: str | None = None, *, replaced_by: str | None = None
) -> Module:
    """Assert the build info lists dependency ``module`` (at ``version``, replaced by ``replaced_by``).

    :param path: the executable, or a :class:`GoBinary` already read.
    :param module: the dependency's module path.
    :param version: its version, if it matters.
    :param replaced_by: the module path or directory that replaced it, if it must be replaced.

    Example: ``assert_depends_on("bin/app", "golang.org/x/text", "v0.14.0")`` returns the :class:`Module`.
    """
    __tracebackhide__ = True
    binary = _binary(path)
    deps = binary.build_info.deps if binary.build_info else ()
    found = next((dep for dep in deps if dep.path == module), None)
    problems = []
    if found is None:
        listed = ", ".join(str(dep) for dep in deps) or "none"
        problems.append(f"{module} is not a dependency (dependencies: {listed})")
    else:
        if version is not None and found.version != version:
            problems.append(f"{module}: expected version {version}, got {found.version}")
        replacement = found.replace.path if found.replace else None
        if replaced_by is not None and replacement != replaced_by:
            problems.append(f"{module}: expected replacement {replaced_by}, got {replacement or 'none'}")
    if problems:
        raise BinaryAssertionError(
            _report(f"{binary.path.name} does not depend on {module} as expected", problems, binary)
        )
    assert found is not None
    return found


def assert_not_depends_on(path: StrPath | GoBinary, module: str) -> None:
    """Assert ``module`` was not linked in (it is absent from the build info's dependencies).

    :param path: the executable, or a :class:`GoBinary` already read.
    :param module: the module path that must not be among the dependencies.

    Example: ``assert_not_depends_on("bin/app", "example.com/debugtools")`` after a build without its tag.
    """
    __tracebackhide__ = True
    binary = _binary(path)
    if binary.build_info is None:
        raise BinaryAssertionError(
            _report(
                f"{binary.path.name} has no build info, so whether it links {module} cannot be told",
                ["build info: none embedded (not built by the go command in module mode)"],
                binary,
            )
        )
    found = binary.build_info.dep(module)
    if found is not None:
        raise BinaryAssertionError(_report(f"{binary.path.name} depends on {module}", [f"linked: {found}"], binary))


def recorded_paths(path: StrPath | GoBinary, needle: str | os.PathLike[str]) -> list[str]:
    """Paths recorded in the binary that contain ``needle``: source files of the line table first,
    then any other string in the file (build info, DWARF, cgo objects).

    A needle with backslashes is also searched with forward slashes, the form Go records
    Windows paths in.

    :param path: the executable, or a :class:`GoBinary` already read.
    :param needle: a directory, file name or module path to look for.

    Example: ``recorded_paths("bin/hello", goenv.workdir)`` lists the work-dir source files a build without
    ``-trimpath`` recorded.
    """
    __tracebackhide__ = True
    binary = _binary(path)
    forms = dict.fromkeys([os.fspath(needle), os.fspath(needle).replace("\\", "/")])
    files = recorded_files(binary.path)
    hits = dict.fromkeys(name for name in files if any(form in name for form in forms))
    for form in forms:
        hits.update(dict.fromkeys(find_strings(binary.path, form)))
    return list(hits)


def _require_needles(needles: tuple[str | os.PathLike[str], ...], example: str) -> None:
    """At least one needle, none empty: an empty needle is in every string, and none asserts nothing."""
    __tracebackhide__ = True
    if not needles:
        raise ValueError(f"name at least one path to look for, e.g. {example}")
    if any(not os.fspath(needle) for needle in needles):
        raise ValueError(f"an empty needle matches every string; name a path to look for, e.g. {example}")


def _shown(paths: list[str]) -> str:
    lines = [f"    {p}" for p in paths]
    return "\n".join(cut_lines(lines, MAX_SHOWN_PATHS, note="    ... and {cut} more (recorded_paths() lists them all)"))


def assert_paths_recorded(path: StrPath | GoBinary, *needles: str | os.PathLike[str]) -> dict[str, list[str]]:
    """Assert each needle (a directory, a file name, a module path) occurs in a path the binary records.

    Returns the hits per needle.  Without ``-trimpath`` the line table holds absolute source paths.

    :param path: the executable, or a :class:`GoBinary` already read.
    :param needles: directories, file names or module paths, each of which must be recorded.

    Example: ``assert_paths_recorded("bin/hello", goenv.toolchain.goroot, "hello/main.go")``.
    """
    __tracebackhide__ = True
    _require_needles(needles, "assert_paths_recorded(exe, module_dir)")
    binary = _binary(path)
    found = {os.fspath(needle): recorded_paths(binary, needle) for needle in needles}
    missing = [needle for needle, hits in found.items() if not hits]
    if missing:
        sample = _shown(list(recorded_files(binary.path)))
        raise BinaryAssertionError(
            f"{binary.path.name} records no path containing {', '.join(map(repr, missing))}\n"
            f"  source files in its line table:\n{sample}"
        )
    return found


def assert_paths_not_recorded(path: StrPath | GoBinary, *needles: str | os.PathLike[str]) -> None:
    """Assert no recorded path and no string in the file contains any of the needles.

    :param path: the executable, or a :class:`GoBinary` already read.
    :param needles: directories, file names or module paths none of which may occur.

    Example: ``assert_paths_not_recorded("bin/hello", goenv.workdir)`` after ``go build -trimpath``.
    """
    __tracebackhide__ = True
    _require_needles(needles, "assert_paths_not_recorded(exe, goenv.root)")
    binary = _binary(path)
    leaks = {os.fspath(needle): recorded_paths(binary, needle) for needle in needles}
    leaks = {needle: hits for needle, hits in leaks.items() if hits}
    if leaks:
        parts = [f"{binary.path.name} records paths it should not:"]
        for needle, hits in leaks.items():
            parts.append(f"  containing {needle!r} ({len(hits)}):\n{_shown(hits)}")
        raise BinaryAssertionError("\n".join(parts))


def assert_trimmed(path: StrPath | GoBinary, *roots: StrPath | GoEnv) -> GoBinary:
    """Assert ``-trimpath`` behaviour: the build setting is on and no root directory appears in the file.

    A :class:`GoEnv` stands for its toolchain's GOROOT and its sandbox root (work dir, GOPATH,
    module cache, temp dirs); give other directories (a project outside the sandbox) as paths.

    :param path: the executable, or a :class:`GoBinary` already read.
    :param roots: directories that must not appear, or a :class:`GoEnv` for all of its own.

    Example::

        goenv.run("build", "-trimpath", "-o", "bin/hello", ".", cwd="hello")
        assert_trimmed(goenv.workdir / "bin/hello", goenv)
    """
    __tracebackhide__ = True
    binary = _binary(path)
    needles: list[str] = []
    for root in roots:
        if isinstance(root, GoEnv):
            needles.extend([str(root.toolchain.goroot), str(root.root)])
        else:
            needles.append(str(Path(root)))
    info = binary.build_info
    if info is None or not info.trimpath:
        raise BinaryAssertionError(
            _report(f"{binary.path.name} was not built with -trimpath", ["build setting -trimpath is not true"], binary)
        )
    if needles:
        assert_paths_not_recorded(binary, *needles)
    return binary
