"""File trees written from mappings: names stay below their directory, content is bytes or UTF-8 text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_goenv.base.filetree import UnsafeFileName, as_bytes, resolve_inside, write_tree


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("/etc/passwd", "file name '/etc/passwd' is absolute; use a relative path"),
        ("../x", "file name '../x' escapes the destination with '..'"),
        ("a/../../x", "escapes the destination"),
        ("a/b/../c/..", "escapes the destination"),  # any '..' is refused, even one that stays inside
    ],
)
def test_resolve_inside_refuses_names_that_leave_the_directory(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(UnsafeFileName, match=message) as info:
        resolve_inside(tmp_path, name)
    assert info.value.name == name
    assert isinstance(info.value, ValueError)


def test_resolve_inside_joins_relative_names(tmp_path: Path) -> None:
    assert resolve_inside(tmp_path, "a/b.go") == tmp_path / "a" / "b.go"
    assert resolve_inside(tmp_path, "./a//b.go") == tmp_path / "a" / "b.go"
    assert resolve_inside(tmp_path, ".") == tmp_path


def test_write_tree_writes_text_as_utf8_and_bytes_as_is(tmp_path: Path) -> None:
    written = write_tree(tmp_path / "new", {"a/b/c.go": "// héllo\n", "d.bin": b"\x00\xff"})
    assert written == [tmp_path / "new" / "a" / "b" / "c.go", tmp_path / "new" / "d.bin"]
    assert written[0].read_bytes() == "// héllo\n".encode()
    assert written[1].read_bytes() == b"\x00\xff"


def test_write_tree_checks_every_name_before_writing(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFileName, match=r"'\.\./evil'"):
        write_tree(tmp_path / "dest", {"good.txt": "x", "../evil": "y"})
    assert not (tmp_path / "dest").exists()
    assert not (tmp_path / "evil").exists()


def test_as_bytes() -> None:
    assert as_bytes("é") == b"\xc3\xa9"
    assert as_bytes(b"\x80") == b"\x80"
