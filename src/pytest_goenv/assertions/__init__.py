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
from pytest_goenv.assertions.environment import (
    EnvLayer,
    EnvOrigin,
    EnvSource,
    assert_go_env,
    env_origin,
    known_env_names,
    read_env_file,
)
from pytest_goenv.assertions.modules import (
    GoSumChanges,
    GoSumLine,
    GoSumWatch,
    ModuleInfo,
    assert_go_sum_gained,
    assert_go_sum_unchanged,
    assert_not_vendored,
    assert_resolved,
    assert_vendored,
    read_go_sum,
    resolved_module,
    vendored_packages,
)
from pytest_goenv.assertions.results import BuildAssertionError, Pattern, assert_failed, assert_succeeded

__all__ = [
    "BuildActions",
    "BuildAssertionError",
    "CompileAction",
    "ConstraintQueryError",
    "EnvLayer",
    "EnvOrigin",
    "EnvSource",
    "GoSumChanges",
    "GoSumLine",
    "GoSumWatch",
    "GoTestOutcome",
    "ModuleInfo",
    "PackageFiles",
    "Pattern",
    "Target",
    "UnknownTargetError",
    "assert_cache_hit",
    "assert_cache_miss",
    "assert_compiled",
    "assert_failed",
    "assert_file_targets",
    "assert_go_env",
    "assert_go_sum_gained",
    "assert_go_sum_unchanged",
    "assert_not_compiled",
    "assert_not_vendored",
    "assert_resolved",
    "assert_stale",
    "assert_succeeded",
    "assert_targets",
    "assert_test_cached",
    "assert_test_ran",
    "assert_up_to_date",
    "assert_vendored",
    "build_actions",
    "compiled_files",
    "env_origin",
    "go_test_outcomes",
    "known_env_names",
    "known_targets",
    "package_files",
    "read_env_file",
    "read_go_sum",
    "resolved_module",
    "stale_packages",
    "vendored_packages",
]
