"""``pytest-goenv list`` and ``pytest-goenv provision``: the toolchains the plugin finds and provisions.

Both take the settings the plugin reads: the cache directory, extra toolchain directories and
offline mode, from the project's pytest configuration (:mod:`pytest_goenv.cli.project`) under
the command's own options (``--cache-dir``, ``--toolchain-dir``, ``--offline``), and the
toolchains the project's ``pytest_goenv_toolchains`` hook adds.
``provision --warm`` then builds the standard library into each toolchain's shared build cache
(:mod:`pytest_goenv.sandbox.warmcache`), so that a CI cache step saving the cache directory saves
the toolchains and their warm caches together.

Example::

    pytest-goenv provision 1.21 1.24 latest --warm --cache-dir ~/.cache/pytest-goenv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pytest_goenv.cli.project import project_config
from pytest_goenv.sandbox.warmcache import count_entries, warm_build_cache
from pytest_goenv.toolchains.cachedir import build_cache_dir
from pytest_goenv.toolchains.listing import listing_lines
from pytest_goenv.toolchains.progress import ProgressDisplay
from pytest_goenv.toolchains.selectors import SELECTOR_HELP, MatrixResolver, parse_matrix

__all__ = ["add_list_command", "add_provision_command"]


def _add_settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="the plugin's cache directory (default: the project's goenv_cache_dir, else $PYTEST_GOENV_CACHE_DIR, "
        "else $XDG_CACHE_HOME/pytest-goenv, else ~/.cache/pytest-goenv)",
    )
    parser.add_argument(
        "--toolchain-dir",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="a directory that is, or holds, Go toolchains (as goenv_toolchain_dirs); repeatable",
    )
    parser.add_argument("--offline", action="store_true", help="never download: installed toolchains only")


def add_list_command(commands: Any) -> None:
    """Register ``list``."""
    parser = commands.add_parser("list", help="list the toolchains found here and those PyPI can provision")
    _add_settings(parser)
    parser.set_defaults(run=run_list)


def add_provision_command(commands: Any) -> None:
    """Register ``provision``."""
    parser = commands.add_parser(
        "provision", help="provision toolchains (as --goenv-matrix would) and optionally warm their build caches"
    )
    parser.add_argument("selectors", nargs="+", metavar="SELECTOR", help=f"what to provision: {SELECTOR_HELP}")
    parser.add_argument("--warm", action="store_true",
                        help="build the standard library into each toolchain's shared build cache")  # fmt: skip
    _add_settings(parser)
    parser.set_defaults(run=run_provision)


def _resolver(args: argparse.Namespace, progress: bool) -> MatrixResolver:
    """A resolver with the command's options over the project's pytest settings."""
    project = project_config()
    settings = project.settings
    cache_root = args.cache_dir.expanduser().resolve() if args.cache_dir else settings.cache_root
    display = ProgressDisplay(_write_err, redraw=sys.stderr.isatty()) if progress else None
    return MatrixResolver(
        offline=args.offline or settings.offline,
        cache_root=cache_root,
        extra_dirs=[*settings.toolchain_dirs, *args.toolchain_dir],
        extra_toolchains=project.hook_toolchains,
        progress=display,
    )


def _write_err(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def run_list(args: argparse.Namespace) -> int:
    """Print the listing of ``pytest --goenv-list``."""
    for line in listing_lines(_resolver(args, progress=False)):
        print(line)
    return 0


def run_provision(args: argparse.Namespace) -> int:
    """Resolve and provision the selectors, print each toolchain, and warm the build caches if asked."""
    resolver = _resolver(args, progress=True)
    specs = parse_matrix(args.selectors)
    try:
        toolchains = resolver.resolve(specs)
    finally:
        if isinstance(resolver.progress, ProgressDisplay):
            resolver.progress.close()
    for note in resolver.notes:
        _write_err(f"note: {note}\n")
    assert resolver.cache_root is not None
    for toolchain in toolchains:
        print(f"{toolchain.name:<12} {toolchain.source:<12} {toolchain.goroot}")
        gocache = build_cache_dir(resolver.cache_root, toolchain)
        if not args.warm:
            continue
        before = count_entries(gocache)
        _write_err(f"goenv: building the standard library with {toolchain.name} into {gocache}\n")
        warmed = warm_build_cache(toolchain, resolver.cache_root)
        print(f"  build cache warm: {before} -> {warmed.entries} files in {warmed.duration:.1f} s ({gocache})")
    print(f"cache directory (save it between CI runs): {resolver.cache_root}")
    return 0
