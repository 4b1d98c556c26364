"""Go's telemetry, switched off for every go command this package runs.

Go 1.23+ counts command use in files below the user config dir and may start a child
process that outlives the command to upload them; only its mode file (no environment
variable) turns that off.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["switch_off_telemetry"]


def switch_off_telemetry(config_home: Path) -> None:
    """Turn Go's telemetry off for go commands whose user config dir is ``config_home``.

    :param config_home: the directory a go command takes as its user config dir
        (``$XDG_CONFIG_HOME``, else ``$HOME/.config`` on linux); created if missing.

    Example: ``switch_off_telemetry(home / ".config")`` before running ``go`` with ``HOME=home``
    writes ``home/.config/go/telemetry/mode`` containing ``off``.
    """
    telemetry = config_home / "go" / "telemetry"
    telemetry.mkdir(parents=True, exist_ok=True)
    (telemetry / "mode").write_text("off")
