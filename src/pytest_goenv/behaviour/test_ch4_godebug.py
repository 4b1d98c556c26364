"""Chapter 4.1: GODEBUG settings (gctrace, schedtrace, http2debug), read from a program the go command built."""

from __future__ import annotations

import itertools
import re

import pytest

from pytest_goenv.behaviour._experiments_ch234 import build_program, output_lines, runtime_probe
from pytest_goenv.claims.verdicts import ClaimCheck
from pytest_goenv.readers.gotrace import parse_gctrace, parse_schedtrace
from pytest_goenv.sandbox.goenv import GoEnv

HTTP2 = """package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
)

func main() {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hi")
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("proto=%s body=%s\\n", resp.Proto, body)
	runtime.GC()
	// GC returns before the collector prints its gctrace line; reading the memory statistics
	// stops the world, which waits until that line is out, so exiting cannot cut it off.
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
}
"""
GODEBUG_PROBE = """package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

func lookPath() string {
	path, err := exec.LookPath("prog")
	if err != nil {
		return "error: " + err.Error()
	}
	return "found " + path
}

func main() {
	switch os.Args[1] {
	case "sleep":
		d, err := time.ParseDuration(os.Args[2])
		if err != nil {
			panic(err)
		}
		time.Sleep(d)
	case "lookpath":
		// PATH holds only the relative directory bin, which has an executable prog: LookPath finds
		// bin/prog, which it refuses (exec.ErrDot) unless GODEBUG says execerrdot=0.
		dir, err := os.MkdirTemp("", "lookpath")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bin", "prog"), []byte("#!/bin/sh\\n"), 0o755); err != nil {
			panic(err)
		}
		if err := os.Chdir(dir); err != nil {
			panic(err)
		}
		os.Setenv("PATH", "bin")
		fmt.Println("lookpath-before=" + lookPath())
		os.Setenv("GODEBUG", "execerrdot=0")
		fmt.Println("lookpath-after=" + lookPath())
	}
}
"""
"""Shows GODEBUG at run time: ``lookpath`` sets execerrdot=0 with os.Setenv between two exec.LookPath
calls; ``sleep DURATION`` just runs that long (for schedtrace)."""
SCHED_PERIOD_MS = 1000
SCHED_RUN = "2600ms"  # records at about 0, 1000 and 2000 ms, with 600 ms to spare on a loaded machine
# A duration (12ms, 1.5µs, 3s) or a word for one, after the log's own "2006/01/02 15:04:05" timestamp.
LATENCY = re.compile(r"\d(?:\.\d+)?(?:ns|us|µs|ms|s)\b|latency|rtt|round.?trip", re.IGNORECASE)
GC_EVIDENCE = ["gc ", "GC", "scvg", "SCHED", "pacer", "root", "mark", "panicnil", "done"]


@pytest.mark.claim("ch4.1.godebug-startup-only", expect={">=1.19": "partly"})
def test_godebug_changed_while_running(goenv: GoEnv, claim: ClaimCheck) -> None:
    """Programs set GODEBUG with os.Setenv while running: gctrace=1,panicnil=1 before collecting and
    panicking with nil; execerrdot=0 between two exec.LookPath calls that find a relative path."""
    probe = runtime_probe(goenv, claim)
    run = claim.observe(goenv.exec(probe, "setenv"), grep=GC_EVIDENCE)
    before, after = output_lines(run, "panicnil-before"), output_lines(run, "panicnil-after")
    build, binary = build_program(goenv, claim, GODEBUG_PROBE, name="godebug")
    assert build.ok, build.describe()
    lookpath = claim.observe(goenv.exec(binary, "lookpath"), grep=["lookpath-"])
    refused, accepted = output_lines(lookpath, "lookpath-before"), output_lines(lookpath, "lookpath-after")
    # The experiment's premise: without the setting, exec.LookPath refuses the relative bin/prog.
    assert any(line.startswith("error:") for line in refused[:1]), lookpath.describe()
    parts = {
        "gctrace set after start has no effect": not parse_gctrace(run.stderr),
        "execerrdot=0 set after start has no effect (exec.LookPath still refuses bin/prog)": accepted == refused,
    }
    if before[:1] != ["<nil>"]:  # panic(nil) has its own error (Go 1.21+), so the panicnil setting exists
        parts["panicnil set after start has no effect"] = after == before
    claim.parts(
        parts,
        f"recovered panic(nil) before: {before}, after: {after}; exec.LookPath before: {refused}, after: {accepted}",
    )


