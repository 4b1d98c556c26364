"""The behaviour suite's conftest: it loads the experiment side of the plugin and shares a fixture.

The ``claim`` fixtures and marker checks (:mod:`pytest_goenv.plugin.behaviour`) are loaded only
when this package is collected; plain helpers live in ``_helpers``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_goenv.behaviour._helpers import DEP, DEP_FILES
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv


def pytest_configure(config: pytest.Config) -> None:
    from pytest_goenv.plugin.behaviour import activate

    activate(config)


@pytest.fixture
def dep_proxy(goenv: GoEnv) -> Iterator[GoProxy]:
    """A file:// module proxy serving example.com/dep v1.0.0, set as the sandbox's GOPROXY."""
    with GoProxy(goenv.root / "proxy") as proxy:
        proxy.add(DEP, "v1.0.0", DEP_FILES)
        goenv.setenv("GOPROXY", proxy.url)
        goenv.setenv("GOFLAGS", "-modcacherw")  # lets experiments edit the module cache
        yield proxy
