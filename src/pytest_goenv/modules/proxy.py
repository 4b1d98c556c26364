"""A module proxy holding the modules a test defines, served as a file:// tree and over loopback HTTP.

It speaks the GOPROXY protocol (``go help goproxy``): ``<module>/@v/list``, ``<module>/@v/<version>.info``
(``.mod``, ``.zip``) and ``<module>/@latest``, with module paths and versions case-encoded (``!x`` for
``X``). Unknown modules and versions answer 404, so the go command falls through to the next entry of a
GOPROXY list; :meth:`GoProxy.fail` makes chosen modules answer other statuses (a 500 stops the list).
Every HTTP request is recorded, so a test can assert that the proxy was (or was not) asked for a module.

Usable without pytest::

    with GoProxy(Path("/tmp/proxy")) as proxy:
        proxy.add("example.com/hello", "v1.0.0", {"hello.go": "package hello\\n"})
        env["GOPROXY"] = proxy.http_url   # or proxy.url for file://
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Literal
from urllib.parse import unquote, urlsplit

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.base.filetree import as_bytes, replace_file
from pytest_goenv.base.loopback import LoopbackServer, Request, Response
from pytest_goenv.modules import modpath, modzip, semver, txtar

__all__ = [
    "DEFAULT_TIME",
    "GoProxy",
    "Handler",
    "ModuleVersion",
    "ProxyError",
    "ProxyRequest",
    "Response",
    "goproxy_list",
]

Handler = Callable[[str], Response]
"""A mounted handler: given the request path below its prefix (no leading slash), returns a Response."""

RequestKind = Literal["list", "info", "mod", "zip", "latest", "mount", "other"]
FAILABLE_KINDS: tuple[RequestKind, ...] = ("list", "info", "mod", "zip", "latest")
"""The module request kinds :meth:`GoProxy.fail` can narrow a failure to."""

DEFAULT_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
"""Time of the first module version added without an explicit time; each later one is an hour later."""

_TEXT = "text/plain; charset=utf-8"
_KIND_BY_EXT: dict[str, RequestKind] = {"info": "info", "mod": "mod", "zip": "zip"}


class ProxyError(GoenvError, ValueError):
    """A module version the proxy cannot hold (bad path or version, files that cannot form a zip...)."""


@dataclass(frozen=True)
class ModuleVersion:
    """One module version as the proxy serves it; ``h1``/``h1_mod`` are the go.sum hashes."""

    path: str
    version: str
    time: datetime
    mod: bytes
    files: Mapping[str, bytes]
    zip: bytes
    h1: str
    h1_mod: str
    raw_info: bytes | None = None

    @property
    def info(self) -> bytes:
        """The ``.info`` JSON body: ``{"Version": ..., "Time": ...}`` (or the one given with ``info=``)."""
        if self.raw_info is not None:
            return self.raw_info
        stamp = self.time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return json.dumps({"Version": self.version, "Time": stamp}).encode() + b"\n"

    @property
    def go_sum(self) -> str:
        """The two go.sum lines for this version."""
        return modzip.go_sum_lines(self.path, self.version, self.h1, self.h1_mod)

    @property
    def escaped_path(self) -> str:
        """The case-encoded module path used in URLs and the module cache."""
        return modpath.escape_path(self.path)

    @property
    def escaped_version(self) -> str:
        """The case-encoded version used in URLs and the module cache."""
        return modpath.escape_version(self.version)


@dataclass(frozen=True)
class ProxyRequest:
    """One HTTP request the proxy answered (module and version are None when the path named none)."""

    method: str
    path: str
    status: int
    kind: RequestKind
    module: str | None = None
    version: str | None = None


@dataclass
class _Failure:
    prefix: str
    status: int
    version: str | None
    kinds: frozenset[str] | None
    body: bytes | None

    def matches(self, module: str, version: str | None, kind: str) -> bool:
        if self.prefix and module != self.prefix and not module.startswith(self.prefix + "/"):
            return False
        if self.version is not None and version != self.version:
            return False
        return self.kinds is None or kind in self.kinds


@dataclass
class _Module:
    versions: dict[str, ModuleVersion] = field(default_factory=dict)


class GoProxy:
    """A module proxy rooted at ``root`` (its file:// tree), with an HTTP server started on demand.

    ``url`` is a ``file://`` GOPROXY that is rewritten on every :meth:`add`; ``http_url`` starts a
    threaded server on 127.0.0.1 that serves the same modules, records requests, injects failures set
    with :meth:`fail` and passes paths under a :meth:`mount` prefix to their handler. Call
    :meth:`close` (or use ``with``) to stop the server.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._modules: dict[str, _Module] = {}
        self._failures: list[_Failure] = []
        self._mounts: dict[str, Handler] = {}
        self._listeners: list[Callable[[ModuleVersion], None]] = []
        self._requests: list[ProxyRequest] = []
        self._http = LoopbackServer(self._serve, name="goproxy-http")
        self._added = 0

    def __repr__(self) -> str:
        return f"<GoProxy {self.root} ({len(self.modules())} module versions)>"

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
        """
        if check:
            self._check_version(module_path, version)
        else:
            _check_escapable(module_path, version)
        where = f"{module_path}@{version}"
        contents = _file_contents(files, where)
        if mod is not None and not isinstance(mod, (str, bytes)):
            raise ProxyError(f"{where}: mod must be the go.mod text (str or bytes), not {type(mod).__name__}")
        if info is not None and (check or not isinstance(info, (str, bytes))):
            raise ProxyError(
                f"{where}: info= serves a hand-written .info body, which only check=False allows "
                "(the proxy writes a correct one itself); pass it as str or bytes with check=False"
            )
        if go is not None:
            _check_go_line(go, where)
        incompatible = version.endswith("+incompatible")
        if "go.mod" not in contents and go is not None and not incompatible:
            contents["go.mod"] = f"module {module_path}\n\ngo {go}\n".encode()
        mod_bytes = as_bytes(mod) if mod is not None else contents.get("go.mod", f"module {module_path}\n".encode())
        if check:
            _check_module_line(module_path, version, mod_bytes)
        try:
            if check:
                zip_bytes = modzip.create_zip(module_path, version, contents)
                kept = modzip.select_files(contents).files
            else:
                zip_bytes, kept = modzip.create_raw_zip(module_path, version, contents), contents
        except modzip.ModZipError as exc:
            raise ProxyError(f"{module_path}@{version}: {exc}") from None
        with self._lock:
            existing = self._modules.get(module_path)
            if existing is not None and version in existing.versions and not replace:
                raise ProxyError(
                    f"{module_path}@{version} is already in the proxy; module versions are immutable "
                    "(pass replace=True to serve different content, e.g. to test a checksum mismatch)"
                )
            when = time or self._default_time(version)
            if when.tzinfo is None:
                raise ProxyError(f"{module_path}@{version}: time must be timezone-aware (tzinfo=timezone.utc)")
            self._added += 1
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
            self._modules.setdefault(module_path, _Module()).versions[version] = entry
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
        source: str | bytes | os.PathLike[str] | txtar.Archive,
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
        """
        archive, name = _load_archive(source)
        from_name = False
        if module_path is None or version is None:
            by_name = _module_version_from_name(name) if name else None
            by_comment = _module_version_from_comment(archive)
            if by_name and by_comment and _archive_stem(*by_comment) == _archive_stem(*by_name):
                by_name = by_comment  # the comment spells out what the name leaves ambiguous ('_' or '/')
            guessed = by_name or by_comment
            if not guessed:
                raise ProxyError(
                    f"{name or 'txtar archive'}: cannot tell which module version this is; pass module_path and "
                    "version, start the comment with 'path@version', or name the file path_version.txt"
                )
            from_name = module_path is None and guessed is by_name and guessed is not by_comment
            module_path = module_path or guessed[0]
            version = version or guessed[1]
        files = {f.name: f.data for f in archive.files if f.name not in (".mod", ".info", ".zip")}
        mod_file = archive.get(".mod")
        info_file = archive.get(".info")
        when: datetime | None = None
        raw_info: bytes | None = None
        if info_file is not None:
            when, info_version = _info_fields(info_file, name)
            if info_version is not None and info_version != version:
                if check:
                    raise ProxyError(
                        f"{name or 'archive'}:{info_file.line}: .info says Version {info_version!r} but the archive "
                        f"is {module_path}@{version}; make them agree, or pass check=False to serve this .info "
                        "as is (to test the go command's answer to a proxy naming another version)"
                    )
                raw_info = info_file.data
        try:
            return self.add(
                module_path,
                version,
                files,
                go=None,
                mod=mod_file.data if mod_file is not None else None,
                info=raw_info,
                time=when,
                replace=replace,
                check=check,
            )
        except _ModuleLineMismatch as exc:
            if not from_name:
                raise
            raise ProxyError(
                f"{name}: the file name reads as module {module_path} (each '_' stands for '/'), but go.mod "
                f"declares {exc.declared!r}; pass module_path={exc.declared!r}, or start the archive's comment "
                f"with the line '{exc.declared}@{version}'"
            ) from None

    def _default_time(self, version: str) -> datetime:
        if semver.is_pseudo_version(version):
            return semver.pseudo_version_time(version)
        return DEFAULT_TIME + timedelta(hours=self._added)

    @staticmethod
    def _check_version(module_path: str, version: str) -> None:
        try:
            modpath.check_module_version(module_path, version)
        except modpath.InvalidModulePath as exc:
            raise ProxyError(str(exc)) from None

    # -- queries --------------------------------------------------------------------------

    def modules(self) -> list[ModuleVersion]:
        """Every module version held, sorted by path then version (for the checksum database)."""
        with self._lock:
            return [
                mod.versions[v]
                for path in sorted(self._modules)
                for mod in [self._modules[path]]
                for v in semver.sort_versions(list(mod.versions))
            ]

    def get(self, module_path: str, version: str) -> ModuleVersion:
        """The held version ``module_path@version``; KeyError naming what is held otherwise."""
        with self._lock:
            mod = self._modules.get(module_path)
            if mod is None or version not in mod.versions:
                held = ", ".join(f"{m.path}@{m.version}" for m in self.modules()) or "nothing"
                raise KeyError(f"{module_path}@{version} is not in the proxy (it holds: {held})")
            return mod.versions[version]

    def versions(self, module_path: str) -> list[str]:
        """The versions ``@v/list`` reports: every valid held version except pseudo-versions, sorted."""
        with self._lock:
            mod = self._modules.get(module_path)
            held = list(mod.versions) if mod else []
        return semver.sort_versions([v for v in held if semver.is_valid(v) and not semver.is_pseudo_version(v)])

    def latest(self, module_path: str) -> ModuleVersion | None:
        """What ``@latest`` answers: the highest release, else pre-release, else newest pseudo-version."""
        with self._lock:
            mod = self._modules.get(module_path)
            if mod is None or not mod.versions:
                return None
            listed = self.versions(module_path)
            releases = [v for v in listed if not semver.Semver.parse(v).prerelease]
            pick = (releases or listed or semver.sort_versions(list(mod.versions)))[-1]
            return mod.versions[pick]

    # -- the request log ------------------------------------------------------------------

    @property
    def requests(self) -> list[ProxyRequest]:
        """The HTTP requests answered so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def requested(self, module_path: str, version: str | None = None, kind: RequestKind | None = None) -> bool:
        """Whether the go command asked this proxy (over HTTP) for ``module_path`` (at ``version``)."""
        return any(
            r.module == module_path and (version is None or r.version == version) and (kind is None or r.kind == kind)
            for r in self.requests
        )

    def clear_requests(self) -> None:
        """Forget the requests recorded so far."""
        with self._lock:
            self._requests.clear()

    # -- failure injection, mounts and listeners -------------------------------------------

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
        """
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise ProxyError(f"fail(): status {status!r} is not an HTTP error status (400-599)")
        _check_kinds(kinds)
        prefix = module_or_prefix.strip("/")
        with self._lock:
            self._failures.insert(
                0,
                _Failure(
                    prefix,
                    status,
                    version,
                    frozenset(kinds) if kinds is not None else None,
                    as_bytes(body) if body is not None else None,
                ),
            )

    def clear_failures(self) -> None:
        """Serve every module normally again."""
        with self._lock:
            self._failures.clear()

    def mount(self, prefix: str, handler: Handler) -> None:
        """Serve URL paths under ``/<prefix>/`` with ``handler`` (e.g. ``sumdb/<name>`` for a checksum DB).

        The handler gets the rest of the path without its leading slash (``supported``,
        ``lookup/m@v1.0.0``) and returns ``(status, content type, body)``.
        """
        key = prefix.strip("/")
        if not key:
            raise ProxyError("mount(): the prefix must not be empty")
        with self._lock:
            self._mounts[key] = handler

    def add_listener(self, callback: Callable[[ModuleVersion], None]) -> None:
        """Call ``callback(module_version)`` after each version is added (not for those already held)."""
        with self._lock:
            self._listeners.append(callback)

    # -- answering requests ----------------------------------------------------------------

    def handle(self, path: str, method: str = "GET") -> Response:
        """Answer one request path (``/example.com/m/@v/list``, percent-encoded as sent) and record it."""
        return self._serve(Request(method, unquote(urlsplit(path).path)))

    def _serve(self, request: Request) -> Response:
        """Answer and record one decoded request: the HTTP server's responder."""
        status, ctype, body, logged = self._dispatch(request.path, request.method)
        with self._lock:
            self._requests.append(logged)
        return status, ctype, body

    def _dispatch(self, path: str, method: str) -> tuple[int, str, bytes, ProxyRequest]:
        trimmed = path.lstrip("/")
        with self._lock:
            mounts = sorted(self._mounts.items(), key=lambda item: -len(item[0]))
        for prefix, handler in mounts:
            if trimmed == prefix or trimmed.startswith(prefix + "/"):
                status, ctype, body = handler(trimmed[len(prefix) :].lstrip("/"))
                return status, ctype, body, ProxyRequest(method, path, status, "mount")
        parsed = _parse_module_request(trimmed)
        if parsed is None:
            body = f"not found: {path} is not a module proxy path\n".encode()
            return 404, _TEXT, body, ProxyRequest(method, path, 404, "other")
        module, version, kind = parsed
        failure = self._failure_for(module, version, kind)
        if failure is not None:
            body = failure.body if failure.body is not None else f"injected failure {failure.status}\n".encode()
            return failure.status, _TEXT, body, ProxyRequest(method, path, failure.status, kind, module, version)
        status, ctype, body = self._answer(module, version, kind)
        return status, ctype, body, ProxyRequest(method, path, status, kind, module, version)

    def _failure_for(self, module: str, version: str | None, kind: str) -> _Failure | None:
        with self._lock:
            return next((f for f in self._failures if f.matches(module, version, kind)), None)

    def _answer(self, module: str, version: str | None, kind: RequestKind) -> Response:
        with self._lock:
            mod = self._modules.get(module)
            if mod is None:
                return 404, _TEXT, f"not found: module {module}: not in this proxy\n".encode()
            if kind == "list":
                return 200, _TEXT, "".join(v + "\n" for v in self.versions(module)).encode()
            if kind == "latest":
                latest = self.latest(module)
                assert latest is not None
                return 200, "application/json", latest.info
            entry = mod.versions.get(version or "")
            if entry is None and kind == "info" and version and re.fullmatch(r"[0-9a-f]{7,40}", version):
                entry = _by_revision(mod, version)
        if entry is None:
            return 404, _TEXT, f"not found: {module}@{version}: unknown revision {version}\n".encode()
        if kind == "info":
            return 200, "application/json", entry.info
        if kind == "mod":
            return 200, _TEXT, entry.mod
        return 200, "application/zip", entry.zip

    # -- the file:// tree ------------------------------------------------------------------

    def _write_tree(self, entry: ModuleVersion) -> None:
        base = self.root / entry.escaped_path
        vdir = base / "@v"
        vdir.mkdir(parents=True, exist_ok=True)
        stem = vdir / entry.escaped_version
        replace_file(stem.with_name(stem.name + ".info"), entry.info)
        replace_file(stem.with_name(stem.name + ".mod"), entry.mod)
        replace_file(stem.with_name(stem.name + ".zip"), entry.zip)
        module_path = entry.path
        replace_file(vdir / "list", "".join(v + "\n" for v in self.versions(module_path)).encode())
        latest = self.latest(module_path)
        if latest is not None:
            replace_file(base / "@latest", latest.info)

    def remove_tree(self) -> None:
        """Delete the on-disk tree (the in-memory modules stay and are served over HTTP)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def iter_files(self) -> Iterator[Path]:
        """Every file of the on-disk tree (for debugging a file:// GOPROXY)."""
        return (p for p in sorted(self.root.rglob("*")) if p.is_file())


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


def _check_escapable(module_path: str, version: str) -> None:
    try:
        modpath.escape_path(module_path)
        modpath.escape_version(version)
    except modpath.InvalidModulePath as exc:
        raise ProxyError(f"{module_path}@{version} cannot be served even unchecked: {exc}") from None


class _ModuleLineMismatch(ProxyError):
    """go.mod declares another module path than the one the version is added under."""

    def __init__(self, message: str, declared: str) -> None:
        self.declared = declared
        super().__init__(message)


def _check_module_line(module_path: str, version: str, mod: bytes) -> None:
    declared = modpath.declared_module(mod)
    if declared is None:
        raise ProxyError(f"{module_path}@{version}: go.mod has no module line (pass check=False to serve it anyway)")
    if declared != module_path:
        raise _ModuleLineMismatch(
            f"{module_path}@{version}: go.mod declares module {declared!r}; "
            "fix the module line, or pass check=False to test the go command's mismatch error",
            declared,
        )


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


def _check_go_line(go: object, where: str) -> None:
    try:
        modpath.check_go_line(go)
    except modpath.InvalidModulePath as exc:
        raise ProxyError(f"{where}: go={exc} (or go=None for no go line)") from None


def _file_contents(files: object, where: str) -> dict[str, bytes]:
    """``files`` as ``{name: bytes}``, refusing anything but a mapping of str names to str/bytes contents."""
    if files is None:
        return {}
    if not isinstance(files, Mapping):
        raise ProxyError(
            f"{where}: files must be a mapping {{name: content}}, not {type(files).__name__} {files!r}; "
            "e.g. files={'hello.go': 'package hello\\n'}"
        )
    contents: dict[str, bytes] = {}
    for name, data in files.items():
        if not isinstance(name, str):
            raise ProxyError(f"{where}: file name {name!r} is a {type(name).__name__}; file names are strings")
        if not isinstance(data, (str, bytes)):
            raise ProxyError(
                f"{where}: the content of {name!r} is a {type(data).__name__} ({data!r}); give text (str) or bytes"
            )
        contents[name] = as_bytes(data)
    return contents


def _parse_module_request(path: str) -> tuple[str, str | None, RequestKind] | None:
    """Split ``<module>/@v/<file>`` or ``<module>/@latest`` into module, version and kind."""
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


def _by_revision(mod: _Module, rev: str) -> ModuleVersion | None:
    """The pseudo-version whose revision starts with (or is a prefix of) ``rev``, if any."""
    for version in reversed(semver.sort_versions(list(mod.versions))):
        if semver.is_pseudo_version(version):
            short = semver.pseudo_version_rev(version)
            if short.startswith(rev) or rev.startswith(short):
                return mod.versions[version]
    return None


def _load_archive(source: str | bytes | os.PathLike[str] | txtar.Archive) -> tuple[txtar.Archive, str | None]:
    archive = txtar.load(source)
    name = Path(archive.source).name if archive.source else None
    return archive, name


def _module_version_from_comment(archive: txtar.Archive) -> tuple[str, str] | None:
    for raw in archive.comment.decode("utf-8", "replace").splitlines():
        words = raw.split()
        if len(words) == 1 and "@" in words[0]:
            path, _, version = words[0].partition("@")
            return path, version
        if len(words) == 3 and words[0] == "module":  # "module example.com/m v1.0.0"
            return words[1], words[2]
    return None


def _archive_stem(path: str, version: str) -> str:
    """The file name stem cmd/go's proxy would give ``path@version``: ``example.com_hello_v1.0.0``."""
    try:
        return modpath.escape_path(path).replace("/", "_") + "_" + modpath.escape_version(version)
    except modpath.InvalidModulePath:
        return ""


def _module_version_from_name(name: str) -> tuple[str, str] | None:
    stem = name[: -len(".txt")] if name.endswith(".txt") else name
    i = stem.rfind("_v")
    if i < 0:
        return None
    try:
        path = modpath.unescape_path(stem[:i].replace("_", "/"))
        version = modpath.unescape_version(stem[i + 1 :])
    except modpath.InvalidModulePath:
        return None
    return path, version


def _info_fields(info: txtar.File, name: str | None) -> tuple[datetime | None, str | None]:
    """The ``Time`` and ``Version`` of an archive's ``.info`` (None where absent)."""
    try:
        data = json.loads(info.data or b"{}")
    except json.JSONDecodeError as exc:
        raise ProxyError(f"{name or 'archive'}:{info.line}: .info is not JSON: {exc}") from None
    fields = data if isinstance(data, dict) else {}
    version = fields.get("Version")
    stamp = fields.get("Time")
    if not stamp:
        return None, None if version is None else str(version)
    try:
        when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        raise ProxyError(f"{name or 'archive'}:{info.line}: .info Time {stamp!r} is not RFC 3339") from None
    return when, None if version is None else str(version)
