"""Runtime output parsing (gctrace, schedtrace, inittrace, tracebacks) and the runtime assertions.

The first half feeds the parsers the formats of Go 1.21 to 1.27 as the runtime prints them; the
second half builds a real program with the toolchain under test and checks what its runtime prints.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_goenv.assertions.outcomes import assert_succeeded
from pytest_goenv.assertions.runtime import (
    RuntimeAssertionError,
    assert_fatal_error,
    assert_gctrace,
    assert_panicked,
    assert_schedtrace,
    godebug_value,
    run_program,
)
from pytest_goenv.readers.gotrace import (
    parse_gctrace,
    parse_inittrace,
    parse_schedtrace,
    parse_traceback,
)
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.toolchains.toolchain import GoToolchain

# -- gctrace ------------------------------------------------------------------------------------------

GCTRACE = """\
hello
gc 1 @0.000s 8%: 0.006+0.075+0.002 ms clock, 0.012+0.046/0.020/0.021+0.004 ms cpu, 8->8->8 MB, 8 MB goal, \
0 MB stacks, 0 MB globals, 2 P
gc 2 @0.012s 13%: 0.047+0.050+0.001 ms clock, 0.094+0/0.043/0.003+0.003 ms cpu, 8->9->4 MB, 16 MB goal, \
1 MB stacks, 0 MB globals, 4 P (forced)
gc 3 @1.500s 0% (checking for goroutine leaks): 0.1+0.2+0.3 ms clock, 0.2+0/0.1/0+0.6 ms cpu, 4->4->1 MB, \
8 MB goal, 0 MB stacks, 0 MB globals, 2 P
"""


def test_gctrace_lines_become_records() -> None:
    first, forced, leaks = parse_gctrace(GCTRACE)
    assert first.number == 1
    assert first.clock_ms == (0.006, 0.075, 0.002)
    assert first.cpu_ms == (0.012, 0.046, 0.020, 0.021, 0.004)
    assert first.sizes_mb == {"stacks": 0, "globals": 0}
    assert not first.forced
    assert (forced.at, forced.cpu_percent, forced.procs) == (0.012, 13, 4)
    assert (forced.heap_start_mb, forced.heap_end_mb, forced.heap_live_mb, forced.heap_goal_mb) == (8, 9, 4, 16)
    assert forced.forced
    assert forced.pause_ms == pytest.approx(0.048)
    # Go 1.27 annotates a cycle that looks for leaked goroutines before the colon
    assert leaks.notes == ("checking for goroutine leaks",)
    assert not leaks.forced


def test_gctrace_without_stack_and_global_sizes() -> None:
    # the form before "MB stacks" and "MB globals" were added
    (record,) = parse_gctrace("gc 7 @2.1s 1%: 0+1.2+0 ms clock, 0+0.1/1/0+0 ms cpu, 4->5->2 MB, 5 MB goal, 8 P\n")
    assert (record.number, record.heap_goal_mb, record.procs, record.sizes_mb) == (7, 5, 8, {})


def test_gctrace_ignores_other_lines() -> None:
    assert parse_gctrace("gc is fun\ngc 1 @x\npanic: gc 1 @0.1s\n") == []


# -- schedtrace ---------------------------------------------------------------------------------------

SCHED_OLD = """\
SCHED 0ms: gomaxprocs=2 idleprocs=1 threads=4 spinningthreads=0 needspinning=0 idlethreads=2 runqueue=0 [0 3]
SCHED 105ms: gomaxprocs=2 idleprocs=1 threads=5 spinningthreads=0 needspinning=0 idlethreads=2 runqueue=1 [0 0]
"""
SCHED_NEW = (
    "SCHED 204ms: gomaxprocs=4 idleprocs=0 threads=4 spinningthreads=1 needspinning=0 idlethreads=1 "
    "runqueue=1 [ 0 2 0 0 ] schedticks=[ 5 6 7 8 ]\n"
)
SCHED_DETAIL = """\
SCHED 0ms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=1 needspinning=0 idlethreads=1 runqueue=0 \
gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false
  P0: status=1 schedtick=0 syscalltick=0 m=3 runqsize=0 gfreecnt=0 timerslen=0
  P1: status=1 schedtick=3 syscalltick=0 m=0 runqsize=0 gfreecnt=0 timerslen=0
  M0: p=1 curg=1 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=false lockedg=nil
  G1: status=2(chan receive) m=0 lockedm=nil
  G2: status=4(force gc (idle)) m=nil lockedm=nil
