"""The public readers of executables: :class:`GoBinary` (format, target, linking, build info),
the build info alone, the source files the line table records, and path-like strings in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Literal

from pytest_goenv.base.exeformat import HEAD_SIZE, ExecutableFormat, detect_format
from pytest_goenv.readers.executables._blob import raw_build_info
from pytest_goenv.readers.executables._elf import elf_decompressed_sections, parse_elf
from pytest_goenv.readers.executables._image import Image
from pytest_goenv.readers.executables._macho import parse_macho
from pytest_goenv.readers.executables._pclntab import pclntab_candidates, pclntab_files
from pytest_goenv.readers.executables._pe import parse_pe
from pytest_goenv.readers.executables.buildinfo import BuildInfo, parse_build_info
from pytest_goenv.readers.executables.errors import BinaryFormatError, NotAGoBinary

__all__ = ["GoBinary", "find_strings", "read_binary", "read_build_info", "recorded_files"]

StrPath = str | PathLike[str]


_PARSERS: dict[ExecutableFormat, Callable[[bytes], Image]] = {"elf": parse_elf, "macho": parse_macho, "pe": parse_pe}


def _parse_image(data: bytes, path: StrPath) -> Image:
    """The headers of ``data``, the contents of the file at ``path``."""
    kind = detect_format(data[:HEAD_SIZE])
    if kind is None:
        raise BinaryFormatError(
            f"{path}: not an ELF, Mach-O or PE executable (starts with {data[:8]!r}); "
            "pass the path of a file built by 'go build'"
        )
    try:
        return _PARSERS[kind](data)
    except (BinaryFormatError, IndexError) as exc:
        raise BinaryFormatError(f"{path}: cannot read executable headers: {exc}") from None


@dataclass(frozen=True)
class GoBinary:
    """What an executable says about itself: format, target, linking and the Go build info."""

    path: Path
    format: ExecutableFormat
    goos: str
    goarch: str
    bits: int
    byte_order: Literal["little", "big"]
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


def _load(path: StrPath) -> tuple[Path, Image]:
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


def _same_family(fmt: ExecutableFormat, goos: str) -> bool:
    if fmt == "pe":
        return goos == "windows"
    if fmt == "macho":
        return goos in ("darwin", "ios")
    return goos not in ("windows", "darwin", "ios")


def read_build_info(path: StrPath) -> BuildInfo:
    """The build info embedded by the go command (what ``go version -m`` shows); raises NotAGoBinary."""
    file, image = _load(path)
    return _decode_build_info(image, file)


def _decode_build_info(image: Image, file: Path) -> BuildInfo:
    version, modinfo = raw_build_info(image, file)
    try:
        return parse_build_info(modinfo, version)
    except ValueError as exc:
        raise BinaryFormatError(f"{file}: corrupt Go build info: {exc}") from None


def recorded_files(path: StrPath) -> tuple[str, ...]:
    """The source file paths in the binary's line table (what stack traces print), in table order.

    Without ``-trimpath`` these are absolute paths into GOROOT and the module directories; with it,
    ``runtime/proc.go`` and ``example.com/m/main.go``.  Raises NotAGoBinary if no table is found.
    """
    file, image = _load(path)
    section = image.section(".gopclntab", "__gopclntab")
    # PE files have no pclntab section: find the table by its header.
    candidates = iter([section.offset]) if section is not None and section.size else pclntab_candidates(image.data)
    for offset in candidates:
        files = pclntab_files(image.data, offset)
        if files is not None:
            return files
    raise NotAGoBinary(f"{file}: no Go line table (pclntab) of Go 1.16 or later found")


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
    if detect_format(data[:HEAD_SIZE]) == "elf":
        blobs.extend(elf_decompressed_sections(_parse_image(data, file)))
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