@pytest.mark.claim("ch4.1.gctrace1-fields", expect={">=1.19": "partly"})
def test_gctrace_fields(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GODEBUG=gctrace=1: parse each line and look for each field the document names."""
    probe = runtime_probe(goenv, claim)
    run = claim.observe(goenv.exec(probe, "gc", env={"GODEBUG": "gctrace=1"}), grep=GC_EVIDENCE)
    records = parse_gctrace(run.stderr)
    lines = [line for line in run.stderr.splitlines() if re.match(r"gc \d+ @", line)]
    # The clock field holds one time per phase: sweep termination (stop-the-world), concurrent mark and scan,
    # mark termination (stop-the-world). A sweep time would be a further phase or a field naming sweeping.
    sweep_shown = any(len(r.clock_ms) > 3 for r in records) or any("sweep" in line.lower() for line in lines)
    claim.parts(
        {
            "the GC number": [r.number for r in records[:2]] == [1, 2],
            "stop-the-world time": bool(records) and all(len(r.clock_ms) == 3 for r in records),
            "mark time": bool(records) and all(len(r.cpu_ms) >= 3 for r in records),
            "heap size change": bool(records) and all(r.heap_start_mb >= 0 and r.heap_end_mb >= 0 for r in records),
            "a sweep time (a phase beyond the three of the clock field, or a field naming sweeping)": sweep_shown,
        },
        f"{len(records)} gctrace lines",
    )


@pytest.mark.claim("ch4.1.gctrace2-roots", expect={"<1.25": "does-not-hold", ">=1.25": "partly"})
def test_gctrace_two(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GODEBUG=gctrace=2 against gctrace=1: which extra lines, and do they describe root scanning?"""
    probe = runtime_probe(goenv, claim)
    one = goenv.exec(probe, "gc", env={"GODEBUG": "gctrace=1"})
    two = claim.observe(goenv.exec(probe, "gc", env={"GODEBUG": "gctrace=2"}), grep=GC_EVIDENCE)
    extra = [
        line
        for line in two.stderr.splitlines()
        if line.strip() and line not in one.stderr and not re.match(r"gc \d+ @", line)
    ]
    claim.record("lines of gctrace=2 that are not gc summary lines", "\n".join(extra[:8]) or "(none)")
    claim.parts(
        {
            "gctrace=2 prints scan details": any("scan" in line.lower() for line in extra),
            "about the root objects": any("root" in line.lower() for line in extra),
        },
        f"{len(extra)} extra lines",
    )


@pytest.mark.claim("ch4.1.schedtrace", expect={">=1.19": "holds"})
def test_schedtrace(goenv: GoEnv, claim: ClaimCheck) -> None:
    """GODEBUG=schedtrace=1000 on a program that runs 2.6 s: SCHED lines, one per second."""
    build, binary = build_program(goenv, claim, GODEBUG_PROBE, name="godebug")
    assert build.ok, build.describe()
    run = claim.observe(
        goenv.exec(binary, "sleep", SCHED_RUN, env={"GODEBUG": f"schedtrace={SCHED_PERIOD_MS}"}), grep=GC_EVIDENCE
    )
    records = parse_schedtrace(run.stderr)
    gaps = [later.at_ms - earlier.at_ms for earlier, later in itertools.pairwise(records)]
    # The runtime's monitor thread prints once the period has passed since the last line and wakes at
    # least every 10 ms, so a gap is never shorter than the period (less 10 ms for the millisecond
    # truncation of the timestamps) and only longer by the wake-up interval and by whatever delay a
    # loaded two-core machine adds to a thread (allowed up to 500 ms: twice the period would be 1000).
    low, high = SCHED_PERIOD_MS - 10, SCHED_PERIOD_MS + 500
    claim.parts(
        {
            "SCHED summary lines are printed": bool(records) and "gomaxprocs" in records[0].fields,
            "one per second": len(gaps) >= 2 and all(low <= gap <= high for gap in gaps),
        },
        f"SCHED lines at {[r.at_ms for r in records]} ms in a {SCHED_RUN} run; "
        f"gaps {gaps} ms, one per second if each is within {low}-{high} ms and there are at least two",
    )


@pytest.mark.claim("ch4.1.http2debug", expect={">=1.19": "partly"})
@pytest.mark.claim("ch4.1.godebug-comma-list", expect={">=1.19": "holds"})
def test_http2debug_and_comma_list(goenv: GoEnv, claims: dict[str, ClaimCheck]) -> None:
    """An HTTP/2 request over loopback TLS with GODEBUG=http2debug=2, then with gctrace=1,http2debug=2."""
    frames = claims["ch4.1.http2debug"]
    both = claims["ch4.1.godebug-comma-list"]
    build, binary = build_program(goenv, frames, HTTP2, name="h2")
    assert build.ok, build.describe()
    alone = frames.observe(
        goenv.exec(binary, env={"GODEBUG": "http2debug=2"}),
        grep=["proto=", "wrote SETTINGS", "WINDOW_UPDATE", "HEADERS"],
    )
    trace = [line for line in alone.stderr.splitlines() if "http2:" in line]
    timed = [line for line in trace if LATENCY.search(line.split("http2:", 1)[1])]
    frames.record(
        "lines of the http2debug=2 trace that show a duration or speak of latency/RTT",
        "\n".join(timed[:5]) or f"(none of {len(trace)} http2: lines)",
    )
    # The experiment's premise, not a part of the claim: the request went over HTTP/2.
    if "proto=HTTP/2.0" not in alone.stdout:
        raise AssertionError(f"the request did not use HTTP/2, so its trace says nothing:\n{alone.describe()}")
    frames.parts(
        {
            "HTTP/2 frames are traced": "http2: Framer" in alone.stderr and "wrote HEADERS" in alone.stderr,
            "flow control is traced (WINDOW_UPDATE frames)": "WINDOW_UPDATE" in alone.stderr,
            "frame round-trip latency is shown": bool(timed),
        }
    )
    combined = both.observe(
        goenv.exec(binary, env={"GODEBUG": "gctrace=1,http2debug=2"}), grep=["proto=", "wrote SETTINGS", "gc "]
    )
    both.parts(
        {
            "gctrace=1 takes effect": bool(parse_gctrace(combined.stderr)),
            "http2debug=2 takes effect": "http2: Framer" in combined.stderr,
        }
    )
