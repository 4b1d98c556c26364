"""What a toolchain says about its platform, for script conditions: asked of that toolchain, never of Python.

Most answers come from the toolchain's own ``internal/platform`` tables (race, msan, asan, fuzz,
build modes, external linking) and ``internal/buildcfg`` (experiments): a small test file is laid
into that package with ``go test -overlay`` (nothing is written into the GOROOT; Go 1.21 accepts
an overlay file in an existing package, not a new package), so each release answers with its
own tables.  ``go tool dist list -json`` gives the known GOOS and
GOARCH values, ``go version -m`` whether the go binary was built with ``-trimpath``.  Answers are
kept on disk per toolchain (pytest-xdist workers and later runs read them).

Example::

    facts = toolchain_facts(toolchain, cache_dir=Path("~/.cache/pytest-goenv/facts").expanduser())
    facts.race, facts.buildmodes["pie"], "go1.21" in facts.release_tags
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pytest_goenv.base.filetree import replace_file
from pytest_goenv.base.process import run_process
from pytest_goenv.scripts.errors import ScriptError
from pytest_goenv.toolchains.facts import probe_environment
from pytest_goenv.toolchains.toolchain import GoToolchain

__all__ = ["ToolchainFacts", "toolchain_facts"]

_FORMAT = 2
_TIMEOUT = 300.0
_BUILDMODES = ("archive", "c-archive", "c-shared", "default", "exe", "pie", "plugin", "shared")

_PROBE = """\
package platform

