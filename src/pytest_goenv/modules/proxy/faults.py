"""What a proxy answers instead of the protocol: injected failures and handlers mounted under a prefix.

:class:`FaultTable` holds the failures set with :meth:`GoProxy.fail` (the latest that matches wins);
:class:`MountTable` the handlers set with :meth:`GoProxy.mount` (the longest matching prefix wins),
such as a checksum database served at ``sumdb/<name>/``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from pytest_goenv.base.filetree import as_bytes
from pytest_goenv.base.loopback import Response
from pytest_goenv.modules.proxy.protocol import FAILABLE_KINDS, RequestKind
from pytest_goenv.modules.proxy.store import ProxyError

__all__ = ["Failure", "FaultTable", "Handler", "MountTable"]

Handler = Callable[[str], Response]
"""A mounted handler: given the request path below its prefix (no leading slash), returns a Response."""


@dataclass(frozen=True)
class Failure:
    """One injected failure: requests for modules at or below ``prefix`` ("" for all) get ``status``.

    Parameters:
        prefix: a module path; its submodules fail too. status: the HTTP status (400-599).
        version: only this version, or None for all. kinds: only these request kinds, or None for all.
        body: the body served, or None for a line naming the status.

    Example::

        Failure("example.com/m", 503, None, frozenset({"zip"}), None).matches("example.com/m/sub", "v1.0.0", "zip")
    """

    prefix: str
    status: int
    version: str | None
    kinds: frozenset[str] | None
    body: bytes | None

    def matches(self, module: str, version: str | None, kind: str) -> bool:
        """Whether a request for ``module@version`` of ``kind`` fails this way."""
        if self.prefix and module != self.prefix and not module.startswith(self.prefix + "/"):
            return False
        if self.version is not None and version != self.version:
            return False
        return self.kinds is None or kind in self.kinds

    @property
    def answer_body(self) -> bytes:
        """The body served: the one given, else a line naming the injected status."""
        return self.body if self.body is not None else f"injected failure {self.status}\n".encode()


class FaultTable:
    """The failures a proxy injects, newest first.

    Example::

        faults = FaultTable()
        faults.add("example.com/m", 500, version=None, kinds=("zip",), body=None)
        faults.find("example.com/m", "v1.0.0", "zip").status   # 500
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[Failure] = []

    def add(
        self,
        module_or_prefix: str,
        status: int,
        *,
        version: str | None,
        kinds: tuple[RequestKind, ...] | None,
        body: str | bytes | None,
    ) -> None:
        """Check and hold a failure (see :meth:`GoProxy.fail`)."""
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise ProxyError(f"fail(): status {status!r} is not an HTTP error status (400-599)")
        _check_kinds(kinds)
        failure = Failure(
            module_or_prefix.strip("/"),
            status,
            version,
            frozenset(kinds) if kinds is not None else None,
            as_bytes(body) if body is not None else None,
        )
        with self._lock:
            self._failures.insert(0, failure)

    def clear(self) -> None:
        """Forget every failure."""
        with self._lock:
            self._failures.clear()

    def find(self, module: str, version: str | None, kind: str) -> Failure | None:
        """The newest failure matching the request, if any."""
        with self._lock:
            return next((f for f in self._failures if f.matches(module, version, kind)), None)


class MountTable:
    """Handlers serving the URL paths under a prefix.

    Example::

        mounts = MountTable()
        mounts.add("sumdb/sum.golang.test", db.proxy_handler)
        mounts.find("sumdb/sum.golang.test/latest")   # (db.proxy_handler, "latest")
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mounts: dict[str, Handler] = {}

    def add(self, prefix: str, handler: Handler) -> None:
        """Serve ``/<prefix>/...`` with ``handler`` (a later mount of the same prefix replaces it)."""
        key = prefix.strip("/")
        if not key:
            raise ProxyError("mount(): the prefix must not be empty")
        with self._lock:
            self._mounts[key] = handler

    def find(self, path: str) -> tuple[Handler, str] | None:
        """The handler of the longest prefix of ``path`` (no leading slash) and the rest of the path."""
        with self._lock:
            mounts = sorted(self._mounts.items(), key=lambda item: -len(item[0]))
        for prefix, handler in mounts:
            if path == prefix or path.startswith(prefix + "/"):
                return handler, path[len(prefix) :].lstrip("/")
        return None


def _check_kinds(kinds: object) -> None:
    """Refuse ``fail(kinds=...)`` values that could never match a request (a bare string, unknown kinds)."""
    if kinds is None:
        return
    allowed = f"the request kinds are {', '.join(FAILABLE_KINDS)}"
    if isinstance(kinds, str) or not isinstance(kinds, (tuple, list, set, frozenset)):
        raise ProxyError(f"fail(): kinds={kinds!r} must be a tuple such as kinds=('zip',); {allowed}")
    unknown = [k for k in kinds if k not in FAILABLE_KINDS]
    if unknown:
        raise ProxyError(f"fail(): unknown request kind(s) {', '.join(map(repr, unknown))}; {allowed}")
    if not kinds:
        raise ProxyError(f"fail(): kinds=() matches no request; pass None for all, or some of them ({allowed})")
