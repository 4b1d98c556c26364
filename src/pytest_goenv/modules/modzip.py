"""Module zip files and their ``h1:`` hashes, following the rules of golang.org/x/mod/zip and dirhash.

A module zip holds the module's files under a ``<module>@<version>/`` prefix, leaving out nested
modules, vendored packages, VCS directories and irregular files; go.mod and LICENSE are limited to
16 MiB and the whole tree to 500 MiB. The ``h1:`` hash that go.sum records is SHA-256 over the sorted
lines ``<hex sha256(content)>  <name>\\n`` of those files, base64-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import posixpath
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.base.filetree import as_bytes
from pytest_goenv.modules import modpath

__all__ = [
    "MAX_GO_MOD",
    "MAX_LICENSE",
    "MAX_ZIP_FILE",
    "ModZipError",
    "Omitted",
    "ZipContents",
    "create_raw_zip",
    "create_zip",
    "create_zip_from_dir",
    "go_sum_lines",
    "hash1",
    "hash_go_mod",
    "hash_module",
    "hash_zip",
    "read_dir",
    "read_zip",
    "select_files",
]

MAX_ZIP_FILE = 500 << 20
"""Largest module zip, and largest total of its uncompressed files, the go command accepts."""
MAX_GO_MOD = 16 << 20
"""Largest go.mod file allowed in a module zip."""
MAX_LICENSE = 16 << 20
"""Largest LICENSE file allowed in a module zip."""

_VCS_DIRS = frozenset({".bzr", ".git", ".hg", ".svn"})
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ModZipError(GoenvError, ValueError):
    """Files that cannot form a module zip (bad names, collisions, sizes), or a malformed zip."""


@dataclass(frozen=True)
class Omitted:
    """A file left out of a module zip on purpose, and why (as the go command would leave it out)."""

    path: str
    reason: str


@dataclass
class ZipContents:
    """The files that go into a module zip (names relative to the module root) and those left out."""

    files: dict[str, bytes] = field(default_factory=dict)
    omitted: list[Omitted] = field(default_factory=list)


def _go_language(go_mod: bytes | None) -> tuple[int, int] | None:
    """The ``go`` line of a go.mod as (major, minor), or None when absent or unreadable."""
    if go_mod is None:
        return None
    for raw in go_mod.decode("utf-8", "replace").splitlines():
        line = raw.split("//", 1)[0].strip()
        m = re.fullmatch(r"go\s+(\d+)\.(\d+)(?:\S*)", line)
        if m:
            return int(m[1]), int(m[2])
    return None


def _is_vendored(name: str, lang: tuple[int, int] | None) -> bool:
    """Whether ``name`` lies in a vendored package (module zips leave those out).

    Before go 1.24 the check for a nested ``/vendor/`` was off by the prefix length, and module
    hashes depend on it, so the old rule applies to modules that declare an older or no go version.
    """
    new_rules = lang is not None and lang >= (1, 24)
    if new_rules and name == "vendor/modules.txt":
        return True
    if name.startswith("vendor/"):
        start = len("vendor/")
    elif "/vendor/" in name:
        start = name.index("/vendor/") + len("/vendor/") if new_rules else len("/vendor/")
    else:
        return False
    return "/" in name[start:]


def _screen(name: str, lang: tuple[int, int] | None, in_submodule: Callable[[str], bool]) -> Omitted | str:
    """Why ``name`` stays out of a module zip: an Omitted (on purpose), a problem text, or "" (keep)."""
    if name != posixpath.normpath(name):
        return f"{name!r}: file path is not clean"
    if name.startswith("/"):
        return f"{name!r}: file path is not relative"
    if _is_vendored(name, lang):
        return Omitted(name, "file is in vendor directory")
    if in_submodule(name):
        return Omitted(name, "file is in another module")
    if name == ".hg_archival.txt":
        return Omitted(name, "file is inserted by 'hg archive' and is always omitted")
    try:
        modpath.check_file_path(name)
    except modpath.InvalidModulePath as exc:
        return str(exc)
    if name.lower() == "go.mod" and name != "go.mod":
        return f"{name!r}: go.mod files must have lowercase names"
    return ""


def select_files(files: Mapping[str, str | bytes]) -> ZipContents:
    """Apply the module zip rules to ``{relative name: content}``.

    Files in nested modules, vendored packages and ``.hg_archival.txt`` are omitted (listed in
    ``omitted``); invalid names, case-insensitive collisions, a mis-cased go.mod and oversized files
    raise ModZipError listing every problem.
    """
    data = {name: as_bytes(content) for name, content in files.items()}
    lang = _go_language(data.get("go.mod"))
    module_dirs = {
        name.rsplit("/", 1)[0] + "/" for name in data if "/" in name and name.rsplit("/", 1)[1].lower() == "go.mod"
    }

    def in_submodule(name: str) -> bool:
        parts = name.split("/")[:-1]
        return any("/".join(parts[: i + 1]) + "/" in module_dirs for i in range(len(parts)))

    result = ZipContents()
    problems: list[str] = []
    folded: dict[str, tuple[str, bool]] = {}
    budget = MAX_ZIP_FILE

    def collide(name: str, is_dir: bool) -> str | None:
        key = name.lower()
        other = folded.get(key)
        if other is not None:
            if other[0] != name:
                return f"case-insensitive file name collision: {other[0]!r} and {name!r}"
            if other[1] != is_dir:
                return f"entry {name!r} is both a file and a directory"
            if not is_dir:
                return f"multiple entries for file {name!r}"
        else:
            folded[key] = (name, is_dir)
        if "/" in name:
            return collide(name.rsplit("/", 1)[0], True)
        return None

    for name, content in data.items():
        verdict = _screen(name, lang, in_submodule)
        if isinstance(verdict, Omitted):
            result.omitted.append(verdict)
            continue
        if verdict:
            problems.append(verdict)
            continue
        clash = collide(name, False)
        if clash:
            problems.append(clash)
            continue
        if len(content) > budget:
            problems.append(f"module source tree too large (max size is {MAX_ZIP_FILE} bytes)")
            budget = -1
        else:
            budget -= len(content)
        if name == "go.mod" and len(content) > MAX_GO_MOD:
            problems.append(f"go.mod file too large (max size is {MAX_GO_MOD} bytes)")
            continue
        if name == "LICENSE" and len(content) > MAX_LICENSE:
            problems.append(f"LICENSE file too large (max size is {MAX_LICENSE} bytes)")
            continue
        result.files[name] = content
    if problems:
        raise ModZipError("files cannot form a module zip:\n  " + "\n  ".join(problems))
    return result


def read_dir(directory: str | os.PathLike[str]) -> ZipContents:
    """Read a module's source tree as the go command would zip it (``CreateFromDir``).

    VCS directories, nested modules and symbolic links or other irregular files are omitted.
    """
    root = Path(directory)
    regular: dict[str, bytes] = {}
    omitted: list[Omitted] = []
    lang = _go_language((root / "go.mod").read_bytes() if (root / "go.mod").is_file() else None)
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        for d in sorted(dirnames):
            rel = prefix + d
            full = Path(dirpath, d)
            if full.is_symlink():
                omitted.append(Omitted(rel, "file is not a regular file"))
                dirnames.remove(d)
            elif _is_vendored(rel, lang):
                omitted.append(Omitted(rel, "file is in vendor directory"))
                dirnames.remove(d)
            elif d in _VCS_DIRS:
                omitted.append(Omitted(rel, "directory is a version control repository"))
                dirnames.remove(d)
            elif (full / "go.mod").is_file() and not (full / "go.mod").is_symlink():
                omitted.append(Omitted(rel, "directory is in another module"))
                dirnames.remove(d)
        for f in sorted(filenames):
            rel = prefix + f
            mode = os.lstat(Path(dirpath, f)).st_mode
            if _is_vendored(rel, lang):
                omitted.append(Omitted(rel, "file is in vendor directory"))
            elif not stat.S_ISREG(mode):
                omitted.append(Omitted(rel, "file is not a regular file"))
            else:
                regular[rel] = Path(dirpath, f).read_bytes()
    selected = select_files(regular)
    selected.omitted[:0] = omitted
    return selected


def _write_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, content)
    data = buf.getvalue()
    if len(data) > MAX_ZIP_FILE:
        raise ModZipError(f"module zip file is too large ({len(data)} bytes; limit is {MAX_ZIP_FILE} bytes)")
    return data


def _checked_prefix(module_path: str, version: str) -> str:
    try:
        modpath.check_module_path(module_path)
        modpath.check_path_major(module_path, version)
    except modpath.InvalidModulePath as exc:
        raise ModZipError(str(exc)) from None
    return f"{module_path}@{version}/"


def create_zip(module_path: str, version: str, files: Mapping[str, str | bytes]) -> bytes:
    """The module zip for ``module_path@version`` holding ``files`` (after :func:`select_files`).

    Entries are deflated, sorted by name and stamped with a fixed time, so equal input gives equal bytes.
    """
    prefix = _checked_prefix(module_path, version)
    selected = select_files(files)
    return _write_zip((prefix + name, selected.files[name]) for name in sorted(selected.files))


def create_zip_from_dir(module_path: str, version: str, directory: str | os.PathLike[str]) -> bytes:
    """The module zip for ``module_path@version`` from a source tree (see :func:`read_dir`)."""
    prefix = _checked_prefix(module_path, version)
    selected = read_dir(directory)
    return _write_zip((prefix + name, selected.files[name]) for name in sorted(selected.files))


def create_raw_zip(module_path: str, version: str, files: Mapping[str, str | bytes]) -> bytes:
    """A zip of ``files`` exactly as given, for tests of how the go command rejects bad zips.

    No rule is applied: names get the ``<module>@<version>/`` prefix unless they start with ``/``, in
    which case the rest is the entry name as is.
    """
    prefix = f"{module_path}@{version}/"
    entries = [
        (name[1:] if name.startswith("/") else prefix + name, as_bytes(content)) for name, content in files.items()
    ]
    return _write_zip(entries)


def read_zip(data: bytes) -> dict[str, bytes]:
    """The entries of a zip as ``{name: content}`` (names as stored, with their prefix)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {info.filename: zf.read(info) for info in zf.infolist() if not info.is_dir()}
    except zipfile.BadZipFile as exc:
        raise ModZipError(f"not a zip file: {exc}") from None


