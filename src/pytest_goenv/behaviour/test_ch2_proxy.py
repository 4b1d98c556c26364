"""Chapter 2.5 (and the private proxy list of 4.4): GOPROXY lists, GONOPROXY, GONOSUMDB against loopback servers.

example.com/ modules are served by the proxy. Modules under git.corp.example.com/ (the document's private
host) are served by their origin server, which direct mode reaches over the network route a machine behind
an HTTP proxy has (see ``_network``): nothing rewrites the origin to a local copy. The offline experiment
cuts that route (every non-loopback connection refused) and makes the private proxy fail in each way a
proxy can fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_goenv.assertions._golist import json_objects
from pytest_goenv.behaviour._experiments_ch234 import (
    LIB,
    add_lib,
    checksum_database,
    download,
    tamper,
)
from pytest_goenv.behaviour._network import ORIGIN_HOST, Origin, closed_port_url, cut_network, origin_server
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

DIRECT = f"{ORIGIN_HOST}/acme/direct"
"""A module only its origin server has."""
BOTH = f"{ORIGIN_HOST}/acme/both"
"""A module the proxy and its origin both serve, with different ``Where`` constants."""
PRIVATE = "example.com/private"
UNRESOLVABLE_PROXY = "http://goproxy.internal"
"""The document's private proxy host: ``.internal`` is reserved for private networks and resolves nowhere."""


def fetched_dirs(result: GoResult) -> dict[str, str]:
    """Module path -> directory from `go mod download -json` (modules that failed are left out)."""
    return {
        str(entry["Path"]): str(entry["Dir"])
        for entry in json_objects(result.stdout)
        if entry.get("Dir") and not entry.get("Error")
    }


def where(goenv: GoEnv, path: str) -> str:
    """The ``Where`` constant of ``path@v1.0.0`` in the module cache ("" if it is not there)."""
    source = goenv.gomodcache / f"{path}@v1.0.0" / "lib.go"
    return source.read_text().split('"')[1] if source.is_file() else ""


