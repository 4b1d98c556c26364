"""Chapter 4.4: GOINSECURE, GOSUMDB=off and a checksum database at another URL.

A loopback proxy serves the modules; a loopback checksum database logs them (or, for a
"tampered" module, logs hashes that do not match what the proxy serves).
"""

from __future__ import annotations

import pytest

from pytest_goenv.behaviour._experiments_ch234 import (
    LIB,
    add_lib,
    checksum_database,
    download,
    tamper,
    write_app,
)
from pytest_goenv.proxy import GoProxy
from pytest_goenv.sandbox import GoEnv
from pytest_goenv.verdicts import ClaimCheck


@pytest.mark.claim("ch4.4.goinsecure-keeps-checksums", expect={">=1.19": "holds"})
def test_goinsecure_keeps_checksums(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GOINSECURE matching a module whose logged hashes differ from the proxy's: verified and refused?"""
    add_lib(go_proxy)
    goenv.use_proxy(go_proxy)
    with checksum_database(go_proxy) as database:
        tamper(database, LIB, "v1.0.0")
        goenv.setenv("GOSUMDB", database.gosumdb)
        result = download(goenv, claim, f"{LIB}@v1.0.0", env={"GOINSECURE": "example.com"})
        looked_up = f"{LIB}@v1.0.0" in database.lookups
    claim.parts({
        "the checksum database is still consulted": looked_up,
        "a module that fails verification is still refused": not result.ok,
    })


@pytest.mark.claim("ch4.4.gosumdb-off-no-verification", expect={">=1.19": "partly"})
def test_gosumdb_off(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GOSUMDB=off: a module the database would refuse, and a module that differs from go.sum."""
    lib = add_lib(go_proxy)
    goenv.use_proxy(go_proxy)
    with checksum_database(go_proxy) as database:
        tamper(database, LIB, "v1.0.0")
        claim.observe(goenv.run("env", "GOSUMDB", env={"GOSUMDB": "off"}))  # the sandbox default, shown
        fetched = download(goenv, claim, f"{LIB}@v1.0.0", env={"GOSUMDB": "off"})
        looked_up = bool(database.lookups)
    app = write_app(goenv, [lib], dest="pinned")
    wrong = lib.go_sum.replace(lib.h1, "h1:" + "B" * 43 + "=")
    (app / "go.sum").write_text(wrong)
    goenv.setenv("GOMODCACHE", str(goenv.root / "modcache2"))
    pinned = claim.observe(goenv.run("mod", "download", cwd=app, env={"GOSUMDB": "off", "GOFLAGS": "-modcacherw"},
                                     check=False))
    claim.parts({
        "the checksum database is not consulted": not looked_up,
        "a module the database would refuse is accepted": fetched.ok,
        "a module that does not match go.sum is accepted": pinned.ok,
    })


@pytest.mark.claim("ch4.4.gosumdb-mirror-url", expect={">=1.19": "partly"})
def test_gosumdb_mirror_url(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GOSUMDB="<name>+<hash>+<key> <url>" and the document's form "sum.golang.org+<url>"."""
    add_lib(go_proxy)
    goenv.use_proxy(go_proxy)
    with checksum_database(go_proxy) as database:
        keyed = download(goenv, claim, f"{LIB}@v1.0.0", env={"GOSUMDB": database.gosumdb})
        lookups = list(database.lookups)
        goenv.setenv("GOMODCACHE", str(goenv.root / "modcache2"))
        goenv.setenv("GOFLAGS", "-modcacherw")
        documented = download(goenv, claim, f"{LIB}@v1.0.0",
                              env={"GOSUMDB": f"sum.golang.org+{database.http_url}/sumdb"})
    claim.parts({
        "'<name>+<key> <url>' sends the lookups to that URL": keyed.ok and f"{LIB}@v1.0.0" in lookups,
        "the document's 'sum.golang.org+<url>' form is accepted": documented.ok,
    })

