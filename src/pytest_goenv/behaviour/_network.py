"""The network as the go command sees it in direct mode: a module's origin server, a cut network, dead addresses.

Direct mode (``GOPROXY=direct``, or a module matching GONOPROXY) fetches ``https://<host>/<path>?go-get=1``
and then the repository or module server its go-import tag names.  No DNS name leads to loopback, so the
origin is reached the way a machine behind an HTTP proxy reaches the internet: ``HTTP_PROXY`` and
``HTTPS_PROXY`` name a loopback server, which answers the plain-HTTP requests for the origin host and
refuses CONNECT (https).  ``GOINSECURE=<host>`` lets the go command use plain HTTP for that host, and the
go-import tag names a module server (vcs ``mod``) on the same host.  Nothing rewrites where a module comes
from: the go command resolves the module path and reaches its origin over the network it has.

A cut network is the same route to a closed port: every connection except to loopback (which the go
command never sends through a proxy) is refused.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.modules.proxy import GoProxy, ModuleVersion
from pytest_goenv.sandbox.goenv import GoEnv

__all__ = ["ORIGIN_HOST", "Origin", "closed_port_url", "cut_network", "origin_server"]

ORIGIN_HOST = "git.corp.example.com"
"""The document's private source host; it has no DNS entry here, so only the HTTP proxy route reaches it."""


@dataclass
class Origin:
    """A module origin server at ``https://<host>``: :meth:`add` a module below the host to serve it directly."""

    host: str
    server: GoProxy

    def add(self, path: str, version: str = "v1.0.0", where: str = "origin") -> ModuleVersion:
        """Serve module ``path`` (``<host>/...``) with ``const Where = "<where>"`` and its go-import page."""
        if not path.startswith(self.host + "/"):
            raise ValueError(f"{path} is not below the origin host {self.host}")
        rest = path.removeprefix(self.host + "/")
        tag = f"{path} mod http://{self.host}"
        page = f'<html><head><meta name="go-import" content="{tag}"></head><body></body></html>\n'.encode()
        self.server.mount(rest, lambda _rest: (200, "text/html; charset=utf-8", page))
        return self.server.add(path, version, {"lib.go": f'package lib\n\nconst Where = "{where}"\n'})

    def fetched(self, path: str) -> bool:
        """Whether the go command downloaded ``path``'s zip from the origin (a direct fetch)."""
        return self.server.requested(path, kind="zip")


@contextmanager
def origin_server(goenv: GoEnv, host: str = ORIGIN_HOST, *checks: ClaimCheck) -> Iterator[Origin]:
    """An origin server for modules below ``host``, reached through HTTP_PROXY/HTTPS_PROXY; GOINSECURE=host.

    Its URL shows as ``$ORIGIN_URL`` in the evidence of ``checks``.
    """
    with GoProxy(goenv.root / f"origin-{host}") as server:
        for check in checks:
            check.name(server.http_url, "$ORIGIN_URL")
        goenv.setenv("HTTP_PROXY", server.http_url)
        goenv.setenv("HTTPS_PROXY", server.http_url)
        goenv.setenv("GOINSECURE", host)
        yield Origin(host, server)


def closed_port_url() -> str:
    """``http://127.0.0.1:<port>`` for a port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def cut_network(goenv: GoEnv, *checks: ClaimCheck) -> str:
    """Send every non-loopback connection of the sandbox's commands to a closed port; returns that proxy URL.

    It shows as ``$CLOSED_PORT`` in the evidence of ``checks``.
    """
    dead = closed_port_url()
    for check in checks:
        check.name(dead, "$CLOSED_PORT")
    for name in ("HTTP_PROXY", "HTTPS_PROXY"):
        goenv.setenv(name, dead)
    goenv.delenv("NO_PROXY")
    return dead
