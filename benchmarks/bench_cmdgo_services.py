"""cmd/go's test services per toolchain: archives served and skipped, and what building them costs.

For the default toolchain and every one provisioned in the cache (or the GOROOTs given), loads
``GOROOT/src/cmd/go/testdata/mod`` into a CmdGoProxy and makes its test-key checksum database, and
prints per toolchain: archives found, served, skipped (with the reason), and the median load time.

    python benchmarks/bench_cmdgo_services.py [--goroot DIR ...] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pytest_goenv.modules.proxy.cmdgo import ARCHIVE_DIR, KEY_SOURCE, cmdgo_proxy, cmdgo_sumdb
from pytest_goenv.toolchains.provision import installed_toolchains
from pytest_goenv.toolchains.toolchain import default_toolchain


def goroots(given: list[Path]) -> list[Path]:
    """The GOROOTs to measure: those given, else the default toolchain's and the provisioned ones."""
    if given:
        return given
    found = [default_toolchain().goroot.resolve()]
    found += [t.goroot.resolve() for t in installed_toolchains() if t.goroot.resolve() not in found]
    return [g for g in found if (g / ARCHIVE_DIR).is_dir() and (g / KEY_SOURCE).is_file()]


def release(goroot: Path) -> str:
    """The toolchain's release (``go1.27.3``) from its VERSION file, else the directory's path."""
    version = goroot / "VERSION"
    return version.read_text().split()[0] if version.is_file() else str(goroot)


def measure(goroot: Path, repeat: int) -> None:
    """Print one toolchain's counts and the median time to build its proxy and database."""
    seconds = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            proxy = cmdgo_proxy(goroot, Path(tmp) / "proxy")
            db = cmdgo_sumdb(goroot, proxy)
            seconds.append(time.perf_counter() - start)
    found = len(list((goroot / ARCHIVE_DIR).glob("*.txt")))
    version = release(goroot)
    print(
        f"{version:<12} archives {found:>4}  served {len(proxy.archives):>4}  skipped {len(proxy.skipped)}  "
        f"logged {len(db):>4}  load {statistics.median(seconds) * 1000:7.1f} ms (median of {repeat})"
    )
    for skipped in proxy.skipped:
        print(f"{'':<12} skipped {skipped.reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goroot", type=Path, action="append", default=[], help="a GOROOT to measure (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per toolchain (default 3)")
    args = parser.parse_args()
    seen: set[str] = set()
    for goroot in goroots(args.goroot):
        if release(goroot) not in seen:
            seen.add(release(goroot))
            measure(goroot, args.repeat)


if __name__ == "__main__":
    main()
