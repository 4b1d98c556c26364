"""The loopback HTTP server shared by the module proxy and the checksum database."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from pytest_goenv.base.loopback import LoopbackServer, Reply, Request, Response


def _echo(request: Request) -> Response:
    return 200, "text/plain", f"{request.method} {request.path}".encode()


def _threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name or t.name.startswith(name + "-")]


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def _get(conn: http.client.HTTPConnection, path: str) -> bytes:
    conn.request("GET", path)
    return conn.getresponse().read()


def test_serves_get_and_head_with_decoded_paths() -> None:
    with LoopbackServer(_echo, name="test-echo") as server:
        with urllib.request.urlopen(server.url + "/example.com/%21azure/@v/list?go-get=1", timeout=10) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/plain"
            assert response.read() == b"GET /example.com/!azure/@v/list"
        head = urllib.request.Request(server.url + "/x", method="HEAD")
        with urllib.request.urlopen(head, timeout=10) as response:
            assert response.headers["Content-Length"] == str(len(b"HEAD /x"))  # the length of the body not sent
            assert response.read() == b""


def test_a_failing_responder_answers_500() -> None:
    def broken(request: Request) -> Response:
        raise RuntimeError(f"cannot answer {request.path}")

    with LoopbackServer(broken) as server:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(server.url + "/boom", timeout=10)
        with info.value as error:  # read while serving: close() breaks off open connections
            assert error.code == 500
            assert b"RuntimeError('cannot answer /boom')" in error.read()


def test_starts_on_first_use_and_close_frees_port_and_threads() -> None:
    server = LoopbackServer(_echo, name="test-lifecycle")
    assert not server.serving
    assert not _threads("test-lifecycle")
    url = server.url
    assert url.startswith("http://127.0.0.1:")
    assert server.serving
    assert server.url == url
    with urllib.request.urlopen(url + "/a", timeout=10) as response:
        assert response.read() == b"GET /a"
    server.close()
    server.close()  # a second close does nothing
    assert not server.serving
    assert not _threads("test-lifecycle")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/a", timeout=5)
    with socket.socket() as probe:  # the port can be bound again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", _port(url)))
    try:
        assert server.url != url  # a new use starts a new server on a new port
        with urllib.request.urlopen(server.url + "/b", timeout=10) as response:
            assert response.read() == b"GET /b"
    finally:
        server.close()


def test_close_ends_kept_alive_connections() -> None:
    server = LoopbackServer(_echo, name="test-keepalive")
    conn = http.client.HTTPConnection("127.0.0.1", _port(server.url), timeout=10)
    try:
        assert _get(conn, "/first") == b"GET /first"
        assert [t.name for t in _threads("test-keepalive")] == ["test-keepalive", "test-keepalive-conn"]
        started = time.monotonic()
        server.close()
        assert time.monotonic() - started < 3
        assert not _threads("test-keepalive")
        with pytest.raises((OSError, http.client.HTTPException)):
            _get(conn, "/second")
    finally:
        conn.close()
        server.close()


def test_connections_are_served_concurrently_and_close_is_bounded() -> None:
    both_in = threading.Barrier(2, timeout=10)
    release = threading.Event()

    def slow(request: Request) -> Response:
        if request.path == "/pair":
            both_in.wait()  # passes only when two requests are being answered at once
            return 200, "text/plain", b"paired"
        release.wait(timeout=30)
        return 200, "text/plain", b"late"

    server = LoopbackServer(slow, name="test-slow", close_timeout=0.5)
    results: list[bytes] = []

    def fetch(path: str) -> None:
        try:
            with urllib.request.urlopen(server.url + path, timeout=20) as response:
                results.append(response.read())
        except OSError:
            results.append(b"broken off")

    pair = [threading.Thread(target=fetch, args=("/pair",)) for _ in range(2)]
    for thread in pair:
        thread.start()
    for thread in pair:
        thread.join(15)
    assert results == [b"paired", b"paired"]

    stuck = threading.Thread(target=fetch, args=("/stuck",))
    stuck.start()
    deadline = time.monotonic() + 10
    while len(_threads("test-slow")) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    server.close()
    assert time.monotonic() - started < 3  # close() does not wait for a stuck responder beyond close_timeout
    release.set()
    stuck.join(10)
    assert results[2:] == [b"broken off"]
    deadline = time.monotonic() + 5
    while _threads("test-slow") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _threads("test-slow")


def test_a_reply_sends_its_headers_and_a_client_follows_its_redirect() -> None:
    def responder(request: Request) -> Response | Reply:
        if request.path == "/old":
            return Reply(302, "text/plain", b"", {"Location": "/new", "X-Hop": "1"})
        return _echo(request)

    with LoopbackServer(responder, name="test-reply") as server:
        conn = http.client.HTTPConnection("127.0.0.1", _port(server.url), timeout=10)
        conn.request("GET", "/old")
        hop = conn.getresponse()
        hop.read()
        assert (hop.status, hop.getheader("Location"), hop.getheader("X-Hop")) == (302, "/new", "1")
        conn.close()
        with urllib.request.urlopen(server.url + "/old", timeout=10) as followed:
            assert followed.read() == b"GET /new"
