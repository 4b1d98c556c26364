"""Verdicts on claims about Go behaviour, computed from what a real go command did.

How a behaviour experiment uses this module (through the ``claim`` fixture)::

    @pytest.mark.claim("ch1.goroot-autodetect", expect={">=1.19": "holds"})
    def test_goroot_autodetect(goenv, claim):
        goenv.delenv("GOROOT")
        result = claim.observe(goenv.run("env", "GOROOT"))        # evidence: command + output
        claim.holds_if(result.stdout.strip() == str(goenv.toolchain.goroot),
                       f"go env GOROOT printed {result.stdout.strip()}")

A :class:`ClaimCheck` collects :class:`Evidence` (``observe`` a :class:`GoResult`, or
``record`` any command and its output) and one verdict, decided by code from the
observations: ``holds_if(condition, detail)``, ``parts({"part": bool, ...})`` (all parts
hold, none, or some: ``partly`` naming them), or directly ``holds``/``does_not_hold``/
``partly``/``not_applicable(reason)``; the last decision wins.  ``finish()`` returns the
:class:`ClaimResult` and raises :class:`ClaimMismatch` if the verdict differs from the
:class:`Expectation` for the toolchain's version (``{">=1.21": "holds", "<1.21":
"not-applicable"}``): a toolchain that behaves differently from what is known fails.
Several claims can share one experiment: stack ``claim`` markers and use ``claims[id]``.
The plugin (:mod:`pytest_goenv.plugin.behaviour`) requires ``expect=``, calls ``finish()``
after the test body, records an experiment that raised as ``undecided`` (:meth:`ClaimCheck.crashed`)
and one skipped as ``not-applicable`` with the skip reason.
"""

from __future__ import annotations

import enum
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.base.excerpt import cut_lines, escape_controls, shorten
from pytest_goenv.claims.catalogue import Claim
from pytest_goenv.sandbox.result import GoResult
from pytest_goenv.toolchains.version import GoVersion, GoVersionSpec, InvalidGoVersion

__all__ = [
    "ClaimCheck",
    "ClaimMismatch",
    "ClaimResult",
    "Evidence",
    "Expectation",
    "ExpectationError",
    "Verdict",
]

_LOOPBACK_PORT = re.compile(r"\b(127\.0\.0\.1|localhost):\d{2,5}\b")
"""A loopback address with the port a server got for this run: shown as ``127.0.0.1:$PORT`` unless named."""

EXCERPT_LINES = 12
EXCERPT_CHARS = 1200


class Verdict(str, enum.Enum):
    """What an experiment found out about a claim on one toolchain."""

    HOLDS = "holds"
    DOES_NOT_HOLD = "does-not-hold"
    PARTLY = "partly"
    NOT_APPLICABLE = "not-applicable"
    UNDECIDED = "undecided"  # the experiment crashed or decided nothing; never expected

    @classmethod
    def parse(cls, value: str | Verdict) -> Verdict:
        """``"holds"`` -> ``Verdict.HOLDS``; anything else is an :class:`ExpectationError`."""
        if isinstance(value, Verdict):
            return value
        try:
            return cls(str(value).strip().lower().replace("_", "-").replace(" ", "-"))
        except ValueError:
            choices = ", ".join(v.value for v in cls if v is not cls.UNDECIDED)
            raise ExpectationError(f"unknown verdict {value!r}; use one of {choices}") from None


class ExpectationError(GoenvError, ValueError):
    """An expectation is malformed (bad version range, unknown verdict, overlapping ranges)."""


class ClaimMismatch(GoenvError, AssertionError):
    """A toolchain's behaviour differs from what the test expects for its version."""


@dataclass(frozen=True)
class Evidence:
    """One observation: the command as a shell line and an excerpt of what it printed."""

    command: str
    excerpt: str

    def to_dict(self) -> dict[str, str]:
        return {"command": self.command, "excerpt": self.excerpt}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(str(data.get("command", "")), str(data.get("excerpt", "")))


@dataclass(frozen=True)
class Expectation:
    """Expected verdicts per Go version range, e.g. ``{">=1.21": "holds", "<1.21": "partly"}``."""

    ranges: tuple[tuple[GoVersionSpec, Verdict], ...]

    @classmethod
    def parse(cls, value: Expectation | Mapping[str, str | Verdict] | str | Verdict) -> Expectation:
        """Accept a mapping of version specifiers to verdicts, or one verdict for every version."""
        if isinstance(value, Expectation):
            return value
        if isinstance(value, (str, Verdict)):
            value = {">=1.0": value}
        if not isinstance(value, Mapping) or not value:
            raise ExpectationError(f"expect={value!r}: give a verdict or a mapping such as {{'>=1.21': 'holds'}}")
        ranges = []
        for spec_text, verdict_text in value.items():
            try:
                spec = GoVersionSpec.parse(spec_text)
            except InvalidGoVersion as exc:
                raise ExpectationError(f"expect: {exc}") from None
            verdict = Verdict.parse(verdict_text)
            if verdict is Verdict.UNDECIDED:
                raise ExpectationError("expect: 'undecided' cannot be expected; fix the experiment")
            ranges.append((spec, verdict))
        return cls(tuple(ranges))

    def for_version(self, version: GoVersion) -> Verdict | None:
        """The verdict expected on ``version``; None if no range covers it."""
        found = {(str(spec), verdict) for spec, verdict in self.ranges if spec.contains(version)}
        verdicts = {verdict for _spec, verdict in found}
        if len(verdicts) > 1:
            listed = ", ".join(f"{spec!r}: {verdict.value}" for spec, verdict in sorted(found))
            raise ExpectationError(f"expect: ranges overlap at {version.tag} with different verdicts ({listed})")
        return verdicts.pop() if verdicts else None

    def describe(self) -> str:
        return ", ".join(f"{spec}: {verdict.value}" for spec, verdict in self.ranges)


