"""The module proxy: protocol answers, request log, failure injection, and the real go command using it."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pytest_goenv.assertions._golist import json_objects
from pytest_goenv.modules import modzip
from pytest_goenv.modules.proxy import DEFAULT_TIME, GoProxy, ModuleVersion, ProxyError, goproxy_list
from pytest_goenv.sandbox.goenv import GoEnv

GREET = 'package greet\n\nfunc Hello() string { return "hello from %s" }\n'
APP = 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n'
PSEUDO = "v0.0.0-20240301120000-abcdefabcdef"


@pytest.fixture
def proxy(tmp_path: Path) -> GoProxy:
    p = GoProxy(tmp_path / "proxy")
    p.add("example.com/greet", "v1.0.0", {"greet.go": GREET % "v1.0.0"})
    p.add("example.com/greet", "v1.1.0", {"greet.go": GREET % "v1.1.0"})
    p.add("example.com/greet", "v1.2.0-rc.1", {"greet.go": GREET % "rc"})
    p.add("example.com/greet", PSEUDO, {"greet.go": GREET % "pseudo"})
    return p


# -- the protocol, without a go command ----------------------------------------------------


def test_file_tree_follows_the_goproxy_layout(proxy: GoProxy) -> None:
    vdir = proxy.root / "example.com/greet/@v"
    assert (vdir / "list").read_text() == "v1.0.0\nv1.1.0\nv1.2.0-rc.1\n"  # no pseudo-versions
    assert json.loads((vdir / "v1.1.0.info").read_text()) == {"Version": "v1.1.0", "Time": "2024-01-01T01:00:00Z"}
    assert (vdir / "v1.1.0.mod").read_text() == "module example.com/greet\n\ngo 1.21\n"
    assert modzip.hash_zip(vdir / "v1.1.0.zip") == proxy.get("example.com/greet", "v1.1.0").h1
    assert json.loads((proxy.root / "example.com/greet/@latest").read_text())["Version"] == "v1.1.0"
    assert proxy.url == proxy.root.as_uri()


def test_module_version_fields(proxy: GoProxy) -> None:
    mv = proxy.get("example.com/greet", "v1.0.0")
    assert isinstance(mv, ModuleVersion)
    assert mv.time == DEFAULT_TIME
    assert sorted(mv.files) == ["go.mod", "greet.go"]
    assert mv.h1 == modzip.hash_module("example.com/greet", "v1.0.0", mv.files)
    assert mv.h1_mod == modzip.hash_go_mod(mv.mod)
    assert mv.go_sum == f"example.com/greet v1.0.0 {mv.h1}\nexample.com/greet v1.0.0/go.mod {mv.h1_mod}\n"
    assert proxy.get("example.com/greet", PSEUDO).time == datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    assert [m.version for m in proxy.modules()] == [PSEUDO, "v1.0.0", "v1.1.0", "v1.2.0-rc.1"]
    with pytest.raises(KeyError, match=r"example.com/greet@v9.0.0 is not in the proxy \(it holds: example.com/greet@"):
        proxy.get("example.com/greet", "v9.0.0")


def test_modules_are_sorted_by_path_then_semver(tmp_path: Path) -> None:
    p = GoProxy(tmp_path)
    for path, version in [("example.com/b", "v1.0.0"), ("example.com/a", "v1.10.0"), ("example.com/a", "v1.9.0")]:
        p.add(path, version)
    assert [(m.path, m.version) for m in p.modules()] == [
        ("example.com/a", "v1.9.0"),
        ("example.com/a", "v1.10.0"),
        ("example.com/b", "v1.0.0"),
    ]


def test_handle_answers_and_records(proxy: GoProxy) -> None:
    assert proxy.handle("/example.com/greet/@v/list") == (
        200,
        "text/plain; charset=utf-8",
        b"v1.0.0\nv1.1.0\nv1.2.0-rc.1\n",
    )
    status, ctype, body = proxy.handle("/example.com/greet/@latest")
    assert (status, ctype, json.loads(body)["Version"]) == (200, "application/json", "v1.1.0")
    assert proxy.handle("/example.com/greet/@v/v1.0.0.mod")[2] == proxy.get("example.com/greet", "v1.0.0").mod
    assert proxy.handle("/example.com/greet/@v/v1.0.0.zip")[2] == proxy.get("example.com/greet", "v1.0.0").zip
    assert json.loads(proxy.handle("/example.com/greet/@v/abcdefabcdef.info")[2])["Version"] == PSEUDO
    status, _, body = proxy.handle("/example.com/greet/@v/v9.9.9.info")
    assert (status, body) == (404, b"not found: example.com/greet@v9.9.9: unknown revision v9.9.9\n")
    assert proxy.handle("/example.com/nothere/@v/list")[0] == 404
    assert proxy.handle("/favicon.ico")[0] == 404
    kinds = [(r.kind, r.module, r.version, r.status) for r in proxy.requests]
    assert kinds[:2] == [("list", "example.com/greet", None, 200), ("latest", "example.com/greet", None, 200)]
    assert kinds[-1] == ("other", None, None, 404)
    assert proxy.requested("example.com/greet", "v1.0.0", "zip")
    assert proxy.requested("example.com/nothere")
    assert not proxy.requested("example.com/greet", "v1.1.0")
    proxy.clear_requests()
    assert proxy.requests == []


def test_latest_without_tags_is_the_newest_pseudo_version(tmp_path: Path) -> None:
    p = GoProxy(tmp_path)
    p.add("example.com/p", "v0.0.0-20240101000000-111111111111")
    p.add("example.com/p", "v0.0.0-20240202000000-222222222222")
    assert p.versions("example.com/p") == []
    assert p.handle("/example.com/p/@v/list")[2] == b""
    latest = p.latest("example.com/p")
    assert latest is not None
    assert latest.version == "v0.0.0-20240202000000-222222222222"


def test_failures_by_prefix_version_and_kind(proxy: GoProxy) -> None:
    proxy.add("example.com/greetings", "v1.0.0")
    proxy.fail("example.com/greet", 410)
    assert proxy.handle("/example.com/greet/@v/list")[0] == 410
    assert proxy.handle("/example.com/greetings/@v/list")[0] == 200  # a path prefix, not a string prefix
    proxy.fail("example.com/greet", 502, version="v1.0.0", kinds=("zip",), body="bad gateway")
    assert proxy.handle("/example.com/greet/@v/v1.0.0.zip")[::2] == (502, b"bad gateway")
    assert proxy.handle("/example.com/greet/@v/v1.0.0.mod")[0] == 410
    assert proxy.requests[-1].status == 410
    proxy.clear_failures()
    assert proxy.handle("/example.com/greet/@v/v1.0.0.mod")[0] == 200
    proxy.fail("", 500)
    assert proxy.handle("/example.com/greetings/@latest")[0] == 500
    with pytest.raises(ProxyError, match="not an HTTP error status"):
        proxy.fail("example.com/greet", 200)


@pytest.mark.parametrize(
    ("kinds", "problem"),
    [
        ("zip", r"kinds='zip' must be a tuple such as kinds=\('zip',\)"),
        (("zipp",), r"unknown request kind\(s\) 'zipp'"),
        (("zip", "mount"), r"unknown request kind\(s\) 'mount'"),
        ((), r"kinds=\(\) matches no request"),
        (5, "must be a tuple"),
    ],
)
def test_fail_refuses_kinds_that_never_match(proxy: GoProxy, kinds: object, problem: str) -> None:
    with pytest.raises(ProxyError, match=problem + r".*the request kinds are list, info, mod, zip, latest"):
        proxy.fail("example.com/greet", 500, kinds=kinds)  # type: ignore[arg-type]
    assert proxy.handle("/example.com/greet/@v/v1.0.0.zip")[0] == 200  # nothing was registered
    proxy.fail("example.com/greet", 500, kinds=["zip", "info"])  # type: ignore[arg-type]
    assert proxy.handle("/example.com/greet/@v/v1.0.0.zip")[0] == 500
    assert proxy.handle("/example.com/greet/@v/v1.0.0.mod")[0] == 200


def test_mounts_get_the_rest_of_the_path(proxy: GoProxy) -> None:
    seen: list[str] = []

    def handler(path: str) -> tuple[int, str, bytes]:
        seen.append(path)
        return 200, "text/plain", b"mounted " + path.encode()

    proxy.mount("sumdb/sum.example.test/", handler)
    proxy.mount("sumdb", lambda path: (404, "text/plain", b"outer"))
    assert proxy.handle("/sumdb/sum.example.test/supported") == (200, "text/plain", b"mounted supported")
    assert proxy.handle("/sumdb/sum.example.test/lookup/example.com/greet@v1.0.0")[2].endswith(b"@v1.0.0")
    assert proxy.handle("/sumdb/other/latest")[2] == b"outer"
    assert seen == ["supported", "lookup/example.com/greet@v1.0.0"]
    assert proxy.requests[0].kind == "mount"
    with pytest.raises(ProxyError, match="must not be empty"):
        proxy.mount("/", handler)


def test_listeners_hear_of_new_versions(proxy: GoProxy) -> None:
    heard: list[str] = []
    proxy.add_listener(lambda mv: heard.append(f"{mv.path}@{mv.version}"))
    proxy.add("example.com/new", "v0.1.0")
    assert heard == ["example.com/new@v0.1.0"]


@pytest.mark.parametrize(
    ("path", "version", "kwargs", "problem"),
    [
        ("example.com/m", "v1.0", {}, "not canonical; write v1.0.0"),
        ("example.com/m", "1.0.0", {}, "not canonical; module versions look like"),
        ("example.com/m", "v2.0.0", {}, r"use the path example.com/m/v2, or v2.0.0\+incompatible"),
        ("example/m", "v1.0.0", {}, "missing dot"),
        (
            "example.com/m",
            "v1.0.0",
            {"files": {"go.mod": "module example.com/other\n"}},
            "declares module 'example.com/other'",
        ),
        ("example.com/m", "v1.0.0", {"files": {"A.go": "", "a.go": ""}}, "case-insensitive file name collision"),
        ("example.com/m", "v1.0.0", {"time": datetime(2024, 1, 1)}, "timezone-aware"),
        ("example.com/m", "v1.0.0", {"files": "a.go"}, r"files must be a mapping \{name: content\}, not str 'a.go'"),
        ("example.com/m", "v1.0.0", {"files": ["a.go"]}, "files must be a mapping"),
        ("example.com/m", "v1.0.0", {"files": {"a.go": 1}}, r"the content of 'a.go' is a int \(1\); give text"),
        ("example.com/m", "v1.0.0", {"files": {"a.go": None}}, r"the content of 'a.go' is a NoneType"),
        ("example.com/m", "v1.0.0", {"files": {1: "x"}}, r"file name 1 is a int"),
        ("example.com/m", "v1.0.0", {"mod": 5}, r"mod must be the go.mod text \(str or bytes\), not int"),
        ("example.com/m", "v1.0.0", {"go": "banana"}, r"go='banana' is not a Go language version.*go=None"),
        ("example.com/m", "v1.0.0", {"go": 1.21}, r"go=1\.21 is not a Go language version"),
        ("example.com/m", "v1.0.0", {"info": b"{}"}, r"info= .* only check=False allows"),
        (5, "v1.0.0", {}, "module path 5 is a int"),
    ],
)
def test_add_refuses_what_the_go_command_would(
    tmp_path: Path, path: str, version: str, kwargs: dict[str, object], problem: str
) -> None:
    with pytest.raises(ProxyError, match=problem):
        GoProxy(tmp_path).add(path, version, **kwargs)  # type: ignore[arg-type]


def test_versions_are_immutable_unless_replaced(proxy: GoProxy) -> None:
    with pytest.raises(ProxyError, match="already in the proxy; module versions are immutable"):
        proxy.add("example.com/greet", "v1.0.0")
    before = proxy.get("example.com/greet", "v1.0.0").h1
    assert proxy.add("example.com/greet", "v1.0.0", {"x.go": "package greet\n"}, replace=True).h1 != before
    mismatched = proxy.add("example.com/odd", "v1.0.0", {"go.mod": "module example.com/even\n"}, check=False)
    assert mismatched.mod == b"module example.com/even\n"


def test_legacy_and_incompatible_versions_get_a_synthesized_mod(tmp_path: Path) -> None:
    p = GoProxy(tmp_path)
    old = p.add("example.com/old", "v2.0.0+incompatible", {"old.go": "package old\n"})
    assert old.mod == b"module example.com/old\n"
    assert "go.mod" not in old.files
    legacy = p.add("example.com/legacy", "v1.0.0", {"l.go": "package legacy\n"}, go=None)
    assert sorted(legacy.files) == ["l.go"]


# -- txtar module archives (cmd/go's testdata/mod style) ---------------------------------

# These go.sum lines are the ones cmd/go's own test scripts expect for its testdata/mod archives.
QUOTE_SUMS = (
    "rsc.io/quote v1.5.2 h1:3fEykkD9k7lYzXqCYrwGAf7iNhbk4yCjHmKBN9td4L0=",
    "rsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=",
)


def _cmd_go_testdata(goenv: GoEnv) -> Path:
    testdata = goenv.toolchain.goroot / "src/cmd/go/testdata/mod"
    if not (testdata / "rsc.io_quote_v1.5.2.txt").is_file():
        pytest.skip(f"{testdata} is not part of this toolchain")
    return testdata


def test_add_txtar_reproduces_cmd_go_hashes(goenv: GoEnv, tmp_path: Path) -> None:
    testdata = _cmd_go_testdata(goenv)
    p = GoProxy(tmp_path)
    quote = p.add_txtar(testdata / "rsc.io_quote_v1.5.2.txt")
    assert (quote.path, quote.version) == ("rsc.io/quote", "v1.5.2")
    assert quote.go_sum.splitlines() == list(QUOTE_SUMS)
    assert quote.time == datetime(2018, 2, 14, 15, 44, 20, tzinfo=timezone.utc)  # from the .info


def test_add_txtar_names_from_comment_file_name_or_arguments(tmp_path: Path) -> None:
    p = GoProxy(tmp_path / "proxy")
    assert p.add_txtar("example.com/c@v1.0.0\n-- c.go --\npackage c\n").path == "example.com/c"
    named = tmp_path / "example.com_!upper_v1.2.3.txt"
    named.write_text("-- u.go --\npackage u\n")
    mv = p.add_txtar(named)
    assert (mv.path, mv.version, mv.mod) == ("example.com/Upper", "v1.2.3", b"module example.com/Upper\n")
    assert p.add_txtar("-- x.go --\npackage x\n", "example.com/x", "v0.1.0").version == "v0.1.0"
    with pytest.raises(ProxyError, match="cannot tell which module version"):
        p.add_txtar("-- x.go --\npackage x\n")
    with pytest.raises(ProxyError, match=r":2: .info is not JSON"):
        p.add_txtar("example.com/y@v1.0.0\n-- .info --\n{not json\n")


def test_add_txtar_module_path_with_underscores(tmp_path: Path) -> None:
    """A file name reads each '_' as '/': the error says how to name such a module, and both ways work."""
    archive = tmp_path / "example.com_under_score_v1.0.0.txt"
    body = "-- go.mod --\nmodule example.com/under_score\n-- u.go --\npackage under_score\n"
    archive.write_text(body)
    p = GoProxy(tmp_path / "proxy")
    with pytest.raises(ProxyError) as info:
        p.add_txtar(archive)
    assert str(info.value) == (
        "example.com_under_score_v1.0.0.txt: the file name reads as module example.com/under/score (each '_' "
        "stands for '/'), but go.mod declares 'example.com/under_score'; pass module_path='example.com/under_score', "
        "or start the archive's comment with the line 'example.com/under_score@v1.0.0'"
    )
    assert p.modules() == []
    assert p.add_txtar(archive, module_path="example.com/under_score").path == "example.com/under_score"
    archive.write_text("example.com/under_score@v1.0.0\n" + body)  # the comment spells what the name cannot
    assert p.add_txtar(archive, replace=True).path == "example.com/under_score"
    # A comment naming another module does not override the file name (as in cmd/go's proxy).
    archive.write_text("example.com/other@v1.0.0\n" + body)
    with pytest.raises(ProxyError, match=r"the file name reads as module example\.com/under/score"):
        p.add_txtar(archive, replace=True)
    # An error about a module path given explicitly keeps the plain advice.
    with pytest.raises(ProxyError, match="fix the module line"):
        p.add_txtar(archive, module_path="example.com/wrong", version="v1.0.0")


def test_add_txtar_info_naming_another_version(goenv: GoEnv, tmp_path: Path) -> None:
    archive = tmp_path / "example.com_liar_v1.0.0.txt"
    archive.write_text(
        '-- .info --\n{"Version":"v1.0.1","Time":"2024-02-01T00:00:00Z"}\n'
        "-- go.mod --\nmodule example.com/liar\n-- l.go --\npackage liar\n"
    )
    p = GoProxy(tmp_path / "proxy")
    with pytest.raises(ProxyError) as info:
        p.add_txtar(archive)
    assert str(info.value).startswith(
        "example.com_liar_v1.0.0.txt:1: .info says Version 'v1.0.1' but the archive is example.com/liar@v1.0.0; "
        "make them agree, or pass check=False to serve this .info as is"
    )
    assert p.modules() == []
    liar = p.add_txtar(archive, check=False)
    assert json.loads(liar.info)["Version"] == "v1.0.1"
    assert json.loads((p.root / "example.com/liar/@v/v1.0.0.info").read_text())["Version"] == "v1.0.1"
    with p:
        goenv.use_proxy(p)
        result = goenv.run("mod", "download", "-json", "example.com/liar@v1.0.0", check=False)
    assert not result.ok
    assert "proxy returned info for version v1.0.1 instead of requested version" in result.stdout + result.stderr
    agreeing = archive.read_text().replace('"v1.0.1"', '"v1.0.0"')
    assert p.add_txtar(agreeing, "example.com/liar", "v1.0.0", replace=True).info == (
        b'{"Version": "v1.0.0", "Time": "2024-02-01T00:00:00Z"}\n'
    )


# -- the HTTP server ----------------------------------------------------------------------


def test_http_server_starts_on_demand_and_stops(proxy: GoProxy) -> None:
    assert not proxy.serving
    url = proxy.http_url
    assert url.startswith("http://127.0.0.1:")
    assert proxy.serving
    with urllib.request.urlopen(f"{url}/example.com/greet/@v/list", timeout=10) as response:
        assert response.read() == b"v1.0.0\nv1.1.0\nv1.2.0-rc.1\n"
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{url}/example.com/none/@v/list", timeout=10)
    assert info.value.code == 404
    assert [r.path for r in proxy.requests] == ["/example.com/greet/@v/list", "/example.com/none/@v/list"]
    proxy.close()
    assert not proxy.serving
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/example.com/greet/@v/list", timeout=5)


def test_goproxy_lists(proxy: GoProxy, tmp_path: Path) -> None:
    other = GoProxy(tmp_path / "other")
    assert goproxy_list(proxy, other, "direct", transport="file") == f"{proxy.url},{other.url},direct"
    assert goproxy_list(proxy, "off", any_error=True) == f"{proxy.http_url}|off"
    assert proxy.goproxy("file") == proxy.url
    with pytest.raises(ProxyError, match="at least one entry"):
        goproxy_list()
    with pytest.raises(ProxyError, match="contains a list separator"):
        goproxy_list("a,b")
    with pytest.raises(ProxyError, match="use 'http' or 'file'"):
        proxy.goproxy("ftp")  # type: ignore[arg-type]
    proxy.close()


def test_a_broken_mount_answers_500(proxy: GoProxy) -> None:
    def broken(path: str) -> tuple[int, str, bytes]:
        raise RuntimeError("boom")

    proxy.mount("x", broken)
    with proxy:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{proxy.http_url}/x/y", timeout=10)
        body = info.value.read()  # before the server closes, which breaks off its connections
    assert info.value.code == 500
    assert b"boom" in body


# -- the real go command --------------------------------------------------------------------


def _write_app(goenv: GoEnv, require: str = "v1.1.0") -> Path:
    return goenv.write_module(
        "example.com/app",
        {"main.go": APP, "go.mod": f"module example.com/app\n\ngo 1.21\n\nrequire example.com/greet {require}\n"},
    )


def test_a_module_from_the_proxy_builds(goenv: GoEnv, proxy: GoProxy) -> None:
    assert goenv.use_proxy(proxy) == proxy.http_url
    app = _write_app(goenv)
    goenv.run("mod", "download", "example.com/greet", cwd=app)
    goenv.run("mod", "tidy", cwd=app)
    assert goenv.run("run", ".", cwd=app).stdout == "hello from v1.1.0\n"
    assert (app / "go.sum").read_text() == proxy.get("example.com/greet", "v1.1.0").go_sum
    assert proxy.requested("example.com/greet", "v1.1.0", "zip")
    assert not proxy.requested("example.com/greet", "v1.0.0")


def test_go_mod_download_reports_the_computed_hashes(goenv: GoEnv, proxy: GoProxy) -> None:
    proxy.add("example.com/Mixed/Case", "v0.3.0", {"c.go": "package c\n", "vendor/x/y.go": "package y\n"})
    goenv.use_proxy(proxy, transport="file")
    result = goenv.run("mod", "download", "-json", "example.com/greet@v1.0.0", "example.com/Mixed/Case@v0.3.0")
    found = json_objects(result.stdout)
    for info in found:
        mv = proxy.get(info["Path"], info["Version"])
        assert (info["Sum"], info["GoModSum"]) == (mv.h1, mv.h1_mod)
    assert "/example.com/!mixed/!case@v0.3.0" in found[1]["Dir"]
    assert proxy.requests == []  # file:// is read directly


def test_a_proxy_list_falls_through_on_404_and_stops_on_500(goenv: GoEnv, proxy: GoProxy, tmp_path: Path) -> None:
    first = GoProxy(tmp_path / "first")
    with first:
        assert goenv.use_proxy(first, proxy) == f"{first.http_url},{proxy.http_url}"
        first.fail("example.com/greet", 404)
        goenv.run("mod", "download", "example.com/greet@v1.0.0")
        assert first.requested("example.com/greet", "v1.0.0")
        assert proxy.requested("example.com/greet", "v1.0.0")

        proxy.clear_requests()
        first.fail("example.com/greet", 500, body="upstream exploded")
        failed = goenv.run("mod", "download", "example.com/greet@v1.1.0", check=False)
        assert failed.returncode != 0
        assert "500 Internal Server Error" in failed.stderr
        assert "upstream exploded" in failed.stderr
        assert not proxy.requested("example.com/greet")

        goenv.use_proxy(first, proxy, any_error=True)  # '|' falls through on any error
        goenv.run("mod", "download", "example.com/greet@v1.1.0")
        assert proxy.requested("example.com/greet", "v1.1.0")


def test_pseudo_versions_latest_and_incompatible_with_go(goenv: GoEnv, proxy: GoProxy) -> None:
    proxy.add("example.com/old", "v2.0.0+incompatible", {"old.go": "package old\n"})
    proxy.add("example.com/untagged", "v0.0.0-20240101000000-111111111111", {"u.go": "package untagged\n"})
    proxy.add("example.com/untagged", "v0.0.0-20240202000000-222222222222", {"u.go": "package untagged\n"})
    goenv.use_proxy(proxy)
    app = goenv.write_module("example.com/app")
    goenv.run(
        "get",
        "example.com/old@v2.0.0+incompatible",
        "example.com/untagged@latest",
        "example.com/greet@abcdefabcdef",
        cwd=app,
    )
    listed = goenv.run("list", "-m", "all", cwd=app).stdout.splitlines()
    assert "example.com/old v2.0.0+incompatible" in listed
    assert "example.com/untagged v0.0.0-20240202000000-222222222222" in listed
    assert f"example.com/greet {PSEUDO}" in listed
    versions = goenv.run("list", "-m", "-versions", "example.com/greet", cwd=app).stdout.split()
    assert versions == ["example.com/greet", "v1.0.0", "v1.1.0", "v1.2.0-rc.1"]


def test_cmd_go_testdata_modules_build(goenv: GoEnv, tmp_path: Path) -> None:
    testdata = _cmd_go_testdata(goenv)
    p = GoProxy(tmp_path / "proxy")
    for name in (
        "rsc.io_quote_v1.5.2.txt",
        "rsc.io_sampler_v1.3.0.txt",
        "golang.org_x_text_v0.0.0-20170915032832-14c0d48ead0c.txt",
    ):
        p.add_txtar(testdata / name)
    goenv.use_proxy(p, transport="file")
    main = 'package main\n\nimport (\n\t"fmt"\n\n\t"rsc.io/quote"\n)\n\nfunc main() { fmt.Println(quote.Hello()) }\n'
    app = goenv.write_module("example.com/q", {"main.go": main})
    goenv.run("get", "rsc.io/quote@v1.5.2", cwd=app)
    assert goenv.run("run", ".", cwd=app).stdout == "Hello, world.\n"
    gosum = (app / "go.sum").read_text().splitlines()
    assert set(QUOTE_SUMS) <= set(gosum)


def test_unchecked_versions_let_the_go_command_refuse_them(goenv: GoEnv, proxy: GoProxy) -> None:
    with pytest.raises(ProxyError, match="invalid char '\\?'"):
        proxy.add("example.com/bad", "v1.0.0", {"x?y.go": "package bad\n"})
    bad = proxy.add("example.com/bad", "v1.0.0", {"x?y.go": "package bad\n"}, check=False)
    raw = proxy.add("example.com/raw", "v1.0.0", {"/elsewhere/raw.txt": "raw\n"}, check=False)
    assert sorted(modzip.read_zip(bad.zip)) == ["example.com/bad@v1.0.0/go.mod", "example.com/bad@v1.0.0/x?y.go"]
    assert sorted(modzip.read_zip(raw.zip)) == ["elsewhere/raw.txt", "example.com/raw@v1.0.0/go.mod"]
    proxy.add("example.com/liar", "v1.0.0", {"go.mod": "module example.com/truth\n"}, check=False)
    goenv.use_proxy(proxy)
    for module, error in [
        ("example.com/bad", "malformed file path"),
        ("example.com/raw", "has unexpected file elsewhere/raw.txt"),
    ]:
        failed = goenv.run("mod", "download", f"{module}@v1.0.0", check=False)
        assert failed.returncode != 0
        assert error in failed.stderr
    app = goenv.write_module("example.com/app")
    failed = goenv.run("get", "example.com/liar@v1.0.0", cwd=app, check=False)
    assert "module declares its path as: example.com/truth" in failed.stderr


def test_every_cmd_go_testdata_module_hashes_as_cmd_go_expects(goenv: GoEnv, tmp_path: Path) -> None:
    """Each go.sum line in cmd/go's test scripts about a testdata/mod module matches the proxy's hash."""
    testdata = _cmd_go_testdata(goenv)
    expected: dict[tuple[str, str], set[str]] = {}
    line = re.compile(r"^(\S+) (v\S+?)(/go\.mod)? (h1:[A-Za-z0-9+/=]{44})$", re.MULTILINE)
    for script in (testdata.parent / "script").glob("*.txt"):
        if script.name == "mod_verify.txt":  # holds a deliberately wrong go.sum
            continue
        for m in line.finditer(script.read_text(errors="replace")):
            expected.setdefault((m[1], m[2] + (m[3] or "")), set()).add(m[4])
    p = GoProxy(tmp_path / "proxy")
    compared = 0
    for archive in sorted(testdata.glob("*.txt")):
        try:
            mv = p.add_txtar(archive, replace=True)
        except ProxyError:
            continue  # archives made to break the go command (bad paths, module lines, zips)
        for key, ours in (((mv.path, mv.version), mv.h1), ((mv.path, mv.version + "/go.mod"), mv.h1_mod)):
            if key in expected:
                assert ours in expected[key], f"{archive.name}: {key} {ours} not in {expected[key]}"
                compared += 1
    assert compared >= 40
