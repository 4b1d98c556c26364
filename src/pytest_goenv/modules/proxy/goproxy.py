"""GoProxy: a module proxy holding the modules a test defines, served as a file:// tree and over loopback HTTP.

It puts together the version store (:mod:`.store`), the GOPROXY protocol (:mod:`.protocol`), the file://
tree (:mod:`.files`), injected failures and mounts (:mod:`.faults`), request dispatch and its log
(:mod:`.serving`) and versions read from txtar archives (:mod:`.archives`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Literal
from urllib.parse import unquote, urlsplit

from pytest_goenv.base.filetree import as_bytes
from pytest_goenv.base.loopback import LoopbackServer, Reply, Request, Response
from pytest_goenv.modules import modzip
from pytest_goenv.modules.proxy import archives, checks
from pytest_goenv.modules.proxy import files as tree
from pytest_goenv.modules.proxy.faults import FaultTable, Handler, MountTable
from pytest_goenv.modules.proxy.protocol import RequestKind, answer
from pytest_goenv.modules.proxy.serving import ProxyRequest, RequestLog, dispatch
from pytest_goenv.modules.proxy.store import ModuleLineMismatch, ModuleVersion, ProxyError, VersionStore

__all__ = ["GoProxy", "goproxy_list"]


class GoProxy:
    """A module proxy rooted at ``root`` (its file:// tree), with an HTTP server started on demand.

    Parameters:
        root: the directory of the file:// tree (created if missing); ``url`` is its ``file://`` GOPROXY,
            rewritten on every :meth:`add`.

    ``http_url`` starts a threaded server on 127.0.0.1 that serves the same modules, records requests
    (:attr:`requests`, :meth:`requested`), injects failures set with :meth:`fail` and passes paths under a
    :meth:`mount` prefix to their handler. Call :meth:`close` (or use ``with``) to stop the server.

    Example::

        with GoProxy(tmp_path / "proxy") as proxy:
            proxy.add("example.com/hello", "v1.0.0", {"hello.go": "package hello\\n"})
            env["GOPROXY"] = proxy.http_url          # or proxy.url for file://
            ...                                      # run go get example.com/hello@v1.0.0
            assert proxy.requested("example.com/hello", "v1.0.0", kind="zip")
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._store = VersionStore()
        self._lock = self._store.lock
        self._faults = FaultTable()
        self._mounts = MountTable()
        self._listeners: list[Callable[[ModuleVersion], None]] = []
        self._log = RequestLog()
        self._http = LoopbackServer(self._serve, name="goproxy-http")

    def __repr__(self) -> str:
        return f"<GoProxy {self.root} ({len(self._store)} module versions)>"

    # -- URLs and server lifetime -------------------------------------------------------

    @property
    def url(self) -> str:
        """The file:// GOPROXY URL of the on-disk tree (no request log, no failure injection)."""
        return self.root.as_uri()

    @property
    def http_url(self) -> str:
        """The ``http://127.0.0.1:PORT`` GOPROXY URL; the server starts on first use."""
        return self._http.url

    def goproxy(self, transport: Literal["http", "file"] = "http") -> str:
        """The GOPROXY value for this proxy: its HTTP URL (requests logged, failures injectable) or file://."""
        if transport not in ("http", "file"):
            raise ProxyError(f"transport={transport!r}; use 'http' or 'file'")
        return self.http_url if transport == "http" else self.url

    @property
    def serving(self) -> bool:
        """Whether the HTTP server is running."""
        return self._http.serving

    def close(self) -> None:
        """Stop the HTTP server if it runs (the file tree stays; a later ``http_url`` starts a new one)."""
        self._http.close()

    def __enter__(self) -> GoProxy:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- adding modules -----------------------------------------------------------------

    def add(
        self,
        module_path: str,
        version: str,
        files: Mapping[str, str | bytes] | None = None,
        *,
        go: str | None = "1.21",
        mod: str | bytes | None = None,
        info: str | bytes | None = None,
        time: datetime | None = None,
        replace: bool = False,
        check: bool = True,
    ) -> ModuleVersion:
        """Add ``module_path@version`` holding ``files`` (``{relative name: content}``) and return it.

        Without a ``go.mod`` in ``files``, one is written with a ``go`` line (``go=None``: none, the
        module is then a legacy one whose ``.mod`` is just ``module <path>``; ``+incompatible``
        versions never get one). ``mod`` overrides the ``.mod`` file served (the zip keeps its own);
        ``info`` the ``.info`` body (only with ``check=False``, to serve one naming another version).
        ``time`` defaults to the pseudo-version's time or to :data:`DEFAULT_TIME` plus an hour per
        version added. Adding a version twice needs ``replace=True``.

        ``check=False`` serves what the go command must refuse, to test its errors: the path/version and
        go.mod module line are not checked and the zip holds ``files`` as given, without the zip rules
        (a name starting with ``/`` is a raw entry name, as in cmd/go's testdata/mod archives).

        Example::

            proxy.add("example.com/greet", "v1.2.0", {"greet.go": "package greet\\n"}, go="1.22")
        """
        if check:
            checks.check_version(module_path, version)
        else:
            checks.check_escapable(module_path, version)
        where = f"{module_path}@{version}"
        contents = checks.file_contents(files, where)
        if mod is not None and not isinstance(mod, (str, bytes)):
            raise ProxyError(f"{where}: mod must be the go.mod text (str or bytes), not {type(mod).__name__}")
        if info is not None and (check or not isinstance(info, (str, bytes))):
            raise ProxyError(
                f"{where}: info= serves a hand-written .info body, which only check=False allows "
                "(the proxy writes a correct one itself); pass it as str or bytes with check=False"
            )
        if go is not None:
            checks.check_go_line(go, where)
        incompatible = version.endswith("+incompatible")
        if "go.mod" not in contents and go is not None and not incompatible:
            contents["go.mod"] = f"module {module_path}\n\ngo {go}\n".encode()
        mod_bytes = as_bytes(mod) if mod is not None else contents.get("go.mod", f"module {module_path}\n".encode())
        if check:
            checks.check_module_line(module_path, version, mod_bytes)
        try:
            if check:
                zip_bytes = modzip.create_zip(module_path, version, contents)
                kept = modzip.select_files(contents).files
            else:
                zip_bytes, kept = modzip.create_raw_zip(module_path, version, contents), contents
        except modzip.ModZipError as exc:
            raise ProxyError(f"{module_path}@{version}: {exc}") from None
        with self._lock:
            when = time or self._store.default_time(version)
            if when.tzinfo is None:
                raise ProxyError(f"{module_path}@{version}: time must be timezone-aware (tzinfo=timezone.utc)")
            entry = ModuleVersion(
                path=module_path,
                version=version,
                time=when,
                mod=mod_bytes,
                files=kept,
                zip=zip_bytes,
                h1=modzip.hash_zip(zip_bytes),
                h1_mod=modzip.hash_go_mod(mod_bytes),
                raw_info=as_bytes(info) if info is not None else None,
            )
            self._store.put(entry, replace=replace)
            self._write_tree(entry)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(entry)
        return entry

    def add_dir(
        self,
        module_path: str,
        version: str,
        directory: str | os.PathLike[str],
        *,
        time: datetime | None = None,
        replace: bool = False,
    ) -> ModuleVersion:
        """Add a version from a source tree, leaving out what the go command's zips leave out."""
        contents = modzip.read_dir(directory)
        return self.add(module_path, version, contents.files, go=None, time=time, replace=replace)

    def add_txtar(
        self,
        source: archives.ArchiveSource,
        module_path: str | None = None,
        version: str | None = None,
        *,
        replace: bool = False,
        check: bool = True,
    ) -> ModuleVersion:
        """Add a version from a txtar archive in cmd/go's ``testdata/mod`` style.

        The archive holds the zip's files plus optional ``.mod`` and ``.info`` (whose ``Time`` is used; its
        ``Version`` must be the archive's version unless ``check=False``, which serves the ``.info`` as is).
        Module and version come from the arguments, else the file name ``<path with / as _>_<version>.txt``
        (``example.com_hello_v1.0.0.txt``, authoritative as in cmd/go), else a first comment line
        ``path@version``. As ``_`` in a file name stands for ``/``, a module path with ``_`` needs the
        arguments or that comment line (which wins when it spells the same file name).
        ``check=False`` serves archives made to break the go command (see :meth:`add`).

        Example::

            proxy.add_txtar(goroot / "src/cmd/go/testdata/mod/rsc.io_quote_v1.5.2.txt")
        """
        archived = archives.read_archive(source, module_path, version, check=check)
        try:
            return self.add(
                archived.path,
                archived.version,
                archived.files,
                go=None,
                mod=archived.mod,
                info=archived.info,
                time=archived.time,
                replace=replace,
                check=check,
            )
        except ModuleLineMismatch as exc:
            if not archived.from_name:
                raise
            raise archives.naming_error(archived, exc) from None

    def add_listener(self, callback: Callable[[ModuleVersion], None]) -> None:
        """Call ``callback(module_version)`` after each version is added (not for those already held)."""
        with self._lock:
            self._listeners.append(callback)

    # -- queries --------------------------------------------------------------------------

    def modules(self) -> list[ModuleVersion]:
        """Every module version held, sorted by path then version (for the checksum database)."""
        return self._store.modules()

    def get(self, module_path: str, version: str) -> ModuleVersion:
        """The held version ``module_path@version``; KeyError naming what is held otherwise."""
        return self._store.get(module_path, version)

    def versions(self, module_path: str) -> list[str]:
        """The versions ``@v/list`` reports: every valid held version except pseudo-versions, sorted."""
        return self._store.versions(module_path)

    def latest(self, module_path: str) -> ModuleVersion | None:
        """What ``@latest`` answers: the highest release, else pre-release, else newest pseudo-version."""
        return self._store.latest(module_path)

    # -- the request log ------------------------------------------------------------------

    @property
    def requests(self) -> list[ProxyRequest]:
        """The HTTP requests answered so far, oldest first (a copy)."""
        return self._log.snapshot()

    def requested(self, module_path: str, version: str | None = None, kind: RequestKind | None = None) -> bool:
        """Whether the go command asked this proxy (over HTTP) for ``module_path`` (at ``version``)."""
        return any(
            r.module == module_path and (version is None or r.version == version) and (kind is None or r.kind == kind)
            for r in self.requests
        )

    def clear_requests(self) -> None:
        """Forget the requests recorded so far."""
        self._log.clear()

    # -- failure injection and mounts -------------------------------------------------------

    def fail(
        self,
        module_or_prefix: str,
        status: int = 500,
        *,
        version: str | None = None,
        kinds: tuple[RequestKind, ...] | None = None,
        body: str | bytes | None = None,
    ) -> None:
        """Answer requests for ``module_or_prefix`` (and modules below it; "" for all) with ``status``.

        404 and 410 make the go command try the next GOPROXY entry; other statuses stop a
        comma-separated list (``|`` separators fall through on any error). ``version`` and ``kinds``
        narrow the failure, e.g. ``kinds=("zip",)``. The latest call for a module wins.

        Example::

            proxy.fail("example.com/flaky", 503, kinds=("zip",))   # .info and .mod still answer
        """
        self._faults.add(module_or_prefix, status, version=version, kinds=kinds, body=body)

    def clear_failures(self) -> None:
        """Serve every module normally again."""
        self._faults.clear()

    def mount(self, prefix: str, handler: Handler) -> None:
        """Serve URL paths under ``/<prefix>/`` with ``handler`` (e.g. ``sumdb/<name>`` for a checksum DB).

        The handler gets the rest of the path without its leading slash (``supported``,
        ``lookup/m@v1.0.0``) and returns ``(status, content type, body)``.
        """
        self._mounts.add(prefix, handler)

    # -- answering requests ----------------------------------------------------------------

    def handle(self, path: str, method: str = "GET") -> Response:
        """Answer one request path (``/example.com/m/@v/list``, percent-encoded as sent) and record it."""
        return self.reply(path, method).response

    def reply(self, path: str, method: str = "GET") -> Reply:
        """Like :meth:`handle`, with the headers of the answer (a redirect's ``Location``)."""
        answered = self._serve(Request(method, unquote(urlsplit(path).path)))
        return answered if isinstance(answered, Reply) else Reply(*answered)

    def _serve(self, request: Request) -> Response | Reply:
        """Answer and record one decoded request: the HTTP server's responder."""
        response, logged = dispatch(
            request.path, request.method, mounts=self._mounts, faults=self._faults, answer=self._answer
        )
        self._log.record(logged)
        return response

    def _answer(self, module: str, version: str | None, kind: RequestKind) -> Response:
        """The protocol's answer to a module request no mount or failure took."""
        return answer(self._store, module, version, kind)

    # -- the file:// tree ------------------------------------------------------------------

    def _write_tree(self, entry: ModuleVersion) -> None:
        tree.write_version(self.root, self._store, entry)

    def remove_tree(self) -> None:
        """Delete the on-disk tree (the in-memory modules stay and are served over HTTP)."""
        tree.remove_tree(self.root)

    def iter_files(self) -> Iterator[Path]:
        """Every file of the on-disk tree (for debugging a file:// GOPROXY)."""
        return tree.iter_files(self.root)


def goproxy_list(*entries: GoProxy | str, transport: Literal["http", "file"] = "http", any_error: bool = False) -> str:
    """A GOPROXY value listing proxies and keywords in order: ``goproxy_list(p1, p2, "direct")``.

    Entries are GoProxy objects (their ``transport`` URL), URLs, ``direct`` or ``off``. Entries are joined
    with ``,`` (the next one is tried only after a 404 or 410) or, with ``any_error``, ``|`` (after any error).
    """
    if not entries:
        raise ProxyError("a GOPROXY list needs at least one entry (a GoProxy, a URL, 'direct' or 'off')")
    values = [e.goproxy(transport) if isinstance(e, GoProxy) else e for e in entries]
    for value in values:
        if not value or any(sep in value for sep in ",|"):
            raise ProxyError(f"GOPROXY entry {value!r} is empty or contains a list separator")
    return ("|" if any_error else ",").join(values)