SCHED 200ms: gomaxprocs=2 idleprocs=1 threads=5 spinningthreads=0 needspinning=0 idlethreads=3 runqueue=0 \
gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false
  P0: status=0 schedtick=7 syscalltick=0 m=nil runqsize=0 gfreecnt=0 timerslen=0
"""


def test_schedtrace_before_and_after_schedticks() -> None:
    old = parse_schedtrace(SCHED_OLD)
    assert [r.at_ms for r in old] == [0, 105]
    assert old[0].local_runqueues == (0, 3)
    assert old[0].schedticks == ()
    assert (old[1].gomaxprocs, old[1].threads, old[1].number("runqueue")) == (2, 5, 1)
    (new,) = parse_schedtrace(SCHED_NEW)
    assert new.local_runqueues == (0, 2, 0, 0)
    assert new.schedticks == (5, 6, 7, 8)
    assert new.fields["spinningthreads"] == "1"


def test_scheddetail_lines_attach_to_their_sched_line() -> None:
    first, second = parse_schedtrace(SCHED_DETAIL)
    assert first.fields["gcwaiting"] == "false"
    assert [(d.kind, d.id) for d in first.details] == [("P", 0), ("P", 1), ("M", 0), ("G", 1), ("G", 2)]
    assert first.of_kind("P")[1].fields["schedtick"] == "3"
    assert first.of_kind("M")[0].fields["preemptoff"] == ""
    g2 = first.of_kind("G")[1]
    assert g2.fields == {"status": "4", "waitreason": "force gc (idle)", "m": "nil", "lockedm": "nil"}
    assert [d.id for d in second.details] == [0]


def test_sched_field_error_names_the_fields() -> None:
    (record,) = parse_schedtrace(SCHED_NEW)
    with pytest.raises(KeyError, match=r"no field 'nope'.*gomaxprocs"):
        record.number("nope")


def test_inittrace() -> None:
    text = (
        "init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs\n"
        "init main @1.2 ms, 0.3 ms clock, 48 bytes, 2 allocs\n"
    )
    first, main = parse_inittrace(text)
    assert first.package == "internal/bytealg"
    assert (main.package, main.at_ms, main.clock_ms, main.bytes, main.allocs) == ("main", 1.2, 0.3, 48, 2)


# -- tracebacks ---------------------------------------------------------------------------------------

NESTED_121 = """\
starting
panic: first [recovered]
\tpanic: second
multi

goroutine 1 [running]:
main.main.func1()
\t/src/main.go:27 +0x25
panic({0x486ba0?, 0x4b7c38?})
\t/go/src/runtime/panic.go:914 +0x21f
main.main()
\t/src/main.go:28 +0x46f
exit status 2
"""

DEADLOCK_127 = """\
fatal error: all goroutines are asleep - deadlock!

goroutine 1 gp=0x2705cfa581e0 m=0 mp=0x57c480 [chan receive, 3 minutes, locked to thread]:
main.main()
\t/src/main.go:45 +0x374 fp=0x2705cfab6eb8 sp=0x2705cfab6d80 pc=0x49db51

goroutine 6 gp=0x2705cfa58780 m=nil [select] {"span id": 7, user: alice, "q": "say \\"hi\\"\\tnow \\u00e9"}:
main.worker(...)
\t/src/main.go:18
main.(*Pool[...]).run(0xc000010000, {0x4b5c2e, 0x5})
\tC:/work/pool.go:9 +0x1d
...additional frames elided...
created by main.main in goroutine 1
\t/src/main.go:44 +0x365

