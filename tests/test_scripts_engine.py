"""The script engine run on scripts of both dialects written for it, against the real go command.

``tests/scripts/testscript`` and ``tests/scripts/cmdgo`` hold scripts that must pass in their
dialect; ``tests/scripts/failing`` holds scripts that must fail, each with a ``want-failure`` file
giving the failing line and regexps that the reason and log must match (``.txt``: cmd/go's
dialect, ``.txtar``: testscript's).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from _support import wait_until_dead
from pytest_goenv.plugin.state import state_of
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.scripts.archive import load_script
from pytest_goenv.scripts.commands import ScriptCommand
from pytest_goenv.scripts.conditions import ScriptCondition
from pytest_goenv.scripts.script import ScriptOptions, run_script
from pytest_goenv.scripts.services import archive_services
from pytest_goenv.scripts.state import CommandOutput, Dialect, ScriptState

SCRIPTS = Path(__file__).parent / "scripts"
PASSING = sorted([*SCRIPTS.glob("testscript/*.txtar"), *SCRIPTS.glob("cmdgo/*.txt")])
FAILING = sorted(SCRIPTS.glob("failing/*"))


def _dialect(path: Path) -> Dialect:
    return "cmdgo" if path.suffix == ".txt" else "testscript"


def _options(request: pytest.FixtureRequest, path: Path, **extra: object) -> ScriptOptions:
    facts_dir = state_of(request.config).settings.cache_root / "facts"
    return ScriptOptions(dialect=_dialect(path), facts_dir=facts_dir, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize("script", PASSING, ids=[f"{p.parent.name}/{p.stem}" for p in PASSING])
def test_script_passes(request: pytest.FixtureRequest, goenv: GoEnv, tmp_path: Path, script: Path) -> None:
    services = archive_services(load_script(script), tmp_path)
    extra = {"goproxy": services.goproxy, "gosumdb": services.gosumdb} if services else {}
    try:
        result = run_script(goenv, script, options=_options(request, script, **extra))
    finally:
        if services is not None:
            services.close()
    assert result.status == "passed", result.report()


@pytest.mark.parametrize("script", FAILING, ids=[p.stem for p in FAILING])
def test_script_fails_naming_line_and_reason(request: pytest.FixtureRequest, goenv: GoEnv, script: Path) -> None:
    archive = load_script(script)
    want = archive.get("want-failure")
    assert want is not None
    lineno, *patterns = want.text.splitlines()
    timeout = 3.0 if script.stem == "time_limit" else None
    result = run_script(goenv, script, options=_options(request, script, timeout=timeout), name=script.name)
    assert result.status == "failed", result.report()
    assert result.lineno == int(lineno), result.report()
    report = result.report()
    assert f"FAIL: {script.name}:{lineno}: " in report
    for pattern in patterns:
        assert re.search(pattern, report), f"{pattern!r} not in:\n{report}"
    if script.stem == "time_limit":  # the whole process group was killed: shell and its sleep
        pids = (goenv.workdir / "pid").read_text().split()
        assert len(pids) == 2
        assert all(wait_until_dead(int(pid)) for pid in pids)


def test_extra_commands_and_conditions(request: pytest.FixtureRequest, goenv: GoEnv, tmp_path: Path) -> None:
    def greet(state: ScriptState, args: list[str]) -> CommandOutput:
        return CommandOutput(stdout=f"hello {' '.join(args)} from {state.pwd.name}\n")

    script = tmp_path / "extra.txtar"
    script.write_text("[always] greet you\nstdout '^hello you from work$'\n[!always] stop\nexec false\n")
    options = _options(
        request,
        script,
        commands=[ScriptCommand("greet", greet, "names...", "say hello")],
        conditions=[ScriptCondition("always", lambda state, suffix: True)],
    )
    result = run_script(goenv, script, options=options)
    assert result.status == "failed"
    assert result.lineno == 4
    assert "exit status 1" in result.reason


def test_skip_is_reported_with_its_message(request: pytest.FixtureRequest, goenv: GoEnv, tmp_path: Path) -> None:
    script = tmp_path / "skip.txtar"
    script.write_text("exec true\n[unix] skip 'not here'\nexec false\n")
    result = run_script(goenv, script, options=_options(request, script))
    assert (result.status, result.lineno, result.reason) == ("skipped", 2, "not here")


def test_update_mode_rewrites_only_compared_files(request: pytest.FixtureRequest, goenv: GoEnv, tmp_path: Path) -> None:
    script = tmp_path / "update.txtar"
    original = b"exec echo new text\ncmp stdout want.txt\n-- want.txt --\nold text\n-- keep.txt --\nkept  \r\n"
    script.write_bytes(original)
    result = run_script(goenv, script, options=_options(request, script, update=True))
    assert result.status == "passed", result.report()
    assert result.updated == ["want.txt"]
    assert script.read_bytes() == original.replace(b"old text\n", b"new text\n")
    again = run_script(goenv, script, options=_options(request, script))
    assert again.status == "passed", again.report()
