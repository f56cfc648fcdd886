"""Lessons in the engine: each is a ``LessonModel`` registered by its ``Lesson``.

A lesson plugs its own request path (a subclass of ``RequestPath``), traffic, per-second
figures and summary part into one ``Simulation``; the shared engine has no
``if lesson == ...``. The sessions lesson is the plain engine.
"""

from __future__ import annotations

import importlib

from visualizer.sim.config import Lesson
from visualizer.sim.lessons.base import LessonModel

MODELS: dict[Lesson, type[LessonModel]] = {Lesson.SESSIONS: LessonModel}


def register(model: type[LessonModel]) -> type[LessonModel]:
    """Class decorator: ``model`` runs scenarios of ``model.lesson``."""
    MODELS[model.lesson] = model
    return model


def model_for(lesson: Lesson) -> type[LessonModel]:
    _load_all()
    return MODELS[lesson]


#: The modules that register a lesson's model (imported when a model is first asked for).
LESSON_MODULES: tuple[str, ...] = ("counter", "auth", "realtime", "services")


def _load_all() -> None:
    for name in LESSON_MODULES:
        importlib.import_module(f"visualizer.sim.lessons.{name}")
