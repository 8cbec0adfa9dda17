"""Release hygiene: one version, a licence, a changelog, plugins pinned to a compatible govflow,
and a plugin template whose own tests pass once copied."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import tomllib
from pathlib import Path

import pytest

import govflow

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = sorted(p.parent for p in ROOT.glob("plugins/*/pyproject.toml"))
TEMPLATE = ROOT / "templates" / "govflow-plugin"

pytest_plugins = ["pytester"]


def project(path: Path) -> dict[str, object]:
    data = tomllib.loads((path / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_version_is_written_once_and_read_by_every_distribution() -> None:
    version_file = ROOT / "src" / "govflow" / "_version.py"
    (written,) = re.findall(r'^__version__ = "([^"]+)"$', version_file.read_text("utf-8"), re.M)
    assert govflow.__version__ == written
    assert importlib.metadata.version("govflow") == written
    for path in [ROOT, *PLUGINS]:
        data = project(path)
        assert data["project"]["dynamic"] == ["version"], path  # type: ignore[index]
        source = path / data["tool"]["hatch"]["version"]["path"]  # type: ignore[index]
        assert source.resolve() == version_file, path
    for path in PLUGINS:
        assert importlib.metadata.version(path.name) == written


def test_plugins_pin_the_minor_series_of_govflow_they_are_written_for() -> None:
    major, minor, _ = govflow.__version__.split(".")
    wanted = f"govflow>={govflow.__version__},<{major}.{int(minor) + 1}"
    for path in [*PLUGINS, TEMPLATE]:
        dependencies = project(path)["project"]["dependencies"]  # type: ignore[index]
        assert wanted in dependencies, path


def test_the_licence_is_the_one_the_metadata_names() -> None:
    assert project(ROOT)["project"]["license"] == "MIT"  # type: ignore[index]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_changelog_keeps_an_unreleased_section_and_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text
    assert f"## [{govflow.__version__}]" in text


def test_the_plugin_template_passes_its_own_tests_once_copied(pytester: pytest.Pytester) -> None:
    copy = pytester.path / "govflow-building-talk"
    shutil.copytree(TEMPLATE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    pytester.chdir()
    result = pytester.runpytest_subprocess(str(copy), "-p", "no:cacheprovider", "--rootdir", copy)
    result.assert_outcomes(passed=4)
