"""The plugin in CI and on real projects: config files of every kind, JUnit XML, kept sandboxes, PyPI down."""

from __future__ import annotations

import json
import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from _support import OLDEST_GO_BIN
from pytest_goenv.toolchains.provision import toolchains_dir
from pytest_goenv.toolchains.toolchain import default_toolchain

SETTINGS_TEST = """
def test_settings(goenv):
    assert goenv.timeout == 120
    assert goenv.env["CC"] == "my-cc"
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", "[pytest]\ngoenv_timeout = 120\ngoenv_offline = true\ngoenv_pass_env = CC\n  CGO_*\n"),
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\ngoenv_timeout = 120\ngoenv_offline = true\ngoenv_pass_env = ["CC", "CGO_*"]\n',
        ),
        (  # pytest's native TOML table: numbers, booleans and lists as TOML has them
            "pyproject.toml",
            '[tool.pytest]\ngoenv_timeout = 120\ngoenv_offline = true\ngoenv_pass_env = ["CC", "CGO_*"]\n',
        ),
    ],
    ids=["pytest.ini", "ini_options", "native"],
)
def test_every_kind_of_config_file_takes_the_settings(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, name: str, text: str
) -> None:
    if "[tool.pytest]\n" in text and int(pytest.__version__.split(".")[0]) < 9:
        pytest.skip("pytest before 9 has no native [tool.pytest] table")
    (pytester.path / name).write_text(text)
    monkeypatch.setenv("CC", "my-cc")
    monkeypatch.setenv("CGO_CFLAGS", "-O1")
    pytester.makepyfile(SETTINGS_TEST + "\ndef test_glob(goenv):\n    assert goenv.env['CGO_CFLAGS'] == '-O1'\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_pass_env_lets_only_the_named_variables_through(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\ngoenv_pass_env = CC\n")
    monkeypatch.setenv("CC", "cc-from-ci")
    monkeypatch.setenv("CXX", "c++-from-ci")
    pytester.makepyfile(
        """
        import pytest

        def test_cc(goenv):
            assert goenv.go_env("CC") == {"CC": "cc-from-ci"}  # what the go command itself computes
            assert "CXX" not in goenv.env
            assert goenv.env_diff()["CC"] == "cc-from-ci"  # failure reports show it

        @pytest.mark.goenv(env={"CC": None})
        def test_marker_wins(goenv):
            assert "CC" not in goenv.env
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
    pytester.makeini("[pytest]\ngoenv_pass_env = CC=gcc\n")
    refused = pytester.runpytest("-p", "no:cacheprovider")
    refused.stderr.fnmatch_lines(["*goenv_pass_env: 'CC=gcc' is not a variable name or glob*"])


