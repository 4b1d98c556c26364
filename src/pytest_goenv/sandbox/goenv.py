"""A sandbox for the go command: private directories and an environment built from an allow-list.

Every go command run through a :class:`GoEnv` gets an environment made here from
scratch.  Nothing of the host's environment reaches it except ``PATH`` (after the
toolchain's ``GOROOT/bin``), so GOFLAGS, GOPROXY, GOWORK, CGO_ENABLED, CC, GIT_* and
the like on the host cannot change what a test observes.  What still comes from the
toolchain itself is ``GOROOT/go.env`` (GOPROXY, GOSUMDB and GOTOOLCHAIN defaults,
each overridden here by an explicit value) and the C compiler found on PATH.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pytest_goenv.base import filetree, treecopy
from pytest_goenv.base.errors import GoenvError
from pytest_goenv.base.filetree import make_writable, remove_tree
from pytest_goenv.base.process import check_timeout, env_problem, run_process
from pytest_goenv.sandbox import copylinks
from pytest_goenv.sandbox.result import GoResult
from pytest_goenv.toolchains.telemetry import switch_off_telemetry
from pytest_goenv.toolchains.toolchain import GoToolchain

if TYPE_CHECKING:
    from pytest_goenv.modules import txtar
    from pytest_goenv.modules.proxy import GoProxy
    from pytest_goenv.modules.sumdb import ChecksumDatabase
    from pytest_goenv.modules.vcs import GitRepo

__all__ = ["DEFAULT_TIMEOUT", "GoEnv", "SandboxError", "remove_tree"]

DEFAULT_TIMEOUT = 300.0

_GITCONFIG = """\
[user]
\tname = pytest-goenv
\temail = pytest-goenv@example.invalid
[init]
\tdefaultBranch = main
[advice]
\tdetachedHead = false
[protocol "file"]
\tallow = always
"""


class SandboxError(GoenvError):
    """A sandbox was asked for something it cannot do (a file outside it, say)."""


def _outside_message(name: str, base: Path) -> str:
    return f"{name}: file names must be relative and stay inside {base}"


class GoEnv:
    """An isolated Go environment rooted at ``root``, driving the real go binary of ``toolchain``.

    Layout below ``root``: ``gopath/`` (GOPATH, with the module cache at
    ``gopath/pkg/mod``), ``home/`` (HOME, with XDG config and cache dirs, the GOENV file
    at its default place ``home/.config/go/env`` and a git config), ``tmp/`` (TMPDIR and
    GOTMPDIR), ``work/`` (the default working directory) and ``gocache/`` unless a
    shared build cache is given.

    The environment of every command is built from scratch (see :attr:`defaults`); changes made
    with :meth:`setenv`, :meth:`delenv` or :meth:`env_applied` last for the sandbox's life or for a
    ``with`` block, and :meth:`env_diff` shows them.

    :param toolchain: the Go toolchain whose ``GOROOT/bin/go`` the sandbox runs.
    :param root: the sandbox directory (created if missing).
    :param gocache: a shared build cache to use instead of a private ``gocache/``.
    :param env: environment overrides applied at once (``None`` unsets a variable).
    :param timeout: time limit of one command, in seconds; its process group is killed past it.

    Example::

        sandbox = GoEnv(default_toolchain(), "/tmp/sandbox")
        module = sandbox.write_module("example.com/hello", {"main.go": "package main\nfunc main() {}\n"})
        sandbox.run("build", "-o", "hello", ".", cwd=module)
        with sandbox.env_applied(GOOS="windows"):
            sandbox.run("build", ".", cwd=module)
        sandbox.cleanup()
    """

    def __init__(
        self,
        toolchain: GoToolchain,
        root: str | os.PathLike[str],
        *,
        gocache: str | os.PathLike[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.toolchain = toolchain
        self.root = Path(root).resolve()
        self.timeout = check_timeout(timeout, "GoEnv(timeout)")
        self.gopath = self.root / "gopath"
        self.gomodcache = self.gopath / "pkg" / "mod"
        self.home = self.root / "home"
        self.config_home = self.home / ".config"
        self.cache_home = self.home / ".cache"
        self.goenv_file = self.config_home / "go" / "env"
        self.gitconfig = self.home / ".gitconfig"
        self.tmpdir = self.root / "tmp"
        self.workdir = self.root / "work"
        self.gocache = Path(gocache).resolve() if gocache is not None else self.root / "gocache"
        # Only what must exist up front: the go command creates GOPATH, the module
        # cache and GOCACHE itself, and `go env -w` creates the GOENV file.
        switch_off_telemetry(self.config_home)
        self.tmpdir.mkdir(exist_ok=True)
        self.workdir.mkdir(exist_ok=True)
        self.gocache.mkdir(parents=True, exist_ok=True)
        self.gitconfig.write_text(_GITCONFIG)
        self.defaults: dict[str, str] = self._default_env()
        self._overrides: dict[str, str | None] = {}
        self._commands = 0
        for name, value in (env or {}).items():
            self._set(name, value)

    def __repr__(self) -> str:
        return f"<GoEnv {self.toolchain.name} at {self.root}>"

    def _default_env(self) -> dict[str, str]:
        host_path = os.environ.get("PATH", os.defpath)
        return {
            "PATH": os.pathsep.join([str(self.toolchain.bindir), host_path]),
            "HOME": str(self.home),
            "USERPROFILE": str(self.home),
            "XDG_CONFIG_HOME": str(self.config_home),
            "XDG_CACHE_HOME": str(self.cache_home),
            "TMPDIR": str(self.tmpdir),
            "GOTMPDIR": str(self.tmpdir),
            "GOPATH": str(self.gopath),
            "GOMODCACHE": str(self.gomodcache),
            "GOCACHE": str(self.gocache),
            "GOENV": str(self.goenv_file),
            "GOTOOLCHAIN": "local",
            "GOPROXY": "off",
            "GOSUMDB": "off",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(self.gitconfig),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "GCM_INTERACTIVE": "never",
        }

    # -- the environment ---------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        """The exact environment a go command run now gets."""
        return self._merged(self._overrides)

    def env_diff(self, extra: Mapping[str, str | None] | None = None) -> dict[str, str | None]:
        """The variables that differ from the sandbox defaults (``None``: unset)."""
        merged = self._merged({**self._overrides, **(extra or {})})
        diff: dict[str, str | None] = {
            name: value for name, value in merged.items() if self.defaults.get(name) != value
        }
        diff.update({name: None for name in self.defaults if name not in merged})
        return diff

    def _merged(self, overrides: Mapping[str, str | None]) -> dict[str, str]:
        env = dict(self.defaults)
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def setenv(self, name: str, value: str) -> None:
        """Set ``name`` for every later command in this sandbox (an empty string is a value)."""
        self._set(name, value)

    def delenv(self, name: str) -> None:
        """Unset ``name`` (a default included) for every later command in this sandbox."""
        self._set(name, None)

    def _set(self, name: str, value: str | None) -> None:
        problem = env_problem(name, value)
        if problem is not None:
            raise SandboxError(problem)
        self._overrides[name] = value

    @contextmanager
    def env_applied(self, **values: str | None) -> Iterator[GoEnv]:
        """Set (or, with None, unset) variables for the duration of a ``with`` block."""
        saved = dict(self._overrides)
        try:
            for name, value in values.items():
                self._set(name, value)
            yield self
        finally:
            self._overrides = saved

    # -- running commands ---------------------------------------------------------------

    def run(
        self,
        *args: str | os.PathLike[str],
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        check: bool = True,
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> GoResult:
        """Run ``go ARGS`` in the sandbox; with ``check`` a failure raises :class:`GoCommandError`."""
        __tracebackhide__ = True
        return self.exec(self.toolchain.go, *args, cwd=cwd, env=env, check=check, timeout=timeout, stdin=stdin)

    def exec(
        self,
        program: str | os.PathLike[str],
        *args: str | os.PathLike[str],
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        check: bool = True,
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> GoResult:
        """Run any program (a built binary, git, ...) with the sandbox's environment."""
        __tracebackhide__ = True
        extra = dict(env or {})
        for name, value in extra.items():
            problem = env_problem(name, value)
            if problem is not None:
                raise SandboxError(problem)
        full_env = self._merged({**self._overrides, **extra})
        workdir = Path(cwd) if cwd is not None else self.workdir
        if not workdir.is_absolute():
            workdir = self.workdir / workdir
        if not workdir.is_dir():
            raise SandboxError(
                f"cwd {workdir} is not a directory; write files there first (write_files, write_module) "
                "or pass a directory that exists"
            )
        for arg in (program, *args):
            if not isinstance(arg, (str, os.PathLike)):
                raise SandboxError(f"argument {arg!r} ({type(arg).__name__}) is not a string; pass {str(arg)!r}")
        limit = self.timeout if timeout is None else check_timeout(timeout)
        argv = (os.fspath(program), *(os.fspath(arg) for arg in args))
        try:
            outcome = run_process(
                argv, cwd=workdir, env=full_env, timeout=limit, stdin=stdin, spill_to=self._spill_name(argv[0])
            )
        except FileNotFoundError:
            if os.sep in argv[0]:
                raise SandboxError(f"cannot run {argv[0]!r}: no such file (relative to cwd {workdir})") from None
            raise SandboxError(
                f"cannot run {argv[0]!r}: it is not on the sandbox's PATH ({full_env.get('PATH')}); pass its path"
            ) from None
        result = GoResult(
            argv=argv,
            cwd=workdir,
            returncode=outcome.returncode,
            stdout=outcome.stdout,
            stderr=outcome.stderr,
            duration=outcome.duration,
            env=full_env,
            env_diff=self.env_diff(extra),
            timed_out=outcome.timed_out,
            timeout=limit,
            stdout_file=outcome.stdout_file,
            stderr_file=outcome.stderr_file,
            killed_after_exit=outcome.killed_after_exit,
        )
        return result.check() if check else result

    def _spill_name(self, program: str) -> Path:
        """Where a command's output past the memory bound goes: ``output/NNN-program.stdout`` in the sandbox."""
        self._commands += 1
        return self.root / "output" / f"{self._commands:03d}-{Path(program).name}"

    def go_env(self, *names: str, cwd: str | os.PathLike[str] | None = None) -> dict[str, str]:
        """The values the go command computes for ``names`` (all variables if none are given)."""
        result = self.run("env", "-json", *names, cwd=cwd)
        values: Any = json.loads(result.stdout or "{}")
        return {str(key): str(value) for key, value in values.items()}

    # -- files --------------------------------------------------------------------------

    def path(self, relative: str | os.PathLike[str], dest: str | os.PathLike[str] | None = None) -> Path:
        """``relative`` resolved inside ``dest`` (default: the work directory), refusing escapes."""
        base = Path(dest) if dest is not None else self.workdir
        if not base.is_absolute():
            base = self.workdir / base
        try:
            return filetree.resolve_inside(base, relative)
        except filetree.UnsafeFileName as exc:
            raise SandboxError(_outside_message(exc.name, base)) from None

    def write_files(self, files: Mapping[str, str | bytes], dest: str | os.PathLike[str] | None = None) -> Path:
        """Write ``{relative name: content}`` below ``dest`` (default: the work directory)."""
        base = self.path(".", dest)
        try:
            filetree.write_tree(base, files, within=self.root)
        except filetree.LinkLeavesTree as exc:
            raise SandboxError(str(exc)) from None
        except filetree.UnsafeFileName as exc:
            raise SandboxError(_outside_message(exc.name, base)) from None
        return self.mkdir(base)  # the directory returned exists, even for no files

    def mkdir(self, directory: str | os.PathLike[str]) -> Path:
        """Create ``directory`` (relative to the work directory, or absolute inside the sandbox); return it.

        A symlink on the way that leads out of the sandbox is refused, as for every write here::

            goenv.mkdir("gen/out")  # work/gen/out
        """
        path = Path(directory)
        path = path if path.is_absolute() else self.workdir / path
        try:
            return filetree.make_dirs(path, self.root)
        except filetree.LinkLeavesTree as exc:
            raise SandboxError(str(exc)) from None
        except filetree.UnsafeFileName:
            raise SandboxError(f"{path} is outside the sandbox {self.root}; name a directory inside it") from None

    def copy_tree(
        self,
        source: str | os.PathLike[str],
        dest: str | os.PathLike[str] | None = None,
        *,
        ignore: str | Sequence[str] = (),
        include: str | Sequence[str] = (),
        defaults: bool = True,
        warn_above: int = treecopy.SIZE_WARNING_BYTES,
    ) -> Path:
        """Copy a directory of the host (a Go checkout, say) to ``dest`` in the sandbox; return it.

        ``dest`` defaults to ``work/<source's name>``; a relative ``dest`` is taken from the work
        directory, an absolute one must lie inside the sandbox (``go_workspace.dir("m")``, say).
        Left out by default, at any depth: version control and tool cache directories, Python
        virtual environments (any directory holding ``pyvenv.cfg``) and directories whose name
        starts with ``.`` or ``_`` (the go command ignores them). ``ignore`` adds glob patterns
        (matched against names, or against paths below ``source`` for patterns with a ``/``: ``/tests``),
        ``include`` brings back what a default rule leaves out, ``defaults=False`` drops the rules.
        A copy over ``warn_above`` bytes warns (:class:`LargeCopyWarning`), naming the biggest directories.

        Symlinks follow the policy of :mod:`pytest_goenv.sandbox.copylinks`: inside the tree they stay
        links, to a file outside they become copies of it, to a directory outside (or dangling) they are refused.

        Example: ``goenv.copy_tree(checkout, ignore=["testdata/huge"], include=[".config"])``
        """
        origin = Path(source).expanduser()
        if not origin.is_dir():
            raise SandboxError(f"copy_tree: {origin} is not a directory; name the directory to copy into the sandbox")
        target = self._copy_target(origin, dest)
        plan = treecopy.plan_copy(origin, ignore=_patterns(ignore), include=_patterns(include), defaults=defaults)
        message = plan.size_warning(warn_above)
        if message is not None:
            warnings.warn(treecopy.LargeCopyWarning(message), stacklevel=2)
        try:
            copylinks.refuse_outward_dest(target, self.root)
            treecopy.copy_planned(plan, target)
            copylinks.settle_links(origin, target)
        except filetree.UnsafeFileName as exc:
            raise SandboxError(str(exc)) from None
        return target

    def _copy_target(self, origin: Path, dest: str | os.PathLike[str] | None) -> Path:
        """Where ``copy_tree`` writes: below the work directory, or an absolute path inside the sandbox."""
        if dest is None:
            return self.path(origin.resolve().name)
        candidate = Path(dest).expanduser()
        if not candidate.is_absolute():
            return self.path(candidate)
        resolved = candidate.resolve()
        if not resolved.is_relative_to(self.root):
            raise SandboxError(
                f"copy_tree: dest {candidate} is outside the sandbox {self.root}; give a path relative to "
                f"the work directory, or an absolute one inside the sandbox"
            )
        return resolved

    def write_module(
        self,
        module_path: str,
        files: Mapping[str, str | bytes] | None = None,
        go: str | None = "1.21",
        dest: str | os.PathLike[str] | None = None,
    ) -> Path:
        """Write a module (go.mod plus ``files``) and return its directory.

        ``dest`` defaults to ``work/<last element of the module path>``; a ``go.mod``
        in ``files`` replaces the generated one.
        """
        if not module_path or module_path.startswith("/") or " " in module_path:
            raise SandboxError(
                f"{module_path!r} is not a module path (empty, absolute or with a space); "
                "use one like example.com/hello"
            )
        directory = self.path(dest if dest is not None else module_path.rstrip("/").rsplit("/", 1)[-1])
        contents = dict(files or {})
        if "go.mod" not in contents:
            go_line = f"\ngo {go}\n" if go else ""
            contents["go.mod"] = f"module {module_path}\n{go_line}"
        return self.write_files(contents, directory)

    # -- modules: txtar trees, module proxies, git repositories ------------------------------

    def write_txtar(
        self, archive: str | bytes | os.PathLike[str] | txtar.Archive, dest: str | os.PathLike[str] | None = None
    ) -> Path:
        """Unpack a txtar archive (text, a file path or an Archive) below ``dest`` (default: the work dir)."""
        base = self.path(".", dest)
        try:
            from pytest_goenv.modules import txtar

            txtar.extract(txtar.load(archive), base, within=self.root)
        except filetree.LinkLeavesTree as exc:
            raise SandboxError(str(exc)) from None
        return base

    def use_proxy(
        self, *proxies: GoProxy | str, transport: Literal["http", "file"] = "http", any_error: bool = False
    ) -> str:
        """Fetch modules from module proxies (sets GOPROXY, see ``proxy.goproxy_list``); return the value set.

        ``use_proxy(p)`` uses one GoProxy; ``use_proxy(p1, p2, "direct")`` a list tried in order.
        """
        from pytest_goenv.modules.proxy import goproxy_list  # the proxy's modules load on first use

        value = goproxy_list(*proxies, transport=transport, any_error=any_error)
        self.setenv("GOPROXY", value)
        return value

    def use_sumdb(self, db: ChecksumDatabase, *, transport: Literal["http", "proxy"] = "http") -> str:
        """Verify modules against ``db`` (sets GOSUMDB); return the value set.

        ``http`` names the database's own URL (``name+key url``); ``proxy`` gives only its key, so the
        go command reaches it through the GOPROXY's ``sumdb/<name>/`` paths: call ``db.mount_on(proxy)``
        and ``use_proxy(proxy)`` first (anything else raises SumDBError, as the go command would go online).
        """
        value = db.gosumdb_for(transport, goproxy=self.env.get("GOPROXY"))
        self.setenv("GOSUMDB", value)
        return value

    def use_git(self, module_path: str, repo: GitRepo | str | os.PathLike[str]) -> str:
        """Let direct-mode fetches of ``module_path`` reach a local git repository; return the URL routed."""
        from pytest_goenv.modules.vcs import route_module

        return route_module(self.gitconfig, module_path, repo)

    # -- clean-up -----------------------------------------------------------------------

    def make_removable(self) -> None:
        """Give back write permission the module cache takes away, so anything can delete the tree."""
        make_writable(self.root)

    def cleanup(self) -> None:
        """Remove the sandbox directory, read-only module cache files included."""
        remove_tree(self.root)


def _patterns(value: str | Sequence[str]) -> tuple[str, ...]:
    """A glob pattern or several as a tuple (one string is one pattern, not its characters)."""
    return (value,) if isinstance(value, str) else tuple(value)
