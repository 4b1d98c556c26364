"""File trees written from mappings: names stay below their directory, content is bytes or UTF-8 text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_goenv.base.filetree import (
    LinkLeavesTree,
    UnsafeFileName,
    as_bytes,
    make_dirs,
    refuse_outward_links,
    remove_tree,
    resolve_inside,
    write_tree,
)


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


def test_write_tree_refuses_a_link_out_before_writing_anything(tmp_path: Path) -> None:
    base, host = tmp_path / "base", tmp_path / "host"
    base.mkdir()
    host.mkdir()
    (base / "out").symlink_to(host)
    with pytest.raises(LinkLeavesTree) as caught:
        write_tree(base, {"first.txt": "x", "out/second.txt": "y"})
    assert (caught.value.link, caught.value.target) == (base / "out", str(host))
    assert sorted(p.name for p in base.iterdir()) == ["out"]
    assert list(host.iterdir()) == []


def test_a_link_chain_that_ends_outside_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "base"
    (base / "real").mkdir(parents=True)
    (base / "inner").symlink_to(base / "real")
    (base / "real" / "up").symlink_to(tmp_path)  # inside base, but naming its parent
    refuse_outward_links(base / "inner" / "x", base)
    with pytest.raises(LinkLeavesTree, match="up is a symlink to"):
        refuse_outward_links(base / "inner" / "up" / "x", base)


def test_make_dirs_refuses_a_path_outside(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFileName, match="is not inside"):
        make_dirs(tmp_path / "elsewhere", tmp_path / "base")
    assert make_dirs(tmp_path / "base" / "a" / "b", tmp_path / "base").is_dir()


def test_remove_tree_removes_read_only_trees_and_links_without_following(tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "precious").write_text("stays")
    tree = tmp_path / "tree"
    (tree / "mod" / "pkg").mkdir(parents=True)
    (tree / "mod" / "pkg" / "f.go").write_text("package pkg\n")
    (tree / "link").symlink_to(keep)
    for directory in (tree / "mod" / "pkg", tree / "mod"):
        directory.chmod(0o555)  # as Go's module cache leaves it
    remove_tree(tree)
    assert not tree.exists()
    assert (keep / "precious").read_text() == "stays"
    remove_tree(tree)  # nothing there: nothing to do
