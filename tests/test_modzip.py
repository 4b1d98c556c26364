"""Module zips, h1 hashes, module paths and versions; the zip rules checked against the real go command."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pytest_goenv.modules import modpath, modzip, semver
from pytest_goenv.modules.vcs import GitRepo
from pytest_goenv.sandbox.goenv import GoEnv

# -- module paths, escaping ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "escaped"),
    [("github.com/Azure/azure-sdk", "github.com/!azure/azure-sdk"), ("example.com/plain", "example.com/plain")],
)
def test_escape_path_round_trips(path: str, escaped: str) -> None:
    assert modpath.escape_path(path) == escaped
    assert modpath.unescape_path(escaped) == path


def test_escape_version_and_bad_encodings() -> None:
    assert modpath.escape_version("v1.0.0-RC1") == "v1.0.0-!r!c1"
    assert modpath.unescape_version("v1.0.0-!r!c1") == "v1.0.0-RC1"
    for bad in ("example.com/!", "example.com/!A", "example.com/Upper"):
        with pytest.raises(modpath.InvalidModulePath, match="escaped module path"):
            modpath.unescape_path(bad)
    with pytest.raises(modpath.InvalidModulePath, match="disallowed version"):
        modpath.escape_version("v1/2")


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("example/m", "missing dot in first path element"),
        ("Example.com/m", "invalid char 'E' in first path element"),
        ("example.com/m/v1", "invalid version suffix /v1"),
        ("example.com//m", "double slash"),
        ("example.com/.m", "leading dot"),
        ("example.com/m~1", "trailing tilde and digits"),
        ("example.com/con", "disallowed as path element component on Windows"),
        ("gopkg.in/yaml", "gopkg.in paths must end in .vN"),
    ],
)
def test_check_module_path_explains(path: str, problem: str) -> None:
    with pytest.raises(modpath.InvalidModulePath, match=problem):
        modpath.check_module_path(path)


def test_check_path_major() -> None:
    modpath.check_path_major("example.com/m", "v1.2.3")
    modpath.check_path_major("example.com/m", "v2.0.0+incompatible")
    modpath.check_path_major("example.com/m/v2", "v2.1.0")
    modpath.check_path_major("gopkg.in/yaml.v2", "v2.4.0")
    with pytest.raises(modpath.InvalidModulePath, match=r"v0 or v1, not v2 .*\+incompatible"):
        modpath.check_path_major("example.com/m", "v2.0.0")
    with pytest.raises(modpath.InvalidModulePath, match="should be v2, not v3"):
        modpath.check_path_major("example.com/m/v2", "v3.0.0")
    with pytest.raises(modpath.InvalidModulePath, match="only for paths without /vN"):
        modpath.check_path_major("example.com/m/v2", "v2.0.0+incompatible")


# -- semantic versions ------------------------------------------------------------------------


def test_semver_order_matches_go() -> None:
    ordered = ["v0.9.0", "v1.0.0-alpha", "v1.0.0-alpha.1", "v1.0.0-alpha.beta", "v1.0.0-beta.2", "v1.0.0-beta.11"]
    ordered += ["v1.0.0-rc.1", "v1.0.0", "v1.0.1-0.20240101000000-abcdefabcdef", "v1.0.1", "v1.10.0"]
    assert semver.sort_versions(list(reversed(ordered))) == ordered
    assert semver.compare("v1", "v1.0.0") == 0
    assert semver.canonical("v1.2") == "v1.2.0"
    assert semver.canonical("v2.0.0+incompatible") == "v2.0.0+incompatible"
    assert semver.canonical("v1.0.0+build") == "v1.0.0"
    assert semver.compare("bogus", "v0.0.1") == -1
    for bad in ("1.0.0", "v1.0.0-01", "v1-pre", "v01.0.0"):
        assert not semver.is_valid(bad), bad


def test_pseudo_versions() -> None:
    when = datetime(2024, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    rev = "0123456789abcdef0123"
    assert semver.pseudo_version(None, when, rev) == "v0.0.0-20240304050607-0123456789ab"
    assert semver.pseudo_version(None, when, rev, major_version="v2") == "v2.0.0-20240304050607-0123456789ab"
    assert semver.pseudo_version("v1.2.3", when, rev) == "v1.2.4-0.20240304050607-0123456789ab"
    assert semver.pseudo_version("v1.2.3-pre", when, rev) == "v1.2.3-pre.0.20240304050607-0123456789ab"
    assert (
        semver.pseudo_version("v2.0.0+incompatible", when, rev) == "v2.0.1-0.20240304050607-0123456789ab+incompatible"
    )
    assert semver.is_pseudo_version("v1.2.4-0.20240304050607-0123456789ab")
    assert not semver.is_pseudo_version("v1.2.4-rc.1")
    assert semver.pseudo_version_time("v0.0.0-20240304050607-0123456789ab") == when
    assert semver.pseudo_version_rev("v2.0.1-0.20240304050607-0123456789ab+incompatible") == "0123456789ab"
    with pytest.raises(semver.InvalidSemver, match="not a pseudo-version"):
        semver.pseudo_version_rev("v1.2.4-rc.1")


# -- the zip rules ------------------------------------------------------------------------------

TREE: dict[str, str] = {
    "a.go": "package a\n",
    "Upper Case & spaces!.txt": "fine\n",
    "vendor/modules.txt": "# example.com/v v1.0.0\n",
    "vendor/example.com/v/v.go": "package v\n",
    "pkg/vendor/vendor.go": "package vendor\n",
    "sub/go.mod": "module example.com/other\n",
    "sub/s.go": "package sub\n",
    ".hg_archival.txt": "repo: 0\n",
}


def _tree(go: str, module: str = "example.com/m") -> dict[str, str]:
    return {"go.mod": f"module {module}\n\ngo {go}\n", **TREE}


def test_select_files_omits_like_go_before_1_24() -> None:
    selected = modzip.select_files(_tree("1.21"))
    assert sorted(selected.files) == ["Upper Case & spaces!.txt", "a.go", "go.mod", "vendor/modules.txt"]
    reasons = {o.path: o.reason for o in selected.omitted}
    assert reasons["vendor/example.com/v/v.go"] == "file is in vendor directory"
    assert reasons["pkg/vendor/vendor.go"] == "file is in vendor directory"  # the pre-1.24 quirk
    assert reasons["sub/s.go"] == reasons["sub/go.mod"] == "file is in another module"
    assert ".hg_archival.txt" in reasons


def test_select_files_uses_the_go_1_24_vendor_rule() -> None:
    selected = modzip.select_files(_tree("1.24"))
    assert "pkg/vendor/vendor.go" in selected.files
    assert "vendor/modules.txt" not in selected.files


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"a.go": "", "A.go": ""}, "case-insensitive file name collision"),
        ({"Go.mod": "module x\n"}, "go.mod files must have lowercase names"),
        ({"bad<name>.go": ""}, "invalid char '<'"),
        ({"./a.go": ""}, "not clean"),
        ({"d": "", "d/f": ""}, "both a file and a directory"),
        ({"go.mod": b"x" * (modzip.MAX_GO_MOD + 1)}, "go.mod file too large"),
        ({"LICENSE": b"x" * (modzip.MAX_LICENSE + 1)}, "LICENSE file too large"),
    ],
)
def test_select_files_refuses_bad_trees(files: dict[str, str | bytes], problem: str) -> None:
    with pytest.raises(modzip.ModZipError, match=problem):
        modzip.select_files(files)


def test_total_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modzip, "MAX_ZIP_FILE", 10)
    with pytest.raises(modzip.ModZipError, match="module source tree too large"):
        modzip.select_files({"a": b"123456", "b": b"123456"})


def test_create_zip_prefixes_sorts_and_is_reproducible() -> None:
    data = modzip.create_zip("example.com/Mixed", "v1.0.0", _tree("1.21", "example.com/Mixed"))
    assert data == modzip.create_zip("example.com/Mixed", "v1.0.0", _tree("1.21", "example.com/Mixed"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
    assert names == sorted(names)
    assert all(n.startswith("example.com/Mixed@v1.0.0/") for n in names)  # the unescaped path
    assert modzip.hash_zip(data) == modzip.hash_module(
        "example.com/Mixed", "v1.0.0", _tree("1.21", "example.com/Mixed")
    )
    with pytest.raises(modzip.ModZipError, match="should be v0 or v1"):
        modzip.create_zip("example.com/m", "v2.0.0", {})


def test_hash1_is_go_dirhash() -> None:
    # sha256 of "a\n" and "b\n", then of the summary lines, computed independently of the module.
    import base64
    import hashlib

    lines = "".join(f"{hashlib.sha256(c).hexdigest()}  {n}\n" for n, c in (("x/a", b"a\n"), ("x/b", b"b\n")))
    expected = "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()
    assert modzip.hash1({"x/b": "b\n", "x/a": "a\n"}) == expected
    assert modzip.hash_go_mod("module x\n") == modzip.hash1({"go.mod": b"module x\n"})
    with pytest.raises(modzip.ModZipError, match="newlines"):
        modzip.hash1({"a\nb": ""})


def test_read_dir_leaves_out_vcs_dirs_symlinks_and_nested_modules(tmp_path: Path) -> None:
    for name, content in {**_tree("1.21"), ".git/config": "x", "nested/go.mod": "module n\n"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    os.symlink("a.go", tmp_path / "link.go")
    selected = modzip.read_dir(tmp_path)
    assert sorted(selected.files) == sorted(modzip.select_files(_tree("1.21")).files)
    reasons = {o.path: o.reason for o in selected.omitted}
    assert reasons[".git"] == "directory is a version control repository"
    assert reasons["link.go"] == "file is not a regular file"
    assert reasons["nested"] == "directory is in another module"


# -- against the real go command: it zips a git checkout itself in direct mode -----------------


@pytest.mark.parametrize("go_line", ["1.21", pytest.param("1.24", marks=pytest.mark.go_version(">=1.24"))])
def test_zip_rules_and_hash_match_the_go_command(goenv: GoEnv, tmp_path: Path, go_line: str) -> None:
    module = f"example.com/zip{go_line.replace('.', '')}.git"
    tree = _tree(go_line, module)
    repo = GitRepo.init(tmp_path / "repo")
    repo.write(tree)
    os.symlink("a.go", repo.path / "link.go")
    repo.commit()
    repo.tag("v1.0.0")
    goenv.use_git(module, repo)
    goenv.setenv("GOPROXY", "direct")
    result = goenv.run("mod", "download", "-json", f"{module}@v1.0.0")
    info = json.loads(result.stdout)
    assert info["Sum"] == modzip.hash_module(module, "v1.0.0", tree)
    assert info["Sum"] == modzip.hash_zip(Path(info["Zip"]))
    assert info["Sum"] == modzip.hash_module(module, "v1.0.0", modzip.read_dir(repo.path).files)
    assert info["GoModSum"] == modzip.hash_go_mod(tree["go.mod"])
    extracted = sorted(p.relative_to(info["Dir"]).as_posix() for p in Path(info["Dir"]).rglob("*") if p.is_file())
    assert extracted == sorted(modzip.select_files(tree).files)
