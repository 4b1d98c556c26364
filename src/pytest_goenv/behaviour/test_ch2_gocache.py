"""Chapter 2.4: GOCACHE, GODEBUG=gocacheverify=1 and what goes into a cache key.

The experiments compile one dependency-free package (cheap for any target) into private,
empty caches, and read `go build -x` to see whether the compiler ran.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pytest_goenv.assertions import build_actions
from pytest_goenv.behaviour._experiments_ch234 import inapplicable
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

PACKAGE = {"p.go": "package p\n\n// Sum has no dependencies.\nfunc Sum(a, b int) int { return a + b }\n"}
ARM6 = {"GOOS": "linux", "GOARCH": "arm", "GOARM": "6", "CGO_ENABLED": "0"}
ARM7 = {**ARM6, "GOARM": "7"}
VERIFY = {"GODEBUG": "gocacheverify=1"}
ARCHIVE_MAGIC = b"!<arch>\n"
VERIFY_FAILED = "verify failed"  # the go command's words when a checked cache entry does not match


class CacheProbe:
    """Builds the package with `go build -x` into its own empty GOCACHE and tells whether it compiled."""

    def __init__(self, goenv: GoEnv, check: ClaimCheck, cache: str = "private-gocache") -> None:
        self.goenv, self.check = goenv, check
        self.cache = goenv.root / cache
        self.cache.mkdir(exist_ok=True)
        self.dir = goenv.workdir / "p"
        if not self.dir.is_dir():
            goenv.write_module("example.com/p", PACKAGE, dest="p")

    def build(self, env: dict[str, str]) -> GoResult:
        result = self.goenv.run("build", "-x", ".", cwd=self.dir, env={**env, "GOCACHE": str(self.cache)}, check=False)
        return self.check.observe(result, grep=["compile", "panic", "verify", "error"])

    def compiled(self, env: dict[str, str]) -> bool:
        return compiled(self.build(env))

    def entry_fields(self) -> list[int]:
        """How many fields each action entry (``*-a`` file) of the cache has."""
        return sorted({len(path.read_text().split()) for path in self.cache.glob("*/*-a")})

    def archives(self) -> list[Path]:
        """The cached compiler outputs (``*-d`` files holding a Go archive)."""
        return sorted(path for path in self.cache.glob("*/*-d") if path.read_bytes().startswith(ARCHIVE_MAGIC))


def compiled(result: GoResult) -> bool:
    """True if the build worked and ran the compiler (the package was not taken from the cache)."""
    return result.ok and bool(build_actions(result).compiled)


def intact(path: Path) -> bool:
    """A cache output file is named by the SHA-256 of its content: does the content still match?"""
    return hashlib.sha256(path.read_bytes()).hexdigest() == path.name.removesuffix("-d")


def alter(path: Path) -> None:
    """Flip one byte near the end of a cached archive: same size, build ID header still readable."""
    data = bytearray(path.read_bytes())
    data[-2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.claim("ch2.4.envhash-variables", expect={">=1.19": "partly"})
def test_cache_key_variables(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Build once, then change one of GOOS, GOARCH, GOARM, CGO_ENABLED: does the package compile again?"""
    probe = CacheProbe(goenv, claim)
    probe.compiled(ARM6)
    if probe.compiled(ARM6):
        inapplicable("the build cache did not keep the first build, so a change of key cannot be seen", claim)
    native = {"GOOS": goenv.toolchain.goos, "GOARCH": goenv.toolchain.goarch, "CGO_ENABLED": "0"}
    probe.compiled(native)
    recompiled = {
        "GOARM": probe.compiled(ARM7),
        "GOOS": probe.compiled({**ARM6, "GOOS": "freebsd"}),
        "GOARCH": probe.compiled({**ARM6, "GOARCH": "386", "GOARM": ""}),
        "CGO_ENABLED (package without cgo files)": probe.compiled({**native, "CGO_ENABLED": "1"}),
    }
    claim.parts(recompiled, "variables whose change recompiles an otherwise cached package")


GCCGO_NAMES = ("gccgo", "gccgo-11", "gccgo-12", "gccgo-13", "gccgo-14")
"""Where Debian installs gccgo releases (gccgo is the default release, gccgo-N a given one)."""


def gccgo_releases(goenv: GoEnv) -> dict[str, str]:
    """The gccgo compilers on PATH, one per release: ``{version line: path}``."""
    found: dict[str, str] = {}
    for name in GCCGO_NAMES:
        path = shutil.which(name)
        if path is None:
            continue
        version = goenv.exec(path, "--version", check=False).stdout.strip().splitlines()[:1]
        if version and version[0] not in found:
            found[version[0]] = path
    return found


def gccgo_compiled(result: GoResult, gccgo: str) -> bool:
    """True if a `go build -x -compiler=gccgo` run worked and ran ``gccgo -c`` (nothing came from the cache)."""
    return result.ok and any(line.startswith(gccgo + " ") and " -c " in line for line in result.stderr.splitlines())


