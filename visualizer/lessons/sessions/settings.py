"""The sessions lesson's id. Its settings are the shared ``[state]`` and ``[store]``
sections (where a session lives): it has no section of its own."""

from __future__ import annotations

from visualizer.sim.config import SESSIONS

LESSON = SESSIONS
