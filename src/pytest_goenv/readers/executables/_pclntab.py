"""The Go line table (pclntab, Go 1.16 and later): the source file names a binary records."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

# pclntab magics: Go 1.16-1.17, 1.18-1.19, 1.20 and later.
_PCLNTAB_MAGICS = {0xFFFFFFFA: 1.16, 0xFFFFFFF0: 1.18, 0xFFFFFFF1: 1.20}


def pclntab_candidates(data: bytes) -> Iterator[int]:
    """Offsets where a Go 1.16+ line table header may start."""
    pattern = re.compile(rb"(?:\xfa|\xf0|\xf1)\xff\xff\xff\0\0[\x01\x02\x04][\x04\x08]")
    for match in pattern.finditer(data):
        yield match.start()


def pclntab_files(data: bytes, offset: int) -> tuple[str, ...] | None:
    """The file names of the line table at ``offset``, or None if there is none."""
    header = data[offset : offset + 8 + 8 * 8]
    if len(header) < 16 or header[4:6] != b"\0\0":
        return None
    for order in ("<", ">"):
        (magic,) = struct.unpack_from(order + "I", header)
        if magic in _PCLNTAB_MAGICS:
            break
    else:
        return None
    ptr_size = header[7]
    if ptr_size not in (4, 8):
        return None
    word = order + ("Q" if ptr_size == 8 else "I")
    fields = [struct.unpack_from(word, header, 8 + i * ptr_size)[0] for i in range(8)]
    # Go 1.18 added textStart after nfiles, shifting the offsets by one word.
    filetab, pctab = (fields[5], fields[6]) if _PCLNTAB_MAGICS[magic] >= 1.18 else (fields[4], fields[5])
    if not 0 < filetab <= pctab or offset + pctab > len(data):
        return None
    names = data[offset + filetab : offset + pctab].split(b"\0")
    seen: dict[str, None] = {}
    for name in names:
        if name:
            seen.setdefault(name.decode("utf-8", "replace"), None)
    return tuple(seen)
