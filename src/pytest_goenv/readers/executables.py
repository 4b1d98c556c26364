"""Read Go executables in pure Python: target, linking, embedded build info and recorded paths.

ELF, Mach-O (thin and universal) and PE files are parsed from their headers, so tests need neither
``file`` nor ``ldd`` nor a working ``go version -m``; the build info blob that the go command embeds
(``\\xff Go buildinf:``) is decoded in both its pointer form (Go < 1.18) and its inline form.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from pytest_goenv.base.errors import GoenvError

__all__ = [
    "BinaryFormatError",
    "BuildInfo",
    "GoBinary",
    "Module",
    "NotAGoBinary",
    "find_strings",
    "parse_build_info",
    "read_binary",
    "read_build_info",
    "recorded_files",
]

StrPath = str | PathLike[str]


class BinaryFormatError(GoenvError, ValueError):
    """The file is not an executable this module can read (or is truncated or corrupt)."""


class NotAGoBinary(BinaryFormatError):
    """The executable carries no Go build info (not built by the go command, or stripped of it)."""


# ---------------------------------------------------------------------------------------------------
# Build info text (the ``go version -m`` format, runtime/debug.BuildInfo.String)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    """A module recorded in build info: the main module or a dependency, possibly replaced."""

    path: str
    version: str
    sum: str = ""
    replace: Module | None = None

    def __str__(self) -> str:
        text = f"{self.path} {self.version}".rstrip()
        if self.replace is not None:
            text += f" => {self.replace}"
        return text


@dataclass(frozen=True)
class BuildInfo:
    """What ``go version -m`` shows: Go version, package path, main module, dependencies, settings."""

    go_version: str
    path: str = ""
    main: Module | None = None
    deps: tuple[Module, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()

    def setting(self, key: str, default: str | None = None) -> str | None:
        """The value of build setting ``key`` (``CGO_ENABLED``, ``-trimpath``, ``vcs.revision``...)."""
        for name, value in self.settings:
            if name == key:
                return value
        return default

    @property
    def settings_map(self) -> dict[str, str]:
        """The build settings as a dict (the last value wins if a key repeats)."""
        return dict(self.settings)

    @property
    def goos(self) -> str | None:
        """The GOOS setting, if recorded (Go >= 1.18)."""
        return self.setting("GOOS")

    @property
    def goarch(self) -> str | None:
        """The GOARCH setting, if recorded (Go >= 1.18)."""
        return self.setting("GOARCH")

    @property
    def cgo(self) -> bool | None:
        """Whether cgo was enabled (``CGO_ENABLED``), or None if not recorded."""
        value = self.setting("CGO_ENABLED")
        return None if value is None else value == "1"

    @property
    def trimpath(self) -> bool:
        """Whether the binary was built with ``-trimpath``."""
        return self.setting("-trimpath") == "true"

    @property
    def vcs(self) -> dict[str, str]:
        """The version control settings: ``vcs`` itself and ``vcs.*`` keys (revision, time, modified)."""
        return {k: v for k, v in self.settings if k == "vcs" or k.startswith("vcs.")}

    def dep(self, path: str) -> Module | None:
        """The dependency with module path ``path``, or None."""
        for module in self.deps:
            if module.path == path:
                return module
        return None

    def __str__(self) -> str:
        lines = [f"go\t{self.go_version}"] if self.go_version else []
        if self.path:
            lines.append(f"path\t{self.path}")

        def module_lines(word: str, module: Module) -> None:
            if module.replace is None:
                lines.append(f"{word}\t{module.path}\t{module.version}\t{module.sum}")
            else:
                lines.append(f"{word}\t{module.path}\t{module.version}")
                module_lines("=>", module.replace)

        if self.main is not None:
            module_lines("mod", self.main)
        for dep in self.deps:
            module_lines("dep", dep)
        for key, value in self.settings:
            lines.append(f"build\t{_quote_if(key, _KEY_NEEDS_QUOTE)}={_quote_if(value, _VALUE_NEEDS_QUOTE)}")
        return "\n".join(lines)


_VERSION_HEADER = re.compile(r"^.*: (go\d\S*|devel .*)$")  # "FILE: go1.22.3" from go version -m
_KEY_NEEDS_QUOTE = re.compile(r"^$|[= \t\r\n\"`]")
_VALUE_NEEDS_QUOTE = re.compile(r"[ \t\r\n\"`]")


def _quote_if(text: str, needs: re.Pattern[str]) -> str:
    if not needs.search(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + escaped.replace("\r", "\\r") + '"'


_SIMPLE_ESCAPES = {
    "a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "v": b"\v",
    "\\": b"\\", '"': b'"', "'": b"'",
}  # fmt: skip


def _go_unquote(text: str) -> str:
    """Decode a Go string literal (``"..."`` with escapes, or a raw backquoted string)."""
    if len(text) >= 2 and text[0] == text[-1] == "`":
        return text[1:-1]
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a Go string literal: {text!r}")
    body, out, i = text[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out += char.encode()
            i += 1
            continue
        kind = body[i + 1 : i + 2]
        if kind in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[kind]
            i += 2
        elif kind == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif kind in ("u", "U"):
            width = 4 if kind == "u" else 8
            out += chr(int(body[i + 2 : i + 2 + width], 16)).encode()
            i += 2 + width
        elif kind.isdigit():
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            raise ValueError(f"invalid escape \\{kind} in Go string literal {text!r}")
    return out.decode("utf-8", errors="surrogateescape")


def parse_build_info(text: str, go_version: str = "") -> BuildInfo:
    """Parse build info text, either the embedded blob or ``go version -m`` output for one file.

    Lines may be indented (as ``go version -m`` prints them); a ``go`` line or a ``FILE: goX`` header
    line sets the Go version; lines of unknown kinds are skipped.  Raises ValueError naming a
    malformed module, replacement or build line.
    """
    path, main, deps, settings = "", None, [], []
    last: list[Module] = []  # the module a following "=>" line replaces
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip(" \t\r")
        if not line:
            continue
        word, _, rest = line.partition("\t")
        try:
            if word == "go":
                go_version = rest
            elif word == "path":
                path = rest
            elif word in ("mod", "dep"):
                module = _module_from_columns(rest)
                if word == "mod":
                    main = module
                else:
                    deps.append(module)
                last = [module]
            elif word == "=>":
                if not last:
                    raise ValueError("replacement without a module")
                replaced = Module(last[0].path, last[0].version, "", _module_from_columns(rest))
                if main is last[0]:
                    main = replaced
                else:
                    deps[-1] = replaced
                last = []
            elif word == "build":
                settings.append(_setting_from_text(rest))
            elif not rest and (header := _VERSION_HEADER.match(line)):
                go_version = header.group(1)
            # other lines are skipped, as the go command does, so that newer kinds do not break us
        except ValueError as exc:
            raise ValueError(f"cannot parse Go build info line {number} {raw!r}: {exc}") from None
    return BuildInfo(go_version, path, main, tuple(deps), tuple(settings))


def _module_from_columns(text: str) -> Module:
    columns = text.split("\t")
    if len(columns) not in (2, 3):
        raise ValueError(f"expected 2 or 3 tab-separated columns, got {len(columns)}")
    return Module(columns[0], columns[1], columns[2] if len(columns) == 3 else "")


def _setting_from_text(text: str) -> tuple[str, str]:
    if text.startswith('"'):
        end = text.find('"=', 1)
        while end > 0 and text[end - 1] == "\\" and not text[:end].endswith("\\\\"):
            end = text.find('"=', end + 1)
        if end < 0:
            raise ValueError("unterminated quoted key")
        key, raw_value = _go_unquote(text[: end + 1]), text[end + 2 :]
    else:
        key, eq, raw_value = text.partition("=")
        if not eq:
            raise ValueError("build setting without '='")
    value = _go_unquote(raw_value) if raw_value[:1] in ('"', "`") else raw_value
    return key, value


# ---------------------------------------------------------------------------------------------------
# Executable formats
# ---------------------------------------------------------------------------------------------------

# ELF e_machine -> GOARCH (mips, mips64 and ppc64 also depend on byte order).
_ELF_MACHINES = {3: "386", 62: "amd64", 40: "arm", 183: "arm64", 22: "s390x", 243: "riscv64", 258: "loong64"}
_ELF_BY_ORDER = {(8, "<", 32): "mipsle", (8, ">", 32): "mips", (8, "<", 64): "mips64le",
                 (8, ">", 64): "mips64", (21, "<", 64): "ppc64le", (21, ">", 64): "ppc64"}  # fmt: skip
_MACHO_CPUS = {7: "386", 0x01000007: "amd64", 12: "arm", 0x0100000C: "arm64", 0x01000012: "ppc64"}
_MACHO_PLATFORMS = {2: "ios", 7: "ios"}  # iOS and its simulator; macOS and the rest map to darwin
_PE_MACHINES = {0x14C: "386", 0x8664: "amd64", 0x1C0: "arm", 0x1C4: "arm", 0xAA64: "arm64"}
_ELF_OSABI = {9: "freebsd", 12: "openbsd", 2: "netbsd", 6: "solaris"}
_ELF_NOTE_OS = {".note.netbsd.ident": "netbsd", ".note.openbsd.ident": "openbsd",
                ".note.android.ident": "android", ".note.tag": "freebsd"}  # fmt: skip


@dataclass(frozen=True)
class _Range:
    """A named piece of the file mapped at a virtual address (a segment or a section)."""

    name: str
    addr: int
    offset: int
    size: int  # bytes present in the file
    flags: int = 0


@dataclass
class _Image:
    """The parsed headers of one executable: what the public functions need, nothing more."""

    data: bytes
    format: str
    order: str  # struct byte order: "<" or ">"
    bits: int
    goarch: str
    goos: str
    segments: list[_Range] = field(default_factory=list)
    sections: list[_Range] = field(default_factory=list)
    interpreter: str | None = None
    needed: list[str] = field(default_factory=list)
    buildinfo_range: _Range | None = None

    def section(self, *names: str) -> _Range | None:
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


def _cstring(data: bytes, offset: int, limit: int | None = None) -> str:
    """The NUL-terminated string at ``offset`` (ending at ``limit`` at the latest)."""
    limit = len(data) if limit is None else min(limit, len(data))
    end = data.find(b"\0", offset, limit)
    return data[offset : end if end >= 0 else limit].decode("utf-8", errors="replace")


def _unpack(fmt: str, data: bytes, offset: int) -> tuple[int, ...]:
    try:
        return struct.unpack_from(fmt, data, offset)
    except (struct.error, OverflowError):
        raise BinaryFormatError(f"truncated header at offset {offset:#x}") from None


def _parse_elf(data: bytes) -> _Image:
    klass, encoding, osabi = data[4], data[5], data[7]
    if klass not in (1, 2) or encoding not in (1, 2):
        raise BinaryFormatError(f"ELF header has an invalid class {klass} or data encoding {encoding}")
    bits, order = (32 if klass == 1 else 64), ("<" if encoding == 1 else ">")
    (machine,) = _unpack(order + "H", data, 18)
    if bits == 64:
        phoff, shoff = _unpack(order + "QQ", data, 32)
        phentsize, phnum, shentsize, shnum, shstrndx = _unpack(order + "HHHHH", data, 54)
    else:
        phoff, shoff = _unpack(order + "II", data, 28)
        phentsize, phnum, shentsize, shnum, shstrndx = _unpack(order + "HHHHH", data, 42)
    goarch = _ELF_MACHINES.get(machine) or _ELF_BY_ORDER.get((machine, order, bits), f"elf-machine-{machine}")
    image = _Image(data, "elf", order, bits, goarch, "linux")

    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        at = phoff + i * phentsize
        if bits == 64:
            ptype, _pflags, offset, vaddr, _paddr, filesz = _unpack(order + "IIQQQQ", data, at)
        else:
            ptype, offset, vaddr, _paddr, filesz = _unpack(order + "IIIII", data, at)
        if ptype == 1:  # PT_LOAD
            image.segments.append(_Range("load", vaddr, offset, filesz))
        elif ptype == 2:  # PT_DYNAMIC
            dynamic = (offset, filesz)
        elif ptype == 3:  # PT_INTERP
            image.interpreter = data[offset : offset + filesz].rstrip(b"\0").decode("utf-8", "replace")

    raw_sections = []
    for i in range(shnum if shoff else 0):
        at = shoff + i * shentsize
        if bits == 64:
            name, stype, flags, addr, offset, size = _unpack(order + "IIQQQQ", data, at)
        else:
            name, stype, flags, addr, offset, size = _unpack(order + "IIIIII", data, at)
        raw_sections.append((name, stype, flags, addr, offset, 0 if stype == 8 else size))  # 8: NOBITS
    if raw_sections and shstrndx < len(raw_sections):
        names_offset = raw_sections[shstrndx][4]
        for name, _stype, flags, addr, offset, size in raw_sections:
            image.sections.append(_Range(_cstring(data, names_offset + name), addr, offset, size, flags))
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


def _elf_needed(image: _Image, offset: int, size: int) -> list[str]:
    word = "Q" if image.bits == 64 else "I"
    entry = struct.calcsize(image.order + word * 2)
    needed_offsets, strtab = [], None
    for at in range(offset, offset + size - entry + 1, entry):
        tag, value = _unpack(image.order + word * 2, image.data, at)
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


def _parse_macho(data: bytes) -> _Image:
    magic_le = int.from_bytes(data[:4], "little")
    if magic_le in (0xFEEDFACE, 0xFEEDFACF):
        order = "<"
    elif int.from_bytes(data[:4], "big") in (0xFEEDFACE, 0xFEEDFACF):
        order = ">"
    else:
        raise BinaryFormatError("not a Mach-O file")
    (magic,) = _unpack(order + "I", data, 0)
    bits = 64 if magic == 0xFEEDFACF else 32
    cputype, _sub, _filetype, ncmds, _size, _flags = _unpack(order + "iiIIII", data, 4)
    goarch = _MACHO_CPUS.get(cputype & 0xFFFFFFFF, f"macho-cpu-{cputype:#x}")
    image = _Image(data, "macho", order, bits, goarch, "darwin")
    at = 32 if bits == 64 else 28
    for _ in range(ncmds):
        cmd, cmdsize = _unpack(order + "II", data, at)
        if cmdsize < 8:
            raise BinaryFormatError(f"Mach-O load command at {at:#x} has an invalid size {cmdsize}")
        if cmd in (0x19, 0x1):  # LC_SEGMENT_64, LC_SEGMENT
            _macho_segment(image, at, cmd == 0x19)
        elif cmd in (0xC, 0x18 | 0x80000000, 0x1F | 0x80000000, 0x20, 0x23 | 0x80000000):
            (name_offset,) = _unpack(order + "I", data, at + 8)  # LC_LOAD_DYLIB and its variants
            image.needed.append(_cstring(data, at + name_offset, at + cmdsize))
        elif cmd == 0xE:  # LC_LOAD_DYLINKER
            (name_offset,) = _unpack(order + "I", data, at + 8)
            image.interpreter = _cstring(data, at + name_offset, at + cmdsize)
        elif cmd == 0x32:  # LC_BUILD_VERSION
            (platform,) = _unpack(order + "I", data, at + 8)
            image.goos = _MACHO_PLATFORMS.get(platform, "darwin")
        at += cmdsize
    image.buildinfo_range = image.section("__go_buildinfo")
    return image


def _macho_segment(image: _Image, at: int, is64: bool) -> None:
    order, data = image.order, image.data
    segname = data[at + 8 : at + 24].rstrip(b"\0").decode("ascii", "replace")
    if is64:
        vmaddr, _vmsize, fileoff, filesize = _unpack(order + "QQQQ", data, at + 24)
        (nsects,) = _unpack(order + "I", data, at + 64)
        first, sect_size, fmt = at + 72, 80, order + "QQI"
    else:
        vmaddr, _vmsize, fileoff, filesize = _unpack(order + "IIII", data, at + 24)
        (nsects,) = _unpack(order + "I", data, at + 48)
        first, sect_size, fmt = at + 56, 68, order + "III"
    if segname != "__PAGEZERO":
        image.segments.append(_Range(segname, vmaddr, fileoff, filesize))
    for i in range(nsects):
        s = first + i * sect_size
        name = data[s : s + 16].rstrip(b"\0").decode("ascii", "replace")
        addr, size, offset = _unpack(fmt, data, s + 32)
        image.sections.append(_Range(name, addr, offset, size if offset else 0))


def _parse_pe(data: bytes) -> _Image:
    (pe_offset,) = _unpack("<I", data, 0x3C)
    if data[pe_offset : pe_offset + 4] != b"PE\0\0":
        raise BinaryFormatError("MZ file without a PE signature (a DOS program?)")
    machine, nsections, _time, symtab, nsyms, opt_size, _chars = _unpack("<HHIIIHH", data, pe_offset + 4)
    opt = pe_offset + 24
    (opt_magic,) = _unpack("<H", data, opt)
    if opt_magic == 0x20B:
        (image_base,) = _unpack("<Q", data, opt + 24)
        bits, dirs_at = 64, opt + 112
    elif opt_magic == 0x10B:
        (image_base,) = _unpack("<I", data, opt + 28)
        bits, dirs_at = 32, opt + 96
    else:
        raise BinaryFormatError(f"PE optional header has an unknown magic {opt_magic:#x}")
    (ndirs,) = _unpack("<I", data, dirs_at - 4)
    image = _Image(data, "pe", "<", bits, _PE_MACHINES.get(machine, f"pe-machine-{machine:#x}"), "windows")
    strtab = symtab + nsyms * 18
    for i in range(nsections):
        s = opt + opt_size + i * 40
        raw_name = data[s : s + 8].rstrip(b"\0").decode("ascii", "replace")
        if raw_name.startswith("/") and raw_name[1:].isdigit() and symtab:
            raw_name = _cstring(data, strtab + int(raw_name[1:]))
        vsize, vaddr, rawsize, rawptr = _unpack("<IIII", data, s + 8)
        (chars,) = _unpack("<I", data, s + 36)
        image.sections.append(_Range(raw_name, image_base + vaddr, rawptr, min(vsize or rawsize, rawsize), chars))
    # Go puts build info at the start of the first initialized, writable data section (.data).
    wanted = 0x40 | 0x40000000 | 0x80000000
    for section in image.sections:
        if section.addr != image_base and section.size and section.flags & ~0x600000 == wanted:
            image.buildinfo_range = section
            break
    if ndirs > 1:
        import_rva, import_size = _unpack("<II", data, dirs_at + 8)
        if import_rva and import_size:
            image.needed = _pe_imports(image, image_base + import_rva, image_base)
    return image


def _pe_imports(image: _Image, addr: int, image_base: int) -> list[str]:
    names: list[str] = []
    while True:
        descriptor = image.read(addr, 20)
        if len(descriptor) < 20 or descriptor == bytes(20):
            return names
        (name_rva,) = struct.unpack_from("<I", descriptor, 12)
        names.append(image.read(image_base + name_rva, 512).split(b"\0", 1)[0].decode("ascii", "replace"))
        addr += 20


def _parse_image(data: bytes, path: StrPath) -> _Image:
    try:
        if data[:4] == b"\x7fELF":
            return _parse_elf(data)
        if data[:2] == b"MZ":
            return _parse_pe(data)
        if data[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
            return _parse_macho(data)
        if data[:4] == b"\xca\xfe\xba\xbe":
            nfat, _cpu, _sub, offset, size = _unpack(">IiiII", data, 4)
            if 0 < nfat < 32:  # Java class files share the magic but have a large version here
                return _parse_macho(data[offset : offset + size])
    except (BinaryFormatError, IndexError) as exc:
        raise BinaryFormatError(f"{path}: cannot read executable headers: {exc}") from None
    raise BinaryFormatError(
        f"{path}: not an ELF, Mach-O or PE executable (starts with {data[:8]!r}); "
        "pass the path of a file built by 'go build'"
    )


# ---------------------------------------------------------------------------------------------------
# Build info blob
# ---------------------------------------------------------------------------------------------------

_BUILDINFO_MAGIC = b"\xff Go buildinf:"
_BUILDINFO_HEADER = 32


def _uvarint(data: bytes, offset: int) -> tuple[int, int]:
    value = shift = 0
    for i in range(offset, min(offset + 10, len(data))):
        value |= (data[i] & 0x7F) << shift
        if data[i] < 0x80:
            return value, i + 1
        shift += 7
    raise NotAGoBinary("build info holds a malformed length")


def _raw_build_info(image: _Image, path: StrPath) -> tuple[str, str]:
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


def _read_go_string(image: _Image, fmt: str, addr: int) -> str:
    pointer, length = struct.unpack(fmt, image.read(addr, struct.calcsize(fmt)).ljust(struct.calcsize(fmt), b"\0"))
    return image.read(pointer, length).decode("utf-8", "replace") if length else ""


# ---------------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoBinary:
    """What an executable says about itself: format, target, linking and the Go build info."""

    path: Path
    format: str  # "elf", "macho" or "pe"
    goos: str
    goarch: str
    bits: int
    byte_order: str  # "little" or "big"
    interpreter: str | None
    needed: tuple[str, ...]
    build_info: BuildInfo | None

    @property
    def static(self) -> bool:
        """True when the file needs no dynamic loader and no shared library."""
        return self.interpreter is None and not self.needed

    @property
    def target(self) -> str:
        """``GOOS/GOARCH`` as seen in the file's headers."""
        return f"{self.goos}/{self.goarch}"

    def describe(self) -> str:
        """A short multi-line summary, the way failure messages show a binary."""
        linking = "statically linked" if self.static else "dynamically linked"
        kind = f"{self.format.upper()} {self.bits}-bit {self.byte_order}-endian"
        lines = [f"{self.path}: {kind} {self.target}, {linking}"]
        if self.interpreter:
            lines.append(f"  interpreter: {self.interpreter}")
        if self.needed:
            lines.append(f"  needs: {', '.join(self.needed)}")
        if self.build_info is None:
            lines.append("  no Go build info")
        else:
            lines.extend("  " + line for line in str(self.build_info).splitlines() if "DefaultGODEBUG" not in line)
        return "\n".join(lines)


