"""The claims-by-toolchains report of the behaviour suite, as Markdown and JSON.

Markdown is meant for docs and CI step summaries: a table of verdicts, then per claim
the statement and the evidence behind each cell (toolchains with identical findings
share one entry).  JSON carries the same for machines::

    {"toolchains": ["go1.21.13", ...],
     "claims": [{"id", "section", "statement", "results": {TOOLCHAIN: {"verdict", "detail", "evidence"}}}]}
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import Version

from pytest_goenv.claims.catalogue import Catalogue, Claim, load_catalogue
from pytest_goenv.claims.verdicts import ClaimResult, Evidence, Verdict
from pytest_goenv.toolchains.version import GoVersion, InvalidGoVersion

__all__ = ["SYMBOLS", "ClaimsReport", "main", "report_paths"]

SYMBOLS = {
    Verdict.HOLDS: "✅",
    Verdict.DOES_NOT_HOLD: "❌",
    Verdict.PARTLY: "◐",
    Verdict.NOT_APPLICABLE: "⚪",
    Verdict.UNDECIDED: "⚠️",
}


def report_paths(path: str | Path) -> tuple[Path, Path]:
    """The Markdown and JSON files written for ``--goenv-report=PATH`` (the other one beside it)."""
    target = Path(path)
    if target.suffix.lower() == ".json":
        return target.with_suffix(".md"), target
    if target.suffix.lower() == ".md":
        return target, target.with_suffix(".json")
    return target, target.with_name(target.name + ".json")


def _version_key(name: str) -> tuple[int, Version, str]:
    try:
        return (0, GoVersion.parse(name.split(maxsplit=1)[0]).to_packaging(), name)
    except InvalidGoVersion:
        return (1, Version("0"), name)


@dataclass
class ClaimsReport:
    """Verdicts of a run: every catalogued claim, every toolchain seen, the command that made them."""

    catalogue: Catalogue
    results: list[ClaimResult] = field(default_factory=list)
    command: str = ""
    _cache: tuple[int, dict[str, set[str]], dict[tuple[str, str], list[ClaimResult]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def add(self, results: Iterable[ClaimResult]) -> None:
        self.results.extend(results)

    def label(self, result: ClaimResult) -> str:
        """The column of a result: the toolchain's name, plus its GOROOT if two toolchains share the name."""
        goroots = self._index()[0].get(result.toolchain, set())
        return _column(result, goroots)

    def _index(self) -> tuple[dict[str, set[str]], dict[tuple[str, str], list[ClaimResult]]]:
        """GOROOTs per toolchain name, and results per (claim, column); rebuilt when results change."""
        if self._cache is None or self._cache[0] != len(self.results):
            goroots: dict[str, set[str]] = {}
            for result in self.results:
                goroots.setdefault(result.toolchain, set()).add(result.goroot)
            by_cell: dict[tuple[str, str], list[ClaimResult]] = {}
            for result in self.results:
                column = _column(result, goroots[result.toolchain])
                by_cell.setdefault((result.claim_id, column), []).append(result)
            self._cache = (len(self.results), goroots, by_cell)
        return self._cache[1], self._cache[2]

    @property
    def toolchains(self) -> list[str]:
        """Toolchain columns in version order."""
        return sorted({column for _claim, column in self._index()[1]}, key=_version_key)

    def cell(self, claim_id: str, toolchain: str) -> ClaimResult | None:
        """The result for one claim on one toolchain; with several, the worst one (undecided first)."""
        found = self._index()[1].get((claim_id, toolchain), [])
        if not found:
            return None
        undecided = [r for r in found if r.verdict is Verdict.UNDECIDED]
        return undecided[0] if undecided else found[-1]

    def _claims(self) -> list[Claim]:
        """Catalogued claims, then any claim id found in results but missing from the catalogue."""
        claims = list(self.catalogue.values())
        known = set(self.catalogue)
        for result in self.results:
            if result.claim_id not in known:
                known.add(result.claim_id)
                claims.append(Claim(result.claim_id, "?", "(not in the catalogue)"))
        return claims

    # -- JSON -------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data: the document, the toolchains and per claim its source and cells."""
        toolchains = self.toolchains
        document = self.catalogue.document
        info: dict[str, dict[str, str]] = {}
        for result in self.results:
            info.setdefault(self.label(result), {"version": result.version, "goroot": result.goroot})
        claims = []
        for claim in self._claims():
            results: dict[str, Any] = {}
            for name in toolchains:
                cell = self.cell(claim.id, name)
                if cell is not None:
                    results[name] = {
                        "verdict": cell.verdict.value,
                        "detail": cell.detail,
                        "expected": cell.expected.value if cell.expected else None,
                        "expectation": cell.expectation,
                        "evidence": [item.to_dict() for item in cell.evidence],
                        "test": cell.test,
                        "skipped": cell.skipped,
                    }
            entry: dict[str, Any] = {"id": claim.id, "section": claim.section, "statement": claim.statement}
            if claim.source:
                entry["source"] = claim.source
            if document is not None:
                entry["where"] = document.location(claim.section)
            claims.append({**entry, "results": results})
        data: dict[str, Any] = {"command": self.command}
        if document is not None:
            data["document"] = {"title": document.title, "description": document.description}
        return {**data, "toolchains": toolchains, "toolchain_info": info, "claims": claims}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], catalogue: Catalogue | None = None) -> ClaimsReport:
        """Rebuild a report from :meth:`to_json` output (to re-render it, or to merge several runs)."""
        info: Mapping[str, Any] = data.get("toolchain_info", {})
        results = []
        for claim in data.get("claims", ()):
            for column, cell in claim.get("results", {}).items():
                details = info.get(column, {})
                results.append(
                    ClaimResult.from_dict(
                        {
                            **cell,
                            "claim": claim["id"],
                            "toolchain": column.split(" ", 1)[0],
                            "version": details.get("version", ""),
                            "goroot": details.get("goroot", ""),
                        }
                    )
                )
        return cls(catalogue if catalogue is not None else load_catalogue(), results, str(data.get("command", "")))

    # -- Markdown ---------------------------------------------------------------------------

    def to_markdown(self) -> str:
        toolchains = self.toolchains
        lines = ["# Claims about Go environment variables, checked against real toolchains", ""]
        document = self.catalogue.document
        named = f" 《{document.title}》" if document is not None else ""
        lines.append(
            f"Each claim of the cheat sheet{named} (chapters 1 to 4) and each extra behaviour is checked by an "
            "experiment that runs the real go command; the verdict is computed from what it printed."
        )
        if document is not None and document.description:
            lines += [
                "",
                f"The document: {document.description}. Each claim below quotes its own sentence "
                "(in Chinese) beside the English statement, so that the translation can be checked.",
            ]
        lines += [
            "",
            "Every experiment runs in a fresh sandbox whose go commands see only a set environment: "
            "GOTOOLCHAIN=local, GOPROXY=off, GOSUMDB=off, no GOFLAGS, and a private HOME, GOPATH, module cache, "
            "GOENV file and temp dir (with Go's telemetry off). The commands under each claim show only the "
            "variables the experiment set on top of that; `$SANDBOX`, `$GOROOT` and the like stand for its paths.",
        ]
        if self.command:
            lines += ["", "Regenerate with:", "", "```sh", self.command, "```"]
        legend = " · ".join(f"{SYMBOLS[v]} {v.value}" for v in Verdict)
        lines += [
            "",
            f"Legend: {legend} (the experiment failed) · ❗ differs from the test's expectation "
            "· blank: no experiment.",
            "",
        ]
        lines += self._summary_markdown(toolchains)
        lines += ["", "## Claims and evidence", ""]
        for claim in self._claims():
            lines += self._claim_markdown(claim, toolchains)
        return "\n".join(lines).rstrip("\n") + "\n"

    def _summary_markdown(self, toolchains: list[str]) -> list[str]:
        lines = ["## Summary", ""]
        if not toolchains:
            return [*lines, "No results: no experiment ran.", ""]
        lines.append("| Claim | Section | " + " | ".join(toolchains) + " |")
        lines.append("|---|---|" + "---|" * len(toolchains))
        for claim in self._claims():
            cells = []
            for name in toolchains:
                cell = self.cell(claim.id, name)
                cells.append(SYMBOLS[cell.verdict] + ("❗" if cell.unexpected else "") if cell else "")
            lines.append(f"| [{claim.id}](#{_anchor(claim.id)}) | {claim.section} | " + " | ".join(cells) + " |")
        lines.append("")
        counts = []
        goroots = {self.label(result): result.goroot for result in self.results}
        for name in toolchains:
            tally = [self.cell(c.id, name) for c in self._claims()]
            parts = [f"{sum(1 for t in tally if t and t.verdict is v)} {v.value}" for v in Verdict]
            parts.append(f"{sum(1 for t in tally if t and t.unexpected)} differ from the expectation")
            where = f" (GOROOT `{goroots[name]}`)" if goroots.get(name) else ""
            counts.append(f"- **{name}**: " + ", ".join(p for p in parts if not p.startswith("0 ")) + where)
        return [*lines, *counts]

    def _claim_markdown(self, claim: Claim, toolchains: list[str]) -> list[str]:
        lines = [
            f'<a id="{_anchor(claim.id)}"></a>',
            "",
            f"### {claim.id}",
            "",
            f"Section {claim.section}. The document says: {claim.statement}",
            "",
        ]
        document = self.catalogue.document
        if claim.source:
            where = f" ({document.location(claim.section)})" if document is not None else ""
            lines += [f"Original{where}:", "", *(f"> {line}" for line in claim.source.splitlines()), ""]
        groups: dict[tuple[Any, ...], list[str]] = {}
        cells: dict[tuple[Any, ...], ClaimResult] = {}
        for name in toolchains:
            cell = self.cell(claim.id, name)
            if cell is None:
                continue
            key = (cell.verdict, cell.detail, cell.evidence)
            groups.setdefault(key, []).append(name)
            cells[key] = cell
        if not groups:
            return [*lines, "_No experiment checked this claim._", ""]
        for key, names in groups.items():
            cell = cells[key]
            detail = f": {_inline(cell.detail)}" if cell.detail else ""
            if cell.unexpected:
                wanted = cell.expected.value if cell.expected else "nothing for this version"
                detail += f" ❗ (the test expects {wanted}: {cell.expectation})"
            lines.append(f"- {SYMBOLS[cell.verdict]} **{cell.verdict.value}** on {', '.join(names)}{detail}")
            if cell.evidence:
                lines += ["", "  <details><summary>evidence</summary>", "", "  ```"]
                for item in cell.evidence:
                    lines += _evidence_lines(item)
                lines += ["  ```", "", "  </details>"]
            lines.append("")
        return lines

    # -- files ------------------------------------------------------------------------------

    def write(self, path: str | Path) -> list[Path]:
        """Write the Markdown and JSON reports for ``path`` (see :func:`report_paths`)."""
        markdown_path, json_path = report_paths(path)
        for target in (markdown_path, json_path):
            target.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.write_text(self.to_markdown(), encoding="utf-8")
        json_path.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return [markdown_path, json_path]


