"""The library's own Go tests pass, and the go command caches their result.

A second `go test` with nothing changed must print `(cached)` and run nothing; after
a source edit the tests must run again. A test of the cache can only trust a miss
in a fresh directory: the sandbox path is new for every test, so the first run is one.
"""

from __future__ import annotations

from pathlib import Path

from pytest_goenv.assertions import assert_test_cached, assert_test_ran
from pytest_goenv.sandbox import GoEnv


def test_go_test_passes_and_its_result_is_cached(goenv: GoEnv, project: Path) -> None:
    first = goenv.run("test", "./...", cwd=project)
    assert_test_ran(first, "example.com/sysinfo")

    second = goenv.run("test", "./...", cwd=project)
    assert_test_cached(second, "example.com/sysinfo")

    with (project / "sysinfo_test.go").open("a") as source:
        source.write("\nfunc TestAddedLater(t *testing.T) {}\n")
    third = goenv.run("test", "-v", "./...", cwd=project)
    assert_test_ran(third, "example.com/sysinfo")
    assert "--- PASS: TestAddedLater" in third.stdout
