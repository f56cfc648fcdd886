"""The sessions lesson: where session state lives (server memory, a shared store or the
clients' tokens), stickiness, and what a crash costs."""

from visualizer.lessons.sessions import model, settings  # (they register the section and model)
from visualizer.lessons.sessions.spec import SPEC

__all__ = ["SPEC", "model", "settings"]
