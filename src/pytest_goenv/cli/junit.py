"""Reading the matrix outcomes back from JUnit XML files (``pytest --junitxml``) of several runs.

Each test that used a toolchain carries the ``go_toolchain`` and ``go_version`` properties; a
test is named by its node id when the file says where it is (``junit_family=xunit1``), else
``classname::name`` as JUnit gives it, without the toolchain's part of its id either way, so
the same test run by two CI jobs on two toolchains lands in one row.  The outcome is read from
the test case's children as pytest writes them: ``failure`` (failed), ``error`` (error, setup or
teardown), ``skipped`` of type ``pytest.xfail`` (xfailed), other ``skipped`` (skipped), none
(passed; JUnit XML does not tell a non-strict xpass from a pass).

Example::

    outcomes = MatrixOutcomes()
    read_junit(Path("junit-go1.22.xml"), outcomes)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from pytest_goenv.base.errors import GoenvError
from pytest_goenv.toolchains.changes import MatrixOutcomes, strip_toolchain_id
from pytest_goenv.toolchains.version import GoVersion, InvalidGoVersion

__all__ = ["JUnitError", "read_junit"]

TOOLCHAIN_PROPERTY = "go_toolchain"
VERSION_PROPERTY = "go_version"


class JUnitError(GoenvError, ValueError):
    """A file that is not JUnit XML as pytest writes it; the message names the file."""


def read_junit(path: Path, outcomes: MatrixOutcomes) -> int:
    """Record the outcomes of ``path``'s Go tests into ``outcomes``; return how many test cases counted."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise JUnitError(
            f"{path}: cannot read it as JUnit XML ({exc}); pass files written by pytest --junitxml"
        ) from None
    if root.tag not in ("testsuites", "testsuite"):
        raise JUnitError(f"{path}: its root element is <{root.tag}>, not <testsuites>; pass pytest --junitxml files")
    counted = 0
    for case in root.iter("testcase"):
        properties = {item.get("name"): item.get("value", "") for item in case.iter("property")}
        toolchain_id = properties.get(TOOLCHAIN_PROPERTY)
        if not toolchain_id:
            continue  # not a Go test, or written without the plugin
        version_text = properties.get(VERSION_PROPERTY, "")
        try:
            outcomes.add_toolchain(toolchain_id, GoVersion.parse(version_text))
        except InvalidGoVersion:
            raise JUnitError(
                f"{path}: test {case.get('name')!r} has go_version {version_text!r}, not a Go version"
            ) from None
        name = _test_name(case)
        outcomes.record(strip_toolchain_id(name, toolchain_id), toolchain_id, _outcome(case))
        counted += 1
    return counted


def _test_name(case: ET.Element) -> str:
    """The test's id: pytest's node id when the file is known (``junit_family=xunit1``), else ``classname::name``."""
    classname, name, file = case.get("classname", ""), case.get("name", ""), case.get("file")
    module = file.removesuffix(".py").replace("/", ".") if file else None
    if file and module and (classname == module or classname.startswith(f"{module}.")):
        classes = [part for part in classname[len(module) :].split(".") if part]
        return "::".join([file, *classes, name])
    return f"{classname}::{name}"


def _outcome(case: ET.Element) -> str:
    """The worst outcome a test case's children record."""
    if case.find("error") is not None:
        return "error"
    if case.find("failure") is not None:
        return "failed"
    skipped = case.find("skipped")
    if skipped is not None:
        return "xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"
    return "passed"