goroutine 7 [running]:
\tgoroutine running on other thread; stack unavailable
created by main.main
\t/src/main.go:44 +0x365
"""

OVERFLOW = """\
runtime: goroutine stack exceeds 65536-byte limit
runtime: sp=0xc000090390 stack=[0xc000090000, 0xc0000a0000]
fatal error: stack overflow

runtime stack:
runtime.throw({0x499bbf?, 0x200000008?})
\t/go/src/runtime/panic.go:1077 +0x5c fp=0x7ffe45085c48 sp=0x7ffe45085c18 pc=0x430dfc
runtime.morestack()
\t/go/src/runtime/asm_amd64.s:593 +0x8f fp=0x7ffe45085e00 sp=0x7ffe45085df8 pc=0x45b34f

goroutine 1 [running]:
main.recurse(0xa6e?)
\t/src/main.go:16 +0x29
...5235 frames elided...
main.main()
\t/src/main.go:50 +0x29
"""


def test_nested_panics_in_order_with_recovered_note() -> None:
    tb = parse_traceback(NESTED_121)
    assert tb is not None
    assert tb.kind == "panic"
    assert [(p.message, p.recovered) for p in tb.panics] == [("first", True), ("second\nmulti", False)]
    assert tb.message == "first"
    (goroutine,) = tb.goroutines
    assert goroutine.functions == ("main.main.func1", "panic", "main.main")
    panic_frame = goroutine.frames[1]
    assert panic_frame.args == "{0x486ba0?, 0x4b7c38?}"
    assert (panic_frame.file, panic_frame.line, panic_frame.offset) == ("/go/src/runtime/panic.go", 914, 0x21F)


def test_multi_line_message_indented_by_newer_runtimes() -> None:
    old = parse_traceback("panic: boom\nsecond line\n\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n")
    new = parse_traceback("panic: boom\n\tsecond line\n\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n")
    assert old is not None
    assert new is not None
    assert old.message == new.message == "boom\nsecond line"


def test_repanicked_note_of_go_123_and_later() -> None:
    tb = parse_traceback("panic: again [recovered, repanicked]\n\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:3\n")
    assert tb is not None
    (only,) = tb.panics
    assert (only.message, only.recovered, only.repanicked) == ("again", True, True)


def test_goroutine_headers_frames_and_creators() -> None:
    tb = parse_traceback(DEADLOCK_127)
    assert tb is not None
    assert (tb.kind, tb.message) == ("fatal error", "all goroutines are asleep - deadlock!")
    main, worker, running = tb.goroutines
    assert main is tb.crashed
    assert (main.status, main.wait_minutes, main.locked_to_thread) == ("chan receive", 3, True)
    assert main.frames[0].offset == 0x374
    assert worker.labels == (("span id", "7"), ("user", "alice"), ("q", 'say "hi"\tnow é'))
    assert worker.functions == ("main.worker", "main.(*Pool[...]).run")
    assert worker.frames[0].inlined
    assert worker.frames[1].args == "0xc000010000, {0x4b5c2e, 0x5}"
    assert worker.frames[1].location == "C:/work/pool.go:9"
    assert worker.elided
    assert worker.created_by is not None
    assert (worker.created_by.function, worker.parent_id) == ("main.main", 1)
    assert running.frames == ()
    assert running.parent_id is None  # Go 1.20 and older did not name the parent goroutine
    assert tb.goroutine(6) is worker
    with pytest.raises(KeyError, match=r"goroutine 9 is not in the traceback \(printed: 1, 6, 7\)"):
        tb.goroutine(9)


def test_ancestor_stacks_from_tracebackancestors() -> None:
    text = (
        "fatal error: all goroutines are asleep - deadlock!\n\n"
        "goroutine 18 [chan receive]:\nmain.worker(...)\n\t/src/main.go:18\n"
        "created by main.main in goroutine 1\n\t/src/main.go:44 +0x365\n"
        "[originating from goroutine 1]:\nmain.main(...)\n\t/src/main.go:45 +0x365\n"
        "[originating from goroutine 0]:\nruntime.main(...)\n\t/go/src/runtime/proc.go:283 +0x28\n"
    )
    tb = parse_traceback(text)
    assert tb is not None
    (worker,) = tb.goroutines
    assert worker.functions == ("main.worker",)
    assert [(a.id, a.functions) for a in worker.ancestors] == [(1, ("main.main",)), (0, ("runtime.main",))]


def test_labels_inside_the_brackets_in_go_126() -> None:
    header = 'goroutine 1 [running labels:{"span id": "7]", "user": "alice"}]:'
    tb = parse_traceback(f"panic: labelled\n\n{header}\nmain.main()\n\t/m.go:9\n")
    assert tb is not None
    (goroutine,) = tb.goroutines
    assert (goroutine.status, goroutine.labels) == ("running", (("span id", "7]"), ("user", "alice")))


def test_fatal_error_with_runtime_stack() -> None:
    tb = parse_traceback(OVERFLOW)
    assert tb is not None
    assert tb.fatal_error == "stack overflow"
    assert tb.runtime_messages[0] == "runtime: goroutine stack exceeds 65536-byte limit"
    assert [f.function for f in tb.runtime_stack] == ["runtime.throw", "runtime.morestack"]
    assert tb.crashed is not None
    assert tb.crashed.functions == ("main.recurse", "main.main")
    assert tb.crashed.elided


def test_signal_and_goroutine_dump() -> None:
    tb = parse_traceback("SIGQUIT: quit\nPC=0x46b2c1 m=0 sigcode=0\n\ngoroutine 0 [idle]:\nruntime.futex()\n\t/a.s:9\n")
    assert tb is not None
    assert (tb.kind, tb.signal, tb.goroutines[0].status) == ("signal", "SIGQUIT: quit", "idle")
    dump = parse_traceback("goroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n")
    assert dump is not None
    assert dump.kind == "goroutine dump"
    assert parse_traceback("hello\nall fine\n") is None


# -- against the real runtime -----------------------------------------------------------------------

PROGRAM = """\
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"
)

