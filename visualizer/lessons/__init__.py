"""The lessons, one package each, and the one table of them every layer builds from.

A lesson's package (``visualizer.lessons.<name>``) holds its settings (its own section,
registered with the engine's config), its engine model, its spec (``LessonSpec``: the
panel's toggles and fields, its scoreboard rows, design words and captions), its presets
(``presets/*.toml``) and its Qt views (``view.py``, imported only by the window).
Adding a lesson is a package and one line in ``PACKAGES``. Nothing here imports Qt.
"""

from __future__ import annotations

from visualizer.lessons.registry import (
    SPECS,
    LessonPackage,
    controls_for,
    install,
    packages,
    spec_for,
    uninstall,
)
from visualizer.lessons.spec import LessonControls, LessonSpec

#: The lessons, in the order they are taught: one line each.
PACKAGES = (
    "visualizer.lessons.sessions",
    "visualizer.lessons.counter",
    "visualizer.lessons.auth",
    "visualizer.lessons.realtime",
    "visualizer.lessons.services",
)

for _name in PACKAGES:
    install(_name)

__all__ = [
    "PACKAGES",
    "SPECS",
    "LessonControls",
    "LessonPackage",
    "LessonSpec",
    "controls_for",
    "install",
    "packages",
    "spec_for",
    "uninstall",
]
