"""Running ``go list -json`` in a sandbox and reading the stream of JSON objects it prints."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_goenv.sandbox import GoEnv

__all__ = ["go_list", "json_objects"]


def go_list(
    goenv: GoEnv,
    *args: str,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> list[dict[str, Any]]:
    """The objects ``go list -json ARGS`` prints; a failing go command raises ``GoCommandError``."""
    __tracebackhide__ = True
    result = goenv.run("list", "-json", *args, cwd=cwd, env=env)
    return json_objects(result.stdout)


def json_objects(text: str) -> list[dict[str, Any]]:
    """Decode concatenated JSON objects, the form ``go list -json`` and ``go env -json`` print."""
    __tracebackhide__ = True
    decoder = json.JSONDecoder()
    objects: list[dict[str, Any]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return objects
        value, position = decoder.raw_decode(text, position)
        if isinstance(value, dict):
            objects.append(value)
