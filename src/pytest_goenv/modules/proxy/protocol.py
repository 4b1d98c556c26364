"""The GOPROXY protocol (``go help goproxy``): request paths, their case-encoding, and the answers.

A request is ``<module>/@v/list``, ``<module>/@v/<version>.info`` (``.mod``, ``.zip``) or
``<module>/@latest``, with module path and version case-encoded (``!x`` for ``X``). Unknown modules and
versions answer 404, so the go command goes on to the next entry of a GOPROXY list.
"""

from __future__ import annotations

import re
from typing import Literal

from pytest_goenv.base.loopback import Response
from pytest_goenv.modules import modpath
from pytest_goenv.modules.proxy.store import VersionStore

__all__ = ["FAILABLE_KINDS", "TEXT", "RequestKind", "answer", "parse_module_request", "version_list"]

RequestKind = Literal["list", "info", "mod", "zip", "latest", "mount", "other"]
"""What a request asked for: a module request's kind, a mounted handler's path, or anything else."""

FAILABLE_KINDS: tuple[RequestKind, ...] = ("list", "info", "mod", "zip", "latest")
"""The module request kinds :meth:`GoProxy.fail` can narrow a failure to."""

TEXT = "text/plain; charset=utf-8"
"""The content type of plain-text answers (lists, go.mod files, errors)."""

_KIND_BY_EXT: dict[str, RequestKind] = {"info": "info", "mod": "mod", "zip": "zip"}
_REVISION = re.compile(r"[0-9a-f]{7,40}")


def parse_module_request(path: str) -> tuple[str, str | None, RequestKind] | None:
    """Split ``<module>/@v/<file>`` or ``<module>/@latest`` (no leading slash) into module, version and kind.

    None when the path is no module request or its case-encoding is malformed.
    """
    try:
        if path.endswith("/@latest"):
            return modpath.unescape_path(path[: -len("/@latest")]), None, "latest"
        escaped, sep, rest = path.rpartition("/@v/")
        if not sep:
            return None
        module = modpath.unescape_path(escaped)
        if rest == "list":
            return module, None, "list"
        stem, dot, ext = rest.rpartition(".")
        if not dot or ext not in _KIND_BY_EXT:
            return None
        return module, modpath.unescape_version(stem), _KIND_BY_EXT[ext]
    except modpath.InvalidModulePath:
        return None


def version_list(versions: list[str]) -> bytes:
    """The body of ``@v/list``: one version a line."""
    return "".join(v + "\n" for v in versions).encode()


def answer(store: VersionStore, module: str, version: str | None, kind: RequestKind) -> Response:
    """The answer to a parsed module request from the versions ``store`` holds.

    An ``.info`` request for a commit hash (7 to 40 hex digits) answers with the pseudo-version of that
    commit, as proxies resolve ``go get m@<hash>``.
    """
    if not store.holds(module):
        return 404, TEXT, f"not found: module {module}: not in this proxy\n".encode()
    if kind == "list":
        return 200, TEXT, version_list(store.versions(module))
    if kind == "latest":
        latest = store.latest(module)
        assert latest is not None
        return 200, "application/json", latest.info
    entry = store.find(module, version or "")
    if entry is None and kind == "info" and version and _REVISION.fullmatch(version):
        entry = store.by_revision(module, version)
    if entry is None:
        return 404, TEXT, f"not found: {module}@{version}: unknown revision {version}\n".encode()
    if kind == "info":
        return 200, "application/json", entry.info
    if kind == "mod":
        return 200, TEXT, entry.mod
    return 200, "application/zip", entry.zip
