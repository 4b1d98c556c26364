"""Result assertions against the real go command, including the failure messages they produce."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_goenv.assertions import BuildAssertionError, assert_failed, assert_succeeded
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

BROKEN = {"broken.go": "package broken\n\nvar _ = nope\n"}


def test_assert_succeeded_matches_streams(goenv: GoEnv) -> None:
    result = goenv.run("version")
    assert assert_succeeded(result, stdout=r"^go version go1\.\d+") is result
    assert_succeeded(result, output=re.compile(r"GO VERSION", re.IGNORECASE))


def test_assert_succeeded_failure_shows_command_cwd_env_and_output(goenv: GoEnv) -> None:
    moddir = goenv.write_module("example.com/broken", BROKEN)
    result = goenv.run("build", ".", cwd=moddir, env={"GOFLAGS": "-mod=mod"}, check=False)
    with pytest.raises(BuildAssertionError) as failure:
        assert_succeeded(result)
    message = str(failure.value)
    assert message.startswith("expected `go build` to succeed, but it exited with status 1 after ")
    assert f"command: {goenv.toolchain.go} build ." in message
    assert f"cwd:     {moddir}" in message
    assert "GOFLAGS=-mod=mod" in message
    assert "| ./broken.go:3:9: undefined: nope" in message


def test_assert_succeeded_pattern_mismatch(goenv: GoEnv) -> None:
    result = goenv.run("env", "GOOS")
    with pytest.raises(
        BuildAssertionError,
        match=r"`go env` succeeded as expected, but its stdout does not "
        r"match /plan9/; its stderr does not match /x/",
    ):
        assert_succeeded(result, stdout="plan9", stderr="x")


def test_assert_failed_with_pattern_and_status(goenv: GoEnv) -> None:
    moddir = goenv.write_module("example.com/broken", BROKEN)
    result = goenv.run("vet", ".", cwd=moddir, check=False)
    assert_failed(result, stderr=r"undefined: nope", returncode=1)
    with pytest.raises(BuildAssertionError, match=r"`go vet` failed as expected, but its stdout does not match"):
        assert_failed(result, stdout="undefined")
    with pytest.raises(
        BuildAssertionError,
        match=r"expected `go vet` to fail with status 2, but it exited with "
        r"status 1",
    ):
        assert_failed(result, returncode=2)


def test_assert_failed_on_success_and_usage_error(goenv: GoEnv) -> None:
    with pytest.raises(BuildAssertionError, match=r"expected `go version` to fail, but it exited with status 0"):
        assert_failed(goenv.run("version"))
    usage = goenv.run("bogus-command", check=False)
    assert_failed(usage, stderr=r"unknown command", returncode=2)


def test_subcommand_words_in_headline(goenv: GoEnv) -> None:
    result = goenv.run("mod", "-x", "edit", "-json", check=False)
    with pytest.raises(BuildAssertionError, match=r"^expected `go mod edit` to succeed"):
        assert_succeeded(result)


def test_long_output_is_cut_with_a_note(goenv: GoEnv) -> None:
    result = goenv.run("help", "environment")
    assert result.stdout.count("\n") > 100
    with pytest.raises(BuildAssertionError) as failure:
        assert_succeeded(result, stdout=r"NO SUCH TEXT")
    message = str(failure.value)
    assert re.search(r"\.\.\. \(\d+ lines cut; the whole text is on the result object\) \.\.\.", message)
    assert len(message.splitlines()) < 80


def test_timed_out_command_is_neither_success_nor_failure() -> None:
    result = GoResult(
        argv=("go", "test"),
        cwd=Path("/tmp"),
        returncode=-9,
        stdout="",
        stderr="",
        duration=2.0,
        timed_out=True,
        timeout=2.0,
    )
    with pytest.raises(BuildAssertionError, match=r"expected `go test` to fail, but it timed out after 2 s"):
        assert_failed(result)
    with pytest.raises(BuildAssertionError, match=r"expected `go test` to succeed, but it timed out after 2 s"):
        assert_succeeded(result)


def test_absent_pattern_names_the_line(goenv: GoEnv) -> None:
    result = goenv.run("env", "GOOS", "GOARCH")
    assert_succeeded(result, absent=r"^windows$")
    with pytest.raises(
        BuildAssertionError,
        match=r"`go env` succeeded as expected, but its stdout matches "
        rf"/\^{result.stdout.splitlines()[1]}\$/, which should be absent, at line 2: ",
    ):
        assert_succeeded(result, absent=rf"^{result.stdout.splitlines()[1]}$")
    moddir = goenv.write_module("example.com/broken", BROKEN)
    failed = goenv.run("build", ".", cwd=moddir, check=False)
    assert_failed(failed, absent="go: downloading")
    with pytest.raises(BuildAssertionError, match=r"its stderr matches /undefined/, which should be absent, at line"):
        assert_failed(failed, absent="undefined")


def test_helpers_are_registered_for_assertion_rewriting(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without plugin autoload, only pytest_goenv's own registration can mark the helpers
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(
        """
        import pytest_goenv.assertions.outcomes as results

        def test_rewritten():
            assert type(results.__loader__).__name__ == "AssertionRewritingHook"
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_package_imports_without_pytest() -> None:
    code = (
        "import sys; sys.modules['pytest'] = None\n"
        "from pytest_goenv.assertions import assert_succeeded, assert_cache_hit\n"
        "print('imported')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "imported"), done.stderr
