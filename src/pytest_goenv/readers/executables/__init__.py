"""Read Go executables in pure Python: target, linking, embedded build info and recorded paths.

ELF, Mach-O (thin and universal) and PE files are parsed from their headers, so tests need neither
``file`` nor ``ldd`` nor a working ``go version -m``; the build info blob that the go command embeds
(``\\xff Go buildinf:``) is decoded in both its pointer form (Go < 1.18) and its inline form.

The package holds one module per job: :mod:`.buildinfo` (the text format), :mod:`.binary` (the
public readers), and private parsers per executable format, for the blob and for the line table.

>>> from pytest_goenv.readers.executables import read_binary
>>> binary = read_binary("bin/hello")  # doctest: +SKIP
>>> binary.target, binary.static, binary.build_info.main.path  # doctest: +SKIP
('linux/amd64', True, 'example.com/hello')
"""

from __future__ import annotations

from pytest_goenv.readers.executables.binary import GoBinary, find_strings, read_binary, read_build_info, recorded_files
from pytest_goenv.readers.executables.buildinfo import BuildInfo, Module, parse_build_info
from pytest_goenv.readers.executables.errors import BinaryFormatError, NotAGoBinary

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
