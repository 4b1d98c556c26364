"""The terminal summary of the behaviour suite: counts per toolchain, verdicts that change, mismatches."""

from __future__ import annotations

from pytest_goenv.claims.catalogue import Catalogue, Claim
from pytest_goenv.claims.digest import Digest, digest_lines
from pytest_goenv.claims.report import ClaimsReport
from pytest_goenv.claims.verdicts import ClaimResult, Verdict

CATALOGUE = Catalogue(
    [
        Claim("ch1.alpha", "1", "Alpha."),
        Claim("ch1.beta", "1", "Beta."),
        Claim("ch2.1.gamma", "2.1", "Gamma."),
        Claim("extra.untested", "extra", "Nobody tests this."),
    ]
)


def res(
    claim: str,
    toolchain: str,
    verdict: Verdict,
    expected: Verdict | None = None,
    *,
    skipped: bool = False,
    detail: str = "",
) -> ClaimResult:
    expectation = f">=1.0: {expected.value}" if expected else ""
    return ClaimResult(
        claim,
        toolchain,
        verdict,
        detail,
        expected=expected,
        version=toolchain.removeprefix("go"),
        goroot=f"/opt/{toolchain}",
        expectation=expectation,
        skipped=skipped,
    )


def report(*results: ClaimResult) -> ClaimsReport:
    return ClaimsReport(CATALOGUE, list(results))


H, N, P, NA, U = Verdict.HOLDS, Verdict.DOES_NOT_HOLD, Verdict.PARTLY, Verdict.NOT_APPLICABLE, Verdict.UNDECIDED


def test_counts_per_toolchain_oldest_first() -> None:
    digest = Digest.of(
        report(
            res("ch1.alpha", "go1.26.6", H, H),
            res("ch1.alpha", "go1.19.8", H, H),
            res("ch1.beta", "go1.19.8", N, N),
            res("ch1.beta", "go1.26.6", P, N),
            res("ch2.1.gamma", "go1.19.8", NA, NA),
            res("ch2.1.gamma", "go1.26.6", U),
        )
    )
    assert list(digest.counts) == ["go1.19.8", "go1.26.6"]
    assert digest.counts["go1.19.8"] == {
        "holds": 1,
        "does-not-hold": 1,
        "partly": 0,
        "n/a": 1,
        "differs from expectation": 0,
    }
    assert digest.counts["go1.26.6"] == {
        "holds": 1,
        "does-not-hold": 0,
        "partly": 1,
        "n/a": 0,
        "failed": 1,
        "differs from expectation": 1,
    }  # partly, not the failure
    assert digest.claims == 3  # the untested claim is not counted


def test_changes_list_runs_of_toolchains_oldest_to_newest() -> None:
    names = ["go1.19.8", "go1.21.13", "go1.22.10", "go1.23.9", "go1.25.5"]
    verdicts = [H, H, H, N, N]
    results = [res("ch1.alpha", name, verdict, verdict) for name, verdict in zip(names, verdicts, strict=True)]
    results += [res("ch1.beta", name, H, H) for name in names]
    lines = digest_lines(report(*results), "docs/claims.md")
    assert lines[0] == "goenv claims: 2 claims on 5 toolchains (full table in docs/claims.md)"
    assert "verdicts that differ between toolchains (oldest to newest):" in lines
    assert "  ch1.alpha: holds on go1.19.8 … go1.22.10 (3); does-not-hold on go1.23.9, go1.25.5" in lines
    assert not any(line.startswith("  ch1.beta") for line in lines)


def test_a_verdict_that_returns_makes_three_runs() -> None:
    results = [
        res("ch1.alpha", "go1.21.13", H, H),
        res("ch1.alpha", "go1.22.10", NA, NA),
        res("ch1.alpha", "go1.23.9", H, H),
    ]
    (change,) = Digest.of(report(*results)).changes
    assert change == (
        "ch1.alpha",
        [("holds", ["go1.21.13"]), ("not-applicable", ["go1.22.10"]), ("holds", ["go1.23.9"])],
    )


def test_every_mismatch_is_listed_with_its_expectation() -> None:
    lines = digest_lines(
        report(
            res("ch1.alpha", "go1.22.10", P, H),
            res("ch1.beta", "go1.22.10", N, H),
            res("ch2.1.gamma", "go1.22.10", H, H),
        )
    )
    start = lines.index("differs from expectation:")
    assert lines[start + 1 : start + 3] == [
        "  ch1.alpha on go1.22.10: observed partly, expected holds (>=1.0: holds)",
        "  ch1.beta on go1.22.10: observed does-not-hold, expected holds (>=1.0: holds)",
    ]
    assert "every claim has the same verdict on every toolchain" not in lines  # one toolchain: nothing to compare


def test_same_verdicts_everywhere_are_said_in_one_line() -> None:
    lines = digest_lines(report(res("ch1.alpha", "go1.22.10", H, H), res("ch1.alpha", "go1.26.6", H, H)))
    assert lines[-1] == "every claim has the same verdict on every toolchain"


def test_a_skip_is_not_a_mismatch_and_failures_are_named() -> None:
    lines = digest_lines(
        report(
            res("ch1.alpha", "go1.22.10", NA, H, skipped=True),
            res("ch1.beta", "go1.22.10", U, H, detail="the experiment raised OSError: boom\nmore"),
        )
    )
    assert "differs from expectation:" not in lines
    assert "go1.22.10  holds 0 · does-not-hold 0 · partly 0 · n/a 1 · failed 1 · differs from expectation 0" in lines[1]
    assert lines[-2:] == [
        "experiments that failed (undecided):",
        "  ch1.beta on go1.22.10: the experiment raised OSError: boom",
    ]


def test_no_results_no_lines() -> None:
    assert digest_lines(report()) == []
