"""Modules: which version and directory a module resolved to, and what go.sum gained.

Resolution is the go command's own answer (``go list -m -json``); a failure adds the
requirement edges of ``go mod graph`` that name the module, which is what minimal
version selection chose from.  go.sum changes are a before/after comparison of the file
(read by :mod:`pytest_goenv.readers.gosum`).  Vendoring is in :mod:`.vendoring`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_goenv.assertions._golist import go_list, listing_report
from pytest_goenv.assertions._stringlists import reject_bare_string
from pytest_goenv.assertions.outcomes import BuildAssertionError
from pytest_goenv.base.excerpt import cut_lines
from pytest_goenv.readers.gosum import GoSumLine, read_go_sum
from pytest_goenv.sandbox.result import GoResult

if TYPE_CHECKING:
    from pytest_goenv.sandbox.goenv import GoEnv

__all__ = [
    "GoSumChanges",
    "GoSumLine",
    "GoSumWatch",
    "ModuleInfo",
    "assert_go_sum_gained",
    "assert_go_sum_unchanged",
    "assert_resolved",
    "read_go_sum",
    "resolved_module",
]


@dataclass(frozen=True)
class ModuleInfo:
    """One module as ``go list -m -json`` describes it."""

    path: str
    version: str | None
    dir: Path | None
    go_mod: Path | None
    go_version: str | None
    main: bool
    indirect: bool
    replace: ModuleInfo | None
    sum: str | None
    go_mod_sum: str | None
    error: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModuleInfo:
        """Build from one object of ``go list -m -json`` output."""
        __tracebackhide__ = True
        error = data.get("Error")
        replace = data.get("Replace")
        return cls(
            path=str(data.get("Path", "")),
            version=data.get("Version") or None,
            dir=Path(data["Dir"]) if data.get("Dir") else None,
            go_mod=Path(data["GoMod"]) if data.get("GoMod") else None,
            go_version=data.get("GoVersion") or None,
            main=bool(data.get("Main")),
            indirect=bool(data.get("Indirect")),
            replace=cls.from_json(replace) if isinstance(replace, Mapping) else None,
            sum=data.get("Sum") or None,
            go_mod_sum=data.get("GoModSum") or None,
            error=str(error.get("Err", error)) if isinstance(error, Mapping) else (str(error) if error else None),
        )

    @property
    def used(self) -> ModuleInfo:
        """The module whose files are built: the replacement if there is one, else this one."""
        __tracebackhide__ = True
        return self.replace or self

    def describe(self) -> str:
        """``path version (dir) => replacement`` on one line."""
        __tracebackhide__ = True
        text = self.path + (f" {self.version}" if self.version else "")
        if self.main:
            text += " (main module)"
        if self.indirect:
            text += " // indirect"
        if self.replace is not None:
            text += f" => {self.replace.describe()}"
        elif self.dir is not None:
            text += f"\n    dir: {self.dir}"
        if self.error:
            text += f"\n    error: {self.error}"
        return text


def resolved_module(
    goenv: GoEnv,
    module_path: str,
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> ModuleInfo:
    """The version, directory and replacement the main module's build list has for ``module_path``.

    A module not in the build list comes back with ``error`` set (the go command's message).

    :param goenv: the sandbox whose toolchain and environment are used.
    :param module_path: the module to look up.
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example: ``resolved_module(goenv, "example.com/dep", cwd=app).version``.
    """
    __tracebackhide__ = True
    return _resolve(goenv, module_path, cwd=cwd, env=env)[1]


def _resolve(
    goenv: GoEnv,
    module_path: str,
    *,
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str | None] | None,
) -> tuple[GoResult, ModuleInfo]:
    __tracebackhide__ = True
    result, listed = go_list(goenv, "-m", "-e", module_path, cwd=cwd, env=env)
    if len(listed) != 1:
        raise ValueError(f"{module_path!r} names {len(listed)} modules; name exactly one module path")
    return result, ModuleInfo.from_json(listed[0])


def assert_resolved(
    goenv: GoEnv,
    module_path: str,
    version: str | None = None,
    *,
    directory: str | os.PathLike[str] | None = None,
    replaced_by: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> ModuleInfo:
    """Assert ``module_path`` resolved to ``version``, is built from ``directory`` and/or is replaced.

    ``replaced_by`` is a module path (``example.com/fork``) or a directory (``../local``)
    as written in the ``replace`` directive; ``directory`` (of the replacement, if any)
    is compared after resolving links.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param module_path: the module to look up.
    :param version: the version it must resolve to.
    :param directory: the directory it must be built from.
    :param replaced_by: the module path or directory of its replacement.
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example: ``assert_resolved(goenv, "example.com/dep", "v1.1.0", cwd=app)``.
    """
    __tracebackhide__ = True
    result, info = _resolve(goenv, module_path, cwd=cwd, env=env)
    problems: list[str] = []
    if info.error:
        problems.append(f"the go command could not resolve it: {info.error}")
    if version is not None and info.version != version:
        problems.append(f"version {info.version or '(none)'} instead of {version}")
    if directory is not None:
        actual = info.used.dir
        if actual is None or actual.resolve() != Path(directory).resolve():
            problems.append(f"directory {actual or '(none: vendored or not downloaded)'} instead of {directory}")
    if replaced_by is not None:
        replacement = info.replace.path if info.replace is not None else None
        if replacement != replaced_by:
            problems.append(f"replacement {replacement or '(none)'} instead of {replaced_by}")
    if problems:
        lines = [
            f"{module_path} did not resolve as expected: {'; '.join(problems)}",
            f"  go list -m: {info.describe()}",
        ]
        lines.extend(_requirements(goenv, module_path, cwd=cwd, env=env))
        raise BuildAssertionError(listing_report(result, "\n".join(lines)))
    return info


def _requirements(
    goenv: GoEnv,
    module_path: str,
    *,
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str | None] | None,
) -> list[str]:
    """The ``go mod graph`` edges that require ``module_path``: what version selection chose from."""
    graph = goenv.run("mod", "graph", cwd=cwd, env=env, check=False)
    if not graph.ok:
        return [f"  (go mod graph failed: {graph.stderr.strip().splitlines()[-1:] or ['no output']})"]
    edges = [line.split() for line in graph.stdout.splitlines()]
    wanted = [
        f"    {edge[0]} requires {edge[1]}" for edge in edges if len(edge) == 2 and edge[1].split("@")[0] == module_path
    ]
    if not wanted:
        return ["  go mod graph: nothing requires it"]
    shown = cut_lines(wanted, 20, note="    ... and {cut} more")
    return ["  go mod graph (requirements of it):", *shown]


# -- go.sum ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoSumChanges:
    """What go.sum gained and lost since a :class:`GoSumWatch` started, and whether the file came or went."""

    added: tuple[GoSumLine, ...]
    removed: tuple[GoSumLine, ...]
    created: bool = False
    deleted: bool = False

    @property
    def changed(self) -> bool:
        """True if a line was added or removed, or the file was created or deleted."""
        __tracebackhide__ = True
        return bool(self.added or self.removed or self.created or self.deleted)

    def describe(self) -> str:
        """The changes as ``+ line`` / ``- line``, or a note that there are none."""
        __tracebackhide__ = True
        if not self.added and not self.removed:
            if self.created:
                return "  (go.sum was created, with no lines)"
            return "  (go.sum was deleted; it had no lines)" if self.deleted else "  (go.sum unchanged)"
        notes = ["  (go.sum was created)"] if self.created else ["  (go.sum was deleted)"] if self.deleted else []
        return "\n".join([*notes, *(f"  + {line}" for line in self.added), *(f"  - {line}" for line in self.removed)])


class GoSumWatch:
    """A snapshot of a go.sum file, to compare with the file after some go commands ran.

    Give a module directory or the go.sum path itself; the directory must exist (the
    go.sum in it need not: its appearing counts as a change).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        target = Path(path)
        if target.is_dir():
            target = target / "go.sum"
        elif not target.exists() and not (target.name.endswith(".sum") and target.parent.is_dir()):
            raise FileNotFoundError(
                f"GoSumWatch: {target} does not exist; give the directory of a module that exists "
                "(write it first, e.g. goenv.write_module(...)) or the path of a go.sum in such a directory"
            )
        self.path = target
        self.existed = target.exists()
        self.before = read_go_sum(self.path)

    def __repr__(self) -> str:
        return f"<GoSumWatch {self.path} ({len(self.before)} lines before)>"

    def changes(self) -> GoSumChanges:
        """Lines added and removed since the snapshot, sorted."""
        __tracebackhide__ = True
        exists = self.path.exists()
        after = read_go_sum(self.path)
        return GoSumChanges(
            added=tuple(sorted(after - self.before)),
            removed=tuple(sorted(self.before - after)),
            created=exists and not self.existed,
            deleted=self.existed and not exists,
        )


def assert_go_sum_gained(watch: GoSumWatch, entries: Iterable[str], *, exact: bool = True) -> GoSumChanges:
    """Assert go.sum gained ``entries`` (``"module version"``, ``"module version/go.mod"`` or whole lines).

    With ``exact`` (the default) it must have gained nothing else and lost nothing.

    :param watch: the snapshot taken before the commands ran.
    :param entries: the lines go.sum must have gained.
    :param exact: with True (the default) nothing else may have changed.

    Example::

        sums = GoSumWatch(app)
        goenv.run("get", "example.com/lib@v1.0.0", cwd=app)
        assert_go_sum_gained(sums, ["example.com/lib v1.0.0", "example.com/lib v1.0.0/go.mod"])
    """
    __tracebackhide__ = True
    reject_bare_string("entries", entries)
    wanted = list(entries)
    if not wanted and not exact:
        raise ValueError(
            "assert_go_sum_gained with no entries and exact=False cannot fail; name the lines "
            "go.sum should gain, e.g. entries=['example.com/lib v1.0.0']"
        )
    changes = watch.changes()
    missing = [entry for entry in wanted if not any(line.matches(entry) for line in changes.added)]
    extra = [line for line in changes.added if not any(line.matches(entry) for entry in wanted)] if exact else []
    removed = list(changes.removed) if exact else []
    deleted = changes.deleted and exact
    if missing or extra or removed or deleted:
        lines = [f"{watch.path} did not change as expected:"]
        if missing:
            lines.append(f"  expected to gain: {', '.join(missing)}")
        if extra:
            lines.append(f"  gained but not expected: {', '.join(f'{x.module} {x.version}' for x in extra)}")
        if removed:
            lines.append(f"  lost: {', '.join(f'{x.module} {x.version}' for x in removed)}")
        if deleted:
            lines.append("  the file was deleted")
        lines.append("  changes since the snapshot:")
        lines.append(changes.describe())
        raise BuildAssertionError("\n".join(lines))
    return changes


def assert_go_sum_unchanged(watch: GoSumWatch) -> None:
    """Assert go.sum is exactly as it was when ``watch`` was made (created or deleted counts as changed).

    :param watch: the snapshot taken before the commands ran.

    Example: ``sums = GoSumWatch(app); goenv.run("build", "./...", cwd=app); assert_go_sum_unchanged(sums)``.
    """
    __tracebackhide__ = True
    changes = watch.changes()
    if changes.changed:
        raise BuildAssertionError(f"expected {watch.path} to be unchanged, but:\n{changes.describe()}")
