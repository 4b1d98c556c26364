"""Chapter 2.5 (and the private proxy list of 4.4): GOPROXY lists, GONOPROXY, GONOSUMDB against loopback servers.

Modules under github.com/acme/ live in local git repositories (direct mode reaches them through a
git url.insteadOf rule); example.com/ modules are served by the proxy.
"""

from __future__ import annotations

import pytest

from pytest_goenv.assertions._golist import json_objects
from pytest_goenv.behaviour._experiments_ch234 import (
    LIB,
    add_lib,
    checksum_database,
    download,
    git_module,
    tamper,
)
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.modules import modzip
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.modules.sumdb import ChecksumDatabase
from pytest_goenv.modules.vcs import GitRepo
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

GITONLY = "github.com/acme/gitonly"
PRIVATE = "example.com/private"
PROXYONLY = "github.com/acme/proxyonly"


def fetched_dirs(result: GoResult) -> dict[str, str]:
    """Module path -> directory from `go mod download -json` (modules that failed are left out)."""
    return {
        str(entry["Path"]): str(entry["Dir"])
        for entry in json_objects(result.stdout)
        if entry.get("Dir") and not entry.get("Error")
    }


@pytest.mark.claim("ch2.5.goproxy-direct-fallback", expect={">=1.19": "holds"})
@pytest.mark.claim("ch4.4.goproxy-list-offline", expect={">=1.19": "holds"})
def test_direct_fallback(goenv: GoEnv, go_proxy: GoProxy, claims: dict[str, ClaimCheck]) -> None:
    """GOPROXY="<private proxy>,direct", no internet: a module missing from the proxy comes from its git repository."""
    fallback = claims["ch2.5.goproxy-direct-fallback"]
    offline = claims["ch4.4.goproxy-list-offline"]
    add_lib(go_proxy)
    git_module(goenv, GITONLY)
    goenv.setenv("GOPROXY", f"{go_proxy.http_url},direct")
    result = download(goenv, fallback, f"{GITONLY}@v1.0.0", f"{LIB}@v1.0.0")
    offline.observe(result)
    dirs = fetched_dirs(result)
    from_proxy = go_proxy.requested(LIB, "v1.0.0", "zip") and LIB in dirs
    fallback.parts(
        {
            "the proxy is asked first": go_proxy.requested(GITONLY),
            "the module missing from the proxy comes directly from git": GITONLY in dirs,
            "the module the proxy has comes from the proxy": from_proxy,
        }
    )
    offline.parts(
        {
            "a module on the private proxy comes from it": from_proxy,
            "a module missing from it falls back to direct": GITONLY in dirs,
        }
    )


