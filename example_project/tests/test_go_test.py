"""The library's own Go tests pass, and the go command caches their result.

A second `go test` with nothing changed must print `(cached)` and run nothing; after a
source edit the tests must run again. The first run may itself replay a result: the
build cache is shared between sessions, and with a fixed `--basetemp` this copy of the
module sits at the same path, with the same content, every time. So the edit adds a
test the cache cannot have seen.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from pytest_goenv.assertions import assert_succeeded, assert_test_cached, assert_test_ran
from pytest_goenv.sandbox.goenv import GoEnv


def test_go_test_passes_and_its_result_is_cached(goenv: GoEnv, project: Path) -> None:
    assert_succeeded(goenv.run("test", "./...", cwd=project), stdout=r"(?m)^ok\s+example\.com/sysinfo\s")

    second = goenv.run("test", "./...", cwd=project)
    assert_test_cached(second, "example.com/sysinfo")

    marker = uuid.uuid4().hex
    with (project / "sysinfo_test.go").open("a") as source:
        source.write(f'\nfunc TestAddedLater(t *testing.T) {{ t.Log("{marker}") }}\n')
    third = goenv.run("test", "-v", "./...", cwd=project)
    assert_test_ran(third, "example.com/sysinfo")
    assert marker in third.stdout
