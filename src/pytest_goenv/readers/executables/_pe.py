"""PE headers (windows): target, sections, the build info section and imported DLLs."""

from __future__ import annotations

import struct

from pytest_goenv.readers.executables._image import Image, Range, cstring, unpack
from pytest_goenv.readers.executables.errors import BinaryFormatError

_PE_MACHINES = {0x14C: "386", 0x8664: "amd64", 0x1C0: "arm", 0x1C4: "arm", 0xAA64: "arm64"}


def parse_pe(data: bytes) -> Image:
    """The headers of a PE file."""
    (pe_offset,) = unpack("<I", data, 0x3C)
    if data[pe_offset : pe_offset + 4] != b"PE\0\0":
        raise BinaryFormatError("MZ file without a PE signature (a DOS program?)")
    machine, nsections, _time, symtab, nsyms, opt_size, _chars = unpack("<HHIIIHH", data, pe_offset + 4)
    opt = pe_offset + 24
    (opt_magic,) = unpack("<H", data, opt)
    if opt_magic == 0x20B:
        (image_base,) = unpack("<Q", data, opt + 24)
        bits, dirs_at = 64, opt + 112
    elif opt_magic == 0x10B:
        (image_base,) = unpack("<I", data, opt + 28)
        bits, dirs_at = 32, opt + 96
    else:
        raise BinaryFormatError(f"PE optional header has an unknown magic {opt_magic:#x}")
    (ndirs,) = unpack("<I", data, dirs_at - 4)
    image = Image(data, "pe", "<", bits, _PE_MACHINES.get(machine, f"pe-machine-{machine:#x}"), "windows")
    strtab = symtab + nsyms * 18
    for i in range(nsections):
        s = opt + opt_size + i * 40
        raw_name = data[s : s + 8].rstrip(b"\0").decode("ascii", "replace")
        if raw_name.startswith("/") and raw_name[1:].isdigit() and symtab:
            raw_name = cstring(data, strtab + int(raw_name[1:]))
        vsize, vaddr, rawsize, rawptr = unpack("<IIII", data, s + 8)
        (chars,) = unpack("<I", data, s + 36)
        image.sections.append(Range(raw_name, image_base + vaddr, rawptr, min(vsize or rawsize, rawsize), chars))
    # Go puts build info at the start of the first initialized, writable data section (.data).
    wanted = 0x40 | 0x40000000 | 0x80000000
    for section in image.sections:
        if section.addr != image_base and section.size and section.flags & ~0x600000 == wanted:
            image.buildinfo_range = section
            break
    if ndirs > 1:
        import_rva, import_size = unpack("<II", data, dirs_at + 8)
        if import_rva and import_size:
            image.needed = _pe_imports(image, image_base + import_rva, image_base)
    return image


def _pe_imports(image: Image, addr: int, image_base: int) -> list[str]:
    """The DLL names of the import directory at virtual address ``addr``."""
    names: list[str] = []
    while True:
        descriptor = image.read(addr, 20)
        if len(descriptor) < 20 or descriptor == bytes(20):
            return names
        (name_rva,) = struct.unpack_from("<I", descriptor, 12)
        names.append(image.read(image_base + name_rva, 512).split(b"\0", 1)[0].decode("ascii", "replace"))
        addr += 20
