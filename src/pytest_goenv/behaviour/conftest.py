"""Fixtures shared by the behaviour experiments (their plain helpers live in ``_helpers``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_goenv.behaviour._helpers import DEP, DEP_FILES
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv


@pytest.fixture
def dep_proxy(goenv: GoEnv) -> Iterator[GoProxy]:
    """A file:// module proxy serving example.com/dep v1.0.0, set as the sandbox's GOPROXY."""
    with GoProxy(goenv.root / "proxy") as proxy:
        proxy.add(DEP, "v1.0.0", DEP_FILES)
        goenv.setenv("GOPROXY", proxy.url)
        goenv.setenv("GOFLAGS", "-modcacherw")  # lets experiments edit the module cache
        yield proxy
