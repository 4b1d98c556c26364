"""A threaded HTTP server on 127.0.0.1 that answers each GET (and HEAD) with a plain Python function.

The module proxy and the checksum database both serve the go command this way. The server starts on
first use of :attr:`LoopbackServer.url`; :meth:`LoopbackServer.close` stops accepting, shuts down the
connections the go command keeps alive and waits (boundedly) for their threads, so nothing is left
listening or running after a test.

Usable without pytest::

    with LoopbackServer(lambda request: (200, "text/plain", request.path.encode())) as server:
        urllib.request.urlopen(server.url + "/hello").read()   # b"/hello"
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["LoopbackServer", "Reply", "Request", "Responder", "Response"]

Response = tuple[int, str, bytes]
"""What a responder returns: HTTP status, content type and body."""


@dataclass(frozen=True)
class Request:
    """One request as a responder sees it: ``GET`` or ``HEAD``, and the path percent-decoded without its query."""

    method: str
    path: str


@dataclass(frozen=True)
class Reply:
    """A response with headers of its own (a redirect's ``Location``), which a responder may return.

    Example::

        LoopbackServer(lambda request: Reply(302, "text/plain", b"", {"Location": "/elsewhere"}))
    """

    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def response(self) -> Response:
        """Status, content type and body, without the headers."""
        return self.status, self.content_type, self.body


Responder = Callable[[Request], Response | Reply]
"""The function that answers every request of a :class:`LoopbackServer`."""

_Connection = socket.socket | tuple[bytes, socket.socket]
"""What socketserver hands a request handler (a TCP server's is always the connected socket)."""

_TEXT = "text/plain; charset=utf-8"
_POLL_INTERVAL = 0.05
"""How often the accept loop looks for a stop request: the wait close() adds before connections drop."""


class LoopbackServer:
    """Serve ``responder`` on a free 127.0.0.1 port from daemon threads, from first use until ``close()``.

    Each connection gets its own thread, so slow answers do not hold up others. After ``close()`` a new
    use of ``url`` starts a new server on a new port. ``close_timeout`` bounds how long ``close()`` waits
    for a responder that is still running.
    """

    def __init__(self, responder: Responder, *, name: str = "loopback-http", close_timeout: float = 5.0) -> None:
        self.name = name
        self.close_timeout = close_timeout
        self._responder = responder
        self._lock = threading.Lock()
        self._server: _ThreadedServer | None = None

    def __repr__(self) -> str:
        server = self._server
        return f"<LoopbackServer {self.name} {server.url if server is not None else '(not serving)'}>"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash); the server starts on first use."""
        with self._lock:
            if self._server is None:
                self._server = _ThreadedServer(self._responder, self.name)
            return self._server.url

    @property
    def serving(self) -> bool:
        """Whether the server is running."""
        return self._server is not None

    def close(self) -> None:
        """Stop serving: free the port, end kept-alive connections and wait for their threads."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop(self.close_timeout)

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _ThreadedServer(HTTPServer):
    """An HTTPServer bound to 127.0.0.1:0 whose accept loop and connections run in tracked daemon threads."""

    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, responder: Responder, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.responder = responder
        self.name = name
        self.url = f"http://127.0.0.1:{self.server_port}"
        self._connections: dict[threading.Thread, _Connection] = {}
        self._connections_lock = threading.Lock()
        self._accept_thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": _POLL_INTERVAL}, name=name, daemon=True
        )
        try:
            self._accept_thread.start()
        except BaseException:
            self.server_close()
            raise

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host name."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = int(self.server_address[1])

    def process_request(self, request: _Connection, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection, args=(request, client_address), name=f"{self.name}-conn", daemon=True
        )
        with self._connections_lock:
            self._connections[thread] = request
        try:
            thread.start()
        except BaseException:
            with self._connections_lock:
                self._connections.pop(thread, None)
            self.shutdown_request(request)
            raise

    def _serve_connection(self, request: _Connection, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._connections_lock:
                self._connections.pop(threading.current_thread(), None)

    def handle_error(self, request: _Connection, client_address: Any) -> None:
        """Say nothing of connections the client or :meth:`stop` broke off; report anything else."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def stop(self, timeout: float) -> None:
        """Stop accepting, close the listening socket, break off open connections and join every thread."""
        deadline = time.monotonic() + timeout
        self.shutdown()
        self.server_close()
        self._accept_thread.join(max(0.0, deadline - time.monotonic()))
        with self._connections_lock:
            connections = list(self._connections.items())
        for _, request in connections:
            sock = request if isinstance(request, socket.socket) else request[1]
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread, _ in connections:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))


class _RequestHandler(BaseHTTPRequestHandler):
    """Passes GET and HEAD to the server's responder; a responder that raises gets a 500 answer."""

    protocol_version = "HTTP/1.1"
    server: _ThreadedServer

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        request = Request(self.command, unquote(urlsplit(self.path).path))
        try:
            answer = self.server.responder(request)
            reply = answer if isinstance(answer, Reply) else Reply(*answer)
        except Exception as exc:  # a broken responder must answer, not hang the go command
            reply = Reply(500, _TEXT, f"internal error: {exc!r}\n".encode())
        status, content_type, body = reply.response
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Requests are recorded by the responder's owner, not printed to stderr."""
