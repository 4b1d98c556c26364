"""The documentation's configuration examples work as written: ini and TOML blocks, and the CI workflow's commands.

Every ```ini and ```toml block of README.md and docs/*.md that sets a goenv key is written as the
config file of a pytest run, which must start without an error or a warning other than a missing
toolchain directory, and whose settings must be what the block says (no comment read as a value).
The ``pytest-goenv`` and ``pytest`` command lines of the ```yaml workflows must parse.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from pytest_goenv.cli import build_parser
from pytest_goenv.plugin.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
KNOWN = {setting.name for setting in SETTINGS if setting.ini}

SHOW_SETTINGS = """
import json
from pytest_goenv.plugin.settings import settings_of

def pytest_report_header(config):
    s = settings_of(config)
    data = {"matrix": list(s.matrix), "toolchain_dirs": [str(p) for p in s.toolchain_dirs], "offline": s.offline,
            "timeout": s.timeout, "pass_env": list(s.pass_env)}
    return "SETTINGS " + json.dumps(data)
"""


def blocks(language: str) -> list[tuple[str, str]]:
    """(document:number, text) of each block of ``language`` that sets a goenv key (or, for yaml, any)."""
    found = []
    for document in DOCUMENTS:
        texts = re.findall(rf"^```{language}\n(.*?)^```", document.read_text(), re.DOTALL | re.MULTILINE)
        texts = [text for text in texts if language == "yaml" or "goenv_" in text]
        found += [(f"{document.relative_to(ROOT)}:{n}", text) for n, text in enumerate(texts, 1)]
    return found


def test_the_docs_have_config_examples() -> None:
    assert len(blocks("ini")) >= 1
    assert len(blocks("toml")) >= 1
    assert len(blocks("yaml")) >= 2


@pytest.mark.parametrize(
    ("name", "text"), blocks("ini") + blocks("toml"), ids=[n for n, _ in blocks("ini") + blocks("toml")]
)
def test_a_documented_config_file_reads_as_written(pytester: pytest.Pytester, name: str, text: str) -> None:
    keys = set(re.findall(r"^(goenv_\w+)\s*=", text, re.MULTILINE))
    assert keys <= KNOWN, f"{name}: unknown keys {keys - KNOWN}"
    config_file = "pyproject.toml" if text.lstrip().startswith("[tool.") else "pytest.ini"
    (pytester.path / config_file).write_text(text)
    pytester.makeconftest(SHOW_SETTINGS)
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--collect-only", "--goenv-offline")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str() + result.stderr.str()
    warnings = [line for line in result.stdout.lines if "Warning" in line]
    assert all("goenv_toolchain_dirs" in line and "does not exist" in line for line in warnings), warnings
    line = next(line for line in result.stdout.lines if line.startswith("SETTINGS "))
    settings = json.loads(line.removeprefix("SETTINGS "))
    for directory in settings["toolchain_dirs"]:
        assert not re.search(r"[;#]", directory), f"{name}: a comment was read as a toolchain dir: {directory}"
    for selector in settings["matrix"]:
        assert not re.search(r"[;#]", selector), f"{name}: a comment was read as a selector: {selector}"
    if "goenv_timeout" in keys:
        assert settings["timeout"] == float(re.findall(r"^goenv_timeout\s*=\s*(\S+)", text, re.MULTILINE)[0])


@pytest.mark.parametrize(("name", "text"), blocks("yaml"), ids=[n for n, _ in blocks("yaml")])
def test_a_documented_workflow_runs_commands_that_exist(name: str, text: str) -> None:
    commands = re.findall(r"^\s*- run: (.+)$", text, re.MULTILINE)
    checked = 0
    for command in commands:
        words = shlex.split(command.replace("${{ matrix.go }}", "1.21").split(">>")[0])
        if words[0] == "pytest-goenv":
            build_parser().parse_args(words[1:])  # exits (SystemExit) on an unknown sub-command or option
            checked += 1
        elif words[0] == "pytest":
            options = [word.split("=")[0] for word in words[1:] if word.startswith("--goenv")]
            assert set(options) <= {s.flag for s in SETTINGS}, options
            checked += 1
    assert checked >= 3, f"{name}: expected provision, pytest and merge steps"