type T struct{ X int }

func (t *T) Get() int { return t.X }

func worker(ch chan int) { <-ch }

func main() {
	switch os.Args[1] {
	case "panic":
		panic("boom: " + os.Args[2])
	case "nil":
		var t *T
		fmt.Println(t.Get())
	case "deadlock":
		ch := make(chan int)
		go worker(ch)
		<-ch
	case "gc":
		var keep [][]byte
		for i := 0; i < 3; i++ {
			keep = append(keep, make([]byte, 1<<20))
			runtime.GC()
		}
		fmt.Println(len(keep))
	case "churn":
		total := 0
		for i := 0; i < 400; i++ {
			total += len(make([]byte, 1<<20))
		}
		fmt.Println(total)
	case "spin":
		deadline := time.Now().Add(time.Second)
		for time.Now().Before(deadline) {
		}
	case "labels":
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("user", "alice", "span id", "7")))
		panic("labelled")
	case "sleep":
		time.Sleep(time.Hour)
	case "limits":
		fmt.Println(debug.SetMemoryLimit(-1), runtime.GOMAXPROCS(0))
	}
}
"""
PANIC_LINE = PROGRAM.splitlines().index('\t\tpanic("boom: " + os.Args[2])') + 1

_built: dict[Path, Path] = {}


@pytest.fixture
def program(goenv: GoEnv, go_toolchain: GoToolchain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test program, built once per toolchain and pytest process (the binary outlives the sandbox)."""
    if go_toolchain.goroot not in _built:
        goenv.write_module("example.com/rt", {"main.go": PROGRAM}, dest="rt")
        out = tmp_path_factory.mktemp("rt-program") / "rt"
        goenv.run("build", "-o", str(out), ".", cwd="rt", env={"CGO_ENABLED": "0"})
        _built[go_toolchain.goroot] = out
    return _built[go_toolchain.goroot]


def test_panic_is_parsed_from_a_real_run(goenv: GoEnv, program: Path) -> None:
    result = run_program(goenv, program, "panic", "now")
    assert result.returncode == 2
    tb = assert_panicked(result, r"^boom: now$", function="main.main")
    assert tb.crashed is not None
    frame = tb.crashed.frames[0]
    assert (frame.function, Path(frame.file).name, frame.line) == ("main.main", "main.go", PANIC_LINE)
    assert tb.goroutines[0].status == "running"


