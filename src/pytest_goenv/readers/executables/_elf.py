"""ELF headers: target, dynamic loader, needed libraries, sections, and compressed debug sections."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

from pytest_goenv.readers.executables._image import Image, Range, cstring, unpack
from pytest_goenv.readers.executables.errors import BinaryFormatError, NotAGoBinary

# ELF e_machine -> GOARCH (mips, mips64 and ppc64 also depend on byte order).
_ELF_MACHINES = {3: "386", 62: "amd64", 40: "arm", 183: "arm64", 22: "s390x", 243: "riscv64", 258: "loong64"}
_ELF_BY_ORDER = {(8, "<", 32): "mipsle", (8, ">", 32): "mips", (8, "<", 64): "mips64le",
                 (8, ">", 64): "mips64", (21, "<", 64): "ppc64le", (21, ">", 64): "ppc64"}  # fmt: skip
_ELF_OSABI = {9: "freebsd", 12: "openbsd", 2: "netbsd", 6: "solaris"}
_ELF_NOTE_OS = {".note.netbsd.ident": "netbsd", ".note.openbsd.ident": "openbsd",
                ".note.android.ident": "android", ".note.tag": "freebsd"}  # fmt: skip


def parse_elf(data: bytes) -> Image:
    """The headers of an ELF file."""
    klass, encoding, osabi = data[4], data[5], data[7]
    if klass not in (1, 2) or encoding not in (1, 2):
        raise BinaryFormatError(f"ELF header has an invalid class {klass} or data encoding {encoding}")
    bits, order = (32 if klass == 1 else 64), ("<" if encoding == 1 else ">")
    (machine,) = unpack(order + "H", data, 18)
    if bits == 64:
        phoff, shoff = unpack(order + "QQ", data, 32)
        phentsize, phnum, shentsize, shnum, shstrndx = unpack(order + "HHHHH", data, 54)
    else:
        phoff, shoff = unpack(order + "II", data, 28)
        phentsize, phnum, shentsize, shnum, shstrndx = unpack(order + "HHHHH", data, 42)
    goarch = _ELF_MACHINES.get(machine) or _ELF_BY_ORDER.get((machine, order, bits), f"elf-machine-{machine}")
    image = Image(data, "elf", order, bits, goarch, "linux")

    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        at = phoff + i * phentsize
        if bits == 64:
            ptype, _pflags, offset, vaddr, _paddr, filesz = unpack(order + "IIQQQQ", data, at)
        else:
            ptype, offset, vaddr, _paddr, filesz = unpack(order + "IIIII", data, at)
        if ptype == 1:  # PT_LOAD
            image.segments.append(Range("load", vaddr, offset, filesz))
        elif ptype == 2:  # PT_DYNAMIC
            dynamic = (offset, filesz)
        elif ptype == 3:  # PT_INTERP
            image.interpreter = data[offset : offset + filesz].rstrip(b"\0").decode("utf-8", "replace")

    raw_sections = []
    for i in range(shnum if shoff else 0):
        at = shoff + i * shentsize
        if bits == 64:
            name, stype, flags, addr, offset, size = unpack(order + "IIQQQQ", data, at)
        else:
            name, stype, flags, addr, offset, size = unpack(order + "IIIIII", data, at)
        raw_sections.append((name, stype, flags, addr, offset, 0 if stype == 8 else size))  # 8: NOBITS
    if raw_sections and shstrndx < len(raw_sections):
        names_offset = raw_sections[shstrndx][4]
        for name, _stype, flags, addr, offset, size in raw_sections:
            image.sections.append(Range(cstring(data, names_offset + name), addr, offset, size, flags))
    image.buildinfo_range = image.section(".go.buildinfo")

    if dynamic is not None:
        image.needed = _elf_needed(image, *dynamic)
    for section in image.sections:
        if section.name in _ELF_NOTE_OS:
            image.goos = _ELF_NOTE_OS[section.name]
    image.goos = _ELF_OSABI.get(osabi, image.goos)
    if image.interpreter and "/system/bin/linker" in image.interpreter:
        image.goos = "android"
    elif image.interpreter and image.interpreter.endswith("/ld.so.1"):
        image.goos = "solaris"  # illumos too; its build info says which
    return image


def _elf_needed(image: Image, offset: int, size: int) -> list[str]:
    """The DT_NEEDED libraries of the dynamic section at ``offset``."""
    word = "Q" if image.bits == 64 else "I"
    entry = struct.calcsize(image.order + word * 2)
    needed_offsets, strtab = [], None
    for at in range(offset, offset + size - entry + 1, entry):
        tag, value = unpack(image.order + word * 2, image.data, at)
        if tag == 0:  # DT_NULL
            break
        if tag == 1:  # DT_NEEDED
            needed_offsets.append(value)
        elif tag == 5:  # DT_STRTAB (a virtual address)
            strtab = value
    if strtab is None:
        dynstr = image.section(".dynstr")
        if dynstr is None:
            return []
        strtab = dynstr.addr
    names = []
    for name_offset in needed_offsets:
        try:
            raw = image.read(strtab + name_offset, 4096)
        except NotAGoBinary:
            raise BinaryFormatError("ELF dynamic string table is not mapped") from None
        names.append(raw.split(b"\0", 1)[0].decode("utf-8", "replace"))
    return names


def elf_decompressed_sections(image: Image) -> Iterator[bytes]:
    """Inflate SHF_COMPRESSED (and old ``.zdebug``) sections, where DWARF keeps directory names."""
    chdr = "IIQQ" if image.bits == 64 else "III"
    for section in image.sections:
        raw = image.data[section.offset : section.offset + section.size]
        try:
            if section.flags & 0x800:  # SHF_COMPRESSED
                (ch_type,) = struct.unpack_from(image.order + "I", raw)
                if ch_type == 1:  # ELFCOMPRESS_ZLIB
                    yield zlib.decompress(raw[struct.calcsize(image.order + chdr) :])
            elif section.name.startswith(".zdebug") and raw[:4] == b"ZLIB":
                yield zlib.decompress(raw[12:])
        except (zlib.error, struct.error):
            continue
