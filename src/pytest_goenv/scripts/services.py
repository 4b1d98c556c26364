"""The module proxy and checksum database a script directory's scripts reach over loopback HTTP.

cmd/go's layout keeps one txtar archive per module version in ``testdata/mod`` beside
``testdata/script``; :func:`directory_services` serves such a directory from a :class:`GoProxy`
(archives made to break the go command included) with a :class:`ChecksumDatabase` of its modules,
reached through the proxy as the go command does.  :func:`cmdgo_services` serves a toolchain's
own ``src/cmd/go/testdata/mod`` with cmd/go's naming rules, fault paths and checksum-database
test key (:mod:`pytest_goenv.modules.proxy.cmdgo`).  go-internal's per-archive ``.gomodproxy/``
trees are served by :func:`archive_services`.

Example::

    with directory_services(Path("testdata/mod"), tmp_path) as services:
        options = ScriptOptions(goproxy=services.goproxy, gosumdb=services.gosumdb)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from pytest_goenv.modules import txtar
from pytest_goenv.modules.proxy import GoProxy, ProxyError
from pytest_goenv.modules.proxy.cmdgo import cmdgo_env, cmdgo_proxy, cmdgo_sumdb
from pytest_goenv.modules.sumdb import ChecksumDatabase

__all__ = ["ScriptServices", "archive_services", "cmdgo_services", "directory_services"]


@dataclass
class ScriptServices:
    """A running proxy (and database) and the GOPROXY/GOSUMDB values that reach them."""

    goproxy: str = "off"
    gosumdb: str = "off"
    proxy: GoProxy | None = None
    sumdb: ChecksumDatabase | None = None
    refused: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        """Stop the servers."""
        if self.sumdb is not None:
            self.sumdb.close()
        if self.proxy is not None:
            self.proxy.close()

    def __enter__(self) -> ScriptServices:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _serve(proxy: GoProxy, refused: list[str]) -> ScriptServices:
    database = ChecksumDatabase(proxy)
    database.mount_on(proxy)
    goproxy = proxy.http_url
    return ScriptServices(goproxy, database.gosumdb_for("proxy", goproxy=goproxy), proxy, database, refused)


def directory_services(mod_dir: Path, scratch: Path) -> ScriptServices:
    """Serve every ``*.txt`` archive of ``mod_dir`` (one module version each); ``refused`` lists the rest."""
    proxy = GoProxy(scratch / "goproxy")
    refused: list[str] = []
    for archive in sorted(mod_dir.glob("*.txt")):
        try:
            proxy.add_txtar(archive, check=False)
        except (ProxyError, txtar.TxtarError, ValueError) as exc:
            refused.append(f"{archive.name}: {exc}")
    return _serve(proxy, refused)


def archive_services(archive: txtar.Archive, scratch: Path) -> ScriptServices | None:
    """Serve the ``.gomodproxy/<path>_<version>/`` trees of one archive (None if it has none)."""
    versions: dict[str, dict[str, bytes]] = {}
    for entry in archive.files:
        if entry.name.startswith(".gomodproxy/"):
            directory, _, name = entry.name.removeprefix(".gomodproxy/").partition("/")
            versions.setdefault(directory, {})[name] = entry.data
    if not versions:
        return None
    proxy = GoProxy(scratch / "gomodproxy")
    refused: list[str] = []
    for directory, files in sorted(versions.items()):
        parts = [txtar.File(name, data) for name, data in files.items()]
        try:
            proxy.add_txtar(txtar.Archive(files=parts, source=f"{directory}.txt"), check=False)
        except (ProxyError, txtar.TxtarError, ValueError) as exc:
            refused.append(f".gomodproxy/{directory}: {exc}")
    return _serve(proxy, refused)


def cmdgo_services(goroot: Path, scratch: Path) -> ScriptServices:
    """Serve a toolchain's ``src/cmd/go/testdata/mod`` the way its own script tests expect."""
    proxy = cmdgo_proxy(goroot, scratch / "goproxy")
    database = cmdgo_sumdb(goroot, proxy)
    env = cmdgo_env(proxy, database)
    return ScriptServices(env.pop("GOPROXY"), env.pop("GOSUMDB"), proxy, database, env=env)
