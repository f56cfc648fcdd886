"""The counter lesson: where a count lives (each server, the shared store or the
client), and what each place gets wrong."""

from visualizer.lessons.counter import model, settings  # (they register the section and model)
from visualizer.lessons.counter.spec import SPEC

__all__ = ["SPEC", "model", "settings"]