@pytest.mark.claim("ch2.5.goproxy-direct-fallback", expect={">=1.19": "holds"})
def test_direct_fallback(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GOPROXY="<proxy>,direct": a module the proxy lacks (404) or has withdrawn (410) comes from its origin."""
    add_lib(go_proxy)
    gone = f"{ORIGIN_HOST}/acme/gone"
    with origin_server(goenv, ORIGIN_HOST, claim) as origin:
        origin.add(DIRECT)
        origin.add(gone)
        go_proxy.fail(gone, 410)
        goenv.setenv("GOPROXY", f"{go_proxy.http_url},direct")
        result = download(goenv, claim, f"{DIRECT}@v1.0.0", f"{gone}@v1.0.0", f"{LIB}@v1.0.0")
    dirs = fetched_dirs(result)
    claim.parts(
        {
            "a module the proxy does not have (404) comes directly from its origin": go_proxy.requested(DIRECT)
            and origin.fetched(DIRECT)
            and DIRECT in dirs,
            "a module the proxy answers 410 for comes directly from its origin": go_proxy.requested(gone)
            and origin.fetched(gone)
            and gone in dirs,
            "a module the proxy has is not fetched directly": go_proxy.requested(LIB, "v1.0.0", "zip")
            and LIB in dirs
            and not origin.server.requested(LIB),
        },
        f"origin requests: {[r.path for r in origin.server.requests]}",
    )


FAILURES = ("404", "410", "500", "connection refused", "unresolvable host")
"""The ways a GOPROXY entry can fail to give a module: it lacks it, has withdrawn it, breaks, or cannot be reached."""
FAILURE_WORDS = {"500": "500 Internal Server Error", "connection refused": "connection refused",
                 "unresolvable host": "lookup goproxy.internal"}  # fmt: skip
"""What the go command says for each failure that stops it: the experiment's check that the failure happened."""


def failing_entry(proxy: GoProxy, kind: str, module: str) -> str:
    """A GOPROXY entry that fails for ``module`` in the way ``kind`` names."""
    if kind in ("410", "500"):
        proxy.fail(module, int(kind))
    if kind == "connection refused":
        return closed_port_url()
    if kind == "unresolvable host":
        return UNRESOLVABLE_PROXY
    return proxy.http_url  # 404: it simply lacks the module


def try_list(goenv: GoEnv, check: ClaimCheck, module: str, goproxy: str) -> GoResult:
    """``go mod download`` of ``module`` with GOPROXY=``goproxy`` into a fresh module cache."""
    goenv.setenv("GOMODCACHE", str(goenv.root / f"modcache-{len(check.evidence)}"))
    return download(goenv, check, f"{module}@v1.0.0", env={"GOPROXY": goproxy})


@pytest.mark.claim("ch4.4.goproxy-list-offline", expect={">=1.19": "partly"})
def test_private_proxy_list_offline(goenv: GoEnv, go_proxy: GoProxy, tmp_path: Path, claim: ClaimCheck) -> None:
    """GOPROXY="<private proxy>,direct" with the network cut (every non-loopback connection refused), and the
    private proxy failing in each way (404, 410, 500, connection refused, unresolvable host) before ``,`` or ``|``.

    What follows the separator is a second loopback proxy holding the module, so whether the go command went on
    to the next entry is seen as the module arriving (``direct`` could not show it offline).
    """
    add_lib(go_proxy)
    cut_network(goenv, claim)
    goenv.setenv("GOFLAGS", "-modcacherw")
    goenv.setenv("NO_PROXY", "goproxy.internal")  # its name is looked up, not sent to the cut route
    on_proxy = try_list(goenv, claim, LIB, f"{go_proxy.http_url},direct")
    missing = try_list(goenv, claim, DIRECT, f"{go_proxy.http_url},direct")
    went_direct = f"{ORIGIN_HOST}/acme/direct?go-get=1" in missing.output or ORIGIN_HOST in missing.output
    next_used: dict[tuple[str, str], bool] = {}
    with GoProxy(tmp_path / "backup") as backup:
        claim.name(backup.http_url, "$BACKUP_URL")
        for number, kind in enumerate(FAILURES):
            module = f"example.com/fails{number}"
            backup.add(module, "v1.0.0", {"lib.go": 'package lib\n\nconst Where = "backup"\n'})
            entry = failing_entry(go_proxy, kind, module)
            if kind == "connection refused":
                claim.name(entry, "$REFUSING_URL")
            for separator in (",", "|"):
                result = try_list(goenv, claim, module, f"{entry}{separator}{backup.http_url}")
                next_used[kind, separator] = result.ok and module in fetched_dirs(result)
                if not result.ok and FAILURE_WORDS.get(kind, "") not in result.output:
                    raise AssertionError(f"the private proxy did not fail with {kind}:\n{result.describe()}")
    table = "\n".join(
        f"{kind}: ',' {'goes on' if next_used[kind, ','] else 'stops'}, "
        f"'|' {'goes on' if next_used[kind, '|'] else 'stops'}"
        for kind in FAILURES
    )
    claim.record("whether the next GOPROXY entry is tried after the private proxy fails", table)
    claim.parts(
        {
            "with the network cut, a module on the private proxy comes from it": on_proxy.ok
            and LIB in fetched_dirs(on_proxy),
            "with the network cut, a module missing from the private proxy still arrives through direct": missing.ok
            and DIRECT in fetched_dirs(missing),
            "direct stays the fallback when the private proxy breaks or cannot be reached (500, connection "
            "refused, unresolvable host)": all(next_used[kind, ","] for kind in FAILURES[2:]),
        },
        "network cut (HTTP_PROXY and HTTPS_PROXY name a closed port); the module missing from the proxy: direct "
        f"{'was tried and failed' if went_direct and not missing.ok else 'worked' if missing.ok else 'failed'}; "
        + "; ".join(table.splitlines()),
    )


@pytest.mark.claim("ch2.5.gonoproxy-gonosumdb-must-match", expect={">=1.19": "does-not-hold"})
def test_gonoproxy_and_gonosumdb_may_differ(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GONOPROXY and GONOSUMDB set to different patterns: does verification (or anything) fail?"""
    add_lib(go_proxy)
    goenv.use_proxy(go_proxy)
    with origin_server(goenv, ORIGIN_HOST, claim) as origin, checksum_database(go_proxy) as database:
        origin.add(DIRECT)
        goenv.setenv("GOSUMDB", database.gosumdb)
        goenv.setenv("GONOPROXY", f"{ORIGIN_HOST}/acme/*")
        goenv.setenv("GONOSUMDB", f"example.com/other/*,{ORIGIN_HOST}/acme/*")
        env = claim.observe(goenv.run("env", "GONOPROXY", "GONOSUMDB", check=False))
        result = download(goenv, claim, f"{LIB}@v1.0.0", f"{DIRECT}@v1.0.0")
        verified = f"{LIB}@v1.0.0" in database.lookups
    claim.holds_if(
        not (env.ok and result.ok),
        f"different GONOPROXY/GONOSUMDB: go env {'ok' if env.ok else 'failed'}, download "
        f"{'ok' if result.ok else 'failed'}, {LIB} verified against the checksum database: {verified}, "
        f"{DIRECT} fetched from its origin: {origin.fetched(DIRECT)}",
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
    if checked.ok:  # the control: without GONOSUMDB the database refuses the module
        raise AssertionError(f"the checksum database did not refuse the tampered module:\n{checked.describe()}")
    skipped.holds_if(
        PRIVATE in fetched_dirs(result),
        f"a module the checksum database refuses (without GONOSUMDB, the control) is "
        f"{'accepted unverified' if PRIVATE in fetched_dirs(result) else 'still refused'} with GONOSUMDB={PRIVATE}",
    )


def both_on_proxy_and_origin(go_proxy: GoProxy, origin: Origin) -> None:
    """:data:`BOTH` on the proxy (``Where = "proxy"``) and at its origin (``Where = "origin"``)."""
    go_proxy.add(BOTH, "v1.0.0", {"lib.go": 'package lib\n\nconst Where = "proxy"\n'})
    origin.add(BOTH)


@pytest.mark.claim("ch2.5.gonoproxy-glob", expect={">=1.19": "holds"})
@pytest.mark.claim("ch2.5.gonoproxy-direct-source", expect={">=1.19": "holds"})
def test_gonoproxy(goenv: GoEnv, go_proxy: GoProxy, claims: dict[str, ClaimCheck]) -> None:
    """A module both on the proxy and at its origin, matched by a GONOPROXY glob: where does it come from?"""
    glob = claims["ch2.5.gonoproxy-glob"]
    direct = claims["ch2.5.gonoproxy-direct-source"]
    add_lib(go_proxy, path=PRIVATE)
    goenv.use_proxy(go_proxy)
    with origin_server(goenv, ORIGIN_HOST, glob, direct) as origin, checksum_database(go_proxy) as database:
        both_on_proxy_and_origin(go_proxy, origin)
        goenv.setenv("GOSUMDB", database.gosumdb)
        goenv.setenv("GONOPROXY", f"{ORIGIN_HOST}/ac*/*")
        goenv.setenv("GONOSUMDB", f"{ORIGIN_HOST}/acme,example.com/priv*")
        result = download(goenv, direct, f"{BOTH}@v1.0.0", f"{PRIVATE}@v1.0.0")
        glob.observe(result)
        lookups = list(database.lookups)
    dirs = fetched_dirs(result)
    from_origin = BOTH in dirs and origin.fetched(BOTH) and where(goenv, BOTH) == "origin"
    direct.record(f"grep Where $GOMODCACHE/{BOTH}@v1.0.0/lib.go", where(goenv, BOTH) or "(missing)")
    direct.parts(
        {
            "the proxy is not asked for the GONOPROXY module": not go_proxy.requested(BOTH),
            "the module comes from its origin server": from_origin,
        }
    )
    glob.parts(
        {
            f"GONOPROXY glob {ORIGIN_HOST}/ac*/* keeps the proxy out": not go_proxy.requested(BOTH) and from_origin,
            "GONOSUMDB glob example.com/priv* skips the checksum database": f"{PRIVATE}@v1.0.0" not in lookups
            and PRIVATE in dirs,
        }
    )


@pytest.mark.claim("ch2.5.goproxy-no-glob", expect={">=1.19": "holds"})
def test_goproxy_literal_list(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GOPROXY="*" (a pattern), and GOPROXY="direct,<proxy>" with direct failing (the network cut): is the
    proxy ever asked?"""
    go_proxy.add(DIRECT, "v1.0.0", {"lib.go": "package lib\n"})
    cut_network(goenv, claim)
    pattern = download(goenv, claim, f"{DIRECT}@v1.0.0", env={"GOPROXY": "*"})
    after_direct = download(goenv, claim, f"{DIRECT}@v1.0.0", env={"GOPROXY": f"direct,{go_proxy.http_url}"})
    claim.parts(
        {
            "a pattern is not a GOPROXY entry (GOPROXY=* refused)": not pattern.ok and "proxy URL" in pattern.output,
            "entries after direct are never used": not after_direct.ok and not go_proxy.requested(DIRECT),
        }
    )


@pytest.mark.claim("ch2.5.priority-order", expect={">=1.19": "partly"})
def test_priority_order(goenv: GoEnv, go_proxy: GoProxy, claim: ClaimCheck) -> None:
    """GOPROXY=<proxy holding both modules> (no direct), GONOPROXY for one module, GONOSUMDB for the other.

    A ranking GONOPROXY > GONOSUMDB > GOPROXY would let each setting override the ones below it; what is
    observed is which source each module comes from and which ones the checksum database is asked about.
    """
    add_lib(go_proxy, path=PRIVATE)
    goenv.use_proxy(go_proxy)
    with origin_server(goenv, ORIGIN_HOST, claim) as origin, checksum_database(go_proxy) as database:
        both_on_proxy_and_origin(go_proxy, origin)
        at_origin = origin.server.get(BOTH, "v1.0.0")
        database.log(BOTH, "v1.0.0", h1=at_origin.h1, h1_mod=at_origin.h1_mod)
        goenv.setenv("GOSUMDB", database.gosumdb)
        goenv.setenv("GONOPROXY", f"{ORIGIN_HOST}/acme/*")
        goenv.setenv("GONOSUMDB", PRIVATE)
        result = download(goenv, claim, f"{BOTH}@v1.0.0", f"{PRIVATE}@v1.0.0")
        lookups = list(database.lookups)
    dirs = fetched_dirs(result)
    claim.record(f"grep Where $GOMODCACHE/{BOTH}@v1.0.0/lib.go", where(goenv, BOTH) or "(missing)")
    from_origin = BOTH in dirs and origin.fetched(BOTH) and where(goenv, BOTH) == "origin"
    private_from_proxy = PRIVATE in dirs and go_proxy.requested(PRIVATE, "v1.0.0", "zip")
    claim.parts(
        {
            (
                "GONOPROXY outranks GOPROXY (its module comes from its origin although GOPROXY lists only a proxy "
                "holding it)"
            ): from_origin and not go_proxy.requested(BOTH),
            "GONOSUMDB outranks GOPROXY (its module is no longer taken from the proxy)": PRIVATE in dirs
            and not go_proxy.requested(PRIVATE),
            "GONOPROXY outranks GONOSUMDB (its module is spared the checksum database as well)": BOTH in dirs
            and f"{BOTH}@v1.0.0" not in lookups,
        },
        f"the settings act on different things: {PRIVATE} (GONOSUMDB) came from the proxy: {private_from_proxy}, "
        f"unverified: {f'{PRIVATE}@v1.0.0' not in lookups}; {BOTH} (GONOPROXY) came from its origin: "
        f"{from_origin}, checked against the checksum database: {f'{BOTH}@v1.0.0' in lookups}",
    )
