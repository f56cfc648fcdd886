"""Lessons in the engine: each is a ``LessonModel`` registered by its ``Lesson``.

A lesson's package (``visualizer.lessons.<name>``) subclasses ``LessonModel`` and
registers it: its own request path (a subclass of ``RequestPath``), traffic, per-second
figures and summary part plug into one ``Simulation``. The engine knows no lesson by
name and has no ``if lesson == ...``.
"""

from __future__ import annotations

from visualizer.sim.config import Lesson, load_lessons
from visualizer.sim.lessons.base import LessonModel

MODELS: dict[Lesson, type[LessonModel]] = {}


def register(model: type[LessonModel]) -> type[LessonModel]:
    """Class decorator: ``model`` runs scenarios of ``model.lesson``."""
    MODELS[model.lesson] = model
    return model


def unregister(lesson: Lesson) -> None:
    """Take a lesson's model away again (a test's toy lesson)."""
    MODELS.pop(lesson, None)


def model_for(lesson: Lesson) -> type[LessonModel]:
    load_lessons()
    model = MODELS.get(lesson)
    if model is None:
        raise LookupError(f"the {lesson} lesson registered no model (LessonModel subclass)")
    return model
