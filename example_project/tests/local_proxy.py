"""The modules example.com/sysinfo depends on, as a module proxy: for the tests, and for you.

Under pytest, conftest.py feeds the plugin's go_proxy (on loopback) with `add_modules`. Outside
pytest the go command needs the same modules, so run this file: it writes them as a file://
module proxy (by default in .goproxy/, which the go command ignores) and prints the GOPROXY
value that serves them:

    GOPROXY=$(python tests/local_proxy.py) go test ./...
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pytest_goenv import GoProxy

CHECKOUT = Path(__file__).resolve().parent.parent
"""example_project/: the Go workspace (go.work), the library module and cmd/."""

MODULE_ARCHIVES = sorted((CHECKOUT / "testdata" / "mod").glob("*.txt"))
"""One txtar per module version served (cmd/go's testdata/mod layout: <path with / as _>_<version>.txt)."""


def add_modules(proxy: GoProxy) -> GoProxy:
    """Add every module version of testdata/mod to ``proxy``."""
    for archive in MODULE_ARCHIVES:
        proxy.add_txtar(archive)
    return proxy


def main(argv: list[str] | None = None) -> None:
    """Write the module proxy into a directory and print its file:// GOPROXY value."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=CHECKOUT / ".goproxy",
        help="where to write the proxy (emptied first; default: %(default)s)",
    )
    directory: Path = parser.parse_args(argv).directory
    with GoProxy(directory) as proxy:
        proxy.remove_tree()  # no version left over from an earlier run
        add_modules(proxy)
        print(proxy.url)


if __name__ == "__main__":
    main()
