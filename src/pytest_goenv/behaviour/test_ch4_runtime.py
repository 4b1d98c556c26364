"""Chapters 4.2 and 4.3: GOTRACEBACK, GOTMPDIR and go-build work directories, GOMAXPROCS and GOMEMLIMIT."""

from __future__ import annotations

import math
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest

from pytest_goenv.behaviour._cpu_quota import CgroupUnavailable, cpu_quota, inherited_cpu_limit
from pytest_goenv.behaviour._experiments_ch234 import (
    inapplicable,
    leftover_work_dirs,
    output_lines,
    runtime_probe,
)
from pytest_goenv.behaviour._helpers import language
from pytest_goenv.behaviour._strace import opened_files
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.readers.gotrace import parse_traceback
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.result import GoResult

TRACE_LINES = ["panic:", "fatal error:", "goroutine ", "main.main", "exit status"]
MAX_INT64 = 2**63 - 1
PROBE_GOROUTINES = 4  # the probe's "panic" mode: main plus three goroutines blocked on a channel
# Root ignores file permissions through these two capabilities; without them its writes are checked.
NO_PERMISSION_OVERRIDE = (
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
    "--",
)
WHERE_AM_I = """package main

import "os"

func main() {
	exe, _ := os.Executable()
	os.Stdout.WriteString("executable=" + exe + "\\n")
}
"""
EMPTY_MAIN = "package main\n\nfunc main() {}\n"


def uncached(source: str) -> str:
    """``source`` with a package-level variable no earlier build had: no build cache holds its compiled package
    or (Go 1.24+, where go run caches the programs it links) its program, so what the go command does is the
    same on a cold or warm shared GOCACHE, on the first run or a rerun with the same --basetemp."""
    return f'{source.rstrip()}\n\nvar buildNonce = "{uuid.uuid4().hex}"\n'


@pytest.mark.claim("ch4.2.gotraceback0-fatal-only", expect={">=1.19": "partly"})
def test_gotraceback_zero(goenv: GoEnv, claim: ClaimCheck) -> None:
    """A panicking program run with GOTRACEBACK=0."""
    probe = runtime_probe(goenv, claim)
    run = claim.observe(goenv.exec(probe, "panic", env={"GOTRACEBACK": "0"}, check=False))
    traceback = parse_traceback(run.stderr)
    claim.parts(
        {
            "no goroutine stack is printed": traceback is not None and not traceback.goroutines,
            "only a 'fatal error: ...' line is printed": run.stderr.lstrip().startswith("fatal error:"),
        },
        f"exit status {run.returncode}, first line {(run.stderr.strip().splitlines() or [''])[0]!r}",
    )


@pytest.mark.claim("ch4.2.gotraceback-all-system", expect={">=1.19": "holds"})
def test_gotraceback_all_and_system(goenv: GoEnv, claim: ClaimCheck) -> None:
    """The same panic (three other goroutines blocked) with GOTRACEBACK unset, all and system."""
    probe = runtime_probe(goenv, claim)
    counts = {}
    for level in ("single", "all", "system"):
        run = claim.observe(
            goenv.exec(probe, "panic", env={"GOTRACEBACK": level}, check=False), grep=["panic:", "goroutine "]
        )
        traceback = parse_traceback(run.stderr)
        counts[level] = len(traceback.goroutines) if traceback else 0
    claim.parts(
        {
            "all shows every goroutine": counts["all"] >= 4 > counts["single"],
            "system shows every goroutine": counts["system"] >= 4 > counts["single"],
        },
        f"goroutines printed: {counts}",
    )


