"""A checksum database for the modules of a module proxy, answering the go command's sumdb requests.

It logs ``M V h1:...`` and ``M V/go.mod h1:...`` for each module version when it is first looked up
(or when :meth:`ChecksumDatabase.log` is called), signs tree heads with a key of its own and serves
``/lookup/M@V``, ``/latest`` and ``/tile/...`` directly on a loopback port or through a proxy's
``sumdb/<name>/`` paths.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Literal, Protocol

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.base.loopback import LoopbackServer, Response
from pytest_goenv.modules.modpath import InvalidModulePath, check_module_version, unescape_path, unescape_version
from pytest_goenv.modules.modzip import go_sum_lines
from pytest_goenv.modules.sumdb.note import NoteError, SignerKey, sign_note
from pytest_goenv.modules.sumdb.tlog import Log, Tile, TlogError, format_record, format_tree

DEFAULT_NAME = "sum.golang.test"
"""A name under the reserved .test domain, so a misconfigured go command cannot reach a real host."""

_TEXT = "text/plain; charset=utf-8"
_NAME_RE = re.compile(r"[A-Za-z0-9][-A-Za-z0-9.]*(:[0-9]+)?(/[-A-Za-z0-9._~]+)*")
_LOOKUP_RE = re.compile(r"[^@]+@v[0-9]+\.[0-9]+\.[0-9]+(-[^@]*)?(\+incompatible)?")


class SumDBError(GoenvError, ValueError):
    """The checksum database was asked for something it cannot do; the message says what to change.

    Example::

        with pytest.raises(SumDBError, match="disagrees with the key"):
            ChecksumDatabase(proxy, name="other.test", key=SignerKey.generate("sum.golang.test"))
    """


class UnknownModuleError(SumDBError, LookupError):
    """A module version that neither the proxy holds nor was logged by hand.

    Example::

        with pytest.raises(UnknownModuleError):
            db.log("example.com/absent", "v1.0.0")
    """


class LoggableModule(Protocol):
    """What the database needs to know of a module version: its path, version and two h1: hashes.

    A proxy's ModuleVersion is one; so is any object with these four attributes (cmd/go's test database
    logs archives with hashes of its own this way).
    """

    @property
    def path(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def h1(self) -> str: ...
    @property
    def h1_mod(self) -> str: ...


class ModuleSource(Protocol):
    """Where the module versions come from: a module proxy, or anything listing LoggableModules.

    Example::

        class Fixed:
            def modules(self) -> list[ModuleVersion]:
                return [proxy.get("example.com/hello", "v1.0.0")]

        db = ChecksumDatabase(Fixed())
    """

    def modules(self) -> Sequence[LoggableModule]: ...


class MountingProxy(Protocol):
    """A module proxy that can pass the requests under a URL prefix to another handler, over HTTP (a GoProxy)."""

    def mount(self, prefix: str, handler: Callable[[str], Response]) -> None: ...
    @property
    def serving(self) -> bool: ...
    @property
    def http_url(self) -> str: ...


Transport = Literal["http", "proxy"]
TRANSPORTS: tuple[Transport, ...] = ("http", "proxy")
"""How the go command reaches a database: its own URL, or through the GOPROXY's ``sumdb/<name>/`` paths."""


def gosum_record(path: str, version: str, h1: str, h1_mod: str) -> bytes:
    """The record a checksum database logs for a module version: its two go.sum lines."""
    for value, what in ((h1, "h1"), (h1_mod, "h1_mod")):
        if not value.startswith("h1:") or any(ch.isspace() for ch in value):
            raise SumDBError(f"{path}@{version}: {what} must be an 'h1:<base64>' hash, got {value!r}")
    return go_sum_lines(path, version, h1, h1_mod).encode()


