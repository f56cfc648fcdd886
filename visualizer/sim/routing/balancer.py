"""The load balancer: a routing strategy plus optional sticky affinity, and, when traces
are on, the decision it made for each request."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from visualizer.sim.config import Algorithm
from visualizer.sim.records import NO_SERVER, RouteDecision
from visualizer.sim.routing.strategies import make_strategy

if TYPE_CHECKING:
    from visualizer.sim.nodes import Server
    from visualizer.sim.traffic import User


class Balancer:
    """Routes over the servers it believes healthy (``rotation``, ordered by index)."""

    def __init__(self, algorithm: Algorithm, sticky: bool, rng: random.Random) -> None:
        self.rotation: list[Server] = []
        self._candidates: tuple[int, ...] = ()
        self.affinity: dict[int, Server] = {}  # user id -> pinned server
        self.sticky = sticky
        self._rng = rng
        self.set_algorithm(algorithm)
        self.explain = False  # traces on: ``last`` holds the decision of each route()
        self.last: RouteDecision = NO_SERVER

    def set_algorithm(self, algorithm: Algorithm) -> None:
        self.algorithm = algorithm
        self.strategy = make_strategy(algorithm, self._rng)

    def set_sticky(self, sticky: bool) -> None:
        self.sticky = sticky
        if not sticky:
            self.affinity.clear()

    def route(self, user: User) -> Server | None:
        rotation = self.rotation
        if not rotation:
            if self.explain:
                self.last = NO_SERVER
            return None
        if self.sticky:
            pinned = self.affinity.get(user.id)
            if pinned is not None and pinned.in_rotation:
                if self.explain:
                    self.last = RouteDecision(
                        "sticky-hit", self.algorithm.value, self._candidates, (), pinned.index
                    )
                return pinned
            chosen = self.strategy.pick(rotation, user)
            self.affinity[user.id] = chosen
            if self.explain:
                how = "sticky-new" if pinned is None else "sticky-repin"
                self._explain(how, rotation, user, -1 if pinned is None else pinned.index)
            return chosen
        chosen = self.strategy.pick(rotation, user)
        if self.explain:
            self._explain(self.algorithm.value, rotation, user, -1)
        return chosen

    def _explain(self, how: str, rotation: list[Server], user: User, pinned: int) -> None:
        facts = self.strategy.facts(rotation, user)
        self.last = RouteDecision(how, self.algorithm.value, self._candidates, facts, pinned)

    def forget(self, user: User) -> None:
        self.affinity.pop(user.id, None)

    def set_in_rotation(self, server: Server, included: bool) -> None:
        server.in_rotation = included
        rotation = [s for s in self.rotation if s is not server]
        if included:
            rotation.append(server)
            rotation.sort(key=lambda s: s.index)
        self.rotation = rotation
        self._candidates = tuple(s.index for s in rotation)  # kept for route decisions
