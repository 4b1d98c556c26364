"""Chapter 4.4: whether vendoring with go.sum verifies dependencies offline."""

from __future__ import annotations

import pytest

from pytest_goenv.behaviour._helpers import DEP, DEP_FILES, importer_module
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv


@pytest.mark.claim("ch4.4.vendor-gosum-static-check", expect="does-not-hold")
def test_vendor_changes_are_not_verified(goenv: GoEnv, dep_proxy: GoProxy, claim: ClaimCheck) -> None:
    module = importer_module(goenv)
    goenv.run("mod", "tidy", cwd=module)
    goenv.run("mod", "vendor", cwd=module)
    vendored = module / "vendor" / DEP / "dep.go"
    vendored.write_text(DEP_FILES["dep.go"].replace("const V = 1", "const V = 2"))
    goenv.setenv("GOPROXY", "off")
    build = claim.observe(goenv.run("build", "-mod=vendor", "./...", cwd=module, check=False))
    verify = claim.observe(goenv.run("mod", "verify", cwd=module, check=False))
    claim.holds_if(
        not build.ok,
        f"a vendored file changed after `go mod vendor`: go build -mod=vendor "
        f"{'refused it' if not build.ok else 'built it'}; go mod verify "
        f"{'failed' if not verify.ok else 'reported ' + repr(verify.stdout.strip())} (it checks the module cache)",
    )
