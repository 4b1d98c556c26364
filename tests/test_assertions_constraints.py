"""Build-constraint helpers against the real go command (``go list`` only, nothing is compiled)."""

from __future__ import annotations

import re

import pytest

from pytest_goenv.assertions import (
    BuildAssertionError,
    ConstraintQueryError,
    Target,
    UnknownTargetError,
    assert_compiled,
    assert_file_targets,
    assert_not_compiled,
    assert_targets,
    compiled_files,
    known_targets,
    package_files,
)
from pytest_goenv.sandbox.goenv import GoEnv

UNIX_NOT_ANDROID = "//go:build unix && !android\n\npackage m\n"


@pytest.fixture
def module(goenv: GoEnv) -> str:
    """A module whose files are selected by //go:build lines, name suffixes, tags and cgo."""
    goenv.write_module(
        "example.com/m",
        {
            "m.go": "package m\n",
            "m_unix.go": UNIX_NOT_ANDROID,
            "m_linux.go": "package m\n",
            "m_windows_amd64.go": "package m\n",
            "m_cgo.go": 'package m\n\nimport "C"\n',
            "m_tag.go": "//go:build integration && !short\n\npackage m\n",
            "m_test.go": "package m\n",
            "only/only.go": "//go:build windows\n\npackage only\n",
        },
    )
    return "m"


def test_compiled_files_follow_goos_and_goarch(goenv: GoEnv, module: str) -> None:
    assert compiled_files(goenv, ".", goos="linux", goarch="arm64", cgo=False, cwd=module) == [
        "m.go",
        "m_linux.go",
        "m_unix.go",
    ]
    assert compiled_files(goenv, ".", goos="windows", goarch="amd64", cwd=module) == ["m.go", "m_windows_amd64.go"]
    # android implies the linux file-name suffix but is excluded by the //go:build line
    assert compiled_files(goenv, ".", goos="android", goarch="arm64", cwd=module) == ["m.go", "m_linux.go"]


def test_tags_and_cgo_select_files(goenv: GoEnv, module: str) -> None:
    on = package_files(goenv, ".", goos="linux", goarch="amd64", tags=["integration"], cgo=True, cwd=module)
    assert on.compiled == ("m.go", "m_cgo.go", "m_linux.go", "m_tag.go", "m_unix.go")
    assert on.cgo_files == ("m_cgo.go",)
    assert on.test_go_files == ("m_test.go",)
    off = package_files(goenv, ".", goos="linux", goarch="amd64", tags=["integration", "short"], cgo=False, cwd=module)
    assert "m_cgo.go" in off.ignored_go_files
    assert "m_tag.go" in off.ignored_go_files
    assert off.configuration == "linux/amd64, tags integration,short, CGO_ENABLED=0"


def test_package_excluded_everywhere_has_no_compiled_files(goenv: GoEnv, module: str) -> None:
    listing = package_files(goenv, "./only", goos="linux", goarch="amd64", cwd=module)
    assert listing.compiled == ()
    assert listing.error is not None
    assert "build constraints exclude all Go files" in listing.error
    assert compiled_files(goenv, "example.com/m/only", goos="windows", goarch="arm64", cwd=module) == ["only.go"]


def test_missing_package_is_a_query_error(goenv: GoEnv, module: str) -> None:
    with pytest.raises(ConstraintQueryError, match="nope"):
        package_files(goenv, "./nope", cwd=module)


def test_targets_are_validated_against_dist_list(goenv: GoEnv, module: str) -> None:
    targets = known_targets(goenv)
    assert Target("linux", "amd64") in targets
    assert Target("js", "wasm") in targets
    with pytest.raises(UnknownTargetError, match=r"linux/amd46 is not a target of go.*did you mean linux/amd64"):
        compiled_files(goenv, ".", goos="linux", goarch="amd46", cwd=module)
    with pytest.raises(UnknownTargetError, match="knows no GOOS 'plan10'"):
        assert_targets(goenv, ".", {"plan10/amd64": []}, cwd=module)
    with pytest.raises(UnknownTargetError, match="write it as GOOS/GOARCH"):
        Target.parse("linux-amd64")


def test_assert_compiled_passes_and_fails_with_the_constraint(goenv: GoEnv, module: str) -> None:
    assert_compiled(
        goenv, ".", ["m.go", "m_linux.go", "m_unix.go"], goos="linux", goarch="amd64", cgo=False, cwd=module
    )
    assert_compiled(goenv, ".", ["m_unix.go"], exact=False, goos="darwin", goarch="arm64", cwd=module)
    with pytest.raises(BuildAssertionError) as failure:
        assert_compiled(goenv, ".", ["m.go", "m_unix.go"], exact=False, goos="android", goarch="arm64", cwd=module)
    message = str(failure.value)
    assert "example.com/m: the compiled files differ from the expected ones for android/arm64" in message
    assert "not compiled but expected: m_unix.go" in message
    assert "m_unix.go  //go:build unix && !android" in message
    with pytest.raises(BuildAssertionError) as failure:
        assert_compiled(goenv, ".", ["m.go"], goos="windows", goarch="amd64", cwd=module)
    message = str(failure.value)
    assert "compiled but not expected: m_windows_amd64.go" in message
    assert re.search(r"m_windows_amd64\.go +no //go:build line; file name suffix _windows_amd64", message)


