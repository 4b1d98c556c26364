"""Chapter 4.4: GOINSECURE, GOSUMDB=off and a checksum database at another URL.

A loopback proxy serves the modules; a loopback checksum database logs them (or, for a
"tampered" module, logs hashes that do not match what the proxy serves). The GOINSECURE experiment
fetches in direct mode from a host with no DNS entry, the way ``_network`` reaches an origin server:
HTTP_PROXY/HTTPS_PROXY send the go command's requests for it to a loopback server, which refuses https
(CONNECT) and answers plain HTTP.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_goenv.behaviour._experiments_ch234 import (
    LIB,
    add_lib,
    checksum_database,
    download,
    tamper,
    write_app,
)
from pytest_goenv.behaviour._network import origin_server
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

INSECURE_HOST = "example.test"
"""A host with no DNS entry: the go command reaches it only through HTTP_PROXY/HTTPS_PROXY (our loopback proxy)."""

HTTP_GETS = ["# get ", '"Error"', "SECURITY", "mismatch"]
"""What to keep of a ``go ... -x`` run: the URLs fetched (and how each answered) and the errors."""


@pytest.mark.claim("ch4.4.goinsecure-keeps-checksums", expect={">=1.19": "holds"})
def test_goinsecure_keeps_checksums(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Direct mode from a host served over plain HTTP only: refused, allowed by GOINSECURE, still verified?"""
    good, tampered = f"{INSECURE_HOST}/m", f"{INSECURE_HOST}/tampered"
    with origin_server(goenv, INSECURE_HOST, claim) as origin:
        module = origin.add(good)
        origin.add(tampered)
        claim.record(
            f"curl -x $ORIGIN 'http://{good}?go-get=1'",
            f'<meta name="go-import" content="{good} mod http://{INSECURE_HOST}">',
        )
        goenv.setenv("GOPROXY", "direct")
        goenv.setenv("GOFLAGS", "-modcacherw")

        def fetch(target: str, insecure: str | None, cwd: Path | None = None) -> GoResult:
            args = ["mod", "download", "-x", "-json", *([target] if target else [])]
            result = goenv.run(*args, cwd=cwd, env={"GOINSECURE": insecure}, check=False)
            return claim.observe(result, grep=HTTP_GETS)

        with checksum_database(origin.server) as database:
            tamper(database, tampered, "v1.0.0")
            goenv.setenv("GOSUMDB", database.gosumdb)
            secure = fetch(f"{good}@v1.0.0", None)
            elsewhere = fetch(f"{good}@v1.0.0", "other.test")
            insecure = fetch(f"{good}@v1.0.0", INSECURE_HOST)
            looked_up = f"{good}@v1.0.0" in database.lookups
            logged = fetch(f"{tampered}@v1.0.0", INSECURE_HOST)
            app = write_app(goenv, [module], imports=(good,))
            (app / "go.sum").write_text(module.go_sum.replace(module.h1, "h1:" + "B" * 43 + "="))
            goenv.setenv("GOMODCACHE", str(goenv.root / "modcache2"))
            pinned = fetch("", INSECURE_HOST, cwd=app)
    over_http = insecure.ok and f"get http://{good}?go-get=1" in insecure.output and origin.fetched(good)
    claim.parts(
        {
            "without GOINSECURE the plain-HTTP host is refused": not secure.ok
            and f"get http://{good}" not in secure.output,
            "a GOINSECURE pattern for another host does not lift it": not elsewhere.ok,
            "GOINSECURE matching the host lets the module come over plain HTTP": over_http,
            "the checksum database is still consulted": looked_up,
            "a module whose logged hashes differ is still refused": not logged.ok,
            "a go.sum mismatch is still refused": not pinned.ok and "mismatch" in pinned.output,
        },
        f"checksum database lookups: {database.lookups}",
    )


