"""The package's layers: every import points down (or within its own layer), and no module is over 600 lines.

Layers, bottom to top: base < toolchains < modules < sandbox < readers < assertions < claims
< behaviour = scripts < plugin; the top-level ``pytest_goenv`` package (the public facade) is
above them all.  Imports are read with :mod:`ast`, so lazy imports inside functions and
``TYPE_CHECKING`` blocks count too.  Run this file alone to see every offending edge.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import pytest_goenv

LAYERS: dict[str, int] = {
    "base": 0,
    "toolchains": 1,
    "modules": 2,
    "sandbox": 3,
    "readers": 4,
    "assertions": 5,
    "claims": 6,
    "behaviour": 7,
    "scripts": 7,
    "plugin": 8,
}
FACADE = max(LAYERS.values()) + 1
MAX_LINES = 600
# Known upward imports, each with its reason; remove an entry once it no longer applies.
KNOWN_UPWARD = {
    # the behaviour suite's conftest switches on the plugin's experiment machinery where it is collected
    ("pytest_goenv.behaviour.conftest", "pytest_goenv.plugin.behaviour"),
}
PACKAGE = Path(pytest_goenv.__file__).parent


@dataclass(frozen=True)
class Edge:
    """One import: the importing module, the imported one and where."""

    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return (
            f"{self.source} ({layer_name(self.source)}) -> {self.target} ({layer_name(self.target)}), line {self.line}"
        )


def module_name(path: Path, root: Path) -> str:
    """The dotted name of the module file ``path`` of the package at ``root``."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_name(module: str) -> str:
    """The layer a dotted module name belongs to (``<facade>`` for the top-level package)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<facade>"


def layer_rank(module: str) -> int:
    """The height of a module's layer; a subpackage outside the table is a ValueError."""
    name = layer_name(module)
    if name == "<facade>":
        return FACADE
    if name not in LAYERS:
        raise ValueError(f"{module} is in no layer; add {name!r} to LAYERS in tests/test_layers.py")
    return LAYERS[name]


def import_edges(root: Path) -> list[Edge]:
    """Every import of a module of the package at ``root`` by one of its modules."""
    edges: list[Edge] = []
    for path in sorted(root.rglob("*.py")):
        source = module_name(path, root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                targets = [_absolute(node, source, is_package=path.name == "__init__.py")]
            else:
                continue
            edges.extend(Edge(source, t, node.lineno) for t in targets if t.split(".")[0] == root.name)
    return edges


def _absolute(node: ast.ImportFrom, source: str, *, is_package: bool) -> str:
    """The absolute module name a (possibly relative) ``from ... import`` names."""
    if not node.level:
        return node.module or ""
    package = source.split(".") if is_package else source.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def upward(edges: list[Edge]) -> list[Edge]:
    """The imports that point up a layer."""
    return [edge for edge in edges if layer_rank(edge.target) > layer_rank(edge.source)]


def long_modules(root: Path, limit: int = MAX_LINES) -> dict[str, int]:
    """The modules of the package at ``root`` with more than ``limit`` lines, and their line counts."""
    counts = {
        module_name(path, root): len(path.read_text(encoding="utf-8").splitlines()) for path in root.rglob("*.py")
    }
    return {name: count for name, count in sorted(counts.items()) if count > limit}


def test_imports_point_down() -> None:
    bad = [edge for edge in upward(import_edges(PACKAGE)) if (edge.source, edge.target) not in KNOWN_UPWARD]
    assert not bad, "imports pointing up a layer:\n  " + "\n  ".join(map(str, bad))


def test_no_module_over_the_limit() -> None:
    long = long_modules(PACKAGE)
    assert not long, f"modules over {MAX_LINES} lines:\n  " + "\n  ".join(f"{n}: {c}" for n, c in long.items())


def test_every_subpackage_has_a_layer() -> None:
    for edge in import_edges(PACKAGE):
        layer_rank(edge.source)
        layer_rank(edge.target)


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    """On a made-up package: an import up a layer (absolute, relative, lazy) and a long module are found."""
    root = tmp_path / "pytest_goenv"
    for name, text in {
        "__init__.py": "from pytest_goenv.plugin import x\n",
        "base/__init__.py": "",
        "base/process.py": "def f():\n    from pytest_goenv.sandbox import goenv\n",
        "sandbox/__init__.py": "",
        "sandbox/goenv.py": "from ..base import process\nfrom ..readers import gosum\n" + "#\n" * 700,
        "readers/__init__.py": "from . import gosum\n",
        "readers/gosum.py": "import pytest_goenv.assertions.modules\nimport os\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    found = sorted((e.source, e.target) for e in upward(import_edges(root)))
    assert found == [
        ("pytest_goenv.base.process", "pytest_goenv.sandbox"),
        ("pytest_goenv.readers.gosum", "pytest_goenv.assertions.modules"),
        ("pytest_goenv.sandbox.goenv", "pytest_goenv.readers"),
    ]
    assert long_modules(root) == {"pytest_goenv.sandbox.goenv": 702}
    (root / "extra").mkdir()
    (root / "extra" / "x.py").write_text("import pytest_goenv.base\n")
    with pytest.raises(ValueError, match=r"pytest_goenv\.extra\.x is in no layer; add 'extra' to LAYERS"):
        upward(import_edges(root))