def permissions_enforced(goenv: GoEnv) -> list[str]:
    """The words that run a command with file permissions checked: nothing for an ordinary user,
    setpriv dropping the capabilities that let root write anywhere for root (CI runs as root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise LookupError(
            "running as root and setpriv (util-linux) is not installed, so root's write "
            "access to every directory cannot be taken away"
        )
    return [setpriv, *NO_PERMISSION_OVERRIDE]


def run_words(
    goenv: GoEnv, words: list[str], cwd: Path | None = None, env: dict[str, str | None] | None = None
) -> GoResult:
    """Run ``words`` (program and arguments) in the sandbox, unchecked."""
    return goenv.exec(words[0], *words[1:], cwd=cwd, env=env, check=False)


@pytest.mark.claim("ch4.2.gotraceback-full-stack", expect={">=1.19": "holds"})
def test_gotraceback_numeric_levels(goenv: GoEnv, claim: ClaimCheck) -> None:
    """The same panic (main and three blocked goroutines) with GOTRACEBACK=0, 1, 2 and the default single."""
    probe = runtime_probe(goenv, claim)
    counts = {}
    for level in ("0", "single", "1", "2"):
        run = claim.observe(
            goenv.exec(probe, "panic", env={"GOTRACEBACK": level}, check=False), grep=["panic:", "goroutine "]
        )
        traceback = parse_traceback(run.stderr)
        counts[level] = len(traceback.goroutines) if traceback else 0
    claim.parts(
        {
            "GOTRACEBACK=1 prints the stack of every goroutine": counts["1"] >= PROBE_GOROUTINES,
            "GOTRACEBACK=2 prints the stack of every goroutine": counts["2"] >= PROBE_GOROUTINES,
            "below 1 (GOTRACEBACK=0) the stack is cut off": counts["0"] < counts["1"],
        },
        f"goroutine stacks printed: {counts} ({PROBE_GOROUTINES} goroutines exist)",
    )


def run_with_unwritable_gotmpdir(goenv: GoEnv, claim: ClaimCheck, module: Path) -> tuple[GoResult, Path]:
    """`GOTRACEBACK=0 go run main.go` in ``module`` with GOTMPDIR an existing directory of mode 0555 (root runs
    without its permission override); the result and that directory.  Not applicable (the test stops) where
    this user cannot be kept from writing it."""
    try:
        prefix = permissions_enforced(goenv)
    except LookupError as exc:
        inapplicable(str(exc), claim)
    locked = goenv.root / "locked-tmp"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        probe = claim.observe(run_words(goenv, [*prefix, "/bin/mkdir", str(locked / "probe")]))
        if probe.ok:
            inapplicable(f"the directory {locked} (mode 0555) stays writable for this user", claim)
        if "ermission denied" not in probe.stderr:
            inapplicable(f"cannot run a command without write permission here: {probe.stderr.strip()}", claim)
        result = claim.observe(
            run_words(
                goenv,
                [*prefix, str(goenv.toolchain.go), "run", "main.go"],
                cwd=module,
                env={"GOTMPDIR": str(locked), "GOTRACEBACK": "0"},
            )
        )
    finally:
        locked.chmod(0o755)
    return result, locked


@pytest.mark.claim("ch4.2.gotmpdir-unwritable-silent", expect={">=1.19": "does-not-hold"})
def test_gotmpdir_unwritable(goenv: GoEnv, claim: ClaimCheck) -> None:
    """`go run main.go` with GOTMPDIR an existing directory the user may not write (mode 0555; root runs
    without its permission override): does the go command fail silently and leave go-build* behind?"""
    module = goenv.write_module("example.com/m", {"main.go": uncached(EMPTY_MAIN)}, go=language(goenv))
    result, locked = run_with_unwritable_gotmpdir(goenv, claim, module)
    left = leftover_work_dirs(goenv.tmpdir) + leftover_work_dirs(locked)
    claim.record("ls $TMPDIR $GOTMPDIR | grep go-build", "\n".join(left) or "(none)")
    claim.parts(
        {
            "the go command fails without a message": not result.ok and not result.stderr.strip(),
            "it leaves go-build* directories behind": bool(left),
        },
        f"exit status {result.returncode}, stderr {result.stderr.strip()[:120]!r}",
    )


def fresh_gotmpdir(goenv: GoEnv) -> Path:
    """An empty directory, set as GOTMPDIR for every later go command of the sandbox."""
    workdir = goenv.root / "gotmp"
    workdir.mkdir()
    goenv.setenv("GOTMPDIR", str(workdir))
    return workdir


@pytest.mark.claim("ch4.2.gotmpdir-work-dir", expect={">=1.19": "holds"})
def test_gotmpdir_holds_work_dirs(goenv: GoEnv, claim: ClaimCheck) -> None:
    """go build -work and go run with GOTMPDIR set: where are the work directory and the program go run runs?

    The verdict comes from a program no build cache holds (:func:`uncached`).  A second go run of the same
    program is recorded as well: Go 1.24+ caches the programs go run links and starts the cached copy from
    GOCACHE, not from GOTMPDIR."""
    workdir = fresh_gotmpdir(goenv)
    module = goenv.write_module("example.com/where", {"main.go": uncached(WHERE_AM_I)}, go=language(goenv))
    kept = claim.observe(goenv.run("build", "-work", "-o", os.devnull, ".", cwd=module), grep="WORK=")
    ran = claim.observe(goenv.run("run", ".", cwd=module))
    again = output_lines(claim.observe(goenv.run("run", ".", cwd=module)), "executable")
    work = re.findall(r"^WORK=(.+)$", kept.stderr, re.MULTILINE)
    executable = output_lines(ran, "executable")
    cached = bool(again) and Path(again[0]).is_relative_to(goenv.gocache)
    claim.record(
        "the program a second go run of the same package started",
        f"{again[:1]}: "
        + (
            "from the build cache (GOCACHE), where Go 1.24+ keeps the programs go run links"
            if cached
            else "not from the build cache"
        ),
    )
    claim.parts(
        {
            "go build's work directory is in GOTMPDIR": bool(work) and os.path.dirname(work[0]) == str(workdir),
            "go run builds and starts the program from GOTMPDIR": bool(executable)
            and executable[0].startswith(str(workdir) + os.sep),
        },
        f"WORK={work[:1]}, the program go run started: {executable[:1]}, on a second go run: {again[:1]}",
    )


@pytest.mark.claim("ch4.2.gotmpdir-per-process", expect={">=1.19": "partly"})
def test_gotmpdir_per_process(goenv: GoEnv, claim: ClaimCheck) -> None:
    """The recommended `GOTMPDIR=/var/tmp/go-$$` (here below the sandbox), set by a shell as written and
    with the directory made beforehand: does go build work, and is the space cleaned up?"""
    module = goenv.write_module("example.com/p", {"p.go": uncached("package p\n")}, go=language(goenv))
    var_tmp = goenv.root / "var" / "tmp"
    var_tmp.mkdir(parents=True)
    script = 'GOTMPDIR="$1/go-$$"; export GOTMPDIR; {make}exec "$2" build ./...'
    as_written = claim.observe(
        goenv.exec(
            "/bin/sh",
            "-c",
            script.format(make=""),
            "sh",
            str(var_tmp),
            str(goenv.toolchain.go),
            cwd=module,
            check=False,
        )
    )
    made = claim.observe(
        goenv.exec(
            "/bin/sh",
            "-c",
            script.format(make='mkdir "$GOTMPDIR"; '),
            "sh",
            str(var_tmp),
            str(goenv.toolchain.go),
            cwd=module,
            check=False,
        )
    )
    left = {entry.name: leftover_work_dirs(entry) for entry in var_tmp.iterdir()}
    claim.record(
        "ls $SANDBOX/var/tmp/*",
        "\n".join(f"{name}: {' '.join(dirs) or '(empty)'}" for name, dirs in sorted(left.items())) or "(nothing)",
    )
    claim.parts(
        {
            (
                "the go command works with GOTMPDIR=/var/tmp/go-$$ as written (nothing creates the directory)"
            ): as_written.ok,
            "each process's work directories are removed when it exits (directory made beforehand)": made.ok
            and not any(left.values()),
        },
        f"as written: exit status {as_written.returncode} {as_written.stderr.strip()[:100]!r}",
    )


@pytest.mark.claim("ch4.2.go-build-dirs-left", expect={">=1.19": "does-not-hold"})
def test_go_build_dirs_left(goenv: GoEnv, claim: ClaimCheck) -> None:
    """`GOTRACEBACK=0 go run main.go` with GOTMPDIR an unwritable directory (the document's misconfiguration;
    root runs without its permission override): are go-build* directories left in $TMPDIR (the sandbox's /tmp)
    or in GOTMPDIR?  A run with a writable GOTMPDIR is the control.  A full GOTMPDIR is not observed: making
    one needs a filesystem mount of its own."""
    module = goenv.write_module("example.com/m", {"main.go": uncached(EMPTY_MAIN)}, go=language(goenv))
    writable = fresh_gotmpdir(goenv)
    control = claim.observe(goenv.run("run", "main.go", cwd=module, check=False))
    control_left = leftover_work_dirs(writable) + leftover_work_dirs(goenv.tmpdir)
    result, locked = run_with_unwritable_gotmpdir(goenv, claim, module)
    left = leftover_work_dirs(goenv.tmpdir) + leftover_work_dirs(locked)
    claim.record("ls $TMPDIR $GOTMPDIR | grep go-build", "\n".join(left) or "(none)")
    claim.holds_if(
        bool(left) and not control_left,
        f"unwritable GOTMPDIR: exit status {result.returncode}, {len(left)} go-build* directories left "
        f"in $TMPDIR or GOTMPDIR; writable GOTMPDIR (control): exit status {control.returncode}, "
        f"{len(control_left)} left; a full GOTMPDIR was not tried",
    )


QUOTA_CPUS = 1.0
"""The CPU limit of the GOMAXPROCS experiment: Go 1.25+ derives max(2, ceil(limit)) from a cgroup limit and
never more than the CPU count, so a 1-CPU limit shows as GOMAXPROCS 2, and only where the default without
it (NumCPU, or less under a limit the host already sets on this process's cgroups) is above 2."""
LOWEST_CGROUP_GOMAXPROCS = 2


# The shell joins the cgroup, shows its membership (which the program inherits) and becomes the program.
JOIN_AND_RUN = 'echo $$ > "$1" && sed "s/^/cgroup=/" /proc/$$/cgroup && exec "$2" limits'


def procs(values: list[str]) -> int:
    """The GOMAXPROCS a probe printed (0 if it printed none)."""
    return int(values[0]) if values else 0


CPU_LIMIT_FILES = r"cpu\.max$|cpu\.cfs_(quota|period)_us$"
"""The cgroup files holding a CPU limit: cpu.max (cgroup v2), cpu.cfs_quota_us and cpu.cfs_period_us (v1)."""


@pytest.mark.claim(
    "ch4.3.gomaxprocs-0-cgroup", expect={"<1.21": "not-applicable", ">=1.21,<1.25": "does-not-hold", ">=1.25": "holds"}
)
@pytest.mark.claim("ch4.3.gomaxprocs-unset-ignores-cgroup", expect={"<1.25": "holds", ">=1.25": "does-not-hold"})
def test_gomaxprocs_and_cgroup_cpu_limit(goenv: GoEnv, claims: dict[str, ClaimCheck]) -> None:
    """A program run with GOMAXPROCS=0 and unset: does the runtime read the cgroup CPU limit (the files it opens,
    seen with strace), and does GOMAXPROCS follow a 1-CPU quota (only where one can show: more than 2 CPUs)?"""
    zero, unset = claims["ch4.3.gomaxprocs-0-cgroup"], claims["ch4.3.gomaxprocs-unset-ignores-cgroup"]
    probe = runtime_probe(goenv, zero)
    settings: dict[str, dict[str, str | None]] = {"GOMAXPROCS=0": {"GOMAXPROCS": "0"}, "unset": {"GOMAXPROCS": None}}
    checks = {"GOMAXPROCS=0": zero, "unset": unset}
    reads = {
        name: opened_files(goenv, [checks[name]], probe, "limits", env=env, interesting="cgroup").matching(
            CPU_LIMIT_FILES
        )
        for name, env in settings.items()
    }
    free_runs = {name: goenv.exec(probe, "limits", env=env) for name, env in settings.items()}
    free = {name: output_lines(run, "gomaxprocs") for name, run in free_runs.items()}
    limited, hidden = quota_effect(goenv, probe, settings, [zero, unset], free_runs)
    seen = f"CPU limit files read: {reads}; GOMAXPROCS without a limit {free}"
    seen += f", under a {QUOTA_CPUS:g}-CPU quota {limited}" if limited else f"; not observable here: {hidden}"
    zero_parts = {"with GOMAXPROCS=0 the runtime reads the cgroup CPU limit": bool(reads["GOMAXPROCS=0"])}
    unset_parts = {"with GOMAXPROCS unset the runtime reads no cgroup CPU limit": not reads["unset"]}
    if limited:
        zero_parts["GOMAXPROCS=0 follows the quota"] = procs(limited["GOMAXPROCS=0"]) < procs(free["GOMAXPROCS=0"])
        unset_parts["GOMAXPROCS unset stays at its default under the quota"] = procs(limited["unset"]) == procs(
            free["unset"]
        )
    unset.parts(unset_parts, seen)
    zero.parts(zero_parts, seen)
    if goenv.toolchain.version < "go1.21":
        zero.not_applicable(f"the document says GOMAXPROCS=0 needs go1.21+; this is {goenv.toolchain.name} ({seen})")


def quota_effect(
    goenv: GoEnv,
    probe: Path,
    settings: dict[str, dict[str, str | None]],
    checks: list[ClaimCheck],
    free_runs: dict[str, GoResult],
) -> tuple[dict[str, list[str]], str]:
    """GOMAXPROCS per setting under a 1-CPU quota; or no values and why a quota cannot show here."""
    free = {name: output_lines(run, "gomaxprocs") for name, run in free_runs.items()}
    numcpu = output_lines(free_runs["unset"], "numcpu")
    inherited = inherited_cpu_limit()
    host = f"NumCPU {numcpu[:1]}, CPU limit on this process's cgroups {inherited if inherited is not None else 'none'}"
    for check in checks:
        for run in free_runs.values():
            check.observe(run, grep=["gomaxprocs", "numcpu"])
        check.record("CPU limit on the cgroups of this process and its ancestors (cpu.max / cpu.cfs_quota_us)", host)
    # Go 1.25+ never goes below 2 from a cgroup limit: a quota can only show where the default is above 2.
    default = int(numcpu[0]) if numcpu else 0
    if inherited is not None:
        default = min(default, math.ceil(inherited))
    if default <= LOWEST_CGROUP_GOMAXPROCS:
        return {}, (
            f"whether GOMAXPROCS follows a CPU quota: {host}, the default GOMAXPROCS here is at most {default}, and "
            f"Go 1.25+ never sets GOMAXPROCS below {LOWEST_CGROUP_GOMAXPROCS} from a cgroup limit"
        )
    if goenv.toolchain.version >= "go1.25" and procs(free["unset"]) <= LOWEST_CGROUP_GOMAXPROCS:
        return {}, (
            f"whether GOMAXPROCS follows a CPU quota: {host}, yet {goenv.toolchain.name} already runs with "
            f"GOMAXPROCS {free['unset']} (a CPU limit of the host not seen here), so no quota can lower it"
        )
    limited: dict[str, list[str]] = {}
    try:
        with cpu_quota(QUOTA_CPUS) as quota:
            for check in checks:
                check.record(f"cat {quota.limit_file}", quota.describe())
            for name, env in settings.items():
                run = goenv.exec(
                    "/bin/sh", "-c", JOIN_AND_RUN, "sh", str(quota.procs), str(probe), env=env, check=False
                )
                for check in checks:
                    check.observe(run, grep=["gomaxprocs", "numcpu", "sh:", quota.directory.name])
                if quota.directory.name not in " ".join(output_lines(run, "cgroup")):
                    return {}, (
                        "whether GOMAXPROCS follows a CPU quota: the program did not run in the CPU-limited "
                        f"cgroup ({run.output.strip()[:200]})"
                    )
                limited[name] = output_lines(run, "gomaxprocs")
    except CgroupUnavailable as exc:
        return {}, f"whether GOMAXPROCS follows a CPU quota: no CPU-limited cgroup can be made here ({exc})"
    return limited, ""


@pytest.mark.claim("ch4.3.gomemlimit-0-auto", expect={">=1.19": "does-not-hold"})
def test_gomemlimit_zero(goenv: GoEnv, claim: ClaimCheck) -> None:
    """The memory limit the runtime reports with GOMEMLIMIT=0 and unset."""
    probe = runtime_probe(goenv, claim)
    unset = output_lines(claim.observe(goenv.exec(probe, "limits", env={"GOMEMLIMIT": None})), "memlimit")
    zero = output_lines(claim.observe(goenv.exec(probe, "limits", env={"GOMEMLIMIT": "0"})), "memlimit")
    derived = bool(zero) and zero[0] not in ("0", str(MAX_INT64))
    claim.holds_if(derived, f"debug.SetMemoryLimit(-1): GOMEMLIMIT unset -> {unset}, GOMEMLIMIT=0 -> {zero}")


@pytest.mark.claim("ch4.3.gomaxprocs-call-zero", expect={">=1.19": "does-not-hold"})
def test_gomaxprocs_call_zero(goenv: GoEnv, claim: ClaimCheck) -> None:
    """After runtime.GOMAXPROCS(1), does runtime.GOMAXPROCS(0) bring back the default, or only report?"""
    probe = runtime_probe(goenv, claim)
    run = claim.observe(goenv.exec(probe, "limits", env={"GOMAXPROCS": None}))
    default, after = output_lines(run, "gomaxprocs"), output_lines(run, "after-set-1")
    claim.holds_if(
        after == default and after != ["1"],
        f"default {default}; runtime.GOMAXPROCS(1) then runtime.GOMAXPROCS(0) -> {after}",
    )
