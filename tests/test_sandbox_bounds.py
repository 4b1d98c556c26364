"""What a sandbox refuses or bounds: writes through symlinks leaving it, unbounded output, control
characters in reports, and time limits or environment entries that cannot work (checked up front)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_goenv.base.process import DEFAULT_OUTPUT_LIMIT
from pytest_goenv.sandbox.goenv import GoEnv, SandboxError
from pytest_goenv.sandbox.gopath import GoPath
from pytest_goenv.sandbox.workspace import GoWorkspace
from pytest_goenv.toolchains.toolchain import GoToolchain


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A host directory outside the sandbox, with a symlink to it in the sandbox's work directory."""
    host = tmp_path / "host"
    host.mkdir()
    return host


def _link_out(goenv: GoEnv, outside: Path, where: Path) -> Path:
    where.parent.mkdir(parents=True, exist_ok=True)
    where.symlink_to(outside, target_is_directory=True)
    return where


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda g: g.write_files({"link/x.go": "package x\n"}), id="write_files-name"),
        pytest.param(lambda g: g.write_files({"x.go": "package x\n"}, dest="link/sub"), id="write_files-dest"),
        pytest.param(lambda g: g.write_module("example.com/m", {}, dest="link"), id="write_module"),
        pytest.param(lambda g: g.write_txtar("-- link/a.txt --\nhello\n"), id="write_txtar"),
        pytest.param(lambda g: g.mkdir("link/new"), id="mkdir"),
        pytest.param(lambda g: GoWorkspace(g, "link/ws"), id="workspace-root"),
    ],
)
def test_writes_do_not_follow_a_link_out_of_the_sandbox(goenv: GoEnv, outside: Path, write: object) -> None:
    link = _link_out(goenv, outside, goenv.workdir / "link")
    with pytest.raises(SandboxError, match=rf"{link} is a symlink to {outside}, outside {goenv.root}"):
        write(goenv)  # type: ignore[operator]
    assert list(outside.iterdir()) == [], "something was written on the host"


def test_a_dangling_link_out_is_not_created_through(goenv: GoEnv, outside: Path) -> None:
    (goenv.workdir / "go.mod").symlink_to(outside / "created-on-the-host")
    with pytest.raises(SandboxError, match=r"go\.mod is a symlink to"):
        goenv.write_files({"go.mod": "module m\n"})
    assert list(outside.iterdir()) == []


def test_links_inside_the_sandbox_are_followed(goenv: GoEnv) -> None:
    (goenv.workdir / "real").mkdir()
    (goenv.workdir / "alias").symlink_to(goenv.workdir / "real")
    goenv.write_files({"alias/a.txt": "through an inward link"})
    assert (goenv.workdir / "real" / "a.txt").read_text() == "through an inward link"


def test_workspace_modules_and_gopath_packages_refuse_a_link_out(goenv: GoEnv, outside: Path) -> None:
    workspace = GoWorkspace(goenv)
    _link_out(goenv, outside, workspace.root / "lib")
    with pytest.raises(SandboxError, match="is a symlink to"):
        workspace.add_module("lib", "example.com/lib")
    _link_out(goenv, outside, goenv.gopath / "src" / "example.com")
    with pytest.raises(SandboxError, match=r"example\.com is a symlink to"):
        GoPath(goenv).add_package("example.com/p", {"p.go": "package p\n"})
    assert list(outside.iterdir()) == []


def test_copy_tree_refuses_a_destination_through_a_link_out(goenv: GoEnv, outside: Path, tmp_path: Path) -> None:
    source = tmp_path / "module"
    source.mkdir()
    (source / "go.mod").write_text("module example.com/m\n")
    _link_out(goenv, outside, goenv.workdir / "link")
    with pytest.raises(SandboxError, match="link is a symlink to"):
        goenv.copy_tree(source, dest="link")
    assert list(outside.iterdir()) == []


