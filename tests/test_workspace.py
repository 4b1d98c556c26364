"""Workspaces (go.work), GOPATH mode and vendoring, against the real go command."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_goenv.assertions.vendoring import (
    ModulesTxtError,
    VendorError,
    check_vendor,
    parse_modules_txt,
    vendor_module,
    vendor_problems,
)
from pytest_goenv.modules.proxy import GoProxy
from pytest_goenv.sandbox.goenv import GoEnv
from pytest_goenv.sandbox.gopath import GoPath
from pytest_goenv.sandbox.workspace import GoWorkspace, WorkspaceError, parse_use_directives

LIB_GO = 'package lib\n\nconst Where = "%s"\n'
APP_GO = 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/lib"\n)\n\nfunc main() { fmt.Println(lib.Where) }\n'
APP_MOD = "module example.com/app\n\ngo 1.21\n\nrequire example.com/lib v1.0.0\n"


def test_go_work_text(go_workspace: GoWorkspace) -> None:
    go_workspace.toolchain = "go1.21.0"
    go_workspace.add_module("app", "example.com/app")
    go_workspace.add_module("tools/lint", "example.com/lint", go="1.22")
    go_workspace.add_module("unused", "example.com/unused", use=False)
    go_workspace.replace("example.com/dep", "./fork")
    go_workspace.replace("example.com/x", "example.com/y", old_version="v1.0.0", new_version="v1.1.0")
    assert go_workspace.go_work.read_text() == (
        "go 1.21\n"
        "toolchain go1.21.0\n"
        "\n"
        "use (\n\t./app\n\t./tools/lint\n)\n"
        "\n"
        "replace example.com/dep => ./fork\n"
        "replace example.com/x v1.0.0 => example.com/y v1.1.0\n"
    )
    assert (go_workspace.root / "tools/lint/go.mod").read_text() == "module example.com/lint\n\ngo 1.22\n"
    assert parse_use_directives(go_workspace.go_work.read_text()) == ["./app", "./tools/lint"]
    assert [m.path for m in go_workspace.modules] == ["example.com/app", "example.com/lint", "example.com/unused"]
    go_workspace.use("unused")
    assert "./unused" in parse_use_directives(go_workspace.go_work.read_text())


def test_workspace_errors(go_workspace: GoWorkspace) -> None:
    go_workspace.add_module("a", "example.com/a")
    with pytest.raises(WorkspaceError, match=r"already has module example\.com/a there"):
        go_workspace.add_module("a", "example.com/b")
    with pytest.raises(WorkspaceError, match="relative to the workspace root"):
        go_workspace.add_module("../out", "example.com/out")
    with pytest.raises(WorkspaceError, match="needs new_version"):
        go_workspace.replace("example.com/a", "example.com/b")
    with pytest.raises(WorkspaceError, match="takes no version"):
        go_workspace.replace("example.com/a", "./b", new_version="v1.0.0")
    with pytest.raises(WorkspaceError, match="no module there"):
        go_workspace.use("b")
    with pytest.raises(WorkspaceError, match="use one of file, none, off"):
        go_workspace.gowork = "maybe"  # type: ignore[assignment]


def test_workspace_refuses_bad_paths_and_versions(goenv: GoEnv, go_workspace: GoWorkspace) -> None:
    with pytest.raises(WorkspaceError, match=r"add_module\(.bad., .not a path.\): malformed module path.*example"):
        go_workspace.add_module("bad", "not a path")
    with pytest.raises(WorkspaceError, match="missing dot"):
        go_workspace.add_module("bad", "nodomain")
    with pytest.raises(WorkspaceError, match=r"go='banana' is not a Go language version.*'1\.21'"):
        go_workspace.add_module("bad", "example.com/bad", go="banana")
    with pytest.raises(WorkspaceError, match="files must be a mapping"):
        go_workspace.add_module("bad", "example.com/bad", "main.go")  # type: ignore[arg-type]
    assert not go_workspace.dir("bad").exists()
    assert go_workspace.modules == []
    with pytest.raises(WorkspaceError, match=r"replace not a path => \./x: malformed module path"):
        go_workspace.replace("not a path", "./x")
    with pytest.raises(WorkspaceError, match=r"replace example\.com/a => not a path: malformed module path"):
        go_workspace.replace("example.com/a", "not a path", new_version="v1.0.0")
    with pytest.raises(WorkspaceError, match=r"new_version='1\.0' is not a module version.*v1\.2\.3"):
        go_workspace.replace("example.com/a", "example.com/b", new_version="1.0")
    with pytest.raises(WorkspaceError, match=r"old_version='latest' is not a module version"):
        go_workspace.replace("example.com/a", "./b", old_version="latest")
    assert "replace" not in go_workspace.go_work.read_text()
    with pytest.raises(WorkspaceError, match=r"go='banana' is not a Go language version"):
        GoWorkspace(goenv, "other", go="banana")
    with pytest.raises(WorkspaceError, match=r"go='go1\.21' is not a Go language version"):
        GoWorkspace(goenv, "other", go="go1.21")
    with pytest.raises(WorkspaceError, match=r"toolchain='1\.21\.0' is not a toolchain name.*go1\.22\.3"):
        GoWorkspace(goenv, "other", toolchain="1.21.0")
    assert GoWorkspace(goenv, "other", go="1.22rc1", toolchain="go1.22.3").go_work.read_text() == (
        "go 1.22rc1\ntoolchain go1.22.3\n"
    )


def test_gowork_off_holds_for_every_command_of_the_sandbox(goenv: GoEnv, go_workspace: GoWorkspace) -> None:
    go_workspace.add_module("app", "example.com/app")
    app = go_workspace.dir("app")
    assert goenv.run("env", "GOWORK", cwd=app).stdout.strip() == str(go_workspace.go_work)

    go_workspace.gowork = "off"
    assert goenv.env["GOWORK"] == "off"
    assert goenv.run("env", "GOWORK", cwd=app).stdout.strip() == "off"
    assert goenv.go_env("GOWORK", cwd=app) == {"GOWORK": "off"}
    assert goenv.run("list", "-m", cwd=app).stdout.split() == ["example.com/app"]

    go_workspace.gowork = "file"
    assert "GOWORK" not in goenv.env
    assert goenv.run("env", "GOWORK", cwd=app).stdout.strip() == str(go_workspace.go_work)
    go_workspace.gowork = "none"
    assert "GOWORK" not in goenv.env
    assert goenv.run("env", "GOWORK", cwd=app).stdout.strip() == ""


def test_gowork_off_given_up_front_and_a_gowork_set_by_hand(goenv: GoEnv) -> None:
    workspace = GoWorkspace(goenv, gowork="off")
    workspace.add_module("m", "example.com/m")
    assert goenv.run("env", "GOWORK", cwd=workspace.dir("m")).stdout.strip() == "off"
    goenv.setenv("GOWORK", str(workspace.go_work))  # the test's own choice: leaving "off" must not undo it
    workspace.gowork = "file"
    assert goenv.env["GOWORK"] == str(workspace.go_work)


def test_the_workspace_module_wins_over_the_proxy(go_workspace: GoWorkspace, go_proxy: GoProxy) -> None:
    go_proxy.add("example.com/lib", "v1.0.0", {"lib.go": LIB_GO % "proxy"})
    go_workspace.goenv.use_proxy(go_proxy)
    go_workspace.add_module("app", "example.com/app", {"go.mod": APP_MOD, "main.go": APP_GO, "cmd/x/.keep": ""})
    go_workspace.add_module("lib", "example.com/lib", {"lib.go": LIB_GO % "local"})

    assert go_workspace.run("run", "..", cwd="app/cmd").stdout == "local\n"  # go.work found two levels up
    assert go_workspace.gowork_in_use("app/cmd/x") == go_workspace.go_work
    assert go_workspace.used_modules("app") == ["example.com/app", "example.com/lib"]
    assert not go_proxy.requested("example.com/lib", "v1.0.0", "zip")

    go_workspace.gowork = "off"
    assert go_workspace.go_work.is_file()
    assert go_workspace.gowork_in_use("app") is None
    go_workspace.run("mod", "tidy", cwd="app")
    assert go_workspace.run("run", ".", cwd="app").stdout == "proxy\n"
    assert go_proxy.requested("example.com/lib", "v1.0.0", "zip")


def test_nested_workspace_and_no_go_work(go_workspace: GoWorkspace) -> None:
    go_workspace.add_module("outer", "example.com/outer")
    inner = go_workspace.nested("inner")
    inner.add_module("m", "example.com/m")
    assert inner.gowork_in_use("m") == go_workspace.root / "inner" / "go.work"
    assert go_workspace.gowork_in_use("outer") == go_workspace.go_work
    assert inner.used_modules("m") == ["example.com/m"]

    go_workspace.gowork = "none"
    assert not go_workspace.go_work.exists()
    assert go_workspace.gowork_in_use("outer") is None
    assert go_workspace.used_modules("outer") == ["example.com/outer"]


def test_go_work_replace_directive(go_workspace: GoWorkspace, go_proxy: GoProxy) -> None:
    go_proxy.add("example.com/lib", "v1.0.0", {"lib.go": LIB_GO % "proxy"})
    go_workspace.goenv.use_proxy(go_proxy)
    go_workspace.add_module("app", "example.com/app", {"go.mod": APP_MOD, "main.go": APP_GO})
    go_workspace.add_module("fork", "example.com/lib", {"lib.go": LIB_GO % "fork"}, use=False)
    go_workspace.replace("example.com/lib", "./fork")
    assert go_workspace.run("run", ".", cwd="app").stdout == "fork\n"
    assert not go_proxy.requested("example.com/lib", kind="zip")


def test_fixtures_end_to_end(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import urllib.error, urllib.request
        import pytest

        SEEN = {}

        def test_use(go_workspace, go_proxy, goenv):
            assert go_workspace.goenv is goenv
            go_proxy.add("example.com/lib", "v1.0.0", {"lib.go": 'package lib\\nconst Where = "proxy"\\n'})
            goenv.use_proxy(go_proxy)
            go_workspace.add_module("lib", "example.com/lib")
            assert go_workspace.used_modules("lib") == ["example.com/lib"]
            SEEN["url"] = go_proxy.http_url

        def test_server_was_stopped():
            with pytest.raises(urllib.error.URLError):
                urllib.request.urlopen(SEEN["url"] + "/example.com/lib/@v/list", timeout=5)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


# -- GOPATH mode ---------------------------------------------------------------------------------


def test_gopath_mode_builds_from_gopath_src(goenv: GoEnv) -> None:
    gopath = GoPath(goenv)
    gopath.add_package("example.org/greeting", {"greeting.go": 'package greeting\n\nconst Text = "from GOPATH"\n'})
    main = (
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.org/greeting"\n)\n\nfunc main() { fmt.Println(greeting.Text) }'
    )
    hello = gopath.add_package("example.org/hello", {"main.go": main})
    assert hello == goenv.gopath / "src/example.org/hello"
    assert gopath.run("run", ".", cwd="example.org/hello").stdout == "from GOPATH\n"
    gopath.run("install", "example.org/hello")
    assert (gopath.bin / "hello").is_file()
    in_module_mode = goenv.run("build", ".", cwd=hello, check=False)
    assert in_module_mode.returncode != 0
    assert "go.mod file not found" in in_module_mode.stderr
    with pytest.raises(ValueError, match="not an import path"):
        gopath.package_dir("../escape")


# -- vendoring -------------------------------------------------------------------------------------


def test_vendor_module_and_consistency(goenv: GoEnv, go_proxy: GoProxy) -> None:
    go_proxy.add("example.com/lib", "v1.0.0", {"lib.go": LIB_GO % "vendored", "sub/s.go": "package sub\n"})
    goenv.use_proxy(go_proxy)
    app = goenv.write_module("example.com/app", {"go.mod": APP_MOD, "main.go": APP_GO})
    goenv.run("mod", "tidy", cwd=app)
    (entry,) = vendor_module(goenv, app)
    assert (entry.path, entry.version, entry.explicit, entry.go) == ("example.com/lib", "v1.0.0", True, "1.21")
    assert entry.packages == ["example.com/lib"]
    assert (app / "vendor/example.com/lib/lib.go").is_file()
    assert vendor_problems(goenv, app) == []
    goenv.setenv("GOPROXY", "off")
    assert goenv.run("run", "-mod=vendor", ".", cwd=app).stdout == "vendored\n"

    txt = app / "vendor/modules.txt"
    txt.write_text(txt.read_text().replace("v1.0.0", "v1.0.1"))
    assert vendor_problems(goenv, app) == ["example.com/lib: go.mod requires v1.0.0, vendor/modules.txt lists v1.0.1"]
    broken = goenv.run("build", "-mod=vendor", ".", cwd=app, check=False)
    assert "inconsistent vendoring" in broken.stderr
    goenv.run("mod", "edit", "-replace", "example.com/lib=./lib", cwd=app)
    assert "go.mod replaces example.com/lib => ./lib; vendor/modules.txt does not" in vendor_problems(goenv, app)


def test_check_vendor_lists_every_problem(goenv: GoEnv, tmp_path: Path) -> None:
    app = goenv.write_module("example.com/solo", {"main.go": "package main\n\nfunc main() {}\n"})
    assert vendor_module(goenv, app) == []  # nothing to vendor
    assert vendor_problems(goenv, tmp_path) == [f"{tmp_path}/vendor/modules.txt does not exist; run 'go mod vendor'"]
    goenv.run("mod", "edit", "-require", "example.com/ghost@v1.0.0", "-require", "example.com/other@v0.1.0", cwd=app)
    (app / "vendor").mkdir()
    (app / "vendor/modules.txt").write_text(
        "# example.com/other v0.1.0\nexample.com/other\n# example.com/x v1.0.0\n## explicit\n"
    )
    with pytest.raises(VendorError) as info:
        check_vendor(goenv, app)
    assert str(info.value).splitlines() == [
        "vendor/modules.txt disagrees with go.mod:",
        "  example.com/ghost v1.0.0 is required in go.mod but not listed in vendor/modules.txt",
        "  example.com/other v0.1.0 is required in go.mod but not marked '## explicit'",
        "  example.com/x v1.0.0 is marked explicit in vendor/modules.txt but not in go.mod",
    ]
    (app / "vendor/modules.txt").write_text("example.com/other\n")  # malformed: a usage error, not a failed check
    with pytest.raises(ModulesTxtError, match=r"modules\.txt:1: package 'example\.com/other' before any") as bad:
        check_vendor(goenv, app)
    assert not isinstance(bad.value, AssertionError)


def test_parse_modules_txt() -> None:
    entries = parse_modules_txt(
        "# example.com/a v1.0.0\n## explicit; go 1.22\nexample.com/a\nexample.com/a/b\n"
        "# example.com/c v1.2.0 => example.com/d v1.3.0\n"
        "# example.com/e v0.1.0 => ./e\n## explicit\n"
    )
    assert [(e.path, e.version, e.replacement, e.replacement_version, e.explicit, e.go) for e in entries] == [
        ("example.com/a", "v1.0.0", None, None, True, "1.22"),
        ("example.com/c", "v1.2.0", "example.com/d", "v1.3.0", False, None),
        ("example.com/e", "v0.1.0", "./e", None, True, None),
    ]
    assert entries[0].packages == ["example.com/a", "example.com/a/b"]
    with pytest.raises(ModulesTxtError, match=r"modules\.txt:1: package 'example\.com/a' before any"):
        parse_modules_txt("example.com/a\n")
    with pytest.raises(ModulesTxtError, match=r"modules\.txt:2: cannot read module line"):
        parse_modules_txt("# example.com/a v1\n# a b c d\n")


def test_add_module_refuses_a_go_mod_that_declares_another_module(goenv: GoEnv) -> None:
    workspace = GoWorkspace(goenv)
    files = {"go.mod": "module example.com/shapes\n\ngo 1.21\n", "s.go": "package shapes\n"}
    with pytest.raises(WorkspaceError, match=r"declares module 'example\.com/shapes'; make the module path and"):
        workspace.add_module("shapes", "example.com/shape", files)
    assert workspace.add_module("shapes", "example.com/shapes", files).is_dir()
