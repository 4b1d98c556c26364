"""Parse what the Go runtime prints: gctrace, schedtrace and inittrace lines, and crash tracebacks.

The formats are those of Go 1.21 to 1.27, which differ in details this module absorbs: schedtrace's
per-P run queue list (``[0 0]`` versus ``[ 0 0 ] schedticks=[ 1 2 ]``), goroutine headers with
``gp=``/``m=`` fields, goroutine labels inside (1.26) or after (1.27) the brackets, tab-indented
continuation lines of multi-line panic values, and ``[recovered, repanicked]``.  Fields a newer
runtime adds are kept in generic mappings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

__all__ = [
    "Frame",
    "GCRecord",
    "Goroutine",
    "InitRecord",
    "Panic",
    "SchedDetail",
    "SchedRecord",
    "Traceback",
    "parse_gctrace",
    "parse_inittrace",
    "parse_schedtrace",
    "parse_traceback",
]


# ---------------------------------------------------------------------------------------------------
# GODEBUG=gctrace=1
# ---------------------------------------------------------------------------------------------------

_GC_RE = re.compile(
    r"gc (?P<n>\d+) @(?P<at>[\d.]+)s (?P<pct>\d+)%(?P<notes1>(?: \([^)]*\))*): "
    r"(?P<clock>[\d.+]+) ms clock, (?P<cpu>[\d.+/]+) ms cpu, "
    r"(?P<h0>\d+)->(?P<h1>\d+)->(?P<h2>\d+) MB, (?P<goal>\d+) MB goal(?P<sizes>(?:, \d+ MB [\w ]+?)*), "
    r"(?P<procs>\d+) P(?P<notes2>(?: \([^)]*\))*)\s*$"
)


@dataclass(frozen=True)
class GCRecord:
    """One garbage collection cycle as printed by ``GODEBUG=gctrace=1``."""

    number: int
    at: float  # seconds since the program started
    cpu_percent: int  # share of CPU used by GC since the start
    clock_ms: tuple[float, ...]  # wall time: sweep termination (STW), mark and scan, mark termination (STW)
    cpu_ms: tuple[float, ...]  # CPU time: STW sweep termination, assist, background, idle, STW mark termination
    heap_start_mb: int  # heap size when the cycle started
    heap_end_mb: int  # heap size when marking ended
    heap_live_mb: int  # live heap marked
    heap_goal_mb: int
    procs: int  # processors used (GOMAXPROCS)
    forced: bool  # runtime.GC() or debug.FreeOSMemory rather than the pacer
    sizes_mb: dict[str, int] = field(default_factory=dict)  # "stacks", "globals" and newer ones
    notes: tuple[str, ...] = ()  # parenthesised annotations such as "forced"
    line: str = ""

    @property
    def pause_ms(self) -> float:
        """Wall time spent with the world stopped (sweep termination plus mark termination)."""
        return self.clock_ms[0] + self.clock_ms[-1] if self.clock_ms else 0.0


def parse_gctrace(text: str) -> list[GCRecord]:
    """Every gctrace line in ``text`` (usually a program's stderr), in order; other lines are skipped."""
    records = []
    for line in _lines(text):
        match = _GC_RE.match(line)
        if match is None:
            continue
        notes = tuple(re.findall(r"\(([^)]*)\)", match["notes1"] + match["notes2"]))
        records.append(
            GCRecord(
                number=int(match["n"]),
                at=float(match["at"]),
                cpu_percent=int(match["pct"]),
                clock_ms=tuple(float(x) for x in match["clock"].split("+")),
                cpu_ms=tuple(float(x) for x in re.split(r"[+/]", match["cpu"])),
                heap_start_mb=int(match["h0"]),
                heap_end_mb=int(match["h1"]),
                heap_live_mb=int(match["h2"]),
                heap_goal_mb=int(match["goal"]),
                procs=int(match["procs"]),
                forced="forced" in notes,
                sizes_mb={name: int(mb) for mb, name in re.findall(r", (\d+) MB ([\w ]+?)(?=,|$)", match["sizes"])},
                notes=notes,
                line=line,
            )
        )
    return records


# ---------------------------------------------------------------------------------------------------
# GODEBUG=schedtrace=N[,scheddetail=1]
# ---------------------------------------------------------------------------------------------------

_SCHED_RE = re.compile(r"SCHED (?P<ms>\d+)ms: (?P<rest>.*)$")
_DETAIL_RE = re.compile(r"^ +(?P<kind>[PMG])(?P<id>\d+): (?P<rest>.*)$")
_G_DETAIL_RE = re.compile(r"^status=(?P<status>\d+)\((?P<reason>.*)\) (?P<rest>m=.*)$")
_KEY_VALUE_RE = re.compile(r"(\w+)=(\S*)")


@dataclass(frozen=True)
class SchedDetail:
    """One ``P``, ``M`` or ``G`` line of ``scheddetail=1`` (a processor, a thread or a goroutine)."""

    kind: str
    id: int
    fields: dict[str, str]


@dataclass(frozen=True)
class SchedRecord:
    """One scheduler trace: the ``SCHED`` summary line and, with scheddetail, the lines below it."""

    at_ms: int
    fields: dict[str, str]  # gomaxprocs, idleprocs, threads, spinningthreads, idlethreads, runqueue, ...
    local_runqueues: tuple[int, ...] = ()  # per-P run queue lengths (summary form only)
    schedticks: tuple[int, ...] = ()  # per-P schedule counts (Go >= 1.25, summary form only)
    details: tuple[SchedDetail, ...] = ()
    line: str = ""

    def number(self, name: str) -> int:
        """An integer field of the summary line; KeyError names the fields that exist."""
        try:
            return int(self.fields[name])
        except KeyError:
            raise KeyError(f"no field {name!r} in SCHED line (fields: {', '.join(self.fields)})") from None

    @property
    def gomaxprocs(self) -> int:
        """The number of Ps (GOMAXPROCS) at the time of the trace."""
        return self.number("gomaxprocs")

    @property
    def threads(self) -> int:
        """The number of OS threads (Ms) the runtime had created."""
        return self.number("threads")

    def of_kind(self, kind: str) -> list[SchedDetail]:
        """The detail lines of one kind: ``"P"`` processors, ``"M"`` threads, ``"G"`` goroutines."""
        return [detail for detail in self.details if detail.kind == kind]


def parse_schedtrace(text: str) -> list[SchedRecord]:
    """Every scheduler trace in ``text``, with scheddetail lines attached to their SCHED line."""
    records: list[SchedRecord] = []
    details: list[SchedDetail] = []

    def flush() -> None:
        if records and details:
            last = records[-1]
            records[-1] = SchedRecord(
                last.at_ms, last.fields, last.local_runqueues, last.schedticks, tuple(details), last.line
            )
        details.clear()

    for line in _lines(text):
        match = _SCHED_RE.match(line)
        if match is not None:
            flush()
            rest = match["rest"]
            ticks = re.search(r"schedticks=\[([\d ]*)\]", rest)
            if ticks:
                rest = rest[: ticks.start()] + rest[ticks.end() :]
            queues = re.search(r"\[([\d ]*)\]", rest)
            if queues:
                rest = rest[: queues.start()] + rest[queues.end() :]
            records.append(
                SchedRecord(
                    at_ms=int(match["ms"]),
                    fields=dict(_KEY_VALUE_RE.findall(rest)),
                    local_runqueues=tuple(int(x) for x in queues[1].split()) if queues else (),
                    schedticks=tuple(int(x) for x in ticks[1].split()) if ticks else (),
                    line=line,
                )
            )
            continue
        detail = _DETAIL_RE.match(line)
        if detail is not None and records:
            rest, fields = detail["rest"], {}
            g_line = _G_DETAIL_RE.match(rest) if detail["kind"] == "G" else None
            if g_line is not None:
                fields = {"status": g_line["status"], "waitreason": g_line["reason"]}
                rest = g_line["rest"]
            fields.update(_KEY_VALUE_RE.findall(rest))
            details.append(SchedDetail(detail["kind"], int(detail["id"]), fields))
    flush()
    return records


# ---------------------------------------------------------------------------------------------------
# GODEBUG=inittrace=1
# ---------------------------------------------------------------------------------------------------

_INIT_RE = re.compile(
    r"init (?P<pkg>\S+) @(?P<at>[\d.]+) ms, (?P<clock>[\d.]+) ms clock, (?P<bytes>\d+) bytes, (?P<allocs>\d+) allocs"
)


@dataclass(frozen=True)
class InitRecord:
    """One package initialisation as printed by ``GODEBUG=inittrace=1``."""

    package: str
    at_ms: float
    clock_ms: float
    bytes: int
    allocs: int


def parse_inittrace(text: str) -> list[InitRecord]:
    """Every inittrace line in ``text``, in initialisation order."""
    return [
        InitRecord(m["pkg"], float(m["at"]), float(m["clock"]), int(m["bytes"]), int(m["allocs"]))
        for m in (_INIT_RE.match(line) for line in _lines(text))
        if m is not None
    ]


# ---------------------------------------------------------------------------------------------------
# Panics and fatal errors
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """One stack frame: ``main.(*T).Get(0x0)`` and its ``/path/main.go:14 +0x1d`` line."""

    function: str
    file: str
    line: int
    args: str | None = None  # as printed between the parentheses ("..." for an inlined call)
    offset: int | None = None  # the "+0x1d" program counter offset, absent for inlined frames

    @property
    def inlined(self) -> bool:
        return self.args == "..."

    @property
    def location(self) -> str:
        """``file:line``, the way the runtime prints it."""
        return f"{self.file}:{self.line}"

    def __str__(self) -> str:
        return f"{self.function}({self.args or ''}) at {self.location}"


@dataclass(frozen=True)
class Goroutine:
    """One goroutine of a traceback: its header, frames and where it was created."""

    id: int
    state: str  # everything between the brackets: "chan receive, 2 minutes, locked to thread"
    frames: tuple[Frame, ...] = ()
    created_by: Frame | None = None
    parent_id: int | None = None  # "created by F in goroutine N" (Go >= 1.21)
    elided: bool = False  # the runtime left frames out ("...N frames elided...")
    labels: tuple[tuple[str, str], ...] = ()  # pprof labels (GODEBUG=tracebacklabels=1, Go >= 1.26)
    ancestors: tuple[Goroutine, ...] = ()  # creators' stacks (GODEBUG=tracebackancestors=N)
    header: str = ""

    @property
    def status(self) -> str:
        """The wait reason or status alone: ``running``, ``chan receive``, ``select``..."""
        return self.state.split(", ")[0]

    @property
    def wait_minutes(self) -> int:
        match = re.search(r"(\d+) minutes", self.state)
        return int(match[1]) if match else 0

    @property
    def locked_to_thread(self) -> bool:
        return "locked to thread" in self.state

    @property
    def functions(self) -> tuple[str, ...]:
        """The function names of the frames, innermost first."""
        return tuple(frame.function for frame in self.frames)

    def __str__(self) -> str:
        lines = [f"goroutine {self.id} [{self.state}]"]
        lines.extend(f"  {frame}" for frame in self.frames)
        if self.created_by is not None:
            lines.append(f"  created by {self.created_by}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Panic:
    """One ``panic:`` value; a traceback lists the first panic first and later (nested) ones after."""

    message: str
    recovered: bool = False
    repanicked: bool = False


@dataclass(frozen=True)
class Traceback:
    """A crash report: the panic values or fatal error, the signal, and every goroutine printed."""

    panics: tuple[Panic, ...] = ()
    fatal_error: str | None = None
    signal: str | None = None  # "SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49d6d2"
    goroutines: tuple[Goroutine, ...] = ()
    runtime_stack: tuple[Frame, ...] = ()  # the system stack of a fatal error ("runtime stack:")
    runtime_messages: tuple[str, ...] = ()  # "runtime: ..." lines before a fatal error

    @property
    def kind(self) -> str:
        """``"panic"``, ``"fatal error"``, ``"signal"`` or ``"goroutine dump"``."""
        if self.fatal_error is not None:
            return "fatal error"
        if self.panics:
            return "panic"
        return "signal" if self.signal else "goroutine dump"

    @property
    def message(self) -> str:
        """The first panic's value, else the fatal error, else the signal."""
        if self.panics:
            return self.panics[0].message
        return self.fatal_error or self.signal or ""

    @property
    def crashed(self) -> Goroutine | None:
        """The goroutine the runtime printed first: the one that panicked or threw."""
        return self.goroutines[0] if self.goroutines else None

    def goroutine(self, goroutine_id: int) -> Goroutine:
        """The goroutine with this id; KeyError lists the ids that were printed."""
        for goroutine in self.goroutines:
            if goroutine.id == goroutine_id:
                return goroutine
        ids = ", ".join(str(g.id) for g in self.goroutines) or "none"
        raise KeyError(f"goroutine {goroutine_id} is not in the traceback (printed: {ids})")

    def summary(self) -> str:
        """A compact rendering for failure messages."""
        lines = [f"{self.kind}: {self.message}"]
        lines.extend(f"  then panic: {p.message}" for p in self.panics[1:])
        if self.signal and self.kind != "signal":
            lines.append(f"  [signal {self.signal}]")
        lines.extend(str(goroutine) for goroutine in self.goroutines)
        return "\n".join(lines)


# Labels are printed inside the brackets by Go 1.26 ("[running labels:{...}]") and after them by 1.27.
_GOROUTINE_RE = re.compile(
    r"^goroutine (?P<id>\d+)(?: [a-z]+=\S+)* "
    r"\[(?P<state>[^\]]*?)(?: labels:\{(?P<inner_labels>.*)\})?\](?: \{(?P<labels>.*)\})?:\s*$"
)
_FILE_LINE_RE = re.compile(r"^\t(?P<file>.+?):(?P<line>\d+)(?: \+0x(?P<off>[0-9a-fA-F]+))?(?: \w+=\S+)*\s*$")
_CREATED_RE = re.compile(r"^created by (?P<func>.+?)(?: in goroutine (?P<parent>\d+))?\s*$")
_ANCESTOR_RE = re.compile(r"^\[originating from goroutine (\d+)\]:$")
_ELIDED_RE = re.compile(r"^\.\.\.(?:additional|\d+) frames elided\.\.\.$")
_SIGNAL_HEADER_RE = re.compile(r"^(SIG[A-Z0-9]+: .+|signal \d+.*)$")
_PANIC_NOTE_RE = re.compile(r" \[(recovered(?:, repanicked)?)\]$")


def parse_traceback(text: str) -> Traceback | None:
    """The crash report in ``text`` (a program's stderr), or None if it holds none.

    Output printed before the report is skipped; so are register dumps and ``exit status`` lines.
    """
    lines = list(_lines(text))
    start = _report_start(lines)
    if start is None:
        return None
    runtime_messages = tuple(line for line in lines[:start] if line.startswith("runtime: "))
    panics: list[Panic] = []
    fatal_error = signal = None
    goroutines: list[Goroutine] = []
    runtime_stack: tuple[Frame, ...] = ()
    i = start
    while i < len(lines):
        line = lines[i]
        if line.startswith(("panic: ", "\tpanic: ")) and not goroutines:
            message_lines = [line.split("panic: ", 1)[1]]
            i += 1
            while i < len(lines) and lines[i] and not _ends_message(lines[i]):
                message_lines.append(lines[i].removeprefix("\t"))
                i += 1
            panics.append(_panic_from("\n".join(message_lines)))
            continue
        if line.startswith("fatal error: ") and fatal_error is None:
            fatal_error = line[len("fatal error: ") :]
        elif line.startswith("[signal ") and line.endswith("]"):
            signal = signal or line[len("[signal ") : -1]
        elif _SIGNAL_HEADER_RE.match(line) and signal is None:
            signal = line
        elif line == "runtime stack:":
            block, i = _read_frames(lines, i + 1)
            runtime_stack = tuple(block.frames)
            continue
        elif _GOROUTINE_RE.match(line):
            block, i = _read_frames(lines, i + 1)
            goroutines.append(_goroutine_from(line, block))
            continue
        i += 1
    return Traceback(tuple(panics), fatal_error, signal, tuple(goroutines), runtime_stack, runtime_messages)


def _report_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if line.startswith(("panic: ", "fatal error: ")) or _SIGNAL_HEADER_RE.match(line):
            return i
    for i, line in enumerate(lines):
        if _GOROUTINE_RE.match(line):
            return i
    return None


def _ends_message(line: str) -> bool:
    return (
        line.startswith(("\tpanic: ", "[signal ", "fatal error: "))
        or _GOROUTINE_RE.match(line) is not None
        or line == "runtime stack:"
    )


def _panic_from(text: str) -> Panic:
    note = _PANIC_NOTE_RE.search(text)
    if note is None:
        return Panic(text)
    return Panic(text[: note.start()], recovered=True, repanicked="repanicked" in note[1])


@dataclass
class _Block:
    frames: list[Frame] = field(default_factory=list)
    created_by: Frame | None = None
    parent_id: int | None = None
    elided: bool = False
    ancestors: list[Goroutine] = field(default_factory=list)


def _read_frames(lines: list[str], i: int) -> tuple[_Block, int]:
    """Frames from line ``i`` up to the next blank line; returns them and the index after.

    ``[originating from goroutine N]:`` (GODEBUG=tracebackancestors) starts an ancestor's frames.
    """
    block = current = _Block()
    ancestor_id: int | None = None

    def close_ancestor() -> None:
        if ancestor_id is not None:
            block.ancestors.append(
                Goroutine(ancestor_id, "ancestor", tuple(current.frames), current.created_by, elided=current.elided)
            )

    while i < len(lines) and lines[i].strip():
        line = lines[i]
        location = _FILE_LINE_RE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if (origin := _ANCESTOR_RE.match(line)) is not None:
            close_ancestor()
            ancestor_id, current = int(origin[1]), _Block()
        elif _ELIDED_RE.match(line):
            current.elided = True
        elif (created := _CREATED_RE.match(line)) is not None:
            if location is not None:
                current.created_by = _frame(created["func"] + "()", location)
                i += 1
            current.parent_id = int(created["parent"]) if created["parent"] else None
        elif location is not None and not line.startswith("\t") and line.endswith(")"):
            current.frames.append(_frame(line, location))
            i += 1
        i += 1
    close_ancestor()
    return block, i


def _frame(call: str, location: re.Match[str]) -> Frame:
    """A frame from ``function(args)`` and its file line; the arguments are the last balanced parens."""
    depth, open_at = 0, -1
    for at in range(len(call) - 1, -1, -1):
        if call[at] == ")":
            depth += 1
        elif call[at] == "(":
            depth -= 1
            if depth == 0:
                open_at = at
                break
    function, args = (call[:open_at], call[open_at + 1 : -1]) if open_at > 0 else (call, None)
    offset = int(location["off"], 16) if location["off"] else None
    return Frame(function, location["file"], int(location["line"]), args, offset)


def _goroutine_from(header: str, block: _Block) -> Goroutine:
    match = _GOROUTINE_RE.match(header)
    assert match is not None
    label_text = match["labels"] or match["inner_labels"]
    labels = tuple(_labels(label_text)) if label_text else ()
    return Goroutine(
        id=int(match["id"]),
        state=match["state"],
        frames=tuple(block.frames),
        created_by=block.created_by,
        parent_id=block.parent_id,
        elided=block.elided,
        labels=labels,
        ancestors=tuple(block.ancestors),
        header=header,
    )


def _labels(text: str) -> Iterator[tuple[str, str]]:
    for pair in re.finditer(r'("(?:[^"\\]|\\.)*"|[^:,]+): ("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)', text):
        yield _unquote_label(pair[1]), _unquote_label(pair[2])


def _unquote_label(text: str) -> str:
    """A label as the runtime prints it: bare, or quoted with \\n \\t \\" \\xHH \\uHHHH escapes (ASCII only)."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].encode("ascii", "backslashreplace").decode("unicode_escape")
    return text


def _lines(text: str | Iterable[str]) -> Iterator[str]:
    source = text.splitlines() if isinstance(text, str) else text
    for line in source:
        yield line.rstrip("\r\n")
