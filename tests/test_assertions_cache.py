"""Build-cache helpers against the real go command.

The plugin shares one warm GOCACHE between tests, so every package here carries a
fresh token: its first build is a genuine miss however often the suite has run.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from pytest_goenv.assertions import (
    BuildAssertionError,
    assert_cache_hit,
    assert_cache_miss,
    assert_stale,
    assert_test_cached,
    assert_test_ran,
    assert_up_to_date,
    build_actions,
    go_test_outcomes,
    stale_packages,
)
from pytest_goenv.readers.buildlog import BuildArgs, parse_build_args
from pytest_goenv.sandbox.goenv import GoEnv


@pytest.fixture
def module(goenv: GoEnv) -> Path:
    token = uuid.uuid4().hex
    return goenv.write_module(
        "example.com/c",
        {
            "lib/lib.go": f'package lib\n\nconst Token = "{token}"\n\nfunc Double(n int) int {{ return 2 * n }}\n',
            "lib/lib_test.go": 'package lib\n\nimport "testing"\n\n'
            "func TestDouble(t *testing.T) {\n\tif Double(2) != 4 {\n\t\tt.Fatal(Token)\n\t}\n}\n",
            "cmd/tool/main.go": f'package main\n\nimport "example.com/c/lib"\n\n'
            f'func main() {{ println(lib.Double(1), "{token}") }}\n',
        },
    )


def test_second_build_hits_the_cache(goenv: GoEnv, module: Path) -> None:
    first = goenv.run("build", "-x", "./lib", cwd=module)
    actions = assert_cache_miss(first, "example.com/c/lib")
    assert [str(action) for action in actions.compiled] == ["example.com/c/lib"]
    assert_cache_miss(first, "./lib")
    assert_cache_miss(first)
    second = goenv.run("build", "-x", "./lib", cwd=module)
    assert build_actions(second).compiled == ()
    assert_cache_hit(second)
    assert_cache_hit(second, "example.com/c/lib", "./lib")


def test_cache_hit_failure_lists_what_was_compiled(goenv: GoEnv, module: Path) -> None:
    first = goenv.run("build", "-x", "./lib", cwd=module)
    with pytest.raises(BuildAssertionError) as failure:
        assert_cache_hit(first, "./lib")
    message = str(failure.value)
    assert message.startswith("expected `go build` to take ./lib from the build cache, but it compiled ./lib")
    assert "  compiled (1):\n    example.com/c/lib" in message
    assert f"GOCACHE: {goenv.gocache}" in message
    assert "command: " in message


def test_cache_miss_failure_and_changed_inputs(goenv: GoEnv, module: Path) -> None:
    goenv.run("build", "-x", "./lib", cwd=module)
    again = goenv.run("build", "-x", "./lib", cwd=module)
    with pytest.raises(
        BuildAssertionError,
        match=r"expected `go build` to compile example\.com/c/lib, "
        r"but the build cache supplied it",
    ):
        assert_cache_miss(again, "example.com/c/lib")
    # another target architecture is another cache key
    assert_cache_miss(goenv.run("build", "-x", "./lib", cwd=module, env={"GOARCH": "arm64"}), "./lib")
    # so is a changed source file
    (module / "lib" / "extra.go").write_text("package lib\n\nconst Extra = 1\n")
    assert_cache_miss(goenv.run("build", "-x", "./lib", cwd=module), "example.com/c/lib")


def test_build_actions_needs_a_trace(goenv: GoEnv, module: Path) -> None:
    result = goenv.run("build", "./lib", cwd=module)
    with pytest.raises(ValueError, match="was run without -x"):
        build_actions(result)
    traced = goenv.run("build", "./lib", cwd=module, env={"GOFLAGS": "-x"})
    assert build_actions(traced).compiled == ()


def test_staleness_before_and_after_a_build(goenv: GoEnv, module: Path) -> None:
    assert stale_packages(goenv, "./lib", cwd=module) == {"example.com/c/lib": "build ID mismatch"}
    assert_stale(goenv, "./lib", reason="build ID mismatch", cwd=module)
    with pytest.raises(BuildAssertionError) as failure:
        assert_up_to_date(goenv, "./lib", cwd=module)
    assert "a build would compile 1 package(s):\n  example.com/c/lib: build ID mismatch" in str(failure.value)
    goenv.run("build", "./lib", cwd=module)
    assert stale_packages(goenv, "./lib", deps=True, cwd=module) == {}
    assert_up_to_date(goenv, "./lib", cwd=module)
    with pytest.raises(BuildAssertionError, match=r"example\.com/c/lib: up to date \(the build cache has it\)"):
        assert_stale(goenv, "./lib", cwd=module)
    (module / "lib" / "lib.go").write_text("package lib\n")
    with pytest.raises(
        BuildAssertionError,
        match=r"example\.com/c/lib: stale, but because 'build ID mismatch', "
        r"which does not match /stale dependency/",
    ):
        assert_stale(goenv, "./lib", reason="stale dependency", cwd=module)


def test_command_counts_as_cached_once_built(goenv: GoEnv, module: Path) -> None:
    first = goenv.run("build", "-x", "-o", goenv.tmpdir / "tool", "./cmd/tool", cwd=module)
    assert_cache_miss(first, "./cmd/tool", "example.com/c/lib")
    assert "main (" in " ".join(build_actions(first).packages)
    assert_up_to_date(goenv, "./cmd/tool", cwd=module)
    assert build_actions(first).linked == ("$WORK/b001/exe/a.out",)
    elsewhere = goenv.run("build", "-x", "-o", goenv.tmpdir / "tool2", "./cmd/tool", cwd=module)
    actions = assert_cache_hit(elsewhere, "./cmd/tool")
    assert actions.linked  # a new output file is linked from cached packages
    same = goenv.run("build", "-x", "-o", goenv.tmpdir / "tool2", "./cmd/tool", cwd=module)
    assert build_actions(same).linked == ()  # an up-to-date output file is left alone
    assert_stale(goenv, "./lib", reason="build ID mismatch", cwd=module, env={"GOARCH": "386"})


def test_test_results_are_replayed_from_the_cache(goenv: GoEnv, module: Path) -> None:
    first = goenv.run("test", "./...", cwd=module)
    outcomes = assert_test_ran(first, "example.com/c/lib")
    assert outcomes["example.com/c/lib"].status == "ok"
    assert go_test_outcomes(first)["example.com/c/cmd/tool"].status == "no test files"
    second = goenv.run("test", "./...", cwd=module)
    assert_test_cached(second)
    with pytest.raises(BuildAssertionError) as failure:
        assert_test_ran(second, "example.com/c/lib")
    message = str(failure.value)
    assert "expected `go test` to run the tests (not replay a cached result) for example.com/c/lib" in message
    assert "example.com/c/lib\t(cached)" in message
    as_json = goenv.run("test", "-json", "./lib", cwd=module)
    assert_test_ran(as_json)  # -json is another flag set, so another cache entry
    assert_test_cached(goenv.run("test", "-json", "./lib", cwd=module), "example.com/c/lib")
    with pytest.raises(BuildAssertionError, match=r"example\.com/c/other: no summary line"):
        assert_test_cached(second, "example.com/c/other")


def test_cgo_package_is_found_by_its_directory(goenv: GoEnv, module: Path) -> None:
    if not goenv.toolchain.cgo:
        pytest.skip(f"{goenv.toolchain.name} has no working C compiler")
    token = uuid.uuid4().hex
    source = (
        f'package cg\n\n// int twice(int x) {{ return 2 * x; }}\nimport "C"\n\nconst T = "{token}"\n\n'
        "func Twice(n int) int { return int(C.twice(C.int(n))) }\n"
    )
    goenv.write_files({"cg/c.go": source}, dest=module)
    first = goenv.run("build", "-x", "./cg", cwd=module)
    actions = assert_cache_miss(first, "./cg", "example.com/c/cg")
    # with a cold shared cache runtime/cgo is built too: look only at this package
    assert [action.dir for action in actions.cgo if action.package == "example.com/c/cg"] == [module / "cg"]
    assert [action.dir for action in actions.compiled if action.package == "example.com/c/cg"] == [module / "cg"]
    assert_cache_hit(goenv.run("build", "-x", "./cg", cwd=module), "./cg")


def test_failing_tests_are_never_replayed(goenv: GoEnv, module: Path) -> None:
    failing = 'package lib\n\nimport "testing"\n\nfunc TestFails(t *testing.T) { t.Fatal("no") }\n'
    goenv.write_files({"lib/fail_test.go": failing}, dest=module)
    for _ in range(2):
        result = goenv.run("test", "./lib", cwd=module, check=False)
        outcome = assert_test_ran(result, "example.com/c/lib")["example.com/c/lib"]
        assert (outcome.status, outcome.cached) == ("FAIL", False)
    with pytest.raises(
        BuildAssertionError,
        match=r"expected `go test` to replay cached results for "
        r"example\.com/c/lib, but:\n  FAIL\texample\.com/c/lib\t",
    ):
        assert_test_cached(result)


# -- what the cache helpers refuse to judge ---------------------------------------------------


def test_failed_build_is_neither_a_hit_nor_a_miss(goenv: GoEnv, module: Path) -> None:
    failed = goenv.run("build", "-x", "./bad", cwd=module, check=False)
    assert not failed.ok
    assert build_actions(failed).compiled == ()
    with pytest.raises(BuildAssertionError) as failure:
        assert_cache_hit(failed)
    message = str(failure.value)
    assert message.startswith(
        "expected `go build` to take packages from the build cache, but it exited with status 1 after "
    )
    assert "a failed build says nothing about the build cache" in message
    assert "command: " in message
    assert "directory not found" in message
    with pytest.raises(BuildAssertionError, match=r"to compile packages, but it exited with status 1"):
        assert_cache_miss(failed)


def test_named_packages_must_be_part_of_the_build(goenv: GoEnv, module: Path) -> None:
    first = goenv.run("build", "-x", "./lib", cwd=module)
    second = goenv.run("build", "-x", "./lib", cwd=module)
    assert_cache_hit(second, "example.com/c/lib", "./lib")
    with pytest.raises(BuildAssertionError) as failure:
        assert_cache_hit(second, "example.com/c/lbi")
    message = str(failure.value)
    assert message.startswith(
        "example.com/c/lbi is not among the 1 packages `go build` built (./lib and their "
        "dependencies), so whether it came from the build cache cannot be judged"
    )
    assert "command: " in message
    assert " list " in message
    with pytest.raises(BuildAssertionError, match=r"^\./cmd/tool is not among the 1 packages"):
        assert_cache_miss(first, "./cmd/tool")
    # a command's dependencies count, found through the flags (-o takes a value) and package arguments
    exe = goenv.tmpdir / "tool"
    goenv.run("build", "-o", exe, "./cmd/tool", cwd=module)
    again = goenv.run("build", "-x", "-o", exe, "-p", "1", "./cmd/tool", cwd=module)
    assert_cache_hit(again, "example.com/c/lib", "./lib", "./cmd/tool", "runtime")
    with pytest.raises(
        BuildAssertionError,
        match=r"^net/http is not among the \d+ packages `go build` built "
        r"\(\./cmd/tool and their dependencies\)",
    ):
        assert_cache_hit(again, "net/http")


def test_go_test_counts_its_test_dependencies(goenv: GoEnv, module: Path) -> None:
    goenv.run("test", "-x", "./lib", cwd=module)
    replayed = goenv.run("test", "-x", "./lib", cwd=module)
    assert_cache_hit(replayed, "testing", "example.com/c/lib")
    with pytest.raises(BuildAssertionError, match=r"^example\.com/c/cmd/tool is not among"):
        assert_cache_hit(replayed, "example.com/c/cmd/tool")


def test_staleness_of_nothing_is_refused(goenv: GoEnv, module: Path) -> None:
    with pytest.raises(BuildAssertionError) as failure:
        assert_up_to_date(goenv, "./lbi", cwd=module)
    message = str(failure.value)
    assert message.startswith(
        "go list could not load every package of ./lbi, so it cannot say whether a build would compile them:\n  ./lbi: "
    )
    assert "directory not found" in message
    assert f"cwd:     {module}" in message
    with pytest.raises(BuildAssertionError, match=r"go list could not load every package of \./lbi"):
        stale_packages(goenv, "./lbi", cwd=module)
    with pytest.raises(BuildAssertionError, match=r"go list could not load every package of example\.com/zzz"):
        assert_stale(goenv, "example.com/zzz", cwd=module)
    (module / "empty").mkdir()
    with pytest.raises(BuildAssertionError) as nothing:
        assert_up_to_date(goenv, "./empty/...", cwd=module)
    assert str(nothing.value).startswith("./empty/... matched no packages, so the go command cannot say")
    assert "matched no packages" in str(nothing.value).split("stderr:")[1]  # the go command's own warning
    goenv.write_files({"imp/imp.go": 'package imp\n\nimport _ "example.com/zzz"\n'}, dest=module)
    with pytest.raises(
        BuildAssertionError,
        match=r"example\.com/zzz \(imported by example\.com/c/imp\): "
        r"no required module provides package example\.com/zzz",
    ):
        assert_up_to_date(goenv, "./imp", cwd=module)


def test_staleness_failures_show_the_command_and_environment(goenv: GoEnv, module: Path) -> None:
    goenv.run("build", "./lib", cwd=module)
    with pytest.raises(BuildAssertionError) as failure:
        assert_up_to_date(goenv, "./lib", cwd=module, env={"GOARCH": "386"})
    message = str(failure.value)
    assert "but a build would compile" in message
    assert "example.com/c/lib: build ID mismatch" in message
    assert "    GOARCH=386" in message
    assert f"cwd:     {module}" in message
    assert re.search(r"command: \S+/go list -json -e -deps \./lib", message)
    assert "JSON object(s), read by the assertion; not shown" in message
    with pytest.raises(BuildAssertionError) as fresh:
        assert_stale(goenv, "./lib", cwd=module, env={"GOFLAGS": "-trimpath"}, reason="nothing like this")
    assert "    GOFLAGS=-trimpath" in str(fresh.value)
    assert "command: " in str(fresh.value)


def test_a_test_that_did_not_build_did_not_run(goenv: GoEnv, module: Path) -> None:
    goenv.write_files({"lib/broken_test.go": "package lib\n\nfunc broken() { undefined() }\n"}, dest=module)
    result = goenv.run("test", "./lib", cwd=module, check=False)
    assert go_test_outcomes(result)["example.com/c/lib"].status == "FAIL"
    with pytest.raises(
        BuildAssertionError,
        match=r"FAIL\texample\.com/c/lib \[build failed\] \(its tests never "
        r"ran\)",
    ):
        assert_test_ran(result, "example.com/c/lib")


@pytest.mark.parametrize(
    ("argv", "command", "packages", "flags", "chdir"),
    [
        (
            ["go", "build", "-x", "-o", "out", "-tags", "a,b", "./lib", "./cmd/..."],
            "build",
            ("./lib", "./cmd/..."),
            ("-tags=a,b",),
            None,
        ),
        (
            ["go", "test", "-C", "sub", "-run=X", "-count", "1", "-race", "./lib", "-v", "-args", "pkg"],
            "test",
            ("./lib",),
            ("-race",),
            "sub",
        ),
        (
            ["go", "run", "-mod", "mod", "main.go", "util.go", "arg", "x.go"],
            "run",
            ("main.go", "util.go"),
            ("-mod=mod",),
            None,
        ),
        (["go", "run", ".", "-flag", "value"], "run", (".",), (), None),
        (["go", "vet", "--tags=x", "-test.timeout", "1s"], "vet", (), ("-tags=x",), None),
        (["go", "vet", "-vettool", "/bin/tool", "./..."], "vet", ("./...",), (), None),
        (["go", "test", "-cover", "-coverpkg", "./...", "-fuzzcachedir", "d", "./lib"], "test", ("./lib",), (), None),
    ],
)
def test_build_command_lines_are_read_back(
    argv: list[str], command: str, packages: tuple[str, ...], flags: tuple[str, ...], chdir: str | None
) -> None:
    assert parse_build_args(argv) == BuildArgs(command, packages, flags, chdir)
    assert parse_build_args(["go", "list", "./..."]) is None
