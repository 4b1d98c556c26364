"""One-line assertions about build behaviour, with failure messages that show why.

Queries (``compiled_files``, ``env_origin``, ...) observe; ``assert_*`` helpers state
a behaviour and raise :class:`BuildAssertionError` (an ``AssertionError``) with the
evidence when it does not hold.  Nothing here imports pytest.
"""

from __future__ import annotations

from pytest_goenv.assertions.cache import (
    BuildActions,
    CompileAction,
    GoTestOutcome,
    assert_cache_hit,
    assert_cache_miss,
    assert_stale,
    assert_test_cached,
    assert_test_ran,
    assert_up_to_date,
    build_actions,
    go_test_outcomes,
    stale_packages,
)
from pytest_goenv.assertions.constraints import (
    ConstraintQueryError,
    PackageFiles,
    Target,
    UnknownTargetError,
    assert_compiled,
    assert_file_targets,
    assert_not_compiled,
    assert_targets,
    compiled_files,
    known_targets,
    package_files,
)
from pytest_goenv.assertions.results import BuildAssertionError, Pattern, assert_failed, assert_succeeded

__all__ = [
    "BuildActions",
    "BuildAssertionError",
    "CompileAction",
    "ConstraintQueryError",
    "GoTestOutcome",
    "PackageFiles",
    "Pattern",
    "Target",
    "UnknownTargetError",
    "assert_cache_hit",
    "assert_cache_miss",
    "assert_compiled",
    "assert_failed",
    "assert_file_targets",
    "assert_not_compiled",
    "assert_stale",
    "assert_succeeded",
    "assert_targets",
    "assert_test_cached",
    "assert_test_ran",
    "assert_up_to_date",
    "build_actions",
    "compiled_files",
    "go_test_outcomes",
    "known_targets",
    "package_files",
    "stale_packages",
]
