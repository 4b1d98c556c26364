"""Mach-O headers: thin files, and universal files through their first slice."""

from __future__ import annotations

from pytest_goenv.base.exeformat import MACHO_UNIVERSAL_MAGIC
from pytest_goenv.readers.executables._image import Image, Range, cstring, unpack
from pytest_goenv.readers.executables.errors import BinaryFormatError

_MACHO_CPUS = {7: "386", 0x01000007: "amd64", 12: "arm", 0x0100000C: "arm64", 0x01000012: "ppc64"}
_MACHO_PLATFORMS = {2: "ios", 7: "ios"}  # iOS and its simulator; macOS and the rest map to darwin


def parse_macho(data: bytes) -> Image:
    """The headers of a Mach-O file; of its first slice if it is a universal file."""
    if data[:4] == MACHO_UNIVERSAL_MAGIC:
        _nfat, _cpu, _sub, offset, size = unpack(">IiiII", data, 4)
        data = data[offset : offset + size]
    magic_le = int.from_bytes(data[:4], "little")
    if magic_le in (0xFEEDFACE, 0xFEEDFACF):
        order = "<"
    elif int.from_bytes(data[:4], "big") in (0xFEEDFACE, 0xFEEDFACF):
        order = ">"
    else:
        raise BinaryFormatError("not a Mach-O file")
    (magic,) = unpack(order + "I", data, 0)
    bits = 64 if magic == 0xFEEDFACF else 32
    cputype, _sub, _filetype, ncmds, _size, _flags = unpack(order + "iiIIII", data, 4)
    goarch = _MACHO_CPUS.get(cputype & 0xFFFFFFFF, f"macho-cpu-{cputype:#x}")
    image = Image(data, "macho", order, bits, goarch, "darwin")
    at = 32 if bits == 64 else 28
    for _ in range(ncmds):
        cmd, cmdsize = unpack(order + "II", data, at)
        if cmdsize < 8:
            raise BinaryFormatError(f"Mach-O load command at {at:#x} has an invalid size {cmdsize}")
        if cmd in (0x19, 0x1):  # LC_SEGMENT_64, LC_SEGMENT
            _macho_segment(image, at, cmd == 0x19)
        elif cmd in (0xC, 0x18 | 0x80000000, 0x1F | 0x80000000, 0x20, 0x23 | 0x80000000):
            (name_offset,) = unpack(order + "I", data, at + 8)  # LC_LOAD_DYLIB and its variants
            image.needed.append(cstring(data, at + name_offset, at + cmdsize))
        elif cmd == 0xE:  # LC_LOAD_DYLINKER
            (name_offset,) = unpack(order + "I", data, at + 8)
            image.interpreter = cstring(data, at + name_offset, at + cmdsize)
        elif cmd == 0x32:  # LC_BUILD_VERSION
            (platform,) = unpack(order + "I", data, at + 8)
            image.goos = _MACHO_PLATFORMS.get(platform, "darwin")
        at += cmdsize
    image.buildinfo_range = image.section("__go_buildinfo")
    return image


def _macho_segment(image: Image, at: int, is64: bool) -> None:
    """Add the segment load command at ``at`` and its sections to ``image``."""
    order, data = image.order, image.data
    segname = data[at + 8 : at + 24].rstrip(b"\0").decode("ascii", "replace")
    if is64:
        vmaddr, _vmsize, fileoff, filesize = unpack(order + "QQQQ", data, at + 24)
        (nsects,) = unpack(order + "I", data, at + 64)
        first, sect_size, fmt = at + 72, 80, order + "QQI"
    else:
        vmaddr, _vmsize, fileoff, filesize = unpack(order + "IIII", data, at + 24)
        (nsects,) = unpack(order + "I", data, at + 48)
        first, sect_size, fmt = at + 56, 68, order + "III"
    if segname != "__PAGEZERO":
        image.segments.append(Range(segname, vmaddr, fileoff, filesize))
    for i in range(nsects):
        s = first + i * sect_size
        name = data[s : s + 16].rstrip(b"\0").decode("ascii", "replace")
        addr, size, offset = unpack(fmt, data, s + 32)
        image.sections.append(Range(name, addr, offset, size if offset else 0))
