"""The catalogue of claims the behaviour suite checks: stable ids, sections and statements.

The claims come from a cheat sheet of Go environment-variable behaviour (chapters 1 to
4) plus behaviours users trip over that it misses (section ``extra``).  They live in
``pytest_goenv/behaviour/claims.json`` so that the suite, the report and the docs share
one list.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pytest_goenv.base.errors import GoenvError

__all__ = ["Catalogue", "CatalogueError", "Claim", "load_catalogue"]

_ID_RE = re.compile(r"^(?:ch\d+(?:\.\d+)?|extra)\.[a-z0-9][a-z0-9.-]*$")


class CatalogueError(GoenvError, ValueError):
    """The catalogue file is malformed, or a claim id is not in it."""


@dataclass(frozen=True)
class Claim:
    """One checkable statement: ``id`` such as ``ch1.goroot-autodetect``, its section and text."""

    id: str
    section: str
    statement: str


class Catalogue(Mapping[str, Claim]):
    """Claims by id, in the order of the document."""

    def __init__(self, claims: list[Claim], source: str = "") -> None:
        self.source = source
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
        claims.append(Claim(str(fields["id"]), str(fields["section"]), str(fields["statement"])))
    return Catalogue(claims, source)
