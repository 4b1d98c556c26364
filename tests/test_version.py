"""Go version parsing, ordering and specifiers (pure logic)."""

from __future__ import annotations

import pytest

from pytest_goenv import GoVersion, GoVersionSpec, InvalidGoVersion


@pytest.mark.parametrize(
    "ordered",
    [
        ["1.21", "1.21rc1", "1.21.0", "1.21.1", "1.21.13", "1.22rc1", "1.22.0"],
        ["1.19.5", "1.20rc1", "1.20", "1.20.1", "1.21"],
        ["1.23alpha1", "1.23beta1", "1.23beta2", "1.23rc1", "1.23.0"],
        ["1.9.7", "1.10", "1.10.1", "1.100.0"],
    ],
)
def test_orders_as_go_does(ordered: list[str]) -> None:
    versions = [GoVersion.parse(text) for text in ordered]
    assert versions == sorted(versions)
    assert sorted(reversed(versions)) == versions


def test_forms_and_names() -> None:
    assert GoVersion.parse("go1.21.13") == GoVersion(1, 21, 13)
    assert GoVersion.parse("1.20") == GoVersion.parse("1.20.0")
    assert GoVersion.parse("1.21") != GoVersion.parse("1.21.0")
    assert GoVersion.parse("go1.23rc1").tag == "go1.23rc1"
    assert GoVersion.parse("1.26.6").tag == "go1.26.6"
    assert GoVersion.parse("go1.22.3").language == "1.22"
    assert not GoVersion.parse("1.22").is_release
    assert GoVersion.parse("1.22.0").is_release


def test_devel_sorts_after_its_releases() -> None:
    devel = GoVersion.parse("devel go1.27-1a2b3c4 Tue Oct 1 12:00:00 2026 +0000")
    assert devel.devel
    assert devel > "1.27.9"
    assert devel < "1.28rc1"
    assert GoVersion.parse("devel +abcdef") > "1.99.0"
    assert str(GoVersion.parse("devel +abcdef")) == "devel"
    assert str(devel) == "devel go1.27"


def test_compares_with_strings() -> None:
    version = GoVersion.parse("go1.26.6")
    assert version >= "1.22"
    assert version < "go1.27"
    assert version == "1.26.6"
    assert sorted(["1.22.10", "1.21.13", "1.27.3"], key=GoVersion.parse)[0] == "1.21.13"


@pytest.mark.parametrize("text", ["", "1", "go", "1.x", "v1.21.0", "1.21.0.1", "go1.21rc", "1.021"])
def test_rejects_malformed_versions(text: str) -> None:
    with pytest.raises(InvalidGoVersion, match="not a Go version"):
        GoVersion.parse(text)


@pytest.mark.parametrize(
    ("spec", "inside", "outside"),
    [
        (">=1.21,<1.23", ["1.21rc1", "1.21.0", "1.22.10"], ["1.20.14", "1.23rc1", "1.23.0"]),
        (">=1.22", ["1.22rc2", "1.22.0", "1.27.3"], ["1.21.13"]),
        (">=1.22.0", ["1.22.0", "1.27.3"], ["1.22rc2"]),
        ("<1.22.0", ["1.22rc2", "1.21.13"], ["1.22.0"]),
        (">=1.23rc2", ["1.23rc2", "1.23.0"], ["1.23rc1", "1.22.12"]),
        ("1.22", ["1.22.0", "1.22.12", "1.22rc1"], ["1.21.13", "1.23.0"]),
        ("go1.22.3", ["1.22.3"], ["1.22.4"]),
        ("<go1.21", ["1.20.14", "1.19"], ["1.21.0"]),
        ("!=1.22.*", ["1.21.13", "1.23.1"], ["1.22.5"]),
        # a two-part version is the whole series, whatever the operator
        ("<=1.22", ["1.21.13", "1.22.0", "1.22.12"], ["1.23rc1", "1.23.0"]),
        (">1.22", ["1.23.0", "1.27.3"], ["1.22.0", "1.22.12"]),
        ("!=1.22", ["1.21.13", "1.23.1"], ["1.22.0", "1.22.5"]),
        ("==go1.22", ["1.22.0", "1.22.12"], ["1.21.13", "1.23.0"]),
        ("<=1.22.3", ["1.22.3"], ["1.22.4"]),
        ("<1.20", ["1.19.13"], ["1.20rc1", "1.20"]),
        (">1.19", ["1.20rc1", "1.20", "1.21.0"], ["1.19.13"]),
    ],
)
def test_specifiers(spec: str, inside: list[str], outside: list[str]) -> None:
    parsed = GoVersionSpec.parse(spec)
    assert [v for v in inside if v in parsed] == inside
    assert [v for v in outside if parsed.contains(v)] == []


@pytest.mark.parametrize("series", ["1.20", "1.22", "1.23"])
def test_a_series_bound_splits_every_version_one_way(series: str) -> None:
    below, from_series, whole = (GoVersionSpec.parse(s) for s in (f"<{series}", f">={series}", series))
    for version in [f"{series}", f"{series}rc1", f"{series}beta2", f"{series}.0", f"{series}.7", "1.19.13", "1.27.3"]:
        assert (version in below) != (version in from_series), version
        if version.startswith(series):
            assert version in whole, version
            assert version in from_series, version


@pytest.mark.parametrize("spec", ["", ">=", ">=1.2x", "=>1.21", ">=1.21,", "~1.21", "latest"])
def test_rejects_malformed_specifiers(spec: str) -> None:
    with pytest.raises(InvalidGoVersion, match="specifier"):
        GoVersionSpec.parse(spec)