def test_gotraceback_controls_what_is_printed(goenv: GoEnv, program: Path) -> None:
    quiet = assert_panicked(run_program(goenv, program, "panic", "x", gotraceback="none"), "boom")
    assert quiet.goroutines == ()
    system = assert_panicked(run_program(goenv, program, "panic", "x", gotraceback="system"), goroutines=3)
    functions = {f for g in system.goroutines for f in g.functions}
    assert "runtime.gopark" in functions  # runtime goroutines and frames are shown at level system
    assert all(g.created_by is not None for g in system.goroutines[1:])


def test_nil_dereference_reports_the_signal(goenv: GoEnv, program: Path) -> None:
    tb = assert_panicked(
        run_program(goenv, program, "nil"), "nil pointer dereference", signal="^SIGSEGV", function="main.(*T).Get"
    )
    assert tb.crashed is not None
    assert tb.crashed.frames[0].inlined


def test_deadlock_is_a_fatal_error(goenv: GoEnv, program: Path) -> None:
    tb = assert_fatal_error(run_program(goenv, program, "deadlock"), "deadlock", goroutines=2)
    worker = next(g for g in tb.goroutines if "main.worker" in g.functions)
    assert worker.status == "chan receive"
    assert worker.created_by is not None
    assert worker.created_by.function == "main.main"
    assert worker.parent_id == 1


@pytest.mark.go_version(">=1.26")
def test_goroutine_labels_in_tracebacks(goenv: GoEnv, program: Path) -> None:
    labelled = assert_panicked(run_program(goenv, program, "labels", godebug={"tracebacklabels": 1}), "labelled")
    assert labelled.crashed is not None
    assert labelled.crashed.labels == (("span id", "7"), ("user", "alice"))
    plain = assert_panicked(run_program(goenv, program, "labels", godebug={"tracebacklabels": 0}), "labelled")
    assert plain.crashed is not None
    assert plain.crashed.labels == ()


def test_gctrace_with_gomaxprocs(goenv: GoEnv, program: Path) -> None:
    result = run_program(goenv, program, "gc", godebug={"gctrace": 1}, gomaxprocs=1)
    assert_succeeded(result, stdout="^3$")
    records = assert_gctrace(result, min_cycles=3, forced=3, procs=1)
    assert [r.number for r in records] == list(range(1, len(records) + 1))


