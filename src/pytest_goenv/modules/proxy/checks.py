"""What a proxy accepts as a module version: each refusal names the problem and the way out."""

from __future__ import annotations

from collections.abc import Mapping

from pytest_goenv.base.filetree import as_bytes
from pytest_goenv.modules import modpath
from pytest_goenv.modules.proxy.store import ModuleLineMismatch, ProxyError

__all__ = ["check_escapable", "check_go_line", "check_module_line", "check_version", "file_contents"]


def check_version(module_path: str, version: str) -> None:
    try:
        modpath.check_module_version(module_path, version)
    except modpath.InvalidModulePath as exc:
        raise ProxyError(str(exc)) from None


def check_escapable(module_path: str, version: str) -> None:
    try:
        modpath.escape_path(module_path)
        modpath.escape_version(version)
    except modpath.InvalidModulePath as exc:
        raise ProxyError(f"{module_path}@{version} cannot be served even unchecked: {exc}") from None


def check_module_line(module_path: str, version: str, mod: bytes) -> None:
    declared = modpath.declared_module(mod)
    if declared is None:
        raise ProxyError(f"{module_path}@{version}: go.mod has no module line (pass check=False to serve it anyway)")
    if declared != module_path:
        raise ModuleLineMismatch(
            f"{module_path}@{version}: go.mod declares module {declared!r}; "
            "fix the module line, or pass check=False to test the go command's mismatch error",
            declared,
        )


def check_go_line(go: object, where: str) -> None:
    try:
        modpath.check_go_line(go)
    except modpath.InvalidModulePath as exc:
        raise ProxyError(f"{where}: go={exc} (or go=None for no go line)") from None


def file_contents(files: object, where: str) -> dict[str, bytes]:
    """``files`` as ``{name: bytes}``, refusing anything but a mapping of str names to str/bytes contents."""
    if files is None:
        return {}
    if not isinstance(files, Mapping):
        raise ProxyError(
            f"{where}: files must be a mapping {{name: content}}, not {type(files).__name__} {files!r}; "
            "e.g. files={'hello.go': 'package hello\\n'}"
        )
    contents: dict[str, bytes] = {}
    for name, data in files.items():
        if not isinstance(name, str):
            raise ProxyError(f"{where}: file name {name!r} is a {type(name).__name__}; file names are strings")
        if not isinstance(data, (str, bytes)):
            raise ProxyError(
                f"{where}: the content of {name!r} is a {type(data).__name__} ({data!r}); give text (str) or bytes"
            )
        contents[name] = as_bytes(data)
    return contents
