"""The experiment side of the behaviour suite: the ``claim`` fixtures and the checks of ``claim`` markers.

A test states the claim it checks with ``@pytest.mark.claim(id, expect={range: verdict})``
and decides a verdict through the ``claim`` fixture (``claims[id]`` when it checks
several).  After the test body the verdicts are compared with the expectation (a
difference fails the test), attached to the test report as ``user_properties`` (which
pytest-xdist carries from workers to the controller), collected, written by
``--goenv-report=PATH`` as Markdown and JSON and shown in the terminal summary.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Generator

import pytest

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.claims.catalogue import Catalogue, CatalogueError
from pytest_goenv.claims.verdicts import (
    ClaimCheck,
    ClaimMismatch,
    ClaimResult,
    Expectation,
    ExpectationError,
    Verdict,
)
from pytest_goenv.plugin.claims import CLAIM_PROPERTY, claim_run
from pytest_goenv.plugin.markers import collected_items
from pytest_goenv.plugin.state import item_toolchain
from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = ["activate", "claim", "claims"]

checks_key = pytest.StashKey[dict[str, ClaimCheck]]()
results_key = pytest.StashKey[list[ClaimResult]]()


def activate(config: pytest.Config) -> None:
    """Load this part into ``config``'s run, once (the shipped suite's conftest calls it).

    A project with experiments of its own writes ``pytest_plugins = ["pytest_goenv.plugin.behaviour"]``
    in its top-level conftest instead.
    """
    config.pluginmanager.import_plugin(__name__)


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class) -> Generator[None, object, object]:
    """Check each test's claim markers as it is collected: a bad one is a collection error naming the test."""
    collected = yield
    catalogue = claim_run(collector.config).catalogue
    for item in collected_items(collected):
        problem = _claim_marker_problem(item, catalogue)
        if problem is not None:
            raise collector.CollectError(f"{item.nodeid}: {problem}")
    return collected


def _claim_marker_problem(item: pytest.Item, catalogue: Catalogue) -> str | None:
    marks = list(item.iter_markers("claim"))
    for mark in marks:
        try:
            _parse_mark(mark, catalogue)
            if mark.kwargs.get("expect") is None:
                raise TypeError(
                    "expect= is required: the verdicts known per Go version range, "
                    "e.g. expect={'>=1.21': 'holds', '<1.21': 'not-applicable'}"
                )
        except (CatalogueError, ExpectationError, TypeError) as exc:
            return f"@pytest.mark.claim: {exc}"
    fixtures = getattr(item, "fixturenames", ())
    if marks and "claim" not in fixtures and "claims" not in fixtures:
        return "@pytest.mark.claim needs the test to use the `claim` (or `claims`) fixture to decide the verdict"
    return None


def _parse_mark(mark: pytest.Mark, catalogue: Catalogue) -> tuple[str, Expectation | None]:
    if len(mark.args) != 1 or not isinstance(mark.args[0], str) or set(mark.kwargs) - {"expect"}:
        raise TypeError("use @pytest.mark.claim('ch1.some-id', expect={'>=1.21': 'holds'})")
    claim_id = mark.args[0]
    catalogue[claim_id]  # raises CatalogueError naming close ids
    expect = mark.kwargs.get("expect")
    return claim_id, Expectation.parse(expect) if expect is not None else None


@pytest.fixture
def claims(request: pytest.FixtureRequest, go_toolchain: GoToolchain) -> dict[str, ClaimCheck]:
    """One :class:`ClaimCheck` per ``claim`` marker of the test, by claim id."""
    run = claim_run(request.config)
    marks = list(request.node.iter_markers("claim"))
    if not marks:
        pytest.fail(
            "the claim/claims fixtures need @pytest.mark.claim('<id>', expect={...}) on the test", pytrace=False
        )
    aliases = {str(go_toolchain.goroot): "$GOROOT", os.path.realpath(go_toolchain.goroot): "$GOROOT"}
    if os.environ.get("PATH"):  # the host's PATH, which sandboxes append to GOROOT/bin
        aliases[os.environ["PATH"]] = "$PATH"
    if "goenv" in request.fixturenames:
        sandbox = request.getfixturevalue("goenv")
        aliases.update({str(sandbox.gocache): "$GOCACHE", os.path.realpath(sandbox.gocache): "$GOCACHE"})
        aliases.update({str(sandbox.root): "$SANDBOX", os.path.realpath(sandbox.root): "$SANDBOX"})
    if "go_proxy" in request.fixturenames:  # its directory is under pytest's temp dir, which varies per run
        proxy = request.getfixturevalue("go_proxy")
        aliases.update({str(proxy.root): "$PROXY", proxy.http_url: "$PROXY_URL"})
    checks: dict[str, ClaimCheck] = {}
    for mark in marks:
        claim_id, expect = _parse_mark(mark, run.catalogue)
        checks[claim_id] = ClaimCheck(
            claim=run.catalogue[claim_id],
            version=go_toolchain.version,
            toolchain=go_toolchain.name,
            expect=expect,
            aliases=aliases,
            test=request.node.nodeid,
            goroot=str(go_toolchain.goroot),
        )
    request.node.stash[checks_key] = checks
    return checks


