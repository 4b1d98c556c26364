"""Chapter 2.4: GOCACHE, GODEBUG=gocacheverify=1 and what goes into a cache key.

The experiments compile one dependency-free package (cheap for any target) into a private,
empty GOCACHE, and read `go build -x` to see whether the compiler ran.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_goenv.assertions import build_actions
from pytest_goenv.behaviour._experiments_ch234 import inapplicable
from pytest_goenv.result import GoResult
from pytest_goenv.sandbox import GoEnv
from pytest_goenv.verdicts import ClaimCheck

PACKAGE = {"p.go": "package p\n\n// Sum has no dependencies.\nfunc Sum(a, b int) int { return a + b }\n"}
ARM6 = {"GOOS": "linux", "GOARCH": "arm", "GOARM": "6", "CGO_ENABLED": "0"}
VERIFY = {"GODEBUG": "gocacheverify=1"}


class CacheProbe:
    """Builds the package with `go build -x` into a private cache and tells whether it compiled."""

    def __init__(self, goenv: GoEnv, check: ClaimCheck) -> None:
        self.goenv, self.check = goenv, check
        goenv.setenv("GOCACHE", str(goenv.root / "private-gocache"))
        (goenv.root / "private-gocache").mkdir(exist_ok=True)
        self.dir = goenv.write_module("example.com/p", PACKAGE)

    def build(self, env: dict[str, str]) -> GoResult:
        return self.check.observe(self.goenv.run("build", "-x", ".", cwd=self.dir, env=env, check=False),
                                  grep=["compile", "panic", "verify", "error"])

    def compiled(self, env: dict[str, str]) -> bool:
        result = self.build(env)
        return result.ok and bool(build_actions(result).compiled)

    def entry_fields(self) -> list[int]:
        """How many fields each action entry (``*-a`` file) of the cache has."""
        cache = Path(self.goenv.env["GOCACHE"])
        return sorted({len(path.read_text().split()) for path in cache.glob("*/*-a")})


@pytest.mark.claim("ch2.4.envhash-variables", expect={">=1.19": "partly"})
def test_cache_key_variables(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Build once, then change one of GOOS, GOARCH, GOARM, CGO_ENABLED: does the package compile again?"""
    probe = CacheProbe(goenv, claim)
    probe.compiled(ARM6)
    if probe.compiled(ARM6):
        inapplicable("the build cache did not keep the first build, so a change of key cannot be seen", claim)
    native = {"GOOS": goenv.toolchain.goos, "GOARCH": goenv.toolchain.goarch, "CGO_ENABLED": "0"}
    probe.compiled(native)
    claim.parts({
        "GOARM": probe.compiled({**ARM6, "GOARM": "7"}),
        "GOOS": probe.compiled({**ARM6, "GOOS": "freebsd"}),
        "GOARCH": probe.compiled({**ARM6, "GOARCH": "386", "GOARM": ""}),
        "CGO_ENABLED (package without cgo files)": probe.compiled({**native, "CGO_ENABLED": "1"}),
    }, "variables whose change recompiles an otherwise cached package")


@pytest.mark.claim("ch2.4.gocacheverify-checks-hash", expect={">=1.19": "partly"})
@pytest.mark.claim("ch2.4.gocacheverify-envhash", expect={">=1.19": "partly"})
@pytest.mark.claim("ch2.4.shared-cache-fails-across-envs", expect={">=1.19": "does-not-hold"})
def test_gocacheverify(goenv: GoEnv, claims: dict[str, ClaimCheck]) -> None:
    """GOARM=6 build, then GOARM=6 and GOARM=7 with and without GODEBUG=gocacheverify=1, one shared cache."""
    checks_hash = claims["ch2.4.gocacheverify-checks-hash"]
    envhash = claims["ch2.4.gocacheverify-envhash"]
    shared = claims["ch2.4.shared-cache-fails-across-envs"]
    help_text = goenv.run("help", "cache").stdout
    documented = [line for line in help_text.splitlines() if "gocacheverify" in line or "bypass" in line]
    checks_hash.record("go help cache | grep gocacheverify", "\n".join(documented))
    probe = CacheProbe(goenv, checks_hash)
    probe.compiled(ARM6)
    same_env_verified = probe.build({**ARM6, **VERIFY})
    rebuilt_verified = bool(build_actions(same_env_verified).compiled) if same_env_verified.ok else False
    checks_hash.parts({
        "gocacheverify=1 checks cache entries (documented in go help cache)": "gocacheverify" in help_text,
        "a checked, valid entry is then read instead of compiling again": same_env_verified.ok and not rebuilt_verified,
    })

    probe.check = envhash
    arm7_plain = probe.compiled({**ARM6, "GOARM": "7"})
    probe.compiled(ARM6)
    arm7_verified = probe.build({**ARM6, "GOARM": "7", **VERIFY})
    fields = probe.entry_fields()
    envhash.record("wc -w $GOCACHE/*/*-a (fields per cache entry)", f"fields per entry: {fields}")
    envhash.parts({
        "a GOARM=7 build after a GOARM=6 build compiles the package again": arm7_plain,
        "only gocacheverify=1 makes it reject the GOARM=6 entry": not arm7_plain,
        "cache entries carry an environment hash besides the action and output ids": any(n > 5 for n in fields),
    })

    shared.observe(same_env_verified)
    shared.observe(arm7_verified)
    failed = [r for r in (same_env_verified, arm7_verified) if not r.ok or "verify" in r.stderr.lower()]
    shared.holds_if(bool(failed), f"{len(failed)} of 2 verified builds on the shared cache failed")
