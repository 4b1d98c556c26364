"""txtar archives: parsing, writing, strict errors with line numbers, safe extraction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_goenv.modules import txtar
from pytest_goenv.sandbox.goenv import GoEnv

SAMPLE = """\
This comment
spans two lines.
-- go.mod --
module example.com/m

go 1.21
-- sub/a.go --
package sub
--   spaced name.txt   --
-- not a marker
last line without newline"""


def test_parse_comment_files_and_marker_lines() -> None:
    archive = txtar.parse(SAMPLE)
    assert archive.comment == b"This comment\nspans two lines.\n"
    assert [(f.name, f.line) for f in archive.files] == [("go.mod", 3), ("sub/a.go", 7), ("spaced name.txt", 9)]
    assert archive.get("go.mod") is not None
    assert archive.files[0].text == "module example.com/m\n\ngo 1.21\n"
    # a line that starts like a marker but does not end like one is content
    assert archive.files[2].data == b"-- not a marker\nlast line without newline"
    assert "sub/a.go" in archive
    assert "missing" not in archive


def test_format_round_trips_and_adds_final_newlines() -> None:
    archive = txtar.parse(SAMPLE)
    text = txtar.format(archive)
    assert text.endswith(b"last line without newline\n")
    again = txtar.parse(text)
    assert again.to_mapping() == {**archive.to_mapping(), "spaced name.txt": archive.files[2].data + b"\n"}
    assert txtar.format(again) == text


def test_from_mapping_and_format() -> None:
    archive = txtar.Archive.from_mapping({"a.txt": "x", "b/c.bin": b"\x00\x01\n"}, comment="note")
    assert txtar.format(archive) == b"note\n-- a.txt --\nx\n-- b/c.bin --\n\x00\x01\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("-- a --\nx\n--  --\ny\n", 3, "empty name"),
        ("c\n-- a.go --\nx\n-- b.go --\n-- a.go --\n", 5, "duplicate file 'a.go' \\(first at line 2\\)"),
        ("-- a.go --\r\npackage a\r\n", 1, "carriage return"),
    ],
)
def test_malformed_archives_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(txtar.TxtarError, match=message) as info:
        txtar.parse(text, source="t.txtar")
    assert info.value.line == line
    assert str(info.value).startswith(f"t.txtar:{line}:")


@pytest.mark.parametrize(
    ("text", "first", "later", "line"),
    [
        ("-- a --\nx\n-- a/b --\ny\n", "'a' (line 1)", "'a/b' (line 3)", 3),
        ("-- a/b --\ny\n-- a --\nx\n", "'a' (line 3)", "'a/b' (line 1)", 3),
        ("-- d/a --\n-- x --\n-- d/a/b/c.go --\n", "'d/a' (line 1)", "'d/a/b/c.go' (line 3)", 3),
        ("-- a/ --\n-- ./a/b --\n", "'a/' (line 1)", "'./a/b' (line 2)", 2),
    ],
    ids=["file-then-dir", "dir-then-file", "deep", "normalised"],
)
def test_a_name_used_as_file_and_directory_is_refused(text: str, first: str, later: str, line: int) -> None:
    with pytest.raises(txtar.TxtarError) as info:
        txtar.parse(text, source="t.txtar")
    assert info.value.line == line
    assert str(info.value) == (
        f"t.txtar:{line}: file {later} needs {first} to be a directory, "
        "but the archive makes it a file; rename one of them"
    )


@pytest.mark.parametrize("alias", ["a//b", "./a/b", "a/./b", "a/b/", "./a//./b/"])
def test_names_that_are_the_same_once_normalised_are_duplicates(alias: str) -> None:
    with pytest.raises(
        txtar.TxtarError, match=rf"line 3: file '{re.escape(alias)}' is the same file as 'a/b' \(first at line 1\)"
    ):
        txtar.parse(f"-- a/b --\nfirst\n-- {alias} --\nsecond\n")
    assert txtar.normalized_name(alias) == "a/b"


def test_extract_checks_archives_built_in_code(tmp_path: Path) -> None:
    """Archives from mappings or File lists skip parse(), so extract() checks names itself, before writing."""
    dest = tmp_path / "out"
    with pytest.raises(txtar.TxtarError, match=r"file 'a//b' is the same file as 'a/b' \(first at an unnumbered"):
        txtar.extract(txtar.Archive.from_mapping({"ok": "", "a/b": "1", "a//b": "2"}), dest)
    with pytest.raises(txtar.TxtarError, match=r"line 7: file 'a/b' \(line 7\) needs 'a' \(line 2\) to be a directory"):
        txtar.extract([txtar.File("a", b"", 2), txtar.File("ok", b""), txtar.File("a/b", b"", 7)], dest)
    assert not dest.exists()


def test_extract_refuses_clashes_with_what_dest_holds(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a file")
    (tmp_path / "d" / "sub").mkdir(parents=True)
    with pytest.raises(
        txtar.TxtarError,
        match=rf"t.txtar:3: file 'a/b' needs {re.escape(str(tmp_path / 'a'))} to be a directory, but a file is there",
    ):
        txtar.extract(txtar.parse("-- ok --\n\n-- a/b --\n", source="t.txtar"), tmp_path)
    with pytest.raises(txtar.TxtarError, match=r"line 1: file 'd/sub' would replace the directory"):
        txtar.extract(txtar.parse("-- d/sub --\n"), tmp_path)
    assert not (tmp_path / "ok").exists()
    assert (tmp_path / "a").read_text() == "a file"


def test_only_newline_ends_a_line_as_in_go() -> None:
    """A lone carriage return is content: 'x\\r-- b --' is one line of file a, as Go's txtar reads it."""
    archive = txtar.parse(b"-- a --\nx\r-- b --\ny\r\n-- c --\nz\x0bw\x0c\n")
    assert archive.to_mapping() == {"a": b"x\r-- b --\ny\r\n", "c": b"z\x0bw\x0c\n"}
    assert txtar.parse("comment\u2028-- d --\n").files == []  # a Unicode line separator is no line break either
    assert txtar.parse(b"").to_mapping() == {}
    assert txtar.parse(b"\n").comment == b"\n"