@pytest.fixture
def claim(claims: dict[str, ClaimCheck]) -> ClaimCheck:
    """The :class:`ClaimCheck` of the test's single ``claim`` marker."""
    if len(claims) != 1:
        pytest.fail(
            f"this test has {len(claims)} claim markers ({', '.join(claims)}); "
            "use the `claims` fixture and claims['<id>']",
            pytrace=False,
        )
    return next(iter(claims.values()))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    checks = item.stash.get(checks_key, {})
    try:
        outcome = yield
    except pytest.skip.Exception as exc:
        _finish_checks(item, checks, skipped_because=str(exc))
        raise
    except BaseException as exc:
        item.stash[results_key] = [check.result() if check.verdict else check.crashed(exc) for check in checks.values()]
        raise
    _finish_checks(item, checks)
    return outcome


def _finish_checks(item: pytest.Item, checks: dict[str, ClaimCheck], skipped_because: str | None = None) -> None:
    """Store each check's result; fail the test if a decided verdict differs from its expectation.

    After a skip, the checks it concerns (no verdict, or not applicable) are not applicable
    for its reason; verdicts decided before it still count.
    """
    results, failures = [], []
    for check in checks.values():
        if skipped_because is not None and check.verdict in (None, Verdict.NOT_APPLICABLE):
            results.append(_skipped_check(check, skipped_because))
            continue
        try:
            results.append(check.finish())
        except ClaimMismatch as mismatch:
            results.append(check.result())
            failures.append(str(mismatch))
    item.stash[results_key] = results
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def _skipped_check(check: ClaimCheck, reason: str) -> ClaimResult:
    """Not applicable for the skip's reason (or the one ``inapplicable`` gave), never held against the expectation."""
    if check.verdict is None:
        check.not_applicable(f"skipped: {reason}")
    return dataclasses.replace(check.result(), skipped=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    results = item.stash.get(results_key, None) if call.when == "call" else None
    if call.when == "setup" and (report.skipped or report.failed):
        results = _before_the_experiment(item, report)
    for result in results or ():
        report.user_properties.append((CLAIM_PROPERTY, json.dumps(result.to_dict())))
    return report


def _before_the_experiment(item: pytest.Item, report: pytest.TestReport) -> list[ClaimResult]:
    """A claim test skipped in setup (a go_version or cgo marker) is not applicable there; one whose
    setup failed is undecided, so that the report shows the failure rather than a blank."""
    marks = list(item.iter_markers("claim"))
    toolchain = item_toolchain(item)
    if not marks or toolchain is None:
        return []
    run = claim_run(item.config)
    results = []
    for mark in marks:
        claim_id, expect = _parse_mark(mark, run.catalogue)
        check = item.stash.get(checks_key, {}).get(claim_id) or ClaimCheck(
            run.catalogue[claim_id],
            toolchain.version,
            toolchain.name,
            expect,
            test=item.nodeid,
            goroot=str(toolchain.goroot),
        )
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            check.not_applicable(str(reason).removeprefix("Skipped: "))
            results.append(dataclasses.replace(check.result(), skipped=True))
        else:
            results.append(check.crashed(FixtureSetupFailed(_last_line(report))))
    return results


class FixtureSetupFailed(GoenvError):
    """Stands for a failure in a claim test's fixtures, for the report."""


def _last_line(report: pytest.TestReport) -> str:
    lines = [line.strip() for line in report.longreprtext.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("E ")]
    return (errors or lines or ["(no details)"])[-1].removeprefix("E").strip()
