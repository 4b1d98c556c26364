"""Which executable format a file is in, told from its first bytes (its magic number).

One detection serves every reader of executables: the build-info reader before it parses
headers, and the toolchain facts cache before it trusts a file to be a compiled go binary.

>>> detect_format(b"\\x7fELF\\x02\\x01\\x01\\x00")
'elf'
>>> detect_format(b"#!/bin/sh") is None
True
"""

from __future__ import annotations

import os
from typing import Literal

__all__ = ["HEAD_SIZE", "MACHO_MAGICS", "MACHO_UNIVERSAL_MAGIC", "ExecutableFormat", "detect_format", "file_format"]

ExecutableFormat = Literal["elf", "macho", "pe"]
"""The executable formats Go links: ELF (linux, the BSDs, android, solaris), Mach-O (darwin, ios), PE (windows)."""

HEAD_SIZE = 8
"""How many leading bytes :func:`detect_format` needs."""

ELF_MAGIC = b"\x7fELF"
PE_MAGIC = b"MZ"  # the DOS stub every PE file starts with
MACHO_MAGICS = frozenset({b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"})
"""Thin Mach-O files: 32- and 64-bit, either byte order."""
MACHO_UNIVERSAL_MAGIC = b"\xca\xfe\xba\xbe"
"""A universal ("fat") Mach-O file holding one file per architecture; Java class files share it."""
_MAX_UNIVERSAL_ARCHS = 32  # a class file has its (large) version where a universal file counts its slices


def detect_format(head: bytes) -> ExecutableFormat | None:
    """The format of a file that starts with ``head`` (at least :data:`HEAD_SIZE` bytes), or None.

    :param head: the file's first bytes.

    Example: ``detect_format(path.read_bytes()[:8]) == "pe"`` for a windows binary.
    """
    if head[:4] == ELF_MAGIC:
        return "elf"
    if head[:2] == PE_MAGIC:
        return "pe"
    if head[:4] in MACHO_MAGICS:
        return "macho"
    if head[:4] == MACHO_UNIVERSAL_MAGIC and 0 < int.from_bytes(head[4:8], "big") < _MAX_UNIVERSAL_ARCHS:
        return "macho"
    return None


def file_format(path: str | os.PathLike[str]) -> ExecutableFormat | None:
    """The format of the file at ``path`` (None for a script or any other file); raises OSError if unreadable.

    :param path: the file to look at; only its first :data:`HEAD_SIZE` bytes are read.

    Example: ``file_format(toolchain.go) == "elf"`` on linux.
    """
    with open(path, "rb") as file:
        return detect_format(file.read(HEAD_SIZE))
