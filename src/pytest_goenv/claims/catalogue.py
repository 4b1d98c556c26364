"""The catalogue of claims the behaviour suite checks: stable ids, sections, statements and sources.

The claims come from a cheat sheet of Go environment-variable behaviour written in Chinese
(chapters 1 to 4) plus behaviours users trip over that it misses (section ``extra``).  Each
chapter 1-4 claim carries the document's own sentence (``source``, in Chinese) beside its
English statement, so that a reader can check the translation; the catalogue names the
document by its title and its sections by their headings.  They live in
``pytest_goenv/behaviour/claims.json`` so that the suite, the report and the docs share one list.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pytest_goenv.base.errors import GoenvError

__all__ = ["Catalogue", "CatalogueError", "Claim", "Document", "load_catalogue"]

_ID_RE = re.compile(r"^(?:ch\d+(?:\.\d+)?|extra)\.[a-z0-9][a-z0-9.-]*$")


class CatalogueError(GoenvError, ValueError):
    """The catalogue file is malformed, or a claim id is not in it."""


@dataclass(frozen=True)
class Claim:
    """One checkable statement: ``id`` such as ``ch1.goroot-autodetect``, its section and text."""

    id: str
    section: str
    statement: str
    source: str = ""
    """The document's own words (Chinese) the statement translates; fragments are joined by `` … ``."""


@dataclass(frozen=True)
class Document:
    """The document the claims come from: its title, what it is, and its section headings by number.

    Example::

        doc = Document("Go开发环境配置速查表", "a cheat sheet", {"2": "第二章:...", "2.1": "2.1 GOROOT..."})
        doc.location("2.1")  # 'chapter 2 “第二章:...”, section 2.1 “2.1 GOROOT...”'
    """

    title: str
    description: str = ""
    sections: Mapping[str, str] = field(default_factory=dict)

    def location(self, section: str) -> str:
        """Where ``section`` is in the document: its chapter and section headings (``extra``: not in it)."""
        if section == "extra":
            return "not in the document (a behaviour it misses)"
        chapter = section.split(".", 1)[0]
        where = f"chapter {chapter}" + (f" “{self.sections[chapter]}”" if chapter in self.sections else "")
        if section != chapter:
            where += f", section {section}" + (f" “{self.sections[section]}”" if section in self.sections else "")
        return where


class Catalogue(Mapping[str, Claim]):
    """Claims by id, in the order of the document."""

    def __init__(self, claims: list[Claim], source: str = "", document: Document | None = None) -> None:
        self.source = source
        self.document = document
        self._claims: dict[str, Claim] = {}
        for claim in claims:
            if claim.id in self._claims:
                raise CatalogueError(f"{source}: claim id {claim.id!r} appears twice")
            self._claims[claim.id] = claim

    def __getitem__(self, claim_id: str) -> Claim:
        try:
            return self._claims[claim_id]
        except KeyError:
            close = difflib.get_close_matches(claim_id, list(self._claims), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise CatalogueError(
                f"unknown claim id {claim_id!r}: add it to {self.source or 'the catalogue'} first{hint}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._claims)

    def __len__(self) -> int:
        return len(self._claims)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read the catalogue (default: the one shipped in ``pytest_goenv.behaviour``)."""
    if path is None:
        resource = resources.files("pytest_goenv.behaviour").joinpath("claims.json")
        text, source = resource.read_text(encoding="utf-8"), "pytest_goenv/behaviour/claims.json"
    else:
        text, source = Path(path).read_text(encoding="utf-8"), str(path)
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"{source}: not valid JSON: {exc}") from None
    entries = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CatalogueError(f'{source}: expected an object with a "claims" list')
    claims = []
    for index, entry in enumerate(entries):
        fields = {name: entry.get(name) if isinstance(entry, dict) else None for name in ("id", "section", "statement")}
        missing = [name for name, value in fields.items() if not isinstance(value, str) or not value]
        if missing:
            raise CatalogueError(f"{source}: claim #{index + 1} lacks {', '.join(missing)} (non-empty strings)")
        if not _ID_RE.match(str(fields["id"])):
            raise CatalogueError(
                f"{source}: claim id {fields['id']!r} is not of the form 'ch1.some-name', "
                "'ch2.4.some-name' or 'extra.some-name'"
            )
        quote = entry.get("source", "")
        if not isinstance(quote, str) or (not quote and not str(fields["id"]).startswith("extra.")):
            raise CatalogueError(
                f"{source}: claim {fields['id']!r} lacks its source: the document's own sentence (a non-empty string)"
            )
        claims.append(Claim(str(fields["id"]), str(fields["section"]), str(fields["statement"]), quote))
    return Catalogue(claims, source, _document(data.get("document"), source))


def _document(value: Any, source: str) -> Document | None:
    """The catalogue's ``document`` entry: an object with ``title``, ``description`` and ``sections``."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("title"), str) or not value["title"]:
        raise CatalogueError(f'{source}: "document" must be an object with a non-empty "title"')
    sections = value.get("sections", {})
    if not isinstance(sections, dict) or not all(isinstance(v, str) for v in sections.values()):
        raise CatalogueError(f'{source}: "document.sections" must map section numbers to headings')
    return Document(value["title"], str(value.get("description", "")), {str(k): v for k, v in sections.items()})