@pytest.mark.claim("ch2.4.gccgo-in-fingerprint", expect={">=1.19": "holds"})
def test_gccgo_in_cache_key(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Build with -compiler=gccgo and GCCGO naming one gccgo release, again (from the cache), then with GCCGO
    naming another release, and naming the first by another path (a symlink): which builds compile again?"""
    releases = gccgo_releases(goenv)
    claim.record(
        "gccgo --version (each gccgo on PATH)", "\n".join(f"{p}: {v}" for v, p in releases.items()) or "(none)"
    )
    if len(releases) < 2:
        inapplicable(
            f"{len(releases)} gccgo release(s) on PATH; seeing whether another GCCGO makes a cached package stale "
            "needs two (Debian: gccgo-11 and gccgo-12)",
            claim,
        )
    first, second = list(releases.values())[:2]
    link = goenv.root / "other-path" / "gccgo"
    link.parent.mkdir()
    link.symlink_to(first)
    probe = CacheProbe(goenv, claim, "gccgo-cache")

    def build(gccgo: str) -> bool:
        result = probe.goenv.run(
            "build",
            "-x",
            "-compiler=gccgo",
            ".",
            cwd=probe.dir,
            env={"GCCGO": gccgo, "GOCACHE": str(probe.cache)},
            check=False,
        )
        claim.observe(result, grep=[" -c ", "error", "gccgo:"])
        return gccgo_compiled(result, gccgo)

    if not build(first):
        raise AssertionError("the first gccgo build compiled nothing (see the evidence)")
    cached = not build(first)
    other_release = build(second)
    other_path = build(str(link))
    if not cached:
        inapplicable("the gccgo build was not kept in the build cache, so a change of GCCGO cannot be seen", claim)
    claim.holds_if(
        other_release,
        f"a package built with GCCGO={first}, then built again: from the cache; with GCCGO={second} (another "
        f"release): {'compiled again' if other_release else 'from the cache'}; with GCCGO naming {first} by another "
        f"path: {'compiled again' if other_path else 'from the cache (the key holds the compiler, not the path)'}",
    )


@pytest.mark.claim("ch2.4.gocacheverify-checks-hash", expect={">=1.19": "does-not-hold"})
@pytest.mark.claim("ch2.4.gocacheverify-envhash", expect={">=1.19": "does-not-hold"})
@pytest.mark.claim("ch2.4.shared-cache-fails-across-envs", expect={">=1.19": "does-not-hold"})
def test_gocacheverify(goenv: GoEnv, claims: dict[str, ClaimCheck]) -> None:
    """The document's GOARM=6 then GOARM=7 sequence with and without GODEBUG=gocacheverify=1, then an altered entry."""
    checks_hash = claims["ch2.4.gocacheverify-checks-hash"]
    envhash = claims["ch2.4.gocacheverify-envhash"]
    shared = claims["ch2.4.shared-cache-fails-across-envs"]

    # The document's sequence, in a cache shared by both environments.
    verified = CacheProbe(goenv, envhash, "verified-cache")
    verified.compiled(ARM6)
    arm7_verified = verified.build({**ARM7, **VERIFY})
    arm6_verified = verified.build({**ARM6, **VERIFY})
    fields = verified.entry_fields()
    envhash.record("wc -w $GOCACHE/*/*-a (fields per cache entry)", f"fields per entry: {fields}")
    # The same without gocacheverify, in a second cache that holds only the GOARM=6 entry.
    plain = CacheProbe(goenv, envhash, "plain-cache")
    plain.compiled(ARM6)
    archives = plain.archives()  # the GOARM=6 compile's output, altered at the end
    arm7_plain = plain.compiled(ARM7)
    envhash.parts(
        {
            "cache entries carry an environment hash besides the action and output ids": any(n > 5 for n in fields),
            "gocacheverify=1 is what rejects the GOARM=6 entry (GOARM=7 with it: "
            f"{'compiled' if compiled(arm7_verified) else 'not compiled'}; without it: "
            f"{'compiled too' if arm7_plain else 'read from the cache'})": compiled(arm7_verified) and not arm7_plain,
            "gocacheverify=1 rejects only entries from another environment (a GOARM=6 rebuild with it "
            f"{'compiled again' if compiled(arm6_verified) else 'read the GOARM=6 entry'})": arm6_verified.ok
            and not compiled(arm6_verified),
        }
    )

    shared.observe(arm7_verified)
    shared.observe(arm6_verified)
    failed = [r for r in (arm7_verified, arm6_verified) if not r.ok or VERIFY_FAILED in r.output]
    shared.holds_if(
        bool(failed),
        f"{len(failed)} of 2 builds with gocacheverify=1 on the cache shared by GOARM=6 and GOARM=7 failed",
    )

    # The GOARM=6 output entry altered after it was written: who notices?
    if not archives:
        inapplicable("no Go archive found among the cache's output files, so none can be altered", checks_hash)
    for path in archives:
        alter(path)
    checks_hash.record(
        "flip one byte near the end of the GOARM=6 build's .a in $GOCACHE/*/*-d",
        f"{len(archives)} archive(s) altered; content matching its hash: {sum(intact(path) for path in archives)}",
    )
    plain.check = checks_hash
    reused = not plain.compiled(ARM6)
    check = plain.build({**ARM6, **VERIFY})
    reported = VERIFY_FAILED in check.output
    if not check.ok and not reported:
        raise AssertionError(f"the build with gocacheverify=1 failed for another reason:\n{check.describe()}")
    repaired = sum(intact(path) for path in archives if path.exists())
    checks_hash.record(
        "sha256sum $GOCACHE/*/*-d (altered archives whose content matches their name again)",
        f"{repaired} of {len(archives)}",
    )
    checks_hash.holds_if(
        reported,
        f"a cached .a altered after it was written (its SHA-256 no longer matches): a plain build "
        f"{'used it unnoticed' if reused else 'compiled again'}; with gocacheverify=1 the go command "
        + (
            "reported a verification failure"
            if reported
            else f"reported nothing, {'compiled the package again' if compiled(check) else 'did not compile'}"
            f" and silently replaced {repaired} of {len(archives)} altered archive(s) with a good copy"
        ),
    )
