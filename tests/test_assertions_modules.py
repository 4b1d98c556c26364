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
from pytest_goenv.proxy import GoProxy
from pytest_goenv.sandbox import GoEnv

APP_MAIN = (
    'package main\n\nimport (\n\t"example.com/dep"\n\t"example.com/lib"\n)\n\n'
    "func main() { println(dep.V, lib.V) }\n"
)


@pytest.fixture
def proxy(goenv: GoEnv, go_proxy: GoProxy) -> GoProxy:
    """dep v1.0.0 and v1.1.0, and lib v1.0.0, which requires dep v1.1.0."""
    go_proxy.add("example.com/dep", "v1.0.0", {"dep.go": 'package dep\n\nconst V = "1.0.0"\n'})
    go_proxy.add("example.com/dep", "v1.1.0", {"dep.go": 'package dep\n\nconst V = "1.1.0"\n'})
    go_proxy.add(
        "example.com/lib", "v1.0.0",
        {"go.mod": "module example.com/lib\n\ngo 1.21\n\nrequire example.com/dep v1.1.0\n",
         "lib.go": 'package lib\n\nimport "example.com/dep"\n\nconst V = "lib " + dep.V\n'},
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
    info = assert_resolved(goenv, "example.com/dep", "v1.1.0", directory=goenv.gomodcache / "example.com/dep@v1.1.0",
                           cwd=app)
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
    with pytest.raises(BuildAssertionError, match=r"example\.com/absent did not resolve as expected: the go command "
                       r"could not resolve it: .*example\.com/absent"):
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
