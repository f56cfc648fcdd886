"""The services lesson: a stateless gateway in front of stateful services and a queue."""

from visualizer.lessons.services import model, settings  # (they register the section and model)
from visualizer.lessons.services.spec import SPEC

__all__ = ["SPEC", "model", "settings"]
