"""A server's state (changed only by the engine's fleet and request path)."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from visualizer.sim.state.sessions import SessionTable

if TYPE_CHECKING:
    from visualizer.sim.requests import Request


class Server:
    """A server: ``workers`` slots, a FIFO queue and, in local mode, session memory."""

    __slots__ = (
        "active",
        "busy",
        "busy_area",
        "busy_t",
        "crashes",
        "draining",
        "epoch",
        "failed",
        "in_rotation",
        "index",
        "last_lost",
        "name",
        "outstanding",
        "queue",
        "removed",
        "served",
        "sessions",
        "up",
        "workers",
    )

    def __init__(self, index: int, workers: int, now: float) -> None:
        self.index = index
        self.name = f"server-{index + 1}"
        self.workers = workers
        self.busy = 0
        self.queue: deque[Request] = deque()
        self.active: dict[int, Request] = {}  # request id -> request being processed
        self.sessions = SessionTable(index)
        self.up = True
        self.in_rotation = False
        self.draining = False  # removed from rotation, finishing its work
        self.removed = False
        self.epoch = 0  # bumped on crash so stale completions are ignored
        self.outstanding = 0  # routed here and not finished (incl. in transit)
        self.served = 0
        self.failed = 0
        self.crashes = 0
        self.last_lost = 0  # sessions its last crash lost (shown while it is down)
        self.busy_area = 0.0  # integral of busy workers over time
        self.busy_t = now

    @property
    def live(self) -> bool:
        """Part of the fleet (not removed or being removed)."""
        return not (self.removed or self.draining)

    def busy_area_at(self, now: float) -> float:
        return self.busy_area + self.busy * (now - self.busy_t)

    def set_busy(self, busy: int, now: float) -> None:
        self.busy_area += self.busy * (now - self.busy_t)
        self.busy_t = now
        self.busy = busy