def test_a_toolchain_dir_that_does_not_exist_is_named(pytester: pytest.Pytester, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    pytester.makeini(f"[pytest]\ngoenv_toolchain_dirs = {missing} ; a comment that is not one\n")
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*goenv_toolchain_dirs in *tox.ini: {missing} does not exist; fix the entry*"])
    result.stdout.fnmatch_lines(["*goenv_toolchain_dirs in *: */;* does not exist*"])  # the ';' is a path too


def test_junit_names_the_toolchain_of_every_go_test_and_the_kept_sandbox(pytester: pytest.Pytester) -> None:
    toolchain = default_toolchain()
    pytester.makepyfile(
        """
        def test_plain():
            pass

        def test_go(goenv):
            goenv.run("version")

        def test_go_fails(goenv):
            goenv.run("build", "./nope")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--junitxml=out.xml")
    result.assert_outcomes(passed=2, failed=1)
    cases = {case.get("name"): case for case in ET.parse(pytester.path / "out.xml").getroot().iter("testcase")}
    properties = {
        name: {prop.get("name"): prop.get("value") for prop in case.iter("property")} for name, case in cases.items()
    }
    assert properties["test_plain"] == {}
    assert properties["test_go"] == {"go_toolchain": toolchain.name, "go_version": str(toolchain.version)}
    kept = str(properties["test_go_fails"].pop("goenv_sandbox_kept"))
    assert properties["test_go_fails"] == properties["test_go"]
    assert Path(kept, "work").is_dir(), "the sandbox JUnit names is there to inspect"
    result.stdout.fnmatch_lines(["*goenv sandboxes kept (failed tests)*", f"{kept}  (test_junit_*.py::test_go_fails)"])


def test_the_short_summary_shows_the_message_of_a_go_failure(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_t="def test_build(goenv):\n    goenv.run('build', './nope')\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-rf", "-vv")  # -vv: the line is not cut
    result.stdout.fnmatch_lines(
        ["FAILED test_t.py::test_build - `go build` exited with status 1 after * s (GoCommandError)"]
    )


def test_every_bad_marker_of_a_module_is_in_one_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.go_version(">>1.21")
        def test_a(goenv):
            pass

        def test_fine(goenv):
            pass

        @pytest.mark.goenv(cache="cold")
        def test_b(goenv):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([
        "*ERROR collecting test_bad.py*",
        "2 bad goenv markers:",
        "*test_bad.py::test_a: @pytest.mark.go_version: invalid Go version specifier*",
        "*test_bad.py::test_b*cache='cold'; use 'shared' or 'fresh'*",
        "*1 error*",
    ])  # fmt: skip


def test_clear_cache_says_what_it_removed_and_the_header_notes_a_cold_cache(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    toolchain = default_toolchain()
    cache = tmp_path / "cache"
    pytester.makepyfile("def test_go(goenv):\n    goenv.run('version')\n")
    first = pytester.runpytest("-p", "no:cacheprovider", f"--goenv-cache-dir={cache}")
    first.stdout.fnmatch_lines([f"goenv: first build with {toolchain.name} compiles the standard library*--warm*"])
    cleared = pytester.runpytest("-p", "no:cacheprovider", f"--goenv-cache-dir={cache}", "--goenv-clear-cache")
    cleared.stdout.fnmatch_lines(
        [f"goenv: --goenv-clear-cache removed from {cache / 'gocache'}: {toolchain.name}-* MB)"]
    )


def _seed_index(cache_root: Path, versions: list[str]) -> None:
    path = toolchains_dir(cache_root) / "go-bin-index.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"time": time.time(), "versions": versions}))


def test_collect_only_never_downloads(pytester: pytest.Pytester, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _seed_index(cache, ["1.22.99"])  # a release PyPI does not have: a download would fail the run
    pytester.makepyfile("def test_v(go_toolchain):\n    pass\n\ndef test_plain():\n    pass\n")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--collect-only", "-q", "--goenv-matrix=1.22.99", f"--goenv-cache-dir={cache}"
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*::test_v[[]go1.22.99[]]", "*::test_plain", "2 tests collected*"])
    assert not (toolchains_dir(cache) / "go1.22.99").exists()
    assert "downloading" not in result.stdout.str()


def test_pypi_unreachable_is_a_short_warning_at_the_selector(
    pytester: pytest.Pytester, toolchain_cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    pytester.makepyfile("def test_v(go_toolchain):\n    pass\n")
    with socket.socket() as black_hole:  # accepts connections, never answers
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(8)
        monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
        monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{black_hole.getsockname()[1]}/simple")
        args = ["-p", "no:cacheprovider", "--goenv-matrix=1.21", f"--goenv-cache-dir={cache}", "-W", "default"]
        ini = f"[pytest]\ngoenv_toolchain_dirs = {toolchain_cache / 'toolchains'}\n"
        pytester.makeini(ini)
        result = pytester.runpytest(*args)
        verbose = pytester.runpytest(*args, "-v")
    result.assert_outcomes(passed=1)
    warning = [line for line in result.stdout.lines if "PyPI could not be asked" in line]
    assert len(warning) == 1, result.stdout.str()
    assert "--goenv-matrix: '1.21': PyPI could not be asked (network error (didn't respond within 5" in warning[0]
    assert warning[0].endswith("(-v shows pip's output)")
    assert "Could not fetch URL" not in result.stdout.str()
    verbose.stdout.fnmatch_lines(["goenv: pip's output:", "*Could not fetch URL http://127.0.0.1:*"])
    assert OLDEST_GO_BIN in result.stdout.str()
