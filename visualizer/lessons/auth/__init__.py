"""The sign-in lesson: server sessions vs JWTs, and what revoking a sign-in takes."""

from visualizer.lessons.auth import model, settings  # (they register the section and model)
from visualizer.lessons.auth.spec import SPEC

__all__ = ["SPEC", "model", "settings"]