def _column(result: ClaimResult, goroots: set[str]) -> str:
    """The toolchain's name, plus the end of its GOROOT path when another toolchain has the same name."""
    if len(goroots) <= 1:
        return result.toolchain
    parts = [part for part in result.goroot.replace("\\", "/").split("/") if part]
    return f"{result.toolchain} ({'/'.join(parts[-2:])})"


def _anchor(claim_id: str) -> str:
    return "claim-" + claim_id.replace(".", "-")


def _inline(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _evidence_lines(item: Evidence) -> list[str]:
    lines = [f"  $ {item.command}"]
    lines += [f"  {line}".rstrip() for line in item.excerpt.replace("```", "'''").splitlines()]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pytest_goenv.claims.report A.json [B.json ...] -o docs/claims.md``: merge and re-render."""
    parser = argparse.ArgumentParser(
        prog="python -m pytest_goenv.claims.report",
        description="Merge claims reports (JSON written by --goenv-report) and write Markdown and JSON again.",
    )
    parser.add_argument("reports", nargs="+", type=Path, help="JSON reports; later ones win for the same cell")
    parser.add_argument("-o", "--output", required=True, type=Path, help="where to write (PATH.md + PATH.json)")
    args = parser.parse_args(argv)
    merged = ClaimsReport(load_catalogue())
    for path in args.reports:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            parser.error(f"{path}: cannot read a claims report: {exc}")
        report = ClaimsReport.from_json(data, merged.catalogue)
        merged.add(report.results)
        merged.command = merged.command or report.command
    for written in merged.write(args.output):
        print(f"claims report written to {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