@pytest.mark.claim("ch4.4.gosumdb-off-no-verification", expect={">=1.19": "partly"})
def test_gosumdb_off(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """A module whose logged hashes differ, first with GOSUMDB=<that database> (the control: refused), then with
    GOSUMDB=off in an empty module cache; and GOSUMDB=off with a module that differs from go.sum."""
    lib = add_lib(go_proxy)
    goenv.use_proxy(go_proxy)
    goenv.setenv("GOFLAGS", "-modcacherw")
    with checksum_database(go_proxy) as database:
        tamper(database, LIB, "v1.0.0")
        control = download(goenv, claim, f"{LIB}@v1.0.0", env={"GOSUMDB": database.gosumdb})
        consulted = list(database.lookups)
        goenv.setenv("GOMODCACHE", str(goenv.root / "modcache-off"))
        claim.observe(goenv.run("env", "GOSUMDB", env={"GOSUMDB": "off"}))
        fetched = download(goenv, claim, f"{LIB}@v1.0.0", env={"GOSUMDB": "off"})
        off_lookups = database.lookups[len(consulted) :]
    refused = not control.ok and "mismatch" in control.output
    app = write_app(goenv, [lib], dest="pinned")
    wrong = lib.go_sum.replace(lib.h1, "h1:" + "B" * 43 + "=")
    (app / "go.sum").write_text(wrong)
    goenv.setenv("GOMODCACHE", str(goenv.root / "modcache-pinned"))
    pinned = claim.observe(goenv.run("mod", "download", cwd=app, env={"GOSUMDB": "off"}, check=False))
    claim.parts(
        {
            "the checksum database is not consulted (it is when GOSUMDB names it)": bool(consulted) and not off_lookups,
            "a module the database refuses (as the control shows) is accepted": refused and fetched.ok,
            "a module that does not match go.sum is accepted": pinned.ok,
        },
        f"control with GOSUMDB=<the database>: {'refused' if refused else 'NOT refused'}, lookups {consulted}; "
        f"with GOSUMDB=off: lookups {off_lookups}",
    )


@pytest.mark.claim("ch4.4.gosumdb-mirror-url", expect={">=1.19": "does-not-hold"})
def test_gosumdb_mirror_url(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """The document's GOSUMDB="sum.golang.org+<url>" against a database on loopback: is it used?

    Only the document's value decides. ``sum.golang.org <url>`` (a space, the go command's own form for a
    mirror of a database whose key it knows) is tried too, as evidence of what does reach a mirror (the
    loopback database then fails verification: a real mirror serves notes signed with sum.golang.org's key).
    """
    add_lib(go_proxy)
    goenv.use_proxy(go_proxy)
    goenv.setenv("GOFLAGS", "-modcacherw")
    with checksum_database(go_proxy) as database:
        documented = download(
            goenv, claim, f"{LIB}@v1.0.0", env={"GOSUMDB": f"sum.golang.org+{database.http_url}/sumdb"}
        )
        reached = list(database.requests)
        goenv.setenv("GOMODCACHE", str(goenv.root / "modcache2"))
        download(goenv, claim, f"{LIB}@v1.0.0", env={"GOSUMDB": f"sum.golang.org {database.http_url}"})
        spaced = database.requests[len(reached) :]
    refusal = re.search(r"invalid GOSUMDB[^\"\\]*", documented.output)
    outcome = "ok" if documented.ok else f"refused ({refusal.group(0) if refusal else 'see the evidence'})"
    claim.holds_if(
        documented.ok and bool(reached),
        f"the document's 'sum.golang.org+<url>': download {outcome}, requests at the URL: {reached or 'none'}; "
        f"'sum.golang.org <url>' (space) sends {spaced or 'nothing'} there",
    )


MODULE_FILES: frozenset[str] = frozenset({"list", "info", "mod", "zip", "latest"})
"""The request kinds of the GOPROXY protocol: a version list, .info, .mod, .zip and @latest; nothing else."""


@pytest.mark.claim("ch4.4.proxy-signs-modules", expect={">=1.19": "does-not-hold"})
def test_proxy_signs_modules(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """What the go command asks a proxy for, and whether anything from the proxy vouches for a module's bytes.

    The proxy then serves other bytes for the same version (as a compromised proxy or a man in the middle
    would): accepted with GOSUMDB=off and no go.sum, refused only by the checksum database.
    """
    add_lib(go_proxy)
    goenv.use_proxy(go_proxy)
    goenv.setenv("GOFLAGS", "-modcacherw")
    with checksum_database(go_proxy) as database:
        database.log_all()
        goenv.setenv("GOSUMDB", database.gosumdb)
        honest = download(goenv, claim, f"{LIB}@v1.0.0")
        asked = [f"{r.method} {r.path}" for r in go_proxy.requests]
        signatures = [r.path for r in go_proxy.requests if r.kind not in MODULE_FILES]
        claim.record("proxy request log", "\n".join(asked))
        go_proxy.add(LIB, "v1.0.0", {"lib.go": 'package lib\n\nconst Where = "altered"\n'}, replace=True)
        goenv.setenv("GOMODCACHE", str(goenv.root / "modcache2"))
        unchecked = download(goenv, claim, f"{LIB}@v1.0.0", env={"GOSUMDB": "off"})
        goenv.setenv("GOMODCACHE", str(goenv.root / "modcache3"))
        verified = download(goenv, claim, f"{LIB}@v1.0.0")
    altered = goenv.root / "modcache2" / f"{LIB}@v1.0.0" / "lib.go"
    accepted = unchecked.ok and altered.is_file() and '"altered"' in altered.read_text()
    claim.parts(
        {
            "the go command fetches a signature from the proxy": honest.ok and bool(signatures),
            "bytes the proxy alters are caught without go.sum or a checksum database": not accepted,
        },
        f"requests to the proxy: {asked}; the altered module is refused by the checksum database: "
        f"{not verified.ok and 'mismatch' in verified.output}",
    )
