"""Users with multi-request workflows, and the requests they send."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from visualizer.sim.events import RequestKind

if TYPE_CHECKING:
    from visualizer.sim.config import Mode
    from visualizer.sim.nodes import Server
    from visualizer.sim.sessions import Session


class User:
    __slots__ = ("failures", "id", "ip", "logs_out", "next_kind", "remaining", "session")

    def __init__(self, uid: int, remaining: int, logs_out: bool, ip: int) -> None:
        self.id = uid
        self.remaining = remaining  # successful requests still to make
        self.logs_out = logs_out
        self.ip = ip  # client address the hash balancer sees (shared behind a proxy)
        self.session: Session | None = None
        self.next_kind = RequestKind.LOGIN
        self.failures = 0  # consecutive


class Request:
    __slots__ = (
        "epoch",
        "id",
        "kind",
        "mode",
        "server",
        "store_epoch",
        "t_sent",
        "t_start",
        "user",
    )

    def __init__(self, rid: int, user: User, kind: RequestKind, now: float) -> None:
        self.id = rid
        self.user = user
        self.kind = kind
        self.t_sent = now
        self.t_start = -1.0
        self.server: Server | None = None
        self.epoch = -1  # server epoch when processing started
        self.store_epoch = -1  # store epoch when its round trip started (-1: none)
        self.mode: Mode | None = None  # where a login puts the new session


def workflow_length(rng: random.Random, mean: float) -> int:
    """Geometric on {1, 2, ...} with the given mean (1 means exactly one request)."""
    if mean <= 1.0:
        return 1
    p = 1.0 / mean
    return 1 + int(math.log(1.0 - rng.random()) / math.log(1.0 - p))
