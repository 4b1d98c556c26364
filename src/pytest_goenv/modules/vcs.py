"""Local git repositories for the go command's direct (VCS) mode, reached without DNS or network.

:class:`GitRepo` makes repositories with reproducible commits (fixed author, committer and dates; no
host git config). :func:`route_module` makes the go command find one: for a module path it computes
the URL the go command will ask git for (``https://example.com/repo`` for ``example.com/repo.git``,
``https://github.com/owner/repo`` for ``github.com/owner/repo/...``) and writes a
``url.<file:// repo>.insteadOf`` rule for it into the sandbox's git config, so
``GOPROXY=direct``, GONOPROXY, GOPRIVATE, GOVCS and the ``direct`` fallback run real git against it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pytest_goenv.base import filetree
from pytest_goenv.base.errors import GoenvError
from pytest_goenv.base.process import run_process
from pytest_goenv.modules import semver

__all__ = ["DEFAULT_COMMIT_TIME", "GitError", "GitRepo", "git_url_for_module", "route_module"]

DEFAULT_COMMIT_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
"""Date of a repository's first commit; each later commit is one minute later unless told otherwise."""

# The go command's own patterns (cmd/go/internal/vcs): a path with a VCS suffix on any host, and GitHub.
_GENERIC_GIT = re.compile(r"^(?P<repo>([a-z0-9.\-]+\.)+[a-z0-9.\-]+(:[0-9]+)?(/~?[\w.\-]+)+?)\.git(/~?[\w.\-]+)*$")
_GITHUB = re.compile(r"^(?P<root>github\.com/[\w.\-]+/[\w.\-]+)(/[\w.\-]+)*$")


class GitError(GoenvError, RuntimeError):
    """A git command failed, or git is not installed."""


class GitRepo:
    """A git work tree at ``path`` driven with an environment isolated from the host's git config.

    Commits get the author ``pytest-goenv`` and dates from :data:`DEFAULT_COMMIT_TIME`, one minute
    apart, so hashes and pseudo-versions are the same on every run.

    :param path: the work tree (``GitRepo.init(path)`` creates one).
    :param git: the git executable (default: ``git`` on PATH).
    :param timeout: time limit of one git command, in seconds.

    Example (direct-mode fetches of a module served from a local repository)::

        repo = GitRepo.init(tmp_path / "lib")
        repo.commit({"go.mod": "module example.com/lib.git\n\ngo 1.21\n", "lib.go": "package lib\n"})
        repo.tag("v1.0.0")
        goenv.use_git("example.com/lib.git", repo)
        goenv.run("mod", "download", "example.com/lib.git@v1.0.0")
    """

    def __init__(self, path: str | os.PathLike[str], *, git: str | None = None, timeout: float = 60.0) -> None:
        self.path = Path(path).resolve()
        self.git = _find_git(git)
        self.timeout = timeout

    @classmethod
    def init(cls, path: str | os.PathLike[str], *, branch: str = "main", git: str | None = None) -> GitRepo:
        """Create an empty repository at ``path`` on ``branch``."""
        repo = cls(path, git=git)
        repo.path.mkdir(parents=True, exist_ok=True)
        repo.run("init", "-q", f"--initial-branch={branch}")
        return repo

    def __repr__(self) -> str:
        return f"<GitRepo {self.path}>"

    @property
    def url(self) -> str:
        """The repository's ``file://`` URL."""
        return self.path.as_uri()

    def env(self, when: datetime | None = None) -> dict[str, str]:
        """The environment git runs with: no system or global config, fixed identity and dates."""
        stamp = (when or DEFAULT_COMMIT_TIME).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")
        return {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(self.path),
            "LANG": "C",
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": "pytest-goenv",
            "GIT_AUTHOR_EMAIL": "pytest-goenv@example.invalid",
            "GIT_COMMITTER_NAME": "pytest-goenv",
            "GIT_COMMITTER_EMAIL": "pytest-goenv@example.invalid",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }

    def run(self, *args: str, when: datetime | None = None) -> str:
        """Run ``git ARGS`` in the work tree and return its stdout; raise GitError on failure."""
        outcome = run_process([self.git, *args], cwd=self.path, env=self.env(when), timeout=self.timeout)
        if outcome.timed_out or outcome.returncode != 0:
            why = "timed out" if outcome.timed_out else f"exit status {outcome.returncode}"
            raise GitError(f"git {' '.join(args)} in {self.path}: {why}\n{outcome.stderr.strip()}")
        return outcome.stdout

    def write(self, files: Mapping[str, str | bytes]) -> None:
        """Write ``{relative name: content}`` into the work tree (without committing)."""
        try:
            filetree.write_tree(self.path, files)
        except filetree.UnsafeFileName as exc:
            raise GitError(f"{exc.name!r}: file names must be relative and stay inside the repository") from None

    def commit_count(self) -> int:
        """How many commits HEAD has (0 in an empty repository)."""
        if not self._has_head():
            return 0
        return int(self.run("rev-list", "--count", "HEAD").strip())

    def _has_head(self) -> bool:
        outcome = run_process(
            [self.git, "rev-parse", "--verify", "-q", "HEAD"], cwd=self.path, env=self.env(), timeout=self.timeout
        )
        return outcome.returncode == 0

    def commit(
        self,
        files: Mapping[str, str | bytes] | None = None,
        message: str = "commit",
        *,
        remove: tuple[str, ...] = (),
        when: datetime | None = None,
    ) -> str:
        """Write ``files``, delete ``remove``, commit everything and return the full commit hash."""
        self.write(files or {})
        for name in remove:
            self.run("rm", "-q", "-r", "--", name)
        stamp = when or DEFAULT_COMMIT_TIME + timedelta(minutes=self.commit_count())
        self.run("add", "-A")
        self.run("commit", "-q", "--allow-empty", "-m", message, when=stamp)
        return self.head()

    def tag(self, name: str, rev: str = "HEAD", *, message: str | None = None) -> None:
        """Tag ``rev`` as ``name`` (annotated when ``message`` is given)."""
        if message is None:
            self.run("tag", name, rev)
        else:
            self.run("tag", "-a", "-m", message, name, rev, when=self.commit_time(rev))

    def head(self) -> str:
        """The full hash of HEAD."""
        return self.run("rev-parse", "HEAD").strip()

    def commit_time(self, rev: str = "HEAD") -> datetime:
        """The committer date of ``rev``."""
        seconds = int(self.run("log", "-1", "--format=%ct", rev).strip())
        return datetime.fromtimestamp(seconds, tz=timezone.utc)

    def pseudo_version(self, rev: str = "HEAD", older: str | None = None, *, major_version: str = "v0") -> str:
        """The pseudo-version the go command gives ``rev`` when ``older`` is the latest tag before it."""
        return semver.pseudo_version(
            older, self.commit_time(rev), self.run("rev-parse", rev).strip(), major_version=major_version
        )


