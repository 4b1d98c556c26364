"""A threaded HTTP server on 127.0.0.1 that answers GET requests with a plain function."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

Response = tuple[int, str, bytes]
"""What a handler returns: HTTP status, content type and body."""

Handler = Callable[[str], Response]
"""A function from a request's path (percent-decoded, query dropped) to its response."""


class LoopbackServer:
    """Serve ``handler`` on a free loopback port in a daemon thread until ``close()``."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._request_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="sumdb-http", daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def _request_class(self) -> type[BaseHTTPRequestHandler]:
        handler = self._handler

        class _Request(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                try:
                    status, content_type, body = handler(unquote(urlsplit(self.path).path))
                except Exception as exc:  # a broken handler must answer, not hang the go command
                    status, content_type, body = 500, "text/plain; charset=utf-8", f"{exc}\n".encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Requests are recorded by the handler, not printed to stderr."""

        return _Request

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
