"""The plugin's markers: what they mean, how their arguments are checked, and their effect.

Marker arguments are checked when tests are collected, so a typo is a collection error
naming the test before any test runs, not a failure in the middle of a matrix.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NamedTuple

import pytest

from pytest_goenv.plugin.state import GO_FIXTURES, item_toolchain, state_of, uses_go

if TYPE_CHECKING:
    from pytest_goenv.toolchains.toolchain import GoToolchain
    from pytest_goenv.toolchains.version import GoVersionSpec

__all__ = [
    "MARKERS",
    "GoenvMarkerWarning",
    "SandboxOptions",
    "collected_items",
    "sandbox_options",
    "skip_reason",
    "unused_marker_warning",
    "validate_markers",
]

MARKERS = (
    "go_version(spec): run only on Go toolchains satisfying spec, e.g. '>=1.22' or '>=1.21,<1.23' "
    "(a bare '1.22' means any 1.22.x); skip with the reason otherwise.",
    "cgo: run only where cgo can work with the toolchain (CGO_ENABLED=1 and a C compiler found).",
    "goenv(env={...}, cache='shared'|'fresh', timeout=SECONDS): options for the test's goenv sandbox: "
    "environment overrides (None unsets), an empty private build cache, a go command time limit.",
)

CacheMode = Literal["shared", "fresh"]
CACHE_MODES: tuple[CacheMode, ...] = ("shared", "fresh")
_GOENV_OPTIONS = ("env", "cache", "timeout")
MARKER_NAMES = ("go_version", "cgo", "goenv")


class GoenvMarkerWarning(pytest.PytestWarning):
    """A goenv marker that cannot take effect where it was put."""


class SandboxOptions(NamedTuple):
    """The options a test's ``goenv`` marker asks for."""

    env: Mapping[str, str | None] = MappingProxyType({})
    cache: CacheMode = "shared"
    timeout: float | None = None


def validate_markers(item: pytest.Item) -> None:
    """Raise :class:`pytest.UsageError` naming the test if one of its markers is malformed."""
    if not any(mark.name in MARKER_NAMES for mark in item.iter_markers()):
        return  # most tests: nothing to check, in one walk up the tree instead of three
    try:
        for mark in item.iter_markers("go_version"):
            _spec_of(mark)
        for mark in item.iter_markers("cgo"):
            if mark.args or mark.kwargs:
                raise ValueError("@pytest.mark.cgo takes no arguments")
        sandbox_options(item)
    except (ValueError, TypeError) as exc:
        raise pytest.UsageError(f"{item.nodeid}: {exc}") from None


def collected_items(collected: object) -> list[pytest.Item]:
    """The test items among what ``pytest_pycollect_makeitem`` returned (an item, a list, a class or None)."""
    return [
        item for item in (collected if isinstance(collected, list) else [collected]) if isinstance(item, pytest.Item)
    ]


def unused_marker_warning(item: pytest.Item, go_fixtures: frozenset[str]) -> GoenvMarkerWarning | None:
    """A warning if ``item`` itself carries a goenv marker but uses none of ``go_fixtures``.

    Such a marker does nothing: only the Go fixtures read it.  Markers a module or class hands
    down (``pytestmark``) are left alone, since they reach tests without Go fixtures by design.
    """
    names = sorted({mark.name for mark in item.own_markers if mark.name in MARKER_NAMES})
    if not names or go_fixtures.intersection(getattr(item, "fixturenames", ())):
        return None
    marks = ", ".join(f"@pytest.mark.{name}" for name in names)
    return GoenvMarkerWarning(
        f"{marks} has no effect on {item.name}: it uses none of the fixtures "
        f"{', '.join(sorted(go_fixtures))}; request one of them (go_toolchain is enough) or drop the marker"
    )


def _spec_of(mark: pytest.Mark) -> GoVersionSpec:
    from pytest_goenv.toolchains.version import GoVersionSpec, InvalidGoVersion

    if len(mark.args) != 1 or mark.kwargs or not isinstance(mark.args[0], str):
        raise ValueError("@pytest.mark.go_version takes one specifier string, e.g. go_version('>=1.22')")
    try:
        return GoVersionSpec.parse(mark.args[0])
    except InvalidGoVersion as exc:
        raise ValueError(f"@pytest.mark.go_version: {exc}") from None


