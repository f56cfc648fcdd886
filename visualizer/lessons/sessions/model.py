"""The sessions lesson in the engine: the engine's own request path and traffic, with
sessions kept where ``state.mode`` says (on the servers, in the store, in tokens)."""

from __future__ import annotations

from visualizer.lessons.sessions.settings import LESSON
from visualizer.sim.lessons import register
from visualizer.sim.lessons.base import LessonModel


@register
class SessionsModel(LessonModel):
    lesson = LESSON
    keeps_sessions = True
    holds_memory = True
