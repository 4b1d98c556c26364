"""vendor/modules.txt: the modules ``go mod vendor`` copied, their replacements, annotations and packages.

Each vendored module is a ``# path version [=> replacement [version]]`` line, followed by
``## explicit; go 1.21``-style annotations and the import paths of the packages copied.

>>> (entry,) = parse_modules_txt("# example.com/lib v1.0.0\\n## explicit; go 1.21\\nexample.com/lib\\n")
>>> entry.path, entry.version, entry.explicit, entry.go, entry.packages
('example.com/lib', 'v1.0.0', True, '1.21', ['example.com/lib'])
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pytest_goenv.base.errors import GoenvError

__all__ = ["ModulesTxtError", "VendoredModule", "parse_modules_txt", "read_modules_txt"]


class ModulesTxtError(GoenvError, ValueError):
    """vendor/modules.txt has a line that fits none of its forms."""


@dataclass
class VendoredModule:
    """One ``# path version`` entry of vendor/modules.txt."""

    path: str
    version: str | None
    replacement: str | None = None
    replacement_version: str | None = None
    explicit: bool = False
    go: str | None = None
    packages: list[str] = field(default_factory=list)


def parse_modules_txt(text: str) -> list[VendoredModule]:
    """The entries of vendor/modules.txt text, in file order.

    :param text: the file's contents.

    Raises :class:`ModulesTxtError` (a ``ValueError``) naming the line that fits no known form.
    """
    entries: list[VendoredModule] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            if not entries:
                raise ModulesTxtError(f"modules.txt:{lineno}: annotation {line!r} before any '# module' line")
            for note in line[3:].split(";"):
                note = note.strip()
                if note == "explicit":
                    entries[-1].explicit = True
                elif note.startswith("go "):
                    entries[-1].go = note[3:].strip()
            continue
        if line.startswith("# "):
            left, arrow, right = line[2:].partition("=>")
            old = left.split()
            new = right.split()
            if not old or len(old) > 2 or (arrow and not 1 <= len(new) <= 2):
                raise ModulesTxtError(f"modules.txt:{lineno}: cannot read module line {line!r}")
            entries.append(
                VendoredModule(
                    path=old[0],
                    version=old[1] if len(old) > 1 else None,
                    replacement=new[0] if new else None,
                    replacement_version=new[1] if len(new) > 1 else None,
                )
            )
            continue
        if line.startswith("#"):
            raise ModulesTxtError(f"modules.txt:{lineno}: cannot read line {line!r}")
        if not entries:
            raise ModulesTxtError(f"modules.txt:{lineno}: package {line!r} before any '# module' line")
        entries[-1].packages.append(line)
    return entries


def read_modules_txt(path: str | os.PathLike[str]) -> list[VendoredModule]:
    """The entries of the vendor/modules.txt file at ``path`` (see :func:`parse_modules_txt`).

    :param path: the file, e.g. ``module_dir / "vendor" / "modules.txt"``.

    Example: ``[e.path for e in read_modules_txt(app / "vendor" / "modules.txt") if e.explicit]``.
    """
    return parse_modules_txt(Path(path).read_text(encoding="utf-8"))
