"""Copying a checkout: what is left out by default, ignore= and include=, the size warning."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from pytest_goenv.base.treecopy import copy_planned, plan_copy


def _checkout(root: Path) -> Path:
    """A Go library checkout as found in the wild: a venv, VCS data, caches, tool directories."""
    files = {
        "go.mod": "module example.com/lib\n\ngo 1.21\n",
        "lib.go": "package lib\n",
        "lib_linux.go": "//go:build linux\n\npackage lib\n",
        "cmd/tool/main.go": "package main\n\nfunc main() {}\n",
        "testdata/input.txt": "data\n",
        ".gitignore": ".venv/\n",
        ".git/HEAD": "ref: refs/heads/main\n",
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        ".venv/lib/go/bin/go": "not really go\n",
        "env2/pyvenv.cfg": "home = /usr/bin\n",
        "env2/bin/python": "#!\n",
        "__pycache__/x.pyc": "",
        "pkg/__pycache__/y.pyc": "",
        "node_modules/a/index.js": "",
        "_examples/ex.go": "package ex\n",
        ".github/workflows/ci.yml": "on: push\n",
        "pkg/sub.go": "package pkg\n",
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def _names(paths: list[PurePosixPath]) -> set[str]:
    return {path.as_posix() for path in paths}


def test_default_rules_keep_the_go_files_and_leave_out_the_rest(tmp_path: Path) -> None:
    plan = plan_copy(_checkout(tmp_path / "lib"))
    assert _names(plan.files) == {
        "go.mod", "lib.go", "lib_linux.go", "cmd/tool/main.go", "testdata/input.txt", ".gitignore", "pkg/sub.go",
    }  # fmt: skip
    reasons = dict(plan.left_out)
    assert reasons[".venv"] == "a Python virtual environment"
    assert reasons["env2"] == "a Python virtual environment"  # found by its pyvenv.cfg, whatever its name
    assert reasons[".git"] == "version control or a tool's cache"
    assert reasons["pkg/__pycache__"] == "version control or a tool's cache"  # at any depth
    assert reasons["node_modules"] == "version control or a tool's cache"
    assert reasons["_examples"].startswith("a name starting with '.' or '_'")
    assert reasons[".github"].startswith("a name starting with '.' or '_'")


def test_copy_writes_the_plan_with_modes_and_links(tmp_path: Path) -> None:
    source = _checkout(tmp_path / "lib")
    (source / "run.sh").write_text("#!/bin/sh\n")
    (source / "run.sh").chmod(0o755)
    os.symlink("lib.go", source / "alias.go")
    dest = copy_planned(plan_copy(source), tmp_path / "out" / "lib")
    assert (dest / "cmd" / "tool" / "main.go").read_text() == "package main\n\nfunc main() {}\n"
    assert os.access(dest / "run.sh", os.X_OK)
    assert os.readlink(dest / "alias.go") == "lib.go"
    assert not (dest / ".venv").exists()
    assert not (dest / ".git").exists()
    copy_planned(plan_copy(source), dest)  # copying again over the same tree works
    assert os.readlink(dest / "alias.go") == "lib.go"


def test_ignore_adds_patterns_by_name_or_by_path(tmp_path: Path) -> None:
    source = _checkout(tmp_path / "lib")
    plan = plan_copy(source, ignore=["*_linux.go", "cmd/tool"])
    assert "lib_linux.go" not in _names(plan.files)
    assert ("cmd/tool", "ignore=") in plan.left_out
    assert "cmd" in _names(plan.dirs)
    anchored = plan_copy(source, ignore=["/pkg", "/sub.go"])  # a leading '/' ties a pattern to the root
    assert ("pkg", "ignore=") in anchored.left_out
    deep = plan_copy(source, ignore=["/sub.go"])
    assert "pkg/sub.go" in _names(deep.files)


def test_include_brings_back_what_a_default_rule_leaves_out(tmp_path: Path) -> None:
    source = _checkout(tmp_path / "lib")
    plan = plan_copy(source, include=[".github", "_examples"])
    assert {".github/workflows/ci.yml", "_examples/ex.go"} <= _names(plan.files)
    everything = plan_copy(source, defaults=False)
    assert ".venv/lib/go/bin/go" in _names(everything.files)
    assert everything.left_out == []


def test_the_size_warning_names_the_biggest_directories(tmp_path: Path) -> None:
    source = tmp_path / "lib"
    (source / "assets").mkdir(parents=True)
    (source / "assets" / "blob.bin").write_bytes(b"\0" * 3_000_000)
    (source / "docs").mkdir()
    (source / "docs" / "big.pdf").write_bytes(b"\0" * 1_000_000)
    (source / "go.mod").write_text("module example.com/lib\n")
    plan = plan_copy(source)
    assert plan.total_bytes == 4_000_000 + len("module example.com/lib\n")
    assert plan.size_warning() is None
    warning = plan.size_warning(limit=2_000_000)
    assert warning is not None
    assert "4.0 MB into every sandbox" in warning
    assert "the biggest: assets (3.0 MB), docs (1.0 MB), go.mod (0.0 MB)" in warning
    assert "ignore=[...]" in warning


@pytest.mark.parametrize("name", [".venv", "venv", "python-env"])
def test_a_virtual_environment_is_found_by_its_marker_file(tmp_path: Path, name: str) -> None:
    source = tmp_path / "lib"
    (source / name).mkdir(parents=True)
    (source / name / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (source / "go.mod").write_text("module example.com/lib\n")
    assert plan_copy(source).left_out == [(name, "a Python virtual environment")]
