"""How the plugin registers its parts: all but the on-demand ones in every run, each under its own name (pytester)."""

from __future__ import annotations

import pytest

from pytest_goenv import plugin

REPORT_PARTS = """
import pytest

def pytest_sessionfinish(session):
    manager = session.config.pluginmanager
    names = [name for name, part in manager.list_name_plugin() if part is not None and "goenv" in (name or "")]
    print("\\nPARTS:", " ".join(sorted(names)))
"""


def _registered(result: pytest.RunResult) -> set[str]:
    line = next(line for line in result.outlines if line.startswith("PARTS:"))  # a blocked name maps to None
    return set(line.split()[1:])


def test_a_plain_run_registers_the_parts_but_not_the_on_demand_ones(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(REPORT_PARTS)
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    names = _registered(result)
    assert {f"pytest_goenv.plugin.{part}" for part in plugin.PARTS} <= names
    assert "pytest_goenv.plugin.scripts" not in names
    assert "goenv-claims-recorder" not in names  # no claims can arrive: no report, no experiments, no workers


def test_script_directories_bring_in_the_scripts_part(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(REPORT_PARTS)
    pytester.mkdir("scripts")
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "--goenv-scripts=scripts")
    assert "pytest_goenv.plugin.scripts" in _registered(result)


def test_a_report_brings_in_the_claims_recorder(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(REPORT_PARTS)
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "--goenv-report=r.md")
    assert "goenv-claims-recorder" in _registered(result)
    result.stdout.fnmatch_lines(["goenv: --goenv-report=*r.md: no report written, no claim experiment ran*"])


def test_one_part_can_be_turned_off_by_its_name(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(REPORT_PARTS)
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "-p", "no:pytest_goenv.plugin.matrix")
    result.assert_outcomes(passed=1)
    names = _registered(result)
    assert "pytest_goenv.plugin.matrix" not in names
    assert "pytest_goenv.plugin.fixtures" in names


def test_parts_are_not_pytest_plugins_entries() -> None:
    # each pytest_plugins entry makes pytest search every installed distribution's entry points
    assert not hasattr(plugin, "pytest_plugins")
    assert set(plugin.PARTS).isdisjoint(plugin.ON_DEMAND_PARTS)


def test_the_plugin_loads_by_name_where_autoloading_is_off(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest(REPORT_PARTS)
    pytester.makepyfile("def test_plain():\n    pass\n")
    for name in ("goenv", "pytest_goenv.plugin"):
        result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "-p", name)
        result.assert_outcomes(passed=1)
        assert {f"pytest_goenv.plugin.{part}" for part in plugin.PARTS} <= _registered(result), name
