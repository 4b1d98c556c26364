"""Script directories as pytest items: collection, names, reports, options, update mode, hooks."""

from __future__ import annotations

import pytest

from pytest_goenv.plugin.state import state_of

PASSING = "# a passing script\nexec echo hello\nstdout '^hello$'\n"
FAILING = "# a failing script\nexec echo hello\nstdout '^goodbye$'\n"
SKIPPING = "[unix] skip 'only elsewhere'\nexec false\n"


@pytest.fixture(autouse=True)
def shared_cache(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner runs use this run's cache root (pytester moves HOME): warm build cache, kept toolchain facts."""
    monkeypatch.setenv("PYTEST_GOENV_CACHE_DIR", str(state_of(request.config).settings.cache_root))


def _scripts(pytester: pytest.Pytester, **scripts: str) -> None:
    directory = pytester.path / "testdata" / "script"
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in scripts.items():
        (directory / name.replace("__", ".")).write_text(text)


def test_each_script_is_an_item_named_by_its_stem(pytester: pytest.Pytester) -> None:
    _scripts(pytester, hello__txtar=PASSING, bad__txtar=FAILING, other__txt=SKIPPING, notes__md="not a script")
    result = pytester.runpytest("--goenv-scripts=testdata/script", "-v", "-rs")
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*testdata/script/hello.txtar::hello PASSED*", "*only elsewhere*"])
    # the failure names the file and line, the regexp and the text searched, and the kept sandbox
    result.stdout.fnmatch_lines(
        [
            "*testdata/script/bad.txtar:3: no match for `(?m)^goodbye$` in stdout:*",
            "*> exec echo hello*",
            "*kept for inspection: *goenv-script-bad*",
        ]
    )
    selected = pytester.runpytest("--goenv-scripts=testdata/script", "-k", "hello")
    selected.assert_outcomes(passed=1)


def test_last_failed_reruns_only_the_failed_script(pytester: pytest.Pytester) -> None:
    _scripts(pytester, good__txtar=PASSING, bad__txtar=FAILING)
    pytester.runpytest("--goenv-scripts=testdata/script").assert_outcomes(passed=1, failed=1)
    rerun = pytester.runpytest("--goenv-scripts=testdata/script", "--lf", "-v")
    rerun.assert_outcomes(failed=1)
    rerun.stdout.fnmatch_lines(["*testdata/script/bad.txtar::bad FAILED*"])
    rerun.stdout.no_fnmatch_line("*good.txtar::good*")
    (pytester.path / "testdata" / "script" / "bad.txtar").write_text(PASSING)
    pytester.runpytest("--goenv-scripts=testdata/script", "--lf").assert_outcomes(passed=1)
    pytester.runpytest("--goenv-scripts=testdata/script", "--lf").assert_outcomes(passed=2)  # nothing failed


def test_ini_directories_and_a_script_named_on_the_command_line(pytester: pytest.Pytester) -> None:
    _scripts(pytester, one__txtar=PASSING, two__txtar=FAILING)
    pytester.makeini("[pytest]\ngoenv_scripts = testdata/script\n")
    pytester.runpytest().assert_outcomes(passed=1, failed=1)
    pytester.runpytest("testdata/script/one.txtar").assert_outcomes(passed=1)


def test_short_option_and_bad_directory(pytester: pytest.Pytester) -> None:
    _scripts(pytester, s__txtar="[!short] exec false\n[short] exec true\n")
    pytester.runpytest("--goenv-scripts=testdata/script").assert_outcomes(failed=1)
    pytester.runpytest("--goenv-scripts=testdata/script", "--goenv-short").assert_outcomes(passed=1)
    result = pytester.runpytest("--goenv-scripts=no/such/dir")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'no/such/dir' is not a directory*cmd/go*"])


def test_update_mode_rewrites_the_archive_and_says_so(pytester: pytest.Pytester) -> None:
    _scripts(pytester, upd__txtar="exec echo fresh\ncmp stdout want.txt\n-- want.txt --\nstale\n-- other --\nx\n")
    pytester.runpytest("--goenv-scripts=testdata/script").assert_outcomes(failed=1)
    result = pytester.runpytest("--goenv-scripts=testdata/script", "--goenv-update-scripts")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*goenv scripts updated*", "testdata/script/upd.txtar: want.txt"])
    text = (pytester.path / "testdata" / "script" / "upd.txtar").read_text()
    assert text == "exec echo fresh\ncmp stdout want.txt\n-- want.txt --\nfresh\n-- other --\nx\n"
    pytester.runpytest("--goenv-scripts=testdata/script").assert_outcomes(passed=1)


def test_conftest_adds_commands_and_conditions(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        from pytest_goenv.scripts.commands import ScriptCommand
        from pytest_goenv.scripts.conditions import ScriptCondition
        from pytest_goenv.scripts.state import CommandOutput

        def shout(state, args):
            return CommandOutput(stdout=" ".join(args).upper() + "\\n")

        def pytest_goenv_script_commands(config, toolchain):
            return [ScriptCommand("shout", shout, "words...", "print words in capitals")]

        def pytest_goenv_script_conditions(config, toolchain):
            return [ScriptCondition("modern", lambda state, suffix: toolchain.version >= "1.21")]
        """
    )
    _scripts(pytester, hook__txtar="[modern] shout hi there\nstdout '^HI THERE$'\n[!modern] exec false\n")
    pytester.runpytest("--goenv-scripts=testdata/script").assert_outcomes(passed=1)


def test_modules_from_the_mod_directory_beside_the_scripts(pytester: pytest.Pytester) -> None:
    _scripts(
        pytester,
        dep__txtar="go get example.com/dep@v1.0.0\ngrep 'example.com/dep v1.0.0 h1:' go.sum\ngo run .\n"
        "stdout '^dep v1$'\n-- go.mod --\nmodule m\n\ngo 1.21\n-- main.go --\npackage main\n\n"
        'import "example.com/dep"\n\nfunc main() { dep.Say() }\n',
    )
    mod = pytester.path / "testdata" / "mod"
    mod.mkdir()
    (mod / "example.com_dep_v1.0.0.txt").write_text(
        "-- .mod --\nmodule example.com/dep\n\ngo 1.21\n-- go.mod --\nmodule example.com/dep\n\ngo 1.21\n"
        '-- dep.go --\npackage dep\n\nimport "fmt"\n\nfunc Say() { fmt.Println("dep v1") }\n'
    )
    pytester.runpytest("--goenv-scripts=testdata/script").assert_outcomes(passed=1)


def test_a_go_program_of_the_project_is_a_command(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        from pathlib import Path

        from pytest_goenv.plugin.state import state_of
        from pytest_goenv.scripts.programs import go_program
        from pytest_goenv.toolchains.cachedir import build_cache_dir

        def pytest_goenv_script_commands(config, toolchain):
            cache = build_cache_dir(state_of(config).settings.cache_root, toolchain)
            here = Path(__file__).parent
            return [go_program("greeter", here / "greeter", toolchain, here / "bin", gocache=cache)]
        """
    )
    greeter = pytester.path / "greeter"
    greeter.mkdir()
    (greeter / "go.mod").write_text("module example.com/greeter\n\ngo 1.21\n")
    (greeter / "main.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() { fmt.Println("hi", os.Args[1]) }\n'
    )
    _scripts(pytester, greet__txtar="greeter you\nstdout '^hi you$'\n! greeter\n")
    pytester.runpytest("--goenv-scripts=testdata/script").assert_outcomes(passed=1)


def test_the_toolchains_own_cmd_go_scripts(pytester: pytest.Pytester) -> None:
    listed = pytester.path / "list.txt"
    listed.write_text(
        "# two of cmd/go's scripts: the environment, and its test proxy and checksum database\nenv_unset\nmod_sumdb\n"
    )
    result = pytester.runpytest("--goenv-scripts=cmd/go", "--goenv-short", f"--goenv-script-list={listed}", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["cmd/go::env_unset PASSED*", "cmd/go::mod_sumdb PASSED*"])