def test_copy_tree_link_policy(goenv: GoEnv, tmp_path: Path) -> None:
    # Inside the tree: kept as a link (an absolute one made relative); to a file outside: a copy of it;
    # to a directory outside: refused, naming the link.
    source = tmp_path / "repo" / "module"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "p.go").write_text("package pkg\n")
    (tmp_path / "repo" / "LICENSE").write_text("the license\n")
    (source / "relative").symlink_to("pkg")
    (source / "absolute").symlink_to(source / "pkg" / "p.go")
    (source / "LICENSE").symlink_to("../LICENSE")
    copied = goenv.copy_tree(source)
    assert os.readlink(copied / "relative") == "pkg"
    assert os.readlink(copied / "absolute") == "pkg/p.go"
    assert (copied / "absolute").resolve() == (copied / "pkg" / "p.go").resolve()
    assert not (copied / "LICENSE").is_symlink()
    assert (copied / "LICENSE").read_text() == "the license\n"

    (source / "shared").symlink_to(tmp_path / "repo", target_is_directory=True)
    with pytest.raises(SandboxError, match=r"module/shared is a symlink to .*names a directory outside"):
        goenv.copy_tree(source, dest="again")
    assert not (goenv.workdir / "again" / "shared").exists(), "the outward link was left in the sandbox"


def test_output_past_the_bound_is_spilled_to_a_file(goenv: GoEnv) -> None:
    size = DEFAULT_OUTPUT_LIMIT + 1_000_000
    result = goenv.exec("/bin/sh", "-c", f"head -c {size} /dev/zero | tr '\\0' a; echo done >&2")
    assert len(result.stdout) == DEFAULT_OUTPUT_LIMIT
    assert result.stdout_file is not None
    assert result.stdout_file.parent == goenv.root / "output"
    assert result.stdout_file.stat().st_size == size
    assert (result.stderr, result.stderr_file) == ("done\n", None)
    assert f"all {size} bytes are in {result.stdout_file}" in result.describe()


def test_control_characters_are_escaped_in_reports(goenv: GoEnv) -> None:
    script = r"printf '\033]0;owned\007\033[2Jred\r\n'; exit 3"
    result = goenv.exec("/bin/sh", "-c", script, check=False)
    assert "\x1b" in result.stdout  # the result keeps what was printed
    report = result.describe()
    assert "\x1b" not in report
    assert "\x07" not in report
    assert r"\x1b]0;owned\x07\x1b[2Jred" in report


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan"), True, "60"])
def test_time_limits_must_be_positive_and_finite(goenv: GoEnv, go_toolchain: GoToolchain, timeout: object) -> None:
    with pytest.raises(ValueError, match="time limit"):
        goenv.run("version", timeout=timeout)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time limit"):
        GoEnv(go_toolchain, goenv.root / "other", timeout=timeout)  # type: ignore[arg-type]


def test_a_huge_finite_time_limit_works(goenv: GoEnv) -> None:
    assert goenv.run("version", timeout=1e300).ok


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [("A=B", "x", "contains '='"), ("", "x", "name ''"), ("A\0B", "x", "NUL"), ("A", "x\0y", "NUL byte")],
)
def test_environment_entries_that_cannot_exist(goenv: GoEnv, name: str, value: str, problem: str) -> None:
    with pytest.raises(SandboxError, match=problem):
        goenv.setenv(name, value)
    with pytest.raises(SandboxError, match=problem):
        goenv.run("version", env={name: value})


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('timeout=float("inf")', "timeout=inf: a time limit must be a positive, finite number of seconds"),
        ('timeout=float("nan")', "timeout=nan: a time limit must be a positive, finite number of seconds"),
        ('env={"A=B": "x"}', "invalid environment variable name 'A=B': it contains '='"),
        ('env={"A": "x\\0y"}', "A: the value 'x\\x00y' contains a NUL byte"),
    ],
)
def test_marker_limits_and_env_are_collection_errors(pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(f"import pytest\n\n@pytest.mark.goenv({marker})\ndef test_marked(goenv):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*test_marked*{message}*"])


def test_an_empty_go_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(goenv):\n    pass\n")
    result = pytester.runpytest("--go=")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --go= names no toolchain*"])
