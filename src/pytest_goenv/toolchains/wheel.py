"""Extracting a wheel's files with their RECORD hashes checked and their file modes kept.

Python's :mod:`zipfile` drops the permission bits each entry stores in the high half of
``external_attr``; a Go toolchain needs its executables executable.  Every file of the
wheel is hashed as it is read and compared with the wheel's RECORD, so a corrupt or
altered download is refused, and files RECORD does not list are refused too.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import io
import os
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pytest_goenv.base.errors import GoenvError

__all__ = ["HashMismatch", "RecordEntry", "WheelError", "extract_verified", "read_record"]

_CHUNK = 1 << 20
_HASHES = frozenset({"sha256", "sha384", "sha512"})
_WORKERS = 8  # creating files is I/O-bound: threads overlap the waits


class WheelError(GoenvError):
    """A wheel that is malformed, unsafe to extract, or does not match its RECORD."""


class HashMismatch(WheelError):
    """A file of the wheel differs from what its RECORD says: a corrupt or altered download."""


@dataclass(frozen=True)
class RecordEntry:
    """One hashed RECORD row: the hash algorithm, its urlsafe base64 digest, the size if given."""

    algorithm: str
    digest: str
    size: int | None


def read_record(archive: zipfile.ZipFile) -> dict[str, RecordEntry]:
    """The wheel's RECORD as ``{path: entry}``; rows without a hash (RECORD itself) are left out."""
    names = [name for name in archive.namelist() if name.endswith(".dist-info/RECORD")]
    if len(names) != 1:
        raise WheelError("it has no single .dist-info/RECORD file; it cannot be verified")
    text = archive.read(names[0]).decode("utf-8")
    record: dict[str, RecordEntry] = {}
    for row in csv.reader(io.StringIO(text)):
        if not row:
            continue
        if len(row) != 3:
            raise WheelError(f"malformed RECORD row {row!r}")
        path, digest, size = row
        if not digest:
            continue
        algorithm, _, value = digest.partition("=")
        if algorithm not in _HASHES:
            raise WheelError(f"RECORD uses unsupported hash {algorithm!r} for {path}")
        record[path] = RecordEntry(algorithm, value, int(size) if size else None)
    return record


def extract_verified(
    archive: zipfile.ZipFile,
    dest: Path,
    *,
    subdir: str,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write the files under ``subdir/`` into ``dest`` (modes kept) and verify every file against RECORD.

    ``progress(done, total)`` counts uncompressed bytes, about four times a second.  Files are
    written by a few threads (file creation dominates and releases the GIL).
    """
    record = read_record(archive)
    infos = [info for info in archive.infolist() if not info.is_dir()]
    listed = {info.filename for info in infos}
    unlisted = sorted(name for name in listed - set(record) if not name.endswith(".dist-info/RECORD"))
    if unlisted:
        raise WheelError(f"{len(unlisted)} file(s) are not in RECORD (first: {unlisted[0]}); the wheel was altered")
    missing = sorted(set(record) - listed)
    if missing:
        raise WheelError(f"RECORD lists {missing[0]}, which the wheel does not contain")
    targets = []
    for info in infos:  # all paths are checked before anything is written
        relative = _relative_path(info.filename, subdir)
        targets.append((info, dest / relative if relative is not None else None))
    for directory in sorted({path.parent for _, path in targets if path is not None}):
        directory.mkdir(parents=True, exist_ok=True)
    total = sum(info.file_size for info in infos)
    done, last_report = 0, 0.0
    if progress is not None:
        progress(0, total)
    with _ArchivePerThread(archive) as opened, ThreadPoolExecutor(max_workers=_WORKERS) as pool:

        def copy(job: tuple[zipfile.ZipInfo, Path | None]) -> int:
            info, out_path = job
            return _copy_checked(opened.get(), info, out_path, record.get(info.filename))

        results = pool.map(copy, targets)
        try:
            for size in results:
                done += size
                now = time.monotonic()
                if progress is not None and now - last_report >= 0.25:
                    last_report = now
                    progress(done, total)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    if progress is not None:
        progress(total, total)


class _ArchivePerThread:
    """One ZipFile per worker thread (a shared one serializes every read behind its lock)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.local = threading.local()
        self.opened: list[zipfile.ZipFile] = []
        self.lock = threading.Lock()

    def get(self) -> zipfile.ZipFile:
        mine: zipfile.ZipFile | None = getattr(self.local, "archive", None)
        if mine is None:
            if self.archive.filename is None:
                return self.archive  # an in-memory archive is shared
            mine = zipfile.ZipFile(self.archive.filename)
            self.local.archive = mine
            with self.lock:
                self.opened.append(mine)
        return mine

    def __enter__(self) -> _ArchivePerThread:
        return self

    def __exit__(self, *exc: object) -> None:
        for archive in self.opened:
            archive.close()


def _copy_checked(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, out_path: Path | None, expected: RecordEntry | None
) -> int:
    """Stream one entry to ``out_path`` (or only hash it when None), compare it with RECORD; its size."""
    hasher = hashlib.new(expected.algorithm) if expected is not None else None
    size = 0
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(archive.open(info))
        sink = stack.enter_context(open(out_path, "wb")) if out_path is not None else None
        while chunk := source.read(_CHUNK):
            size += len(chunk)
            if hasher is not None:
                hasher.update(chunk)
            if sink is not None:
                sink.write(chunk)
    if expected is not None and hasher is not None:
        digest = base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode()
        if digest != expected.digest or (expected.size is not None and size != expected.size):
            raise HashMismatch(f"{info.filename} does not match its RECORD hash; the wheel is corrupt or was altered")
    if out_path is not None:
        mode = (info.external_attr >> 16) & 0o7777
        os.chmod(out_path, (mode or 0o644) | 0o600)  # keep the owner able to read and remove it
    return size


def _relative_path(name: str, subdir: str) -> PurePosixPath | None:
    """The path below ``subdir`` of a wheel entry; None for entries outside it."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise WheelError(f"unsafe path {name!r} in the wheel; refusing to extract it")
    if len(path.parts) < 2 or path.parts[0] != subdir:
        return None
    return PurePosixPath(*path.parts[1:])