def _load(path: StrPath) -> tuple[Path, _Image]:
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise BinaryFormatError(f"{file}: no such file (did the build write its output elsewhere? see -o)") from None
    except IsADirectoryError:
        raise BinaryFormatError(f"{file}: is a directory, not an executable") from None
    return file, _parse_image(data, file)


def read_binary(path: StrPath) -> GoBinary:
    """Read an ELF, Mach-O or PE file; ``build_info`` is None if it was not built by the go command."""
    file, image = _load(path)
    try:
        build_info: BuildInfo | None = _decode_build_info(image, file)
    except NotAGoBinary:
        build_info = None
    goos = image.goos
    if build_info is not None and build_info.goos and _same_family(image.format, build_info.goos):
        goos = build_info.goos  # exact where the headers are ambiguous (android, illumos, ios)
    return GoBinary(
        path=file,
        format=image.format,
        goos=goos,
        goarch=image.goarch,
        bits=image.bits,
        byte_order="little" if image.order == "<" else "big",
        interpreter=image.interpreter,
        needed=tuple(image.needed),
        build_info=build_info,
    )


def _same_family(fmt: str, goos: str) -> bool:
    if fmt == "pe":
        return goos == "windows"
    if fmt == "macho":
        return goos in ("darwin", "ios")
    return goos not in ("windows", "darwin", "ios")


