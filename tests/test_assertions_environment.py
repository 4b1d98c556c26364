"""go env value and origin helpers against the real go command."""

from __future__ import annotations

import re

import pytest

from pytest_goenv.assertions import (
    BuildAssertionError,
    assert_go_env,
    env_origin,
    known_env_names,
    read_env_file,
)
from pytest_goenv.sandbox.goenv import GoEnv

GO_ENV_PROXY = "https://proxy.golang.org,direct"


def test_sandbox_default_comes_from_the_process_environment(goenv: GoEnv) -> None:
    origin = env_origin(goenv, "GOPROXY")
    assert (origin.value, origin.source, origin.path) == ("off", "environment", None)
    assert_go_env(goenv, "GOPROXY", "off", source="environment")
    assert_go_env(goenv, "GOENV", str(goenv.goenv_file), source="environment")


def test_goroot_go_env_supplies_what_nothing_else_sets(goenv: GoEnv) -> None:
    goenv.delenv("GOPROXY")
    origin = assert_go_env(goenv, "GOPROXY", GO_ENV_PROXY, source="goroot")
    assert origin.path == goenv.toolchain.goroot / "go.env"
    assert read_env_file(goenv.toolchain.goroot / "go.env")["GOPROXY"] == GO_ENV_PROXY


def test_goenv_file_beats_go_env_and_an_empty_variable(goenv: GoEnv) -> None:
    goenv.delenv("GOPROXY")
    goenv.run("env", "-w", "GOPROXY=http://127.0.0.1:9")
    origin = assert_go_env(goenv, "GOPROXY", "http://127.0.0.1:9", source="goenv")
    assert origin.path == goenv.goenv_file
    # an empty value in the process environment does not override the file
    assert_go_env(goenv, "GOPROXY", "http://127.0.0.1:9", source="goenv", env={"GOPROXY": ""})
    # a non-empty one does
    assert_go_env(goenv, "GOPROXY", "direct", source="environment", env={"GOPROXY": "direct"})


def test_built_in_defaults(goenv: GoEnv) -> None:
    assert_go_env(goenv, "GOFLAGS", "", source="default")
    goenv.delenv("GOPATH")
    goenv.delenv("GOMODCACHE")
    assert_go_env(goenv, "GOPATH", str(goenv.home / "go"), source="default")
    assert_go_env(goenv, "GOMODCACHE", re.compile(r"/go/pkg/mod$"), source="default")


def test_env_file_is_read_as_the_go_command_reads_it(goenv: GoEnv) -> None:
    goenv.delenv("GOPROXY")
    goenv.delenv("GOSUMDB")
    goenv.goenv_file.write_text(
        '# comment\nGOPROXY = spaced\n GOSUMDB=indented\nGONOSUMDB="quoted"\nGOPRIVATE=a=b \nGOFLAGS=-mod=mod\n'
    )
    settings = read_env_file(goenv.goenv_file)
    assert settings == {"GOPROXY ": " spaced", "GONOSUMDB": '"quoted"', "GOPRIVATE": "a=b ", "GOFLAGS": "-mod=mod"}
    computed = goenv.go_env("GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOFLAGS")
    assert computed == {
        "GOPROXY": GO_ENV_PROXY,  # "GOPROXY " is another name
        "GOSUMDB": "sum.golang.org",  # an indented line is ignored
        "GONOSUMDB": '"quoted"',
        "GOPRIVATE": "a=b ",
        "GOFLAGS": "-mod=mod",
    }
    assert env_origin(goenv, "GONOSUMDB").source == "goenv"
    assert env_origin(goenv, "GOSUMDB").source == "goroot"


def test_failure_shows_every_layer(goenv: GoEnv) -> None:
    goenv.run("env", "-w", "GOPROXY=http://127.0.0.1:9")
    with pytest.raises(BuildAssertionError) as failure:
        assert_go_env(goenv, "GOPROXY", "http://127.0.0.1:9", source="goenv")
    message = str(failure.value)
    assert message.startswith(
        "expected go env GOPROXY: the value 'http://127.0.0.1:9' and it to come from the GOENV file, but\n"
        "go env GOPROXY = 'off', from the process environment\n"
        "  process environment: 'off'   <- used\n"
        f"  GOENV file {goenv.goenv_file}: 'http://127.0.0.1:9'\n"
        f"  GOROOT/go.env {goenv.toolchain.goroot / 'go.env'}: '{GO_ENV_PROXY}'\n"
        "  built-in default"
    )
    with pytest.raises(
        BuildAssertionError,
        match=r"expected go env GOFLAGS: the value /-mod/, but\n"
        r"go env GOFLAGS = '', from the built-in default\n"
        r"  process environment: set to the empty string, which does not count",
    ):
        assert_go_env(goenv, "GOFLAGS", re.compile("-mod"), env={"GOFLAGS": ""})


def test_unknown_names_and_sources_are_clear_errors(goenv: GoEnv) -> None:
    assert {"GOPROXY", "GOFLAGS", "CGO_ENABLED"} <= known_env_names(goenv)
    with pytest.raises(
        ValueError,
        match=r"'GOPROXI' is not a variable `go env` reports for go1\S+; did you mean "
        r"GOPROXY\?",
    ):
        env_origin(goenv, "GOPROXI")
    with pytest.raises(ValueError, match="source='file'; use one of environment, goenv, goroot, default"):
        assert_go_env(goenv, "GOPROXY", source="file")  # type: ignore[arg-type]
    with pytest.raises(
        ValueError,
        match=r"assert_go_env\(goenv, 'GOPROXY'\) states nothing; give the expected "
        r"value, source= or both",
    ):
        assert_go_env(goenv, "GOPROXY")
