"""go env: the value the go command computes for a variable, and which layer it came from.

The go command reads a variable from, in order: the process environment (an empty
value does not count), the user's GOENV file (written by ``go env -w``; an entry with
an empty value does count), ``GOROOT/go.env``, and its built-in default.  The value
is always the go command's own answer (``go env -json``); the layers are read here
to say where it came from, so a failure can show every layer side by side.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from pytest_goenv.assertions.outcomes import BuildAssertionError, Pattern, pattern_text
from pytest_goenv.readers.goenvfile import read_env_file

if TYPE_CHECKING:
    from pytest_goenv.sandbox.goenv import GoEnv

__all__ = ["EnvLayer", "EnvOrigin", "EnvSource", "assert_go_env", "env_origin", "known_env_names", "read_env_file"]

EnvSource = Literal["environment", "goenv", "goroot", "default"]
"""Where a go env value came from: process environment, GOENV file, GOROOT/go.env, built-in default."""

_SOURCE_LABELS: dict[str, str] = {
    "environment": "the process environment",
    "goenv": "the GOENV file",
    "goroot": "GOROOT/go.env",
    "default": "the built-in default",
}

_LAYER_NAMES: dict[str, str] = {
    "environment": "process environment",
    "goenv": "GOENV file",
    "goroot": "GOROOT/go.env",
    "default": "built-in default",
}


@dataclass(frozen=True)
class EnvLayer:
    """One place a variable can be set, and what it holds there (None: not set)."""

    source: EnvSource
    value: str | None
    path: Path | None = None

    def describe(self) -> str:
        """``GOENV file /x/env: GOPROXY=off``-style text for failure messages."""
        __tracebackhide__ = True
        where = _LAYER_NAMES[self.source]
        if self.path is not None:
            where += f" {self.path}"
        if self.source == "default":
            return where
        if self.value is None:
            return f"{where}: (not set)"
        if self.value == "" and self.source == "environment":
            return f"{where}: set to the empty string, which does not count"
        return f"{where}: {self.value!r}"


@dataclass(frozen=True)
class EnvOrigin:
    """A variable's value as the go command computes it, and the layer that supplied it."""

    name: str
    value: str
    source: EnvSource
    layers: tuple[EnvLayer, ...]

    @property
    def path(self) -> Path | None:
        """The file that set the value (GOENV file or GOROOT/go.env), if one did."""
        __tracebackhide__ = True
        return next((layer.path for layer in self.layers if layer.source == self.source), None)

    def describe(self) -> str:
        """The value, its source, and every layer in the order the go command consults them."""
        __tracebackhide__ = True
        lines = [f"go env {self.name} = {self.value!r}, from {_SOURCE_LABELS[self.source]}"]
        for layer in self.layers:
            mark = "   <- used" if layer.source == self.source else ""
            lines.append(f"  {layer.describe()}{mark}")
        return "\n".join(lines)


_KNOWN_NAMES: dict[Path, frozenset[str]] = {}


def known_env_names(goenv: GoEnv) -> frozenset[str]:
    """The variables ``go env`` reports for the sandbox's toolchain (asked once per toolchain).

    :param goenv: the sandbox whose toolchain and environment are used.

    Example: ``"GOEXPERIMENT" in known_env_names(goenv)``.
    """
    __tracebackhide__ = True
    known = _KNOWN_NAMES.get(goenv.toolchain.go)
    if known is None:
        known = frozenset(json.loads(goenv.run("env", "-json").stdout))
        _KNOWN_NAMES[goenv.toolchain.go] = known
    return known


def env_origin(
    goenv: GoEnv,
    name: str,
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> EnvOrigin:
    """The value the go command computes for ``name`` and where it came from.

    ``env`` adds variables for this one question, as :meth:`GoEnv.run` does.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param name: the variable, e.g. ``GOPROXY``; a name ``go env`` does not report is a ``ValueError``.
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example: ``env_origin(goenv, "GOPROXY").source == "environment"`` in a fresh sandbox.
    """
    __tracebackhide__ = True
    _check_name(goenv, name)
    result = goenv.run("env", "-json", name, "GOENV", "GOROOT", cwd=cwd, env=env)
    computed = {str(key): str(value) for key, value in json.loads(result.stdout).items()}
    goenv_file = computed.get("GOENV", "")
    user_file = Path(goenv_file) if goenv_file and goenv_file != "off" else None
    goroot_file = Path(computed["GOROOT"]) / "go.env" if computed.get("GOROOT") else None
    layers = [EnvLayer("environment", result.env.get(name))]
    if name != "GOENV":
        layers.append(EnvLayer("goenv", _file_value(user_file, name), user_file))
        layers.append(EnvLayer("goroot", _file_value(goroot_file, name), goroot_file))
    layers.append(EnvLayer("default", None))
    source: EnvSource = "default"
    for layer in layers:
        if layer.value is not None and (layer.value != "" or layer.source != "environment"):
            source = layer.source
            break
    return EnvOrigin(name=name, value=computed.get(name, ""), source=source, layers=tuple(layers))


def _file_value(path: Path | None, name: str) -> str | None:
    return read_env_file(path).get(name) if path is not None else None


def _check_name(goenv: GoEnv, name: str) -> None:
    __tracebackhide__ = True
    known = known_env_names(goenv)
    if name in known:
        return
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"; did you mean {close[0]}?" if close else f"; it knows {', '.join(sorted(known))}"
    raise ValueError(f"{name!r} is not a variable `go env` reports for {goenv.toolchain.name}{hint}")


def assert_go_env(
    goenv: GoEnv,
    name: str,
    value: str | re.Pattern[str] | None = None,
    *,
    source: EnvSource | None = None,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str | None] | None = None,
) -> EnvOrigin:
    """Assert the go command computes ``value`` for ``name`` (a string, or a compiled pattern to search)
    and, if ``source`` is given, that it took it from there.

    :param goenv: the sandbox whose toolchain and environment are used.
    :param name: the variable, e.g. ``GOPROXY``.
    :param value: the expected value, or a compiled pattern searched in it.
    :param source: ``"environment"``, ``"goenv"``, ``"goroot"`` or ``"default"``.
    :param cwd: where to run the go command (relative to the sandbox's work directory; default: it).
    :param env: variables set (a value of None unsets one) for this command only, as in :meth:`GoEnv.run`.

    Example::

        goenv.run("env", "-w", "GOPRIVATE=example.com")
        assert_go_env(goenv, "GOPRIVATE", "example.com", source="goenv")
    """
    __tracebackhide__ = True
    if source is not None and source not in get_args(EnvSource):
        raise ValueError(f"source={source!r}; use one of {', '.join(get_args(EnvSource))}")
    if value is None and source is None:
        raise ValueError(
            f"assert_go_env(goenv, {name!r}) states nothing; give the expected value, "
            f"source= or both, e.g. assert_go_env(goenv, {name!r}, 'off', source='environment')"
        )
    origin = env_origin(goenv, name, cwd=cwd, env=env)
    problems = []
    if value is not None and not _value_matches(value, origin.value):
        shown = pattern_text(value) if isinstance(value, re.Pattern) else repr(value)
        problems.append(f"the value {shown}")
    if source is not None and source != origin.source:
        problems.append(f"it to come from {_SOURCE_LABELS[source]}")
    if problems:
        raise BuildAssertionError(f"expected go env {name}: {' and '.join(problems)}, but\n{origin.describe()}")
    return origin


def _value_matches(expected: Pattern, actual: str) -> bool:
    if isinstance(expected, re.Pattern):
        return expected.search(actual) is not None
    return expected == actual