def read_build_info(path: StrPath) -> BuildInfo:
    """The build info embedded by the go command (what ``go version -m`` shows); raises NotAGoBinary."""
    file, image = _load(path)
    return _decode_build_info(image, file)


def _decode_build_info(image: _Image, file: Path) -> BuildInfo:
    version, modinfo = _raw_build_info(image, file)
    try:
        return parse_build_info(modinfo, version)
    except ValueError as exc:
        raise BinaryFormatError(f"{file}: corrupt Go build info: {exc}") from None


# pclntab magics: Go 1.16-1.17, 1.18-1.19, 1.20 and later.
_PCLNTAB_MAGICS = {0xFFFFFFFA: 1.16, 0xFFFFFFF0: 1.18, 0xFFFFFFF1: 1.20}


def recorded_files(path: StrPath) -> tuple[str, ...]:
    """The source file paths in the binary's line table (what stack traces print), in table order.

    Without ``-trimpath`` these are absolute paths into GOROOT and the module directories; with it,
    ``runtime/proc.go`` and ``example.com/m/main.go``.  Raises NotAGoBinary if no table is found.
    """
    file, image = _load(path)
    section = image.section(".gopclntab", "__gopclntab")
    # PE files have no pclntab section: find the table by its header.
    candidates = iter([section.offset]) if section is not None and section.size else _pclntab_candidates(image.data)
    for offset in candidates:
        files = _pclntab_files(image.data, offset)
        if files is not None:
            return files
    raise NotAGoBinary(f"{file}: no Go line table (pclntab) of Go 1.16 or later found")


