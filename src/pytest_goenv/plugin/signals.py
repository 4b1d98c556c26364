"""SIGTERM and SIGHUP end a pytest run the way Ctrl-C does, so its clean-up runs.

CI cancellation, ``docker stop``, ``timeout`` and a closed terminal send SIGTERM or SIGHUP.
Python's default for both is to die at once: no fixture teardown, so sandboxes (with their
read-only module caches) stay and the commands running lose their parent and live on.
pytest handles only SIGINT (as KeyboardInterrupt: the session is interrupted, fixtures are torn
down, the summary says so).  While the plugin is configured, SIGTERM and SIGHUP raise
:class:`Terminated`, a KeyboardInterrupt, in the main thread; later ones are noted and ignored so
that the clean-up can finish.  A handler someone else installed is left alone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["Terminated", "end_runs_on_termination"]

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(KeyboardInterrupt):
    """The run received SIGTERM or SIGHUP; pytest ends it as an interrupted session."""


def end_runs_on_termination(*, forward: bool = False) -> Callable[[], None]:
    """Install the handlers where the defaults are in place; return what restores the previous ones.

    With ``forward`` (a pytest-xdist controller) the signal is passed on to this process's children
    in its own session, the workers, so each ends its test at once rather than when the controller
    gives up waiting for it.

    Example (what the plugin does in ``pytest_configure``)::

        config.add_cleanup(end_runs_on_termination())
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    received: list[int] = []

    def interrupt(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if forward and len(received) == 1:
            _forward(signum)
        if len(received) == 1:  # the first one ends the run; the clean-up it starts must not be cut short
            raise Terminated(f"{signal.Signals(signum).name} received: the run ends, its clean-up runs")

    previous = {}
    for number in _SIGNALS:
        if signal.getsignal(number) is signal.SIG_DFL:
            previous[number] = signal.signal(number, interrupt)

    def restore() -> None:
        for number, handler in previous.items():
            if signal.getsignal(number) is interrupt:
                signal.signal(number, handler)

    return restore


def _forward(signum: int) -> None:
    """Send ``signum`` to the children that share this process's session (not the commands or the watchdog)."""
    from pytest_goenv.base import reaper

    session = os.getsid(0)
    for child in reaper.children_of(os.getpid()):
        with contextlib.suppress(OSError):
            if os.getsid(child) == session:
                os.kill(child, signum)
