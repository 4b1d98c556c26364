"""The package's public surface: a few core names, loaded lazily; the plugin's start-up stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pytest_goenv


def _modules_after(code: str) -> set[str]:
    """The modules loaded in a fresh interpreter after running ``code``."""
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    return set(done.stdout.split())


def test_top_level_exports_the_core_types_only() -> None:
    assert len(pytest_goenv.__all__) <= 25
    assert {"GoEnv", "GoToolchain", "GoProxy", "GoenvError", "default_toolchain"} <= set(pytest_goenv.__all__)
    assert not any(name.startswith("assert_") for name in pytest_goenv.__all__)


def test_every_exported_name_resolves_and_errors_share_one_base() -> None:
    for name in pytest_goenv.__all__:
        value = getattr(pytest_goenv, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, pytest_goenv.GoenvError), name


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        pytest_goenv.NoSuchThing  # noqa: B018


def test_import_loads_no_core_module() -> None:
    loaded = _modules_after("import pytest_goenv")
    assert not {name for name in loaded if name.startswith("pytest_goenv.")}
    assert "cryptography" not in loaded


def test_plugin_start_up_loads_no_heavy_module() -> None:
    loaded = _modules_after("import pytest_goenv.plugin, pytest_goenv.plugin.fixtures, pytest_goenv.plugin.matrix")
    heavy = {"cryptography", "packaging", "pytest_goenv.modules.proxy", "pytest_goenv.sandbox.goenv"}
    heavy |= {"pytest_goenv.assertions", "pytest_goenv.readers.executables", "pytest_goenv.claims.catalogue"}
    assert heavy.isdisjoint(loaded), heavy & loaded