def sandbox_options(item: pytest.Item) -> SandboxOptions:
    """Merge the test's ``goenv`` markers (the closest wins per option) into sandbox options."""
    import difflib

    env: dict[str, str | None] = {}
    cache: CacheMode | None = None
    timeout: float | None = None
    for mark in reversed(list(item.iter_markers("goenv"))):  # farthest first, closest last
        if mark.args:
            raise ValueError("@pytest.mark.goenv takes keyword arguments only: env=, cache=, timeout=")
        unknown = set(mark.kwargs) - set(_GOENV_OPTIONS)
        if unknown:
            guesses = [
                close[0] for name in sorted(unknown) if (close := difflib.get_close_matches(name, _GOENV_OPTIONS, n=1))
            ]
            hint = f"did you mean {', '.join(guesses)}? " if guesses else ""
            raise ValueError(
                f"@pytest.mark.goenv: unknown option(s) {', '.join(sorted(unknown))}; {hint}"
                "known: env={...}, cache='shared'|'fresh', timeout=SECONDS"
            )
        if "env" in mark.kwargs:
            env.update(_env_of(mark.kwargs["env"]))
        if "cache" in mark.kwargs:
            given = mark.kwargs["cache"]
            if given not in CACHE_MODES:
                raise ValueError(f"@pytest.mark.goenv: cache={given!r}; use 'shared' or 'fresh'")
            cache = given
        if "timeout" in mark.kwargs:
            from pytest_goenv.base.process import check_timeout

            timeout = check_timeout(mark.kwargs["timeout"], "@pytest.mark.goenv: timeout")
    return SandboxOptions(env=env, cache=cache or "shared", timeout=timeout)


def _env_of(value: object) -> dict[str, str | None]:
    if not isinstance(value, Mapping):
        raise TypeError(f"@pytest.mark.goenv: env must be a mapping of names to strings, not {value!r}")
    env: dict[str, str | None] = {}
    for name, setting in value.items():
        if not isinstance(name, str) or not (setting is None or isinstance(setting, str)):
            raise TypeError(
                f"@pytest.mark.goenv: env[{name!r}]={setting!r}; names and values must be strings (None unsets)"
            )
        from pytest_goenv.base.process import env_problem

        problem = env_problem(name, setting)
        if problem is not None:
            raise ValueError(f"@pytest.mark.goenv: env: {problem}")
        env[name] = setting
    return env


def skip_reason(item: pytest.Item, toolchain: GoToolchain) -> str | None:
    """Why ``item`` must not run on ``toolchain`` (a go_version or cgo marker), or None."""
    for mark in item.iter_markers("go_version"):
        spec = _spec_of(mark)
        if not spec.contains(toolchain.version):
            return f"needs Go {spec}; this toolchain is {toolchain.name}"
    if item.get_closest_marker("cgo") is not None and not toolchain.cgo:
        return f"needs cgo; {toolchain.name} has CGO_ENABLED=0 or no C compiler ({toolchain.cc or 'none'})"
    return None


# --------------------------------------------------------------------------- hooks


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)


_problems_key = pytest.StashKey[list[str]]()


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class) -> Generator[None, object, object]:
    """Check the goenv markers of each test as it is collected; the problems wait for the collector's report.

    Every bad marker of a module (or class) is named in one collection error, each with its test:
    reported the same way with or without pytest-xdist, before any test runs.
    """
    collected = yield
    for item in collected_items(collected):
        try:
            validate_markers(item)
            warning = unused_marker_warning(item, GO_FIXTURES)
            if warning is not None:
                item.warn(warning)
        except (pytest.UsageError, GoenvMarkerWarning) as exc:  # the warning raises under -W error
            collector.stash.setdefault(_problems_key, []).append(str(exc))
    return collected


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Turn the marker problems found while collecting ``collector`` into one collection error."""
    report = yield
    problems = collector.stash.get(_problems_key, [])
    if problems and report.outcome != "failed":
        count = f"{len(problems)} bad goenv markers:\n" if len(problems) > 1 else ""
        report.outcome = "failed"
        report.longrepr = count + "\n".join(problems)
        report.result = []
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail or skip a Go test before its fixtures are set up: no toolchain, or its markers rule it out.

    A marker that rules the test out becomes a ``skip`` marker, which pytest's own skipping
    (run after this hook) reports at the test's location.
    """
    if not uses_go(item):
        return
    toolchain = item_toolchain(item) or state_of(item.config).single_toolchain()
    reason = skip_reason(item, toolchain)
    if reason is not None:
        item.add_marker(pytest.mark.skip(reason=reason))
