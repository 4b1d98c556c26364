"""Answering one HTTP request of a proxy, and the log of the requests answered.

:func:`dispatch` decides in the order a proxy applies them: a mounted handler, then an injected
failure, then the GOPROXY protocol. The proxy's loopback server (pytest_goenv.base.loopback) calls it
for every GET and HEAD, and :class:`RequestLog` keeps a :class:`ProxyRequest` for each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from pytest_goenv.base.loopback import Response
from pytest_goenv.modules.proxy.faults import FaultTable, MountTable
from pytest_goenv.modules.proxy.protocol import TEXT, RequestKind, parse_module_request

__all__ = ["Answer", "ProxyRequest", "RequestLog", "dispatch"]

Answer = Callable[[str, str | None, RequestKind], Response]
"""What answers a parsed module request: ``(module, version or None, kind) -> Response``."""


@dataclass(frozen=True)
class ProxyRequest:
    """One HTTP request the proxy answered (module and version are None when the path named none).

    Parameters:
        method: ``GET`` or ``HEAD``; path: the decoded request path; status: the status answered.
        kind: ``list``, ``info``, ``mod``, ``zip``, ``latest``, ``mount`` (a mounted handler) or ``other``.
        module, version: what a module request named.

    Example::

        goenv.run("mod", "download", "example.com/hello@v1.0.0")
        [r.kind for r in proxy.requests if r.module == "example.com/hello"]   # ["info", "mod", "zip"]
    """

    method: str
    path: str
    status: int
    kind: RequestKind
    module: str | None = None
    version: str | None = None


class RequestLog:
    """The requests a proxy answered, oldest first, safe to append to from the server's threads.

    Example::

        log = RequestLog()
        log.record(ProxyRequest("GET", "/example.com/m/@v/list", 200, "list", "example.com/m"))
        [r.kind for r in log.snapshot()]   # ["list"]
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[ProxyRequest] = []

    def record(self, request: ProxyRequest) -> None:
        """Add one answered request."""
        with self._lock:
            self._requests.append(request)

    def snapshot(self) -> list[ProxyRequest]:
        """The requests so far (a copy)."""
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        """Forget the requests recorded so far."""
        with self._lock:
            self._requests.clear()


def dispatch(
    path: str, method: str, *, mounts: MountTable, faults: FaultTable, answer: Answer
) -> tuple[Response, ProxyRequest]:
    """Answer a decoded request path: a mount, an injected failure, or ``answer`` for a module request."""
    trimmed = path.lstrip("/")
    mounted = mounts.find(trimmed)
    if mounted is not None:
        handler, rest = mounted
        response = handler(rest)
        return response, ProxyRequest(method, path, response[0], "mount")
    parsed = parse_module_request(trimmed)
    if parsed is None:
        body = f"not found: {path} is not a module proxy path\n".encode()
        return (404, TEXT, body), ProxyRequest(method, path, 404, "other")
    module, version, kind = parsed
    failure = faults.find(module, version, kind)
    response = (failure.status, TEXT, failure.answer_body) if failure is not None else answer(module, version, kind)
    return response, ProxyRequest(method, path, response[0], kind, module, version)
