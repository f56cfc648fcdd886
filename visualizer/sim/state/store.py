"""The shared session store (Redis-like)."""

from __future__ import annotations

from visualizer.sim.records import STORE
from visualizer.sim.state.sessions import SessionTable


class SessionStore:
    """Sessions with idle TTL; may crash and be restored (``replicas`` keep its data)."""

    __slots__ = ("crashes", "epoch", "sessions", "up")

    def __init__(self) -> None:
        self.sessions = SessionTable(STORE)
        self.up = True
        self.epoch = 0  # bumped on crash: a round trip spanning it fails
        self.crashes = 0