@pytest.mark.claim("ch2.5.gonoproxy-gonosumdb-must-match", expect={">=1.19": "does-not-hold"})
def test_gonoproxy_and_gonosumdb_may_differ(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GONOPROXY and GONOSUMDB set to different patterns: does verification (or anything) fail?"""
    add_lib(go_proxy)
    git_module(goenv, GITONLY)
    goenv.use_proxy(go_proxy)
    with checksum_database(go_proxy) as database:
        goenv.setenv("GOSUMDB", database.gosumdb)
        goenv.setenv("GONOPROXY", "github.com/acme/*")
        goenv.setenv("GONOSUMDB", "example.com/other/*,github.com/acme/*")
        env = claim.observe(goenv.run("env", "GONOPROXY", "GONOSUMDB", check=False))
        result = download(goenv, claim, f"{LIB}@v1.0.0", f"{GITONLY}@v1.0.0")
        verified = f"{LIB}@v1.0.0" in database.lookups
    claim.holds_if(
        not (env.ok and result.ok),
        f"different GONOPROXY/GONOSUMDB: go env {'ok' if env.ok else 'failed'}, download "
        f"{'ok' if result.ok else 'failed'}, {LIB} verified against the checksum database: {verified}",
    )


@pytest.mark.claim("ch2.5.gosumdb-skips-gonosumdb", expect={">=1.19": "holds"})
@pytest.mark.claim("ch2.5.gonosumdb-skips-verification", expect={">=1.19": "holds"})
def test_gonosumdb(goenv: GoEnv, go_proxy: GoProxy, claims: dict[str, ClaimCheck]) -> None:
    """Two modules, one matching GONOSUMDB and logged with wrong hashes: which are looked up and accepted?"""
    consulted = claims["ch2.5.gosumdb-skips-gonosumdb"]
    skipped = claims["ch2.5.gonosumdb-skips-verification"]
    add_lib(go_proxy)
    add_lib(go_proxy, path=PRIVATE)
    goenv.use_proxy(go_proxy)
    with checksum_database(go_proxy) as database:
        tamper(database, PRIVATE, "v1.0.0")
        goenv.setenv("GOSUMDB", database.gosumdb)
        checked = download(goenv, skipped, f"{PRIVATE}@v1.0.0")
        goenv.setenv("GONOSUMDB", PRIVATE)
        before = len(database.lookups)
        result = download(goenv, consulted, f"{LIB}@v1.0.0", f"{PRIVATE}@v1.0.0")
        skipped.observe(result)
        lookups = database.lookups[before:]
    consulted.parts(
        {
            "the module outside GONOSUMDB is looked up": f"{LIB}@v1.0.0" in lookups,
            "the module matching GONOSUMDB is not looked up": f"{PRIVATE}@v1.0.0" not in lookups,
        },
        f"lookups with GONOSUMDB set: {lookups}",
    )
    skipped.parts(
        {
            "without GONOSUMDB the tampered module is rejected": not checked.ok,
            "with GONOSUMDB it is accepted unverified": PRIVATE in fetched_dirs(result),
        }
    )


@pytest.mark.claim("ch2.5.gonoproxy-glob", expect={">=1.19": "holds"})
@pytest.mark.claim("ch2.5.gonoproxy-direct-source", expect={">=1.19": "holds"})
def test_gonoproxy(goenv: GoEnv, go_proxy: GoProxy, claims: dict[str, ClaimCheck]) -> None:
    """A module both on the proxy and in git, matched by a GONOPROXY glob: where does it come from?"""
    glob = claims["ch2.5.gonoproxy-glob"]
    direct = claims["ch2.5.gonoproxy-direct-source"]
    go_proxy.add(GITONLY, "v1.0.0", {"lib.go": 'package lib\n\nconst Where = "proxy"\n'})
    add_lib(go_proxy, path=PRIVATE)
    git_module(goenv, GITONLY, where="git")
    goenv.use_proxy(go_proxy)
    with checksum_database(go_proxy) as database:
        goenv.setenv("GOSUMDB", database.gosumdb)
        goenv.setenv("GONOPROXY", "github.com/ac*/*")
        goenv.setenv("GONOSUMDB", "github.com/acme,example.com/priv*")
        result = download(goenv, direct, f"{GITONLY}@v1.0.0", f"{PRIVATE}@v1.0.0")
        glob.observe(result)
        lookups = list(database.lookups)
    dirs = fetched_dirs(result)
    source = goenv.gomodcache / f"{GITONLY}@v1.0.0" / "lib.go"
    from_git = GITONLY in dirs and source.is_file() and '"git"' in source.read_text()
    direct.record(f"cat $GOMODCACHE/{GITONLY}@v1.0.0/lib.go", source.read_text() if source.is_file() else "(missing)")
    direct.parts(
        {
            "the proxy is not asked for the GONOPROXY module": not go_proxy.requested(GITONLY),
            "the module comes from its git repository": from_git,
        }
    )
    glob.parts(
        {
            "GONOPROXY glob github.com/ac*/* keeps the proxy out": not go_proxy.requested(GITONLY) and from_git,
            "GONOSUMDB glob example.com/priv* skips the checksum database": f"{PRIVATE}@v1.0.0" not in lookups
            and PRIVATE in dirs,
        }
    )


@pytest.mark.claim("ch2.5.goproxy-no-glob", expect={">=1.19": "holds"})
def test_goproxy_literal_list(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GOPROXY="*" (a pattern), and GOPROXY="direct,<proxy>" with direct failing: is the proxy ever asked?"""
    go_proxy.add(PROXYONLY, "v1.0.0", {"lib.go": "package lib\n"})
    goenv.use_git(PROXYONLY, goenv.root / "no-such-repository")
    pattern = download(goenv, claim, f"{PROXYONLY}@v1.0.0", env={"GOPROXY": "*"})
    after_direct = download(goenv, claim, f"{PROXYONLY}@v1.0.0", env={"GOPROXY": f"direct,{go_proxy.http_url}"})
    claim.parts(
        {
            "a pattern is not a GOPROXY entry (GOPROXY=* refused)": not pattern.ok and "proxy URL" in pattern.output,
            "entries after direct are never used": not after_direct.ok and not go_proxy.requested(PROXYONLY),
        }
    )


def log_git_copy(database: ChecksumDatabase, repo: GitRepo, path: str, version: str = "v1.0.0") -> None:
    """Log the hashes of the module ``repo``'s working tree holds, so a direct fetch of it verifies."""
    files = {name: (repo.path / name).read_bytes() for name in ("go.mod", "lib.go")}
    database.log(path, version, h1=modzip.hash_module(path, version, files), h1_mod=modzip.hash_go_mod(files["go.mod"]))


@pytest.mark.claim("ch2.5.priority-order", expect={">=1.19": "partly"})
def test_priority_order(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GOPROXY=<proxy holding both modules> (no direct), GONOPROXY for one module, GONOSUMDB for the other.

    A ranking GONOPROXY > GONOSUMDB > GOPROXY would let each setting override the ones below it; what is
    observed is which source each module comes from and which ones the checksum database is asked about.
    """
    go_proxy.add(GITONLY, "v1.0.0", {"lib.go": 'package lib\n\nconst Where = "proxy"\n'})
    add_lib(go_proxy, path=PRIVATE)
    repo = git_module(goenv, GITONLY, where="git")
    goenv.use_proxy(go_proxy)
    with checksum_database(go_proxy) as database:
        log_git_copy(database, repo, GITONLY)
        goenv.setenv("GOSUMDB", database.gosumdb)
        goenv.setenv("GONOPROXY", "github.com/acme/*")
        goenv.setenv("GONOSUMDB", PRIVATE)
        result = download(goenv, claim, f"{GITONLY}@v1.0.0", f"{PRIVATE}@v1.0.0")
        lookups = list(database.lookups)
    dirs = fetched_dirs(result)
    source = goenv.gomodcache / f"{GITONLY}@v1.0.0" / "lib.go"
    claim.record(f"cat $GOMODCACHE/{GITONLY}@v1.0.0/lib.go", source.read_text() if source.is_file() else "(missing)")
    from_git = GITONLY in dirs and source.is_file() and '"git"' in source.read_text()
    private_from_proxy = PRIVATE in dirs and go_proxy.requested(PRIVATE, "v1.0.0", "zip")
    claim.parts(
        {
            (
                "GONOPROXY outranks GOPROXY (its module comes from git although GOPROXY lists only a proxy holding it)"
            ): from_git and not go_proxy.requested(GITONLY),
            "GONOSUMDB outranks GOPROXY (its module is no longer taken from the proxy)": PRIVATE in dirs
            and not go_proxy.requested(PRIVATE),
            "GONOPROXY outranks GONOSUMDB (its module is spared the checksum database as well)": GITONLY in dirs
            and f"{GITONLY}@v1.0.0" not in lookups,
        },
        f"the settings act on different things: {PRIVATE} (GONOSUMDB) came from the proxy: {private_from_proxy}, "
        f"unverified: {f'{PRIVATE}@v1.0.0' not in lookups}; {GITONLY} (GONOPROXY) came from git: {from_git}, "
        f"checked against the checksum database: {f'{GITONLY}@v1.0.0' in lookups}",
    )
