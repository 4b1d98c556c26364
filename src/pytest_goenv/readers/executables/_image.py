"""The parsed headers of one executable, shared by the ELF, Mach-O and PE parsers."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from pytest_goenv.base.exeformat import ExecutableFormat
from pytest_goenv.readers.executables.errors import BinaryFormatError, NotAGoBinary


@dataclass(frozen=True)
class Range:
    """A named piece of the file mapped at a virtual address (a segment or a section)."""

    name: str
    addr: int
    offset: int
    size: int  # bytes present in the file
    flags: int = 0


@dataclass
class Image:
    """The parsed headers of one executable: what the public functions need, nothing more."""

    data: bytes
    format: ExecutableFormat
    order: str  # struct byte order: "<" or ">"
    bits: int
    goarch: str
    goos: str
    segments: list[Range] = field(default_factory=list)
    sections: list[Range] = field(default_factory=list)
    interpreter: str | None = None
    needed: list[str] = field(default_factory=list)
    buildinfo_range: Range | None = None

    def section(self, *names: str) -> Range | None:
        """The first section with one of ``names``, or None."""
        for name in names:
            for section in self.sections:
                if section.name == name:
                    return section
        return None

    def read(self, addr: int, size: int) -> bytes:
        """Bytes at virtual address ``addr`` (fewer if the mapped range ends first)."""
        for piece in (*self.segments, *self.sections):
            if piece.addr <= addr < piece.addr + piece.size:
                start = piece.offset + addr - piece.addr
                return self.data[start : min(start + size, piece.offset + piece.size)]
        raise NotAGoBinary(f"address {addr:#x} is not mapped by any segment of the {self.format} file")


def cstring(data: bytes, offset: int, limit: int | None = None) -> str:
    """The NUL-terminated string at ``offset`` (ending at ``limit`` at the latest)."""
    limit = len(data) if limit is None else min(limit, len(data))
    end = data.find(b"\0", offset, limit)
    return data[offset : end if end >= 0 else limit].decode("utf-8", errors="replace")


def unpack(fmt: str, data: bytes, offset: int) -> tuple[int, ...]:
    """``struct.unpack_from``, a short read being a BinaryFormatError."""
    try:
        return struct.unpack_from(fmt, data, offset)
    except (struct.error, OverflowError):
        raise BinaryFormatError(f"truncated header at offset {offset:#x}") from None
