"""Reading Go executables and the binary assertions, against binaries the real go command builds.

Linux/amd64 with cgo on and off, a cross-compiled darwin/arm64 Mach-O and a windows/amd64 PE; the
old pointer form of the build info (Go < 1.18) is checked on hand-made ELF files.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest

from pytest_goenv.assertions.binaries import (
    BinaryAssertionError,
    assert_binary,
    assert_depends_on,
    assert_not_depends_on,
    assert_paths_not_recorded,
    assert_paths_recorded,
    assert_trimmed,
    recorded_paths,
)
from pytest_goenv.readers.executables import (
    BinaryFormatError,
    BuildInfo,
    Module,
    NotAGoBinary,
    find_strings,
    parse_build_info,
    read_binary,
    read_build_info,
    recorded_files,
)
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.toolchains.toolchain import GoToolchain

MAIN = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'
CGO = '//go:build cgo\n\npackage main\n\n// int twice(int x) { return 2 * x; }\nimport "C"\n\nvar _ = C.twice(1)\n'


@pytest.fixture
def hello(goenv: GoEnv) -> Path:
    """A main module whose cgo file is compiled only when cgo is on."""
    return goenv.write_module("example.com/hello", {"main.go": MAIN, "cgo.go": CGO}, dest="hello")


def build(goenv: GoEnv, name: str, *flags: str, cwd: str = "hello", **env: str) -> Path:
    """``go build FLAGS -o bin/NAME .`` in ``cwd`` with extra environment variables."""
    out = goenv.workdir / "bin" / name
    goenv.run("build", *flags, "-o", str(out), ".", cwd=cwd, env=env)
    return out


@pytest.fixture
def linux_host(go_toolchain: GoToolchain) -> GoToolchain:
    if go_toolchain.goos != "linux":
        pytest.skip("native ELF checks need a linux toolchain")
    return go_toolchain


# -- linux builds, cgo off and on --------------------------------------------------------------------


def test_cgo_off_is_static(goenv: GoEnv, hello: Path, linux_host: GoToolchain) -> None:
    path = build(goenv, "static", CGO_ENABLED="0")
    binary = read_binary(path)
    assert (binary.format, binary.goos, binary.goarch, binary.bits) == ("elf", "linux", linux_host.goarch, 64)
    assert binary.static
    assert (binary.interpreter, binary.needed) == (None, ())
    info = binary.build_info
    assert info is not None
    assert (info.cgo, info.goos, info.goarch, info.trimpath) == (False, "linux", linux_host.goarch, False)
    assert info.go_version == linux_host.version.tag
    assert (info.path, info.main) == ("example.com/hello", Module("example.com/hello", "(devel)"))
    assert assert_binary(path, goos="linux", goarch=linux_host.goarch, static=True, cgo=False) == binary
    assert_binary(path, go_version=linux_host.version.tag, main_module="example.com/hello")
    assert_binary(path, go_version=linux_host.version.language, package_path="example.com/hello")


def test_cgo_on_links_libc_dynamically(goenv: GoEnv, hello: Path, linux_host: GoToolchain) -> None:
    if not linux_host.cgo:
        pytest.skip("cgo does not work with this toolchain (no C compiler)")
    path = build(goenv, "dynamic", CGO_ENABLED="1")
    binary = assert_binary(path, format="elf", static=False, cgo=True, needs=["libc.so.6"])
    assert binary.interpreter is not None
    assert binary.interpreter.startswith("/lib")
    assert binary.build_info is not None
    assert binary.build_info.setting("CGO_LDFLAGS") is not None
    assert any(name.endswith("/hello/cgo.go") for name in recorded_files(path))


def test_failure_message_lists_every_difference(goenv: GoEnv, hello: Path, linux_host: GoToolchain) -> None:
    path = build(goenv, "static", CGO_ENABLED="0")
    with pytest.raises(BinaryAssertionError) as info:
        assert_binary(
            path,
            goarch="riscv64",
            static=False,
            cgo=True,
            needs=["libc.so.6"],
            go_version="go1.13",
            settings={"CGO_ENABLED": "1", "-ldflags": None, "-tags": "netgo"},
        )
    message = str(info.value)
    assert message.startswith("static is not the expected binary:\n")
    for problem in (
        f"  - GOARCH: expected 'riscv64', got '{linux_host.goarch}'",
        "  - static: expected False, got True",
        "  - needs 'libc.so.6': not among the linked libraries []",
        "  - cgo (CGO_ENABLED): expected True, got False",
        f"  - Go version: expected 'go1.13', got '{linux_host.version.tag}'",
        "  - build setting CGO_ENABLED: expected '1', got '0'",
        "  - build setting -tags: expected 'netgo', got None",
    ):
        assert problem in message
    assert "-ldflags" not in message.split("binary:", maxsplit=1)[0]  # absent, as required
    assert f"binary:\n  {path}: ELF 64-bit little-endian linux/{linux_host.goarch}, statically linked" in message
    assert "    build\tCGO_ENABLED=0" in message


def test_corrupt_build_info_is_named(goenv: GoEnv, hello: Path, tmp_path: Path) -> None:
    data = build(goenv, "static", CGO_ENABLED="0").read_bytes()
    line = b"\nmod\texample.com/hello\t(devel)\t"
    assert line in data  # the build info holds it (and runtime/debug keeps a copy)
    corrupt = tmp_path / "corrupt"
    corrupt.write_bytes(data.replace(line, line.replace(b"(devel)", b"(d\tv\tl)")))
    with pytest.raises(BinaryFormatError, match=r"corrupt: corrupt Go build info: .*expected 2 or 3 tab-separated"):
        read_binary(corrupt)


# -- cross-compiled Mach-O and PE --------------------------------------------------------------------


def test_darwin_arm64_macho(goenv: GoEnv, hello: Path) -> None:
    path = build(goenv, "hello-darwin", GOOS="darwin", GOARCH="arm64", CGO_ENABLED="0")
    binary = assert_binary(path, format="macho", goos="darwin", goarch="arm64", static=False, cgo=False)
    assert binary.interpreter == "/usr/lib/dyld"
    assert "/usr/lib/libSystem.B.dylib" in binary.needed
    assert_binary(binary, needs=["libSystem.B.dylib"])  # a library is found by its file name too
    assert binary.build_info is not None
    assert binary.build_info.settings_map["GOARCH"] == "arm64"
    assert parse_build_info(goenv.run("version", "-m", str(path)).stdout) == binary.build_info
    assert any(name.endswith("hello/main.go") for name in recorded_files(path))
    # the same file inside a universal (fat) binary, as lipo makes them
    thin = path.read_bytes()
    fat_header = struct.pack(">II", 0xCAFEBABE, 1) + struct.pack(">iiIII", 0x0100000C, 0, 0x4000, len(thin), 14)
    universal = path.with_name("hello-universal")
    universal.write_bytes(fat_header.ljust(0x4000, b"\0") + thin)
    fat = read_binary(universal)
    assert (fat.format, fat.target, fat.build_info) == ("macho", "darwin/arm64", binary.build_info)
    assert recorded_files(universal) == recorded_files(path)


def test_windows_amd64_pe(goenv: GoEnv, hello: Path) -> None:
    path = build(goenv, "hello.exe", GOOS="windows", GOARCH="amd64", CGO_ENABLED="0")
    binary = assert_binary(path, format="pe", goos="windows", goarch="amd64", cgo=False, needs=["kernel32.dll"])
    assert binary.describe().startswith(f"{path}: PE 64-bit little-endian windows/amd64, dynamically linked")
    assert binary.build_info is not None
    assert binary.build_info.goos == "windows"
    assert parse_build_info(goenv.run("version", "-m", str(path)).stdout) == binary.build_info
    # PE files have no line table section; the table is found by its header
    assert any(name.endswith("hello/main.go") for name in recorded_files(path))
    with pytest.raises(BinaryAssertionError, match=r"GOOS: expected 'linux', got 'windows'"):
        assert_binary(path, goos="linux")


# -- build info: dependencies, replacements, VCS stamps, quoted settings -----------------------------


@pytest.fixture
def app(goenv: GoEnv) -> Path:
    """A module in a git repository that requires a replaced local module."""
    goenv.write_module("example.com/lib", {"lib.go": 'package lib\n\nfunc Name() string { return "lib" }\n'})
    goenv.write_module(
        "example.com/app",
        {
            "go.mod": "module example.com/app\n\ngo 1.21\n\nrequire example.com/lib v1.2.3\n\n"
            "replace example.com/lib v1.2.3 => ../lib\n",
            "main.go": 'package main\n\nimport "example.com/lib"\n\nvar v string\n\n'
            "func main() { println(lib.Name(), v) }\n",
        },
    )
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "first"]):
        goenv.exec("git", *args, cwd="app")
    return goenv.workdir / "app"


def test_build_info_matches_go_version_m(goenv: GoEnv, app: Path) -> None:
    path = build(goenv, "app", "-tags=netgo,osusergo", '-ldflags=-s -w -X "main.v=a b"', cwd="app", CGO_ENABLED="0")
    info = read_build_info(path)
    shown = goenv.run("version", "-m", str(path)).stdout
    assert parse_build_info(shown) == info  # our reading equals the go command's
    assert info.setting("-ldflags") == '-s -w -X "main.v=a b"'
    assert info.setting("-tags") == "netgo,osusergo"
    revision = goenv.exec("git", "rev-parse", "HEAD", cwd="app").stdout.strip()
    assert info.vcs["vcs"] == "git"
    assert info.vcs["vcs.revision"] == revision
    assert info.vcs["vcs.modified"] == "false"
    assert info.main is not None
    assert info.main.path == "example.com/app"
    dep = assert_depends_on(path, "example.com/lib", "v1.2.3", replaced_by="../lib")
    assert dep.replace == Module("../lib", "(devel)")
    assert_not_depends_on(path, "golang.org/x/text")
    # -s strips the symbol table, not the line table
    assert any(name.endswith("app/main.go") for name in recorded_files(path))


def test_dependency_failures(goenv: GoEnv, app: Path) -> None:
    path = build(goenv, "app", cwd="app", CGO_ENABLED="0")
    with pytest.raises(BinaryAssertionError) as info:
        assert_depends_on(path, "example.com/lib", "v1.9.9", replaced_by="../other")
    message = str(info.value)
    assert "app does not depend on example.com/lib as expected:" in message
    assert "  - example.com/lib: expected version v1.9.9, got v1.2.3" in message
    assert "  - example.com/lib: expected replacement ../other, got ../lib" in message
    with pytest.raises(BinaryAssertionError, match=r"golang\.org/x/mod is not a dependency \(dependencies: "
                       r"example\.com/lib v1\.2\.3 => \.\./lib \(devel\)\)"):  # fmt: skip
        assert_depends_on(path, "golang.org/x/mod")
    with pytest.raises(BinaryAssertionError, match=r"app depends on example\.com/lib:\n  - linked: example\.com/lib"):
        assert_not_depends_on(path, "example.com/lib")


def test_parse_build_info_quoting_and_errors() -> None:
    text = (
        "go\tgo1.22.3\npath\texample.com/m/cmd\nmod\texample.com/m\tv1.0.0\th1:abc=\n"
        'build\t"odd key"=v\nbuild\t-gcflags="all=-N -l"\nbuild\tvcs.modified=true\n'
    )
    info = parse_build_info(text)
    assert info.go_version == "go1.22.3"
    assert info.main == Module("example.com/m", "v1.0.0", "h1:abc=")
    assert info.settings == (("odd key", "v"), ("-gcflags", "all=-N -l"), ("vcs.modified", "true"))
    assert str(info) == text.rstrip("\n")
    assert parse_build_info(str(info)) == info
    escaped = parse_build_info('build\tX="tab\\there \\u00e9 \\x41 \\101 \\"q\\""\n')
    assert escaped.setting("X") == 'tab\there é A A "q"'
    with pytest.raises(ValueError, match=r"line 2 'dep\\texample.com/x': expected 2 or 3 tab-separated columns"):
        parse_build_info("path\tx\ndep\texample.com/x\n")
    with pytest.raises(ValueError, match=r"line 1 .*replacement without a module"):
        parse_build_info("=>\t../x\t(devel)\t\n")
    with pytest.raises(ValueError, match=r"line 1 'build\\tnoequals': build setting without '='"):
        parse_build_info("build\tnoequals\n")
    # kinds of lines a newer go command may add are skipped, as the go command itself does
    assert parse_build_info("path\tx\nfuture\tsomething\n") == BuildInfo("", "x")
    assert BuildInfo("go1.21.0").cgo is None


# -- recorded paths and -trimpath --------------------------------------------------------------------


def test_paths_without_trimpath(goenv: GoEnv, hello: Path) -> None:
    path = build(goenv, "plain", CGO_ENABLED="0")
    goroot = goenv.toolchain.goroot
    files = recorded_files(path)
    assert str(goroot / "src" / "runtime" / "proc.go") in files
    assert str(hello / "main.go") in files
    hits = assert_paths_recorded(path, goroot / "src" / "fmt", hello)
    assert str(hello / "main.go") in hits[str(hello)]
    # a Windows-style needle also finds the forward-slash form Go records
    assert str(hello / "main.go") in recorded_paths(path, str(hello).replace("/", "\\"))
    with pytest.raises(BinaryAssertionError) as info:
        assert_trimmed(path, goenv)
    assert "plain was not built with -trimpath:\n  - build setting -trimpath is not true" in str(info.value)
    with pytest.raises(BinaryAssertionError) as info:
        assert_paths_not_recorded(path, goroot)
    message = str(info.value)
    assert message.startswith(f"plain records paths it should not:\n  containing '{goroot}' (")
    assert f"    {goroot}/src/" in message
    assert "more (recorded_paths() lists them all)" in message
    with pytest.raises(BinaryAssertionError, match=r"plain records no path containing '/nowhere'\n  source files"):
        assert_paths_recorded(path, "/nowhere")


def test_trimpath_removes_roots(goenv: GoEnv, hello: Path, go_toolchain: GoToolchain) -> None:
    cgo = "1" if go_toolchain.cgo and go_toolchain.goos == "linux" else "0"
    path = build(goenv, "trimmed", "-trimpath", CGO_ENABLED=cgo)
    files = recorded_files(path)
    assert "runtime/proc.go" in files
    assert "example.com/hello/main.go" in files
    assert assert_trimmed(path, goenv).build_info is not None
    assert recorded_paths(path, str(goenv.root)) == []
    assert find_strings(path, str(go_toolchain.goroot)) == ()


def test_trimpath_leak_is_reported(goenv: GoEnv, hello: Path) -> None:
    # -X plants a path of the work directory in the data: -trimpath cannot remove it
    leaky_main = MAIN.replace("func main()", "var dir string\n\nfunc main()").replace('"hello")', '"hello", dir)')
    goenv.write_files({"main.go": leaky_main}, dest=hello)
    path = build(goenv, "leaky", "-trimpath", f"-ldflags=-X main.dir={hello}/data", CGO_ENABLED="0")
    with pytest.raises(BinaryAssertionError) as info:
        assert_trimmed(path, goenv)
    message = str(info.value)
    assert f"leaky records paths it should not:\n  containing '{goenv.root}' (1):\n    {hello}/data" in message


def test_a_string_is_not_a_list_of_libraries_and_needles_are_required(goenv: GoEnv, hello: Path) -> None:
    path = build(goenv, "plain", CGO_ENABLED="0")
    with pytest.raises(TypeError) as failure:
        assert_binary(path, needs="libc.so.6")
    assert str(failure.value) == (
        "needs must be a list of strings, not the string 'libc.so.6'; write needs=['libc.so.6']"
    )
    with pytest.raises(BinaryAssertionError, match=r"needs 'libc\.so\.6': not among the linked libraries \[\]"):
        assert_binary(path, needs=["libc.so.6"])
    with pytest.raises(ValueError, match=r"name at least one path to look for, e\.g\. assert_paths_recorded"):
        assert_paths_recorded(path)
    with pytest.raises(ValueError, match="name at least one path to look for"):
        assert_paths_not_recorded(path)
    with pytest.raises(ValueError, match="an empty needle matches every string"):
        assert_paths_not_recorded(path, "")


# -- files that are not Go executables ---------------------------------------------------------------


def test_non_go_executable_has_no_build_info() -> None:
    python = Path(sys.executable).resolve()
    binary = read_binary(python)
    assert binary.build_info is None
    with pytest.raises(NotAGoBinary, match="no Go build info"):
        read_build_info(python)
    with pytest.raises(BinaryAssertionError, match="build info: none embedded"):
        assert_binary(python, cgo=False)
    with pytest.raises(BinaryAssertionError, match=r"has no build info, so whether it links example\.com/x cannot"):
        assert_not_depends_on(python, "example.com/x")


def test_unreadable_files_say_what_is_wrong(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("just text\n")
    with pytest.raises(
        BinaryFormatError, match=r"notes\.txt: not an ELF, Mach-O or PE executable \(starts with b'just"
    ):
        read_binary(text)
    with pytest.raises(BinaryFormatError, match=r"missing: no such file \(did the build write its output elsewhere"):
        read_binary(tmp_path / "missing")
    with pytest.raises(BinaryFormatError, match="is a directory"):
        read_binary(tmp_path)
    truncated = tmp_path / "truncated"
    truncated.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(20))
    with pytest.raises(BinaryFormatError, match="truncated: cannot read executable headers"):
        read_binary(truncated)


# -- the pointer form of build info (Go 1.13-1.17), on hand-made ELF files --------------------------

MODINFO = "path\texample.com/old\nmod\texample.com/old\t(devel)\t\ndep\tgolang.org/x/text\tv0.3.7\th1:x=\n"
SENTINEL = bytes(range(16))


def pointer_form_elf(bits: int, order: str, machine: int) -> bytes:
    """An ELF file with one PT_LOAD segment and a .go.buildinfo section in the pre-1.18 pointer form."""
    word = "Q" if bits == 64 else "I"
    ptr = struct.calcsize(word)
    base = 0x400000
    ehsize, phsize, shsize = (64, 56, 64) if bits == 64 else (52, 32, 40)
    info_at = 0x100  # header, then two string headers, then the strings
    version, modinfo = b"go1.17.13", SENTINEL + MODINFO.encode() + SENTINEL
    headers_at = info_at + 32
    version_at = headers_at + 4 * ptr
    modinfo_at = version_at + len(version)
    header = b"\xff Go buildinf:" + bytes([ptr, 1 if order == ">" else 0])
    header += struct.pack(order + word * 2, base + headers_at, base + headers_at + 2 * ptr).ljust(16, b"\0")
    strings = struct.pack(order + word * 4, base + version_at, len(version), base + modinfo_at, len(modinfo))
    payload = header + strings + version + modinfo
    names = b"\0.go.buildinfo\0.shstrtab\0"
    names_at = info_at + len(payload)
    shoff = (names_at + len(names) + 7) & ~7
    total = shoff + 3 * shsize
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1 if order == "<" else 2, 1]) + bytes(9)
    elf = bytearray(total)
    elf[:16] = ident
    rest = order + "HHI" + word * 3 + "IHHHHHH"
    struct.pack_into(rest, elf, 16, 2, machine, 1, base, ehsize, shoff, 0, ehsize, phsize, 1, shsize, 3, 2)
    if bits == 64:
        struct.pack_into(order + "IIQQQQQQ", elf, ehsize, 1, 5, 0, base, base, total, total, 0x1000)
    else:
        struct.pack_into(order + "IIIIIIII", elf, ehsize, 1, 0, base, base, total, total, 5, 0x1000)
    elf[info_at:names_at] = payload
    elf[names_at : names_at + len(names)] = names
    sections = [(0, 0, 0, 0, 0), (1, 1, base + info_at, info_at, len(payload)), (15, 3, 0, names_at, len(names))]
    for i, (name, kind, addr, offset, size) in enumerate(sections):
        fmt = order + "II" + word * 4 + "II" + word * 2
        struct.pack_into(fmt, elf, shoff + i * shsize, name, kind, 0, addr, offset, size, 0, 0, 1, 0)
    return bytes(elf)


@pytest.mark.parametrize(
    ("bits", "order", "machine", "goarch"),
    [(64, "<", 62, "amd64"), (32, ">", 8, "mips"), (64, ">", 21, "ppc64")],
)
def test_pointer_form_build_info(tmp_path: Path, bits: int, order: str, machine: int, goarch: str) -> None:
    path = tmp_path / "old"
    path.write_bytes(pointer_form_elf(bits, order, machine))
    binary = read_binary(path)
    assert (binary.goarch, binary.bits, binary.byte_order) == (goarch, bits, "big" if order == ">" else "little")
    info = binary.build_info
    assert info is not None
    assert info.go_version == "go1.17.13"
    assert info.path == "example.com/old"
    assert info.deps == (Module("golang.org/x/text", "v0.3.7", "h1:x="),)
    assert info.settings == ()  # Go 1.17 recorded no build settings
    with pytest.raises(NotAGoBinary, match="no Go line table"):
        recorded_files(path)


def test_binary_readers_are_exported_from_assertions() -> None:
    """docs/assertions-binaries.md: read_binary, read_build_info and parse_build_info come with the assertions."""
    from pytest_goenv import assertions
    from pytest_goenv.readers import executables as binfile

    for name in ("read_binary", "read_build_info", "parse_build_info"):
        assert name in assertions.__all__, name
        assert getattr(assertions, name) is getattr(binfile, name)
