"""Multi-module workspaces: a directory of modules tied together by a go.work file.

A :class:`GoWorkspace` lays modules out below its root and writes ``go.work`` (a ``go`` line, ``use``
and ``replace`` directives) after every change. Commands run from any directory inside, so the go
command finds go.work by walking up from its working directory as it does for real. The go.work can
also be left out (``gowork="none"``) or switched off (``gowork="off"``): GOWORK=off is then set on the
sandbox itself, so every command of that sandbox agrees (``goenv.run``, ``go_env``, the assertion helpers),
not only :meth:`GoWorkspace.run`. Switching back to ``file`` or ``none`` unsets it again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.modules import modpath, semver
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult
from pytest_goenv.toolchains.version import GoVersion, InvalidGoVersion

__all__ = ["GoWorkMode", "GoWorkspace", "WorkspaceError", "WorkspaceModule", "WorkspaceReplace"]

GoWorkMode = Literal["file", "none", "off"]
_MODES: tuple[GoWorkMode, ...] = ("file", "none", "off")


class WorkspaceError(GoenvError, ValueError):
    """A workspace was asked for something inconsistent (a directory outside it, a duplicate module...)."""


@dataclass(frozen=True)
class WorkspaceModule:
    """A module of the workspace: its directory (relative to the workspace root) and module path."""

    dir: str
    path: str
    use: bool = True


@dataclass(frozen=True)
class WorkspaceReplace:
    """A go.work ``replace old [old_version] => new [new_version]`` directive."""

    old: str
    new: str
    old_version: str | None = None
    new_version: str | None = None

    def directive(self) -> str:
        left = f"{self.old} {self.old_version}" if self.old_version else self.old
        right = f"{self.new} {self.new_version}" if self.new_version else self.new
        return f"{left} => {right}"


class GoWorkspace:
    """A workspace rooted at ``root`` (default ``<goenv.workdir>/workspace``) inside a sandbox.

    ``go`` is the go.work ``go`` line and the default ``go`` line of added modules; ``toolchain``
    adds a ``toolchain`` line.
    """

    def __init__(
        self,
        goenv: GoEnv,
        root: str | os.PathLike[str] | None = None,
        *,
        go: str = "1.21",
        toolchain: str | None = None,
        gowork: GoWorkMode = "file",
    ) -> None:
        self.goenv = goenv
        base = Path(root) if root is not None else Path("workspace")
        self.root = goenv.mkdir(os.path.abspath(base if base.is_absolute() else goenv.workdir / base))
        self.go = go
        self.toolchain = toolchain
        self._gowork: GoWorkMode = "file"
        self._modules: dict[str, WorkspaceModule] = {}
        self._replaces: list[WorkspaceReplace] = []
        self.gowork = gowork

    def __repr__(self) -> str:
        return f"<GoWorkspace {self.root} ({len(self._modules)} modules, go.work: {self._gowork})>"

    @property
    def go(self) -> str:
        """The go.work ``go`` line (``1.21``, ``1.22.3``, ``1.23rc1``), also the default for added modules."""
        return self._go

    @go.setter
    def go(self, value: str) -> None:
        self._go = _check_go_line(value, "go")

    @property
    def toolchain(self) -> str | None:
        """The go.work ``toolchain`` line (``go1.22.3``), or None for none."""
        return self._toolchain

    @toolchain.setter
    def toolchain(self, value: str | None) -> None:
        if value is not None:
            text = value if isinstance(value, str) else repr(value)
            try:
                ok = text.startswith("go") and not GoVersion.parse(text).devel
            except InvalidGoVersion:
                ok = False
            if not ok and text != "default":
                raise WorkspaceError(
                    f"toolchain={value!r} is not a toolchain name; write one like 'go1.22.3' (or None for no line)"
                )
        self._toolchain = value

    @property
    def gowork(self) -> GoWorkMode:
        """``file`` (go.work written), ``none`` (no go.work) or ``off`` (go.work written, GOWORK=off)."""
        return self._gowork

    @gowork.setter
    def gowork(self, mode: GoWorkMode) -> None:
        if mode not in _MODES:
            raise WorkspaceError(f"gowork={mode!r}; use one of {', '.join(_MODES)}")
        if mode == "off":
            self.goenv.setenv("GOWORK", "off")
        elif self._gowork == "off" and self.goenv.env.get("GOWORK") == "off":
            self.goenv.delenv("GOWORK")
        self._gowork = mode
        self.write()

    @property
    def go_work(self) -> Path:
        """The path of the go.work file (which exists unless ``gowork == "none"``)."""
        return self.root / "go.work"

    @property
    def modules(self) -> list[WorkspaceModule]:
        """The modules added so far, in the order they were added."""
        return list(self._modules.values())

    def dir(self, relative: str | os.PathLike[str] = ".") -> Path:
        """A directory inside the workspace; ``..`` escapes and absolute paths are refused."""
        pure = PurePosixPath(os.fspath(relative).replace(os.sep, "/"))
        if pure.is_absolute() or ".." in pure.parts:
            raise WorkspaceError(f"{relative!s}: use a path relative to the workspace root {self.root}")
        return self.root.joinpath(*pure.parts)

    def add_module(
        self,
        dir: str,
        module_path: str,
        files: Mapping[str, str | bytes] | None = None,
        *,
        go: str | None = None,
        use: bool = True,
    ) -> Path:
        """Write a module (go.mod plus ``files``) in ``dir`` and list it in go.work's ``use`` (unless ``use=False``)."""
        rel = PurePosixPath(dir.replace(os.sep, "/")).as_posix()
        target = self.dir(rel)
        if rel in self._modules:
            raise WorkspaceError(f"{rel}: the workspace already has module {self._modules[rel].path} there")
        _check_module_path(module_path, f"add_module({dir!r}, {module_path!r})")
        go_line = _check_go_line(go, "go") if go is not None else self.go
        if files is not None and not isinstance(files, Mapping):
            raise WorkspaceError(
                f"add_module({dir!r}, {module_path!r}): files must be a mapping {{name: content}}, "
                f"not {type(files).__name__}"
            )
        contents = dict(files or {})
        if "go.mod" not in contents:
            contents["go.mod"] = f"module {module_path}\n\ngo {go_line}\n"
        declared = modpath.declared_module(contents["go.mod"])
        if declared != module_path:
            raise WorkspaceError(
                f"add_module({dir!r}, {module_path!r}): the go.mod given declares "
                f"{'module ' + repr(declared) if declared else 'no module line'}; "
                "make the module path and the go.mod's module line agree (or leave go.mod out to have it written)"
            )
        self.goenv.write_files(contents, target)
        self._modules[rel] = WorkspaceModule(rel, module_path, use)
        self.write()
        return target

    def use(self, dir: str, *, enabled: bool = True) -> None:
        """List (or stop listing) an added module's directory in go.work."""
        rel = PurePosixPath(dir.replace(os.sep, "/")).as_posix()
        module = self._modules.get(rel)
        if module is None:
            known = ", ".join(self._modules) or "none"
            raise WorkspaceError(f"{rel}: no module there (modules: {known}); add it with add_module()")
        self._modules[rel] = WorkspaceModule(module.dir, module.path, enabled)
        self.write()

    def replace(self, old: str, new: str, *, old_version: str | None = None, new_version: str | None = None) -> None:
        """Add a go.work ``replace`` directive (``new`` is a module path with ``new_version``, or ``./dir``)."""
        _check_module_path(old, f"replace {old} => {new}")
        for version, what in ((old_version, "old_version"), (new_version, "new_version")):
            if version is not None and not semver.is_valid(version):
                raise WorkspaceError(
                    f"replace {old} => {new}: {what}={version!r} is not a module version; write one like v1.2.3"
                )
        is_dir = new.startswith(("./", "../", "/"))
        if is_dir and new_version:
            raise WorkspaceError(f"replace {old} => {new}: a directory replacement takes no version")
        if not is_dir and not new_version:
            raise WorkspaceError(
                f"replace {old} => {new}: a module replacement needs new_version (or write the directory as ./{new})"
            )
        if not is_dir:
            _check_module_path(new, f"replace {old} => {new}")
        self._replaces.append(WorkspaceReplace(old, new, old_version, new_version))
        self.write()

    def render(self) -> str:
        """The go.work text for the current modules and replacements."""
        sections = [[f"go {self.go}"] + ([f"toolchain {self.toolchain}"] if self.toolchain else [])]
        used = [m.dir for m in self._modules.values() if m.use]
        if used:
            sections.append(["use (", *(f"\t./{d}" if d != "." else "\t." for d in used), ")"])
        if self._replaces:
            sections.append([f"replace {rep.directive()}" for rep in self._replaces])
        return "\n\n".join("\n".join(section) for section in sections) + "\n"

    def write(self) -> Path | None:
        """Write go.work (or remove it when ``gowork == "none"``); return its path if it exists."""
        if self._gowork == "none":
            self.go_work.unlink(missing_ok=True)
            return None
        self.goenv.write_files({self.go_work.name: self.render()}, self.go_work.parent)
        return self.go_work

    def run(
        self,
        *args: str | os.PathLike[str],
        cwd: str | os.PathLike[str] = ".",
        env: Mapping[str, str | None] | None = None,
        check: bool = True,
        timeout: float | None = None,
    ) -> GoResult:
        """Run ``go ARGS`` from ``cwd`` (relative to the workspace root; any directory inside works)."""
        __tracebackhide__ = True
        workdir = self.goenv.mkdir(self.dir(cwd))
        return self.goenv.run(*args, cwd=workdir, env=env, check=check, timeout=timeout)

    def nested(self, dir: str, *, go: str | None = None, gowork: GoWorkMode = "file") -> GoWorkspace:
        """A workspace inside this one, with its own go.work at ``dir`` (found first from inside it).

        Both share one sandbox, so ``gowork="off"`` on either switches go.work off for every command.
        """
        return GoWorkspace(self.goenv, self.dir(dir), go=go or self.go, toolchain=self.toolchain, gowork=gowork)

    def used_modules(self, cwd: str | os.PathLike[str] = ".") -> list[str]:
        """The module paths the go command sees as main modules from ``cwd`` (``go list -m``)."""
        result = self.run("list", "-m", cwd=cwd)
        return [line.strip() for line in result.stdout.splitlines() if line.strip()]

    def gowork_in_use(self, cwd: str | os.PathLike[str] = ".") -> Path | None:
        """The go.work file the go command uses from ``cwd`` (``go env GOWORK``), or None."""
        value = self.run("env", "GOWORK", cwd=cwd).stdout.strip()
        return Path(value) if value and value != "off" else None