def test_gomemlimit_drives_gc_when_gogc_is_off(goenv: GoEnv, program: Path) -> None:
    unlimited = run_program(goenv, program, "churn", godebug={"gctrace": 1}, gogc="off")
    assert_succeeded(unlimited)
    assert parse_gctrace(unlimited.stderr) == []  # GOGC=off alone: no collection at all
    limited = run_program(goenv, program, "churn", godebug={"gctrace": 1}, gogc="off", gomemlimit="16MiB")
    records = assert_gctrace(limited, min_cycles=2)
    # the limit is soft (the GC CPU limiter may let the heap overshoot under load), so look at the median
    goals = sorted(r.heap_goal_mb for r in records)
    assert goals[len(goals) // 2] <= 16
    limits = run_program(goenv, program, "limits", gomemlimit=64 << 20, gomaxprocs=3)
    assert_succeeded(limits, stdout=f"^{64 << 20} 3$")


def test_schedtrace_reports_gomaxprocs(goenv: GoEnv, program: Path) -> None:
    result = run_program(goenv, program, "spin", godebug={"schedtrace": 50}, gomaxprocs=2)
    records = assert_schedtrace(result, min_records=3, gomaxprocs=2)
    assert len(records[0].local_runqueues) == 2
    with pytest.raises(RuntimeAssertionError, match=r"expected gomaxprocs=4 in every SCHED line, got 2 at \d+ms"):
        assert_schedtrace(result, gomaxprocs=4)


# -- failure messages ---------------------------------------------------------------------------------


def test_assert_panicked_on_a_clean_exit(goenv: GoEnv, program: Path) -> None:
    result = run_program(goenv, program, "limits")
    with pytest.raises(RuntimeAssertionError) as info:
        assert_panicked(result)
    message = str(info.value)
    assert message.startswith("expected `rt limits` to panic, but it exited with status 0 without a traceback")
    assert "command:" in message


def test_panic_message_mismatch_shows_the_parsed_traceback(goenv: GoEnv, program: Path) -> None:
    result = run_program(goenv, program, "panic", "actual")
    with pytest.raises(RuntimeAssertionError) as info:
        assert_panicked(result, "expected text")
    message = str(info.value)
    assert "to panic with a message matching /expected text/, but the panic was 'boom: actual'" in message
    assert re.search(
        r"parsed traceback:\n  panic: boom: actual\n  goroutine 1 \[running\]\n    main\.main\(\)", message
    )
    assert "stderr:" in message
    with pytest.raises(RuntimeAssertionError, match=r"expected main\.nothere among the frames of goroutine 1"):
        assert_panicked(result, function="main.nothere")
    with pytest.raises(RuntimeAssertionError, match="to die of a fatal error, but it died of a panic"):
        assert_fatal_error(result)


def test_timed_out_run_is_not_a_crash(goenv: GoEnv, program: Path) -> None:
    result = run_program(goenv, program, "sleep", timeout=0.5)
    assert result.timed_out
    with pytest.raises(RuntimeAssertionError, match=r"expected `rt sleep` to panic, but it timed out"):
        assert_panicked(result)


def test_go_test_panic_is_read_from_stdout(goenv: GoEnv) -> None:
    goenv.write_module(
        "example.com/m",
        {"m_test.go": 'package m\n\nimport "testing"\n\nfunc TestBoom(t *testing.T) { panic("boom in test") }\n'},
    )
    result = goenv.run("test", ".", cwd="m", check=False, env={"CGO_ENABLED": "0"})
    tb = assert_panicked(result, "^boom in test", function="example.com/m.TestBoom")
    assert "panic: boom in test" in result.stdout  # go test relays the test binary's output on stdout
    assert tb.panics[0].recovered  # the testing package recovers, reports and panics again
    assert tb.crashed is not None
    assert tb.crashed.created_by is not None
    assert tb.crashed.created_by.function == "testing.(*T).Run"


def test_gctrace_missing_says_why(goenv: GoEnv, program: Path) -> None:
    result = run_program(goenv, program, "gc")
    with pytest.raises(
        RuntimeAssertionError, match=r"expected at least 1 GC cycles, got 0 \(GODEBUG has no gctrace=1\)"
    ):
        assert_gctrace(result)
    traced = run_program(goenv, program, "gc", godebug="gctrace=1")
    with pytest.raises(RuntimeAssertionError, match="expected heap goals <= 1 MB, but cycle 1 aimed at"):
        assert_gctrace(traced, max_heap_goal_mb=1)


def test_run_program_rejects_bad_settings(goenv: GoEnv, program: Path) -> None:
    with pytest.raises(ValueError, match="GOTRACEBACK='loud' is not one of none, single, all"):
        run_program(goenv, program, gotraceback="loud")
    with pytest.raises(ValueError, match=r"GOMEMLIMIT='64MB'.*MiB"):
        run_program(goenv, program, gomemlimit="64MB")
    with pytest.raises(ValueError, match="GOMAXPROCS must be at least 1"):
        run_program(goenv, program, gomaxprocs=0)
    with pytest.raises(ValueError, match="values cannot contain ','"):
        godebug_value({"x": "a,b"})
    assert godebug_value({"gctrace": 1, "madvdontneed": True}) == "gctrace=1,madvdontneed=1"


def test_godebug_from_env_and_argument_are_combined(goenv: GoEnv, program: Path) -> None:
    result = run_program(goenv, program, "gc", env={"GODEBUG": "inittrace=1"}, godebug={"gctrace": 1})
    assert result.env["GODEBUG"] == "inittrace=1,gctrace=1"
    assert parse_inittrace(result.stderr)
    assert parse_gctrace(result.stderr)
