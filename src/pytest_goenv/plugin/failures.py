"""The short test summary line of a pytest-goenv failure: the message first, then the class's short name.

pytest's summary line (``FAILED test_x.py::test_y - ...``) shows the exception's fully qualified
name first (``pytest_goenv.assertions.outcomes.BuildAssertionError: ...``), and the line is cut to
the terminal's width, so the message is lost.  For an exception raised by this package the summary
reads ``<first line of the message> (BuildAssertionError)`` instead; the traceback above is unchanged.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

__all__ = ["summary_message"]


def summary_message(error: BaseException) -> str | None:
    """The summary text for ``error`` if the package raised it (None for other exceptions)."""
    if not type(error).__module__.startswith("pytest_goenv."):
        return None
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    first = lines[0] if lines else "(no message)"
    return f"{first} ({type(error).__name__})"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    crash = getattr(report.longrepr, "reprcrash", None)
    if report.failed and call.excinfo is not None and crash is not None:
        message = summary_message(call.excinfo.value)
        if message is not None:
            crash.message = message
    return report