import (
	"encoding/json"
	"internal/buildcfg"
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestGoenvFacts(t *testing.T) {
	goos, goarch := runtime.GOOS, runtime.GOARCH
	modes := map[string]bool{}
	for _, m := range strings.Fields(os.Getenv("GOENV_FACTS_MODES")) {
		modes[m] = BuildModeSupported(runtime.Compiler, m, goos, goarch)
	}
	exp, err := buildcfg.ParseGOEXPERIMENT(goos, goarch, "")
	var all []string
	if err == nil {
		all = exp.All()
	}
	data, err := json.Marshal(map[string]any{
		"race":              RaceDetectorSupported(goos, goarch),
		"msan":              MSanSupported(goos, goarch),
		"asan":              ASanSupported(goos, goarch),
		"fuzz":              FuzzSupported(goos, goarch),
		"fuzz_instrumented": FuzzInstrumented(goos, goarch),
		"mustlinkext":       MustLinkExternal(goos, goarch, false),
		"cgolinkext":        MustLinkExternal(goos, goarch, true),
		"pielinkext":        !InternalLinkPIESupported(goos, goarch),
		"buildmodes":        modes,
		"experiments":       all,
	})
	if err == nil {
		err = os.WriteFile(os.Getenv("GOENV_FACTS_OUT"), data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}
"""


@dataclass(frozen=True)
class ToolchainFacts:
    """A toolchain's answers about its host platform (the one its scripts run on)."""

    version: str
    goos: str
    goarch: str
    compiler: str
    cgo: bool
    cc: str
    exe_suffix: str
    release_tags: tuple[str, ...]
    known_os: tuple[str, ...]
    known_arch: tuple[str, ...]
    race: bool
    msan: bool
    asan: bool
    fuzz: bool
    fuzz_instrumented: bool
    mustlinkext: bool
    cgolinkext: bool
    pielinkext: bool
    trimpath: bool
    default_cgo: bool
    buildmodes: dict[str, bool] = field(default_factory=dict)
    experiments: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ToolchainFacts:
        """Rebuild facts kept on disk."""
        tuples = ("release_tags", "known_os", "known_arch", "experiments")
        values: dict[str, Any] = {key: tuple(value) if key in tuples else value for key, value in data.items()}
        return cls(**values)


def _run(toolchain: GoToolchain, args: list[str], env: dict[str, str], cwd: Path) -> str:
    outcome = run_process([str(toolchain.go), *args], cwd=cwd, env=env, timeout=_TIMEOUT)
    if outcome.returncode != 0 or outcome.timed_out:
        raise ScriptError(
            f"`go {' '.join(args)}` of {toolchain.name} failed while reading its platform facts:\n"
            f"{outcome.stderr.strip()[:2000]}"
        )
    return outcome.stdout


def _probe(toolchain: GoToolchain, gocache: Path | None) -> dict[str, Any]:
    with probe_environment() as env, tempfile.TemporaryDirectory(prefix="goenv-facts-") as scratch:
        env = {"PATH": f"{toolchain.bindir}:/usr/bin:/bin", **env, "GOFLAGS": "", "GOPROXY": "off"}
        if gocache is not None:
            env["GOCACHE"] = str(gocache)
        probe = Path(scratch) / "facts_test.go"
        probe.write_text(_PROBE)
        overlay = Path(scratch) / "overlay.json"
        target = toolchain.goroot / "src" / "internal" / "platform" / "zz_goenvfacts_test.go"
        overlay.write_text(json.dumps({"Replace": {str(target): str(probe)}}))
        out = Path(scratch) / "facts.json"
        env.update(GOENV_FACTS_OUT=str(out), GOENV_FACTS_MODES=" ".join(_BUILDMODES))
        test = ["test", "-vet=off", "-count=1", f"-overlay={overlay}", "-run=^TestGoenvFacts$", "internal/platform"]
        _run(toolchain, test, env, Path(scratch))
        answers: dict[str, Any] = json.loads(out.read_text())
        platforms = json.loads(_run(toolchain, ["tool", "dist", "list", "-json"], env, Path(scratch)))
        answers["known_os"] = sorted({entry["GOOS"] for entry in platforms})
        answers["known_arch"] = sorted({entry["GOARCH"] for entry in platforms})
        build_info = _run(toolchain, ["version", "-m", str(toolchain.go)], env, Path(scratch))
        answers["trimpath"] = bool(re.search(r"^\s*build\s+-trimpath=true\s*$", build_info, re.MULTILINE))
        exe = _run(toolchain, ["env", "GOEXE"], env, Path(scratch)).strip()
        answers["exe_suffix"] = exe
    return answers


def _default_cgo(goroot: Path) -> bool:
    """Whether the toolchain was built with CGO_ENABLED set (its zbootstrap.go records it)."""
    with contextlib.suppress(OSError):
        text = (goroot / "src" / "internal" / "buildcfg" / "zbootstrap.go").read_text()
        match = re.search(r'DefaultCGO_ENABLED\s*=\s*"([^"]*)"', text)
        return bool(match and match.group(1) in ("0", "1"))
    return False


def _key(toolchain: GoToolchain) -> dict[str, Any]:
    stamps: list[list[int] | None] = []
    for path in (toolchain.go, toolchain.goroot / "VERSION"):
        try:
            info = path.stat()
            stamps.append([info.st_ino, info.st_size, info.st_mtime_ns])
        except OSError:
            stamps.append(None)
    return {"format": _FORMAT, "goroot": str(toolchain.goroot), "stamps": stamps, "cgo": toolchain.cgo}


def toolchain_facts(
    toolchain: GoToolchain, *, cache_dir: Path | None = None, gocache: Path | None = None
) -> ToolchainFacts:
    """The platform facts of ``toolchain``, read from ``cache_dir`` if kept there, else probed (seconds).

    ``gocache`` is the build cache the probe program is built with (a shared one makes it cheap).
    """
    key = _key(toolchain)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
    kept_file = cache_dir / f"script-facts-{digest}.json" if cache_dir is not None else None
    if kept_file is not None:
        with contextlib.suppress(OSError, ValueError, TypeError):
            data = json.loads(kept_file.read_text())
            if data.get("key") == key:
                return ToolchainFacts.from_json(data["facts"])
    answers = _probe(toolchain, gocache)
    minor = toolchain.version.minor
    facts = ToolchainFacts(
        version=toolchain.version.tag,
        goos=toolchain.goos,
        goarch=toolchain.goarch,
        compiler="gc",
        cgo=toolchain.cgo,
        cc=toolchain.cc or "",
        exe_suffix=str(answers["exe_suffix"]),
        release_tags=tuple(f"go1.{n}" for n in range(1, minor + 1)),
        known_os=tuple(answers["known_os"]),
        known_arch=tuple(answers["known_arch"]),
        race=bool(answers["race"]),
        msan=bool(answers["msan"]),
        asan=bool(answers["asan"]),
        fuzz=bool(answers["fuzz"]),
        fuzz_instrumented=bool(answers["fuzz_instrumented"]),
        mustlinkext=bool(answers["mustlinkext"]),
        cgolinkext=bool(answers["cgolinkext"]),
        pielinkext=bool(answers["pielinkext"]),
        trimpath=bool(answers["trimpath"]),
        default_cgo=_default_cgo(toolchain.goroot),
        buildmodes={str(k): bool(v) for k, v in answers["buildmodes"].items()},
        experiments=tuple(answers.get("experiments") or ()),
    )
    if kept_file is not None:
        with contextlib.suppress(OSError):
            kept_file.parent.mkdir(parents=True, exist_ok=True)
            replace_file(kept_file, json.dumps({"key": key, "facts": asdict(facts)}))
    return facts
