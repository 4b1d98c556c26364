"""The build info blob (``\\xff Go buildinf:``): inline strings (Go >= 1.18) or pointers to them (older)."""

from __future__ import annotations

import struct
from os import PathLike

from pytest_goenv.readers.executables._image import Image
from pytest_goenv.readers.executables.errors import NotAGoBinary

StrPath = str | PathLike[str]

_BUILDINFO_MAGIC = b"\xff Go buildinf:"
_BUILDINFO_HEADER = 32


def _uvarint(data: bytes, offset: int) -> tuple[int, int]:
    """A varint at ``offset`` and the offset after it."""
    value = shift = 0
    for i in range(offset, min(offset + 10, len(data))):
        value |= (data[i] & 0x7F) << shift
        if data[i] < 0x80:
            return value, i + 1
        shift += 7
    raise NotAGoBinary("build info holds a malformed length")


def raw_build_info(image: Image, path: StrPath) -> tuple[str, str]:
    """The Go version and module info text of the build info blob."""
    where = image.buildinfo_range
    if where is None or not where.size:
        raise NotAGoBinary(f"{path}: no Go build info section (not built by the go command?)")
    region = image.data[where.offset : where.offset + where.size]
    start = region.find(_BUILDINFO_MAGIC)
    while start >= 0 and (where.addr + start) % 16:
        start = region.find(_BUILDINFO_MAGIC, start + 1)
    if start < 0 or start + _BUILDINFO_HEADER > len(region):
        raise NotAGoBinary(f"{path}: no Go build info found (not built by the go command?)")
    header = region[start : start + _BUILDINFO_HEADER]
    ptr_size, flags = header[14], header[15]
    if flags & 2:  # inline: two varint-prefixed strings follow the header
        length, at = _uvarint(region, start + _BUILDINFO_HEADER)
        version = region[at : at + length].decode("utf-8", "replace")
        length, at = _uvarint(region, at + length)
        modinfo = region[at : at + length].decode("utf-8", "replace")
    else:  # pointers to Go string headers
        order = ">" if flags & 1 else "<"
        word = {4: "I", 8: "Q"}.get(ptr_size)
        if word is None:
            raise NotAGoBinary(f"{path}: build info has an invalid pointer size {ptr_size}")
        pointers = struct.unpack_from(order + word * 2, header, 16)
        version, modinfo = (_read_go_string(image, order + word * 2, p) for p in pointers)
    if not version:
        raise NotAGoBinary(f"{path}: build info holds no Go version")
    # The module info is framed by 16-byte sentinels.
    modinfo = modinfo[16:-16] if len(modinfo) >= 33 and modinfo[-17] == "\n" else ""
    return version, modinfo


def _read_go_string(image: Image, fmt: str, addr: int) -> str:
    """The Go string whose header (pointer, length) is at ``addr``."""
    pointer, length = struct.unpack(fmt, image.read(addr, struct.calcsize(fmt)).ljust(struct.calcsize(fmt), b"\0"))
    return image.read(pointer, length).decode("utf-8", "replace") if length else ""
