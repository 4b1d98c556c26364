"""The checksum database against the real go command: verification, bypasses, tampering and bad settings."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.modules.sumdb import DEFAULT_NAME, ChecksumDatabase, SignerKey, SumDBError, UnknownModuleError
from pytest_goenv.modules.sumdb.note import open_note
from pytest_goenv.modules.sumdb.tlog import parse_tree
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

HELLO = "example.com/hello"
HELLO_FILES = {"hello.go": 'package hello\n\nfunc Hello() string { return "hello" }\n'}


@pytest.fixture
def proxy(go_proxy: GoProxy) -> GoProxy:
    go_proxy.add(HELLO, "v1.0.0", HELLO_FILES)
    return go_proxy


@pytest.fixture
def db(proxy: GoProxy, go_sumdb: ChecksumDatabase) -> ChecksumDatabase:
    return go_sumdb


def main_module(goenv: GoEnv, name: str = "main") -> Path:
    return goenv.write_module(f"example.com/{name}", {"main.go": f'package main\n\nimport _ "{HELLO}"\n'})


def go_get(goenv: GoEnv, module: Path, target: str = f"{HELLO}@v1.0.0", **env: str) -> GoResult:
    return goenv.run("get", target, cwd=module, env=env, check=False)


def use_proxy_and_sumdb(goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase) -> None:
    """The usual setup: modules and checksum database both through the proxy."""
    goenv.use_proxy(proxy)
    assert goenv.use_sumdb(db, transport="proxy") == db.verifier_key


def test_module_through_proxy_is_verified_and_go_sum_matches_the_log(
    goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase
) -> None:
    use_proxy_and_sumdb(goenv, proxy, db)
    module = main_module(goenv)
    result = go_get(goenv, module)
    assert result.ok, result.describe()
    assert (module / "go.sum").read_text().splitlines() == db.gosum_lines(HELLO, "v1.0.0")
    assert db.requests[:2] == ["/supported", f"/lookup/{HELLO}@v1.0.0"]
    assert any(r.startswith("/tile/8/0/000.p/") for r in db.requests)
    assert all(r.kind != "mount" or r.path.startswith(f"/sumdb/{db.name}/") for r in proxy.requests)
    # The go command kept the tree head it verified, signed by this database's key.
    latest = (goenv.gopath / "pkg" / "sumdb" / db.name / "latest").read_bytes()
    size, _ = parse_tree(open_note(latest, [db.signer.verifier]).text)
    assert size == len(db) == 1


def test_direct_gosumdb_url_bypasses_the_proxy(goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase) -> None:
    goenv.use_proxy(proxy, transport="file")  # the go command cannot ask a file:// proxy for a database
    assert goenv.use_sumdb(db) == db.gosumdb
    module = main_module(goenv)
    result = go_get(goenv, module)
    assert result.ok, result.describe()
    assert db.lookups == [f"{HELLO}@v1.0.0"]
    assert "/supported" not in db.requests
    assert (module / "go.sum").read_text().splitlines() == db.gosum_lines(HELLO, "v1.0.0")


@pytest.mark.parametrize(
    "bypass",
    [
        {"GONOSUMDB": "example.com/hello"},
        {"GONOSUMDB": "example.com"},
        {"GOPRIVATE": "example.com/*", "GONOPROXY": "none"},
    ],
    ids=["GONOSUMDB-module", "GONOSUMDB-prefix", "GOPRIVATE"],
)
def test_private_patterns_skip_the_lookup(
    goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase, bypass: dict[str, str]
) -> None:
    use_proxy_and_sumdb(goenv, proxy, db)
    module = main_module(goenv)
    result = go_get(goenv, module, **bypass)
    assert result.ok, result.describe()
    assert db.requests == []
    assert not any(r.kind == "mount" for r in proxy.requests)
    assert proxy.requested(HELLO, "v1.0.0", kind="zip")
    # go.sum is still written, from the hashes of what was downloaded.
    assert (module / "go.sum").read_text().splitlines() == proxy.get(HELLO, "v1.0.0").go_sum.splitlines()


def test_module_unknown_to_the_database_fails_verification(goenv: GoEnv, proxy: GoProxy) -> None:
    """What a private module looks like to a public database: the lookup answers 404 and go stops."""
    with ChecksumDatabase(proxy, auto_log=False) as public:
        goenv.use_proxy(proxy)
        goenv.use_sumdb(public)
        url = public.http_url
        result = go_get(goenv, main_module(goenv))
    assert not result.ok
    assert f"verifying module: {HELLO}@v1.0.0: reading {url}/lookup/{HELLO}@v1.0.0: 404" in (result.stderr)
    assert f"not found: {HELLO}@v1.0.0 is not in this database" in result.stderr


def test_gosumdb_off_still_checks_go_sum(goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase) -> None:
    goenv.setenv("GOPROXY", proxy.http_url)
    goenv.setenv("GOSUMDB", "off")
    module = main_module(goenv)
    wrong = "h1:" + "A" * 43 + "="
    (module / "go.sum").write_text(f"{HELLO} v1.0.0 {wrong}\n")
    result = goenv.run("mod", "download", f"{HELLO}@v1.0.0", cwd=module, check=False)
    assert not result.ok
    assert f"verifying {HELLO}@v1.0.0: checksum mismatch" in result.stderr
    assert f"go.sum:     {wrong}" in result.stderr
    assert "SECURITY ERROR" in result.stderr
    assert db.requests == []


@pytest.mark.parametrize("goinsecure", [None, "example.com"], ids=["default", "GOINSECURE"])
def test_zip_changed_after_it_was_logged_is_refused(
    goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase, goinsecure: str | None
) -> None:
    logged = proxy.get(HELLO, "v1.0.0")
    db.log(HELLO, "v1.0.0")
    tampered = proxy.add(HELLO, "v1.0.0", {"hello.go": "package hello\n\n// backdoor\n"}, replace=True)
    assert tampered.h1 != logged.h1
    use_proxy_and_sumdb(goenv, proxy, db)
    if goinsecure is not None:  # GOINSECURE allows plain HTTP, never unverified modules
        goenv.setenv("GOINSECURE", goinsecure)
    result = go_get(goenv, main_module(goenv))
    assert not result.ok
    assert f"{HELLO}@v1.0.0: verifying module: checksum mismatch" in result.stderr
    assert f"downloaded: {tampered.h1}" in result.stderr
    assert f"{db.name}: {logged.h1}" in result.stderr
    assert "SECURITY ERROR\nThis download does NOT match the one reported by the checksum server." in result.stderr
    assert not (goenv.gomodcache / HELLO / "@v1.0.0").exists()


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda key, url: "sum.golang.test+nothex+AAAA", "invalid GOSUMDB: malformed verifier id"),
        (lambda key, url: key[:-4] + "AAA=", "invalid GOSUMDB: invalid verifier hash"),
        (lambda key, url: f"{key} {url} extra", "invalid GOSUMDB: too many fields"),
    ],
    ids=["malformed", "wrong-hash", "too-many-fields"],
)
def test_malformed_gosumdb_gives_go_own_error(
    goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase, mangle: Callable[[str, str], str], message: str
) -> None:
    goenv.use_proxy(proxy)
    goenv.setenv("GOSUMDB", mangle(db.verifier_key, db.http_url))
    result = go_get(goenv, main_module(goenv))
    assert not result.ok
    assert message in result.stderr
    assert db.requests == []


def test_tree_signed_by_another_key_is_refused(goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase) -> None:
    with ChecksumDatabase(proxy) as impostor:  # same name, its own key
        goenv.setenv("GOPROXY", proxy.url)
        goenv.setenv("GOSUMDB", f"{db.verifier_key} {impostor.http_url}")
        result = go_get(goenv, main_module(goenv))
    assert not result.ok
    assert "verifying module" in result.stderr
    assert "no verifiable signatures" in result.stderr
    assert impostor.lookups == [f"{HELLO}@v1.0.0"]


def test_growing_log_stays_consistent_across_tiles(goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase) -> None:
    """The go command checks each new tree head against the one it kept, through level-0 and level-1 tiles."""
    for i in range(300):
        db.log(f"example.com/filler{i}", "v1.0.0", h1=f"h1:{i:043d}=", h1_mod=f"h1:{i:043d}=")
    proxy.add("example.com/later", "v1.0.0", {"later.go": "package later\n"})
    use_proxy_and_sumdb(goenv, proxy, db)
    module = main_module(goenv)
    assert go_get(goenv, module).ok
    for i in range(300, 600):
        db.log(f"example.com/filler{i}", "v1.0.0", h1=f"h1:{i:043d}=", h1_mod=f"h1:{i:043d}=")
    result = go_get(goenv, module, target="example.com/later@v1.0.0")
    assert result.ok, result.describe()
    assert db.lookups == [f"{HELLO}@v1.0.0", "example.com/later@v1.0.0"]
    assert "/tile/8/1/000.p/2" in db.requests
    latest = (goenv.gopath / "pkg" / "sumdb" / db.name / "latest").read_bytes()
    assert parse_tree(open_note(latest, [db.signer.verifier]).text)[0] == 602


def test_forked_history_is_detected(goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase) -> None:
    """A database that shows a tree not extending the one the go command kept is misbehaving."""
    use_proxy_and_sumdb(goenv, proxy, db)
    module = main_module(goenv)
    assert go_get(goenv, module).ok
    proxy.add("example.com/later", "v1.0.0", {"later.go": "package later\n"})
    with ChecksumDatabase(proxy, key=db.signer) as fork:  # same key, different history
        fork.log("example.com/other", "v1.9.9", h1="h1:" + "F" * 43 + "=", h1_mod="h1:" + "F" * 43 + "=")
        goenv.use_proxy(proxy, transport="file")
        goenv.use_sumdb(fork)
        result = go_get(goenv, module, target="example.com/later@v1.0.0")
    assert not result.ok
    assert "SECURITY ERROR" in result.stderr
    assert "go.sum database server misbehavior detected!" in result.stderr


def test_fixture_key_is_per_session_and_log_per_test(
    go_sumdb: ChecksumDatabase, go_sumdb_key: SignerKey, go_proxy: GoProxy
) -> None:
    assert go_sumdb.signer == go_sumdb_key
    assert go_sumdb.name == DEFAULT_NAME
    assert go_sumdb.gosumdb == f"{go_sumdb.verifier_key} {go_sumdb.http_url}"
    assert len(go_sumdb) == 0
    # Mounted on the proxy: its HTTP server answers the database's paths.
    with urllib.request.urlopen(f"{go_proxy.http_url}/sumdb/{go_sumdb.name}/supported", timeout=10) as response:
        assert response.status == 200
    with pytest.raises(UnknownModuleError, match=r"example\.com/none@v1\.0\.0 is not in the module proxy"):
        go_sumdb.log("example.com/none", "v1.0.0")


def test_fixture_refuses_a_bad_key(go_proxy: GoProxy) -> None:
    with pytest.raises(SumDBError, match=r"invalid checksum database key: malformed signer key"):
        ChecksumDatabase(go_proxy, key="sum.golang.test+00000000+AAAA")


@pytest.mark.parametrize("transport", ["https", "file", "", "PROXY"])
def test_use_sumdb_refuses_an_unknown_transport(
    goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase, transport: str
) -> None:
    goenv.use_proxy(proxy)
    with pytest.raises(
        ValueError, match=rf"transport={transport!r} is not a checksum database transport; use one of 'http', 'proxy'"
    ):
        goenv.use_sumdb(db, transport=transport)  # type: ignore[arg-type]
    assert goenv.env["GOSUMDB"] == "off"


@pytest.mark.parametrize(
    "goproxy",
    [None, "file", "direct,http", "off|http", "other-http"],
    ids=["GOPROXY-off", "file-proxy", "direct-first", "off-first", "unmounted-http-proxy"],
)
def test_proxy_transport_needs_goproxy_to_reach_a_mounted_database(
    goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase, tmp_path: Path, goproxy: str | None
) -> None:
    """Without a proxy serving sumdb/<name>/, a key-only GOSUMDB makes the go command dial <name> itself."""
    with GoProxy(tmp_path / "other") as other:
        values = {"file": proxy.url, "http": proxy.http_url, "other-http": other.http_url}
        if goproxy is not None:
            goenv.setenv(
                "GOPROXY", ",".join("|".join(values.get(e, e) for e in part.split("|")) for part in goproxy.split(","))
            )
        with pytest.raises(SumDBError) as excinfo:
            goenv.use_sumdb(db, transport="proxy")
    message = str(excinfo.value)
    assert f"reaches no proxy serving the checksum database {db.name}" in message
    assert f"would look up {db.name} on the network" in message
    for advice in ("db.mount_on(proxy)", "goenv.use_proxy(proxy)", "transport='http'"):
        assert advice in message
    assert f"it is mounted on {proxy.http_url}" in message
    assert goenv.env["GOSUMDB"] == "off"


def test_proxy_transport_names_a_database_mounted_nowhere(goenv: GoEnv, proxy: GoProxy) -> None:
    goenv.use_proxy(proxy)
    with ChecksumDatabase(proxy) as loose, pytest.raises(SumDBError, match="it is mounted on no running HTTP proxy"):
        goenv.use_sumdb(loose, transport="proxy")


@pytest.mark.parametrize("first", ["file", "other-http"])
def test_proxy_transport_skips_entries_the_go_command_skips(
    goenv: GoEnv, proxy: GoProxy, db: ChecksumDatabase, tmp_path: Path, first: str
) -> None:
    """The go command passes over GOPROXY entries that do not serve sumdb/<name>/supported, as the check does."""
    with GoProxy(tmp_path / "other") as other:
        head = other.url if first == "file" else other.http_url
        goenv.setenv("GOPROXY", f"{head},{proxy.http_url}")
        assert goenv.use_sumdb(db, transport="proxy") == db.verifier_key
        module = main_module(goenv)
        result = go_get(goenv, module)
    assert result.ok, result.describe()
    assert db.requests[:2] == ["/supported", f"/lookup/{HELLO}@v1.0.0"]
    assert (module / "go.sum").read_text().splitlines() == db.gosum_lines(HELLO, "v1.0.0")
