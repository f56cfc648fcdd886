"""The package list in pyproject.toml must name every Python package of the project."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_for_installation():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "visualizer").rglob("__init__.py")
    }
    assert found <= listed
    assert "visualizer.assets" in listed
