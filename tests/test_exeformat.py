"""The one executable-format detection, on the real go binary and on files that are not executables."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pytest_goenv.base.exeformat import detect_format, file_format
from pytest_goenv.toolchains.toolchain import GoToolchain


def test_the_go_binary_is_recognised(go_toolchain: GoToolchain) -> None:
    expected = {"linux": "elf", "darwin": "macho", "windows": "pe"}.get(go_toolchain.goos, "elf")
    assert file_format(go_toolchain.go) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x7fELF\x02\x01\x01\x00", "elf"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "pe"),
        (b"\xcf\xfa\xed\xfe\x0c\x00\x00\x01", "macho"),
        (b"\xfe\xed\xfa\xce\x00\x00\x00\x07", "macho"),
        (b"\xca\xfe\xba\xbe" + struct.pack(">I", 2), "macho"),  # a universal file with two slices
        (b"\xca\xfe\xba\xbe" + struct.pack(">I", 52 << 16), None),  # a Java class file: same magic
        (b"#!/bin/sh\n", None),
        (b"", None),
    ],
)
def test_detect_format(head: bytes, expected: str | None) -> None:
    assert detect_format(head) == expected


def test_a_script_is_no_executable(tmp_path: Path) -> None:
    script = tmp_path / "go"
    script.write_text('#!/bin/sh\nexec go "$@"\n')
    assert file_format(script) is None
    with pytest.raises(FileNotFoundError):
        file_format(tmp_path / "missing")
