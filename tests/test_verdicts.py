"""The verdict model: expectations per Go version, ClaimCheck decisions, evidence, and the catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_goenv.claims.catalogue import CatalogueError, Claim, load_catalogue
from pytest_goenv.claims.verdicts import (
    ClaimCheck,
    ClaimMismatch,
    ClaimResult,
    Evidence,
    Expectation,
    ExpectationError,
    Verdict,
)
from pytest_goenv.sandbox.result import GoResult
from pytest_goenv.toolchains.version import GoVersion

CLAIM = Claim("ch1.example", "1", "An example statement.")


def make_check(version: str = "1.22.3", expect: object = None) -> ClaimCheck:
    return ClaimCheck(
        claim=CLAIM,
        version=GoVersion.parse(version),
        toolchain=f"go{version}",
        expect=Expectation.parse(expect) if expect is not None else None,  # type: ignore[arg-type]
        aliases={"/sandbox/root": "$SANDBOX", "/usr/lib/go": "$GOROOT"},
    )


def result(
    argv: tuple[str, ...], out: str = "", err: str = "", code: int = 0, env_diff: dict[str, str | None] | None = None
) -> GoResult:
    return GoResult(
        argv=argv,
        cwd=Path("/sandbox/root/work"),
        returncode=code,
        stdout=out,
        stderr=err,
        duration=0.1,
        env_diff=env_diff or {},
    )


# -- Verdict and Expectation ---------------------------------------------------------------


def test_verdict_parse_accepts_spellings_and_names_choices() -> None:
    assert Verdict.parse("does_not_hold") is Verdict.DOES_NOT_HOLD
    assert Verdict.parse(" Not applicable ") is Verdict.NOT_APPLICABLE
    with pytest.raises(ExpectationError, match=r"unknown verdict 'true'; use one of holds, does-not-hold"):
        Verdict.parse("true")


def test_expectation_picks_the_range_of_the_version() -> None:
    expect = Expectation.parse({">=1.21": "holds", "<1.21": "not-applicable"})
    assert expect.for_version(GoVersion.parse("go1.27.3")) is Verdict.HOLDS
    assert expect.for_version(GoVersion.parse("go1.21.0")) is Verdict.HOLDS
    assert expect.for_version(GoVersion.parse("go1.19.13")) is Verdict.NOT_APPLICABLE


def test_expectation_single_verdict_covers_every_version() -> None:
    expect = Expectation.parse("partly")
    assert expect.for_version(GoVersion.parse("1.19.1")) is Verdict.PARTLY
    assert expect.for_version(GoVersion.parse("1.30.0")) is Verdict.PARTLY


def test_expectation_gap_gives_none() -> None:
    assert Expectation.parse({">=1.22": "holds"}).for_version(GoVersion.parse("1.21.13")) is None


def test_expectation_overlap_with_different_verdicts_is_an_error() -> None:
    expect = Expectation.parse({">=1.21": "holds", ">=1.22": "partly"})
    assert expect.for_version(GoVersion.parse("1.21.5")) is Verdict.HOLDS
    with pytest.raises(ExpectationError, match=r"ranges overlap at go1.22.1"):
        expect.for_version(GoVersion.parse("1.22.1"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({">=1.x": "holds"}, r"expect: invalid Go version specifier"),
        ({">=1.21": "maybe"}, r"unknown verdict 'maybe'"),
        ({">=1.21": "undecided"}, r"'undecided' cannot be expected"),
        ({}, r"give a verdict or a mapping"),
    ],
)
def test_expectation_errors(value: object, message: str) -> None:
    with pytest.raises(ExpectationError, match=message):
        Expectation.parse(value)  # type: ignore[arg-type]


# -- ClaimCheck decisions ------------------------------------------------------------------


def test_holds_if_and_last_decision_wins() -> None:
    check = make_check()
    assert check.holds_if(True, "seen") is Verdict.HOLDS
    assert check.holds_if(False, "not seen") is Verdict.DOES_NOT_HOLD
    assert (check.verdict, check.detail) == (Verdict.DOES_NOT_HOLD, "not seen")


def test_parts_gives_holds_partly_or_does_not_hold() -> None:
    check = make_check()
    assert check.parts({"a": True, "b": True}) is Verdict.HOLDS
    assert check.parts({"a": False, "b": False}) is Verdict.DOES_NOT_HOLD
    assert check.parts({"a": True, "b": False}, "two parts") is Verdict.PARTLY
    assert check.detail == "two parts; yes: a; no: b"
    with pytest.raises(ValueError, match="at least one"):
        check.parts({})


def test_partly_and_not_applicable_need_a_reason() -> None:
    check = make_check()
    with pytest.raises(ValueError, match="which part"):
        check.partly("")
    with pytest.raises(ValueError, match="reason"):
        check.not_applicable("")


# -- evidence ------------------------------------------------------------------------------


def test_observe_records_the_command_with_its_environment_and_aliases() -> None:
    check = make_check()
    returned = check.observe(
        result(
            ("/usr/lib/go/bin/go", "env", "GOMODCACHE"),
            out="/sandbox/root/gopath/pkg/mod\n",
            env_diff={"GOMODCACHE": None, "GOFLAGS": "-mod=mod", "GOPATH": "/sandbox/root/gp"},
        )
    )
    assert returned.stdout.startswith("/sandbox")
    assert check.evidence == [
        Evidence(
            "env -u GOMODCACHE GOFLAGS=-mod=mod GOPATH=$SANDBOX/gp go env GOMODCACHE",
            "$SANDBOX/gopath/pkg/mod",
        )
    ]


def test_observe_notes_the_exit_status_and_greps() -> None:
    check = make_check()
    check.observe(result(("go", "build"), err="line one\nnoise\nline two\n", code=1), grep="line")
    assert check.evidence[0].excerpt == "line one\nline two\n[exit status 1]"


def test_long_output_is_cut_saying_how_much() -> None:
    check = make_check()
    check.record("cat big", "\n".join(f"line {n}" for n in range(40)))
    excerpt = check.evidence[0].excerpt
    assert excerpt.splitlines()[-1] == "... (28 more lines)"
    assert "line 11" in excerpt
    assert "line 12" not in excerpt


# -- finishing -----------------------------------------------------------------------------


def test_finish_returns_the_result_when_the_expectation_is_met() -> None:
    check = make_check("1.22.3", {">=1.21": "holds"})
    check.record("go env GOROOT", "/usr/lib/go")
    check.holds("found")
    outcome = check.finish()
    assert (outcome.verdict, outcome.expected, outcome.detail) == (Verdict.HOLDS, Verdict.HOLDS, "found")
    assert outcome.evidence == (Evidence("go env GOROOT", "$GOROOT"),)


def test_finish_fails_when_the_toolchain_behaves_differently() -> None:
    check = make_check("1.22.3", {">=1.21": "holds", "<1.21": "not-applicable"})
    check.record("go env X", "nothing")
    check.does_not_hold("X is empty")
    with pytest.raises(ClaimMismatch) as info:
        check.finish()
    message = str(info.value)
    assert "claim ch1.example on go1.22.3: observed does-not-hold (X is empty), expected holds" in message
    assert "$ go env X\n    nothing" in message


def test_finish_fails_without_an_expectation_for_the_version() -> None:
    check = make_check("1.20.1", {">=1.21": "holds"})
    check.record("go version", "go1.20.1")
    check.holds()
    with pytest.raises(ClaimMismatch, match=r"states no expectation for go1.20.1 \(>=1.21: holds\)"):
        check.finish()


def test_finish_refuses_no_verdict_or_no_evidence() -> None:
    check = make_check()
    with pytest.raises(ClaimMismatch, match="decided no verdict"):
        check.finish()
    check.holds("but saw nothing")
    with pytest.raises(ClaimMismatch, match="without evidence"):
        check.finish()
    check.not_applicable("no cgo here")
    assert check.finish().verdict is Verdict.NOT_APPLICABLE


def test_crashed_experiment_is_undecided_with_the_error_as_evidence() -> None:
    check = make_check()
    outcome = check.crashed(RuntimeError("go: cannot find /sandbox/root/x\nmore"))
    assert outcome.verdict is Verdict.UNDECIDED
    assert outcome.detail == "the experiment raised RuntimeError: go: cannot find $SANDBOX/x"
    assert outcome.evidence[-1].command == "(RuntimeError)"


def test_result_round_trips_through_json() -> None:
    check = make_check("1.21.13", "partly")
    check.record("go env", "A=1")
    check.partly("half of it")
    original = check.finish()
    restored = ClaimResult.from_dict(json.loads(json.dumps(original.to_dict())))
    assert restored == original


# -- the catalogue -------------------------------------------------------------------------


def test_shipped_catalogue_covers_chapters_one_to_four_and_extras() -> None:
    catalogue = load_catalogue()
    sections = {claim.section.split(".")[0] for claim in catalogue.values()}
    assert sections == {"1", "2", "3", "4", "extra"}
    assert sum(1 for c in catalogue.values() if c.section != "extra") >= 50
    assert sum(1 for c in catalogue.values() if c.section == "extra") >= 10
    assert catalogue["ch1.goroot-autodetect"].section == "1"
    assert catalogue["ch1.goroot-autodetect"].source == "若为空,go命令将自动探测(从go可执行文件路径向上回溯bin/go)"
    assert all(claim.source for claim in catalogue.values() if claim.section != "extra")
    assert catalogue.document is not None
    assert catalogue.document.title.startswith("Go开发环境配置速查表")
    assert catalogue.document.location("2.4").startswith("chapter 2 “第二章:")
    assert "section 2.4 “2.4 GOCACHE与GODEBUG=gocacheverify" in catalogue.document.location("2.4")
    assert catalogue.document.location("extra") == "not in the document (a behaviour it misses)"


def test_unknown_claim_id_suggests_close_ones() -> None:
    with pytest.raises(CatalogueError, match=r"unknown claim id 'ch1.goroot-autodetct'.*ch1.goroot-autodetect"):
        load_catalogue()["ch1.goroot-autodetct"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ('{"claims": {}}', 'expected an object with a "claims" list'),
        ('{"claims": [{"id": "ch1.a", "section": "1"}]}', "claim #1 lacks statement"),
        ('{"claims": [{"id": "Chapter 1", "section": "1", "statement": "s"}]}', "is not of the form"),
        (
            '{"claims": [{"id": "ch1.a", "section": "1", "statement": "s", "source": "原文"},'
            ' {"id": "ch1.a", "section": "1", "statement": "t", "source": "原文"}]}',
            "appears twice",
        ),
        ('{"claims": [{"id": "ch1.a", "section": "1", "statement": "s"}]}', "'ch1.a' lacks its source"),
        ('{"claims": [{"id": "ch1.a", "section": "1", "statement": "s", "source": 3}]}', "'ch1.a' lacks its source"),
        ('{"document": "a file", "claims": []}', 'must be an object with a non-empty "title"'),
        ('{"document": {"title": "t", "sections": {"1": 1}}, "claims": []}', "must map section numbers"),
    ],
)
def test_malformed_catalogue_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "claims.json"
    path.write_text(content)
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)


def test_observe_keeps_the_path_of_programs_other_than_the_toolchains_go() -> None:
    check = make_check()
    check.observe(result(("/sandbox/root/elsewhere/go", "env", "GOROOT"), out="/usr/lib/go\n"))
    check.observe(result(("/sandbox/root/bin/hello",), out="hi\n"))
    assert [e.command for e in check.evidence] == ["$SANDBOX/elsewhere/go env GOROOT", "$SANDBOX/bin/hello"]


def test_loopback_ports_are_named_or_hidden_in_evidence() -> None:
    check = make_check()
    check.name("http://127.0.0.1:41001", "$BACKUP_URL")
    check.observe(
        result(
            ("/usr/lib/go/bin/go", "mod", "download"),
            err="get http://127.0.0.1:41001/m/@v/list\nget http://127.0.0.1:52345/x: dial tcp localhost:8080",
            env_diff={"GOPROXY": "http://127.0.0.1:52345,direct"},
        )
    )
    (evidence,) = check.evidence
    assert evidence.command == "GOPROXY=http://127.0.0.1:$PORT,direct go mod download"
    assert evidence.excerpt == "get $BACKUP_URL/m/@v/list\nget http://127.0.0.1:$PORT/x: dial tcp localhost:$PORT"
