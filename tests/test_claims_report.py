"""Rendering the claims report: JSON shape, Markdown table and evidence, terminal table, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_goenv.claims.catalogue import Catalogue, Claim, Document, load_catalogue
from pytest_goenv.claims.report import ClaimsReport, main, report_paths
from pytest_goenv.claims.verdicts import ClaimResult, Evidence, Verdict

CATALOGUE = Catalogue(
    [
        Claim("ch1.alpha", "1", "Alpha is | true.", "甲为真。"),
        Claim("ch2.1.beta", "2.1", "Beta holds.", "乙成立\n第二行"),
        Claim("extra.gamma", "extra", "Nobody tested gamma."),
    ],
    document=Document("速查表标题", "a cheat sheet", {"1": "第一章:一", "2": "第二章:二", "2.1": "2.1 乙节"}),
)
EVIDENCE = (Evidence("go env GOROOT", "$GOROOT"),)


def res(
    claim: str,
    toolchain: str,
    verdict: Verdict,
    detail: str = "",
    *,
    expected: Verdict | None = None,
    evidence: tuple[Evidence, ...] = EVIDENCE,
) -> ClaimResult:
    return ClaimResult(
        claim,
        toolchain,
        verdict,
        detail,
        evidence,
        expected,
        test=f"t::{claim}",
        version=toolchain.removeprefix("go"),
        goroot=f"/opt/{toolchain}",
        expectation=f">=1.0: {expected.value}" if expected else "",
    )


@pytest.fixture
def report() -> ClaimsReport:
    return ClaimsReport(
        CATALOGUE,
        [
            res("ch1.alpha", "go1.27.3", Verdict.HOLDS, "seen", expected=Verdict.HOLDS),
            res("ch1.alpha", "go1.21.13", Verdict.HOLDS, "seen", expected=Verdict.HOLDS),
            res(
                "ch1.alpha", "go1.9.7", Verdict.NOT_APPLICABLE, "too old", expected=Verdict.NOT_APPLICABLE, evidence=()
            ),
            res("ch2.1.beta", "go1.21.13", Verdict.PARTLY, "yes: a; no: b", expected=Verdict.DOES_NOT_HOLD),
            res("ch2.1.beta", "go1.27.3", Verdict.UNDECIDED, "the experiment raised OSError: boom"),
        ],
        command="pytest --pyargs pytest_goenv.behaviour --goenv-report=docs/claims.md",
    )


def test_toolchains_are_in_go_version_order(report: ClaimsReport) -> None:
    assert report.toolchains == ["go1.9.7", "go1.21.13", "go1.27.3"]


def test_json_has_every_claim_and_the_cells(report: ClaimsReport) -> None:
    data = report.to_json()
    assert data["toolchains"] == ["go1.9.7", "go1.21.13", "go1.27.3"]
    assert data["command"].startswith("pytest --pyargs")
    assert data["toolchain_info"]["go1.21.13"] == {"version": "1.21.13", "goroot": "/opt/go1.21.13"}
    claims = {claim["id"]: claim for claim in data["claims"]}
    assert list(claims) == ["ch1.alpha", "ch2.1.beta", "extra.gamma"]
    assert claims["extra.gamma"]["results"] == {}
    cell = claims["ch2.1.beta"]["results"]["go1.21.13"]
    assert cell == {
        "verdict": "partly",
        "detail": "yes: a; no: b",
        "expected": "does-not-hold",
        "expectation": ">=1.0: does-not-hold",
        "evidence": [{"command": "go env GOROOT", "excerpt": "$GOROOT"}],
        "test": "t::ch2.1.beta",
        "skipped": False,
    }
    assert claims["ch1.alpha"]["statement"] == "Alpha is | true."
    json.dumps(data)  # serialisable as it is


def test_markdown_table_row_per_claim(report: ClaimsReport) -> None:
    text = report.to_markdown()
    assert "| Claim | Section | go1.9.7 | go1.21.13 | go1.27.3 |" in text
    assert "| [ch1.alpha](#claim-ch1-alpha) | 1 | ⚪ | ✅ | ✅ |" in text
    assert "| [ch2.1.beta](#claim-ch2-1-beta) | 2.1 |  | ◐❗ | ⚠️ |" in text
    assert (
        "- ◐ **partly** on go1.21.13: yes: a; no: b ❗ (the test expects does-not-hold: >=1.0: does-not-hold)"
    ) in text
    assert "| [extra.gamma](#claim-extra-gamma) | extra |  |  |  |" in text
    assert "```sh\npytest --pyargs pytest_goenv.behaviour --goenv-report=docs/claims.md\n```" in text
    assert "- **go1.21.13**: 1 holds, 1 partly, 1 differ from the expectation (GOROOT `/opt/go1.21.13`)" in text
    assert "- **go1.9.7**: 1 not-applicable (GOROOT" in text


def test_markdown_groups_toolchains_with_identical_findings(report: ClaimsReport) -> None:
    text = report.to_markdown()
    section = text[text.index('<a id="claim-ch1-alpha">') : text.index('<a id="claim-ch2-1-beta">')]
    assert "Section 1. The document says: Alpha is | true." in section
    assert "- ✅ **holds** on go1.21.13, go1.27.3: seen" in section
    assert "- ⚪ **not-applicable** on go1.9.7: too old" in section
    assert section.count("<details><summary>evidence</summary>") == 1  # n/a cell has no evidence
    assert "  $ go env GOROOT\n  $GOROOT" in section
    assert "_No experiment checked this claim._" in text[text.index('<a id="claim-extra-gamma">') :]


def test_markdown_escapes_fences_in_evidence() -> None:
    report = ClaimsReport(
        CATALOGUE, [res("ch1.alpha", "go1.27.3", Verdict.HOLDS, "x", evidence=(Evidence("cat f", "```\ninner"),))]
    )
    assert "  '''\n  inner" in report.to_markdown()


def test_empty_report_says_nothing_ran() -> None:
    report = ClaimsReport(CATALOGUE)
    assert "No results: no experiment ran." in report.to_markdown()


def test_result_for_an_unknown_claim_is_still_shown() -> None:
    report = ClaimsReport(CATALOGUE, [res("ch9.unknown", "go1.27.3", Verdict.HOLDS, "x")])
    assert "| [ch9.unknown](#claim-ch9-unknown) | ? | ✅ |" in report.to_markdown()


@pytest.mark.parametrize(
    ("given", "markdown", "json_name"),
    [
        ("out/claims.md", "out/claims.md", "out/claims.json"),
        ("out/claims.json", "out/claims.md", "out/claims.json"),
        ("out/claims", "out/claims", "out/claims.json"),
    ],
)
def test_report_paths(given: str, markdown: str, json_name: str) -> None:
    assert report_paths(given) == (Path(markdown), Path(json_name))


def test_write_creates_both_files(report: ClaimsReport, tmp_path: Path) -> None:
    written = report.write(tmp_path / "docs" / "claims.md")
    assert written == [tmp_path / "docs" / "claims.md", tmp_path / "docs" / "claims.json"]
    assert json.loads(written[1].read_text())["toolchains"] == report.toolchains
    assert written[0].read_text().startswith("# Claims about Go environment variables")


def test_toolchains_sharing_a_name_get_their_goroot_in_the_column() -> None:
    debian = ClaimResult("ch1.alpha", "go1.21.13", Verdict.HOLDS, "d", EVIDENCE, goroot="/usr/lib/go-1.21")
    wheel = ClaimResult("ch1.alpha", "go1.21.13", Verdict.PARTLY, "w", EVIDENCE, goroot="/cache/go1.21.13")
    report = ClaimsReport(CATALOGUE, [debian, wheel])
    assert report.toolchains == ["go1.21.13 (cache/go1.21.13)", "go1.21.13 (lib/go-1.21)"]
    assert report.cell("ch1.alpha", "go1.21.13 (lib/go-1.21)") == debian
    assert set(report.to_json()["toolchain_info"]) == set(report.toolchains)


def test_json_round_trip_rebuilds_the_same_report(report: ClaimsReport) -> None:
    rebuilt = ClaimsReport.from_json(json.loads(json.dumps(report.to_json())), CATALOGUE)
    assert rebuilt.to_json() == report.to_json()
    assert rebuilt.to_markdown() == report.to_markdown()


def test_main_merges_reports_and_writes_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = ClaimsReport(
        load_catalogue(),
        [res("ch1.goroot-autodetect", "go1.21.13", Verdict.HOLDS, "a")],
        command="pytest --goenv-report=x.md",
    )
    second = ClaimsReport(load_catalogue(), [res("ch1.goroot-autodetect", "go1.27.3", Verdict.PARTLY, "b")])
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path, part in zip(paths, (first, second), strict=True):
        path.write_text(json.dumps(part.to_json()))
    assert main([str(p) for p in paths] + ["-o", str(tmp_path / "out.md")]) == 0
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["toolchains"] == ["go1.21.13", "go1.27.3"]
    assert data["command"] == "pytest --goenv-report=x.md"
    assert "| [ch1.goroot-autodetect](#claim-ch1-goroot-autodetect) | 1 | ✅ | ◐ |" in (tmp_path / "out.md").read_text()
    assert f"claims report written to {tmp_path / 'out.md'}" in capsys.readouterr().out


def test_main_names_an_unreadable_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SystemExit):
        main([str(bad), "-o", str(tmp_path / "out.md")])
    assert f"{bad}: cannot read a claims report" in capsys.readouterr().err


def test_a_version_without_expectation_is_flagged() -> None:
    uncovered = ClaimResult("ch1.alpha", "go1.19.8", Verdict.HOLDS, "seen", EVIDENCE, None, expectation=">=1.21: holds")
    report = ClaimsReport(CATALOGUE, [uncovered])
    assert "| [ch1.alpha](#claim-ch1-alpha) | 1 | ✅❗ |" in report.to_markdown()
    assert "❗ (the test expects nothing for this version: >=1.21: holds)" in report.to_markdown()


def test_json_names_the_document_and_quotes_each_claims_source(report: ClaimsReport) -> None:
    data = report.to_json()
    assert data["document"] == {"title": "速查表标题", "description": "a cheat sheet"}
    claims = {claim["id"]: claim for claim in data["claims"]}
    assert claims["ch2.1.beta"]["source"] == "乙成立\n第二行"
    assert claims["ch2.1.beta"]["where"] == "chapter 2 “第二章:二”, section 2.1 “2.1 乙节”"
    assert claims["ch1.alpha"]["where"] == "chapter 1 “第一章:一”"
    assert "source" not in claims["extra.gamma"]
    assert claims["extra.gamma"]["where"] == "not in the document (a behaviour it misses)"


def test_markdown_quotes_the_original_beside_the_statement(report: ClaimsReport) -> None:
    markdown = report.to_markdown()
    assert "cheat sheet 《速查表标题》 (chapters 1 to 4)" in markdown
    assert "The document: a cheat sheet." in markdown
    beta = markdown[markdown.index("### ch2.1.beta") :]
    assert beta.index("The document says: Beta holds.") < beta.index(
        "Original (chapter 2 “第二章:二”, section 2.1 “2.1 乙节”):\n\n> 乙成立\n> 第二行\n"
    )
    gamma = markdown[markdown.index("### extra.gamma") :]
    assert "Original" not in gamma


def test_shipped_catalogue_sources_reach_the_report() -> None:
    catalogue = load_catalogue()
    report = ClaimsReport(catalogue, [res("ch1.goroot-autodetect", "go1.27.3", Verdict.HOLDS, "a")])
    claim = next(c for c in report.to_json()["claims"] if c["id"] == "ch1.goroot-autodetect")
    assert claim["source"] == catalogue["ch1.goroot-autodetect"].source
    assert claim["where"].startswith("chapter 1 “第一章:Go开发环境配置速查表")