def _pclntab_candidates(data: bytes) -> Iterator[int]:
    pattern = re.compile(rb"(?:\xfa|\xf0|\xf1)\xff\xff\xff\0\0[\x01\x02\x04][\x04\x08]")
    for match in pattern.finditer(data):
        yield match.start()


def _pclntab_files(data: bytes, offset: int) -> tuple[str, ...] | None:
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


def find_strings(path: StrPath, needle: str) -> tuple[str, ...]:
    """Path-like strings in the file (and its compressed ELF debug sections) that contain ``needle``.

    Each hit is widened over the characters of file paths (Go packs strings without separators,
    so a hit can run into a neighbour); a needle that starts with ``/`` or ``\\`` is not widened
    to the left.  Use it to check that ``-trimpath`` left no trace of a GOROOT or a work directory.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise BinaryFormatError(f"{file}: cannot read: {exc.strerror}") from None
    blobs = [data]
    if data[:4] == b"\x7fELF":
        blobs.extend(_elf_decompressed_sections(_parse_image(data, file)))
    encoded = needle.encode()
    widen_left = not needle.startswith(("/", "\\"))
    found: dict[str, None] = {}
    for blob in blobs:
        at = blob.find(encoded)
        while at >= 0:
            start, end = at, at + len(encoded)
            while widen_left and start > 0 and blob[start - 1] in _PATH_BYTES:
                start -= 1
            while end < len(blob) and blob[end] in _PATH_BYTES:
                end += 1
            found.setdefault(blob[start:end].decode("ascii", "replace"), None)
            at = blob.find(encoded, end)
    return tuple(found)


_PATH_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/\\._-+@~:")


def _elf_decompressed_sections(image: _Image) -> Iterator[bytes]:
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