def test_assert_not_compiled_names_the_file_suffix(goenv: GoEnv, module: str) -> None:
    assert_not_compiled(goenv, ".", ["m_linux.go", "m_unix.go"], goos="windows", goarch="amd64", cwd=module)
    with pytest.raises(BuildAssertionError) as failure:
        assert_not_compiled(goenv, ".", ["m_linux.go"], goos="android", goarch="arm64", cwd=module)
    message = str(failure.value)
    assert "m_linux.go compiled for android/arm64" in message
    assert "m_linux.go  no //go:build line; file name suffix _linux" in message
    with pytest.raises(ValueError, match=r"m_plan9\.go not in package example\.com/m"):
        assert_not_compiled(goenv, ".", ["m_plan9.go"], cwd=module)


def test_assert_targets_table(goenv: GoEnv, module: str) -> None:
    table = {
        "linux/amd64": ["m.go", "m_linux.go", "m_unix.go"],
        "linux/arm64": ["m.go", "m_linux.go", "m_unix.go"],
        "darwin/arm64": ["m.go", "m_unix.go"],
        "android/arm64": ["m.go", "m_linux.go"],
        "windows/amd64": ["m.go", "m_windows_amd64.go"],
    }
    listings = assert_targets(goenv, ".", table, cgo=False, cwd=module)
    assert set(listings) == {Target.parse(key) for key in table}
    wrong = {**table, "android/arm64": ["m.go", "m_linux.go", "m_unix.go"], "windows/amd64": ["m.go"]}
    with pytest.raises(BuildAssertionError) as failure:
        assert_targets(goenv, ".", wrong, cgo=False, cwd=module)
    message = str(failure.value)
    assert "differ from the expected ones on 2 of 5 targets (no tags, CGO_ENABLED=0)" in message
    assert "<-- -m_unix.go" in message
    assert "<-- +m_windows_amd64.go" in message
    assert re.search(r"m_unix\.go +//go:build unix && !android", message)
    assert re.search(r"m_windows_amd64\.go +no //go:build line; file name suffix _windows_amd64", message)


def test_assert_file_targets(goenv: GoEnv, module: str) -> None:
    assert_file_targets(
        goenv,
        ".",
        "m_unix.go",
        included=["linux/amd64", "linux/arm64", "darwin/arm64", "freebsd/amd64"],
        excluded=["android/arm64", "windows/amd64", "js/wasm"],
        cwd=module,
    )
    with pytest.raises(BuildAssertionError) as failure:
        assert_file_targets(goenv, ".", "m_unix.go", included=["android/arm64", "linux/amd64"], cwd=module)
    message = str(failure.value)
    assert "m_unix.go is built on the wrong targets" in message
    assert "android/arm64  expected built     got excluded  WRONG" in message
    assert "linux/amd64    expected built     got built     ok" in message


def test_goflags_tags_apply_unless_tags_are_given(goenv: GoEnv, module: str) -> None:
    goenv.setenv("GOFLAGS", "-tags=integration")
    assert "m_tag.go" in compiled_files(goenv, ".", cwd=module)
    assert "m_tag.go" not in compiled_files(goenv, ".", tags=["integration", "short"], cwd=module)


def test_a_string_is_not_a_list_of_tags_or_files(goenv: GoEnv, module: str) -> None:
    with pytest.raises(TypeError) as failure:
        compiled_files(goenv, ".", tags="integration", cwd=module)
    assert str(failure.value) == (
        "tags must be a list of strings, not the string 'integration'; write tags=['integration']"
    )
    with pytest.raises(
        TypeError,
        match=r"^files must be a list of strings, not the string 'm\.go'; "
        r"write files=\['m\.go'\]$",
    ):
        assert_compiled(goenv, ".", "m.go", cwd=module)
    with pytest.raises(TypeError, match=r"^files must be a list"):
        assert_not_compiled(goenv, ".", "m_linux.go", goos="windows", goarch="amd64", cwd=module)
    with pytest.raises(
        TypeError,
        match=r"^expected\['linux/amd64'\] must be a list of strings, not the string "
        r"'m\.go'; write \{'linux/amd64': \['m\.go'\]\}$",
    ):
        assert_targets(goenv, ".", {"linux/amd64": "m.go"}, cwd=module)
    with pytest.raises(TypeError, match=r"^tags must be a list"):
        assert_targets(goenv, ".", {"linux/amd64": ["m.go"]}, tags="integration", cwd=module)
    with pytest.raises(
        TypeError,
        match=r"^included must be a list of strings, not the string 'linux/amd64'; "
        r"write included=\['linux/amd64'\]$",
    ):
        assert_file_targets(goenv, ".", "m_unix.go", included="linux/amd64", cwd=module)
    with pytest.raises(TypeError, match=r"^excluded must be a list"):
        assert_file_targets(goenv, ".", "m_unix.go", excluded="android/arm64", cwd=module)
    with pytest.raises(ValueError, match="assert_not_compiled needs at least one file name"):
        assert_not_compiled(goenv, ".", [], cwd=module)


def test_missing_package_error_shows_the_command(goenv: GoEnv, module: str) -> None:
    with pytest.raises(ConstraintQueryError) as failure:
        compiled_files(goenv, "./nothere", goos="linux", goarch="arm64", cwd=module)
    message = str(failure.value)
    assert "go list cannot describe './nothere' for linux/arm64" in message
    assert "    GOARCH=arm64" in message
    assert "command: " in message