def test_read_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("-- a --\n-- a --\n")
    with pytest.raises(txtar.TxtarError, match=r"bad\.txt:2: duplicate"):
        txtar.read_file(path)


def test_extract_writes_the_tree(tmp_path: Path) -> None:
    written = txtar.extract(txtar.parse(SAMPLE), tmp_path / "out")
    assert [p.relative_to(tmp_path / "out").as_posix() for p in written] == ["go.mod", "sub/a.go", "spaced name.txt"]
    assert (tmp_path / "out" / "sub" / "a.go").read_text() == "package sub\n"


@pytest.mark.parametrize(("name", "message"), [("/etc/passwd", "absolute"), ("a/../../x", "escapes")])
def test_extract_refuses_escapes_before_writing(tmp_path: Path, name: str, message: str) -> None:
    archive = txtar.parse(f"-- ok.txt --\nfine\n-- {name} --\nbad\n", source="evil.txtar")
    with pytest.raises(txtar.TxtarError, match=f"evil.txtar:3: .*{message}"):
        txtar.extract(archive, tmp_path)
    assert not (tmp_path / "ok.txt").exists()


def test_load_accepts_text_paths_and_archives(tmp_path: Path) -> None:
    path = tmp_path / "a.txtar"
    path.write_text("-- f --\nx\n")
    assert txtar.load(path).to_mapping() == {"f": b"x\n"}
    assert txtar.load(str(path)).source == str(path)
    assert txtar.load("-- f --\ny\n").to_mapping() == {"f": b"y\n"}
    archive = txtar.Archive()
    assert txtar.load(archive) is archive
    with pytest.raises(txtar.TxtarError, match="no such txtar file"):
        txtar.load(str(tmp_path / "missing.txtar"))


def test_reads_cmd_go_module_archives(goenv: GoEnv) -> None:
    """The real archives of cmd/go's test proxy parse into their .mod, .info and zip files."""
    path = goenv.toolchain.goroot / "src/cmd/go/testdata/mod/rsc.io_quote_v1.5.2.txt"
    if not path.is_file():
        pytest.skip(f"{path} is not part of this toolchain")
    archive = txtar.read_file(path)
    assert archive.comment.startswith(b"rsc.io/quote@v1.5.2")
    names = [f.name for f in archive.files]
    assert names[:2] == [".mod", ".info"]
    assert {"go.mod", "quote.go"} <= set(names)


def test_goenv_write_txtar_unpacks_into_the_sandbox(goenv: GoEnv) -> None:
    dest = goenv.write_txtar("-- go.mod --\nmodule example.com/t\n\ngo 1.21\n-- t.go --\npackage t\n", "tree")
    assert dest == goenv.workdir / "tree"
    assert goenv.run("list", "-m", cwd=dest).stdout.strip() == "example.com/t"
    with pytest.raises(txtar.TxtarError, match=r"line 1: file name '\.\./x'"):
        goenv.write_txtar("-- ../x --\n")
