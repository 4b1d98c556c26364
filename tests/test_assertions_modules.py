"""Module helpers against the real go command, with modules served by a local file:// proxy."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_goenv.assertions import (
    BuildAssertionError,
    GoSumLine,
    GoSumWatch,
    assert_go_sum_gained,
    assert_go_sum_unchanged,
    assert_not_vendored,
    assert_resolved,
    assert_vendored,
    read_go_sum,
    resolved_module,
    vendored_packages,
)
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv

APP_MAIN = (
    'package main\n\nimport (\n\t"example.com/dep"\n\t"example.com/lib"\n)\n\nfunc main() { println(dep.V, lib.V) }\n'
)


@pytest.fixture
def proxy(goenv: GoEnv, go_proxy: GoProxy) -> GoProxy:
    """dep v1.0.0 and v1.1.0, and lib v1.0.0, which requires dep v1.1.0."""
    go_proxy.add("example.com/dep", "v1.0.0", {"dep.go": 'package dep\n\nconst V = "1.0.0"\n'})
    go_proxy.add("example.com/dep", "v1.1.0", {"dep.go": 'package dep\n\nconst V = "1.1.0"\n'})
    go_proxy.add(
        "example.com/lib",
        "v1.0.0",
        {
            "go.mod": "module example.com/lib\n\ngo 1.21\n\nrequire example.com/dep v1.1.0\n",
            "lib.go": 'package lib\n\nimport "example.com/dep"\n\nconst V = "lib " + dep.V\n',
        },
    )
    goenv.use_proxy(go_proxy, transport="file")
    return go_proxy


@pytest.fixture
def app(goenv: GoEnv, proxy: GoProxy) -> Path:
    """A main module that asks for dep v1.0.0 and lib v1.0.0 (whose requirement wins)."""
    moddir = goenv.write_module("example.com/app", {"main.go": APP_MAIN})
    goenv.run("get", "example.com/dep@v1.0.0", cwd=moddir)
    goenv.run("get", "example.com/lib@v1.0.0", cwd=moddir)
    return moddir


def test_version_selection_and_directory(goenv: GoEnv, app: Path) -> None:
    info = assert_resolved(
        goenv, "example.com/dep", "v1.1.0", directory=goenv.gomodcache / "example.com/dep@v1.1.0", cwd=app
    )
    assert info.go_version == "1.21"
    assert info.go_mod is not None
    assert info.go_mod.read_text().startswith("module example.com/dep")
    main = resolved_module(goenv, "example.com/app", cwd=app)
    assert (main.main, main.version, main.dir) == (True, None, app)


def test_resolution_failure_shows_the_requirements(goenv: GoEnv, app: Path) -> None:
    with pytest.raises(BuildAssertionError) as failure:
        assert_resolved(goenv, "example.com/dep", "v1.0.0", cwd=app)
    message = str(failure.value)
    assert message.startswith("example.com/dep did not resolve as expected: version v1.1.0 instead of v1.0.0\n")
    cached = goenv.gomodcache / "example.com/dep@v1.1.0"
    assert f"  go list -m: example.com/dep v1.1.0 // indirect\n    dir: {cached}" in message
    assert "    example.com/lib@v1.0.0 requires example.com/dep@v1.1.0" in message


def test_unknown_module_is_reported(goenv: GoEnv, app: Path) -> None:
    info = resolved_module(goenv, "example.com/absent", cwd=app)
    assert info.error is not None
    with pytest.raises(
        BuildAssertionError,
        match=r"example\.com/absent did not resolve as expected: the go command "
        r"could not resolve it: .*example\.com/absent",
    ):
        assert_resolved(goenv, "example.com/absent", cwd=app)


def test_replacement_by_a_directory(goenv: GoEnv, app: Path) -> None:
    fork = goenv.write_module("example.com/dep", {"dep.go": 'package dep\n\nconst V = "fork"\n'}, dest="fork")
    goenv.run("mod", "edit", "-replace", "example.com/dep=../fork", cwd=app)
    info = assert_resolved(goenv, "example.com/dep", "v1.1.0", replaced_by="../fork", directory=fork, cwd=app)
    assert info.used.dir == fork
    with pytest.raises(BuildAssertionError, match=r"replacement \.\./fork instead of example\.com/other"):
        assert_resolved(goenv, "example.com/dep", replaced_by="example.com/other", cwd=app)


def test_vendor_directory_use(goenv: GoEnv, app: Path) -> None:
    assert vendored_packages(goenv, ".", cwd=app) == {"example.com/dep": False, "example.com/lib": False}
    assert_not_vendored(goenv, ".", cwd=app)
    goenv.run("mod", "vendor", cwd=app)
    assert_vendored(goenv, ".", cwd=app)
    assert resolved_module(goenv, "example.com/dep", cwd=app).dir is None  # vendor mode reports no directory
    assert_not_vendored(goenv, ".", cwd=app, env={"GOFLAGS": "-mod=mod"})
    with pytest.raises(BuildAssertionError) as failure:
        assert_not_vendored(goenv, ".", cwd=app)
    message = str(failure.value)
    assert "expected the dependencies of . to be built from the module cache, not vendor/, but:" in message
    assert "  example.com/dep: vendor/\n  example.com/lib: vendor/" in message
    with pytest.raises(BuildAssertionError, match=r"example\.com/dep: module cache(.|\n)*GOFLAGS='-mod=mod'"):
        assert_vendored(goenv, ".", cwd=app, env={"GOFLAGS": "-mod=mod"})


def test_no_dependencies_cannot_be_vendored(goenv: GoEnv) -> None:
    moddir = goenv.write_module("example.com/alone", {"a.go": 'package a\n\nimport "fmt"\n\nvar _ = fmt.Sprint\n'})
    with pytest.raises(BuildAssertionError, match="has no dependencies outside the standard library"):
        assert_vendored(goenv, ".", cwd=moddir)


def test_go_sum_gains(goenv: GoEnv, proxy: GoProxy) -> None:
    moddir = goenv.write_module("example.com/app", {"main.go": APP_MAIN})
    sums = GoSumWatch(moddir)
    goenv.run("get", "example.com/dep@v1.0.0", cwd=moddir)
    dep = proxy.get("example.com/dep", "v1.0.0")
    changes = assert_go_sum_gained(sums, [f"example.com/dep v1.0.0 {dep.h1}", "example.com/dep v1.0.0/go.mod"])
    assert [line.for_go_mod for line in changes.added] == [False, True]
    assert read_go_sum(moddir / "go.sum") == set(changes.added)
    after_dep = GoSumWatch(moddir / "go.sum")
    goenv.run("list", "-deps", "example.com/dep", cwd=moddir)
    assert_go_sum_unchanged(after_dep)
    goenv.run("get", "example.com/lib@v1.0.0", cwd=moddir)
    assert_go_sum_gained(after_dep, ["example.com/lib v1.0.0"], exact=False)
    with pytest.raises(BuildAssertionError) as failure:
        assert_go_sum_gained(after_dep, ["example.com/lib v1.0.0", "example.com/lib v1.0.0/go.mod"])
    message = str(failure.value)
    assert "gained but not expected: example.com/dep v1.1.0, example.com/dep v1.1.0/go.mod" in message
    assert f"  + example.com/dep v1.1.0 {proxy.get('example.com/dep', 'v1.1.0').h1}" in message
    with pytest.raises(BuildAssertionError, match=r"go\.sum to be unchanged, but:\n  \+ example\.com/dep v1\.1\.0 "):
        assert_go_sum_unchanged(after_dep)


def test_go_sum_lines_are_validated(tmp_path: Path) -> None:
    assert read_go_sum(tmp_path / "go.sum") == frozenset()
    (tmp_path / "go.sum").write_text("example.com/x v1.0.0 h1:abc=\nexample.com/x v1.0.0\n")
    with pytest.raises(ValueError, match=r"go\.sum:2: not a go\.sum line"):
        read_go_sum(tmp_path / "go.sum")
    line = GoSumLine("example.com/x", "v1.0.0/go.mod", "h1:abc=")
    assert line.matches("example.com/x v1.0.0/go.mod")
    assert not line.matches("example.com/x v1.0.0")
    assert str(line) == "example.com/x v1.0.0/go.mod h1:abc="


# -- what the module helpers refuse to judge -------------------------------------------------


def test_vendoring_of_what_cannot_be_found_is_refused(goenv: GoEnv, app: Path) -> None:
    with pytest.raises(BuildAssertionError) as failure:
        assert_not_vendored(goenv, "example.com/zzz", cwd=app)
    message = str(failure.value)
    assert message.startswith(
        "go list could not load every package of example.com/zzz, so it cannot tell where "
        "their dependencies come from:\n  example.com/zzz: no required module provides"
    )
    assert f"cwd:     {app}" in message
    goenv.write_files({"imp/imp.go": 'package imp\n\nimport _ "example.com/zzz"\n'}, dest=app)
    with pytest.raises(
        BuildAssertionError,
        match=r"example\.com/zzz \(imported by example\.com/app/imp\): no "
        r"required module provides package example\.com/zzz",
    ):
        assert_not_vendored(goenv, "./imp", cwd=app)
    with pytest.raises(BuildAssertionError, match=r"could not load every package of \./nothing"):
        vendored_packages(goenv, "./nothing", cwd=app)


def test_vendoring_failure_shows_the_command_and_environment(goenv: GoEnv, app: Path) -> None:
    goenv.run("mod", "vendor", cwd=app)
    with pytest.raises(BuildAssertionError) as failure:
        assert_vendored(goenv, ".", cwd=app, env={"GOFLAGS": "-mod=mod"})
    message = str(failure.value)
    assert "  example.com/dep: module cache" in message
    assert "    GOFLAGS=-mod=mod" in message
    assert "command: " in message
    assert "list -json -deps -e ." in message


def test_resolution_failure_shows_the_command_and_environment(goenv: GoEnv, app: Path) -> None:
    with pytest.raises(BuildAssertionError) as failure:
        assert_resolved(goenv, "example.com/dep", "v1.0.0", cwd=app, env={"GOFLAGS": "-mod=mod"})
    message = str(failure.value)
    assert "version v1.1.0 instead of v1.0.0" in message
    assert "list -json -m -e example.com/dep" in message
    assert "    GOFLAGS=-mod=mod" in message
    assert f"cwd:     {app}" in message


def test_go_sum_watch_needs_a_directory_that_exists(goenv: GoEnv, tmp_path: Path) -> None:
    with pytest.raises(
        FileNotFoundError,
        match=r"GoSumWatch: \S+/absent does not exist; give the directory of a "
        r"module that exists",
    ):
        GoSumWatch(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        GoSumWatch(tmp_path / "absent" / "go.sum")
    moddir = goenv.write_module("example.com/new", {"a.go": "package a\n"})
    created = GoSumWatch(moddir)
    assert created.path == moddir / "go.sum"
    assert_go_sum_unchanged(created)
    (moddir / "go.sum").write_text("")
    with pytest.raises(BuildAssertionError, match=r"to be unchanged, but:\n  \(go\.sum was created, with no lines\)"):
        assert_go_sum_unchanged(created)
    deleted = GoSumWatch(moddir / "go.sum")
    (moddir / "go.sum").unlink()
    with pytest.raises(BuildAssertionError, match=r"\(go\.sum was deleted; it had no lines\)"):
        assert_go_sum_unchanged(deleted)
    with pytest.raises(BuildAssertionError, match="  the file was deleted"):
        assert_go_sum_gained(deleted, [])


def test_go_sum_entries_must_be_a_list(goenv: GoEnv, tmp_path: Path) -> None:
    watch = GoSumWatch(tmp_path)
    with pytest.raises(TypeError) as failure:
        assert_go_sum_gained(watch, "example.com/lib v1.0.0")
    assert str(failure.value) == (
        "entries must be a list of strings, not the string 'example.com/lib v1.0.0'; "
        "write entries=['example.com/lib v1.0.0']"
    )
    with pytest.raises(ValueError, match="no entries and exact=False cannot fail"):
        assert_go_sum_gained(watch, [], exact=False)
    assert_go_sum_gained(watch, [])  # exact: nothing gained, which can fail
    (tmp_path / "go.sum").write_text("example.com/x v1.0.0 h1:abc=\n")
    with pytest.raises(BuildAssertionError, match=r"gained but not expected: example\.com/x v1\.0\.0"):
        assert_go_sum_gained(watch, [])
