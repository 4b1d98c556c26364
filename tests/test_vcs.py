"""Local git repositories and the go command's direct (VCS) mode, private paths and GOVCS."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pytest_goenv.assertions._golist import json_objects
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.modules.vcs import DEFAULT_COMMIT_TIME, GitError, GitRepo, git_url_for_module
from pytest_goenv.sandbox.goenv import GoEnv

LIB = "example.com/lib.git"
LIB_GO = 'package lib\n\nconst Where = "%s"\n'
APP = 'package main\n\nimport (\n\t"fmt"\n\n\tlib "example.com/lib.git"\n)\n\nfunc main() { fmt.Println(lib.Where) }\n'


def _lib_repo(path: Path, module: str = LIB) -> GitRepo:
    repo = GitRepo.init(path)
    repo.commit({"go.mod": f"module {module}\n\ngo 1.21\n", "lib.go": LIB_GO % "git v1.0.0"}, "first")
    repo.tag("v1.0.0")
    return repo


def _download(goenv: GoEnv, *modules: str) -> list[dict[str, Any]]:
    return json_objects(goenv.run("mod", "download", "-json", *modules).stdout)


# -- GitRepo ----------------------------------------------------------------------------------


def test_commits_are_reproducible_and_isolated_from_the_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "not-a-repo"))  # would break every git command if it leaked
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Host User")
    a, b = GitRepo.init(tmp_path / "a"), GitRepo.init(tmp_path / "b")
    first = a.commit({"f.txt": "x\n"})
    assert b.commit({"f.txt": "x\n"}) == first
    second = a.commit({"f.txt": "y\n"}, "second")
    assert a.commit_count() == 2
    assert a.commit_time(first) == DEFAULT_COMMIT_TIME
    assert a.commit_time(second) == DEFAULT_COMMIT_TIME + timedelta(minutes=1)
    assert a.run("log", "-1", "--format=%an <%ae>").strip() == "pytest-goenv <pytest-goenv@example.invalid>"
    assert a.run("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert a.head() == second


def test_tags_files_and_errors(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "r")
    first = repo.commit({"a.txt": "a\n", "d/b.txt": "b\n"})
    repo.tag("v0.1.0")
    repo.commit(remove=("d",))
    repo.tag("v0.2.0", message="annotated")
    assert repo.run("tag", "-l").split() == ["v0.1.0", "v0.2.0"]
    assert repo.run("cat-file", "-t", "v0.2.0").strip() == "tag"
    assert not (repo.path / "d").exists()
    assert repo.url == repo.path.as_uri()
    with pytest.raises(GitError, match=r"git tag v0.1.0 HEAD in .*: exit status \d+\n.*already exists"):
        repo.tag("v0.1.0")
    with pytest.raises(GitError, match="must be relative"):
        repo.write({"../escape": "x"})
    assert repo.pseudo_version(first) == "v0.0.0-20240101000000-" + first[:12]
    assert repo.pseudo_version("HEAD", "v0.1.0").startswith("v0.1.1-0.20240101000100-")


@pytest.mark.parametrize(
    ("module", "url"),
    [
        ("example.com/lib.git", "https://example.com/lib"),
        ("example.com/lib.git/sub/v2", "https://example.com/lib"),
        ("git.example.com:8443/team/lib.git", "https://git.example.com:8443/team/lib"),
        ("github.com/acme/thing/pkg", "https://github.com/acme/thing"),
    ],
)
def test_git_url_for_module_follows_the_go_command(module: str, url: str) -> None:
    assert git_url_for_module(module) == url


def test_git_url_for_module_refuses_network_lookups() -> None:
    with pytest.raises(GitError, match=r"would look this path up on the network; use a module path with a '.git'"):
        git_url_for_module("example.com/lib")


# -- the go command in direct mode ---------------------------------------------------------------


def test_direct_mode_builds_from_a_local_repository(goenv: GoEnv, tmp_path: Path) -> None:
    repo = _lib_repo(tmp_path / "lib")
    later = repo.commit({"lib.go": LIB_GO % "git HEAD"}, "second")
    assert goenv.use_git(LIB, repo) == "https://example.com/lib"
    goenv.setenv("GOPROXY", "direct")
    app = goenv.write_module("example.com/app", {"main.go": APP})
    goenv.run("get", f"{LIB}@v1.0.0", cwd=app)
    assert goenv.run("run", ".", cwd=app).stdout == "git v1.0.0\n"
    goenv.run("get", f"{LIB}@{later[:12]}", cwd=app)
    assert goenv.run("list", "-m", LIB, cwd=app).stdout.split() == [LIB, repo.pseudo_version(later, "v1.0.0")]
    assert goenv.run("run", ".", cwd=app).stdout == "git HEAD\n"


def test_github_paths_resolve_locally(goenv: GoEnv, tmp_path: Path) -> None:
    repo = _lib_repo(tmp_path / "gh", "github.com/acme/thing")
    goenv.use_git("github.com/acme/thing", repo)
    goenv.setenv("GOPROXY", "direct")
    (info,) = _download(goenv, "github.com/acme/thing@latest")
    assert info["Version"] == "v1.0.0"
    assert info["Origin"] == {
        "VCS": "git",
        "URL": "https://github.com/acme/thing",
        "Hash": repo.head(),
        "TagSum": info["Origin"]["TagSum"],
        "Ref": "refs/tags/v1.0.0",
    }


@pytest.mark.parametrize("variable", ["GONOPROXY", "GOPRIVATE"])
def test_private_modules_come_from_git_not_the_proxy(
    goenv: GoEnv, go_proxy: GoProxy, tmp_path: Path, variable: str
) -> None:
    repo = _lib_repo(tmp_path / "lib")
    goenv.use_git(LIB, repo)
    go_proxy.add("example.com/public", "v1.0.0")
    go_proxy.add(LIB, "v1.0.0", {"lib.go": LIB_GO % "proxy"})
    goenv.use_proxy(go_proxy)
    goenv.setenv(variable, "example.com/lib.git")
    public, private = _download(goenv, "example.com/public@v1.0.0", f"{LIB}@v1.0.0")
    assert public["Sum"] == go_proxy.get("example.com/public", "v1.0.0").h1
    assert private["Origin"]["VCS"] == "git"
    assert private["Sum"] != go_proxy.get(LIB, "v1.0.0").h1
    assert go_proxy.requested("example.com/public", "v1.0.0")
    assert not go_proxy.requested(LIB)


def test_direct_is_the_fallback_after_a_404(goenv: GoEnv, go_proxy: GoProxy, tmp_path: Path) -> None:
    goenv.use_git(LIB, _lib_repo(tmp_path / "lib"))
    goenv.use_proxy(go_proxy, "direct")
    (info,) = _download(goenv, f"{LIB}@v1.0.0")
    assert info["Origin"]["VCS"] == "git"
    assert go_proxy.requested(LIB, "v1.0.0", "info")
    go_proxy.fail(LIB, 500)
    goenv.run("clean", "-modcache")
    failed = goenv.run("mod", "download", f"{LIB}@v1.0.0", check=False)
    assert "500 Internal Server Error" in failed.stderr


def test_govcs_can_forbid_git(goenv: GoEnv, tmp_path: Path) -> None:
    goenv.use_git(LIB, _lib_repo(tmp_path / "lib"))
    goenv.setenv("GOPROXY", "direct")
    goenv.setenv("GOVCS", "example.com:hg")
    failed = goenv.run("mod", "download", f"{LIB}@v1.0.0", check=False)
    assert failed.returncode != 0
    assert "GOVCS disallows using git for public example.com/lib.git" in failed.stderr
    goenv.setenv("GOVCS", "example.com:git")
    goenv.run("mod", "download", f"{LIB}@v1.0.0")