def hash1(files: Mapping[str, str | bytes]) -> str:
    """Go's dirhash ``Hash1`` of ``{name: content}``, names used exactly as given."""
    summary = hashlib.sha256()
    for name in sorted(files):
        if "\n" in name:
            raise ModZipError(f"dirhash: file names with newlines are not supported: {name!r}")
        digest = hashlib.sha256(as_bytes(files[name])).hexdigest()
        summary.update(f"{digest}  {name}\n".encode())
    return "h1:" + base64.b64encode(summary.digest()).decode("ascii")


def hash_zip(data: bytes | str | os.PathLike[str]) -> str:
    """The ``h1:`` hash of a module zip (bytes or a path), as go.sum records it for the module."""
    raw = Path(data).read_bytes() if isinstance(data, (str, os.PathLike)) else data
    return hash1(read_zip(raw))


def hash_module(module_path: str, version: str, files: Mapping[str, str | bytes]) -> str:
    """The ``h1:`` hash of the zip :func:`create_zip` would make, without building it."""
    prefix = _checked_prefix(module_path, version)
    return hash1({prefix + name: content for name, content in select_files(files).files.items()})


def hash_go_mod(data: str | bytes) -> str:
    """The ``h1:`` hash of a go.mod file, as go.sum records it on the ``/go.mod`` line."""
    return hash1({"go.mod": data})


def go_sum_lines(module_path: str, version: str, h1: str, h1_mod: str) -> str:
    """The two go.sum lines recording a module version: its zip's hash, then its go.mod's."""
    return f"{module_path} {version} {h1}\n{module_path} {version}/go.mod {h1_mod}\n"