def _check_module_path(path: object, where: str) -> None:
    """Raise WorkspaceError unless ``path`` is a module path the go command accepts."""
    if not isinstance(path, str):
        raise WorkspaceError(f"{where}: the module path must be a string like 'example.com/m', not {path!r}")
    try:
        modpath.check_module_path(path)
    except modpath.InvalidModulePath as exc:
        raise WorkspaceError(f"{where}: {exc}; write a module path like 'example.com/m'") from None


def _check_go_line(value: object, what: str) -> str:
    """Return ``value`` if it may follow ``go`` in go.mod/go.work (``1.21``, ``1.22.3``); else WorkspaceError."""
    try:
        return modpath.check_go_line(value)
    except modpath.InvalidModulePath as exc:
        raise WorkspaceError(f"{what}={exc}") from None


def parse_use_directives(text: str) -> list[str]:
    """The directories a go.work text lists in ``use`` (single-line and block forms)."""
    found: list[str] = []
    in_block = False
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip()
        if in_block:
            if line == ")":
                in_block = False
            elif line:
                found.append(line.strip('"'))
            continue
        m = re.fullmatch(r"use\s*(\(|\S+)", line)
        if m:
            if m[1] == "(":
                in_block = True
            else:
                found.append(m[1].strip('"'))
    return found
