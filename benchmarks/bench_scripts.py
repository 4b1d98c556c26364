"""A toolchain's own cmd/go script suite: pytest-goenv against Go's own harness, on the same machine.

Runs ``GOROOT/src/cmd/go/testdata/script`` of one toolchain twice:

- under pytest-goenv: ``pytest --goenv-scripts=cmd/go --goenv-short -n JOBS --go=GOROOT`` (JUnit XML);
- under Go's harness: the ``cmd/go`` test binary built from that GOROOT (``go test -c``, not timed),
  run as ``cmd.test -test.short -test.run=^TestScript$ -test.parallel=JOBS`` in ``src/cmd/go``
  through ``go tool test2json``, with a private HOME, GOCACHE, GOPATH and TMPDIR, GOTOOLCHAIN=local
  and GOPROXY=off;

and prints passed / failed / skipped on each side, every script that passes under Go's harness
and not here (with the reason this side gave), every script that fails there and passes here,
the share of Go's passing scripts that pass here (target: at least 90%), and the wall-time ratio
(target: at most 1.5x).  The first run of a toolchain also pays for warming both build caches.

Run: ``python benchmarks/bench_scripts.py [--go 1.27.3|GOROOT] [--jobs 2] [--list FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from pytest_goenv.toolchains.cachedir import default_cache_root
from pytest_goenv.toolchains.provision import provision
from pytest_goenv.toolchains.toolchain import GoToolchain

Outcomes = dict[str, tuple[str, str]]  # script name -> (passed|failed|skipped, reason)


def _toolchain(spec: str) -> GoToolchain:
    if Path(spec).exists():
        return GoToolchain.from_path(spec)
    return GoToolchain.from_path(provision(spec).goroot)


def _ours(toolchain: GoToolchain, jobs: int, scratch: Path, listed: Path | None) -> tuple[Outcomes, float]:
    xml = scratch / "ours.xml"
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--goenv-scripts=cmd/go"]
    args += ["--goenv-short", f"-n{jobs}", f"--go={toolchain.goroot}", f"--junitxml={xml}"]
    if listed is not None:
        args.append(f"--goenv-script-list={listed}")
    start = time.monotonic()
    subprocess.run(args, cwd=scratch, capture_output=True, text=True, check=False, timeout=7200)
    wall = time.monotonic() - start
    outcomes: Outcomes = {}
    for case in ET.parse(xml).iter("testcase"):
        name = str(case.get("name")).split("[", 1)[0]
        failed = case.find("failure") if case.find("failure") is not None else case.find("error")
        skipped = case.find("skipped")
        if failed is not None:
            outcomes[name] = ("failed", (failed.get("message") or "").split("\n", 1)[0])
        elif skipped is not None:
            outcomes[name] = ("skipped", skipped.get("message") or "")
        else:
            outcomes[name] = ("passed", "")
    return outcomes, wall


def _go_env(toolchain: GoToolchain, scratch: Path, cache: Path) -> dict[str, str]:
    home = scratch / "home"
    for directory in (home, scratch / "gopath", scratch / "tmp", cache):
        directory.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": f"{toolchain.bindir}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "HOME": str(home),
        "GOCACHE": str(cache),
        "GOPATH": str(scratch / "gopath"),
        "TMPDIR": str(scratch / "tmp"),
        "GOTOOLCHAIN": "local",
        "GOPROXY": "off",
        "GOFLAGS": "",
    }


def _theirs(toolchain: GoToolchain, jobs: int, scratch: Path, listed: Path | None) -> tuple[Outcomes, float]:
    env = _go_env(toolchain, scratch, default_cache_root() / "bench-cmdgo-gocache" / toolchain.name)
    cmd_go = toolchain.goroot / "src" / "cmd" / "go"
    binary = scratch / "cmdgo.test"
    subprocess.run([str(toolchain.go), "test", "-c", "-o", str(binary), "."], cwd=cmd_go, env=env, check=True)
    pattern = "^TestScript$"
    if listed is not None:
        names = [line.split("#", 1)[0].strip() for line in listed.read_text().splitlines()]
        pattern = "^TestScript$/^(" + "|".join(name for name in names if name) + ")$"
    argv = [str(toolchain.go), "tool", "test2json", "-t", str(binary), "-test.short", f"-test.run={pattern}"]
    argv += [f"-test.parallel={jobs}", "-test.v=test2json"]
    start = time.monotonic()
    done = subprocess.run(argv, cwd=cmd_go, env=env, capture_output=True, text=True, check=False, timeout=7200)
    wall = time.monotonic() - start
    outcomes: Outcomes = {}
    output: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        test = str(event.get("Test") or "")
        if not test.startswith("TestScript/") or test == "TestScript/README":
            continue
        name = test.removeprefix("TestScript/")
        if event.get("Action") == "output":
            output.setdefault(name, []).append(str(event.get("Output", "")))
        elif event.get("Action") in ("pass", "fail", "skip"):
            verdict = {"pass": "passed", "fail": "failed", "skip": "skipped"}[str(event["Action"])]
            reason = next((o.strip() for o in output.get(name, []) if "SKIP" in o or "FAIL:" in o), "")
            outcomes[name] = (verdict, reason)
    return outcomes, wall


def _count(outcomes: Outcomes) -> str:
    counts = {
        kind: sum(1 for verdict, _ in outcomes.values() if verdict == kind) for kind in ("passed", "failed", "skipped")
    }
    return ", ".join(f"{number} {kind}" for kind, number in counts.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--go", default="1.27.3", help="a Go version to provision, or a GOROOT (default 1.27.3)")
    parser.add_argument("--jobs", type=int, default=2, help="scripts run at once on each side (default 2)")
    parser.add_argument("--list", type=Path, help="only the scripts this file names, one per line")
    options = parser.parse_args()
    toolchain = _toolchain(options.go)
    with tempfile.TemporaryDirectory(prefix="bench-scripts-") as scratch_dir:
        scratch = Path(scratch_dir)
        (scratch / "ours").mkdir()
        (scratch / "theirs").mkdir()
        ours, our_wall = _ours(toolchain, options.jobs, scratch / "ours", options.list)
        theirs, their_wall = _theirs(toolchain, options.jobs, scratch / "theirs", options.list)
    print(f"cmd/go scripts of {toolchain.name} ({toolchain.goroot}), {options.jobs} at a time")
    print(f"  Go's harness:  {_count(theirs)}  in {their_wall:.1f} s (test binary build excluded)")
    print(f"  pytest-goenv:  {_count(ours)}  in {our_wall:.1f} s")
    passing = [name for name, (verdict, _) in theirs.items() if verdict == "passed"]
    kept = [name for name in passing if ours.get(name, ("missing", ""))[0] == "passed"]
    share = len(kept) / len(passing) if passing else 0.0
    print(f"  of Go's {len(passing)} passing scripts {len(kept)} pass here: {share:.1%} (target at least 90%)")
    print(f"  wall-time ratio: {our_wall / their_wall:.2f}x (target at most 1.5x)")
    print("passing under Go's harness, not here:")
    for name in sorted(set(passing) - set(kept)):
        verdict, reason = ours.get(name, ("missing", "not collected"))
        print(f"  {name}: {verdict}: {reason[:200]}")
    wrongly = sorted(n for n, (v, _) in ours.items() if v == "passed" and theirs.get(n, ("", ""))[0] == "failed")
    print(f"failing under Go's harness, passing here: {', '.join(wrongly) or 'none'}")
    extra = sorted(n for n, (v, _) in ours.items() if v == "failed" and theirs.get(n, ("", ""))[0] == "skipped")
    print(f"skipped under Go's harness, failing here: {', '.join(extra) or 'none'}")


if __name__ == "__main__":
    main()
