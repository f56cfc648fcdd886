"""The installed lessons: each package's spec, where its presets are and its views'
module, by lesson. Every table above the engine (the panel, the scoreboard, compare
titles, captions, presets, the window's views) is read from here, so a lesson installed
later (a test's toy lesson) shows up everywhere at once. Nothing here imports Qt."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from visualizer.lessons.spec import LessonControls, LessonSpec
from visualizer.sim.config import Config, Lesson, unregister_section
from visualizer.sim.lessons import model_for, unregister
from visualizer.sim.scenario import register_presets, unregister_presets


@dataclass(frozen=True)
class LessonPackage:
    """One installed lesson: its package, its spec and its presets' folder."""

    name: str  # the package, e.g. "visualizer.lessons.counter"
    spec: LessonSpec

    @property
    def lesson(self) -> Lesson:
        return self.spec.lesson

    @property
    def presets(self) -> Path:
        """Its ``presets`` folder (may be missing: a lesson without presets)."""
        module = importlib.import_module(self.name)
        return Path(next(iter(module.__path__))) / "presets"

    @property
    def view_module(self) -> str:
        """The module that registers its Qt views (imported by the window only)."""
        return f"{self.name}.view"


_PACKAGES: dict[Lesson, LessonPackage] = {}
#: Every lesson's spec, in the order the lessons are taught.
SPECS: dict[Lesson, LessonSpec] = {}


def install(name: str) -> LessonPackage:
    """Import the lesson package ``name`` (it registers its section and its model with
    the engine as it imports) and add its ``SPEC``; fails naming what it lacks."""
    module = importlib.import_module(name)
    spec = getattr(module, "SPEC", None)
    if not isinstance(spec, LessonSpec):
        raise TypeError(f"lesson package {name} has no SPEC (a LessonSpec) in its __init__")
    model_for(spec.lesson)  # (fails naming the lesson if it registered no model)
    package = LessonPackage(name, spec)
    _PACKAGES[spec.lesson] = package
    SPECS[spec.lesson] = spec
    register_presets(package.presets)
    return package


def uninstall(lesson: Lesson, section: str | None = None) -> None:
    """Take an installed lesson away again, with its model and its ``section`` (a test's
    toy lesson; the shipped ones stay)."""
    package = _PACKAGES.pop(lesson, None)
    if package is not None:
        unregister_presets(package.presets)
    SPECS.pop(lesson, None)
    unregister(lesson)
    if section is not None:
        unregister_section(section)
    Lesson.forget(lesson.value)


def packages() -> tuple[LessonPackage, ...]:
    """The installed lessons, in teaching order."""
    return tuple(_PACKAGES.values())


def spec_for(config: Config) -> LessonSpec:
    """The spec of the run's lesson."""
    return SPECS[config.scenario.lesson]


def controls_for(config: Config) -> LessonControls:
    """The run's lesson's panel: its three toggles and its settings."""
    return spec_for(config).controls
