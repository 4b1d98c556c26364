"""The sandbox core, used without pytest's fixtures, against the real go command."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from _support import wait_until_dead
from pytest_goenv.base.process import run_process
from pytest_goenv.sandbox.goenv import GoEnv, SandboxError, remove_tree
from pytest_goenv.sandbox.result import GoCommandError, GoResult, excerpt
from pytest_goenv.toolchains import facts as facts_module
from pytest_goenv.toolchains import toolchain as toolchain_module
from pytest_goenv.toolchains.facts import FactsCache, probe_go_env
from pytest_goenv.toolchains.toolchain import GoToolchain, ToolchainError, default_toolchain

HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'


@pytest.fixture(scope="module")
def toolchain() -> GoToolchain:
    try:
        return default_toolchain()
    except ToolchainError as exc:
        pytest.fail(str(exc))


def test_toolchain_is_described_from_the_real_binary(toolchain: GoToolchain) -> None:
    assert toolchain.go == toolchain.goroot / "bin" / "go"
    assert (toolchain.goroot / "src" / "runtime").is_dir()
    assert toolchain.version >= "1.21"
    assert toolchain.goos
    assert toolchain.goarch
    assert GoToolchain.from_path(toolchain.goroot) == GoToolchain.from_path(toolchain.go)


def test_toolchain_facts_are_kept_on_disk(
    toolchain: GoToolchain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probes: list[list[str]] = []

    def counting_run_process(argv: list[str], **kwargs: object) -> object:
        probes.append(list(argv))
        return run_process(argv, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(facts_module, "run_process", counting_run_process)

    def describe(binary: str, source: str) -> GoToolchain:
        """A new cache object on the same directory each time: what a new process sees."""
        return toolchain_module.describe(binary, source, facts=FactsCache(tmp_path / "facts"))

    assert describe(str(toolchain.go), toolchain.source) == toolchain
    assert len(probes) == 1
    assert len(list((tmp_path / "facts").glob("*.json"))) == 1
    assert describe(str(toolchain.go), toolchain.source) == toolchain
    assert len(probes) == 1, "the second process probed again"

    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")  # may change the C compiler
    assert describe(str(toolchain.go), toolchain.source) == toolchain
    assert len(probes) == 2

    wrapper = tmp_path / "go-wrapper"  # a script may choose another Go each time: never kept
    wrapper.write_text(f'#!/bin/sh\nexec "{toolchain.go}" "$@"\n')
    wrapper.chmod(0o755)
    describe(str(wrapper), "path")
    describe(str(wrapper), "path")
    assert [argv[0] for argv in probes[2:]] == [str(wrapper), str(wrapper)]


def test_toolchain_facts_in_memory_only(
    toolchain: GoToolchain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probes: list[str] = []

    def counting_probe(binary: str) -> dict[str, str]:
        probes.append(binary)
        return probe_go_env(binary)

    monkeypatch.setattr(facts_module, "probe_go_env", counting_probe)
    monkeypatch.chdir(tmp_path)
    facts = FactsCache()  # no directory: kept by this object only, nothing written
    assert GoToolchain.from_path(toolchain.goroot, facts=facts) == GoToolchain.from_path(toolchain.go, facts=facts)
    assert probes == [str(toolchain.go)]
    assert GoToolchain.from_path(toolchain.go, facts=FactsCache()) == GoToolchain.from_path(toolchain.go)
    assert probes == [str(toolchain.go)] * 2  # another object asks again
    assert list(tmp_path.iterdir()) == []


def test_not_a_toolchain(tmp_path: Path) -> None:
    with pytest.raises(ToolchainError, match="not a GOROOT"):
        GoToolchain.from_path(tmp_path)
    with pytest.raises(ToolchainError, match=r"missing does not exist; name an existing go binary or GOROOT$"):
        GoToolchain.from_path(tmp_path / "missing")  # a path was named: installing Go is not the fix
    fake = tmp_path / "go"
    fake.write_text("#!/bin/sh\necho nonsense\n")
    fake.chmod(0o755)
    with pytest.raises(ToolchainError, match="printed no JSON; is it a go binary"):
        GoToolchain.from_path(fake)


def test_environment_is_built_not_inherited(
    toolchain: GoToolchain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOFLAGS", "-mod=vendor")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    sandbox = GoEnv(toolchain, tmp_path)
    env = sandbox.env
    assert "GOFLAGS" not in env
    assert "HTTPS_PROXY" not in env
    assert "GOROOT" not in env
    assert env["PATH"].split(os.pathsep)[0] == str(toolchain.bindir)
    assert env["GOTOOLCHAIN"] == "local"
    assert env["GOPROXY"] == "off"
    assert env["GOSUMDB"] == "off"
    for name in ("GOPATH", "GOMODCACHE", "GOCACHE", "GOENV", "HOME", "TMPDIR", "GIT_CONFIG_GLOBAL"):
        assert Path(env[name]).is_relative_to(tmp_path.resolve()), name


def test_telemetry_is_off_and_stays_inside(toolchain: GoToolchain, tmp_path: Path) -> None:
    sandbox = GoEnv(toolchain, tmp_path)
    sandbox.run("version")
    if toolchain.version >= "1.23":  # Go 1.23 introduced telemetry and `go env GOTELEMETRY`
        assert sandbox.go_env("GOTELEMETRY")["GOTELEMETRY"] == "off"
    written = {path.name for path in (sandbox.config_home / "go" / "telemetry").rglob("*")}
    assert written == {"mode"}


def test_setenv_delenv_and_diff(toolchain: GoToolchain, tmp_path: Path) -> None:
    sandbox = GoEnv(toolchain, tmp_path)
    sandbox.setenv("GOFLAGS", "-tags=extra")
    sandbox.delenv("GOPROXY")
    assert sandbox.env_diff() == {"GOFLAGS": "-tags=extra", "GOPROXY": None}
    computed = sandbox.go_env("GOFLAGS", "GOPROXY")
    assert computed["GOFLAGS"] == "-tags=extra"
    assert computed["GOPROXY"] == "https://proxy.golang.org,direct"  # from GOROOT/go.env
    with sandbox.env_applied(GOFLAGS=None):
        assert "GOFLAGS" not in sandbox.env
    assert sandbox.env["GOFLAGS"] == "-tags=extra"
    with pytest.raises(SandboxError, match="invalid environment variable name"):
        sandbox.setenv("A=B", "x")


def test_build_run_and_failure_message(toolchain: GoToolchain, tmp_path: Path) -> None:
    sandbox = GoEnv(toolchain, tmp_path)
    module = sandbox.write_module("example.com/hello", {"main.go": HELLO})
    assert (module / "go.mod").read_text() == "module example.com/hello\n\ngo 1.21\n"
    sandbox.run("build", "-o", "hello", ".", cwd=module)
    assert sandbox.exec(module / "hello").stdout == "hello\n"
    with pytest.raises(GoCommandError) as failure:
        sandbox.run("build", "./nope", cwd=module, env={"GOFLAGS": "-v"})
    message = str(failure.value)
    assert "`go build` exited with status 1" in message
    assert f"cwd:     {module}" in message
    assert "GOFLAGS=-v" in message
    assert "nope" in message
    result = sandbox.run("vet", "./nope", cwd=module, check=False)
    assert not result.ok
    assert result.returncode != 0
    assert result.duration > 0


def test_files_stay_inside(toolchain: GoToolchain, tmp_path: Path) -> None:
    sandbox = GoEnv(toolchain, tmp_path)
    for bad in ("../escape.go", "/etc/passwd", "a/../../b"):
        with pytest.raises(SandboxError, match="must be relative"):
            sandbox.write_files({bad: "x"})
    written = sandbox.write_files({"a/b.txt": "x", "c.bin": b"\x00"})
    assert (written / "a" / "b.txt").read_text() == "x"


def test_timeout_kills_the_process_group(toolchain: GoToolchain, tmp_path: Path) -> None:
    sandbox = GoEnv(toolchain, tmp_path)
    pidfile = tmp_path / "child.pid"
    script = f"sleep 300 & echo $! > {pidfile}; wait"
    started = time.monotonic()
    result = sandbox.exec("/bin/sh", "-c", script, timeout=1, check=False)
    assert time.monotonic() - started < 30
    assert result.timed_out
    assert not result.ok
    assert "timed out after 1 s; its process group was killed" in result.describe()
    assert wait_until_dead(int(pidfile.read_text())), "the grandchild survived the timeout"


def test_hanging_go_binary_is_killed(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "go"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nsleep 300\n")
    fake.chmod(0o755)
    outcome = run_process([str(fake), "env"], cwd=tmp_path, env={"PATH": os.defpath}, timeout=0.5)
    assert outcome.timed_out
    assert outcome.returncode < 0


def test_read_only_module_cache_is_removed(toolchain: GoToolchain, tmp_path: Path) -> None:
    sandbox = GoEnv(toolchain, tmp_path / "sbx")
    locked = sandbox.gomodcache / "example.com" / "m@v1.0.0"
    locked.mkdir(parents=True)
    (locked / "go.mod").write_text("module example.com/m\n")
    for path in (locked / "go.mod", locked, locked.parent):
        path.chmod(stat.S_IRUSR | (stat.S_IXUSR if path.is_dir() else 0))
    sandbox.cleanup()
    assert not sandbox.root.exists()
    remove_tree(tmp_path / "never-existed")


def test_excerpt_says_what_it_cut() -> None:
    text = "\n".join(f"line {n}" for n in range(500))
    shown = excerpt(text)
    assert "line 0" in shown
    assert "line 499" in shown
    assert "(440 lines cut; the whole text is on the result object)" in shown
    assert excerpt("short") == "short"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (("/w/bin/hang",), "`hang`"),
        (("/w/bin/hang", "-v"), "`hang -v`"),
        (("/goroot/bin/go", "build", "."), "`go build`"),
    ],
)
def test_headline_names_the_program_once(argv: tuple[str, ...], named: str) -> None:
    timed_out = GoResult(
        argv=argv, cwd=Path("/w"), returncode=-9, stdout="", stderr="", duration=2.0, timed_out=True, timeout=2
    )
    failed = GoResult(argv=argv, cwd=Path("/w"), returncode=3, stdout="", stderr="", duration=0.5)
    assert timed_out.describe().startswith(f"{named} timed out after 2 s; its process group was killed")
    assert failed.describe().startswith(f"{named} exited with status 3 after 0.50 s")


def test_bad_calls_name_the_problem(toolchain: GoToolchain, tmp_path: Path) -> None:
    sandbox = GoEnv(toolchain, tmp_path)
    with pytest.raises(SandboxError, match=r"cwd .*/work/nowhere is not a directory; write files there first"):
        sandbox.run("env", cwd="nowhere")
    with pytest.raises(SandboxError, match=r"argument 1 \(int\) is not a string; pass '1'"):
        sandbox.run("test", "-count", 1)  # type: ignore[arg-type]
    with pytest.raises(SandboxError, match=r"cannot run 'no-such-program': it is not on the sandbox's PATH \(.*go/bin"):
        sandbox.exec("no-such-program")
    with pytest.raises(SandboxError, match=r"cannot run '\./missing': no such file \(relative to cwd .*/work\)"):
        sandbox.exec("./missing")
    with pytest.raises(SandboxError, match=r"'Example Com/x' is not a module path .*example\.com/hello"):
        sandbox.write_module("Example Com/x", {"a.go": "package x\n"})


def test_copy_tree_brings_a_module_on_disk_into_the_sandbox(toolchain: GoToolchain, tmp_path: Path) -> None:
    library = tmp_path / "host" / "shapes"
    (library / ".git").mkdir(parents=True)
    (library / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (library / "testdata").mkdir()
    (library / "testdata" / "in.txt").write_text("data")
    (library / "go.mod").write_text("module example.com/shapes\n\ngo 1.21\n")
    (library / "shapes.go").write_text("package shapes\n\n// Sides of a square.\nconst Sides = 4\n")
    sandbox = GoEnv(toolchain, tmp_path / "sandbox")
    copied = sandbox.copy_tree(library)
    assert copied == sandbox.workdir / "shapes"
    assert (copied / "testdata" / "in.txt").read_text() == "data"
    assert not (copied / ".git").exists()
    assert sandbox.run("list", "-f", "{{.Name}}", ".", cwd=copied).stdout == "shapes\n"
    assert sandbox.copy_tree(library, "elsewhere/lib") == sandbox.workdir / "elsewhere" / "lib"
    with pytest.raises(SandboxError, match=r"copy_tree: .*missing is not a directory; name the directory"):
        sandbox.copy_tree(tmp_path / "missing")
    assert sandbox.write_files({}, "empty").is_dir()
    sandbox.cleanup()
