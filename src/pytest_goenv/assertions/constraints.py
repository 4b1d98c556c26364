"""Build constraints: which files of a package the go command compiles for a target.

The answers come from ``go list -json`` run with GOOS, GOARCH, CGO_ENABLED and
``-tags`` set, so they are the toolchain's own reading of ``//go:build`` lines and
file-name suffixes; listing does not compile, so a whole table of targets is cheap.
Targets are checked against ``go tool dist list`` of the toolchain under test.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_goenv.assertions._golist import go_list, listing_report
from pytest_goenv.assertions._stringlists import reject_bare_string
from pytest_goenv.assertions.outcomes import BuildAssertionError
from pytest_goenv.base.errors import GoenvError
from pytest_goenv.readers.buildconstraints import file_name_constraint, go_build_line

if TYPE_CHECKING:
    from pytest_goenv.sandbox.goenv import GoEnv
    from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = [
    "ConstraintQueryError",
    "PackageFiles",
    "Target",
    "UnknownTargetError",
    "assert_compiled",
    "assert_file_targets",
    "assert_not_compiled",
    "assert_targets",
    "compiled_files",
    "known_targets",
    "package_files",
]

_EXCLUDED_ALL = "build constraints exclude all Go files"


class UnknownTargetError(GoenvError, ValueError):
    """A GOOS/GOARCH pair the toolchain under test cannot build for."""


class ConstraintQueryError(GoenvError):
    """``go list`` could not describe the package (not found, or not a package)."""


@dataclass(frozen=True, order=True)
class Target:
    """A GOOS/GOARCH pair such as ``linux/amd64``."""

    goos: str
    goarch: str

    @classmethod
    def parse(cls, text: str | Target) -> Target:
        """Read ``"linux/amd64"`` (a :class:`Target` is returned as it is)."""
        __tracebackhide__ = True
        if isinstance(text, Target):
            return text
        goos, slash, goarch = str(text).strip().partition("/")
        if not slash or not goos or not goarch or "/" in goarch:
            raise UnknownTargetError(f"{text!r} is not a target; write it as GOOS/GOARCH, e.g. 'linux/amd64'")
        return cls(goos, goarch)

    def __str__(self) -> str:
        return f"{self.goos}/{self.goarch}"


TargetTable = Mapping[str, Iterable[str]] | Mapping[Target, Iterable[str]] | Mapping[str | Target, Iterable[str]]
"""Compiled files per target, keyed by ``"GOOS/GOARCH"`` or :class:`Target` (mappings are invariant in the key)."""


@dataclass(frozen=True)
class PackageFiles:
    """The files of one package as the go command sorts them for one target and configuration."""

    import_path: str
    dir: Path
    target: Target
    tags: tuple[str, ...]
    cgo: bool | None
    go_files: tuple[str, ...]
    cgo_files: tuple[str, ...]
    ignored_go_files: tuple[str, ...]
    invalid_go_files: tuple[str, ...]
    test_go_files: tuple[str, ...]
    xtest_go_files: tuple[str, ...]
    other_files: tuple[str, ...]
    error: str | None = None

    @property
    def compiled(self) -> tuple[str, ...]:
        """The Go files built into the package (GoFiles and CgoFiles), sorted."""
        __tracebackhide__ = True
        return tuple(sorted({*self.go_files, *self.cgo_files}))

    @property
    def configuration(self) -> str:
        """``linux/amd64, tags foo,bar, CGO_ENABLED=1``: the settings the listing was made with."""
        __tracebackhide__ = True
        return f"{self.target}, {_settings(self.tags, self.cgo)}"


# -- targets -----------------------------------------------------------------------------

_KNOWN_TARGETS: dict[Path, frozenset[Target]] = {}


def known_targets(goenv: GoEnv) -> frozenset[Target]:
    """Every target of ``go tool dist list`` for the sandbox's toolchain (asked once per toolchain).

    :param goenv: the sandbox whose toolchain and environment are used.

    Example: ``Target("linux", "amd64") in known_targets(goenv)``.
    """
    __tracebackhide__ = True
    toolchain: GoToolchain = goenv.toolchain
    known = _KNOWN_TARGETS.get(toolchain.go)
    if known is None:
        result = goenv.run("tool", "dist", "list", "-json")
        known = frozenset(Target(entry["GOOS"], entry["GOARCH"]) for entry in json.loads(result.stdout))
        _KNOWN_TARGETS[toolchain.go] = known
    return known


def _validated(goenv: GoEnv, target: Target) -> Target:
    __tracebackhide__ = True
    known = known_targets(goenv)
    if target in known:
        return target
    name = goenv.toolchain.name
    spelled = sorted(str(each) for each in known)
    close = difflib.get_close_matches(str(target), spelled, n=3, cutoff=0.6)
    same_os = sorted(each.goarch for each in known if each.goos == target.goos)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    if same_os:
        hint += f" {name} builds {target.goos} for {', '.join(same_os)}"
    else:
        hint += f" {name} knows no GOOS {target.goos!r}"
    raise UnknownTargetError(f"{target} is not a target of {name} (see `go tool dist list`){hint}")


def _target_of(goenv: GoEnv, goos: str | None, goarch: str | None) -> Target:
    toolchain = goenv.toolchain
    return _validated(goenv, Target(goos or toolchain.goos, goarch or toolchain.goarch))


# -- queries -----------------------------------------------------------------------------


def package_files(
    goenv: GoEnv,
    package: str,
    *,
    goos: str | None = None,
    goarch: str | None = None,
    tags: Iterable[str] = (),
    cgo: bool | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> PackageFiles:
    """How ``go list`` sorts the files of ``package`` for a target (default: the host).

    ``cgo`` sets CGO_ENABLED (None keeps the go command's own default, which is off
    when cross-compiling); ``tags`` are passed as ``-tags``.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param package: an import path or a directory (``./lib``).
    :param goos: the target GOOS (default: the host's).
    :param goarch: the target GOARCH (default: the host's).
    :param tags: build tags, passed as ``-tags``.
    :param cgo: CGO_ENABLED as a bool; None keeps the go command's default (off when cross-compiling).
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).

    Example: ``package_files(goenv, ".", goos="windows", cwd="m").ignored`` lists the files left out for windows.
    """
    __tracebackhide__ = True
    reject_bare_string("tags", tags)
    target = _target_of(goenv, goos, goarch)
    return _list_files(goenv, package, target, tags=tuple(tags), cgo=cgo, cwd=cwd)


def compiled_files(
    goenv: GoEnv,
    package: str,
    *,
    goos: str | None = None,
    goarch: str | None = None,
    tags: Iterable[str] = (),
    cgo: bool | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> list[str]:
    """The Go files of ``package`` compiled for a target: GoFiles plus CgoFiles, sorted.

    The parameters are as for :func:`package_files`.

    Example: ``compiled_files(goenv, ".", goos="linux", cwd="m") == ["a.go", "a_linux.go"]``.
    """
    __tracebackhide__ = True
    files = package_files(goenv, package, goos=goos, goarch=goarch, tags=tags, cgo=cgo, cwd=cwd)
    return list(files.compiled)


def _list_files(
    goenv: GoEnv,
    package: str,
    target: Target,
    *,
    tags: tuple[str, ...],
    cgo: bool | None,
    cwd: str | os.PathLike[str] | None,
) -> PackageFiles:
    __tracebackhide__ = True
    for tag in tags:
        if not tag or not re.fullmatch(r"[\w.]+", tag):
            raise ValueError(f"{tag!r} is not a build tag; tags are words such as 'integration' or 'go1.22'")
    env: dict[str, str | None] = {"GOOS": target.goos, "GOARCH": target.goarch}
    if cgo is not None:
        env["CGO_ENABLED"] = "1" if cgo else "0"
    # No -tags without tags: an empty -tags would override tags the sandbox sets through GOFLAGS.
    args = ["-e", *([f"-tags={','.join(tags)}"] if tags else []), package]
    result, listed = go_list(goenv, *args, cwd=cwd, env=env)
    if len(listed) != 1:
        raise ConstraintQueryError(
            listing_report(
                result, f"{package!r} names {len(listed)} packages; name exactly one (an import path or a directory)"
            )
        )
    entry = listed[0]
    error = _error_text(entry)
    files = _files(entry)
    if error is not None and _EXCLUDED_ALL not in error and not any(files.values()):
        raise ConstraintQueryError(listing_report(result, f"go list cannot describe {package!r} for {target}: {error}"))
    return PackageFiles(
        import_path=str(entry.get("ImportPath", package)),
        dir=Path(str(entry.get("Dir", ""))),
        target=target,
        tags=tags,
        cgo=cgo,
        error=error,
        **files,
    )


_OTHER_FIELDS = (
    "CFiles",
    "CXXFiles",
    "MFiles",
    "HFiles",
    "FFiles",
    "SFiles",
    "SwigFiles",
    "SwigCXXFiles",
    "SysoFiles",
    "EmbedFiles",
)


def _files(entry: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    def names(field: str) -> tuple[str, ...]:
        __tracebackhide__ = True
        return tuple(str(name) for name in entry.get(field) or ())

    return {
        "go_files": names("GoFiles"),
        "cgo_files": names("CgoFiles"),
        "ignored_go_files": names("IgnoredGoFiles"),
        "invalid_go_files": names("InvalidGoFiles"),
        "test_go_files": names("TestGoFiles"),
        "xtest_go_files": names("XTestGoFiles"),
        "other_files": tuple(sorted(name for field in _OTHER_FIELDS for name in names(field))),
    }


def _error_text(entry: Mapping[str, Any]) -> str | None:
    error = entry.get("Error")
    if not error:
        return None
    if isinstance(error, Mapping):
        return str(error.get("Err", error))
    return str(error)


# -- assertions --------------------------------------------------------------------------


def assert_compiled(
    goenv: GoEnv,
    package: str,
    files: Iterable[str],
    *,
    exact: bool = True,
    goos: str | None = None,
    goarch: str | None = None,
    tags: Iterable[str] = (),
    cgo: bool | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> PackageFiles:
    """Assert ``files`` are the Go files compiled for a target (with ``exact=False``: among them).

    ``goenv`` and ``package`` are as for :func:`package_files`.
    :param files: the Go files (names in the package directory) that must be compiled.
    :param exact: with True (the default) no other file may be compiled.
    ``goos``, ``goarch``, ``tags``, ``cgo`` and ``cwd`` are as for :func:`package_files`.

    Example: ``assert_compiled(goenv, ".", ["a.go", "a_linux.go"], goos="linux", cwd="m")``.
    """
    __tracebackhide__ = True
    reject_bare_string("files", files)
    listing = package_files(goenv, package, goos=goos, goarch=goarch, tags=tags, cgo=cgo, cwd=cwd)
    wanted = set(files)
    missing = sorted(wanted - set(listing.compiled))
    extra = sorted(set(listing.compiled) - wanted) if exact else []
    if missing or extra:
        raise BuildAssertionError(_mismatch_report(goenv, listing, sorted(wanted), missing, extra))
    return listing


def assert_not_compiled(
    goenv: GoEnv,
    package: str,
    files: Iterable[str],
    *,
    goos: str | None = None,
    goarch: str | None = None,
    tags: Iterable[str] = (),
    cgo: bool | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> PackageFiles:
    """Assert none of ``files`` is compiled for a target (each must exist in the package).

    ``goenv`` and ``package`` are as for :func:`package_files`.
    :param files: Go files of the package none of which may be compiled.
    ``goos``, ``goarch``, ``tags``, ``cgo`` and ``cwd`` are as for :func:`package_files`.

    Example: ``assert_not_compiled(goenv, ".", ["a_linux.go"], goos="darwin", cwd="m")``.
    """
    __tracebackhide__ = True
    reject_bare_string("files", files)
    unwanted = set(files)
    if not unwanted:
        raise ValueError("assert_not_compiled needs at least one file name, e.g. files=['m_windows.go']")
    listing = package_files(goenv, package, goos=goos, goarch=goarch, tags=tags, cgo=cgo, cwd=cwd)
    _require_present(listing, unwanted)
    compiled = sorted(unwanted & set(listing.compiled))
    if compiled:
        lines = [
            f"{listing.import_path}: {', '.join(compiled)} compiled for {listing.configuration}, expected excluded",
            f"  package dir: {listing.dir}",
            f"  compiled:    {' '.join(listing.compiled) or '(none)'}",
            *_explain(goenv, listing.dir, compiled),
        ]
        raise BuildAssertionError("\n".join(lines))
    return listing


def assert_targets(
    goenv: GoEnv,
    package: str,
    expected: TargetTable,
    *,
    tags: Iterable[str] = (),
    cgo: bool | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> dict[Target, PackageFiles]:
    """Assert, for each target, exactly which Go files are compiled, and report every target at once.

    ``expected`` maps ``"GOOS/GOARCH"`` to the compiled files; all targets are
    checked against ``go tool dist list`` before anything is listed.

    ``goenv`` and ``package`` are as for :func:`package_files`.
    :param expected: ``{"GOOS/GOARCH": [files...]}`` (or :class:`Target` keys).
    :param tags: build tags, passed as ``-tags``.
    :param cgo: CGO_ENABLED as a bool; None keeps the go command's default.
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).

    Example::

        assert_targets(goenv, ".", {"linux/amd64": ["a.go", "a_linux.go"], "windows/amd64": ["a.go"]}, cwd="m")
    """
    __tracebackhide__ = True
    reject_bare_string("tags", tags)
    wanted: dict[Target, list[str]] = {}
    for key, files in expected.items():  # loops, not comprehensions: their frames would show in failures
        reject_bare_string(f"expected[{str(key)!r}]", files, fix=f"{{{str(key)!r}: [{files!r}]}}")
        wanted[_validated(goenv, Target.parse(key))] = sorted(set(files))
    if not wanted:
        raise ValueError("assert_targets needs at least one target, e.g. {'linux/amd64': ['a.go']}")
    tag_tuple = tuple(tags)
    listings: dict[Target, PackageFiles] = {}
    for target in wanted:
        listings[target] = _list_files(goenv, package, target, tags=tag_tuple, cgo=cgo, cwd=cwd)
    rows = [(str(target), wanted[target], list(listings[target].compiled)) for target in wanted]
    if all(expect == got for _name, expect, got in rows):
        return listings
    first = next(iter(listings.values()))
    differing = sorted({name for _t, expect, got in rows for name in set(expect) ^ set(got)})
    bad = sum(expect != got for _t, expect, got in rows)
    lines = [
        f"{first.import_path}: the compiled files differ from the expected ones on {bad} of "
        f"{len(rows)} targets ({_settings(tag_tuple, cgo)})",
        f"  package dir: {first.dir}",
        *_table(rows),
        *_explain(goenv, first.dir, differing),
    ]
    raise BuildAssertionError("\n".join(lines))


def assert_file_targets(
    goenv: GoEnv,
    package: str,
    file: str,
    *,
    included: Iterable[str | Target] = (),
    excluded: Iterable[str | Target] = (),
    tags: Iterable[str] = (),
    cgo: bool | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> None:
    """Assert one file is compiled on every ``included`` target and on no ``excluded`` one.

    This states a constraint such as ``unix && !android`` as the targets it should
    select, e.g. ``included=["linux/amd64", "darwin/arm64"], excluded=["android/arm64"]``.

    ``goenv`` and ``package`` are as for :func:`package_files`.
    :param file: the Go file whose constraint is stated.
    :param included: targets (``"GOOS/GOARCH"`` or :class:`Target`) that must compile it.
    :param excluded: targets that must not.
    :param tags: build tags, passed as ``-tags``.
    :param cgo: CGO_ENABLED as a bool; None keeps the go command's default.
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).

    Example::

        assert_file_targets(goenv, ".", "unix.go", included=["linux/amd64"], excluded=["windows/amd64"], cwd="m")
    """
    __tracebackhide__ = True
    reject_bare_string("included", included)
    reject_bare_string("excluded", excluded)
    reject_bare_string("tags", tags)
    plan: dict[Target, bool] = {}
    for each in included:
        plan[_validated(goenv, Target.parse(each))] = True
    for each in excluded:
        target = _validated(goenv, Target.parse(each))
        if plan.get(target):
            raise ValueError(f"{target} is both included and excluded for {file}")
        plan[target] = False
    if not plan:
        raise ValueError("assert_file_targets needs at least one included or excluded target")
    tag_tuple = tuple(tags)
    listings = {target: _list_files(goenv, package, target, tags=tag_tuple, cgo=cgo, cwd=cwd) for target in plan}
    _require_present(next(iter(listings.values())), {file})
    wrong = [target for target, want in plan.items() if (file in listings[target].compiled) != want]
    if not wrong:
        return
    first = next(iter(listings.values()))
    lines = [
        f"{first.import_path}: {file} is built on the wrong targets ({_settings(tag_tuple, cgo)})",
        f"  package dir: {first.dir}",
    ]
    width = max(len(str(target)) for target in plan)
    for target, want in plan.items():
        got = file in listings[target].compiled
        verdict = "ok" if got == want else "WRONG"
        lines.append(
            f"  {str(target).ljust(width)}  expected {'built' if want else 'excluded':8}  "
            f"got {'built' if got else 'excluded':8}  {verdict}"
        )
    lines.extend(_explain(goenv, first.dir, [file]))
    raise BuildAssertionError("\n".join(lines))


def _require_present(listing: PackageFiles, names: Iterable[str]) -> None:
    __tracebackhide__ = True
    every = {
        *listing.go_files,
        *listing.cgo_files,
        *listing.ignored_go_files,
        *listing.invalid_go_files,
        *listing.test_go_files,
        *listing.xtest_go_files,
    }
    absent = sorted(set(names) - every)
    if absent:
        raise ValueError(
            f"{', '.join(absent)} not in package {listing.import_path} ({listing.dir}); "
            f"its Go files are: {', '.join(sorted(every)) or '(none)'}"
        )


def _settings(tags: Sequence[str], cgo: bool | None) -> str:
    tag_text = f"tags {','.join(tags)}" if tags else "no tags"
    cgo_text = {None: "cgo default", True: "CGO_ENABLED=1", False: "CGO_ENABLED=0"}[cgo]
    return f"{tag_text}, {cgo_text}"


def _mismatch_report(
    goenv: GoEnv, listing: PackageFiles, wanted: list[str], missing: list[str], extra: list[str]
) -> str:
    lines = [f"{listing.import_path}: the compiled files differ from the expected ones for {listing.configuration}"]
    lines.append(f"  package dir: {listing.dir}")
    lines.append(f"  expected:    {' '.join(wanted) or '(none)'}")
    lines.append(f"  compiled:    {' '.join(listing.compiled) or '(none)'}")
    if missing:
        lines.append(f"  not compiled but expected: {' '.join(missing)}")
    if extra:
        lines.append(f"  compiled but not expected: {' '.join(extra)}")
    if listing.error:
        lines.append(f"  go list: {listing.error}")
    lines.extend(_explain(goenv, listing.dir, [*missing, *extra]))
    return "\n".join(lines)


def _table(rows: list[tuple[str, list[str], list[str]]]) -> list[str]:
    target_width = max(len("target"), *(len(name) for name, _e, _g in rows))
    expect_width = max(len("expected"), *(len(" ".join(expect)) for _n, expect, _g in rows))
    lines = [f"  {'target'.ljust(target_width)}  {'expected'.ljust(expect_width)}  compiled"]
    for name, expect, got in rows:
        note = ""
        if expect != got:
            parts = []
            if extra := sorted(set(got) - set(expect)):
                parts.append(f"+{' +'.join(extra)}")
            if missing := sorted(set(expect) - set(got)):
                parts.append(f"-{' -'.join(missing)}")
            note = f"   <-- {' '.join(parts)}"
        lines.append(
            f"  {name.ljust(target_width)}  {(' '.join(expect) or '(none)').ljust(expect_width)}  "
            f"{' '.join(got) or '(none)'}{note}"
        )
    return lines


def _constraint_text(path: Path) -> str:
    """The file's ``//go:build`` line as a failure message shows it."""
    try:
        line = go_build_line(path)
    except OSError:
        return "(file not found)"
    return "no //go:build line" if line is None else f"//go:build {line}"


def _explain(goenv: GoEnv, directory: Path, names: Iterable[str]) -> list[str]:
    """What decides each file: its ``//go:build`` line and its file-name suffix."""
    names = sorted(set(names))
    if not names:
        return []
    known = known_targets(goenv)
    systems = {target.goos for target in known}
    arches = {target.goarch for target in known}
    width = max(len(name) for name in names)
    lines = ["  what decides the files involved:"]
    for name in names:
        reasons = [_constraint_text(directory / name)]
        suffix = file_name_constraint(name, systems, arches)
        if suffix:
            reasons.append(f"file name suffix {suffix}")
        lines.append(f"    {name.ljust(width)}  {'; '.join(reasons)}")
    return lines
