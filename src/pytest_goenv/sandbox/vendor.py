"""Vendoring: run ``go mod vendor`` and check that vendor/modules.txt agrees with go.mod.

vendor/modules.txt lists each vendored module as ``# path version [=> replacement [version]]``,
followed by ``## explicit; go 1.21``-style annotations and the packages copied. The go command refuses
a vendor directory that disagrees with go.mod ("inconsistent vendoring"); :func:`vendor_problems`
says precisely which line disagrees, so a test can assert on it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.sandbox.goenv import GoEnv

__all__ = [
    "VendorError",
    "VendoredModule",
    "check_vendor",
    "parse_modules_txt",
    "vendor_module",
    "vendor_problems",
]


class VendorError(GoenvError, ValueError):
    """vendor/modules.txt disagrees with go.mod, or is malformed."""


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
    """Parse vendor/modules.txt; raise VendorError naming a line that fits no known form."""
    entries: list[VendoredModule] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            if not entries:
                raise VendorError(f"modules.txt:{lineno}: annotation {line!r} before any '# module' line")
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
                raise VendorError(f"modules.txt:{lineno}: cannot read module line {line!r}")
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
            raise VendorError(f"modules.txt:{lineno}: cannot read line {line!r}")
        if not entries:
            raise VendorError(f"modules.txt:{lineno}: package {line!r} before any '# module' line")
        entries[-1].packages.append(line)
    return entries


def _module_dir(goenv: GoEnv, module_dir: str | os.PathLike[str]) -> Path:
    """``module_dir`` as an absolute path; a relative one is taken from the sandbox's work directory."""
    directory = Path(module_dir)
    return directory if directory.is_absolute() else goenv.workdir / directory


def _go_mod_json(goenv: GoEnv, module_dir: Path) -> dict[str, Any]:
    result = goenv.run("mod", "edit", "-json", cwd=module_dir)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def vendor_problems(goenv: GoEnv, module_dir: str | os.PathLike[str]) -> list[str]:
    """Each way vendor/modules.txt disagrees with the module's go.mod (requirements and replacements)."""
    directory = _module_dir(goenv, module_dir)
    txt = directory / "vendor" / "modules.txt"
    if not txt.is_file():
        return [f"{txt} does not exist; run 'go mod vendor'"]
    entries = parse_modules_txt(txt.read_text())
    gomod = _go_mod_json(goenv, directory)
    problems: list[str] = []
    listed = {e.path: e for e in entries if e.version is not None}
    for req in gomod.get("Require") or []:
        path, version = req["Path"], req["Version"]
        entry = listed.get(path)
        if entry is None:
            problems.append(f"{path} {version} is required in go.mod but not listed in vendor/modules.txt")
        elif entry.version != version:
            problems.append(f"{path}: go.mod requires {version}, vendor/modules.txt lists {entry.version}")
        elif not entry.explicit:
            problems.append(f"{path} {version} is required in go.mod but not marked '## explicit'")
    required = {req["Path"] for req in gomod.get("Require") or []}
    for entry in entries:
        if entry.explicit and entry.version is not None and entry.path not in required:
            problems.append(f"{entry.path} {entry.version} is marked explicit in vendor/modules.txt but not in go.mod")
    for rep in gomod.get("Replace") or []:
        old, new = rep["Old"], rep["New"]
        matches = [e for e in entries if e.path == old["Path"] and e.replacement is not None]
        want = (new["Path"], new.get("Version"))
        if not any((e.replacement, e.replacement_version) == want for e in matches):
            target = " ".join(v for v in want if v)
            problems.append(f"go.mod replaces {old['Path']} => {target}; vendor/modules.txt does not")
    return problems


def check_vendor(goenv: GoEnv, module_dir: str | os.PathLike[str]) -> None:
    """Raise VendorError listing every way vendor/modules.txt disagrees with go.mod."""
    problems = vendor_problems(goenv, module_dir)
    if problems:
        raise VendorError("vendor/modules.txt disagrees with go.mod:\n  " + "\n  ".join(problems))


def vendor_module(goenv: GoEnv, module_dir: str | os.PathLike[str], *, check: bool = True) -> list[VendoredModule]:
    """Run ``go mod vendor`` in ``module_dir`` and return the parsed vendor/modules.txt ([] with no dependencies).

    With ``check`` a disagreement with go.mod raises VendorError (see :func:`check_vendor`).
    """
    directory = _module_dir(goenv, module_dir)
    goenv.run("mod", "vendor", cwd=directory)
    txt = directory / "vendor" / "modules.txt"
    if not txt.is_file() and not (_go_mod_json(goenv, directory).get("Require") or []):
        return []
    if check:
        check_vendor(goenv, directory)
    return parse_modules_txt(txt.read_text())