@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one claim for one toolchain, with the evidence behind it."""

    claim_id: str
    toolchain: str
    verdict: Verdict
    detail: str = ""
    evidence: tuple[Evidence, ...] = ()
    expected: Verdict | None = None
    test: str = ""
    version: str = ""
    goroot: str = ""
    expectation: str = ""  # the test's whole expectation, e.g. ">=1.21: holds, <1.21: not-applicable"
    skipped: bool = False  # the experiment stopped as skipped (a host without what it needs)

    @property
    def unexpected(self) -> bool:
        """True if the verdict differs from the expectation, or the test has none for this version.

        A skipped experiment is never unexpected: expectations describe Go versions, not hosts.
        """
        if self.skipped:
            return False
        if self.expected is None:
            return bool(self.expectation) and self.verdict is not Verdict.UNDECIDED
        return self.expected is not self.verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim_id,
            "toolchain": self.toolchain,
            "version": self.version,
            "goroot": self.goroot,
            "verdict": self.verdict.value,
            "detail": self.detail,
            "evidence": [item.to_dict() for item in self.evidence],
            "expected": self.expected.value if self.expected else None,
            "expectation": self.expectation,
            "test": self.test,
            "skipped": self.skipped,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClaimResult:
        expected = data.get("expected")
        return cls(
            claim_id=str(data["claim"]),
            toolchain=str(data["toolchain"]),
            verdict=Verdict.parse(str(data["verdict"])),
            detail=str(data.get("detail", "")),
            evidence=tuple(Evidence.from_dict(item) for item in data.get("evidence", ())),
            expected=Verdict.parse(expected) if expected else None,
            test=str(data.get("test", "")),
            version=str(data.get("version", "")),
            goroot=str(data.get("goroot", "")),
            expectation=str(data.get("expectation", "")),
            skipped=bool(data.get("skipped", False)),
        )


@dataclass
class ClaimCheck:
    """Collects the observations and the verdict on one claim for one toolchain."""

    claim: Claim
    version: GoVersion
    toolchain: str
    expect: Expectation | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    test: str = ""
    goroot: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    verdict: Verdict | None = None
    detail: str = ""

    # -- observations ---------------------------------------------------------------------

    def observe(self, result: GoResult, *, grep: str | Sequence[str] | None = None) -> GoResult:
        """Record a finished command as evidence and return it (``grep`` keeps only lines with it)."""
        self.evidence.append(Evidence(self._command_line(result), self._excerpt(result, grep)))
        return result

    def record(self, command: str, output: str) -> None:
        """Record an observation not made through a GoResult (reading a file of GOROOT, say)."""
        self.evidence.append(Evidence(self._alias(command), self._cut(self._alias(output))))

    def _command_line(self, result: GoResult) -> str:
        words: list[str] = []
        unset = sorted(name for name, value in result.env_diff.items() if value is None)
        if unset:
            words.append("env")
            for name in unset:
                words += ["-u", name]
        words += [f"{name}={value}" for name, value in sorted(result.env_diff.items()) if value is not None]
        argv = list(result.argv)
        if argv and self._alias(argv[0]) in ("$GOROOT/bin/go", "go"):
            argv[0] = "go"  # the toolchain's own go; any other program keeps its (aliased) path
        line = shlex.join([*words, *argv])
        return self._alias(line)

    def _excerpt(self, result: GoResult, grep: str | Sequence[str] | None) -> str:
        text = result.output
        if grep is not None:
            needles = [grep] if isinstance(grep, str) else list(grep)
            text = "\n".join(line for line in text.splitlines() if any(n in line for n in needles))
        text = self._cut(self._alias(text.rstrip("\n")))
        if result.timed_out:
            text += f"\n[timed out after {result.timeout:g} s]"
        elif result.returncode != 0:
            text += f"\n[exit status {result.returncode}]"
        return text.strip("\n")

    def name(self, text: str, alias: str) -> None:
        """Show ``text`` (a loopback URL, a path) as ``alias`` in the evidence recorded from now on.

        Example: ``claim.name(backup.http_url, "$BACKUP_URL")`` keeps a port that changes per run out of the report.
        """
        self.aliases[text] = alias

    def _alias(self, text: str) -> str:
        for path in sorted(self.aliases, key=len, reverse=True):
            if path:
                text = text.replace(path, self.aliases[path])
        return _LOOPBACK_PORT.sub(r"\1:$PORT", text)

    @staticmethod
    def _cut(text: str) -> str:
        out = "\n".join(cut_lines(text.splitlines(), EXCERPT_LINES, note="... ({cut} more lines)"))
        return escape_controls(shorten(out, EXCERPT_CHARS, " ... ({cut} more chars)"))

    # -- verdicts -------------------------------------------------------------------------

    def decide(self, verdict: Verdict | str, detail: str = "") -> Verdict:
        """Set the verdict (the last decision wins) with a line saying what was observed."""
        self.verdict = Verdict.parse(verdict)
        self.detail = self._alias(detail)
        return self.verdict

    def holds(self, detail: str = "") -> Verdict:
        return self.decide(Verdict.HOLDS, detail)

    def does_not_hold(self, detail: str = "") -> Verdict:
        return self.decide(Verdict.DOES_NOT_HOLD, detail)

    def partly(self, detail: str) -> Verdict:
        """The claim is true only in part; ``detail`` says which part."""
        if not detail:
            raise ValueError("partly() needs a detail saying which part holds")
        return self.decide(Verdict.PARTLY, detail)

    def not_applicable(self, reason: str) -> Verdict:
        """The experiment cannot run on this toolchain; ``reason`` says why."""
        if not reason:
            raise ValueError("not_applicable() needs the reason")
        return self.decide(Verdict.NOT_APPLICABLE, reason)

    def holds_if(self, condition: bool, detail: str = "") -> Verdict:
        """``holds`` if ``condition`` else ``does-not-hold``; ``detail`` states the observation."""
        return self.decide(Verdict.HOLDS if condition else Verdict.DOES_NOT_HOLD, detail)

    def parts(self, parts: Mapping[str, bool], detail: str = "") -> Verdict:
        """Verdict from named sub-claims: all true holds, none does not, some is ``partly``."""
        if not parts:
            raise ValueError("parts() needs at least one named part")
        true = [name for name, ok in parts.items() if ok]
        false = [name for name, ok in parts.items() if not ok]
        summary = "; ".join([*(f"yes: {name}" for name in true), *(f"no: {name}" for name in false)])
        text = f"{detail}; {summary}" if detail else summary
        if not false:
            return self.decide(Verdict.HOLDS, text)
        if not true:
            return self.decide(Verdict.DOES_NOT_HOLD, text)
        return self.decide(Verdict.PARTLY, text)

    # -- the end --------------------------------------------------------------------------

    def result(self) -> ClaimResult:
        """The result as it stands (``undecided`` if nothing was decided)."""
        expected = self.expect.for_version(self.version) if self.expect else None
        return ClaimResult(
            claim_id=self.claim.id,
            toolchain=self.toolchain,
            verdict=self.verdict or Verdict.UNDECIDED,
            detail=self.detail if self.verdict else (self.detail or "the experiment decided no verdict"),
            evidence=tuple(self.evidence),
            expected=expected,
            test=self.test,
            version=str(self.version),
            goroot=self.goroot,
            expectation=self.expect.describe() if self.expect else "",
        )

    def crashed(self, error: BaseException) -> ClaimResult:
        """Mark the check undecided because the experiment raised ``error``; return the result."""
        self.verdict = None
        first_line = (str(error).strip().splitlines() or [""])[0]
        self.detail = f"the experiment raised {type(error).__name__}: {self._alias(first_line)}"
        self.evidence.append(Evidence(f"({type(error).__name__})", self._cut(self._alias(str(error)))))
        return self.result()

    def finish(self) -> ClaimResult:
        """The result; raises :class:`ClaimMismatch` if it is not what the test expects."""
        result = self.result()
        where = f"claim {self.claim.id} on {self.toolchain}"
        if result.verdict is Verdict.UNDECIDED:
            raise ClaimMismatch(f"{where}: the experiment decided no verdict (call claim.holds_if(...) etc.)")
        if not result.evidence and result.verdict is not Verdict.NOT_APPLICABLE:
            raise ClaimMismatch(
                f"{where}: verdict {result.verdict.value} without evidence; "
                "observe(result) or record(command, output) what was seen"
            )
        if self.expect is None:
            return result
        if result.expected is None:
            raise ClaimMismatch(
                f"{where}: observed {result.verdict.value} ({result.detail}), but the test states no "
                f"expectation for {self.version.tag} ({self.expect.describe()}); add a range for it"
            )
        if result.expected is not result.verdict:
            shown = "\n".join(
                f"  $ {e.command}\n" + "\n".join(f"    {line}" for line in e.excerpt.splitlines())
                for e in result.evidence
            )
            raise ClaimMismatch(
                f"{where}: observed {result.verdict.value} ({result.detail}), expected "
                f"{result.expected.value} for {self.version.tag} ({self.expect.describe()}).\n"
                f"This toolchain behaves differently from what is known: check the evidence and update "
                f"the expectation if the change is real.\nevidence:\n{shown}"
            )
        return result
