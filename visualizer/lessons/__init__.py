"""The lessons, one package each, and the one table of them every layer builds from.

A lesson's package holds its spec (``LessonSpec``: the panel's toggles and fields, its
design words, its captions); adding a lesson is a package and one line below. Nothing
here imports Qt.
"""

from __future__ import annotations

from visualizer.lessons import auth, counter, realtime, services, sessions
from visualizer.lessons.spec import LessonControls, LessonSpec
from visualizer.sim.config import Config, Lesson

#: Every lesson's spec, in the order the lessons are taught.
SPECS: dict[Lesson, LessonSpec] = {
    spec.lesson: spec
    for spec in (sessions.SPEC, counter.SPEC, auth.SPEC, realtime.SPEC, services.SPEC)
}


def spec_for(config: Config) -> LessonSpec:
    """The spec of the run's lesson."""
    return SPECS[config.scenario.lesson]


#: Each lesson's panel: its three toggles and its settings.
CONTROLS: dict[Lesson, LessonControls] = {lesson: s.controls for lesson, s in SPECS.items()}


def controls_for(config: Config) -> LessonControls:
    return spec_for(config).controls
