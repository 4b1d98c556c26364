"""Update mode: rewrite, inside a script file, the archive files that ``cmp`` found different.

With updating on, ``cmp ACTUAL EXPECTED`` where EXPECTED is one of the archive's files succeeds
and records the actual text; once the script has passed, :func:`apply_updates` puts each recorded
text in place of that file's content in the script file.  Only those files' bodies change: the
comment, the other files and every marker line are kept byte for byte.

Example::

    changed = apply_updates(Path("testdata/hello.txtar"), archive, written, result.compared)
    # ['want.txt']
"""

from __future__ import annotations

from pathlib import Path

from pytest_goenv.base.filetree import replace_file
from pytest_goenv.modules import txtar

__all__ = ["apply_updates", "replace_bodies"]


def replace_bodies(data: bytes, archive: txtar.Archive, new: dict[str, bytes]) -> bytes:
    """``data`` (the archive's bytes) with the bodies of the files named in ``new`` replaced."""
    lines = data.split(b"\n")
    markers = sorted(entry.line for entry in archive.files)
    by_line = {entry.line: entry.name for entry in archive.files}
    out: list[bytes] = list(lines[: markers[0] - 1]) if markers else list(lines)
    for index, marker in enumerate(markers):
        end = markers[index + 1] - 1 if index + 1 < len(markers) else len(lines)
        out.append(lines[marker - 1])
        name = by_line[marker]
        if name in new:
            body = new[name]
            if body and not body.endswith(b"\n"):
                body += b"\n"
            replaced = body.split(b"\n")
            if index + 1 == len(markers):
                out.extend(replaced)
            else:
                out.extend(replaced[:-1])
        else:
            out.extend(lines[marker:end])
    return b"\n".join(out)


def apply_updates(path: Path, archive: txtar.Archive, written: dict[str, Path], compared: dict[str, str]) -> list[str]:
    """Rewrite ``path`` with the compared texts of its archive files; return the names changed."""
    new: dict[str, bytes] = {}
    for name, file_path in written.items():
        text = compared.get(str(file_path))
        entry = archive.get(name)
        if text is not None and entry is not None and entry.data != text.encode():
            new[name] = text.encode()
    if not new:
        return []
    replace_file(path, replace_bodies(path.read_bytes(), archive, new))
    return sorted(new)
