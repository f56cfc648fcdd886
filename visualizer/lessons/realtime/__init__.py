"""The realtime lesson: short polling, long polling and WebSockets, and what a crash
does to connections."""

from visualizer.lessons.realtime import model, settings  # (they register the section and model)
from visualizer.lessons.realtime.spec import SPEC

__all__ = ["SPEC", "model", "settings"]
