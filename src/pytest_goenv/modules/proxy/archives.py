"""Module versions from txtar archives in cmd/go's ``testdata/mod`` style: which version an archive is.

An archive holds a version's zip files plus optional ``.mod`` and ``.info``; its module and version
come from the caller, else its file name ``<path with / as _>_<version>.txt`` (split at the last
``_v``, ``!x`` standing for ``X``, as cmd/go's test proxy reads it), else a first comment line
``path@version`` (or ``module path version``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pytest_goenv.modules import modpath, txtar
from pytest_goenv.modules.proxy.store import ModuleLineMismatch, ProxyError

__all__ = ["ArchivedVersion", "archive_stem", "naming_error", "read_archive", "version_from_name"]

ArchiveSource = str | bytes | os.PathLike[str] | txtar.Archive
"""A txtar archive as text, bytes, a file path or a parsed Archive."""


@dataclass(frozen=True)
class ArchivedVersion:
    """A module version read from an archive: what :meth:`GoProxy.add` gets, and where it came from.

    Parameters:
        path, version: the module version; files: the zip's files; mod: the ``.mod`` (None: none given).
        info: the archive's ``.info``, kept only where it names another version (served as is with
            ``check=False``); time: the ``.info`` Time, if any.
        name: the archive's file name; from_name: whether the module path was read from it alone.

    Example::

        read_archive(goroot / "src/cmd/go/testdata/mod/rsc.io_quote_v1.5.2.txt").path   # "rsc.io/quote"
    """

    path: str
    version: str
    files: dict[str, bytes]
    mod: bytes | None
    info: bytes | None
    time: datetime | None
    name: str | None
    from_name: bool


def read_archive(
    source: ArchiveSource, module_path: str | None = None, version: str | None = None, *, check: bool = True
) -> ArchivedVersion:
    """Read the module version an archive holds (see :meth:`GoProxy.add_txtar` for the rules)."""
    archive = txtar.load(source)
    name = Path(archive.source).name if archive.source else None
    from_name = False
    if module_path is None or version is None:
        by_name = _version_from_name_or_none(name) if name else None
        by_comment = _version_from_comment(archive)
        if by_name and by_comment and archive_stem(*by_comment) == archive_stem(*by_name):
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
    mod = mod_file.data if mod_file is not None else None
    return ArchivedVersion(module_path, version, files, mod, raw_info, when, name, from_name)


def naming_error(archived: ArchivedVersion, exc: ModuleLineMismatch) -> ProxyError:
    """The error for a file name read as another module than its go.mod declares, saying how to name it."""
    return ProxyError(
        f"{archived.name}: the file name reads as module {archived.path} (each '_' stands for '/'), but go.mod "
        f"declares {exc.declared!r}; pass module_path={exc.declared!r}, or start the archive's comment "
        f"with the line '{exc.declared}@{archived.version}'"
    )


def archive_stem(path: str, version: str) -> str:
    """The file name stem cmd/go's proxy would give ``path@version``: ``example.com_hello_v1.0.0``."""
    try:
        return modpath.escape_path(path).replace("/", "_") + "_" + modpath.escape_version(version)
    except modpath.InvalidModulePath:
        return ""


def version_from_name(name: str) -> tuple[str, str]:
    """The module version cmd/go's test proxy reads from an archive's file name; ProxyError if none.

    ``rsc.io_!q!u!o!t!e_v1.5.2.txt`` is ``rsc.io/QUOTE@v1.5.2``: the name is split at its last ``_v``,
    each ``_`` before it stands for ``/`` and both halves are un-escaped.
    """
    stem = name[: -len(".txt")] if name.endswith(".txt") else name
    i = stem.rfind("_v")
    if i < 0:
        raise ProxyError(f"{name}: no '_v' separates a module path from a version")
    try:
        path = modpath.unescape_path(stem[:i].replace("_", "/"))
        version = modpath.unescape_version(stem[i + 1 :])
    except modpath.InvalidModulePath as exc:
        raise ProxyError(f"{name}: {exc}") from None
    return path, version


def _version_from_name_or_none(name: str) -> tuple[str, str] | None:
    try:
        return version_from_name(name)
    except ProxyError:
        return None


def _version_from_comment(archive: txtar.Archive) -> tuple[str, str] | None:
    for raw in archive.comment.decode("utf-8", "replace").splitlines():
        words = raw.split()
        if len(words) == 1 and "@" in words[0]:
            path, _, version = words[0].partition("@")
            return path, version
        if len(words) == 3 and words[0] == "module":  # "module example.com/m v1.0.0"
            return words[1], words[2]
    return None


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