class ChecksumDatabase:
    """A signed, append-only log of go.sum lines for the modules of ``source``, served over HTTP.

    Parameters:
        source: where module versions come from (a GoProxy, or any :class:`ModuleSource`); None for a
            database that knows only what :meth:`log` is given by hand.
        name: the database name (``host[/path]``, default :data:`DEFAULT_NAME`), for a key generated here.
        key: a signer key, as a SignerKey or its ``PRIVATE+KEY+name+...`` text (``SignerKey.parse`` reads
            that format, x/mod's sumdb/note); its name becomes the database name (a ``name`` given too
            must be the same). Without one a new Ed25519 key is generated for ``name``.
        auto_log: with True (the default) a lookup logs any version the source holds; with False it
            finds only the versions logged with :meth:`log` (as a public database knows nothing of
            private modules).

    It serves ``/latest``, ``/lookup/M@V`` and ``/tile/...`` on its own loopback port (:attr:`gosumdb`)
    or through a proxy (:meth:`mount_on`). Call :meth:`close` (or use ``with``) to stop its server.

    Example::

        with GoProxy(tmp_path / "proxy") as proxy, ChecksumDatabase(proxy) as db:
            proxy.add("example.com/hello", "v1.0.0", {"hello.go": "package hello\n"})
            env["GOPROXY"], env["GOSUMDB"] = proxy.http_url, db.gosumdb   # "name+hash+key http://..."
            ...                                                            # go get example.com/hello@v1.0.0
            assert db.lookups == ["example.com/hello@v1.0.0"]
    """

    def __init__(
        self,
        source: ModuleSource | None = None,
        *,
        name: str | None = None,
        key: SignerKey | str | None = None,
        auto_log: bool = True,
    ) -> None:
        self.source = source
        self.auto_log = auto_log
        if name is not None and not isinstance(name, str):
            raise SumDBError(f"name={name!r} is not a string; name the database like {DEFAULT_NAME!r}")
        if key is not None and not isinstance(key, (str, SignerKey)):
            raise SumDBError(
                f"key={key!r} is a {type(key).__name__}; pass a SignerKey, its 'PRIVATE+KEY+...' string "
                "(str(SignerKey.generate(name))) or no key to generate one"
            )
        try:
            if key is None:
                self.signer = SignerKey.generate(name or DEFAULT_NAME)
            elif isinstance(key, SignerKey):
                self.signer = key
            else:
                self.signer = SignerKey.parse(key)
        except NoteError as exc:
            raise SumDBError(
                f"invalid checksum database key: {exc}; pass a 'PRIVATE+KEY+...' string from "
                "SignerKey.generate(name) or no key to generate one"
            ) from None
        if name is not None and name != self.signer.name:
            raise SumDBError(
                f"name={name!r} disagrees with the key, which is for {self.signer.name!r}: a database's name is "
                "its key's name; drop name=, or pass a key generated for that name (SignerKey.generate(name))"
            )
        if not _NAME_RE.fullmatch(self.signer.name):
            raise SumDBError(
                f"invalid checksum database name {self.signer.name!r}: the go command wants host[/path], "
                f"e.g. {DEFAULT_NAME!r}"
            )
        self.name = self.signer.name
        self.verifier_key = str(self.signer.verifier)
        self.requests: list[str] = []
        self._log = Log()
        self._ids: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._http = LoopbackServer(lambda request: self.handle(request.path), name="sumdb-http")
        self._closed = False
        self._mounted_on: list[MountingProxy] = []

    def __repr__(self) -> str:
        return f"<ChecksumDatabase {self.name} with {len(self._log)} records>"

    # -- the log ------------------------------------------------------------------------

    def log(self, path: str, version: str, *, h1: str | None = None, h1_mod: str | None = None) -> int:
        """Log a module version (from the source unless both hashes are given); its record id.

        A version already logged keeps its record, whatever the proxy serves now (that is how a
        changed zip is caught); asking for other hashes explicitly raises SumDBError.  Hashes given
        by hand need a valid module path and version; what the source serves is logged as it is
        (a proxy may serve versions added unchecked, and the go command may ask for them).
        """
        if h1 is not None or h1_mod is not None:
            try:
                check_module_version(path, version)
            except InvalidModulePath as exc:
                raise SumDBError(f"cannot log {exc}; log module versions like ('example.com/m', 'v1.2.3')") from None
        if (h1 is None) != (h1_mod is None):
            raise SumDBError(f"{path}@{version}: give both h1 and h1_mod, or neither to take them from the proxy")
        if h1 is None or h1_mod is None:
            with self._lock:
                known = self._ids.get((path, version))
            if known is not None:
                return known
            module = self._find(path, version)
            h1, h1_mod = module.h1, module.h1_mod
        record = gosum_record(path, version, h1, h1_mod)
        with self._lock:
            known = self._ids.get((path, version))
            if known is None:
                known = self._ids[(path, version)] = self._log.append(record)
            elif self._log.record(known) != record:
                raise SumDBError(
                    f"{path}@{version} is already logged with other hashes, and a checksum database never "
                    "changes a record; use a new version (or a new ChecksumDatabase) instead"
                )
            return known

    def log_all(self) -> list[int]:
        """Log every module version the source holds; their record ids."""
        return [self.log(m.path, m.version) for m in self._source_modules()]

    def gosum_lines(self, path: str, version: str) -> list[str]:
        """The go.sum lines logged for a module version (logging it first if needed)."""
        return self._log.record(self.log(path, version)).decode().splitlines()

    def __len__(self) -> int:
        return len(self._log)

    def signed_tree(self) -> bytes:
        """The latest tree head, signed: the note ``/latest`` serves."""
        size = len(self._log)
        return sign_note(format_tree(size, self._log.tree_hash(size)), self.signer)

    def _source_modules(self) -> Sequence[LoggableModule]:
        return self.source.modules() if self.source is not None else []

    def _find(self, path: str, version: str) -> LoggableModule:
        modules = self._source_modules()
        for module in modules:
            if (module.path, module.version) == (path, version):
                return module
        held = ", ".join(f"{m.path}@{m.version}" for m in modules[:10]) or "none"
        raise UnknownModuleError(
            f"{path}@{version} is not in the module proxy (it holds: {held}); add it to the proxy first, "
            "or log it by hand with log(path, version, h1=..., h1_mod=...)"
        )

    # -- serving ----------------------------------------------------------------------

    @property
    def lookups(self) -> list[str]:
        """The ``module@version`` of each lookup request received so far, in order."""
        return [r[len("/lookup/") :] for r in self.requests if r.startswith("/lookup/")]

    def handle(self, path: str) -> Response:
        """Answer one request path relative to the database root (``/latest``, ``/lookup/M@V``, ``/tile/...``)."""
        path = "/" + path.lstrip("/")
        self.requests.append(path)
        if path == "/latest":
            return 200, _TEXT, self.signed_tree()
        if path.startswith("/lookup/"):
            return self._handle_lookup(path[len("/lookup/") :])
        if path.startswith("/tile/"):
            return self._handle_tile(path[1:])
        return 404, _TEXT, f"not found: {path} (a checksum database serves /latest, /lookup/, /tile/)\n".encode()

    def _handle_lookup(self, escaped: str) -> Response:
        if not _LOOKUP_RE.fullmatch(escaped):
            return 400, _TEXT, b"invalid module@version syntax\n"
        escaped_path, _, escaped_version = escaped.partition("@")
        try:
            path, version = unescape_path(escaped_path), unescape_version(escaped_version)
        except InvalidModulePath as exc:
            return 400, _TEXT, f"{exc}\n".encode()
        with self._lock:
            record_id = self._ids.get((path, version))
        if record_id is None and self.auto_log:
            with contextlib.suppress(SumDBError):  # unknown to the source, or refused: not found
                record_id = self.log(path, version)
        if record_id is None:
            where = "the module proxy" if self.auto_log else "this database (auto_log is off)"
            return 404, _TEXT, f"not found: {path}@{version} is not in {where}\n".encode()
        body = format_record(record_id, self._log.record(record_id)) + self.signed_tree()
        return 200, _TEXT, body

    def _handle_tile(self, path: str) -> Response:
        try:
            tile = Tile.parse(path)
        except TlogError:
            return 400, _TEXT, b"invalid tile syntax\n"
        try:
            data = self._log.tile(tile)
        except TlogError as exc:
            return 404, _TEXT, f"not found: {exc}\n".encode()
        return 200, _TEXT if tile.level == -1 else "application/octet-stream", data

    def proxy_handler(self, path: str) -> Response:
        """Answer a request a proxy passes on from ``<proxy>/sumdb/<name>/<path>``, ``supported`` included."""
        if path.strip("/") == "supported":
            self.requests.append("/supported")
            return 200, _TEXT, b""
        return self.handle(path)

    def mount_on(self, proxy: MountingProxy) -> None:
        """Serve this database through ``proxy`` at ``<proxy>/sumdb/<name>/``, as most users reach one.

        With GOPROXY set to that proxy's HTTP URL, ``GOSUMDB=<verifier_key>`` (no URL) makes the go
        command ask ``<proxy>/sumdb/<name>/supported`` and then use the proxied paths.
        """
        proxy.mount(f"sumdb/{self.name}", self.proxy_handler)
        with self._lock:
            if not any(p is proxy for p in self._mounted_on):
                self._mounted_on.append(proxy)

    def proxy_urls(self) -> list[str]:
        """The HTTP URLs of the running proxies this database is mounted on (GOPROXY entries that reach it)."""
        with self._lock:
            proxies = list(self._mounted_on)
        return [p.http_url.rstrip("/") for p in proxies if p.serving]

    def gosumdb_for(self, transport: Transport = "http", *, goproxy: str | None = None) -> str:
        """The GOSUMDB value for ``transport``, checked against the ``goproxy`` the go command will use.

        ``http``: :attr:`gosumdb` (``name+key url``). ``proxy``: only :attr:`verifier_key`, which the go
        command resolves through the first GOPROXY entry answering ``sumdb/<name>/supported``; that must be
        the HTTP URL of a proxy this database is mounted on, or the go command would look ``name`` up in
        DNS and connect to it (``direct``, ``off``, a file:// proxy or the end of the list).
        """
        if transport not in TRANSPORTS:
            raise SumDBError(
                f"transport={transport!r} is not a checksum database transport; use one of "
                f"{', '.join(repr(t) for t in TRANSPORTS)}"
            )
        if transport == "http":
            return self.gosumdb
        mounted = self.proxy_urls()
        entries = [e.strip().rstrip("/") for e in re.split(r"[,|]", goproxy or "") if e.strip()]
        for entry in entries:
            if entry in mounted:
                return self.verifier_key
            if entry in ("direct", "off"):
                break
        how = (
            "mount it with db.mount_on(proxy) and set GOPROXY to that proxy's HTTP URL first "
            "(goenv.use_proxy(proxy)), or use transport='http' to give the go command the database's own URL"
        )
        where = f"is mounted on {', '.join(mounted)}" if mounted else "is mounted on no running HTTP proxy"
        raise SumDBError(
            f"transport='proxy': GOPROXY={goproxy!r} reaches no proxy serving the checksum database {self.name} "
            f"(it {where}), so the go command would look up {self.name} on the network; {how}"
        )

    @property
    def http_url(self) -> str:
        """The URL of this database's own loopback HTTP server (started on first use)."""
        with self._lock:
            if self._closed:
                raise SumDBError(f"the checksum database {self.name} is closed; make a new one")
            return self._http.url

    @property
    def gosumdb(self) -> str:
        """The GOSUMDB value that points the go command straight at this database: ``name+key url``."""
        return f"{self.verifier_key} {self.http_url}"

    def close(self) -> None:
        """Stop the loopback server, if one was started; the database serves no more HTTP after this."""
        with self._lock:
            self._closed = True
        self._http.close()

    def __enter__(self) -> ChecksumDatabase:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