def _find_git(git: str | None) -> str:
    """``git`` if given, else the git on PATH; GitError when there is none."""
    found = git or shutil.which("git")
    if not found:
        raise GitError("git is not installed (or not on PATH); direct-mode module tests need it")
    return found


def git_url_for_module(module_path: str) -> str:
    """The URL the go command asks git for when it resolves ``module_path`` in direct mode."""
    m = _GENERIC_GIT.match(module_path)
    if m is not None:
        return "https://" + m["repo"]
    m = _GITHUB.match(module_path)
    if m is not None and not m["root"].endswith(".git"):
        return "https://" + m["root"]
    raise GitError(
        f"{module_path!r}: the go command would look this path up on the network; use a module path with a "
        "'.git' element (example.com/repo.git) or one under github.com/OWNER/REPO for a local git repository"
    )


def route_module(
    gitconfig: str | os.PathLike[str],
    module_path: str,
    repo: GitRepo | str | os.PathLike[str],
    *,
    git: str | None = None,
) -> str:
    """Point the go command's git at ``repo`` for ``module_path``; return the URL that was redirected.

    Adds ``url.<file:// repo>.insteadOf = <url>`` to ``gitconfig`` (the sandbox's GIT_CONFIG_GLOBAL).
    """
    url = git_url_for_module(module_path)
    target = repo.url if isinstance(repo, GitRepo) else Path(repo).resolve().as_uri()
    config = Path(gitconfig)
    outcome = run_process(
        [_find_git(git), "config", "--file", str(config), "--add", f"url.{target}.insteadOf", url],
        cwd=config.parent,
        env={"PATH": os.environ.get("PATH", os.defpath), "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(config.parent)},
        timeout=30,
    )
    if outcome.returncode != 0:
        raise GitError(f"cannot write {config}: {outcome.stderr.strip()}")
    return url
