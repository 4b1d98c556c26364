"""cmd/go's test services rebuilt from a GOROOT: its proxy of testdata/mod, its fault paths, its test-key sumdb.

The answers are checked against what proxy_test.go serves, and the real go command is run through them
with the settings script_test.go gives cmd/go's scripts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_goenv.modules import txtar
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.modules.proxy.cmdgo import (
    ARCHIVE_DIR,
    KEY_SOURCE,
    CmdGoError,
    CmdGoProxy,
    cmdgo_env,
    cmdgo_proxy,
    cmdgo_sumdb,
    read_test_keys,
)
from pytest_goenv.modules.sumdb import ChecksumDatabase, SignerKey
from pytest_goenv.sandbox.goenv import GoEnv

QUOTE = "rsc.io/quote@v1.5.2"


def _goroot(goenv: GoEnv) -> Path:
    goroot = goenv.toolchain.goroot
    if not (goroot / KEY_SOURCE).is_file() or not (goroot / ARCHIVE_DIR).is_dir():
        pytest.skip(f"{goroot} holds no cmd/go test sources")
    return goroot


@pytest.fixture
def services(goenv: GoEnv, tmp_path: Path) -> Iterator[tuple[CmdGoProxy, ChecksumDatabase]]:
    goroot = _goroot(goenv)
    proxy = cmdgo_proxy(goroot, tmp_path / "proxy")
    db = cmdgo_sumdb(goroot, proxy)
    with proxy:
        yield proxy, db


def _archive(directory: Path, name: str, version: str, extra: str = "") -> None:
    path = name.rsplit("_v", 1)[0].replace("_", "/")
    text = f'-- .mod --\nmodule {path}\n-- .info --\n{{"Version":"{version}"{extra}}}\n-- go.mod --\nmodule {path}\n'
    (directory / name).write_text(text)


# -- the key and the archives, without a go command ---------------------------------------------


def test_test_keys_are_read_from_the_goroot(goenv: GoEnv) -> None:
    goroot = _goroot(goenv)
    keys = read_test_keys(goroot)
    assert keys.name == "localhost.localdev/sumdb"
    assert str(keys.signer.verifier) == keys.verifier
    assert keys.verifier.startswith(keys.name + "+")
    assert keys.verifier in (goroot / KEY_SOURCE).read_text()


def test_a_goroot_without_the_keys_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(CmdGoError, match=r"proxy_test\.go: .*GOROOT that ships its sources"):
        read_test_keys(tmp_path)
    source = tmp_path / KEY_SOURCE
    source.parent.mkdir(parents=True)
    other = SignerKey.generate("localhost.localdev/sumdb")
    source.write_text(
        'const (\n\ttestSumDBName = "localhost.localdev/sumdb"\n'
        '\ttestSumDBVerifierKey = "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6"\n'
        f'\ttestSumDBSignerKey = "{other}"\n)\n'
    )
    with pytest.raises(CmdGoError, match="does not match testSumDBName"):
        read_test_keys(tmp_path)
    source.write_text('const testSumDBName = "x"\n')
    with pytest.raises(CmdGoError, match="no constant testSumDBVerifierKey"):
        read_test_keys(tmp_path)


def test_every_archive_is_served_or_skipped_as_cmd_go_does(services: tuple[CmdGoProxy, ChecksumDatabase]) -> None:
    proxy, db = services
    names = sorted(p.name for p in proxy.archives[0].file.parent.glob("*.txt"))
    assert len(proxy.archives) + len(proxy.skipped) == len(names)
    assert [s.file.name for s in proxy.skipped] == ["example.com_invalidpath_v1_v1.0.0.txt"]
    assert "malformed module path" in proxy.skipped[0].reason
    assert len(proxy.archives) >= 240
    held = {(a.path, a.version) for a in proxy.archives}
    assert ("rsc.io/QUOTE", "v1.5.2") in held  # rsc.io_!q!u!o!t!e_v1.5.2.txt
    assert ("example.com/retract/missingmod", "v1.9.0") in held
    assert len(db) == len(proxy.archives)  # logged at once, as cmd/go's server does at start


def test_module_answers_follow_proxy_test_go(services: tuple[CmdGoProxy, ChecksumDatabase]) -> None:
    proxy, _ = services
    quote = next(a for a in proxy.archives if (a.path, a.version) == ("rsc.io/quote", "v1.5.2"))
    assert proxy.handle("/mod/rsc.io/quote/@v/v1.5.2.mod")[2] == quote.mod
    assert proxy.handle("/mod/rsc.io/quote/@v/v1.5.2.info")[2] == quote.info  # the archive's bytes
    listed = proxy.handle("/mod/rsc.io/quote/@v/list")[2].decode().split()
    assert "v1.5.2" in listed
    assert not [v for v in listed if v.startswith("v0.0.0-")]  # no pseudo-versions
    assert proxy.handle("/mod/example.com/retract/missingmod/@v/v1.9.0.mod")[0] == 404  # the archive has no .mod
    info = json.loads(proxy.handle("/mod/rsc.io/quote/@v/fe488b867524.info")[2])
    assert info["Version"] == "v0.0.0-20180709162816-fe488b867524"
    assert proxy.handle("/mod/example.com/nosuch/@v/list")[0] == 404
    assert proxy.handle("/rsc.io/quote/@v/list")[0] == 404  # only below /mod/


def test_latest_and_hash_queries_resolve_by_proxy_test_gos_loops(tmp_path: Path) -> None:
    mods = tmp_path / "mod"
    mods.mkdir()
    _archive(mods, "example.com_m_v1.0.0.txt", "v1.0.0", ', "Short": "aaaaaaaaaaaa"')
    _archive(mods, "example.com_m_v1.1.0.txt", "v1.1.0", ', "Short": "bbbbbbbbbbbb"')
    _archive(mods, "example.com_m_v1.2.0.txt", "v1.2.0")
    proxy = CmdGoProxy(tmp_path / "proxy")
    proxy.load(mods)
    # proxy_test.go keeps the version its loop meets that compares lowest
    assert json.loads(proxy.handle("/mod/example.com/m/@latest")[2])["Version"] == "v1.0.0"
    # a commit hash names the highest version whose .info Short agrees (or that has no Short at all)
    assert json.loads(proxy.handle("/mod/example.com/m/@v/aaaaaaa.info")[2])["Version"] == "v1.2.0"
    assert proxy.handle("/mod/example.com/m/@v/v1.1.0.mod")[2] == b"module example.com/m\n"
    with pytest.raises(CmdGoError, match="writes no file:// tree"):
        _ = proxy.url
    assert not (tmp_path / "proxy" / "example.com").exists()


def test_fault_paths_answer_as_proxy_test_go(services: tuple[CmdGoProxy, ChecksumDatabase]) -> None:
    proxy, db = services
    assert proxy.handle("/mod/invalid/rsc.io/quote/@v/list") == (200, "text/plain; charset=utf-8", b"invalid")
    status, _, body = proxy.handle("/mod/404/rsc.io/quote/@v/list")
    assert (status, body) == (404, b"")
    assert proxy.handle("/mod/503/rsc.io/quote/@v/list")[0] == 503
    supported = f"/sumdb/{db.name}/supported"
    assert proxy.handle(f"/mod{supported}")[0] == 200
    assert proxy.handle(f"/mod/sumdb-503{supported}")[0] == 503  # the database fails ...
    assert b"v1.5.2\n" in proxy.handle("/mod/sumdb-503/rsc.io/quote/@v/list")[2]  # ... modules do not
    hops = proxy.reply("/mod/redirect/2/rsc.io/quote/@v/list")
    assert (hops.status, hops.headers["Location"]) == (302, "/mod/redirect/1/rsc.io/quote/@v/list")
    assert proxy.reply("/mod/redirect/1/rsc.io/quote/@v/list").headers["Location"] == "/mod/rsc.io/quote/@v/list"
    wrong = proxy.handle(f"/mod/sumdb-wrong/lookup/{QUOTE}")[2].decode()
    assert "rsc.io/quote v1.5.2 h1:wrong\n" in wrong
    direct = proxy.handle(f"/mod/sumdb-direct/lookup/{QUOTE}")[2].decode()
    assert direct.splitlines()[1:3] == db.gosum_lines("rsc.io/quote", "v1.5.2")
    redirected = proxy.handle("/mod/sumdb-redirect/rsc.io/quote@v1.0.0:/lookup/rsc.io/fortune@v1.0.0")[2]
    assert redirected.decode().splitlines()[1].startswith("rsc.io/quote v1.0.0 h1:")
    assert proxy.handle("/mod/sumdb-redirect/no-colon/lookup/x@v1.0.0")[0] == 500


def test_the_sumdb_needs_the_cmd_go_proxy(goenv: GoEnv, tmp_path: Path) -> None:
    with pytest.raises(CmdGoError, match="needs the CmdGoProxy of cmdgo_proxy"):
        cmdgo_sumdb(_goroot(goenv), GoProxy(tmp_path))  # type: ignore[arg-type]


# -- the real go command ----------------------------------------------------------------------


def test_go_downloads_through_the_proxy_verified_by_the_test_key_sumdb(
    goenv: GoEnv, services: tuple[CmdGoProxy, ChecksumDatabase]
) -> None:
    proxy, db = services
    env = cmdgo_env(proxy, db)
    assert env["GOPROXY"].endswith("/mod")
    assert env["GOSUMDB"] == read_test_keys(_goroot(goenv)).verifier
    for name, value in env.items():
        goenv.setenv(name, value)
    downloaded = json.loads(goenv.run("mod", "download", "-json", QUOTE).stdout)
    assert f"rsc.io/quote v1.5.2 {downloaded['Sum']}" in db.gosum_lines("rsc.io/quote", "v1.5.2")
    assert QUOTE in db.lookups
    assert any(r.path == f"/sumdb/{db.name}/supported" for r in proxy.requests)  # reached through the proxy

    invalid = goenv.run("list", "-m", "rsc.io/quote@latest", env={"GOPROXY": env["GOPROXY"] + "/invalid"}, check=False)
    assert "invalid response from proxy" in invalid.stderr
    assert "invalid character 'i' looking for beginning of value" in invalid.stderr
    no_sumdb = {"GOSUMDB": "off"}
    too_many = goenv.run(
        "mod",
        "download",
        "rsc.io/quote@v1.2.0",
        env={**no_sumdb, "GOPROXY": env["GOPROXY"] + "/redirect/11"},
        check=False,
    )
    assert too_many.returncode != 0
    assert "stopped after 10 redirects" in too_many.stderr
    goenv.run("mod", "download", "rsc.io/quote@v1.2.0", env={**no_sumdb, "GOPROXY": env["GOPROXY"] + "/redirect/9"})
    listed = goenv.run("mod", "download", "rsc.io/quote@v1.0.0", env={"GOPROXY": env["GOPROXY"] + "/404"}, check=False)
    assert "404 Not Found" in listed.stderr


def test_go_meets_the_wrong_and_failing_sumdb_paths(
    goenv: GoEnv, services: tuple[CmdGoProxy, ChecksumDatabase]
) -> None:
    proxy, db = services
    env = cmdgo_env(proxy, db)
    for name, value in env.items():
        goenv.setenv(name, value)
    app = goenv.write_module("example.com/app")

    def fresh(step: str, **values: str) -> dict[str, str | None]:
        gopath = goenv.root / step
        return {"GOPATH": str(gopath), "GOMODCACHE": str(gopath / "pkg" / "mod"), **values}

    wrong = goenv.run(
        "get",
        QUOTE,
        cwd=app,
        env=fresh("wrong", GOSUMDB=f"{db.verifier_key} {env['GOPROXY']}/sumdb-wrong"),
        check=False,
    )
    assert "verifying" in wrong.stderr
    assert "checksum mismatch" in wrong.stderr
    assert "localhost.localdev/sumdb: h1:wrong" in wrong.stderr
    assert "SECURITY ERROR" in wrong.stderr
    # the wrong tree head is cached: the truthful database's log, a different tree, is caught as a fork
    truthful = goenv.run("get", "rsc.io/fortune@v1.0.0", cwd=app, env=fresh("wrong"), check=False)
    assert "go.sum database server misbehavior detected!" in truthful.stderr
    assert "proof of misbehavior:" in truthful.stderr
    unavailable = goenv.run("get", QUOTE, cwd=app, env=fresh("503", GOPROXY=env["GOPROXY"] + "/sumdb-503"), check=False)
    assert unavailable.returncode != 0
    assert "503 Service Unavailable" in unavailable.stderr
    goenv.run("get", QUOTE, cwd=app, env=fresh("direct", GOSUMDB=f"{db.verifier_key} {env['GOPROXY']}/sumdb-direct"))
    assert "rsc.io/quote v1.5.2/go.mod" in (app / "go.sum").read_text()


def test_go_refuses_a_lookup_answered_for_another_module(
    goenv: GoEnv, services: tuple[CmdGoProxy, ChecksumDatabase]
) -> None:
    if "sumdb-redirect" not in (_goroot(goenv) / KEY_SOURCE).read_text():
        pytest.skip(
            f"go{goenv.toolchain.version}'s scripts do not use sumdb-redirect (its go command accepts the answer)"
        )
    proxy, db = services
    for name, value in cmdgo_env(proxy, db).items():
        goenv.setenv(name, value)
    app = goenv.write_module("example.com/app")
    gosumdb = f"{db.verifier_key} {proxy.http_url}/sumdb-redirect/rsc.io/quote@v1.0.0:"
    redirected = goenv.run("get", "rsc.io/fortune@v1.0.0", cwd=app, env={"GOSUMDB": gosumdb}, check=False)
    assert "SECURITY ERROR" in redirected.stderr
    assert not (app / "go.sum").exists()


def test_the_sumdb_hashes_the_archive_as_proxy_test_go_does(services: tuple[CmdGoProxy, ChecksumDatabase]) -> None:
    """Its h1: leaves out files starting with '.' and keeps raw '/' names: it differs from the zip's just there."""
    proxy, db = services
    for a in proxy.archives:
        served = proxy.get(a.path, a.version)
        names = [f.name for f in txtar.read_file(a.file).files if f.name not in (".info", ".mod")]
        unusual = any(name.startswith((".", "/")) for name in names)
        assert (a.h1 != served.h1) == unusual, a.file.name
        assert (a.h1_mod != served.h1_mod) == (a.mod is None), a.file.name
        assert db.gosum_lines(a.path, a.version) == [
            f"{a.path} {a.version} {a.h1}",
            f"{a.path} {a.version}/go.mod {a.h1_mod}",
        ]
